/**
 * Konduktor secrets on every target cluster at once: PUT (create/merge/replace, dry run), GET list,
 * GET one (description per cluster, do they agree), DELETE. Answers per cluster; the HTTP status is
 * 200 when every cluster succeeded, 207 when some failed, and the common error when all failed the
 * same way. Values go to the clusters only: never into an answer, a log line or an error.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { base64ToBytes, isBase64 } from "../../konduktor/encoding.ts";
import { type FanoutResult, fanout, isFailure, summarize } from "../../konduktor/fanout.ts";
import { isKubeError } from "../../konduktor/kube/errors.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import {
  applySecret,
  deleteOwn,
  describe,
  describeListing,
  digestValues,
  formatPlacement,
} from "../../konduktor/ops.ts";
import { checkSecretInput, validateBasename } from "../../konduktor/secret.ts";
import { tombstoneKey } from "../../konduktor/sync.ts";
import {
  type KubeSecret,
  SECRET_KINDS,
  type SecretDescription,
  type SecretListing,
  type SecretSource,
} from "../../konduktor/types.ts";
import { type AuditEntry, audit, auditResults } from "../audit.ts";
import type { Caller } from "../auth/caller.ts";
import { pickClusters, pickOwner, requireRight } from "../auth/policy.ts";
import { ClusterList, ClusterListQuery } from "../cluster-list.ts";
import { type AppContext, type AppEnv, send } from "../context.ts";
import { brokerFanoutOptions } from "../fanout-options.ts";
import { immutableWarning } from "../notices.ts";
import { ApiError, allClustersFailedProblem, invalidInput, problemResponses } from "../problem.ts";
import type { ClusterRecord } from "../registry/clusters.ts";
import { TombstoneStore } from "../registry/tombstones.ts";
import { OwnerHash } from "../schemas.ts";
import { DriftSchema, describeDrift, listDrift } from "../sync/drift.ts";

// ---------- schemas ----------

const Base64 = z
  .string()
  .refine(isBase64, "must be standard base64 (RFC 4648) of the file's bytes")
  .openapi({ description: "standard base64 (RFC 4648) of the bytes", format: "byte" });

const SourceSchema = z
  .discriminatedUnion(
    "type",
    [
      z.strictObject({
        type: z.literal("inline"),
        pairs: z
          .record(z.string(), z.string())
          .openapi({ description: "KEY → value (UTF-8)", example: { API_KEY: "…" } }),
      }),
      z.strictObject({
        type: z.literal("files"),
        files: z
          .array(z.strictObject({ name: z.string().min(1), content: Base64 }))
          .min(1, "files needs at least one file"),
      }),
      z.strictObject({
        type: z.literal("directory"),
        name: z.string().min(1).openapi({ description: "the directory's own name (top folder)" }),
        entries: z
          .array(z.strictObject({ path: z.string().min(1), content: Base64 }))
          .min(1, "a directory needs at least one file"),
      }),
    ],
    { error: 'source.type must be "inline", "files" or "directory"' },
  )
  .openapi("SecretSource", {
    description:
      "Exactly one source: inline KEY=VALUE pairs, files (key = file name; `gitkey` for git-ssh), or a directory (one payload.zip).",
  });

export const PutSecretBody = z
  .strictObject({
    kind: z
      .enum(SECRET_KINDS, { error: `kind must be one of ${SECRET_KINDS.join(", ")}` })
      .default("default"),
    source: SourceSchema,
    owner: OwnerHash.optional().openapi({
      description: "required only when the credential acts for several owners",
    }),
    clusters: ClusterList.optional(),
    mode: z
      .enum(["merge", "replace"], { error: 'mode must be "merge" or "replace"' })
      .default("merge")
      .openapi({
        description:
          "merge (Konduktor's `secret create`: add and overwrite keys, keep others) or replace (exactly these keys)",
      }),
    prune: z.boolean().default(false).openapi({
      description: "merge only: remove keys this broker wrote before and this call lacks",
    }),
    immutable: z.boolean().default(false),
    dryRun: z.boolean().default(false).openapi({
      description: "report the plan per cluster (key names and digests), write nothing",
    }),
  })
  .openapi("PutSecret");

export const SecretNameParam = z.object({
  name: z.string().openapi({
    param: { name: "name", in: "path" },
    example: "wandb",
    description: "the basename",
  }),
});

const commaList = ClusterListQuery;

const OwnerQuery = OwnerHash.optional().openapi({
  description: "required only when the credential acts for several owners",
});

const ErrorResult = z.object({
  cluster: z.string(),
  status: z.literal("error"),
  code: z.string().openapi({ example: "unreachable" }),
  message: z.string(),
  retryable: z.boolean(),
  attempts: z.number(),
  durationMs: z.number(),
});

const ApplyResultSchema = z
  .union([
    z.object({
      cluster: z.string(),
      status: z.enum(["created", "updated", "unchanged"]),
      secretName: z.string(),
      namespace: z.string(),
      added: z.array(z.string()),
      changed: z.array(z.string()),
      removed: z.array(z.string()),
      writes: z.number(),
      dryRun: z.boolean(),
      replacedGitSsh: z.array(z.string()).optional(),
      attempts: z.number(),
      durationMs: z.number(),
    }),
    ErrorResult,
  ])
  .openapi("ApplyResult");

const PutAnswer = z
  .object({
    name: z.string(),
    owner: z.string(),
    kind: z.enum(SECRET_KINDS),
    secretName: z.string(),
    mode: z.enum(["merge", "replace"]),
    dryRun: z.boolean(),
    keys: z.array(z.string()),
    digests: z.record(z.string(), z.string()).openapi({ description: "key → sha256 of the value" }),
    contentDigest: z.string(),
    results: z.array(ApplyResultSchema),
    warning: z.string().optional().openapi({
      description:
        "set with `immutable: true`: Konduktor's `secret create` can no longer change these copies",
    }),
    notice: z.string().optional().openapi({
      description:
        "set when this write narrowed the placement of an existing secret (the request was limited to fewer clusters than the copy was placed on): the other clusters keep the old value",
    }),
  })
  .openapi("PutSecretAnswer");

const ListAnswer = z
  .object({
    scope: z.enum(["own", "all"]),
    owner: z.string().nullable(),
    secrets: z.array(
      z.object({
        name: z.string().openapi({ description: "basename" }),
        secretName: z.string(),
        kind: z.string(),
        owner: z.string().nullable(),
        keys: z.array(z.string()),
        clusters: z.array(z.string()).openapi({ description: "clusters that hold it" }),
        drift: DriftSchema,
      }),
    ),
    results: z.array(
      z.union([
        z.object({ cluster: z.string(), status: z.literal("ok"), count: z.number() }),
        ErrorResult,
      ]),
    ),
  })
  .openapi("ListSecretsAnswer");

const DescribeAnswer = z
  .object({
    name: z.string(),
    owner: z.string(),
    agree: z.boolean().openapi({
      description:
        "every target cluster answered, and every cluster of the secret's placement holds the same content (`drift.inLine`)",
    }),
    contentDigest: z
      .string()
      .nullable()
      .openapi({ description: "the common digest when they agree" }),
    drift: DriftSchema,
    results: z.array(
      z.union([
        z.object({
          cluster: z.string(),
          status: z.literal("found"),
          secret: z.record(z.string(), z.unknown()),
        }),
        z.object({ cluster: z.string(), status: z.literal("missing") }),
        ErrorResult,
      ]),
    ),
  })
  .openapi("DescribeSecretAnswer");

const DeleteAnswer = z
  .object({
    name: z.string(),
    owner: z.string(),
    results: z.array(
      z.union([
        z.object({
          cluster: z.string(),
          status: z.enum(["deleted", "absent"]).openapi({
            description:
              "`absent`: the owner had no such secret there; the end state is what was asked (as `kubectl delete --ignore-not-found`)",
          }),
          secretName: z.string(),
          namespace: z.string(),
        }),
        ErrorResult,
      ]),
    ),
  })
  .openapi("DeleteSecretAnswer");

// ---------- helpers ----------

function decodeBase64(value: string, field: string): Uint8Array {
  try {
    return base64ToBytes(value);
  } catch {
    throw new ApiError("invalid_input", `${field} is not valid base64`, {
      errors: [{ field, message: "not valid base64" }],
    });
  }
}

export function toSource(source: z.infer<typeof SourceSchema>): SecretSource {
  switch (source.type) {
    case "inline":
      return { type: "inline", pairs: source.pairs };
    case "files":
      return {
        type: "files",
        files: source.files.map((f, i) => ({
          name: f.name,
          content: decodeBase64(f.content, `source.files.${i}.content`),
        })),
      };
    case "directory":
      return {
        type: "directory",
        name: source.name,
        entries: source.entries.map((e, i) => ({
          path: e.path,
          content: decodeBase64(e.content, `source.entries.${i}.content`),
        })),
      };
  }
}

/** 400 unless `name` is a valid basename; `fieldPrefix` says where it came from (the path). */
export function checkBasename(name: string, fieldPrefix = "path: "): void {
  const problems = validateBasename(name, "name");
  if (problems.length) {
    throw invalidInput(
      problems.map((p) => ({ field: `${fieldPrefix}${p.field}`, message: p.message })),
    );
  }
}

