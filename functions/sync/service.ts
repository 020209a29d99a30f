/**
 * One sync run of the broker: read the owners' Konduktor secrets from the clusters (fan-out), load
 * their intents from the ledger (one listing per owner), plan (konduktor/sync-plan.ts) and, unless
 * it is a dry run, assign the versions a named source or an adoption needs, carry the plan out and
 * record in the ledger what was written, deleted or found in line. Used by POST /v1/sync, the cron
 * (`scheduled`), cluster registration with `sync`, and webhook sync requests.
 *
 * The outcome holds names, key names, clusters and codes only: it is answered and logged as is.
 */
import { fanout, isFailure } from "../../konduktor/fanout.ts";
import { formatPlacement } from "../../konduktor/format.ts";
import {
  type ClusterConfirmation,
  type Copy,
  classify,
  groupCopies,
  intentKey,
  type PlanEntry,
  readCopies,
  type SecretCopies,
  type Skipped,
  type SyncPlan,
  type Unledgered,
} from "../../konduktor/sync.ts";
import { type EntryResult, executePlan } from "../../konduktor/sync-execute.ts";
import { planSync } from "../../konduktor/sync-plan.ts";
import type { LogLine, Services } from "../context.ts";
import { brokerFanoutOptions } from "../fanout-options.ts";
import type { LedgerEntry } from "../ledger/entry.ts";
import { brokerKeyring } from "../ledger/keys.ts";
import { Ledger, type Seen, type Written } from "../ledger/ledger.ts";
import type { ClusterRecord } from "../registry/clusters.ts";
import { partialStatus } from "../secrets/outcome.ts";

export interface SyncScope {
  /** the owners whose secrets are synced, or all owners found on the clusters */
  owners: string[] | "all";
  /** the clusters read, in order (sources come from these) */
  clusters: string[];
  /** the clusters written (default: all of `clusters`) */
  targets?: string[];
  /** a named source cluster (its copies may be used even when not signed; adopts unledgered ones) */
  source?: string | null;
  /** only basenames this accepts (default: all) */
  names?: (basename: string) => boolean;
  /** basenames whose copies deleted outside the broker are created again (named explicitly) */
  restore?: (basename: string) => boolean;
  /** the placement an adopted secret gets (the caller's scope; default all) */
  adoptPlacement?: string[] | "all";
  dryRun: boolean;
  /** provenance `via` of the copies, e.g. `sync`, `sync:cron`, `sync:hook:<id>` */
  via: string;
  /** who asks (the ledger's `updatedBy` of a new version), e.g. `token:…`, `cron` */
  by: string;
}

export type ClusterReadResult =
  | { cluster: string; status: "read"; secrets: number }
  | { cluster: string; status: "error"; code: string; message: string; retryable: boolean };

export type PlannedEntry = PlanEntry & { status: "planned" };

export interface SyncOutcome {
  dryRun: boolean;
  owners: string[] | "all";
  clusters: string[];
  targets: string[];
  source: string | null;
  /** per cluster: read, or why it could not be read (then it is neither source nor target) */
  results: ClusterReadResult[];
  plan: (PlannedEntry | EntryResult)[];
  skipped: Skipped[];
  /** secrets the ledger does not know: left where they are (a named source adopts them) */
  unledgered: Unledgered[];
  summary: {
    secrets: number;
    inLine: number;
    planned: number;
    done: number;
    failed: number;
    unreadableClusters: number;
    unledgered: number;
  };
  durationMs: number;
}

/**
 * @param registered the registry's records when the caller already listed them (else listed here)
 */
