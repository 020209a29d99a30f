/**
 * Broker mode: one `PUT /v1/secrets/:name` to the broker, authenticated with the workflow's GitHub
 * OIDC token (`core.getIDToken(audience)`) or an API token; the broker fans out to the clusters and
 * answers per cluster. Only the answer's structured, value-free fields are read: never its body.
 */
import * as core from "@actions/core";
import pRetry from "p-retry";
import { bytesToBase64 } from "../../konduktor/encoding.ts";
import type { SecretSource } from "../../konduktor/types.ts";
import type { ActionConfig } from "./config.ts";
import { StepError } from "./errors.ts";
import type { ClusterResult } from "./report.ts";

type BrokerTarget = Extract<ActionConfig["target"], { type: "broker" }>;

/** The request body: the secret source (file contents base64) and the apply options. */
export function brokerRequestBody(
  config: ActionConfig,
  source: SecretSource,
): Record<string, unknown> {
  const wire =
    source.type === "inline"
      ? { type: "inline", pairs: source.pairs }
      : source.type === "files"
        ? {
            type: "files",
            files: source.files.map((f) => ({
              name: f.name,
              content: bytesToBase64(f.content),
            })),
          }
        : {
            type: "directory",
            name: source.name,
            entries: source.entries.map((e) => ({
              path: e.path,
              content: bytesToBase64(e.content),
            })),
          };
  const target = config.target as BrokerTarget;
  return {
    kind: config.kind,
    source: wire,
    ...(config.clusters.length > 0 ? { clusters: config.clusters } : {}),
    ...(target.owner ? { owner: target.owner } : {}),
    mode: config.mode,
    prune: config.prune,
    dryRun: config.dryRun,
  };
}

/**
 * The bearer credential: the api-token input, or the workflow's OIDC token. Called before the
 * step prints anything, so the token's own `::add-mask::` also precedes every other line.
 */
export async function brokerCredential(target: BrokerTarget): Promise<BrokerCredential> {
  if (target.apiToken) return { header: `Bearer ${target.apiToken}`, kind: "api-token" };
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL || !process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new StepError(
      "no GitHub OIDC token available: add `permissions: id-token: write` to the job (or the workflow), or give an api-token input",
    );
  }
  try {
    return { header: `Bearer ${await core.getIDToken(target.audience)}`, kind: "github-oidc" };
  } catch (error) {
    const code = /Error Code : (\d+)/.exec((error as Error).message)?.[1];
    throw new StepError(
      `could not get the workflow's OIDC token from GitHub${code ? ` (HTTP ${code})` : ""}: check \`permissions: id-token: write\` on the job, then re-run`,
    );
  }
}

/**
 * A short, value-free message from a broker error answer: RFC 9457 problem details
 * (`{ code, detail, errors: [{ field, message }] }`) or `{ error: { code, message } }`.
 */
function brokerMessage(parsed: unknown): { code: string; message: string } | null {
  const root = parsed as Record<string, unknown> | null | undefined;
  if (!root || typeof root !== "object") return null;
  const e = (typeof root.error === "object" && root.error ? root.error : root) as Record<
    string,
    unknown
  >;
  const text =
    typeof e.detail === "string" ? e.detail : typeof e.message === "string" ? e.message : null;
  if (text === null) return null;
  const fields = Array.isArray(e.errors)
    ? (e.errors as { field?: unknown; message?: unknown }[])
        .filter((f) => typeof f.message === "string")
        .slice(0, 10)
        .map((f) => `${typeof f.field === "string" ? `${f.field}: ` : ""}${String(f.message)}`)
    : [];
  const message = [text, ...fields].join("; ").replace(/\s+/g, " ");
  return {
    code: typeof e.code === "string" ? e.code : "error",
    message: message.length > 600 ? `${message.slice(0, 599)}…` : message,
  };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

const OUTCOMES = new Set(["created", "updated", "unchanged"]);

/**
 * One entry of the broker's `results` → a ClusterResult. Success: `{ cluster, status: created |
 * updated | unchanged, secretName, namespace, added, changed, removed, writes, dryRun }`; failure:
 * `{ cluster, status: "error", code, message }`. Unknown fields are ignored.
 */
export function toClusterResult(entry: unknown, dryRun: boolean): ClusterResult {
  const r = (entry ?? {}) as Record<string, unknown>;
  const cluster = typeof r.cluster === "string" ? r.cluster : "?";
  const status = typeof r.status === "string" ? r.status : undefined;
  if (!status || !OUTCOMES.has(status)) {
    const err =
      typeof r.message === "string"
        ? { code: typeof r.code === "string" ? r.code : "error", message: r.message.slice(0, 600) }
        : (brokerMessage({ error: r.error }) ?? {
            code: "error",
            message: "the broker reported a failure without details",
          });
    return { cluster, outcome: "failed", added: [], changed: [], removed: [], dryRun, error: err };
  }
  return {
    cluster,
    outcome: status as ClusterResult["outcome"],
    ...(typeof r.secretName === "string" ? { secret: r.secretName } : {}),
    ...(typeof r.namespace === "string" ? { namespace: r.namespace } : {}),
    added: strings(r.added),
    changed: strings(r.changed),
    removed: strings(r.removed),
    ...(typeof r.writes === "number" ? { writes: r.writes } : {}),
    dryRun: typeof r.dryRun === "boolean" ? r.dryRun : dryRun,
  };
}

/** The first `code` (ECONNREFUSED, ENOTFOUND, …) in an error's cause chain (fetch wraps it). */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== "object" || depth > 5) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string" && /^[A-Z_]+$/.test(e.code)) return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = networkCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return networkCode(e.cause, depth + 1);
}

