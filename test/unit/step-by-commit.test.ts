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
import { claimStep } from "../support/test-steps.ts";

const write = (A: string) => ({
  kind: "env" as const,
  placement: "all" as const,
  mode: "merge" as const,
  prune: false,
  immutable: false,
  keyId: "t1",
  digests: { A },
  by: "token:t",
});
const assign = (basename: string, A: string) => ({
  owner: "0a1b2c3d",
  basename,
  at: "2030-01-01T00:00:00.000Z",
  change: { kind: "write" as const, write: write(A) },
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
    const follow: ShardStep<Record<string, never>, string | null> = {
      name: "test.follow",
      byCommit: true,
      run(view) {
        const pointer = view.get("pointer");
        if (!pointer) return { writes: [], result: null };
        const target = view.get(JSON.parse(pointer.value) as string);
        if (!target) throw new Error("the pointer names nothing");
        return { writes: [], result: target.value };
      },
    };
    const { store, calls } = watched(shard);
    expect((await stepByCommit(store, follow, {})).result).toBe("7");
    expect(calls).toEqual(["read pointer", "read target"]);
  });

  it("refuses a step that is not declared safe to run by commit, reading nothing", async () => {
    const { store, calls } = watched(new MemoryShardedStore().shard("s"));
    await expect(stepByCommit(store, claimStep, { key: "k", value: "v" })).rejects.toThrow(
      "shard step test.claim cannot run by compare-and-set",
    );
    expect(calls).toEqual([]);
  });
});
