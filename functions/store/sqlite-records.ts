/**
 * Records on Node's built-in SQLite (`node:sqlite`): the Node entry's embedded store. One database
 * file (WAL mode, mode 0600), one `records` table with a `shard` column; `:memory:` for tests.
 * Commits are `BEGIN IMMEDIATE` transactions, so several processes on one file stay consistent.
 */
import { closeSync, openSync } from "node:fs";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { RecordStore, RecordWrite, ShardedStore, StoredRecord } from "./records.ts";
import { type SqlPort, SqlRecords, type SqlRow, type SqlValue } from "./sql-records.ts";

export interface SqliteStoreOptions {
  /** the clock for TTLs (ms since the epoch; tests may fix it) */
  now?: () => number;
}

export class SqliteShardedStore implements ShardedStore {
  private readonly db: DatabaseSync;
  private readonly records: SqlRecords;
  private readonly statements = new Map<string, StatementSync>();

  /** `path`: a database file (created 0600 when missing), or `:memory:` */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ":memory:") closeSync(openSync(path, "a", 0o600));
    this.db = new DatabaseSync(path);
    this.db.exec("PRAGMA journal_mode = WAL");
    this.db.exec("PRAGMA synchronous = NORMAL");
    this.db.exec("PRAGMA busy_timeout = 5000");
    const port: SqlPort = {
      all: (sql, params) => this.statement(sql).all(...params) as SqlRow[],
      run: (sql, params) => {
        this.statement(sql).run(...(params as SqlValue[]));
      },
      transaction: (fn) => {
        this.db.exec("BEGIN IMMEDIATE");
        try {
          const result = fn();
          this.db.exec("COMMIT");
          return result;
        } catch (error) {
          this.db.exec("ROLLBACK");
          throw error;
        }
      },
    };
    this.records = new SqlRecords(port, options.now ?? Date.now);
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  shard(name: string): RecordStore {
    const records = this.records;
    return {
      get: async (key: string) => records.get(name, key),
      getMany: async (keys: readonly string[]) =>
        new Map(records.getMany(name, keys).map((r): [string, StoredRecord] => [r.key, r])),
      list: async (prefix: string, options?: { after?: string; limit?: number }) =>
        records.list(name, prefix, options),
      commit: async (writes: readonly RecordWrite[]) => records.commit(name, writes),
      step: async (step, args) => records.step(name, step, args),
    };
  }

  close(): void {
    this.db.close();
  }
}
