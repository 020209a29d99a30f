/**
 * Records on Cloudflare Durable Objects with SQLite storage: one object per shard (`idFromName`),
 * whose RPC methods run the record logic (./sql-records.ts) synchronously on `ctx.storage.sql`
 * inside `transactionSync`. A Durable Object runs one such call at a time and confirms a commit
 * only once it is durable, so a read after an acknowledged commit sees it, wherever it comes from.
 * Locally `wrangler dev` runs the objects in workerd, their SQLite files under `--persist-to`.
 *
 * A step (`RecordStore.step`) crosses to the object as its name and arguments; the object runs
 * the step of that name among those it knows (`steps`: ./shard-steps.ts) inside one
 * `transactionSync`, so a read-decide-write of a shard is one round trip and never a lost race.
 *
 * Imported by the Worker entry only (`cloudflare:workers` exists only in workerd).
 */
import { DurableObject } from "cloudflare:workers";
import type { LogLine } from "../context.ts";
import {
  type CommitResult,
  type RecordStore,
  type RecordWrite,
  type ShardedStore,
  type ShardStep,
  type StepResult,
  type StoredRecord,
  stepByCommit,
} from "./records.ts";
import { fromOlderObject, SHARD_STEPS } from "./shard-steps.ts";
import { type SqlPort, SqlRecords, type SqlValue } from "./sql-records.ts";

/** Inside an object every row is of the one shard it is: the `shard` column holds "". */
const SELF = "";

/** The record logic's SQLite port on an object's own storage (`ctx.storage.sql`). */
export function objectSqlPort(ctx: DurableObjectState): SqlPort {
  const sql = ctx.storage.sql;
  return {
    all: (query, params) => sql.exec<Record<string, SqlValue>>(query, ...params).toArray(),
    run: (query, params) => {
      sql.exec(query, ...params);
    },
    transaction: (fn) => ctx.storage.transactionSync(fn),
  };
}

export class RecordShard extends DurableObject {
  /** the steps this class runs, by name (a test class may know more: test/support/records-worker) */
  static readonly steps: ReadonlyMap<string, ShardStep<unknown, unknown>> = SHARD_STEPS;
  private readonly records: SqlRecords;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.records = new SqlRecords(objectSqlPort(ctx));
  }

  get(key: string): StoredRecord | null {
    return this.records.get(SELF, key);
  }

  getMany(keys: string[]): StoredRecord[] {
    return this.records.getMany(SELF, keys);
  }

  list(prefix: string, options?: { after?: string; limit?: number }): StoredRecord[] {
    return this.records.list(SELF, prefix, options);
  }

  commit(writes: RecordWrite[]): CommitResult {
    return this.records.commit(SELF, writes);
  }

  step(name: string, args: unknown): StepResult<unknown> {
    const step = (this.constructor as typeof RecordShard).steps.get(name);
    if (!step) throw new Error(`no shard step named ${JSON.stringify(name)}`);
    return this.records.step(SELF, step, args);
  }
}

/** What a `RecordShard` stub offers (its RPC methods, asynchronous on the caller's side). */
interface RecordShardStub {
  get(key: string): Promise<StoredRecord | null>;
  getMany(keys: string[]): Promise<StoredRecord[]>;
  list(prefix: string, options?: { after?: string; limit?: number }): Promise<StoredRecord[]>;
  commit(writes: RecordWrite[]): Promise<CommitResult>;
  step(name: string, args: unknown): Promise<StepResult<unknown>>;
}

/** Shards as Durable Objects of the `RecordShard` class bound as `namespace`. */
export class DurableShardedStore implements ShardedStore {
  private readonly namespace: DurableObjectNamespace;
  private readonly log: (line: LogLine) => void;
  /** `log`: where a step run by commit on an older object is said (one line each) */
  constructor(namespace: DurableObjectNamespace, log: (line: LogLine) => void = () => {}) {
    this.namespace = namespace;
    this.log = log;
  }

  shard(name: string): RecordStore {
    // a stub per call (no I/O to make one): a stub kept from another request could not be used
    const stubOf = () => this.namespace.get(this.namespace.idFromName(name)) as RecordShardStub;
    const shard: RecordStore = {
      get: async (key) => await stubOf().get(key),
      getMany: async (keys) =>
        new Map((await stubOf().getMany([...keys])).map((r): [string, StoredRecord] => [r.key, r])),
      list: async (prefix, options) => await stubOf().list(prefix, options),
      commit: async (writes) => await stubOf().commit([...writes]),
      step: async <A, R>(step: ShardStep<A, R>, args: A) => {
        try {
          return (await stubOf().step(step.name, args)) as StepResult<R>;
        } catch (error) {
          // during a deploy the object may still run an older version (Cloudflare: "typically
          // seconds to minutes"), without steps or without this one: the same step by commit.
          // Said in the log: outside a deploy it means a step missing from shard-steps.ts
          if (!step.byCommit || !fromOlderObject(error)) throw error;
          this.log({
            type: "store",
            event: "step-by-commit",
            step: step.name,
            reason: error instanceof Error ? error.message : String(error),
          });
          return await stepByCommit(shard, step, args);
        }
      },
    };
    return shard;
  }
}
