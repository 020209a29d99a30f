/**
 * API access inside a Konduktor job (docs/decisions/0016-job-tokens.md): for an owner who opted in,
 * the broker keeps the env secret `konduktor-broker-<owner>` (KSB_URL, KSB_TOKEN) on every cluster
 * of the owner's job access, written and deleted with the same operations and ledger as any
 * secret (functions/secrets/service.ts), and rotates its token from the cron (./plan.ts decides).
 * The token is never logged nor answered: only its public id.
 */
import { errorForLog } from "../../konduktor/errors.ts";
import { isFailure } from "../../konduktor/fanout.ts";
import { checkSecretInput } from "../../konduktor/secret.ts";
import {
  JOB_SECRET_BASENAME,
  JOB_TOKEN_KEY,
  JOB_URL_KEY,
  type JobTokenInfo,
} from "../../konduktor/wire/job-tokens.ts";
import type { Rights } from "../auth/caller.ts";
import type { LogLine, Services } from "../context.ts";
import { open, seal } from "../registry/envelope.ts";
import { deleteSecret, putSecret, type Targets } from "../secrets/service.ts";
import type { JobTokenRecord } from "../store/job-tokens.ts";
import { afterWrite, type JobTokenPlan, pendingOf, planJobToken, rotateAt } from "./plan.ts";

const aad = (owner: string) => `job-token:${owner}`;
const BY = "job-tokens";

export interface JobAccessInput {
  clusters: string[] | "all";
  rights: Rights;
  lifetimeSeconds: number;
  url: string;
}

export function jobTokenInfo(record: JobTokenRecord, registered: readonly string[]): JobTokenInfo {
  return {
    owner: record.owner,
    secretName: `${JOB_SECRET_BASENAME}-${record.owner}`,
    url: record.url,
    clusters: record.clusters,
    rights: record.rights,
    lifetimeSeconds: record.lifetimeSeconds,
    tokenId: record.tokenId,
    expiresAt: record.expiresAt,
    rotateAt: rotateAt(record).toISOString(),
    createdAt: record.createdAt,
    rotatedAt: record.rotatedAt,
    pending: pendingOf(record, registered),
  };
}

async function registeredTargets(services: Services, names?: readonly string[]) {
  const records = await services.registry.list();
  const all = records.map((r) => r.name).sort();
  const targets: Targets = new Map(
    records.filter((r) => names === undefined || names.includes(r.name)).map((r) => [r.name, r]),
  );
  return { all, targets };
}

/** A new job token for the record's owner, clusters and rights; the record's token fields set. */
async function issue(services: Services, record: JobTokenRecord, at: Date) {
  const { token, record: issued } = await services.stores.tokens.issue(
    {
      label: `jobs:${record.owner}`,
      owners: [record.owner],
      clusters: record.clusters,
      rights: record.rights,
      expiresAt: new Date(at.getTime() + record.lifetimeSeconds * 1000),
    },
    at,
  );
  const next: JobTokenRecord = {
    ...record,
    retiring: record.tokenId ? [...record.retiring, record.tokenId] : record.retiring,
    tokenId: issued.id,
    issuedAt: issued.createdAt,
    expiresAt: issued.expiresAt,
    sealed: await seal(token, aad(record.owner), services.config.kek),
    rotatedAt: at.toISOString(),
  };
  return { token, next };
}

/** Writes the job secret with `token` on `clusters`; answers the per-cluster results. */
async function writeSecret(
  services: Services,
  record: JobTokenRecord,
  token: string,
  clusters: Targets,
  requestId?: string,
) {
  const source = {
    type: "inline" as const,
    pairs: { [JOB_URL_KEY]: record.url, [JOB_TOKEN_KEY]: token },
  };
  const { secret } = checkSecretInput({
    owner: record.owner,
    basename: JOB_SECRET_BASENAME,
    kind: "env",
    source,
  });
  if (!secret) throw new Error("the job secret is not a valid Konduktor secret");
  const { body } = await putSecret(services, {
    owner: record.owner,
    name: JOB_SECRET_BASENAME,
    body: { kind: "env", source, mode: "replace", prune: false, immutable: false, dryRun: false },
    secret,
    clusters,
    placement: record.clusters,
    by: BY,
    via: "job-tokens",
    ...(requestId ? { requestId } : {}),
  });
  return body.results;
}

async function tokenWorks(services: Services, record: JobTokenRecord, at: Date): Promise<boolean> {
  const current = await services.stores.tokens.get(record.tokenId);
  return current !== null && !current.revokedAt && Date.parse(current.expiresAt) > at.getTime();
}

