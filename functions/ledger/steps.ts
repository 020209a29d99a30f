/**
 * The ledger's version assignment as a shard step (functions/store/records.ts `ShardStep`): the
 * owner's counter and the secret's entry are read, the transition decided, and both written, in
 * one atomic call where the owner's shard lives. One round trip for a write's or a deletion's
 * start, and concurrent requests of one owner queue at the shard instead of losing a
 * compare-and-set on the shared counter and backing off.
 */
import { keys } from "../store/keys.ts";
import type { RecordWrite, ShardStep } from "../store/records.ts";
import {
  type LedgerEntry,
  startBump,
  startDelete,
  startWrite,
  type WriteRequest,
  writeChangesNothing,
} from "./entry.ts";

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
  after: LedgerEntry | null;
  /** the entry's revision when nothing was written (0: absent); the store answers it otherwise */
  rev: number;
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
  run(view, args) {
    const key = keys.ledgerEntry(args.basename);
    const seq = view.get(keys.ledgerSeq);
    const record = view.get(key);
    const before = record ? (JSON.parse(record.value) as LedgerEntry) : null;
    const version = (seq ? (JSON.parse(seq.value) as { n: number }).n : 0) + 1;
    const after = transition(before, version, args);
    if (after === undefined) {
      return {
        writes: [],
        result: { version: null, before, after: before, rev: record?.rev ?? 0 },
      };
    }
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
    return { writes, result: { version, before, after, rev: 0 } };
  },
};