export type PutSecret = z.infer<typeof PutSecretBody>;

/** Checks a PUT body for `owner` and builds the Secret `<name>-<owner>` once (400 when not valid). */
export function secretFromBody(owner: string, name: string, body: PutSecret): KubeSecret {
  if (body.prune && body.mode !== "merge") {
    throw new ApiError("invalid_input", "prune applies to mode merge only", {
      errors: [{ field: "prune", message: 'only with mode "merge"' }],
    });
  }
  const { problems, secret } = checkSecretInput({
    owner,
    basename: name,
    kind: body.kind,
    source: toSource(body.source),
  });
  if (!secret) {
    throw invalidInput(problems, { lead: "the secret is not valid" });
  }
  return secret;
}

/** The registered target clusters for this caller and request, with their records. */
export async function targets(
  c: AppContext,
  caller: Caller,
  requested: string[] | undefined,
): Promise<Map<string, ClusterRecord>> {
  const records = await c.get("services").registry.list();
  const byName = new Map(records.map((r) => [r.name, r]));
  const names = pickClusters(caller, [...byName.keys()], requested);
  return new Map(names.map((n) => [n, byName.get(n) as ClusterRecord]));
}

/**
 * The opener of a `targets` answer: several fan-outs over the same clusters in one request (e.g.
 * a git-ssh delivery's listing, then its write) decrypt each kubeconfig once.
 */
