/**
 * Drift as GET /v1/secrets and GET /v1/secrets/{name} show it: per cluster, judged against the
 * ledger's intent for the secret (konduktor/drift.ts `driftOf`). Key names only, never values.
 */
import { z } from "@hono/zod-openapi";
import { type DriftReport, driftOf } from "../../konduktor/drift.ts";
import type { Intent } from "../../konduktor/sync.ts";
import type { SecretDescription, SecretListing } from "../../konduktor/types.ts";

export const DriftSchema = z
  .object({
    ledger: z.enum(["current", "deleted", "unledgered"]).openapi({
      description:
        "`current`: the broker's ledger knows the secret and which version belongs where; `deleted`: deleted through the broker; `unledgered`: not made through the broker (Konduktor's CLI, the Action's kubeconfig mode, a broker before the ledger): left where it is, never copied, until a sync that names a `source` adopts it",
    }),
    version: z
      .number()
      .nullable()
      .openapi({ description: "the ledger's version of the content (null: unledgered)" }),
    reference: z.string().nullable().openapi({
      description:
        "the cluster whose copy the others are compared with: a copy signed by the broker at the ledger's version (the one a sync copies from); null when there is none",
    }),
    inLine: z.boolean().openapi({
      description:
        "every cluster of the placement holds the ledger's version (unledgered: every cluster holds the same content)",
    }),
    clusters: z.array(
      z.object({
        cluster: z.string(),
        state: z
          .enum([
            "in-line",
            "missing",
            "different",
            "not-placed",
            "deleted",
            "unknown",
            "unledgered",
          ])
          .openapi({
            description:
              "`not-placed`: the secret's placement leaves this cluster out; `deleted`: deleted there through the broker (a sync does not restore it). Neither is a disagreement. `unledgered`: a copy of a secret the ledger does not know",
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
            "this copy was changed outside the broker (its signature does not match): never a source, and a sync leaves it alone unless a source is named",
        }),
        deletedOutsideBroker: z.literal(true).optional().openapi({
          description:
            "the broker wrote this copy and it was deleted outside the broker (kubectl, `konduktor secret delete`): the cron does not bring it back; a sync that names the secret does",
        }),
        stale: z.literal(true).optional().openapi({
          description: "a copy the broker wrote at an older version: the next sync updates it",
        }),
      }),
    ),
  })
  .openapi("Drift");

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
