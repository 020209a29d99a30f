/**
 * `POST /v1/sync` on the wire: the request (owners, clusters, source, names, dryRun) and the
 * answer (per cluster read, the plan with each entry's status, skipped and unledgered secrets, a
 * summary). Key names, clusters, versions and codes only, never a value.
 */
import { z } from "zod";
import { ClusterList, ClusterName, OwnerHash } from "./common.ts";

export const SyncRequestBody = z
  .strictObject({
    owners: z.array(OwnerHash).min(1, "owners, when given, names at least one owner").optional(),
    clusters: ClusterList.meta({
      description: "the clusters to bring in line (default: all the caller may use)",
    }),
    source: ClusterName.optional().meta({
      description:
        "copy from this cluster, also a copy changed outside the broker, and adopt secrets the ledger does not know (default: for each secret, a copy signed by the broker at the ledger's version)",
    }),
    names: z
      .array(z.string())
      .min(1, "names, when given, names at least one secret")
      .max(500)
      .optional()
      .meta({
        description:
          'only these secrets: basenames, or "prefix*" patterns ("*" for any). A copy deleted outside the broker is created again only for a secret named here exactly',
        example: ["wandb", "db-*"],
      }),
    dryRun: z.boolean().default(false).meta({
      description: "answer the plan (secret, key names, cluster, action) and write nothing",
    }),
  })
  .meta({ id: "SyncRequest" });

export type SyncRequest = z.infer<typeof SyncRequestBody>;
export type SyncRequestInput = z.input<typeof SyncRequestBody>;

export const PlanEntrySchema = z.object({
  owner: z.string(),
  secret: z.string().meta({ description: "basename" }),
  secretName: z.string(),
  cluster: z.string(),
  action: z.enum(["create", "update", "delete"]),
  keys: z.array(z.string()).meta({ description: "key names written or removed" }),
  source: z.string().nullable(),
  version: z.number().nullable().meta({ description: "the ledger version written" }),
  reason: z.string(),
  status: z.enum(["planned", "done", "error"]),
  supersededBy: z.number().optional(),
  writes: z.number().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});

export const SyncAnswer = z
  .object({
    dryRun: z.boolean(),
    owners: z.union([z.array(z.string()), z.literal("all")]),
    clusters: z.array(z.string()),
    targets: z.array(z.string()),
    source: z.string().nullable(),
    results: z.array(
      z.object({
        cluster: z.string(),
        status: z.enum(["read", "error"]),
        secrets: z.number().optional(),
        code: z.string().optional(),
        message: z.string().optional(),
      }),
    ),
    plan: z.array(PlanEntrySchema),
    skipped: z.array(
      z.object({
        owner: z.string(),
        secret: z.string(),
        cluster: z.string().optional(),
        editedOutsideBroker: z.literal(true).optional(),
        deletedOutsideBroker: z.literal(true).optional(),
        reason: z.string(),
      }),
    ),
    unledgered: z
      .array(
        z.object({
          owner: z.string(),
          secret: z.string(),
          secretName: z.string(),
          clusters: z.array(z.string()),
        }),
      )
      .meta({
        description:
          "secrets the broker's ledger does not know (made by Konduktor's CLI or the Action's kubeconfig mode): left where they are, never copied; a sync that names a `source` holding one adopts it",
      }),
    summary: z.object({
      secrets: z.number(),
      inLine: z.number(),
      planned: z.number(),
      done: z.number(),
      failed: z.number(),
      unreadableClusters: z.number(),
      unledgered: z.number(),
    }),
    durationMs: z.number(),
  })
  .meta({ id: "SyncAnswer" });

export type SyncAnswerT = z.infer<typeof SyncAnswer>;

/** A basename filter from a list of names (exact) or patterns (`prefix*`, `*`). */
export function nameMatcher(patterns: readonly string[]): (basename: string) => boolean {
  return (basename) =>
    patterns.some((p) => (p.endsWith("*") ? basename.startsWith(p.slice(0, -1)) : p === basename));
}
