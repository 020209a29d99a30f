/**
 * The broker's consistent state primitive: records with revisions, in shards, written by
 * atomic, conditional commits (compare-and-set on each record's revision), or by steps the shard
 * runs itself (a read-decide-write in one atomic call, `RecordStore.step`).
 *
 * A shard is one unit of consistency: one Durable Object (SQLite storage) on Cloudflare, one
 * `node:sqlite` database (a `shard` column) on Node, one Map in memory. Every read of a shard sees
 * every commit acknowledged before it (no eventual consistency), and a commit either applies all
 * of its writes or none. Entity stores (clusters, tokens, bindings, hooks, deliveries, the ledger)
 * are built on this: one record per entity, never a read-modify-write of a shared document.
 *
 * Implementations must pass the one contract suite (test/support/records-contract.ts).
 */

export interface StoredRecord {
  key: string;
  /** JSON text (the entity stores own the format) */
  value: string;
  /** > 0; changes on every write of this key (strictly increasing within the shard) */
  rev: number;
  /** ms since the epoch after which the record no longer exists, or null */
  expiresAt: number | null;
}

export interface RecordWrite {
  key: string;
  /** the new value, or null to delete */
  value: string | null;
  /**
   * the condition: the record's current revision must be this; 0 = the record must not exist (or
   * has expired). Omitted: unconditional.
   */
  ifRev?: number;
  /** the record expires this long after the commit (ignored on delete) */
  ttlSeconds?: number;
}

export type CommitResult =
  | { ok: true; revs: Record<string, number> }
  | { ok: false; conflict: string };

export interface RecordStore {
  get(key: string): Promise<StoredRecord | null>;
  getMany(keys: readonly string[]): Promise<Map<string, StoredRecord>>;
  /** records whose key starts with `prefix`, sorted by key; `after`: only keys > after */
  list(prefix: string, options?: { after?: string; limit?: number }): Promise<StoredRecord[]>;
  /** applies every write atomically if every condition holds; else nothing, naming one key */
  commit(writes: readonly RecordWrite[]): Promise<CommitResult>;
  /**
   * Runs `step` where the shard's records are, atomically: its reads and its writes with nothing
   * in between, in one call (a Durable Object: one round trip, by the step's name). Answers the
   * step's result and the revisions of what it wrote (`{}` when it wrote nothing). A step that
   * throws, or whose writes break a bound, writes nothing.
   */
  step<A, R>(step: ShardStep<A, R>, args: A): Promise<StepResult<R>>;
}

/** What a step reads: the shard's live records, as they are inside the step. */
export interface ShardView {
  get(key: string): StoredRecord | null;
  /** `get` of each key, in their order, at once (one statement where the shard is SQLite) */
  getMany(keys: readonly string[]): (StoredRecord | null)[];
  /**
   * Every live record whose key starts with `prefix`, sorted by key, unpaged (for a prefix whose
   * records the shard bounds, as `list` without a limit). Not for a `byCommit` step: a listing
   * has no revision a compare-and-set could guard.
   */
  list(prefix: string): StoredRecord[];
}

/**
 * A read-decide-write of one shard that the shard runs itself (`RecordStore.step`): where a
 * compare-and-set loop would read, decide, commit and lose to a concurrent writer, a step run by
 * the shard cannot lose. `run` is synchronous and pure (what it reads and `args` decide its writes
 * and result); `args` and the result are plain JSON data, since a Durable Object gets the step by
 * `name` (functions/store/shard-steps.ts lists the steps a shard knows). A name keeps its
 * arguments and meaning for good: a step that changes gets a new name, since an object of another
 * version runs its own code for the name it knows.
 */
export interface ShardStep<A, R> {
  name: string;
  run(view: ShardView, args: A): { writes: RecordWrite[]; result: R };
  /**
   * The step may also run as reads and a compare-and-set commit (`stepByCommit`), which sees no
   * single moment of the shard: declare it only when each record the step reads either is written
   * by it with `ifRev`, or decides nothing but that record's own change (a record it leaves as it
   * is then changes nothing), or is guarded by a record it writes with `ifRev` (the ledger's
   * counter guards an absent entry: every start writes the counter). How a Worker runs the step on
   * a Durable Object of an older version, for the minutes of a deploy.
   */
  byCommit?: boolean;
}

export interface StepResult<R> {
  result: R;
  /** key → revision of each record the step wrote (`{}`: it wrote nothing) */
  revs: Record<string, number>;
}

export interface ShardedStore {
  /** the shard of that name (e.g. "control", or "owner:<hash>"); shards share nothing */
  shard(name: string): RecordStore;
}

/**
 * Bounds every implementation enforces before it touches storage (a Durable Object row holds at
 * most 2 MB; entity stores write a few KB). Over a bound: `RecordLimitError`, nothing written.
 */
export const RECORD_LIMITS = {
  keyChars: 512,
  valueChars: 1_000_000,
  writesPerCommit: 64,
  keysPerRead: 1_000,
} as const;

export class RecordLimitError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "RecordLimitError";
  }
}

