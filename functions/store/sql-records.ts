/**
 * The record semantics of ./records.ts on SQLite, written once for both SQLite stores: a Durable
 * Object's `ctx.storage.sql` (./durable-records.ts, one object per shard) and Node's built-in
 * `node:sqlite` (./sqlite-records.ts, one database, a `shard` column). Synchronous on purpose: a
 * commit checks every condition and applies every write inside one transaction, with no await in
 * between, so nothing interleaves with it (a Durable Object runs one such call at a time; on Node
 * the transaction is `BEGIN IMMEDIATE`).
 *
 * Revisions come from a per-shard counter (`shard_revs`) that never goes back, so a record deleted
 * and created again never gets a revision a stale compare-and-set could still match.
 */
import {
  type CommitResult,
  checkKey,
  checkRead,
  checkWrites,
  expiryOf,
  type RecordWrite,
  type ShardStep,
  StepConflictError,
  type StepResult,
  type StoredRecord,
} from "./records.ts";

export type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

/** The three things the record logic needs from a SQLite connection. */
export interface SqlPort {
  all(sql: string, params: readonly SqlValue[]): SqlRow[];
  run(sql: string, params: readonly SqlValue[]): void;
  /** runs `fn` in one transaction: all of its statements apply, or (it throws) none */
  transaction<T>(fn: () => T): T;
}

export const SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS records (
     shard TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     rev INTEGER NOT NULL,
     expires_at INTEGER,
     PRIMARY KEY (shard, key)
   ) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS records_expiry ON records (shard, expires_at) WHERE expires_at IS NOT NULL",
  "CREATE TABLE IF NOT EXISTS shard_revs (shard TEXT PRIMARY KEY, last_rev INTEGER NOT NULL) WITHOUT ROWID",
];

/**
 * A Durable Object's SQLite binds at most 100 parameters per statement: a write of many rows or a
 * read of many keys is split to stay within them (5 per row; 2 besides the keys).
 */
export const MAX_BOUND_PARAMETERS = 100;
const ROWS_PER_WRITE = Math.floor(MAX_BOUND_PARAMETERS / 5);
const KEYS_PER_READ = MAX_BOUND_PARAMETERS - 2;

/** How many expired rows one sweep removes (the rest go with later commits). */
const SWEEP_BATCH = 32;
/** A shard whose last sweep found less than a batch is swept again after this long (`sweep`). */
export const SWEEP_EVERY_MS = 60_000;
/** The shards an instance remembers sweeping (then it forgets them all, and sweeps each again). */
const SWEPT_SHARDS = 4096;

/** Keys starting with `prefix` are in [prefix, prefix + U+10FFFF) (UTF-8 byte order, SQLite's). */
const PREFIX_END = "\u{10FFFF}";

