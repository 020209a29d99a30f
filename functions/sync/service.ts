/**
 * One sync run of the broker: read the owners' Konduktor secrets from the clusters (fan-out), load
 * the tombstones, plan (konduktor/sync.ts), and unless it is a dry run, carry the plan out. Used by
 * POST /v1/sync, the cron (`scheduled`), cluster registration with `sync`, and webhook sync requests.
 *
 * The outcome holds names, key names, clusters and codes only: it is answered and logged as is.
 */
import { fanout, isFailure } from "../../konduktor/fanout.ts";
import {
  type Copy,
  type EntryResult,
  executePlan,
  groupCopies,
  type PlanEntry,
  planSync,
  readCopies,
  type Skipped,
} from "../../konduktor/sync.ts";
import type { LogLine, Services } from "../context.ts";
import { brokerFanoutOptions } from "../fanout-options.ts";
import type { ClusterRecord } from "../registry/clusters.ts";
import { TombstoneStore } from "../registry/tombstones.ts";

export interface SyncScope {
  /** the owners whose secrets are synced, or all owners found on the clusters */
  owners: string[] | "all";
  /** the clusters read, in order (sources come from these) */
  clusters: string[];
  /** the clusters written (default: all of `clusters`) */
  targets?: string[];
  /** a named source cluster (default: each secret's newest copy) */
  source?: string | null;
  /** only basenames this accepts (default: all) */
  names?: (basename: string) => boolean;
  dryRun: boolean;
  /** provenance `via` of the copies, e.g. `sync`, `sync:cron`, `sync:hook:<id>` */
  via: string;
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
  summary: {
    secrets: number;
    inLine: number;
    planned: number;
    done: number;
    failed: number;
    unreadableClusters: number;
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
  const { registry, store } = services;
  const records = new Map((registered ?? (await registry.list())).map((r) => [r.name, r]));
  // one decryption per cluster for the run (reads and every write), a connection per operation
  const open = registry.opener(records);

  const copies: Copy[] = [];
  const reads = await fanout(
    scope.clusters,
    async (cluster, signal) => {
      const found = await readCopies(await open(cluster, signal), cluster, scope.owners);
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
  const tombstones = await new TombstoneStore(store).load(scope.owners);
  const targets = scope.targets ?? scope.clusters;
  const plan = planSync({
    clusters: readable,
    targets,
    secrets,
    source: scope.source ?? null,
    ...(scope.names ? { names: scope.names } : {}),
    tombstones,
  });
  const entries: (PlannedEntry | EntryResult)[] = scope.dryRun
    ? plan.entries.map((e) => ({ ...e, status: "planned" as const }))
    : await executePlan({
        plan,
        secrets,
        open,
        fanout: brokerFanoutOptions(services, "sync write"),
        via: scope.via,
        ...(scope.names ? { mayDelete: scope.names } : {}),
      });
  return {
    dryRun: scope.dryRun,
    owners: scope.owners,
    clusters: scope.clusters,
    targets,
    source: scope.source ?? null,
    results,
    plan: entries,
    skipped: plan.skipped,
    summary: {
      secrets: plan.secrets,
      inLine: plan.inLine,
      planned: plan.entries.length,
      done: entries.filter((e) => e.status === "done").length,
      failed: entries.filter((e) => e.status === "error").length,
      unreadableClusters: results.length - readable.length,
    },
    durationMs: Date.now() - started,
  };
}

/** 200 when everything was read and done, 207 when something failed, null when no cluster answered. */
export function syncHttpStatus(outcome: SyncOutcome): 200 | 207 | null {
  const { unreadableClusters, failed } = outcome.summary;
  if (outcome.results.length > 0 && unreadableClusters === outcome.results.length) return null;
  return unreadableClusters === 0 && failed === 0 ? 200 : 207;
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
    { owners: "all", clusters, dryRun: false, via: "sync:cron" },
    records,
  );
  services.log({ ...line, ...syncLogFields(outcome) });
  return outcome;
}

/**
 * A newly registered cluster catches up: every owner's secrets, from the newest copy on the other
 * registered clusters, are copied onto `cluster` (and only onto it).
 */
export async function catchUpCluster(services: Services, cluster: string): Promise<SyncOutcome> {
  const records = await services.registry.list();
  const clusters = records.map((r) => r.name).sort();
  return await runSync(
    services,
    { owners: "all", clusters, targets: [cluster], dryRun: false, via: "sync:register" },
    records,
  );
}
