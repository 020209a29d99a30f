/**
 * Drift as GET /v1/secrets and GET /v1/secrets/{name} show it: per cluster in line, missing,
 * different (which keys), not placed, deleted (through the broker) or unknown (did not answer), compared with the copy a sync would use as
 * its source (konduktor/sync.ts `driftOf`). Key names only, never values.
 */
import { z } from "@hono/zod-openapi";
import { type DriftReport, driftOf, type Tombstone } from "../../konduktor/sync.ts";
import type { SecretDescription, SecretListing } from "../../konduktor/types.ts";

export const DriftSchema = z
  .object({
    reference: z.string().nullable().openapi({
      description:
        "the cluster whose copy the others are compared with: the most recently written copy (the one a sync would copy from)",
    }),
    inLine: z.boolean().openapi({
      description: "every cluster of the placement holds the same content",
    }),
    clusters: z.array(
      z.object({
        cluster: z.string(),
        state: z
          .enum(["in-line", "missing", "different", "not-placed", "deleted", "unknown"])
          .openapi({
            description:
              "`not-placed`: the secret's placement (annotation konduktor-broker/placement) leaves this cluster out; `deleted`: no copy, and the secret was deleted there through the broker (a sync does not restore it). Neither is a disagreement",
          }),
        keys: z
          .object({
            missing: z.array(z.string()),
            extra: z.array(z.string()),
            changed: z.array(z.string()),
          })
          .optional()
          .openapi({ description: "for `different`: which keys differ from the reference" }),
        editedOutsideBroker: z.literal(true).optional().openapi({
          description:
            "this copy was changed outside the broker (kubectl, the Konduktor CLI): a sync leaves it alone unless a source is named",
        }),
      }),
    ),
  })
  .openapi("Drift");

type Row = { cluster: string; status: string; secret?: unknown };

/**
 * Drift from the describe results (`found` with a description, `missing`, or an error); `tomb`:
 * the secret's tombstone, if any (clusters it was deleted from show `deleted`, not `missing`).
 */
export function describeDrift(results: readonly Row[], tomb?: Tombstone | null): DriftReport {
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
    tomb,
  );
}

/** Drift of one secret (by Kubernetes name) from per-cluster listings with descriptions. */
export function listDrift(
  secretName: string,
  clusters: readonly string[],
  listings: ReadonlyMap<string, readonly SecretListing[]>,
  results: readonly { cluster: string; status: string }[],
  tomb?: Tombstone | null,
): DriftReport {
  const failed = new Set(results.filter((r) => r.status === "error").map((r) => r.cluster));
  const found = new Map<string, SecretDescription>();
  for (const cluster of clusters) {
    const item = listings.get(cluster)?.find((s) => s.name === secretName);
    if (item && "contentDigest" in item) found.set(cluster, item as SecretDescription);
  }
  return driftOf(clusters, found, failed, tomb);
}
