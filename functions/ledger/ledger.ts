/**
 * The intent ledger: per owner and secret, which version should be where, what was deleted on
 * purpose, and where each version was confirmed written (./entry.ts). Never a value.
 *
 * Storage (functions/store/records.ts): one shard per owner, `owner:<hash>` (one Durable Object on
 * Cloudflare), holding `seq` (the owner's version counter) and one record per secret,
 * `secret:<basename>`. A version is assigned atomically when a request starts: the counter and the
 * entry are written together by one step at the owner's shard (./steps.ts), so two requests never
 * get the same version and a later request always gets a larger one. Versions order writes and
 * deletions; wall clocks order nothing. What requests and syncs learn of the clusters later
 * (confirmations, settled content, rollbacks) is written by steps too: no compare-and-set loop.
 */
import { type ClusterConfirmation, intentKey } from "../../konduktor/sync.ts";
import { keys, ownerShard } from "../store/keys.ts";
import { RECORD_LIMITS, type RecordStore, type ShardedStore } from "../store/records.ts";
import type { LedgerEntry, startBump, WriteRequest } from "./entry.ts";
import {
  type Assigned,
  type Assignment,
  assignVersion,
  type EntryChange,
  updateEntries,
} from "./steps.ts";

const PREFIX = keys.ledgerEntryPrefix;
const entryKey = keys.ledgerEntry;
const PAGE = 500;

/** What a sync saw of one secret: confirmations, and the copies it wrote at one version. */
export interface Seen {
  confirmations: readonly ({ cluster: string } & ClusterConfirmation)[];
  written?: { version: number; copies: readonly Written[] };
}

/** A write's copies as the clusters confirmed them (keyed digests, never values). */
export interface Written {
  cluster: string;
  contentDigest: string;
  digests: Record<string, string>;
  /** the copy's resourceVersion after the write (or the check), when the cluster answered it */
  resourceVersion?: string;
}

export class Ledger {
  private readonly records: ShardedStore;
  private readonly now: () => Date;

  constructor(records: ShardedStore, now: () => Date = () => new Date()) {
    this.records = records;
    this.now = now;
  }

  private shard(owner: string): RecordStore {
    return this.records.shard(ownerShard(owner));
  }

  async get(owner: string, basename: string): Promise<LedgerEntry | null> {
    const record = await this.shard(owner).get(entryKey(basename));
    return record ? (JSON.parse(record.value) as LedgerEntry) : null;
  }

  /** Every entry of these owners, by `intentKey(owner, basename)` (one listing per owner). */
  async entries(owners: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const out = new Map<string, LedgerEntry>();
    await Promise.all(
      [...new Set(owners)].map(async (owner) => {
        const shard = this.shard(owner);
        let after: string | undefined;
        for (;;) {
          const page = await shard.list(PREFIX, { limit: PAGE, ...(after ? { after } : {}) });
          for (const r of page) {
            const e = JSON.parse(r.value) as LedgerEntry;
            out.set(intentKey(e.owner, e.basename), e);
          }
          if (page.length < PAGE) break;
          after = (page.at(-1) as { key: string }).key;
        }
      }),
    );
    return out;
  }

  /**
   * Assigns the owner's next version to a secret and writes the entry `change` makes of it, in one
   * atomic step at the owner's shard (./steps.ts): two requests never get the same version, and a
   * later request always gets a larger one. A change that assigns nothing writes nothing (then
   * `version` is null).
   */
  private async assign(owner: string, basename: string, change: Assignment): Promise<Assigned> {
    const at = this.now().toISOString();
    const { result } = await this.shard(owner).step(assignVersion, {
      owner,
      basename,
      at,
      change,
    });
    return result;
  }

  /**
   * Applies what was learned of these entries, one `ledger.update` step per 64 entries (the commit
   * bound), the steps at once: each writes only its own entries.
   */
  private async update(
    owner: string,
    changes: readonly { basename: string; change: EntryChange }[],
  ): Promise<void> {
    const shard = this.shard(owner);
    const steps: Promise<unknown>[] = [];
    for (let start = 0; start < changes.length; start += RECORD_LIMITS.writesPerCommit) {
      const chunk = changes.slice(start, start + RECORD_LIMITS.writesPerCommit);
      steps.push(shard.step(updateEntries, { changes: chunk }));
    }
    await Promise.all(steps);
  }

