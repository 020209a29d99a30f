/**
 * Signed webhooks. The admin creates a hook bound to owners, clusters and the secret names it may
 * touch (`POST /v1/hooks`) and gets its signing secret once. A delivery (`POST /v1/hooks/{id}`, no
 * bearer token: the signature is the credential) follows Standard Webhooks: `webhook-id`,
 * `webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`),
 * checked in constant time (the `standardwebhooks` package), the timestamp within 5 minutes, and a
 * delivery id seen before answered as a replay without a second write.
 *
 * The body is a secret set (the schema of `PUT /v1/secrets/{name}` plus `name`) or a sync request
 * (`{ "sync": { … POST /v1/sync … } }`). Every check happens before any cluster is touched.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { ZodError } from "zod";
import { LABEL_BASENAME, LABEL_KIND, LABEL_OWNER } from "../../konduktor/secret.ts";
import { audit } from "../audit.ts";
import type { Caller } from "../auth/caller.ts";
import { pickOwner, requireAdmin } from "../auth/policy.ts";
import { type AppContext, type AppEnv, send } from "../context.ts";
import { ApiError, fieldProblems, invalidInput, problemResponses } from "../problem.ts";
import { HOOK_ID_RE, type HookRecord, hookInfo } from "../registry/hooks.ts";
import { onClusters, putOnClusters, targets } from "../secrets/http.ts";
import { checkBasename, PutSecretBody, secretFromBody } from "../secrets/wire.ts";
import { DELIVERY_TTL_SECONDS, type DeliveryRecord, deliveryLeaseMs } from "../store/deliveries.ts";
import {
  nameMatcher,
  SyncAnswer,
  SyncRequestBody,
  sendSync,
  syncOutcomeOf,
  syncScopeFor,
} from "../sync/request.ts";
import { runSync, syncLogFields } from "../sync/service.ts";

/** Accepted clock difference between the sender and the broker (the Standard Webhooks default). */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

import { ClusterName, NamePattern, OwnerHash } from "../schemas.ts";

const DELIVERY_ID_RE = /^[A-Za-z0-9._:-]{1,200}$/;

const tags = ["webhooks"];

/** A delivery is authenticated by its signature, not by a bearer token (see app.ts). */
export function isHookDelivery(method: string, path: string): boolean {
  return method === "POST" && /^\/v1\/hooks\/[^/]+$/.test(path);
}

const CreateHookBody = z
  .strictObject({
    label: z.string().max(100).optional().openapi({ example: "vault-rotation" }),
    owners: z
      .array(OwnerHash)
      .min(1, "owners needs at least one owner hash")
      .max(50)
      .openapi({ description: "the owners whose secrets deliveries may set or sync" }),
    clusters: z
      .union([
        z.literal("all"),
        z.array(ClusterName).min(1, 'clusters needs at least one cluster, or use "all"'),
      ])
      .default("all")
      .openapi({ description: 'the clusters deliveries may write, or "all" (default)' }),
    names: z
      .array(NamePattern)
      .min(1, 'names needs at least one secret name or pattern ("*" for any)')
      .max(200)
      .openapi({
        description:
          'the secret names (basenames) deliveries may touch; "prefix*" patterns allowed',
        example: ["db-password", "rotated-*"],
      }),
    allowSync: z.boolean().default(true).openapi({
      description: "whether a delivery may be a sync request (a secret set is always allowed)",
    }),
  })
  .openapi("CreateHook");

const HookInfoSchema = z
  .object({
    id: z.string().openapi({ example: "wh_3f2a9c0d1e4b5a67" }),
    label: z.string().nullable(),
    owners: z.array(z.string()),
    clusters: z.union([z.literal("all"), z.array(z.string())]),
    names: z.array(z.string()),
    allowSync: z.boolean(),
    createdAt: z.string(),
    keyId: z.string(),
  })
  .openapi("Hook");

const CreatedHookSchema = HookInfoSchema.extend({
  secret: z.string().openapi({
    description: "the signing secret (`whsec_…`): shown once, keep it in the sender",
  }),
  url: z.string().openapi({ description: "the delivery path" }),
}).openapi("CreatedHook");

