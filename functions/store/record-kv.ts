/**
 * The old key-value interface (./store.ts) over one shard of the record store, for the one user
 * left on it: tombstones (functions/registry/tombstones.ts), until the intent ledger replaces them.
 * Each key is its own record, so a write of one key never undoes a write of another.
 */
import type { RecordStore } from "./records.ts";
import type { KeyValueStore } from "./store.ts";

export class RecordKeyValueStore implements KeyValueStore {
  private readonly shard: RecordStore;
  constructor(shard: RecordStore) {
    this.shard = shard;
  }
  async get(key: string): Promise<string | null> {
    return (await this.shard.get(key))?.value ?? null;
  }
  async put(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void> {
    await this.shard.commit([
      { key, value, ...(options?.ttlSeconds ? { ttlSeconds: options.ttlSeconds } : {}) },
    ]);
  }
  async delete(key: string): Promise<void> {
    await this.shard.commit([{ key, value: null }]);
  }
  async list(prefix: string): Promise<string[]> {
    return (await this.shard.list(prefix)).map((r) => r.key);
  }
}
