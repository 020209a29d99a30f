/** A record store that counts what is asked of it (reads and commits), for tests and the bench. */
import {
  MemoryShardedStore,
  type RecordStore,
  type ShardedStore,
} from "../../functions/store/records.ts";

export interface RecordCounts {
  /** get, getMany and list calls */
  reads: number;
  /** records those calls returned */
  recordsRead: number;
  /** commit calls (successful or not) */
  commits: number;
}

export class CountingShardedStore implements ShardedStore {
  readonly counts: RecordCounts = { reads: 0, recordsRead: 0, commits: 0 };
  private readonly inner: ShardedStore;
  private readonly wrapped = new Map<string, RecordStore>();

  constructor(inner: ShardedStore = new MemoryShardedStore()) {
    this.inner = inner;
  }

  reset(): RecordCounts {
    const before = { ...this.counts };
    Object.assign(this.counts, { reads: 0, recordsRead: 0, commits: 0 });
    return before;
  }

  shard(name: string): RecordStore {
    let store = this.wrapped.get(name);
    if (!store) {
      const inner = this.inner.shard(name);
      const c = this.counts;
      store = {
        get: async (key) => {
          c.reads++;
          const r = await inner.get(key);
          if (r) c.recordsRead++;
          return r;
        },
        getMany: async (keys) => {
          c.reads++;
          const r = await inner.getMany(keys);
          c.recordsRead += r.size;
          return r;
        },
        list: async (prefix, options) => {
          c.reads++;
          const r = await inner.list(prefix, options);
          c.recordsRead += r.length;
          return r;
        },
        commit: async (writes) => {
          c.commits++;
          return await inner.commit(writes);
        },
      };
      this.wrapped.set(name, store);
    }
    return store;
  }
}
