/**
 * POST /v1/sync: bring the caller's secrets in line across the clusters it may use. Per secret the
 * source is a named cluster or the newest copy; what is missing or different elsewhere is copied
 * (exactly: mode replace); deletions made through the broker (tombstones) are honoured. `dryRun`
 * answers the plan and writes nothing.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { validateBasename } from "../../konduktor/secret.ts";
import { audit } from "../audit.ts";
import type { Caller } from "../auth/caller.ts";
import { pickClusters, requireRight } from "../auth/policy.ts";
import { ClusterList } from "../cluster-list.ts";
import { type AppContext, type AppEnv, send } from "../context.ts";
import { ApiError, invalidInput, problemResponses } from "../problem.ts";
import { ClusterName, NAME_PREFIX_RE, OwnerHash } from "../schemas.ts";
import { runSync, type SyncOutcome, syncHttpStatus, syncLogFields } from "../sync/service.ts";

export const SyncRequestBody = z
  .strictObject({
    owners: z.array(OwnerHash).min(1, "owners, when given, names at least one owner").optional(),
    clusters: ClusterList.optional().openapi({
      description: "the clusters to bring in line (default: all the caller may use)",
    }),
    source: ClusterName.optional().openapi({
      description:
        "copy from this cluster (default: for each secret, the most recently written copy)",
    }),
    names: z
      .array(z.string())
      .min(1, "names, when given, names at least one secret")
      .max(500)
      .optional()
      .openapi({
        description: 'only these secrets: basenames, or "prefix*" patterns ("*" for any)',
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
  reason: z.string(),
  status: z.enum(["planned", "done", "error"]),
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
        reason: z.string(),
      }),
    ),
    summary: z.object({
      secrets: z.number(),
      inLine: z.number(),
      planned: z.number(),
      done: z.number(),
      failed: z.number(),
      unreadableClusters: z.number(),
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
): Promise<{ owners: string[]; clusters: string[]; targets: string[]; source: string | null }> {
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
  return { owners: [...new Set(owners)].sort(), clusters, targets, source };
}

/** Sends a sync outcome: 200, 207, or 502 `clusters_failed` when no cluster could be read. */
export function sendSync(c: AppContext, outcome: SyncOutcome, extra: object = {}): Response {
  const status = syncHttpStatus(outcome);
  const body = { ...outcome, ...extra };
  if (status === null) {
    throw new ApiError(
      "clusters_failed",
      `no cluster could be read (${outcome.results
        .map((r) => `${r.cluster}: ${"code" in r ? r.code : r.status}`)
        .join(", ")}): nothing was changed; check GET /v1/clusters/{name}/health and try again`,
      body,
    );
  }
  return send(c, body, status);
}

export function syncOutcomeOf(outcome: SyncOutcome): "ok" | "partial" | "failed" {
  const status = syncHttpStatus(outcome);
  return status === 200 ? "ok" : status === 207 ? "partial" : "failed";
}

export function syncRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/sync",
      tags: ["sync"],
      summary: "Bring the caller's secrets in line on every cluster (or plan it)",
      description:
        "For the owners the credential acts for: compares each Konduktor secret across the clusters by per-key value digest and copies what is missing or different from the source (a named cluster, else the most recently written copy) to the others. Secrets deleted through the broker are not copied back (stale copies are deleted). `dryRun` answers the plan and writes nothing. 207 when some cluster or copy failed.",
      request: {
        body: { content: { "application/json": { schema: SyncRequestBody } }, required: true },
      },
      responses: {
        200: {
          description: "Every cluster was read and every planned change made",
          content: { "application/json": { schema: SyncAnswer } },
        },
        207: { description: "Some cluster could not be read or some change failed" },
        ...problemResponses(400, 401, 403, 404, 413, 415, 502),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      const body = c.req.valid("json");
      requireRight(caller, body.dryRun ? "read" : "write");
      const scope = await syncScopeFor(c, caller, body);
      const outcome = await runSync(c.get("services"), {
        ...scope,
        ...(body.names ? { names: nameMatcher(body.names) } : {}),
        dryRun: body.dryRun,
        via: "sync",
      });
      audit(c, {
        action: body.dryRun ? "sync.plan" : "sync",
        outcome: syncOutcomeOf(outcome),
        ...syncLogFields(outcome),
      });
      return sendSync(c, outcome) as never;
    },
  );
}