const openers = new WeakMap<
  Map<string, ClusterRecord>,
  (cluster: string, signal?: AbortSignal) => Promise<KubeSecrets>
>();

/** Runs `op` on the clusters through their KubeSecrets, with the broker's fan-out settings. */
export async function onClusters<T extends object>(
  c: AppContext,
  clusters: Map<string, ClusterRecord>,
  op: (kube: KubeSecrets, cluster: string) => Promise<T>,
): Promise<FanoutResult<T>[]> {
  const services = c.get("services");
  let open = openers.get(clusters);
  if (!open) {
    open = services.registry.opener(clusters);
    openers.set(clusters, open);
  }
  const openCluster = open;
  return await fanout(
    [...clusters.keys()],
    // the deadline's signal goes into the port: after a `timeout` answer nothing more is sent
    async (cluster, signal) => op(await openCluster(cluster, signal), cluster),
    brokerFanoutOptions(services, "cluster operation", { requestId: c.get("requestId") }),
  );
}

/**
 * Sends a fan-out answer: 200 all ok, 207 some failed, the common error when all failed alike
 * (with the results), 502 `clusters_failed` when all failed differently.
 */
export function answer<T>(
  c: AppContext,
  body: Record<string, unknown> & { results: FanoutResult<T>[] | object[] },
  results: FanoutResult<T>[],
  auditEntry: (Omit<AuditEntry, "outcome" | "action"> & { action: string }) | null,
): Response {
  const s = summarize(results);
  const outcome = s.failed === 0 ? "ok" : s.ok > 0 ? "partial" : "failed";
  if (auditEntry) {
    audit(c, {
      ...auditEntry,
      outcome,
      results: auditResults(results as { cluster: string; status: string; code?: string }[]),
    });
  }
  if (s.failed === 0) return send(c, body, 200);
  if (s.ok > 0) return send(c, body, 207);
  if (s.allFailedWith) {
    const { code, status } = allClustersFailedProblem(s.allFailedWith);
    const first = results.find(isFailure);
    throw new ApiError(
      "clusters_failed",
      `every target cluster failed: ${first?.message ?? s.allFailedWith}`,
      { ...body, code },
      status,
    );
  }
  throw new ApiError(
    "clusters_failed",
    `every target cluster failed (${results
      .filter(isFailure)
      .map((r) => `${r.cluster}: ${r.code}`)
      .join(", ")})`,
    body,
  );
}

