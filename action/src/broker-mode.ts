/**
 * Broker mode: one `PUT /v1/secrets/:name` to the broker, authenticated with the workflow's GitHub
 * OIDC token (`core.getIDToken(audience)`) or an API token; the broker fans out to the clusters and
 * answers per cluster. Only the answer's structured, value-free fields are read: never its body.
 */
import * as core from "@actions/core";
import type { SecretSource } from "../../konduktor/types.ts";
import {
  BrokerClient,
  BrokerUnreachable,
  LooseApplyResult,
  type LooseApplyResultT,
  problemMessage,
  RequestInvalid,
} from "../../konduktor/wire/client.ts";
import type { PutSecretRequest } from "../../konduktor/wire/secrets.ts";
import { toWireSource } from "../../konduktor/wire/source.ts";
import type { ActionConfig } from "./config.ts";
import { StepError } from "./errors.ts";
import type { ClusterResult } from "./report.ts";

type BrokerTarget = Extract<ActionConfig["target"], { type: "broker" }>;

/** The request body (konduktor/wire): the secret source (file contents base64) and the options. */
export function brokerRequestBody(config: ActionConfig, source: SecretSource): PutSecretRequest {
  const target = config.target as BrokerTarget;
  return {
    kind: config.kind,
    source: toWireSource(source),
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

type OkEntry = Extract<LooseApplyResultT, { status: "created" | "updated" | "unchanged" }>;

function isOk(entry: LooseApplyResultT): entry is OkEntry {
  return entry.status === "created" || entry.status === "updated" || entry.status === "unchanged";
}

/**
 * One entry of the broker's `results`, read with the wire contract's result schema (konduktor/wire:
 * every field optional, unknown fields dropped) → a ClusterResult. Success: created | updated |
 * unchanged with the key names; anything else is a failure with the broker's code and message.
 */
export function toClusterResult(raw: unknown, dryRun: boolean): ClusterResult {
  const parsed = LooseApplyResult.safeParse(raw);
  const entry: LooseApplyResultT = parsed.success ? parsed.data : {};
  const cluster = entry.cluster ?? "?";
  if (!isOk(entry)) {
    const e = entry as { code?: string; message?: string };
    return {
      cluster,
      outcome: "failed",
      added: [],
      changed: [],
      removed: [],
      dryRun,
      error:
        e.message !== undefined
          ? { code: e.code ?? "error", message: e.message.slice(0, 600) }
          : { code: "error", message: "the broker reported a failure without details" },
    };
  }
  return {
    cluster,
    outcome: entry.status,
    ...(entry.secretName !== undefined ? { secret: entry.secretName } : {}),
    ...(entry.namespace !== undefined ? { namespace: entry.namespace } : {}),
    added: entry.added ?? [],
    changed: entry.changed ?? [],
    removed: entry.removed ?? [],
    ...(entry.writes !== undefined ? { writes: entry.writes } : {}),
    ...(entry.replacedGitSsh?.length ? { replacedGitSsh: entry.replacedGitSsh } : {}),
    ...(entry.changedOutside ? { changedOutside: true } : {}),
    dryRun: entry.dryRun ?? dryRun,
  };
}

export interface BrokerCredential {
  header: string;
  kind: string;
}

const ATTEMPTS = 3;

export async function runBrokerMode(
  config: ActionConfig,
  source: SecretSource,
  auth: BrokerCredential,
): Promise<ClusterResult[]> {
  const target = config.target as BrokerTarget;
  const origin = new URL(target.url).origin;
  core.info(
    `broker ${origin}: authenticating with ${auth.kind === "github-oidc" ? `the workflow's GitHub OIDC token (audience ${target.audience})` : "an API token"}`,
  );
  const client = new BrokerClient({
    url: target.url,
    token: auth.header.replace(/^Bearer /, ""),
    userAgent: "konduktor-secrets-action",
    attempts: ATTEMPTS,
    timeoutMs: config.timeoutMs,
    onRetry: ({ attempt, of, reason }) =>
      core.info(`broker: ${reason}; retrying (attempt ${attempt} of ${of})`),
  });
  let reply: Awaited<ReturnType<BrokerClient["putSecret"]>>;
  try {
    reply = await client.putSecret(config.name, brokerRequestBody(config, source));
  } catch (error) {
    if (error instanceof BrokerUnreachable) {
      throw new StepError(
        `cannot reach the broker at ${origin} (${error.reason}): check broker-url and that the broker is up, then re-run`,
      );
    }
    if (error instanceof RequestInvalid) {
      throw new StepError(`the request is not valid: ${error.message}; nothing was sent`);
    }
    throw error;
  }
  const { status, results } = reply;
  if (results && results.length > 0) {
    return results.map((r) => toClusterResult(r, config.dryRun));
  }
  if (reply.ok) {
    throw new StepError(
      results
        ? `the broker answered HTTP ${status} with no cluster in its results: nothing was targeted; check the clusters input and the clusters the credential (OIDC binding or API token) may use`
        : `the broker answered HTTP ${status} without per-cluster results: check that broker-url is the broker's base URL (not a proxy or login page)`,
    );
  }
  const detail = problemMessage(reply.problem);
  const what = detail ? `${detail} [${reply.problem?.code}]` : `HTTP ${status}`;
  const hint =
    status === 401
      ? auth.kind === "github-oidc"
        ? " — the broker rejected the workflow's OIDC token; fix the failed check named above (audience input, broker issuer setting, token age)"
        : " — the api-token is wrong or revoked"
      : status === 403
        ? " — ask a broker admin to add an OIDC binding (or token) for this repository, ref and clusters"
        : status === 404
          ? " — check broker-url (it must be the broker's base URL)"
          : "";
  throw new StepError(`the broker refused the request (HTTP ${status}): ${what}${hint}`);
}