const HookIdParam = z.object({
  id: z
    .string()
    .regex(HOOK_ID_RE, "a hook id looks like wh_ followed by 16 hex characters")
    .openapi({ param: { name: "id", in: "path" }, example: "wh_3f2a9c0d1e4b5a67" }),
});

const SecretSetDelivery = PutSecretBody.extend({
  name: z.string().openapi({ description: "the secret's basename" }),
}).openapi("HookSecretSet");

const SyncDelivery = z.strictObject({ sync: SyncRequestBody }).openapi("HookSyncRequest");

/** The caller a delivery acts as: the hook's owners and clusters, write and read. */
function hookCaller(hook: HookRecord): Caller {
  return {
    id: `hook:${hook.id}`,
    kind: "token",
    owners: hook.owners,
    clusters: hook.clusters,
    rights: { write: true, read: true, listAllUsers: false },
    ...(hook.label ? { label: hook.label } : {}),
  };
}

function invalid(error: ZodError, prefix: string): ApiError {
  return invalidInput(fieldProblems(error, prefix), {
    lead: "the delivery body is not valid",
    fieldsInDetail: true,
  });
}

function outOfScope(message: string): ApiError {
  return new ApiError("forbidden", message);
}

function checkNameInScope(hook: HookRecord, name: string, field: string): void {
  if (!nameMatcher(hook.names)(name)) {
    throw outOfScope(
      `${field} "${name}" is outside this hook's scope (it may touch ${hook.names.map((n) => `"${n}"`).join(", ")}): nothing was written; an admin creates a hook with the names it needs`,
    );
  }
}

/**
 * Applies a secret set: the PUT /v1/secrets/{name} semantics within the hook's scope. A git-ssh
 * secret is one per owner (writing one deletes the owner's others): when the owner has a git-ssh
 * secret outside the hook's names on a target cluster, the delivery is refused (403) before any write.
 */
async function deliverSecretSet(
  c: AppContext,
  hook: HookRecord,
  caller: Caller,
  body: z.infer<typeof SecretSetDelivery>,
  delivery: DeliveryRecord,
): Promise<Response> {
  const { name } = body;
  checkBasename(name, "");
  checkNameInScope(hook, name, "name");
  if (body.owner !== undefined && !hook.owners.includes(body.owner)) {
    throw outOfScope(
      `owner ${body.owner} is outside this hook's scope (owners ${hook.owners.join(", ")}): nothing was written`,
    );
  }
  const owner = pickOwner(caller, body.owner);
  const secret = secretFromBody(owner, name, body);
  const clusters = await targets(c, caller, body.clusters);
  const inScope = nameMatcher(hook.names);
  if (body.kind === "git-ssh") {
    const outside = new Set<string>();
    // a cluster that cannot be listed is guarded by mayDelete in applySecret (per-cluster error)
    await onClusters(c, clusters, async (kube) => {
      for (const s of await kube.list(`${LABEL_OWNER}=${owner},${LABEL_KIND}=git-ssh`)) {
        const basename = s.metadata.labels?.[LABEL_BASENAME] ?? s.metadata.name;
        if (basename !== name && !inScope(basename)) outside.add(basename);
      }
      return { status: "listed" };
    });
    if (outside.size > 0) {
      throw outOfScope(
        `owner ${owner} has the git-ssh secret ${[...outside]
          .sort()
          .map((n) => `"${n}"`)
          .join(
            ", ",
          )}, which is outside this hook's scope: writing git-ssh secret "${name}" would delete it (git-ssh is one per owner); nothing was written`,
      );
    }
  }
  // the newest delivery wins: an older one (by its first webhook-timestamp) changes nothing
  const newer = await c.get("services").stores.deliveries.acceptNewest(owner, name, {
    timestamp: delivery.timestamp,
    hookId: hook.id,
    deliveryId: delivery.deliveryId,
  });
  if (newer) {
    throw new ApiError(
      "webhook_stale",
      `delivery ${delivery.deliveryId} (webhook-timestamp ${delivery.timestamp}) is older than delivery ${newer.deliveryId} (webhook-timestamp ${newer.timestamp}), already applied to secret "${name}": nothing was written; send the current value as a new delivery`,
      { newerDeliveryId: newer.deliveryId },
    );
  }
  return await putOnClusters(c, caller, {
    owner,
    name,
    body,
    secret,
    clusters,
    via: `webhook:${hook.id}`,
    answerPrefix: { hook: hook.id, deliveryId: c.req.header("webhook-id"), replay: false },
    mayDelete: inScope,
  });
}

