// The intent ledger (functions/ledger) on the in-memory record store: versions assigned atomically
// when a request starts, ordered writes and deletions, confirmations that never go back, rollback
// of a write that landed nowhere, placement shrinking with partial deletions, adoption guarded by
// the version it planned with, and a sync that finds everything in line writing nothing.
import { describe, expect, it } from "vitest";
import { Ledger } from "../../functions/ledger/ledger.ts";
import { updateEntries } from "../../functions/ledger/steps.ts";
import { MemoryShardedStore, type ShardStep } from "../../functions/store/records.ts";
import { CountingShardedStore } from "../support/counting-records.ts";
import { writeRequest } from "../support/ledger-fixtures.ts";

const OWNER = "0a1b2c3d";
const K = "hmac-sha256:t1:";
const write = writeRequest;
const written = (cluster: string, content: string, digests: Record<string, string>) => ({
  cluster,
  contentDigest: `${K}${content}`,
  digests,
});

describe("intent ledger", () => {
  it("assigns distinct, increasing versions to concurrent requests of one owner", async () => {
    const records = new CountingShardedStore();
    const ledger = new Ledger(records);
    const started = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ledger.beginWrite(OWNER, i % 2 ? "same" : `s${i}`, write({ A: `${K}${i}` })),
      ),
    );
    expect(started.map((s) => s.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // each start is one step at the owner's shard: no read, no compare-and-set to lose and retry
    expect(records.counts).toEqual({ reads: 0, recordsRead: 0, commits: 0, steps: 20 });
    records.reset();
    await ledger.beginDelete(OWNER, "s0", { coverage: "all", clusters: ["alpha"], by: "token:t" });
    expect(records.counts).toEqual({ reads: 0, recordsRead: 0, commits: 0, steps: 1 });
    const same = await ledger.get(OWNER, "same");
    expect(same?.version).toBe(Math.max(...started.filter((_, i) => i % 2).map((s) => s.version)));
  });

  it("a write that changes nothing keeps the version and commits nothing", async () => {
    const records = new CountingShardedStore();
    const ledger = new Ledger(records);
    const first = await ledger.beginWrite(OWNER, "db", write({ A: `${K}a` }));
    await ledger.finishWrite(OWNER, "db", first.version, {
      written: [written("alpha", "c1", { A: `${K}a` })],
      rollback: false,
      before: first.before,
    });
    const shard = records.shard(`owner:${OWNER}`);
    const stored = await shard.list("");
    records.reset();
    const again = await ledger.beginWrite(OWNER, "db", write({ A: `${K}a` }));
    expect(again).toMatchObject({ version: first.version, reused: true });
    // one step at the shard, which wrote nothing: the counter and the entry keep their revisions
    expect(records.counts).toMatchObject({ reads: 0, commits: 0, steps: 1 });
    expect(await shard.list("")).toEqual(stored);
    // another value, another placement, or pruning keys away is a new version
    for (const w of [
      write({ A: `${K}b` }),
      write({ A: `${K}a` }, { placement: ["alpha"] }),
      write({ B: `${K}b` }, { mode: "replace" }),
    ]) {
      expect((await ledger.beginWrite(OWNER, "db", w)).reused).toBe(false);
    }
  });

  it("a DELETE's late confirmation never undoes a PUT that started after it (scenario 1)", async () => {
    const ledger = new Ledger(new MemoryShardedStore());
    const put1 = await ledger.beginWrite(
      OWNER,
      "race",
      write({ A: `${K}1` }, { placement: ["a", "b"] }),
    );
    await ledger.finishWrite(OWNER, "race", put1.version, {
      written: [written("a", "c1", {}), written("b", "c1", {})],
      rollback: false,
      before: null,
    });
    const del = await ledger.beginDelete(OWNER, "race", {
      coverage: ["a", "b"],
      clusters: ["a", "b"],
      by: "token:t",
    });
    await ledger.finishDelete(OWNER, "race", del, []); // nothing confirmed yet: b is slow
    const put2 = await ledger.beginWrite(
      OWNER,
      "race",
      write({ A: `${K}2` }, { placement: ["a"] }),
    );
    expect(put2.version).toBeGreaterThan(del);
    await ledger.finishWrite(OWNER, "race", put2.version, {
      written: [written("a", "c2", { A: `${K}2` })],
      rollback: false,
      before: put2.before,
    });
    // the slow DELETE ends now: it confirms a and b deleted at its (older) version
    await ledger.finishDelete(OWNER, "race", del, ["a", "b"]);
    expect(await ledger.get(OWNER, "race")).toMatchObject({
      version: put2.version,
      contentVersion: put2.version,
      deleted: null,
      placement: ["a"],
      clusters: {
        a: { version: put2.version, state: "written" },
        b: { version: del, state: "deleted" },
      },
    });
  });

  it("a write that landed nowhere gives the previous content back; its version is not reused", async () => {
    const ledger = new Ledger(new MemoryShardedStore());
    const ok = await ledger.beginWrite(OWNER, "r", write({ A: `${K}1` }));
    await ledger.finishWrite(OWNER, "r", ok.version, {
      written: [written("alpha", "c1", { A: `${K}1` })],
      rollback: false,
      before: null,
    });
    const failed = await ledger.beginWrite(OWNER, "r", write({ A: `${K}2` }));
    await ledger.finishWrite(OWNER, "r", failed.version, {
      written: [],
      rollback: true,
      before: failed.before,
    });
    expect(await ledger.get(OWNER, "r")).toMatchObject({
      version: failed.version,
      contentVersion: ok.version,
      contentDigest: `${K}c1`,
      digests: { A: `${K}1` },
    });
    const next = await ledger.beginWrite(OWNER, "r", write({ A: `${K}3` }));
    expect(next.version).toBe(failed.version + 1);
    // a first write that landed nowhere leaves no entry
    const lost = await ledger.beginWrite(OWNER, "lost", write({ A: `${K}1` }));
    await ledger.finishWrite(OWNER, "lost", lost.version, {
      written: [],
      rollback: true,
      before: null,
    });
    expect(await ledger.get(OWNER, "lost")).toBeNull();
  });

  it("copies of one version that differ leave its content unknown", async () => {
    const ledger = new Ledger(new MemoryShardedStore());
    const w = await ledger.beginWrite(OWNER, "m", write({ A: `${K}1` }));
    await ledger.finishWrite(OWNER, "m", w.version, {
      written: [written("alpha", "x", {}), written("beta", "y", {})],
      rollback: false,
      before: null,
    });
    expect((await ledger.get(OWNER, "m"))?.contentDigest).toBeNull();
    // the same request again merges to the same result on each copy: it keeps the version
    expect(await ledger.beginWrite(OWNER, "m", write({ A: `${K}1` }))).toMatchObject({
      version: w.version,
      reused: true,
    });
    expect((await ledger.beginWrite(OWNER, "m", write({ A: `${K}2` }))).reused).toBe(false);
  });

  it("deletions: from some clusters the placement shrinks; from all it is deleted", async () => {
    const ledger = new Ledger(new MemoryShardedStore());
    await ledger.beginWrite(OWNER, "all", write({ A: `${K}1` }));
    await ledger.beginDelete(OWNER, "all", { coverage: ["one"], clusters: ["one"], by: "t" });
    expect(await ledger.get(OWNER, "all")).toMatchObject({
      placement: "all",
      except: ["one"],
      deleted: null,
    });
    await ledger.beginWrite(OWNER, "list", write({ A: `${K}1` }, { placement: ["one", "two"] }));
    await ledger.beginDelete(OWNER, "list", { coverage: ["two"], clusters: ["two"], by: "t" });
    expect(await ledger.get(OWNER, "list")).toMatchObject({ placement: ["one"], deleted: null });
    const v = await ledger.beginDelete(OWNER, "list", {
      coverage: ["one"],
      clusters: ["one"],
      by: "t",
    });
    expect(await ledger.get(OWNER, "list")).toMatchObject({ deleted: { version: v, by: "t" } });
    // an unknown secret deleted everywhere is remembered; from one cluster it is not
    await ledger.beginDelete(OWNER, "cli", { coverage: "all", clusters: ["one"], by: "t" });
    expect((await ledger.get(OWNER, "cli"))?.deleted?.by).toBe("t");
    await ledger.beginDelete(OWNER, "cli2", { coverage: ["one"], clusters: ["one"], by: "t" });
    expect(await ledger.get(OWNER, "cli2")).toBeNull();
  });

  it("git-ssh: a write that replaced the owner's other one records it deleted there", async () => {
    const ledger = new Ledger(new MemoryShardedStore());
    const old = await ledger.beginWrite(
      OWNER,
      "old-key",
      write({ gitkey: `${K}1` }, { kind: "git-ssh", placement: ["a"] }),
    );
    const fresh = await ledger.beginWrite(
      OWNER,
      "new-key",
      write({ gitkey: `${K}2` }, { kind: "git-ssh", placement: ["a"] }),
    );
    await ledger.replacedGitSsh(OWNER, [{ cluster: "a", basename: "old-key" }], fresh.version, "t");
    expect(await ledger.get(OWNER, "old-key")).toMatchObject({
      version: fresh.version,
      deleted: { version: fresh.version },
      clusters: { a: { version: fresh.version, state: "deleted" } },
    });
    expect(old.version).toBeLessThan(fresh.version);
  });

  it("one update step applies two changes of one entry in order; an absent entry stays absent", async () => {
    const store = new MemoryShardedStore();
    const ledger = new Ledger(store);
    const w = await ledger.beginWrite(OWNER, "db", write({ A: `${K}1` }));
    const shard = store.shard(`owner:${OWNER}`);
    const done = await shard.step(updateEntries, {
      changes: [
        {
          basename: "db",
          change: { kind: "finish-delete", version: w.version, clusters: ["alpha"] },
        },
        {
          basename: "db",
          change: {
            kind: "record",
            seen: { confirmations: [{ cluster: "beta", version: w.version, state: "written" }] },
          },
        },
        { basename: "gone", change: { kind: "finish-delete", version: 1, clusters: ["alpha"] } },
      ],
    });
    // one write: the entry, with both changes (the second saw the first)
    expect(done.result).toBe(1);
    expect(Object.keys(done.revs)).toEqual(["secret:db"]);
    expect((await ledger.get(OWNER, "db"))?.clusters).toEqual({
      alpha: { version: w.version, state: "deleted" },
      beta: { version: w.version, state: "written" },
    });
    expect(await ledger.get(OWNER, "gone")).toBeNull();
  });

  it("an adoption or named source gets a version only if the entry is what the sync planned with", async () => {
    const ledger = new Ledger(new MemoryShardedStore());
    const bump = (expected: number | null) =>
      ledger.bump({
        owner: OWNER,
        basename: "x",
        kind: "env",
        placement: "all",
        contentDigest: `${K}c`,
        digests: { A: `${K}a` },
        by: "token:t",
        expected,
      });
    const v = await bump(null);
    expect(v).toBe(1);
    expect(await bump(null)).toBeNull(); // it exists now
    expect(await ledger.get(OWNER, "x")).toMatchObject({
      contentVersion: 1,
      keys: ["A"],
      contentDigest: `${K}c`,
    });
    expect(await bump(1)).toBe(2);
  });

  it("recording what a sync found in line writes nothing; news is written once", async () => {
    const records = new CountingShardedStore();
    const ledger = new Ledger(records);
    const w = await ledger.beginWrite(OWNER, "s", write({ A: `${K}1` }));
    await ledger.finishWrite(OWNER, "s", w.version, {
      written: [written("alpha", "c", { A: `${K}1` })],
      rollback: false,
      before: null,
    });
    const shard = records.shard(`owner:${OWNER}`);
    const stored = await shard.get("secret:s");
    records.reset();
    await ledger.record(OWNER, "s", {
      confirmations: [{ cluster: "alpha", version: w.version, state: "written" }],
    });
    expect(records.counts).toMatchObject({ commits: 0, steps: 1 });
    expect(await shard.get("secret:s")).toEqual(stored);
    await ledger.record(OWNER, "s", {
      confirmations: [{ cluster: "beta", version: w.version, state: "written" }],
    });
    expect(records.counts).toMatchObject({ commits: 0, steps: 2 });
    expect((await shard.get("secret:s"))?.rev).toBeGreaterThan(stored?.rev as number);
    expect((await ledger.get(OWNER, "s"))?.clusters.beta).toEqual({
      version: w.version,
      state: "written",
    });
  });

  it("lists every entry of an owner across pages", async () => {
    const ledger = new Ledger(new MemoryShardedStore());
    await Promise.all(
      Array.from({ length: 510 }, (_, i) =>
        ledger.beginWrite(OWNER, `s${i}`, write({ A: `${K}${i}` })),
      ),
    );
    await ledger.beginWrite("0a1b2c3e", "other", write({ A: `${K}x` }));
    const entries = await ledger.entries([OWNER]);
    expect(entries.size).toBe(510);
    expect(entries.has(`${OWNER}/s509`)).toBe(true);
  });
  it("records a sync's confirmations of many secrets in steps of 64, sent at once", async () => {
    const inner = new MemoryShardedStore();
    const ops: string[] = [];
    const records = {
      shard(name: string) {
        const shard = inner.shard(name);
        return {
          get: shard.get.bind(shard),
          list: shard.list.bind(shard),
          getMany: shard.getMany.bind(shard),
          commit: shard.commit.bind(shard),
          async step<A, R>(step: ShardStep<A, R>, args: A) {
            const size = (args as { changes?: unknown[] }).changes?.length;
            if (size !== undefined) ops.push(`sent ${size}`);
            await new Promise((r) => setTimeout(r, 1));
            const done = await shard.step(step, args);
            if (size !== undefined) ops.push(`done ${size}`);
            return done;
          },
        };
      },
    };
    const ledger = new Ledger(records);
    const names = Array.from({ length: 130 }, (_, i) => `s${i}`);
    const versions = new Map<string, number>();
    for (const n of names) {
      versions.set(n, (await ledger.beginWrite(OWNER, n, write({ A: `${K}${n}` }))).version);
    }
    ops.length = 0;
    await ledger.recordMany(
      OWNER,
      new Map(
        names.map((n) => [
          n,
          {
            confirmations: [
              { cluster: "alpha", version: versions.get(n) as number, state: "written" as const },
            ],
          },
        ]),
      ),
    );
    // every step is sent before the first is done: the chunks do not wait for each other
    expect(ops).toEqual(["sent 64", "sent 64", "sent 2", "done 64", "done 64", "done 2"]);
    const last = await ledger.get(OWNER, "s129");
    expect(last?.clusters).toEqual({
      alpha: { version: versions.get("s129"), state: "written" },
    });
  });
});