export async function runSync(
  services: Services,
  scope: SyncScope,
  registered?: readonly ClusterRecord[],
): Promise<SyncOutcome> {
  const started = Date.now();
  const { registry } = services;
  const keyring = await brokerKeyring(services.config);
  const ledger = new Ledger(services.stores.records, services.now);
  const records = new Map((registered ?? (await registry.list())).map((r) => [r.name, r]));
  // one decryption per cluster (kept per sealing by the registry), a connection per operation
  const open = registry.opener(records);

  const copies: Copy[] = [];
  // one LIST per cluster: as wide as the clusters read (not the whole registry), at most the
  // fan-out's concurrency
  const readWidth = Math.min(scope.clusters.length, services.config.fanoutConcurrency);
  const reads = await fanout(
    scope.clusters,
    async (cluster, signal) => {
      const kube = await open(cluster, signal, readWidth);
      const found = await readCopies(kube, cluster, scope.owners, keyring);
      copies.push(...found);
      return { status: "read" as const, secrets: found.length };
    },
    brokerFanoutOptions(services, "sync read"),
  );
  const results: ClusterReadResult[] = reads.map((r) =>
    isFailure(r)
      ? {
          cluster: r.cluster,
          status: "error",
          code: r.code,
          message: r.message,
          retryable: r.retryable,
        }
      : { cluster: r.cluster, status: "read", secrets: r.secrets },
  );
  const readable = results.filter((r) => r.status === "read").map((r) => r.cluster);
  const secrets = groupCopies(copies.filter((c) => readable.includes(c.cluster)));
  const owners = scope.owners === "all" ? [...new Set(secrets.map((s) => s.owner))] : scope.owners;
  // the ledger is read after the listing, never before or during it: a DELETE records itself in
  // the ledger before it deletes any copy, so a copy the listing found missing because of a
  // broker DELETE is then always seen deleted here (read before, the plan would take the missing
  // copy for one deleted outside the broker and restore it; decision 0021)
  const intents = await ledger.entries(owners);
  const targets = scope.targets ?? scope.clusters;
  const plan = planSync({
    clusters: readable,
    targets,
    secrets,
    intents,
    source: scope.source ?? null,
    ...(scope.names ? { names: scope.names } : {}),
    ...(scope.restore ? { restore: scope.restore } : {}),
    ...(scope.adoptPlacement ? { adoptPlacement: scope.adoptPlacement } : {}),
  });
  let entries: (PlannedEntry | EntryResult)[];
  if (scope.dryRun) {
    entries = plan.entries.map((e) => ({ ...e, status: "planned" as const }));
  } else {
    const bumped = await assignVersions(ledger, plan, intents, scope.by);
    const written = new Map<string, Written[]>();
    const placementOf = placements(plan, intents);
    // the writes are many requests in flight per cluster (up to the fan-out's concurrency): on
    // Workers, more than one invocation's connections go through the clusters' links
    const writeWidth = Math.min(plan.entries.length, services.config.fanoutConcurrency);
    entries = await executePlan({
      plan,
      secrets,
      open: (cluster, signal) => open(cluster, signal, writeWidth),
      keyring,
      placementOf: (owner, basename) => placementOf.get(intentKey(owner, basename)) ?? "all",
      fanout: brokerFanoutOptions(services, "sync write"),
      via: scope.via,
      ...(scope.names ? { mayDelete: scope.names } : {}),
      written: (entry, digests, resourceVersion) => {
        const key = intentKey(entry.owner, entry.secret);
        const copy = {
          cluster: entry.cluster,
          ...digests,
          ...(resourceVersion === undefined ? {} : { resourceVersion }),
        };
        written.set(key, [...(written.get(key) ?? []), copy]);
      },
    });
    await recordOutcome(ledger, secrets, intents, bumped, readable, entries, written);
  }
  return {
    dryRun: scope.dryRun,
    owners: scope.owners,
    clusters: scope.clusters,
    targets,
    source: scope.source ?? null,
    results,
    plan: entries,
    skipped: plan.skipped,
    unledgered: plan.unledgered,
    summary: {
      secrets: plan.secrets,
      inLine: plan.inLine,
      planned: plan.entries.length,
      done: entries.filter((e) => e.status === "done").length,
      failed: entries.filter((e) => e.status === "error").length,
      unreadableClusters: results.length - readable.length,
      unledgered: plan.unledgered.length,
    },
    durationMs: Date.now() - started,
  };
}

/**
 * A named source or an adoption makes a new version: assigned here, before anything is written,
 * on the condition that the entry is still what the plan was made from. A secret whose entry
 * changed meanwhile (a PUT or DELETE started) is not written: its entries move to `skipped`.
 */
async function assignVersions(
  ledger: Ledger,
  plan: SyncPlan,
  intents: ReadonlyMap<string, LedgerEntry>,
  by: string,
): Promise<Map<string, number>> {
  const bumped = new Map<string, number>();
  for (const b of plan.bumps) {
    const key = intentKey(b.owner, b.secret);
    const version = await ledger.bump({
      owner: b.owner,
      basename: b.secret,
      kind: b.kind,
      placement: b.placement,
      contentDigest: b.contentDigest,
      digests: b.digests,
      by,
      expected: intents.get(key)?.version ?? null,
    });
    const mine = (e: PlanEntry) => e.owner === b.owner && e.secret === b.secret;
    if (version === null) {
      plan.entries = plan.entries.filter((e) => !mine(e));
      plan.skipped.push({
        owner: b.owner,
        secret: b.secret,
        reason: "written or deleted through the broker while this sync ran: left to that request",
      });
      continue;
    }
    for (const e of plan.entries) if (mine(e) && e.version === null) e.version = version;
    bumped.set(key, version);
  }
  return bumped;
}

/** The placement annotation each secret's copies are signed with. */
function placements(plan: SyncPlan, intents: Map<string, LedgerEntry>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, e] of intents) out.set(key, formatPlacement(e.placement));
  for (const b of plan.bumps) out.set(intentKey(b.owner, b.secret), formatPlacement(b.placement));
  return out;
}

/**
 * What the ledger learns from a run: copies written or deleted, and current copies it had not
 * confirmed yet (a request that ended before confirming). Nothing is committed for a secret whose
 * ledger entry already says all of it: an in-line sync writes nothing, to clusters or ledger.
 */