/** fetch's own short reason (e.g. "bad port"): undici's text, never a body or header. */
function causeText(error: unknown): string | undefined {
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  return typeof cause?.message === "string" && cause.message.length <= 80
    ? cause.message
    : undefined;
}

const RETRY_STATUS = new Set([502, 503, 504]);
const ATTEMPTS = 3;

/** No HTTP answer (network error, timeout): retried. */
class NoAnswer extends Error {
  override name = "NoAnswer";
}

/** A 502/503/504 without per-cluster results (a gateway's, not the broker's): retried. */
class GatewayAnswer extends Error {
  override name = "GatewayAnswer";
  readonly response: Response;
  readonly parsed: unknown;
  constructor(response: Response, parsed: unknown) {
    super(`HTTP ${response.status}`);
    this.response = response;
    this.parsed = parsed;
  }
}

function resultsOf(parsed: unknown): unknown {
  return parsed && typeof parsed === "object"
    ? (parsed as { results?: unknown }).results
    : undefined;
}

export interface BrokerCredential {
  header: string;
  kind: string;
}

export async function runBrokerMode(
  config: ActionConfig,
  source: SecretSource,
  auth: BrokerCredential,
): Promise<ClusterResult[]> {
  const target = config.target as BrokerTarget;
  core.info(
    `broker ${new URL(target.url).origin}: authenticating with ${auth.kind === "github-oidc" ? `the workflow's GitHub OIDC token (audience ${target.audience})` : "an API token"}`,
  );
  const url = `${target.url}/v1/secrets/${encodeURIComponent(config.name)}`;
  const body = JSON.stringify(brokerRequestBody(config, source));
  const deadline = Date.now() + config.timeoutMs;
  const attempt = async (): Promise<{ response: Response; parsed: unknown }> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "PUT",
        headers: {
          authorization: auth.header,
          "content-type": "application/json",
          accept: "application/json",
          "user-agent": "konduktor-secrets-action",
        },
        body,
        signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
      });
    } catch (error) {
      throw new NoAnswer(
        (error as Error).name === "TimeoutError"
          ? `no answer within ${config.timeoutMs / 1000} s`
          : (networkCode(error) ?? causeText(error) ?? "network error"),
      );
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      parsed = undefined;
    }
    // A 502/503/504 with per-cluster `results` is the broker's own answer (some clusters may have
    // been written): never repeated. Without them, a gateway or the platform answered: retried.
    if (RETRY_STATUS.has(response.status) && !Array.isArray(resultsOf(parsed))) {
      throw new GatewayAnswer(response, parsed);
    }
    return { response, parsed };
  };
  let answer: { response: Response; parsed: unknown };
  try {
    answer = await pRetry(attempt, {
      retries: ATTEMPTS - 1,
      minTimeout: 500,
      factor: 2,
      randomize: false,
      shouldRetry: ({ error, attemptNumber }) => {
        const retry =
          (error instanceof NoAnswer || error instanceof GatewayAnswer) &&
          Date.now() + 500 * 2 ** (attemptNumber - 1) < deadline;
        if (retry) {
          core.info(
            `broker: ${error.message}; retrying (attempt ${attemptNumber + 1} of ${ATTEMPTS})`,
          );
        }
        return retry;
      },
    });
  } catch (error) {
    if (error instanceof GatewayAnswer) answer = { response: error.response, parsed: error.parsed };
    else if (error instanceof NoAnswer) {
      throw new StepError(
        `cannot reach the broker at ${new URL(target.url).origin} (${error.message}): check broker-url and that the broker is up, then re-run`,
      );
    } else throw error;
  }
  const { response, parsed } = answer;
  const results = resultsOf(parsed);
  if (Array.isArray(results) && results.length > 0) {
    return results.map((r) => toClusterResult(r, config.dryRun));
  }
  if (response.ok) {
    throw new StepError(
      Array.isArray(results)
        ? `the broker answered HTTP ${response.status} with no cluster in its results: nothing was targeted; check the clusters input and the clusters the credential (OIDC binding or API token) may use`
        : `the broker answered HTTP ${response.status} without per-cluster results: check that broker-url is the broker's base URL (not a proxy or login page)`,
    );
  }
  const detail = brokerMessage(parsed);
  const what = detail
    ? `${detail.message}${detail.code !== "error" ? ` [${detail.code}]` : ""}`
    : `HTTP ${response.status}`;
  const hint =
    response.status === 401
      ? auth.kind === "github-oidc"
        ? " — the broker rejected the workflow's OIDC token; fix the failed check named above (audience input, broker issuer setting, token age)"
        : " — the api-token is wrong or revoked"
      : response.status === 403
        ? " — ask a broker admin to add an OIDC binding (or token) for this repository, ref and clusters"
        : response.status === 404
          ? " — check broker-url (it must be the broker's base URL)"
          : "";
  throw new StepError(`the broker refused the request (HTTP ${response.status}): ${what}${hint}`);
}