/** Throws `RecordLimitError` when a commit breaks a bound of `RECORD_LIMITS`. */
export function checkWrites(writes: readonly RecordWrite[]): void {
  if (writes.length === 0 || writes.length > RECORD_LIMITS.writesPerCommit) {
    throw new RecordLimitError(
      `a commit has 1 to ${RECORD_LIMITS.writesPerCommit} writes, not ${writes.length}`,
    );
  }
  for (const w of writes) {
    checkKey(w.key);
    if (w.value !== null && w.value.length > RECORD_LIMITS.valueChars) {
      throw new RecordLimitError(
        `the value of ${w.key} has ${w.value.length} characters; at most ${RECORD_LIMITS.valueChars}`,
      );
    }
    if (w.ifRev !== undefined && !(Number.isSafeInteger(w.ifRev) && w.ifRev >= 0)) {
      throw new RecordLimitError(`ifRev of ${w.key} must be a whole number >= 0`);
    }
    if (w.ttlSeconds !== undefined && !(Number.isFinite(w.ttlSeconds) && w.ttlSeconds > 0)) {
      throw new RecordLimitError(`ttlSeconds of ${w.key} must be a number > 0`);
    }
  }
}

/** A UTF-16 surrogate not in a pair (in a `u` pattern a pair is one code point, not a surrogate) */
const LONE_SURROGATE = /\p{Cs}/u;

/** Throws `RecordLimitError` for an empty or too long key, or one with a lone surrogate. */
export function checkKey(key: string): void {
  if (typeof key !== "string" || key.length === 0 || key.length > RECORD_LIMITS.keyChars) {
    throw new RecordLimitError(`a record key has 1 to ${RECORD_LIMITS.keyChars} characters`);
  }
  // SQLite would keep a lone surrogate as U+FFFD: the key read back would not be the key asked for
  if (LONE_SURROGATE.test(key)) {
    throw new RecordLimitError("a record key is well-formed text (no lone surrogate)");
  }
}

/** Throws `RecordLimitError` for a read of too many keys or a too large list page. */
export function checkRead(keys: number, limit?: number): void {
  if (keys > RECORD_LIMITS.keysPerRead) {
    throw new RecordLimitError(`a read names at most ${RECORD_LIMITS.keysPerRead} keys`);
  }
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
    throw new RecordLimitError("a list limit is a whole number >= 0");
  }
}

/** The expiry time of a write committed at `now` (ms), or null. */
export function expiryOf(write: RecordWrite, now: number): number | null {
  return write.ttlSeconds !== undefined ? now + Math.round(write.ttlSeconds * 1000) : null;
}

/**
 * A step's own write conditions failed: the step asked for a revision other than the one it read
 * (a bug in the step, never a concurrent writer). Nothing was written.
 */
export class StepConflictError extends Error {
  constructor(step: string, key: string) {
    super(`shard step ${step}: its write of ${key} does not match what it read`);
    this.name = "StepConflictError";
  }
}

export class CommitConflictError extends Error {
  readonly key: string;
  constructor(key: string, attempts: number) {
    super(`record ${key} kept changing under ${attempts} attempts`);
    this.name = "CommitConflictError";
    this.key = key;
  }
}

/**
 * Read-modify-write of one record with compare-and-set, retried on conflict. `change` gets the
 * current value (or null) and returns the new value, null to delete, or `undefined` to leave it
 * as it is (nothing is written). Returns what was committed (or left).
 */
export async function updateRecord<T>(
  store: RecordStore,
  key: string,
  change: (current: T | null) => T | null | undefined,
  options: { attempts?: number; ttlSeconds?: number } = {},
): Promise<T | null> {
  const attempts = options.attempts ?? 20;
  for (let i = 0; i < attempts; i++) {
    const record = await store.get(key);
    const current = record ? (JSON.parse(record.value) as T) : null;
    const next = change(current);
    if (next === undefined) return current;
    const result = await store.commit([
      {
        key,
        value: next === null ? null : JSON.stringify(next),
        ifRev: record?.rev ?? 0,
        ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
      },
    ]);
    if (result.ok) return next;
  }
  throw new CommitConflictError(key, attempts);
}

/**
 * Runs a `byCommit` step with reads and a compare-and-set commit, retried on conflict (the way
 * every store worked before steps): the step runs against the records read so far, the records it
 * asked for and had not are read (one `getMany` per pass), and it runs again until it asked for
 * nothing new; its writes are then committed on their own conditions. For a store that cannot run
 * the step itself (a Durable Object of an older version, functions/store/durable-records.ts).
 */
