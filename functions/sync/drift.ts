/**
 * Drift as GET /v1/secrets and GET /v1/secrets/{name} show it: per cluster, judged against the
 * ledger's intent for the secret (konduktor/drift.ts `driftOf`). Key names only, never values.
 */
import { type DriftReport, driftOf } from "../../konduktor/drift.ts";
import type { Intent } from "../../konduktor/sync.ts";
import type { SecretDescription, SecretListing } from "../../konduktor/types.ts";

type Row = { cluster: string; status: string; secret?: unknown };

/** Drift from the describe results (`found` with a description, `missing`, or an error). */
export function describeDrift(results: readonly Row[], intent: Intent | null): DriftReport {
  const found = new Map<string, SecretDescription>();
  const failed = new Set<string>();
  for (const r of results) {
    if (r.status === "found") found.set(r.cluster, r.secret as SecretDescription);
    else if (r.status !== "missing") failed.add(r.cluster);
  }
  return driftOf(
    results.map((r) => r.cluster),
    found,
    failed,
    intent,
  );
}

/** Drift of one secret (by Kubernetes name) from per-cluster listings with descriptions. */
export function listDrift(
  secretName: string,
  clusters: readonly string[],
  listings: ReadonlyMap<string, readonly SecretListing[]>,
  results: readonly { cluster: string; status: string }[],
  intent: Intent | null,
): DriftReport {
  const failed = new Set(results.filter((r) => r.status === "error").map((r) => r.cluster));
  const found = new Map<string, SecretDescription>();
  for (const cluster of clusters) {
    const item = listings.get(cluster)?.find((s) => s.name === secretName);
    if (item && "contentDigest" in item) found.set(cluster, item as SecretDescription);
  }
  return driftOf(clusters, found, failed, intent);
}
