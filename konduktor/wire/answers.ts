/**
 * Wire answers built from konduktor/ results, for a caller that runs the operations itself (the
 * CLI's direct mode) and so answers in the broker's shapes: the same `-o json`, the same tables.
 * Names, key names, digests and clusters only: never a value.
 */
import type { FanoutResult } from "../fanout.ts";
import { driftOf, type Tombstone } from "../sync.ts";
import type { SecretDescription } from "../types.ts";
import type { DescribeSecretAnswer, ListSecretsAnswer } from "./secrets.ts";

type Row = ListSecretsAnswer["secrets"][number];

/**
 * The rows of a listing over clusters: one per Kubernetes name (owner and basename), the clusters
 * that hold it, its keys (union) and its drift. `results`: each cluster's outcome (a cluster
 * that failed is `unknown` in the drift); `tombstones` by `<owner>/<basename>`.
 */
export function mergeListings(
  clusters: readonly string[],
  listings: ReadonlyMap<string, readonly SecretDescription[]>,
  results: readonly { cluster: string; status: string }[],
  tombstones: ReadonlyMap<string, Tombstone> = new Map(),
): Row[] {
  const failed = new Set(results.filter((r) => r.status === "error").map((r) => r.cluster));
  const merged = new Map<
    string,
    { first: SecretDescription; found: Map<string, SecretDescription>; keys: Set<string> }
  >();
  for (const cluster of clusters) {
    for (const item of listings.get(cluster) ?? []) {
      const row = merged.get(item.name) ?? { first: item, found: new Map(), keys: new Set() };
      row.found.set(cluster, item);
      for (const k of item.keys) row.keys.add(k);
      merged.set(item.name, row);
    }
  }
  return [...merged.values()]
    .sort(
      (a, b) =>
        a.first.basename.localeCompare(b.first.basename) ||
        a.first.name.localeCompare(b.first.name),
    )
    .map(({ first, found, keys }) => ({
      name: first.basename,
      secretName: first.name,
      kind: first.kind,
      owner: first.owner,
      keys: [...keys].sort(),
      clusters: clusters.filter((c) => found.has(c)),
      drift: driftOf(
        clusters,
        found,
        failed,
        first.owner === null ? undefined : tombstones.get(`${first.owner}/${first.basename}`),
      ),
    }));
}

type DescribeRow = DescribeSecretAnswer["results"][number];

/** The describe answer from per-cluster found / missing / error rows. */
export function describeAnswerOf(
  name: string,
  owner: string,
  results: readonly (DescribeRow | FanoutResult<never>)[],
  tomb?: Tombstone | null,
): DescribeSecretAnswer {
  const found = new Map<string, SecretDescription>();
  const failed = new Set<string>();
  for (const r of results) {
    if (r.status === "found") found.set(r.cluster, (r as { secret: SecretDescription }).secret);
    else if (r.status !== "missing") failed.add(r.cluster);
  }
  const drift = driftOf(
    results.map((r) => r.cluster),
    found,
    failed,
    tomb,
  );
  const agree = found.size > 0 && drift.inLine;
  const reference = drift.reference ? found.get(drift.reference) : undefined;
  return {
    name,
    owner,
    agree,
    contentDigest: agree && reference ? reference.contentDigest : null,
    drift,
    results: results as DescribeRow[],
  };
}
