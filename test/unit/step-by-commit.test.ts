// stepByCommit: a step run as reads and a compare-and-set commit, for a Durable Object of the
// version before steps (functions/store/durable-records.ts falls back to it during a deploy).
import { describe, expect, it } from "vitest";
import { assignVersion } from "../../functions/ledger/steps.ts";
import {
  MemoryShardedStore,
  type RecordStore,
  type ShardStep,
  stepByCommit,
} from "../../functions/store/records.ts";
import { writeRequest } from "../support/ledger-fixtures.ts";
import { claimStep, listStep } from "../support/test-steps.ts";

const assign = (basename: string, A: string) => ({
  owner: "0a1b2c3d",
  basename,
  at: "2030-01-01T00:00:00.000Z",
  change: { kind: "write" as const, write: writeRequest({ A }) },
});

/** The store's reads and commits, in order; `beforeCommit` runs once, before the first commit. */
function watched(inner: RecordStore, beforeCommit?: () => Promise<void>) {
  const calls: string[] = [];
  let pending = beforeCommit;
  const store = {
    getMany: async (keys: readonly string[]) => {
      calls.push(`read ${[...keys].join(",")}`);
      return await inner.getMany(keys);
    },
    commit: async (writes: Parameters<RecordStore["commit"]>[0]) => {
      const run = pending;
      pending = undefined;
      await run?.();
      const result = await inner.commit(writes);
      calls.push(`commit ${result.ok ? "ok" : "conflict"}`);
      return result;
    },
  };
  return { store, calls };
}

describe("stepByCommit", () => {
  it("gives what the step gives at the shard: one read of what it asked for, one commit", async () => {
    const shard = new MemoryShardedStore().shard("owner:0a1b2c3d");
    const { store, calls } = watched(shard);
    const done = await stepByCommit(store, assignVersion, assign("db", "hmac-sha256:t1:a"));
    expect(done.result).toMatchObject({ version: 1, before: null });
    expect(Object.keys(done.revs).sort()).toEqual(["secret:db", "seq"]);
    expect(calls).toEqual(["read seq,secret:db", "commit ok"]);
    // the same step at the shard continues from there
    expect((await shard.step(assignVersion, assign("db", "hmac-sha256:t1:b"))).result.version).toBe(
      2,
    );
  });

  it("reads again and keeps the other writer's version when it lost the race", async () => {
    const shard = new MemoryShardedStore().shard("owner:0a1b2c3d");
    const { store, calls } = watched(shard, async () => {
      await shard.step(assignVersion, assign("other", "hmac-sha256:t1:o"));
    });
    const done = await stepByCommit(store, assignVersion, assign("db", "hmac-sha256:t1:a"));
    expect(done.result.version).toBe(2);
    expect(calls).toEqual([
      "read seq,secret:db",
      "commit conflict",
      "read seq,secret:db",
      "commit ok",
    ]);
    expect(JSON.parse((await shard.get("seq"))?.value ?? "null")).toEqual({ n: 2 });
  });

  it("reads in passes when the step asks for a record named by another", async () => {
    const shard = new MemoryShardedStore().shard("s");
    await shard.commit([
      { key: "pointer", value: JSON.stringify("target") },
      { key: "target", value: "7" },
    ]);
    // adds 1 to the record the pointer names; both are written on what was read (byCommit-safe)
    const follow: ShardStep<Record<string, never>, number | null> = {
      name: "test.follow",
      byCommit: true,
      run(view) {
        const pointer = view.get("pointer");
        if (!pointer) return { writes: [], result: null };
        const key = JSON.parse(pointer.value) as string;
        const target = view.get(key);
        if (!target) throw new Error("the pointer names nothing");
        const n = Number(target.value) + 1;
        return {
          writes: [
            { key: "pointer", value: pointer.value, ifRev: pointer.rev },
            { key, value: String(n), ifRev: target.rev },
          ],
          result: n,
        };
      },
    };
    const { store, calls } = watched(shard);
    expect((await stepByCommit(store, follow, {})).result).toBe(8);
    expect(calls).toEqual(["read pointer", "read target", "commit ok"]);
    expect((await shard.get("target"))?.value).toBe("8");
  });

  it("throws a step's own error at once, and bounds the passes of a step that keeps asking", async () => {
    const shard = new MemoryShardedStore().shard("s");
    await shard.commit([{ key: "a", value: "1" }]);
    const failing: ShardStep<Record<string, never>, never> = {
      name: "test.fails",
      byCommit: true,
      run(view) {
        view.get("a");
        throw new Error("test.fails: refused");
      },
    };
    const once = watched(shard);
    await expect(stepByCommit(once.store, failing, {})).rejects.toThrow("test.fails: refused");
    expect(once.calls).toEqual(["read a"]); // read what it asked for, ran again, threw: no commit
    let asked = 0;
    const greedy: ShardStep<Record<string, never>, never> = {
      name: "test.greedy",
      byCommit: true,
      run(view) {
        view.get(`k${++asked}`);
        throw new Error("test.greedy: one more");
      },
    };
    const many = watched(shard);
    const refused = stepByCommit(many.store, greedy, {});
    await expect(refused).rejects.toThrow("shard step test.greedy kept asking for more records");
    await expect(refused).rejects.toMatchObject({ cause: { message: "test.greedy: one more" } });
    expect(many.calls).toHaveLength(8);
  });

  it("refuses a step that is not declared safe to run by commit, reading nothing", async () => {
    const { store, calls } = watched(new MemoryShardedStore().shard("s"));
    await expect(stepByCommit(store, claimStep, { key: "k", value: "v" })).rejects.toThrow(
      "shard step test.claim cannot run by compare-and-set",
    );
    expect(calls).toEqual([]);
  });

  it("refuses a step that lists, even one declared safe: a listing has no revision to guard", async () => {
    const { store, calls } = watched(new MemoryShardedStore().shard("s"));
    const listing = { ...listStep, byCommit: true };
    await expect(stepByCommit(store, listing, { prefix: "k" })).rejects.toThrow(
      "shard step test.list lists records: it cannot run by compare-and-set",
    );
    expect(calls).toEqual([]);
  });
});