/**
 * Where a write or deletion is meant to apply: `all` when the caller may use every cluster and
 * named none (clusters registered later included), else exactly the target clusters.
 */
export function placementFor(
  caller: Caller,
  requested: readonly string[] | undefined,
  clusters: Map<string, ClusterRecord>,
): string[] | "all" {
  return caller.clusters === "all" && !requested?.length ? "all" : [...clusters.keys()].sort();
}

/**
 * The PUT semantics on the target clusters: apply `secret` on each (in its namespace) with its
 * placement (`placementFor`), end a deletion (tombstone) on those clusters when something was
 * written, answer per cluster and audit. `via` names the channel when it is not a direct call
 * (provenance and audit, e.g. `webhook:<id>`; default `broker`, not audited); `answerPrefix` leads
 * the answer body; `mayDelete` limits which other git-ssh secrets a git-ssh write may delete.
 */
export async function putOnClusters(
  c: AppContext,
  caller: Caller,
  put: {
    owner: string;
    name: string;
    body: PutSecret;
    secret: KubeSecret;
    clusters: Map<string, ClusterRecord>;
    via?: string;
    answerPrefix?: Record<string, unknown>;
    mayDelete?: (basename: string) => boolean;
  },
): Promise<Response> {
  const { owner, name, body, secret, clusters, via } = put;
  const placement = placementFor(caller, body.clusters, clusters);
  const { digests, contentDigest } = await digestValues(secret.data);
  const { now, store } = c.get("services");
  const provenance = { actor: caller.id, via: via ?? "broker", at: now().toISOString() };
  /** placements the target copies had before this write that reach beyond this write's */
  const wider = new Set<string>();
  const results = await onClusters(c, clusters, async (kube) => {
    const r = await applySecret(
      kube,
      { ...secret, metadata: { ...secret.metadata, namespace: kube.namespace } },
      {
        mode: body.mode,
        prune: body.prune,
        immutable: body.immutable,
        dryRun: body.dryRun,
        provenance,
        placement: formatPlacement(placement),
        ...(put.mayDelete ? { mayDelete: put.mayDelete } : {}),
      },
    );
    const before = r.previousPlacement;
    if (
      placement !== "all" &&
      before !== undefined &&
      (before === "all" || before.some((b) => !placement.includes(b)))
    ) {
      wider.add(formatPlacement(before));
    }
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
    };
  });
  if (!body.dryRun && summarize(results).ok > 0) {
    // an explicit write ends a deletion on purpose where it was placed (functions/sync)
    await new TombstoneStore(store).clear(owner, name, placement);
  }
  return answer(
    c,
    {
      ...put.answerPrefix,
      name,
      owner,
      kind: body.kind,
      secretName: secret.metadata.name,
      mode: body.mode,
      dryRun: body.dryRun,
      keys: Object.keys(digests),
      digests,
      contentDigest,
      results,
      ...(body.immutable ? { warning: immutableWarning(name) } : {}),
      ...(wider.size
        ? {
            notice: `the secret was placed on ${[...wider].sort().join(" / ")}; this write is limited to ${formatPlacement(placement)} and ${body.dryRun ? "would place" : "places"} it there only: the copies on the other clusters keep their old value (drift shows them \`different\`) and a sync does not copy this value to them. To update every cluster, write it with a credential that may use every cluster and without \`clusters\``,
          }
        : {}),
    },
    results,
    {
      action: body.dryRun ? "secret.plan" : "secret.put",
      ...(via === undefined ? {} : { via }),
      owner,
      name,
      kind: body.kind,
      mode: body.mode,
      dryRun: body.dryRun,
      clusters: [...clusters.keys()],
      placement,
      keys: Object.keys(digests),
    },
  );
}