export async function stepByCommit<A, R>(
  store: Pick<RecordStore, "getMany" | "commit">,
  step: ShardStep<A, R>,
  args: A,
  attempts = 20,
): Promise<StepResult<R>> {
  if (!step.byCommit) throw new Error(`shard step ${step.name} cannot run by compare-and-set`);
  let conflict = "";
  for (let i = 0; i < attempts; i++) {
    if (i > 0) {
      // another writer changed a record the step read: back off (full jitter), read again
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** i)));
    }
    const read = new Map<string, StoredRecord | null>();
    let out: { writes: RecordWrite[]; result: R } | undefined;
    for (let pass = 0; out === undefined; pass++) {
      const missing = new Set<string>();
      const get = (key: string) => {
        checkKey(key);
        if (read.has(key)) return read.get(key) ?? null;
        missing.add(key);
        return null;
      };
      const view: ShardView = {
        get,
        getMany: (keys) => {
          checkRead(keys.length);
          return keys.map(get);
        },
        list: () => {
          throw new Error(
            `shard step ${step.name} lists records: it cannot run by compare-and-set`,
          );
        },
      };
      let failure: unknown;
      try {
        const ran = step.run(view, args);
        if (missing.size === 0) out = ran;
      } catch (error) {
        // a step that saw every record it asked for failed for itself: its error, at once
        if (missing.size === 0) throw error;
        failure = error; // else it decided on records it had not seen yet: read them, run again
      }
      if (out !== undefined) break;
      if (pass >= 8) {
        throw new Error(`shard step ${step.name} kept asking for more records`, {
          ...(failure === undefined ? {} : { cause: failure }),
        });
      }
      const got = await store.getMany([...missing]);
      for (const key of missing) read.set(key, got.get(key) ?? null);
    }
    if (out.writes.length === 0) return { result: out.result, revs: {} };
    const committed = await store.commit(out.writes);
    if (committed.ok) return { result: out.result, revs: committed.revs };
    conflict = committed.conflict;
  }
  throw new CommitConflictError(`${conflict} (shard step ${step.name})`, attempts);
}

/** In memory (unit tests; one process). Same semantics as the real stores, TTLs included. */
export class MemoryRecordStore implements RecordStore {
  private readonly data = new Map<string, StoredRecord>();
  private lastRev = 0;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  private live(key: string, now = this.now()): StoredRecord | null {
    const record = this.data.get(key);
    if (!record) return null;
    if (record.expiresAt !== null && record.expiresAt <= now) {
      this.data.delete(key);
      return null;
    }
    return record;
  }

  async get(key: string): Promise<StoredRecord | null> {
    const record = this.live(key);
    return record ? { ...record } : null;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, StoredRecord>> {
    checkRead(keys.length);
    const found = new Map<string, StoredRecord>();
    for (const key of keys) {
      const record = this.live(key);
      if (record) found.set(key, { ...record });
    }
    return found;
  }

  async list(prefix: string, options: { after?: string; limit?: number } = {}) {
    return this.listNow(prefix, options);
  }

  private listNow(
    prefix: string,
    options: { after?: string; limit?: number },
    now = this.now(),
  ): StoredRecord[] {
    checkRead(0, options.limit);
    const keys = [...this.data.keys()]
      .filter((k) => k.startsWith(prefix) && (options.after === undefined || k > options.after))
      .sort();
    const out: StoredRecord[] = [];
    for (const key of keys) {
      if (options.limit !== undefined && out.length >= options.limit) break;
      const record = this.live(key, now);
      if (record) out.push({ ...record });
    }
    return out;
  }

  async commit(writes: readonly RecordWrite[]): Promise<CommitResult> {
    return this.commitNow(writes);
  }

  async step<A, R>(step: ShardStep<A, R>, args: A): Promise<StepResult<R>> {
    // synchronous from the first read to the last write, at one time (a TTL cannot run out
    // between the step's read and its write's condition): nothing happens in between
    const now = this.now();
    const get = (key: string) => {
      checkKey(key);
      const record = this.live(key, now);
      return record ? { ...record } : null;
    };
    const view: ShardView = {
      get,
      getMany: (keys) => {
        checkRead(keys.length);
        return keys.map(get);
      },
      list: (prefix) => this.listNow(prefix, {}, now),
    };
    const { writes, result } = step.run(view, args);
    if (writes.length === 0) return { result, revs: {} };
    const committed = this.commitNow(writes, now);
    if (!committed.ok) throw new StepConflictError(step.name, committed.conflict);
    return { result, revs: committed.revs };
  }

  private commitNow(writes: readonly RecordWrite[], now = this.now()): CommitResult {
    checkWrites(writes);
    for (const w of writes) {
      if (w.ifRev === undefined) continue;
      if ((this.live(w.key, now)?.rev ?? 0) !== w.ifRev) return { ok: false, conflict: w.key };
    }
    const revs: Record<string, number> = {};
    for (const w of writes) {
      const rev = ++this.lastRev;
      revs[w.key] = rev;
      if (w.value === null) this.data.delete(w.key);
      else {
        this.data.set(w.key, {
          key: w.key,
          value: w.value,
          rev,
          expiresAt: expiryOf(w, now),
        });
      }
    }
    return { ok: true, revs };
  }
}

/** Memory shards (unit tests). */
export class MemoryShardedStore implements ShardedStore {
  private readonly shards = new Map<string, MemoryRecordStore>();
  private readonly now: () => number;
  constructor(now: () => number = Date.now) {
    this.now = now;
  }
  shard(name: string): RecordStore {
    let shard = this.shards.get(name);
    if (!shard) {
      shard = new MemoryRecordStore(this.now);
      this.shards.set(name, shard);
    }
    return shard;
  }
}