/** Runs a plan on a record: issue if due, write, record who holds it, revoke earlier tokens. */
async function converge(
  services: Services,
  record: JobTokenRecord,
  plan: JobTokenPlan,
  requestId?: string,
) {
  const at = services.now();
  let next = record;
  let token: string;
  if (plan.rotate) ({ token, next } = await issue(services, record, at));
  else
    token = await open(record.sealed, aad(record.owner), [
      services.config.kek,
      ...services.config.previousKeks,
    ]);
  const { targets } = await registeredTargets(services, plan.write);
  const results = targets.size ? await writeSecret(services, next, token, targets, requestId) : [];
  const written = results.filter((r) => !isFailure(r)).map((r) => r.cluster);
  const after = afterWrite(plan, next.holding, written);
  const revoked: string[] = [];
  if (after.retire) {
    for (const id of next.retiring) {
      await services.stores.tokens.revoke(id, at);
      revoked.push(id);
    }
  }
  next = { ...next, holding: after.holding, retiring: after.retire ? [] : next.retiring };
  await services.stores.jobTokens.put(record.owner, next);
  return { record: next, results, revoked };
}

/**
 * PUT /v1/job-tokens/{owner}: opts the owner in (or replaces the settings). A new token is issued
 * and written to every cluster of the job access; clusters that left it lose the secret.
 */
export async function putJobAccess(
  services: Services,
  owner: string,
  input: JobAccessInput,
  requestId?: string,
) {
  const at = services.now();
  const before = await services.stores.jobTokens.get(owner);
  const fresh: JobTokenRecord = {
    owner,
    url: input.url,
    clusters: input.clusters === "all" ? "all" : [...new Set(input.clusters)].sort(),
    rights: input.rights,
    lifetimeSeconds: input.lifetimeSeconds,
    tokenId: before?.tokenId ?? "",
    issuedAt: at.toISOString(),
    expiresAt: at.toISOString(),
    sealed: before?.sealed ?? { alg: "A256GCM", v: 2, kid: "", iv: "", ct: "" },
    createdAt: before?.createdAt ?? at.toISOString(),
    rotatedAt: at.toISOString(),
    holding: [],
    retiring: before?.retiring ?? [],
  };
  const { all } = await registeredTargets(services);
  const plan = planJobToken(fresh, all, false, at);
  const done = await converge(services, fresh, plan, requestId);
  // clusters that held it before and are not in the job access any more: the secret leaves them
  const left = (before?.holding ?? []).filter((c) => !plan.targets.includes(c));
  const removed = left.length ? await removeSecret(services, owner, left, requestId) : [];
  return {
    created: before === null,
    info: jobTokenInfo(done.record, all),
    results: done.results,
    removed,
    revoked: done.revoked,
  };
}

async function removeSecret(
  services: Services,
  owner: string,
  clusters: readonly string[],
  requestId?: string,
) {
  const { targets } = await registeredTargets(services, clusters);
  if (targets.size === 0) return [];
  const { results } = await deleteSecret(services, {
    owner,
    name: JOB_SECRET_BASENAME,
    clusters: targets,
    coverage: [...targets.keys()],
    by: BY,
    ...(requestId ? { requestId } : {}),
  });
  return results;
}

/**
 * DELETE /v1/job-tokens/{owner}: every job token of the owner revoked, the secret deleted from
 * every registered cluster, the record removed. Null when the owner has no job access.
 */
export async function revokeJobAccess(services: Services, owner: string, requestId?: string) {
  const record = await services.stores.jobTokens.get(owner);
  if (!record) return null;
  const at = services.now();
  const revokedTokens = [...record.retiring, record.tokenId];
  for (const id of revokedTokens) await services.stores.tokens.revoke(id, at);
  await services.stores.jobTokens.put(owner, null);
  const { all } = await registeredTargets(services);
  const results = await removeSecret(services, owner, all, requestId);
  return { owner, secretName: `${JOB_SECRET_BASENAME}-${owner}`, revokedTokens, results };
}

/** The cron's run: every owner's job token rotated when due, written where missing. One log line. */
export async function scheduledJobTokens(
  services: Services,
  trigger: { cron: string; scheduledTime: number },
) {
  const records = await services.stores.jobTokens.list();
  const line: LogLine = {
    type: "job-tokens",
    trigger: "cron",
    cron: trigger.cron,
    at: new Date(trigger.scheduledTime).toISOString(),
  };
  if (records.length === 0) return [];
  const { all } = await registeredTargets(services);
  const owners = [];
  for (const record of records) {
    const at = services.now();
    const plan = planJobToken(record, all, await tokenWorks(services, record, at), at);
    if (plan.write.length === 0 && !plan.rotate) {
      owners.push({ owner: record.owner, action: "none", tokenId: record.tokenId, pending: [] });
      continue;
    }
    try {
      const done = await converge(services, record, plan);
      owners.push({
        owner: record.owner,
        action: plan.rotate ? "rotated" : "written",
        reason: plan.reason,
        tokenId: done.record.tokenId,
        expiresAt: done.record.expiresAt,
        written: done.results.filter((r) => !isFailure(r)).map((r) => r.cluster),
        failed: done.results
          .filter(isFailure)
          .map((r) => ({ cluster: r.cluster, code: r.code, message: r.message })),
        pending: pendingOf(done.record, all),
        revoked: done.revoked,
      });
    } catch (error) {
      owners.push({
        owner: record.owner,
        action: "error",
        reason: plan.reason,
        error: errorForLog(error),
      });
    }
  }
  services.log({ ...line, owners });
  return owners;
}