/** Runs a sync request within the hook's owners, clusters and names. */
async function deliverSync(
  c: AppContext,
  hook: HookRecord,
  caller: Caller,
  body: z.infer<typeof SyncRequestBody>,
): Promise<Response> {
  if (!hook.allowSync) {
    throw outOfScope(
      "this hook may not run syncs (allowSync is false): send a secret set, or ask an admin for a hook with allowSync",
    );
  }
  for (const [i, n] of (body.names ?? []).entries()) checkNameInScope(hook, n, `sync.names.${i}`);
  const scope = await syncScopeFor(c, caller, body);
  const inHook = nameMatcher(hook.names);
  const asked = body.names ? nameMatcher(body.names) : null;
  const outcome = await runSync(c.get("services"), {
    ...scope,
    names: (n) => inHook(n) && (asked === null || asked(n)),
    dryRun: body.dryRun,
    via: `sync:hook:${hook.id}`,
  });
  audit(c, {
    action: body.dryRun ? "sync.plan" : "sync",
    via: `webhook:${hook.id}`,
    outcome: syncOutcomeOf(outcome),
    ...syncLogFields(outcome),
  });
  return sendSync(c, outcome, {
    hook: hook.id,
    deliveryId: c.req.header("webhook-id"),
    replay: false,
  });
}

