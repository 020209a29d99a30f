/** A record store that counts what is asked of it (reads, commits, steps), for tests and the bench. */
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
  /** step calls: one read-decide-write each, at the shard (one round trip) */
  steps: number;
}

export class CountingShardedStore implements ShardedStore {
  /** over every shard */
  readonly counts: RecordCounts = { reads: 0, recordsRead: 0, commits: 0, steps: 0 };
  private readonly byShard = new Map<string, RecordCounts>();
  private readonly inner: ShardedStore;
  private readonly wrapped = new Map<string, RecordStore>();

  constructor(inner: ShardedStore = new MemoryShardedStore()) {
    this.inner = inner;
  }

  /** the counts of the shards whose name starts with `prefix` (e.g. `owner:`) */
  countsFor(prefix: string): RecordCounts {
    const sum: RecordCounts = { reads: 0, recordsRead: 0, commits: 0, steps: 0 };
    for (const [name, c] of this.byShard) {
      if (!name.startsWith(prefix)) continue;
      sum.reads += c.reads;
      sum.recordsRead += c.recordsRead;
      sum.commits += c.commits;
      sum.steps += c.steps;
    }
    return sum;
  }

  reset(): RecordCounts {
    const before = { ...this.counts };
    for (const c of [this.counts, ...this.byShard.values()]) {
      Object.assign(c, { reads: 0, recordsRead: 0, commits: 0, steps: 0 });
    }
    return before;
  }

  shard(name: string): RecordStore {
    let store = this.wrapped.get(name);
    if (!store) {
      const inner = this.inner.shard(name);
      const mine: RecordCounts = { reads: 0, recordsRead: 0, commits: 0, steps: 0 };
      this.byShard.set(name, mine);
      const count = (field: keyof RecordCounts, n = 1) => {
        this.counts[field] += n;
        mine[field] += n;
      };
      store = {
        get: async (key) => {
          count("reads");
          const r = await inner.get(key);
          if (r) count("recordsRead");
          return r;
        },
        getMany: async (keys) => {
          count("reads");
          const r = await inner.getMany(keys);
          count("recordsRead", r.size);
          return r;
        },
        list: async (prefix, options) => {
          count("reads");
          const r = await inner.list(prefix, options);
          count("recordsRead", r.length);
          return r;
        },
        commit: async (writes) => {
          count("commits");
          return await inner.commit(writes);
        },
        step: async (step, args) => {
          count("steps");
          return await inner.step(step, args);
        },
      };
      this.wrapped.set(name, store);
    }
    return store;
  }
}
