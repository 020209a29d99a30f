/**
 * The rotation rules of a job token, as one pure decision (docs/decisions/0016-job-tokens.md):
 * given an owner's job access record, the registered clusters, whether its current token still
 * works and the time, what the next run does.
 *
 * - The clusters of the job access are its named clusters that are registered (or every
 *   registered cluster for `all`).
 * - A new token is issued when half of the current one's lifetime has passed, or when it no
 *   longer works (revoked with DELETE /v1/tokens/{id}, or expired); it is then written to every
 *   cluster.
 * - Otherwise the current token is written only where it is not held yet: a cluster that failed
 *   before, or one registered since.
 * - The earlier tokens are revoked only once every cluster holds the current one: a cluster that
 *   could not be written keeps a working token until it can be, or until that token expires.
 */
import type { JobTokenRecord } from "../store/job-tokens.ts";

export interface JobTokenPlan {
  /** issue a new token (and write it everywhere) */
  rotate: boolean;
  /** why: `due` (half the lifetime passed), `invalid` (revoked or expired), `pending`, `none` */
  reason: "due" | "invalid" | "pending" | "none";
  /** the clusters of the job access (registered ones) */
  targets: string[];
  /** the clusters to write */
  write: string[];
}

/** When the current token is replaced: half its lifetime after it was issued. */
export function rotateAt(record: Pick<JobTokenRecord, "issuedAt" | "lifetimeSeconds">): Date {
  return new Date(Date.parse(record.issuedAt) + (record.lifetimeSeconds * 1000) / 2);
}

export function targetsOf(
  record: Pick<JobTokenRecord, "clusters">,
  registered: readonly string[],
): string[] {
  const names = [...new Set(registered)].sort();
  return record.clusters === "all" ? names : names.filter((n) => record.clusters.includes(n));
}

/** The clusters of the job access that do not hold the current token. */
export function pendingOf(
  record: Pick<JobTokenRecord, "clusters" | "holding">,
  registered: readonly string[],
): string[] {
  return targetsOf(record, registered).filter((c) => !record.holding.includes(c));
}

export function planJobToken(
  record: JobTokenRecord,
  registered: readonly string[],
  tokenWorks: boolean,
  now: Date,
): JobTokenPlan {
  const targets = targetsOf(record, registered);
  if (!tokenWorks) return { rotate: true, reason: "invalid", targets, write: targets };
  if (now.getTime() >= rotateAt(record).getTime()) {
    return { rotate: true, reason: "due", targets, write: targets };
  }
  const write = pendingOf(record, registered);
  return { rotate: false, reason: write.length ? "pending" : "none", targets, write };
}

/**
 * After a run wrote the current token to `written` (the clusters that confirmed it): the clusters
 * that hold it now, and whether the earlier tokens may be revoked (every cluster holds it).
 */
export function afterWrite(
  plan: JobTokenPlan,
  holding: readonly string[],
  written: readonly string[],
): { holding: string[]; retire: boolean } {
  const before = plan.rotate ? [] : holding.filter((c) => plan.targets.includes(c));
  const now = [...new Set([...before, ...written])].sort();
  return { holding: now, retire: plan.targets.every((c) => now.includes(c)) };
}
