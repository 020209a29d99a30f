/**
 * The intent ledger: per owner and secret, which version should be where, what was deleted on
 * purpose, and where each version was confirmed written (./entry.ts). Never a value.
 *
 * Storage (functions/store/records.ts): one shard per owner, `owner:<hash>` (one Durable Object on
 * Cloudflare), holding `seq` (the owner's version counter) and one record per secret,
 * `secret:<basename>`. A version is assigned atomically when a request starts: the counter and the
 * entry are written together by one step at the owner's shard (./steps.ts), so two requests never
 * get the same version and a later request always gets a larger one. Versions order writes and
 * deletions; wall clocks order nothing. Later changes of an entry (confirmations) are
 * compare-and-set commits.
 */
import { type ClusterConfirmation, intentKey } from "../../konduktor/sync.ts";
import { keys, ownerShard } from "../store/keys.ts";
import {
  CommitConflictError,
  RECORD_LIMITS,
  type RecordStore,
  type RecordWrite,
  type ShardedStore,
  updateRecord,
} from "../store/records.ts";
import {
  confirm,
  type LedgerEntry,
  settleContent,
  type startBump,
  startDelete,
  type WriteRequest,
} from "./entry.ts";
import { type Assigned, type Assignment, assignVersion } from "./steps.ts";

const PREFIX = keys.ledgerEntryPrefix;
const entryKey = keys.ledgerEntry;
const PAGE = 500;
const ATTEMPTS = 20;

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

/** An entry as one request last wrote or read it, with its revision (0: absent). */
export interface Known {
  value: LedgerEntry | null;
  rev: number;
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
    const { result, revs } = await this.shard(owner).step(assignVersion, {
      owner,
      basename,
      at,
      change,
    });
    return result.version === null ? result : { ...result, rev: revs[entryKey(basename)] ?? 0 };
  }

  /** Changes one entry with compare-and-set; `change` returning the same entry writes nothing. */
  private async update(
    owner: string,
    basename: string,
    change: (entry: LedgerEntry) => LedgerEntry | null,
    known?: Known,
  ): Promise<void> {
    await updateRecord<LedgerEntry>(
      this.shard(owner),
      entryKey(basename),
      (entry) => {
        if (!entry) return undefined;
        const next = change(entry);
        return next !== null && JSON.stringify(next) === JSON.stringify(entry) ? undefined : next;
      },
      known ? { known } : {},
    );
  }

  /**
   * A write starts: its version, or the entry's current content version when the write changes
   * nothing (`reused`: nothing committed). `before` is what a failed write restores.
   */
  async beginWrite(
    owner: string,
    basename: string,
    w: WriteRequest,
  ): Promise<{
    version: number;
    reused: boolean;
    before: LedgerEntry | null;
    /** the entry as this call left it, for `finishWrite` to commit against without reading */
    known: Known;
  }> {
    const r = await this.assign(owner, basename, { kind: "write", write: w });
    const known = { value: r.after, rev: r.rev };
    if (r.version === null) {
      return {
        version: (r.before as LedgerEntry).contentVersion,
        reused: true,
        before: r.before,
        known,
      };
    }
    return { version: r.version, reused: false, before: r.before, known };
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
    known?: Known,
  ): Promise<void> {
    await this.update(
      owner,
      basename,
      (entry) => {
        const confirmed = confirm(
          entry,
          outcome.written.map((w) => ({
            cluster: w.cluster,
            version,
            state: "written" as const,
            ...(w.resourceVersion === undefined ? {} : { resourceVersion: w.resourceVersion }),
          })),
        );
        const settled = settleContent(confirmed, version, outcome.written);
        if (!outcome.rollback || settled.version !== version) return settled;
        if (outcome.before === null) return null;
        return { ...outcome.before, version, clusters: settled.clusters };
      },
      known,
    );
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
    await this.update(owner, basename, (entry) =>
      confirm(
        entry,
        clusters.map((cluster) => ({ cluster, version, state: "deleted" as const })),
      ),
    );
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
    for (const [basename, clusters] of byName) {
      await this.update(owner, basename, (entry) => {
        if (entry.version > version || entry.deleted) return entry;
        const shrunk = startDelete(
          entry,
          owner,
          basename,
          version,
          {
            coverage: clusters,
            clusters,
            by,
          },
          at,
        ) as LedgerEntry;
        return confirm(
          shrunk,
          clusters.map((cluster) => ({ cluster, version, state: "deleted" as const })),
        );
      });
    }
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
   * `record` for many secrets of one owner: one read and one compare-and-set commit per 64
   * secrets (the commit bound), instead of a read and a commit per secret; the chunks at once (each
   * commit is conditional on its own records only). A commit that lost a race is read and tried
   * again as a whole; an entry removed meanwhile is left removed.
   */
  async recordMany(owner: string, seen: ReadonlyMap<string, Seen>): Promise<void> {
    const shard = this.shard(owner);
    const basenames = [...seen.keys()];
    const chunks: string[][] = [];
    for (let start = 0; start < basenames.length; start += RECORD_LIMITS.writesPerCommit) {
      chunks.push(basenames.slice(start, start + RECORD_LIMITS.writesPerCommit));
    }
    await Promise.all(chunks.map((chunk) => this.recordChunk(shard, owner, chunk, seen)));
  }

  private async recordChunk(
    shard: RecordStore,
    owner: string,
    chunk: readonly string[],
    seen: ReadonlyMap<string, Seen>,
  ): Promise<void> {
    for (let i = 0; ; i++) {
      if (i >= ATTEMPTS) throw new CommitConflictError(`${ownerShard(owner)}/${chunk[0]}`, i);
      const got = await shard.getMany(chunk.map(entryKey));
      const writes: RecordWrite[] = [];
      for (const basename of chunk) {
        const record = got.get(entryKey(basename));
        if (!record) continue;
        const entry = JSON.parse(record.value) as LedgerEntry;
        const s = seen.get(basename) as Seen;
        const confirmed = confirm(entry, s.confirmations);
        const next =
          !s.written || confirmed.contentDigest !== null
            ? confirmed
            : settleContent(confirmed, s.written.version, s.written.copies);
        if (JSON.stringify(next) === JSON.stringify(entry)) continue;
        writes.push({ key: entryKey(basename), value: JSON.stringify(next), ifRev: record.rev });
      }
      if (writes.length === 0 || (await shard.commit(writes)).ok) break;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** i)));
    }
  }
}
