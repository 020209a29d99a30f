/**
 * The ledger's changes as shard steps (functions/store/records.ts `ShardStep`), each read, decided
 * and written in one atomic call where the owner's shard lives: one round trip per change, and
 * concurrent requests of one owner queue at the shard instead of losing a compare-and-set and
 * backing off.
 * - `ledger.assign`: a write's, a deletion's or a sync's start gets the owner's next version (the
 *   counter and the entry written together);
 * - `ledger.update`: what requests and syncs learned of the clusters (confirmations, settled
 *   content, rollbacks), for up to 64 entries at once.
 * Both may also run as reads and a compare-and-set commit (`byCommit`), against a Durable Object of
 * the version before steps during a deploy (functions/store/durable-records.ts).
 */
import { keys } from "../store/keys.ts";
import type { RecordWrite, ShardStep } from "../store/records.ts";
import {
  confirm,
  type LedgerEntry,
  settleContent,
  startBump,
  startDelete,
  startWrite,
  type WriteRequest,
  writeChangesNothing,
} from "./entry.ts";
import type { Seen, Written } from "./ledger.ts";

/** What a version is assigned for: the transition of ./entry.ts that the step applies. */
export type Assignment =
  | { kind: "write"; write: WriteRequest }
  | {
      kind: "delete";
      delete: { coverage: string[] | "all"; clusters: readonly string[]; by: string };
    }
  | {
      kind: "bump";
      bump: Parameters<typeof startBump>[1];
      /** the entry's version the sync planned with (null: no entry); otherwise nothing is assigned */
      expected: number | null;
    };

export interface AssignArgs {
  owner: string;
  basename: string;
  /** the broker's clock, for `updatedAt` (shown, never compared) */
  at: string;
  change: Assignment;
}

export interface Assigned {
  /** the version assigned; null when the change assigns nothing (then nothing was written) */
  version: number | null;
  before: LedgerEntry | null;
}

/** The entry after `change` at `version`; undefined: nothing to assign. */
function transition(
  entry: LedgerEntry | null,
  version: number,
  { owner, basename, at, change }: AssignArgs,
): LedgerEntry | null | undefined {
  switch (change.kind) {
    case "write":
      return writeChangesNothing(entry, change.write)
        ? undefined
        : startWrite(entry, owner, basename, version, change.write, at);
    case "delete":
      return startDelete(entry, owner, basename, version, change.delete, at);
    case "bump":
      return (entry?.version ?? null) === change.expected
        ? startBump(entry, change.bump, version, at)
        : undefined;
  }
}

export const assignVersion: ShardStep<AssignArgs, Assigned> = {
  name: "ledger.assign",
  // the counter and the entry are written on the revisions read (an absent entry left absent
  // writes the counter, which every assignment writes)
  byCommit: true,
  run(view, args) {
    const key = keys.ledgerEntry(args.basename);
    const [seq, record] = view.getMany([keys.ledgerSeq, key]);
    const before = record ? (JSON.parse(record.value) as LedgerEntry) : null;
    const version = (seq ? (JSON.parse(seq.value) as { n: number }).n : 0) + 1;
    const after = transition(before, version, args);
    if (after === undefined) return { writes: [], result: { version: null, before } };
    const writes: RecordWrite[] = [
      { key: keys.ledgerSeq, value: JSON.stringify({ n: version }), ifRev: seq?.rev ?? 0 },
    ];
    if (after !== null || before !== null) {
      writes.push({
        key,
        value: after === null ? null : JSON.stringify(after),
        ifRev: record?.rev ?? 0,
      });
    }
    return { writes, result: { version, before } };
  },
};

/** What a request or a sync learned of one entry's clusters. */
export type EntryChange =
  | {
      /** a write of `version` ended: `written` hold it; `rollback`: it wrote nowhere for sure */
      kind: "finish-write";
      version: number;
      written: readonly Written[];
      rollback: boolean;
      /** the entry before the write started (what a rollback restores) */
      before: LedgerEntry | null;
    }
  | { kind: "finish-delete"; version: number; clusters: readonly string[] }
  | {
      /** a git-ssh write of `version` deleted this (other) git-ssh secret on `clusters` */
      kind: "replaced-git-ssh";
      owner: string;
      version: number;
      clusters: readonly string[];
      by: string;
      at: string;
    }
  | { kind: "record"; seen: Seen };

export interface UpdateArgs {
  /** at most one commit's worth (`RECORD_LIMITS.writesPerCommit`) */
  changes: readonly { basename: string; change: EntryChange }[];
}

/** The entry after `change` (null: removed). */
function changed(entry: LedgerEntry, basename: string, change: EntryChange): LedgerEntry | null {
  switch (change.kind) {
    case "finish-write": {
      const { version, written } = change;
      const confirmed = confirm(
        entry,
        written.map((w) => ({
          cluster: w.cluster,
          version,
          state: "written" as const,
          ...(w.resourceVersion === undefined ? {} : { resourceVersion: w.resourceVersion }),
        })),
      );
      const settled = settleContent(confirmed, version, written);
      // a rollback restores the content before, unless a newer intent started meanwhile
      if (!change.rollback || settled.version !== version) return settled;
      if (change.before === null) return null;
      return { ...change.before, version, clusters: settled.clusters };
    }
    case "finish-delete":
      return confirm(
        entry,
        change.clusters.map((cluster) => ({
          cluster,
          version: change.version,
          state: "deleted" as const,
        })),
      );
    case "replaced-git-ssh": {
      const { owner, version, clusters, by, at } = change;
      if (entry.version > version || entry.deleted) return entry;
      const shrunk = startDelete(
        entry,
        owner,
        basename,
        version,
        { coverage: [...clusters], clusters, by },
        at,
      ) as LedgerEntry;
      return confirm(
        shrunk,
        clusters.map((cluster) => ({ cluster, version, state: "deleted" as const })),
      );
    }
    case "record": {
      const { confirmations, written } = change.seen;
      const confirmed = confirm(entry, confirmations);
      return !written || confirmed.contentDigest !== null
        ? confirmed
        : settleContent(confirmed, written.version, written.copies);
    }
  }
}

/**
 * `ledger.update`: applies each change to its entry, in order (two changes of one entry see each
 * other). An entry that is absent (removed meanwhile) stays absent; a change that leaves an entry
 * as it is writes nothing. Answers how many entries it wrote.
 */
export const updateEntries: ShardStep<UpdateArgs, number> = {
  name: "ledger.update",
  // each changed entry is written on the revision read; an entry it leaves is not its decision
  byCommit: true,
  run(view, { changes }) {
    const pending = new Map<string, { entry: LedgerEntry | null; rev: number }>();
    for (const { basename, change } of changes) {
      const key = keys.ledgerEntry(basename);
      let current = pending.get(key);
      if (!current) {
        const record = view.get(key);
        if (!record) continue;
        current = { entry: JSON.parse(record.value) as LedgerEntry, rev: record.rev };
      }
      if (current.entry === null) continue;
      const next = changed(current.entry, basename, change);
      if (next !== null && JSON.stringify(next) === JSON.stringify(current.entry)) continue;
      pending.set(key, { entry: next, rev: current.rev });
    }
    const writes: RecordWrite[] = [...pending].map(([key, { entry, rev }]) => ({
      key,
      value: entry === null ? null : JSON.stringify(entry),
      ifRev: rev,
    }));
    return { writes, result: writes.length };
  },
};

/** Every step of the ledger: the Durable Object shard runs these by name (store/shard-steps.ts). */
export const LEDGER_STEPS = [assignVersion, updateEntries] as const;