async function deliver(c: AppContext): Promise<Response> {
  const id = c.req.param("id") ?? "";
  const { now, stores, config, registry } = c.get("services");
  const hook = await stores.hooks.get(id);
  if (!hook) {
    throw new ApiError(
      "unknown_hook",
      `no webhook with id "${id.slice(0, 40)}": check the delivery URL (an admin lists hooks with GET /v1/hooks and creates them with POST /v1/hooks)`,
    );
  }
  // every audit line of this delivery (app.onError's refusals too) names the hook
  c.set("auditFields", { hook: hook.id });
  const headers = {
    "webhook-id": c.req.header("webhook-id") ?? "",
    "webhook-timestamp": c.req.header("webhook-timestamp") ?? "",
    "webhook-signature": c.req.header("webhook-signature") ?? "",
  };
  const missing = Object.entries(headers)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length) {
    throw new ApiError(
      "webhook_unsigned",
      `missing header(s) ${missing.join(", ")}: sign every delivery the Standard Webhooks way with the hook's secret (see docs/sync.md)`,
    );
  }
  const deliveryId = headers["webhook-id"];
  if (!DELIVERY_ID_RE.test(deliveryId)) {
    throw new ApiError(
      "invalid_input",
      "webhook-id must be 1-200 characters of letters, digits, '.', '_', ':' or '-' (a unique id per delivery, the same on retries)",
    );
  }
  c.set("auditFields", { hook: hook.id, deliveryId });
  const timestamp = headers["webhook-timestamp"];
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (Number.isNaN(seconds)) {
    throw new ApiError(
      "invalid_input",
      "webhook-timestamp must be the delivery time in whole seconds since the Unix epoch",
    );
  }
  const skew = Math.floor(now().getTime() / 1000) - seconds;
  if (Math.abs(skew) > TIMESTAMP_TOLERANCE_SECONDS) {
    throw new ApiError(
      "webhook_timestamp_out_of_range",
      `webhook-timestamp is ${Math.abs(skew)} s ${skew > 0 ? "in the past" : "in the future"}; deliveries are accepted within ${TIMESTAMP_TOLERANCE_SECONDS} s of the broker's clock: sign each attempt with the current time (and check the sender's clock); nothing was written`,
    );
  }
  const raw = await c.req.text();
  try {
    new Webhook(await stores.hooks.signingSecret(hook)).verify(raw, headers, { jsonParse: false });
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    throw new ApiError(
      "webhook_signature_invalid",
      "webhook-signature does not match: it must be \"v1,<base64 of HMAC-SHA256(key, '<webhook-id>.<webhook-timestamp>.<body>')>\", where key is the base64-decoded part of the hook's whsec_ secret and body the exact bytes sent; nothing was written",
    );
  }
  const flightKey = `${hook.id}:${deliveryId}`;
  // another copy of this delivery is being applied in this isolate
  if (inFlight.has(flightKey)) inProgress(deliveryId, null);
  // claimed before the body is parsed or a cluster is touched, as a lease until the delivery's
  // deadline: a copy arriving meanwhile is answered 409 webhook_in_progress; after the deadline
  // (the broker died applying it) a retry takes it over. A failure that wrote nothing (a 4xx,
  // every cluster failed) releases it at once.
  const at = now();
  const clusterCount =
    hook.clusters === "all" ? (await registry.names()).length : hook.clusters.length;
  const claim = await stores.deliveries.claim({
    hookId: hook.id,
    deliveryId,
    timestamp: seconds,
    now: at,
    leaseMs: deliveryLeaseMs(clusterCount, config),
    requestId: c.get("requestId"),
  });
  if ("inProgress" in claim) {
    inProgress(
      deliveryId,
      Math.max(1, Math.ceil(((claim.inProgress.leaseUntil ?? 0) - at.getTime()) / 1000)),
    );
  }
  if ("done" in claim) {
    const seen = claim.done;
    audit(c, { action: "hook.delivery", outcome: "ok", hook: hook.id, deliveryId, replay: true });
    c.header("webhook-replay", "true");
    return send(
      c,
      {
        hook: hook.id,
        deliveryId,
        replay: true,
        firstSeenAt: seen.firstSeenAt,
        firstStatus: seen.status ?? null,
        firstOutcome: seen.outcome ?? null,
        firstRequestId: seen.requestId,
        message: `delivery ${deliveryId} was applied before: answered as a replay, nothing written again`,
      },
      200,
    );
  }
  const record = claim.claimed;
  inFlight.add(flightKey);
  const caller = hookCaller(hook);
  c.set("caller", caller);
  try {
    let json: unknown;
    try {
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      throw new ApiError(
        "malformed_json",
        "the delivery body is not valid JSON: check quotes, commas and brackets",
      );
    }
    let res: Response;
    if (json && typeof json === "object" && !Array.isArray(json) && "sync" in json) {
      const parsed = SyncDelivery.safeParse(json);
      if (!parsed.success) throw invalid(parsed.error, "");
      res = await deliverSync(c, hook, caller, parsed.data.sync);
    } else {
      const parsed = SecretSetDelivery.safeParse(json);
      if (!parsed.success) throw invalid(parsed.error, "");
      res = await deliverSecretSet(c, hook, caller, parsed.data, record);
    }
    await stores.deliveries.complete(record, res.status, res.status === 200 ? "ok" : "partial");
    audit(c, {
      action: "hook.delivery",
      outcome: res.status === 200 ? "ok" : "partial",
      hook: hook.id,
      deliveryId,
    });
    return res;
  } catch (error) {
    // nothing was written (a 4xx before any write, or every cluster failed): a retry may apply it
    await stores.deliveries.release(record);
    if (error instanceof ApiError) {
      audit(c, {
        action: "hook.delivery",
        outcome:
          error.status === 401 || error.status === 403
            ? "denied"
            : error.status < 500
              ? "invalid"
              : "failed",
        hook: hook.id,
        deliveryId,
        code: error.code,
      });
    }
    throw error;
  } finally {
    inFlight.delete(flightKey);
  }
}

/** Deliveries being applied in this isolate (`<hook>:<webhook-id>`), claimed synchronously. */
const inFlight = new Set<string>();

/** Refuses a delivery being applied right now (audited by app.onError, like every refusal). */
function inProgress(deliveryId: string, retryAfterSeconds: number | null): never {
  throw new ApiError(
    "webhook_in_progress",
    `delivery ${deliveryId} is being applied right now: nothing was written twice; retry ${retryAfterSeconds === null ? "later" : `after ${retryAfterSeconds} s (if that attempt never finishes, its claim ends then)`}`,
    retryAfterSeconds === null ? {} : { retryAfterSeconds },
  );
}

