/**
 * Records on Cloudflare Durable Objects with SQLite storage: one object per shard (`idFromName`),
 * whose RPC methods run the record logic (./sql-records.ts) synchronously on `ctx.storage.sql`
 * inside `transactionSync`. A Durable Object runs one such call at a time and confirms a commit
 * only once it is durable, so a read after an acknowledged commit sees it, wherever it comes from.
 * Locally `wrangler dev` runs the objects in workerd, their SQLite files under `--persist-to`.
 *
 * Imported by the Worker entry only (`cloudflare:workers` exists only in workerd).
 */
import { DurableObject } from "cloudflare:workers";
import type {
  CommitResult,
  RecordStore,
  RecordWrite,
  ShardedStore,
  StoredRecord,
} from "./records.ts";
import { type SqlPort, SqlRecords, type SqlValue } from "./sql-records.ts";

/** Inside an object every row is of the one shard it is: the `shard` column holds "". */
const SELF = "";

export class RecordShard extends DurableObject {
  private readonly records: SqlRecords;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    const port: SqlPort = {
      all: (query, params) => sql.exec<Record<string, SqlValue>>(query, ...params).toArray(),
      run: (query, params) => {
        sql.exec(query, ...params);
      },
      transaction: (fn) => ctx.storage.transactionSync(fn),
    };
    this.records = new SqlRecords(port);
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
}

/** What a `RecordShard` stub offers (its RPC methods, asynchronous on the caller's side). */
interface RecordShardStub {
  get(key: string): Promise<StoredRecord | null>;
  getMany(keys: string[]): Promise<StoredRecord[]>;
  list(prefix: string, options?: { after?: string; limit?: number }): Promise<StoredRecord[]>;
  commit(writes: RecordWrite[]): Promise<CommitResult>;
}

/** Shards as Durable Objects of the `RecordShard` class bound as `namespace`. */
export class DurableShardedStore implements ShardedStore {
  private readonly namespace: DurableObjectNamespace;
  constructor(namespace: DurableObjectNamespace) {
    this.namespace = namespace;
  }

  shard(name: string): RecordStore {
    // a stub per call (no I/O to make one): a stub kept from another request could not be used
    const stubOf = () => this.namespace.get(this.namespace.idFromName(name)) as RecordShardStub;
    return {
      get: async (key) => await stubOf().get(key),
      getMany: async (keys) =>
        new Map((await stubOf().getMany([...keys])).map((r): [string, StoredRecord] => [r.key, r])),
      list: async (prefix, options) => await stubOf().list(prefix, options),
      commit: async (writes) => await stubOf().commit([...writes]),
    };
  }
}
