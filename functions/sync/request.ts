/**
 * The wire and scope of a sync request (POST /v1/sync, and a webhook's `{ "sync": … }`): its
 * schemas, the name filter, what the caller may sync (owners, clusters, source), and the answer's
 * status. The work is ./service.ts.
 */
import { z } from "@hono/zod-openapi";
import { validateBasename } from "../../konduktor/secret.ts";
import type { Caller } from "../auth/caller.ts";
import { pickClusters } from "../auth/policy.ts";
import type { AppContext } from "../context.ts";
import { ApiError, invalidInput } from "../problem.ts";
import { ClusterName, NAME_PREFIX_RE, OwnerHash } from "../schemas.ts";
import { type SyncOutcome, syncHttpStatus } from "./service.ts";

export const SyncRequestBody = z
  .strictObject({
    owners: z.array(OwnerHash).min(1, "owners, when given, names at least one owner").optional(),
    clusters: z
      .array(ClusterName)
      .min(1, "clusters, when given, names at least one cluster")
      .max(100)
      .optional()
      .openapi({ description: "the clusters to bring in line (default: all the caller may use)" }),
    source: ClusterName.optional().openapi({
      description:
        "copy from this cluster, also a copy changed outside the broker, and adopt secrets the ledger does not know (default: for each secret, a copy signed by the broker at the ledger's version)",
    }),
    names: z
      .array(z.string())
      .min(1, "names, when given, names at least one secret")
      .max(500)
      .optional()
      .openapi({
        description:
          'only these secrets: basenames, or "prefix*" patterns ("*" for any). A copy deleted outside the broker is created again only for a secret named here exactly',
        example: ["wandb", "db-*"],
      }),
    dryRun: z.boolean().default(false).openapi({
      description: "answer the plan (secret, key names, cluster, action) and write nothing",
    }),
  })
  .openapi("SyncRequest");

export type SyncRequest = z.infer<typeof SyncRequestBody>;

const PlanEntrySchema = z.object({
  owner: z.string(),
  secret: z.string().openapi({ description: "basename" }),
  secretName: z.string(),
  cluster: z.string(),
  action: z.enum(["create", "update", "delete"]),
  keys: z.array(z.string()).openapi({ description: "key names written or removed" }),
  source: z.string().nullable(),
  version: z.number().nullable().openapi({ description: "the ledger version written" }),
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
      .openapi({
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
  .openapi("SyncAnswer");

/** A basename filter from a list of names (exact) or patterns (`prefix*`, `*`). */
export function nameMatcher(patterns: readonly string[]): (basename: string) => boolean {
  return (basename) =>
    patterns.some((p) => (p.endsWith("*") ? basename.startsWith(p.slice(0, -1)) : p === basename));
}

function checkNames(names: readonly string[], field: string): void {
  // a pattern `prefix*`: the prefix must be the start of a valid basename (or empty: "*")
  const problems = names.flatMap((n, i) =>
    n.endsWith("*")
      ? NAME_PREFIX_RE.test(n.slice(0, -1))
        ? []
        : [
            {
              field: `${field}.${i}`,
              message: `${field}.${i} "${n.slice(0, 60)}" is not a valid pattern: lowercase letters, digits and '-', starting with a letter or digit, then one trailing *`,
            },
          ]
      : validateBasename(n, `${field}.${i}`),
  );
  if (problems.length) {
    throw invalidInput(problems);
  }
}

/**
 * The scope of a sync request for a caller (a token, or a webhook's bound caller): owners it may
 * act for, clusters it may use, a source among them. Throws 4xx before any cluster is touched.
 */
export async function syncScopeFor(
  c: AppContext,
  caller: Caller,
  body: SyncRequest,
): Promise<{
  owners: string[];
  clusters: string[];
  targets: string[];
  source: string | null;
  restore: (basename: string) => boolean;
  adoptPlacement: string[] | "all";
  by: string;
}> {
  if (caller.owners.length === 0) {
    throw new ApiError("forbidden", "this credential is not bound to any owner");
  }
  const owners = body.owners ?? caller.owners;
  const denied = owners.filter((o) => !caller.owners.includes(o));
  if (denied.length) {
    throw new ApiError(
      "forbidden",
      `this credential may not act for owner ${denied.join(", ")}: leave owners out to sync all of its owners (${caller.owners.join(", ")})`,
    );
  }
  if (body.names) checkNames(body.names, "names");
  const registered = await c.get("services").registry.names();
  const targets = pickClusters(caller, registered, body.clusters, owners);
  const source = body.source ?? null;
  const clusters = source !== null && !targets.includes(source) ? [...targets, source] : targets;
  // the source and the targets in ONE check: with several OIDC bindings, one binding must cover
  // them all (a sync must not read from one binding's cluster and write to another's)
  if (source !== null) pickClusters(caller, registered, clusters, owners);
  // named exactly (not by a pattern): a copy deleted outside the broker is created again
  const exact = new Set((body.names ?? []).filter((n) => !n.endsWith("*")));
  return {
    owners: [...new Set(owners)].sort(),
    clusters,
    targets,
    source,
    restore: (basename) => exact.has(basename),
    adoptPlacement:
      caller.clusters === "all" && !body.clusters?.length ? "all" : [...targets].sort(),
    by: caller.id,
  };
}

/** A sync outcome's status: 200, 207, or (thrown) 502 `clusters_failed` when no cluster was read. */
export function syncStatus(
  outcome: SyncOutcome,
  body: Record<string, unknown> = { ...outcome },
): 200 | 207 {
  const status = syncHttpStatus(outcome);
  if (status === null) {
    throw new ApiError(
      "clusters_failed",
      `no cluster could be read (${outcome.results
        .map((r) => `${r.cluster}: ${"code" in r ? r.code : r.status}`)
        .join(", ")}): nothing was changed; check GET /v1/clusters/{name}/health and try again`,
      body,
    );
  }
  return status;
}

/** Sends a sync outcome (webhook deliveries add `extra`: the hook and delivery id). */
export function sendSync(c: AppContext, outcome: SyncOutcome, extra: object = {}): Response {
  const body = { ...outcome, ...extra };
  return c.json(body, syncStatus(outcome, body));
}

export function syncOutcomeOf(outcome: SyncOutcome): "ok" | "partial" | "failed" {
  const status = syncHttpStatus(outcome);
  return status === 200 ? "ok" : status === 207 ? "partial" : "failed";
}