export function hookRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/hooks",
      tags,
      summary: "Create a webhook (its signing secret is in the answer once)",
      description:
        "Admin only. The hook is bound to owners, clusters and the secret names deliveries may touch. Deliveries go to POST /v1/hooks/{id}, signed the Standard Webhooks way with the returned `whsec_` secret.",
      request: {
        body: { content: { "application/json": { schema: CreateHookBody } }, required: true },
      },
      responses: {
        201: {
          description: "Created",
          content: { "application/json": { schema: CreatedHookSchema } },
        },
        ...problemResponses(400, 401, 403, 413, 415),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const body = c.req.valid("json");
      const { stores, now } = c.get("services");
      const { record, secret } = await stores.hooks.create(
        {
          label: body.label ?? null,
          owners: [...new Set(body.owners)].sort(),
          clusters: body.clusters === "all" ? "all" : [...new Set(body.clusters)].sort(),
          names: [...new Set(body.names)].sort(),
          allowSync: body.allowSync,
        },
        now(),
      );
      audit(c, {
        action: "hook.create",
        outcome: "ok",
        hook: record.id,
        owners: record.owners,
        clusters: record.clusters === "all" ? ["all"] : record.clusters,
        names: record.names,
      });
      return send(c, { ...hookInfo(record), secret, url: `/v1/hooks/${record.id}` }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/hooks",
      tags,
      summary: "List webhooks (never their secrets)",
      responses: {
        200: {
          description: "The hooks",
          content: {
            "application/json": { schema: z.object({ hooks: z.array(HookInfoSchema) }) },
          },
        },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const records = await c.get("services").stores.hooks.list();
      return send(c, { hooks: records.map(hookInfo) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/hooks/{id}",
      tags,
      summary: "Show one webhook (never its secret)",
      request: { params: HookIdParam },
      responses: {
        200: {
          description: "The hook",
          content: { "application/json": { schema: HookInfoSchema } },
        },
        ...problemResponses(401, 403, 404),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const { id } = c.req.valid("param");
      const record = await c.get("services").stores.hooks.get(id);
      if (!record) throw new ApiError("not_found", `no webhook with id ${id}`);
      return send(c, hookInfo(record), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/hooks/{id}",
      tags,
      summary: "Delete a webhook (its deliveries are refused from then on)",
      request: { params: HookIdParam },
      responses: {
        204: { description: "Deleted" },
        ...problemResponses(401, 403, 404),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const { id } = c.req.valid("param");
      if (!(await c.get("services").stores.hooks.remove(id))) {
        throw new ApiError("not_found", `no webhook with id ${id}`);
      }
      audit(c, { action: "hook.delete", outcome: "ok", hook: id });
      return c.body(null, 204);
    },
  );

  // the delivery: raw body first (the signature covers its exact bytes), so no zod body validator
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/hooks/{id}",
    tags,
    summary: "Deliver a signed webhook: a secret set or a sync request",
    description: `No bearer token: Standard Webhooks headers \`webhook-id\`, \`webhook-timestamp\` (within ${TIMESTAMP_TOLERANCE_SECONDS} s) and \`webhook-signature\` (\`v1,<base64 HMAC-SHA256>\` over \`<id>.<timestamp>.<body>\`). A delivery id seen before (kept ${DELIVERY_TTL_SECONDS / 3600} h) is answered as a replay (\`replay: true\`) without a second write. Body: a secret set (PUT /v1/secrets/{name} plus \`name\`) or \`{ "sync": { … } }\`.`,
    security: [],
    request: {
      params: HookIdParam,
      headers: z.object({
        "webhook-id": z.string(),
        "webhook-timestamp": z.string(),
        "webhook-signature": z.string(),
      }),
      body: {
        content: {
          "application/json": { schema: z.union([SecretSetDelivery, SyncDelivery]) },
        },
        required: true,
      },
    },
    responses: {
      200: {
        description:
          "Applied on every cluster (secret set: the PUT answer; sync: the sync answer), or a replay",
        content: {
          "application/json": { schema: z.union([z.record(z.string(), z.unknown()), SyncAnswer]) },
        },
      },
      207: { description: "Applied on some clusters: the results say which failed" },
      ...problemResponses(400, 401, 403, 404, 409, 413, 502),
    },
  });
  app.post("/v1/hooks/:id", async (c) => await deliver(c));
}