async function recordOutcome(
  ledger: Ledger,
  secrets: readonly SecretCopies[],
  intents: ReadonlyMap<string, LedgerEntry>,
  bumped: ReadonlyMap<string, number>,
  readable: readonly string[],
  entries: readonly (PlannedEntry | EntryResult)[],
  written: Map<string, Written[]>,
): Promise<void> {
  const byKey = new Map(secrets.map((s) => [intentKey(s.owner, s.basename), s]));
  const work = new Map<string, ({ cluster: string } & ClusterConfirmation)[]>();
  const add = (key: string, c: { cluster: string } & ClusterConfirmation) =>
    work.set(key, [...(work.get(key) ?? []), c]);
  for (const e of entries) {
    if (e.status !== "done" || e.version === null || e.supersededBy !== undefined) continue;
    const key = intentKey(e.owner, e.secret);
    // the written copy's resourceVersion: a later PUT there is one conditional request
    const rv = written.get(key)?.find((w) => w.cluster === e.cluster)?.resourceVersion;
    add(key, {
      cluster: e.cluster,
      version: e.version,
      state: e.action === "delete" ? "deleted" : "written",
      ...(rv === undefined || e.action === "delete" ? {} : { resourceVersion: rv }),
    });
  }
  for (const [key, intent] of intents) {
    if (intent.deleted || bumped.has(key)) continue;
    for (const cluster of readable) {
      const copy = byKey.get(key)?.copies.get(cluster);
      if (!copy || classify(intent, copy.description) !== "current") continue;
      if ((intent.clusters[cluster]?.version ?? 0) >= intent.contentVersion) continue;
      add(key, { cluster, version: intent.contentVersion, state: "written" });
    }
  }
  // one ledger step per owner and 64 secrets, the owners in parallel
  const byOwner = new Map<string, Map<string, Seen>>();
  for (const [key, confirmations] of work) {
    const [owner, basename] = key.split("/") as [string, string];
    const version = bumped.get(key) ?? (intents.get(key) as LedgerEntry).contentVersion;
    const copies = written.get(key) ?? [];
    const mine = byOwner.get(owner) ?? new Map<string, Seen>();
    byOwner.set(owner, mine);
    mine.set(basename, {
      confirmations,
      ...(copies.length ? { written: { version, copies } } : {}),
    });
  }
  await Promise.all([...byOwner].map(([owner, seen]) => ledger.recordMany(owner, seen)));
}

/** 200 when everything was read and done, 207 when something failed, null when no cluster answered. */
export function syncHttpStatus(outcome: SyncOutcome): 200 | 207 | null {
  const { unreadableClusters, failed } = outcome.summary;
  const readable = outcome.results.length - unreadableClusters;
  return partialStatus(readable, unreadableClusters + failed);
}

/** The outcome reduced for a log line: counts, and per entry names/cluster/action/status. */
export function syncLogFields(outcome: SyncOutcome): Record<string, unknown> {
  return {
    dryRun: outcome.dryRun,
    owners: outcome.owners,
    clusters: outcome.clusters,
    targets: outcome.targets,
    source: outcome.source,
    summary: outcome.summary,
    reads: outcome.results.map((r) =>
      r.status === "read"
        ? { cluster: r.cluster, status: r.status }
        : { cluster: r.cluster, status: r.status, code: r.code },
    ),
    entries: outcome.plan.map((e) => ({
      owner: e.owner,
      secret: e.secret,
      cluster: e.cluster,
      action: e.action,
      status: e.status,
      ...(e.status === "error" ? { code: e.code } : {}),
    })),
    durationMs: outcome.durationMs,
  };
}

/** The cron's run: every owner found on every registered cluster. Logs one `sync` line. */
export async function scheduledSync(
  services: Services,
  trigger: { cron: string; scheduledTime: number },
): Promise<SyncOutcome | null> {
  const records = await services.registry.list();
  const clusters = records.map((r) => r.name).sort();
  const line: LogLine = {
    type: "sync",
    trigger: "cron",
    cron: trigger.cron,
    at: new Date(trigger.scheduledTime).toISOString(),
  };
  if (clusters.length === 0) {
    services.log({ ...line, note: "no cluster is registered: nothing to sync" });
    return null;
  }
  const outcome = await runSync(
    services,
    { owners: "all", clusters, dryRun: false, via: "sync:cron", by: "cron" },
    records,
  );
  services.log({ ...line, ...syncLogFields(outcome) });
  return outcome;
}

/**
 * A newly registered cluster catches up: every owner's secrets, from the copies of the ledger's
 * versions on the other registered clusters, are copied onto `cluster` (and only onto it). The
 * admin asks for this cluster to be brought in line, so copies the ledger had confirmed there (a
 * cluster registered again under a name it had before) are created again too.
 */
export async function catchUpCluster(services: Services, cluster: string): Promise<SyncOutcome> {
  const records = await services.registry.list();
  const clusters = records.map((r) => r.name).sort();
  return await runSync(
    services,
    {
      owners: "all",
      clusters,
      targets: [cluster],
      restore: () => true,
      dryRun: false,
      via: "sync:register",
      by: "register",
    },
    records,
  );
}
