/**
 * Wire answers built from konduktor/ results: one cluster's PUT row (the broker and the CLI's
 * direct mode alike), and the answers of a caller that runs the operations itself (the CLI's
 * direct mode) in the broker's shapes: the same `-o json`, the same tables.
 * Such a caller keeps no ledger: every secret is `unledgered`, and its drift compares the copies
 * with the most recently written one (the copy a ledger-free sync copies from).
 * Names, key names, digests and clusters only: never a value.
 */
import type { FanoutResult } from "../fanout.ts";
import { compareKeys } from "../sync.ts";
import type { ApplyResult, SecretDescription } from "../types.ts";
import type { DescribeSecretAnswer, Drift, ListSecretsAnswer } from "./secrets.ts";

/** One cluster's PUT row (`ApplyOkResult` without the fan-out's attempts and duration). */
export function applyRowOf(r: ApplyResult) {
  return {
    status: r.outcome,
    secretName: r.name,
    namespace: r.namespace,
    added: r.added,
    changed: r.changed,
    removed: r.removed,
    writes: r.writes,
    dryRun: r.dryRun,
    ...(r.replacedGitSsh?.length ? { replacedGitSsh: r.replacedGitSsh } : {}),
    ...(r.supersededBy === undefined ? {} : { supersededBy: r.supersededBy }),
    ...(r.changedOutside ? { changedOutside: true } : {}),
  };
}

/** `updated-at` provenance, else creation time, as epoch ms (0 when neither is known). */
export function writtenAt(d: SecretDescription): number {
  const t = Date.parse(d.provenance?.at ?? d.updatedAt ?? "");
  return Number.isNaN(t) ? 0 : t;
}

/** Whether a description's placement includes `cluster` (`all`, or named in the list). */
export function isPlacedOn(d: SecretDescription | undefined, cluster: string): boolean {
  const placement = d?.placement ?? "all";
  return placement === "all" || placement.includes(cluster);
}

/**
 * The source copy among `candidates` (cluster → description, in cluster order) without a ledger:
 * the named cluster when given (null when it holds no copy), else the newest write; ties go to the
 * content most clusters share, then to the first cluster.
 */
export function chooseSource(
  candidates: ReadonlyMap<string, SecretDescription>,
  named?: string | null,
): string | null {
  if (named) return candidates.has(named) ? named : null;
  const count = new Map<string, number>();
  for (const d of candidates.values()) {
    count.set(d.contentDigest, (count.get(d.contentDigest) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestRank: number[] = [];
  for (const [cluster, d] of candidates) {
    const rank = [writtenAt(d), count.get(d.contentDigest) ?? 0];
    const i = rank.findIndex((v, j) => v !== bestRank[j]);
    if (best === null || (i >= 0 && (rank[i] as number) > (bestRank[i] as number))) {
      best = cluster;
      bestRank = rank;
    }
  }
  return best;
}

/**
 * Drift of one secret without a ledger: per cluster in line, missing, different (which keys), not
 * placed (no copy, and the reference's placement leaves the cluster out) or unknown (the cluster
 * did not answer), against the newest copy (`chooseSource`).
 */
export function ledgerFreeDrift(
  clusters: readonly string[],
  found: ReadonlyMap<string, SecretDescription>,
  failed: ReadonlySet<string>,
): Drift {
  const candidates = new Map(
    clusters.filter((c) => found.has(c)).map((c) => [c, found.get(c) as SecretDescription]),
  );
  const reference = chooseSource(candidates);
  const ref = reference ? candidates.get(reference) : undefined;
  const rows: Drift["clusters"] = clusters.map((cluster) => {
    if (failed.has(cluster)) return { cluster, state: "unknown" };
    const d = found.get(cluster);
    if (!d) return { cluster, state: isPlacedOn(ref, cluster) ? "missing" : "not-placed" };
    if (!ref || d.contentDigest === ref.contentDigest) return { cluster, state: "in-line" };
    return { cluster, state: "different", keys: compareKeys(ref, d) };
  });
  return {
    ledger: "unledgered",
    version: null,
    reference,
    inLine: rows.every((r) => r.state === "in-line" || r.state === "not-placed"),
    clusters: rows,
  };
}

type Row = ListSecretsAnswer["secrets"][number];

/**
 * The rows of a listing over clusters: one per Kubernetes name (owner and basename), the clusters
 * that hold it, its keys (union) and its drift. `results`: each cluster's outcome (a cluster
 * that failed is `unknown` in the drift).
 */
export function mergeListings(
  clusters: readonly string[],
  listings: ReadonlyMap<string, readonly SecretDescription[]>,
  results: readonly { cluster: string; status: string }[],
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
      drift: ledgerFreeDrift(clusters, found, failed),
    }));
}

type DescribeRow = DescribeSecretAnswer["results"][number];

/** The describe answer from per-cluster found / missing / error rows. */
export function describeAnswerOf(
  name: string,
  owner: string,
  results: readonly (DescribeRow | FanoutResult<never>)[],
): DescribeSecretAnswer {
  const found = new Map<string, SecretDescription>();
  const failed = new Set<string>();
  for (const r of results) {
    if (r.status === "found") {
      found.set(r.cluster, (r as unknown as { secret: SecretDescription }).secret);
    } else if (r.status !== "missing") failed.add(r.cluster);
  }
  const drift = ledgerFreeDrift(
    results.map((r) => r.cluster),
    found,
    failed,
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
