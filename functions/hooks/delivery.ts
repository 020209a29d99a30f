/**
 * A signed webhook delivery (`POST /v1/hooks/{id}`, no bearer token: the signature is the
 * credential), the Standard Webhooks way: `webhook-id`, `webhook-timestamp`, `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`), checked in constant time (the
 * `standardwebhooks` package), the timestamp within 5 minutes, and a delivery id seen before
 * answered as a replay without a second write. The body is a secret set or a sync request
 * (./apply.ts). Every check happens before any cluster is touched.
 */
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { ZodError } from "zod";
import { SyncDelivery } from "../../konduktor/wire/hooks.ts";
import { type SecretSet, SecretSetBody } from "../../konduktor/wire/secrets.ts";
import { audit } from "../audit.ts";
import type { AppContext } from "../context.ts";
import { ApiError, fieldProblems, invalidInput } from "../problem.ts";
import type { HookRecord } from "../registry/hooks.ts";
import { deliveryLeaseMs } from "../store/deliveries.ts";
import { parseStrictJson } from "../strict-json.ts";
import type { SyncRequest } from "../sync/request.ts";
import { applySecretSet, applySync, type Delivered, hookCaller } from "./apply.ts";

/** The answer to a delivery seen before (nothing written again). */
export interface Replayed {
  body: {
    hook: string;
    deliveryId: string;
    replay: true;
    firstSeenAt: string;
    firstStatus: number | null;
    firstOutcome: string | null;
    firstRequestId: string;
    message: string;
  };
  status: 200;
}

/** Accepted clock difference between the sender and the broker (the Standard Webhooks default). */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

const DELIVERY_ID_RE = /^[A-Za-z0-9._:-]{1,200}$/;

const HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

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

function invalid(error: ZodError): ApiError {
  return invalidInput(fieldProblems(error), {
    lead: "the delivery body is not valid",
    fieldsInDetail: true,
  });
}

/** The hook, the delivery id and time, and the exact body, once the signature holds. */
async function verify(
  c: AppContext,
  id: string,
): Promise<{ hook: HookRecord; deliveryId: string; seconds: number; raw: string }> {
  const { now, stores } = c.get("services");
  const hook = await stores.hooks.get(id);
  if (!hook) {
    throw new ApiError(
      "unknown_hook",
      `no webhook with id "${id.slice(0, 40)}": check the delivery URL (an admin lists hooks with GET /v1/hooks and creates them with POST /v1/hooks)`,
    );
  }
  // every audit line of this delivery (app.onError's refusals too) names the hook
  c.set("auditFields", { hook: hook.id });
  const headers = Object.fromEntries(HEADERS.map((h) => [h, c.req.header(h) ?? ""])) as Record<
    (typeof HEADERS)[number],
    string
  >;
  const missing = HEADERS.filter((h) => !headers[h]);
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
  return { hook, deliveryId, seconds, raw };
}

/** Parses the body and applies it: a sync request (`{ "sync": … }`) or a secret set. */
function parse(raw: string): { sync: SyncRequest } | { set: SecretSet } {
  const json: unknown = raw ? parseStrictJson(raw, "the delivery body") : undefined;
  if (json && typeof json === "object" && !Array.isArray(json) && "sync" in json) {
    const parsed = SyncDelivery.safeParse(json);
    if (!parsed.success) throw invalid(parsed.error);
    return { sync: parsed.data.sync };
  }
  const parsed = SecretSetBody.safeParse(json);
  if (!parsed.success) throw invalid(parsed.error);
  return { set: parsed.data };
}

/**
 * Verifies, claims and applies a delivery; answers its result (or the replay of a delivery done
 * before). A claim is a lease until the delivery's deadline: a copy arriving meanwhile is answered
 * 409 `webhook_in_progress`; after the deadline (the broker died applying it) a retry takes it
 * over. A failure that wrote nothing (a 4xx, every cluster failed) releases it at once.
 */
export async function deliver(c: AppContext, id: string): Promise<Delivered | Replayed> {
  const { now, stores, config, registry } = c.get("services");
  const { hook, deliveryId, seconds, raw } = await verify(c, id);
  const flightKey = `${hook.id}:${deliveryId}`;
  // another copy of this delivery is being applied in this isolate
  if (inFlight.has(flightKey)) inProgress(deliveryId, null);
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
    const until = claim.inProgress.leaseUntil ?? 0;
    inProgress(deliveryId, Math.max(1, Math.ceil((until - at.getTime()) / 1000)));
  }
  if ("done" in claim) {
    const seen = claim.done;
    audit(c, { outcome: "ok", hook: hook.id, deliveryId, replay: true });
    c.header("webhook-replay", "true");
    const body = {
      hook: hook.id,
      deliveryId,
      replay: true as const,
      firstSeenAt: seen.firstSeenAt,
      firstStatus: seen.status ?? null,
      firstOutcome: seen.outcome ?? null,
      firstRequestId: seen.requestId,
      message: `delivery ${deliveryId} was applied before: answered as a replay, nothing written again`,
    };
    return { body, status: 200 };
  }
  const record = claim.claimed;
  inFlight.add(flightKey);
  c.set("caller", hookCaller(hook));
  try {
    const body = parse(raw);
    const answer =
      "sync" in body
        ? await applySync(c, hook, body.sync, record)
        : await applySecretSet(c, hook, body.set, record);
    const outcome = answer.status === 200 ? "ok" : "partial";
    await stores.deliveries.complete(record, answer.status, outcome);
    audit(c, { outcome, hook: hook.id, deliveryId });
    return answer;
  } catch (error) {
    // nothing was written (a 4xx before any write, or every cluster failed): a retry may apply it
    await stores.deliveries.release(record);
    if (error instanceof ApiError) {
      const { status } = error;
      const outcome =
        status === 401 || status === 403 ? "denied" : status < 500 ? "invalid" : "failed";
      audit(c, { outcome, hook: hook.id, deliveryId, code: error.code });
    }
    throw error;
  } finally {
    inFlight.delete(flightKey);
  }
}