// ---------- routes ----------

const tags = ["secrets"];
const fanoutStatuses = {
  207: {
    description: "Some clusters failed: the results say which and why",
  },
};

export function secretRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/secrets/{name}",
      tags,
      summary: "Create or merge a secret on every target cluster",
      description:
        "Builds the Konduktor secret `<name>-<owner>` once and applies it to every target cluster at once. Per cluster: created, updated, unchanged (no write) or an error. `dryRun` reports the plan with key names and digests only.",
      request: {
        params: SecretNameParam,
        body: { content: { "application/json": { schema: PutSecretBody } }, required: true },
      },
      responses: {
        200: {
          description: "Every cluster succeeded",
          content: { "application/json": { schema: PutAnswer } },
        },
        ...fanoutStatuses,
        ...problemResponses(400, 401, 403, 404, 413, 415, 502, 504),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireRight(caller, "write");
      const { name } = c.req.valid("param");
      checkBasename(name);
      const body = c.req.valid("json");
      const owner = pickOwner(caller, body.owner);
      const secret = secretFromBody(owner, name, body);
      const clusters = await targets(c, caller, body.clusters);
      return (await putOnClusters(c, caller, { owner, name, body, secret, clusters })) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/secrets",
      tags,
      summary: "List secrets (own, or all users') and which clusters hold each",
      request: {
        query: z.strictObject({
          owner: OwnerQuery,
          all: z
            .enum(["true", "false"], { error: 'all must be "true" or "false"' })
            .optional()
            .openapi({ description: "every user's secrets (needs the listAllUsers right)" }),
          clusters: commaList,
        }),
      },
      responses: {
        200: {
          description: "Every cluster answered",
          content: { "application/json": { schema: ListAnswer } },
        },
        ...fanoutStatuses,
        ...problemResponses(400, 401, 403, 404, 502, 504),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      const query = c.req.valid("query");
      const all = query.all === "true";
      requireRight(caller, all ? "listAllUsers" : "read");
      const owner = all ? null : pickOwner(caller, query.owner);
      const clusters = await targets(c, caller, query.clusters);
      const listings = new Map<string, SecretListing[]>();
      const results = await onClusters(c, clusters, async (kube, cluster) => {
        const items = await describeListing(kube, owner);
        listings.set(cluster, items);
        return { status: "ok" as const, count: items.length };
      });
      const merged = new Map<string, SecretListing & { clusters: string[]; keySet: Set<string> }>();
      for (const cluster of clusters.keys()) {
        for (const item of listings.get(cluster) ?? []) {
          const row = merged.get(item.name) ?? { ...item, clusters: [], keySet: new Set() };
          row.clusters.push(cluster);
          for (const k of item.keys) row.keySet.add(k);
          merged.set(item.name, row);
        }
      }
      const tombstones = await new TombstoneStore(c.get("services").store).load(
        owner === null ? "all" : [owner],
      );
      const secrets = [...merged.values()]
        .sort((a, b) => a.basename.localeCompare(b.basename) || a.name.localeCompare(b.name))
        .map((r) => ({
          name: r.basename,
          secretName: r.name,
          kind: r.kind,
          owner: r.owner,
          keys: [...r.keySet].sort(),
          clusters: r.clusters,
          drift: listDrift(
            r.name,
            [...clusters.keys()],
            listings,
            results,
            r.owner === null ? undefined : tombstones.get(tombstoneKey(r.owner, r.basename)),
          ),
        }));
      const s = summarize(results);
      const status = s.failed === 0 ? 200 : s.ok > 0 ? 207 : null;
      const body = { scope: all ? "all" : "own", owner, secrets, results };
      if (status) return send(c, body, status);
      return answer(c, body, results, null) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/secrets/{name}",
      tags,
      summary: "Describe a secret on every target cluster, and whether they agree",
      description:
        "Per cluster: kind, keys, value digests (never values), provenance; `agree` when every cluster holds the same content.",
      request: {
        params: SecretNameParam,
        query: z.strictObject({ owner: OwnerQuery, clusters: commaList }),
      },
      responses: {
        200: {
          description: "Every cluster answered",
          content: { "application/json": { schema: DescribeAnswer } },
        },
        ...fanoutStatuses,
        ...problemResponses(400, 401, 403, 404, 502, 504),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireRight(caller, "read");
      const { name } = c.req.valid("param");
      checkBasename(name);
      const query = c.req.valid("query");
      const owner = pickOwner(caller, query.owner);
      const clusters = await targets(c, caller, query.clusters);
      const raw = await onClusters(c, clusters, async (kube) => {
        try {
          const secret: SecretDescription = await describe(kube, owner, name);
          return { status: "found" as const, secret: secret as unknown as Record<string, unknown> };
        } catch (error) {
          if (isKubeError(error) && error.code === "not_found") {
            return { status: "missing" as const };
          }
          throw error;
        }
      });
      const found = raw.filter(
        (r): r is Extract<typeof r, { status: "found" }> => r.status === "found",
      );
      // a cluster outside the secret's placement (`not-placed`) is no disagreement
      const tomb = await new TombstoneStore(c.get("services").store).get(owner, name);
      const drift = describeDrift(raw, tomb);
      const agree = found.length > 0 && drift.inLine;
      const reference = found.find((r) => r.cluster === drift.reference);
      const body = {
        name,
        owner,
        agree,
        contentDigest:
          agree && reference
            ? (reference.secret as unknown as SecretDescription).contentDigest
            : null,
        drift,
        results: raw,
      };
      const s = summarize(raw);
      if (s.failed === 0 && found.length === 0) {
        throw new ApiError(
          "not_found",
          `owner ${owner} has no secret "${name}" on ${[...clusters.keys()].join(", ")}`,
        );
      }
      if (s.failed === 0) return send(c, body, 200);
      if (s.ok > 0) return send(c, body, 207);
      return answer(c, body, raw, null) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/secrets/{name}",
      tags,
      summary: "Delete a secret from the chosen (or all) clusters",
      request: {
        params: SecretNameParam,
        query: z.strictObject({ owner: OwnerQuery, clusters: commaList }),
      },
      responses: {
        200: {
          description: "Deleted everywhere",
          content: { "application/json": { schema: DeleteAnswer } },
        },
        ...fanoutStatuses,
        ...problemResponses(400, 401, 403, 404, 502, 504),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireRight(caller, "write");
      const { name } = c.req.valid("param");
      checkBasename(name);
      const query = c.req.valid("query");
      const owner = pickOwner(caller, query.owner);
      const clusters = await targets(c, caller, query.clusters);
      const results = await onClusters(c, clusters, async (kube) => {
        const r = await deleteOwn(kube, owner, name);
        return { status: r.outcome, secretName: r.name, namespace: r.namespace };
      });
      if (summarize(results).ok > 0) {
        // deleted on purpose: sync must not copy it back (a later PUT clears this; no value kept)
        const { store, now } = c.get("services");
        // `all` (also clusters registered later) only for a caller that may use every cluster
        await new TombstoneStore(store).record(
          owner,
          name,
          placementFor(caller, query.clusters, clusters),
          [...clusters.keys()],
          now(),
          caller.id,
        );
      }
      return answer(c, { name, owner, results }, results, {
        action: "secret.delete",
        owner,
        name,
        clusters: [...clusters.keys()],
      }) as never;
    },
  );
}