  /**
   * A write starts: its version, or the entry's current content version when the write changes
   * nothing (`reused`: nothing written). `before` is what a failed write restores.
   */
  async beginWrite(
    owner: string,
    basename: string,
    w: WriteRequest,
  ): Promise<{ version: number; reused: boolean; before: LedgerEntry | null }> {
    const r = await this.assign(owner, basename, { kind: "write", write: w });
    if (r.version === null) {
      return { version: (r.before as LedgerEntry).contentVersion, reused: true, before: r.before };
    }
    return { version: r.version, reused: false, before: r.before };
  }

  /**
   * A write ended: the clusters that hold it are confirmed, and its content is settled. When it
   * wrote nowhere for sure (`rollback`) and nothing newer started, the previous content is restored
   * (the version stays used: an older version never comes back).
   */
  async finishWrite(
    owner: string,
    basename: string,
    version: number,
    outcome: { written: readonly Written[]; rollback: boolean; before: LedgerEntry | null },
  ): Promise<void> {
    await this.update(owner, [{ basename, change: { kind: "finish-write", version, ...outcome } }]);
  }

  /** A deletion starts: its version (the entry is deleted, or its placement shrinks). */
  async beginDelete(
    owner: string,
    basename: string,
    d: { coverage: string[] | "all"; clusters: readonly string[]; by: string },
  ): Promise<number> {
    const r = await this.assign(owner, basename, { kind: "delete", delete: d });
    return r.version as number;
  }

  /** A deletion (or a git-ssh write that replaced this one) ended on these clusters. */
  async finishDelete(
    owner: string,
    basename: string,
    version: number,
    clusters: readonly string[],
  ): Promise<void> {
    await this.update(owner, [{ basename, change: { kind: "finish-delete", version, clusters } }]);
  }

  /**
   * git-ssh is one per owner: a write of `version` deleted the owner's other git-ssh secrets on
   * these clusters. Each is recorded as deleted there (unless a newer intent for it started since).
   */
  async replacedGitSsh(
    owner: string,
    replaced: readonly { cluster: string; basename: string }[],
    version: number,
    by: string,
  ): Promise<void> {
    const at = this.now().toISOString();
    const byName = new Map<string, string[]>();
    for (const r of replaced)
      byName.set(r.basename, [...(byName.get(r.basename) ?? []), r.cluster]);
    await this.update(
      owner,
      [...byName].map(([basename, clusters]) => ({
        basename,
        change: { kind: "replaced-git-ssh", owner, version, clusters, by, at },
      })),
    );
  }

  /**
   * A sync gives a secret a new version from a copy (adoption, or a named source), provided the
   * entry is still what the sync planned with (`expected`: its version, null = no entry).
   * Null when it changed meanwhile (then the sync writes nothing for it).
   */
  async bump(
    b: Parameters<typeof startBump>[1] & { expected: number | null },
  ): Promise<number | null> {
    const { expected, ...bump } = b;
    const r = await this.assign(b.owner, b.basename, { kind: "bump", bump, expected });
    return r.version;
  }

  /**
   * What a sync wrote, deleted or saw: confirmations (newer versions only) and, when every copy of
   * the content version agrees, its digest. Writes nothing when nothing changes.
   */
  async record(owner: string, basename: string, seen: Seen): Promise<void> {
    await this.recordMany(owner, new Map([[basename, seen]]));
  }

  /**
   * `record` for many secrets of one owner: one step per 64 secrets (the commit bound), instead of
   * one per secret, the steps at once. An entry removed meanwhile is left removed.
   */
  async recordMany(owner: string, seen: ReadonlyMap<string, Seen>): Promise<void> {
    await this.update(
      owner,
      [...seen].map(([basename, s]) => ({ basename, change: { kind: "record", seen: s } })),
    );
  }
}