function toRecord(row: SqlRow): StoredRecord {
  return {
    key: row.key as string,
    value: row.value as string,
    rev: Number(row.rev),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

export class SqlRecords {
  private readonly sql: SqlPort;
  private readonly now: () => number;
  /** shard → when this instance last swept it and found less than a full batch (`sweep`) */
  private readonly swept = new Map<string, number>();

  constructor(sql: SqlPort, now: () => number = Date.now) {
    this.sql = sql;
    this.now = now;
    for (const statement of SCHEMA) sql.run(statement, []);
  }

  get(shard: string, key: string, now = this.now()): StoredRecord | null {
    checkKey(key);
    const row = this.sql.all(
      "SELECT key, value, rev, expires_at FROM records WHERE shard = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)",
      [shard, key, now],
    )[0];
    return row ? toRecord(row) : null;
  }

  /** The live records of these keys (each once, in no order): one statement per 98 keys. */
  getMany(shard: string, keys: readonly string[], now = this.now()): StoredRecord[] {
    checkRead(keys.length);
    const unique = [...new Set(keys)];
    for (const key of unique) checkKey(key);
    const out: StoredRecord[] = [];
    for (let at = 0; at < unique.length; at += KEYS_PER_READ) {
      const chunk = unique.slice(at, at + KEYS_PER_READ);
      const rows = this.sql.all(
        `SELECT key, value, rev, expires_at FROM records WHERE shard = ? AND key IN (${chunk.map(() => "?").join(", ")}) AND (expires_at IS NULL OR expires_at > ?)`,
        [shard, ...chunk, now],
      );
      for (const row of rows) out.push(toRecord(row));
    }
    return out;
  }

  list(
    shard: string,
    prefix: string,
    options: { after?: string; limit?: number } = {},
    now = this.now(),
  ) {
    checkRead(0, options.limit);
    const from = options.after !== undefined && options.after >= prefix ? options.after : prefix;
    const fromOp = options.after !== undefined && options.after >= prefix ? ">" : ">=";
    const params: SqlValue[] = [shard, from, prefix + PREFIX_END, now];
    let query = `SELECT key, value, rev, expires_at FROM records WHERE shard = ? AND key ${fromOp} ? AND key < ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key`;
    if (options.limit !== undefined) {
      query += " LIMIT ?";
      params.push(options.limit);
    }
    // the range is a superset when a key holds U+10FFFF; the prefix test makes it exact
    return this.sql
      .all(query, params)
      .map(toRecord)
      .filter((r) => r.key.startsWith(prefix));
  }

  commit(shard: string, writes: readonly RecordWrite[]): CommitResult {
    checkWrites(writes);
    return this.sql.transaction(() => this.apply(shard, writes, this.now()));
  }

  /** `RecordStore.step` (./records.ts): the step's reads and writes in one transaction. */
  step<A, R>(shard: string, step: ShardStep<A, R>, args: A): StepResult<R> {
    return this.sql.transaction(() => {
      // one time for the step's reads and its writes' conditions: a TTL cannot run out between
      const now = this.now();
      // the revision of each record the step read (0: absent): its writes' conditions are checked
      // against them without a second read, since nothing is written in between
      const read = new Map<string, number>();
      const { writes, result } = step.run(
        {
          get: (key) => {
            const record = this.get(shard, key, now);
            read.set(key, record?.rev ?? 0);
            return record;
          },
          getMany: (keys) => {
            const found = new Map(this.getMany(shard, keys, now).map((r) => [r.key, r]));
            return keys.map((key) => {
              const record = found.get(key) ?? null;
              read.set(key, record?.rev ?? 0);
              return record;
            });
          },
          list: (prefix) => this.list(shard, prefix, {}, now),
        },
        args,
      );
      if (writes.length === 0) return { result, revs: {} };
      checkWrites(writes);
      const applied = this.apply(shard, writes, now, read);
      // thrown inside the transaction: it rolls back (nothing of the step is written)
      if (!applied.ok) throw new StepConflictError(step.name, applied.conflict);
      return { result, revs: applied.revs };
    });
  }

  /**
   * Deletes up to SWEEP_BATCH expired records of `shard` (inside the caller's transaction). No
   * read sees an expired record (every query compares `expires_at` with its time), so this only
   * frees storage: a shard is swept at most once per SWEEP_EVERY_MS by this instance, and at the
   * next commit again while a sweep finds a full batch.
   */
  private sweep(shard: string, now: number): void {
    const last = this.swept.get(shard);
    if (last !== undefined && now >= last && now - last < SWEEP_EVERY_MS) return;
    const removed = this.sql.all(
      "DELETE FROM records WHERE shard = ? AND key IN (SELECT key FROM records WHERE shard = ? AND expires_at IS NOT NULL AND expires_at <= ? LIMIT ?) RETURNING key",
      [shard, shard, now, SWEEP_BATCH],
    ).length;
    if (removed === SWEEP_BATCH) this.swept.delete(shard);
    else {
      // one time per shard this instance wrote (shards are few per instance; a bound all the same)
      if (this.swept.size >= SWEPT_SHARDS) this.swept.clear();
      this.swept.set(shard, now);
    }
  }

  /**
   * Checks every condition, then applies every write (inside the caller's transaction). `read`:
   * revisions already read in this transaction (a step's reads), used as they are.
   */
  private apply(
    shard: string,
    writes: readonly RecordWrite[],
    now: number,
    read?: ReadonlyMap<string, number>,
  ): CommitResult {
    for (const w of writes) {
      if (w.ifRev === undefined) continue;
      const rev = read?.get(w.key) ?? this.get(shard, w.key, now)?.rev ?? 0;
      if (rev !== w.ifRev) {
        return { ok: false as const, conflict: w.key };
      }
    }
    // the shard's counter moves past every write of this commit, in one statement
    const bumped = this.sql.all(
      "INSERT INTO shard_revs (shard, last_rev) VALUES (?, ?) ON CONFLICT (shard) DO UPDATE SET last_rev = shard_revs.last_rev + excluded.last_rev RETURNING last_rev",
      [shard, writes.length],
    )[0] as SqlRow;
    let rev = Number(bumped.last_rev) - writes.length;
    const revs: Record<string, number> = {};
    // each run of writes that keep a value is one statement (a later row of a key replaces an
    // earlier one, as one statement per write would); a deletion is one statement
    let upserts: SqlValue[] = [];
    const flush = () => {
      if (upserts.length === 0) return;
      const rows = Array.from({ length: upserts.length / 5 }, () => "(?, ?, ?, ?, ?)").join(", ");
      this.sql.run(
        `INSERT INTO records (shard, key, value, rev, expires_at) VALUES ${rows} ON CONFLICT (shard, key) DO UPDATE SET value = excluded.value, rev = excluded.rev, expires_at = excluded.expires_at`,
        upserts,
      );
      upserts = [];
    };
    for (const w of writes) {
      rev += 1;
      revs[w.key] = rev;
      if (w.value === null) {
        flush();
        this.sql.run("DELETE FROM records WHERE shard = ? AND key = ?", [shard, w.key]);
      } else {
        upserts.push(shard, w.key, w.value, rev, expiryOf(w, now));
        if (upserts.length === ROWS_PER_WRITE * 5) flush();
      }
    }
    flush();
    this.sweep(shard, now);
    return { ok: true as const, revs };
  }
}
