/**
 * The one contract every record store implementation passes (functions/store/records.ts): the
 * in-memory store, node:sqlite, and the Durable Object in real workerd. Each `it` gets a fresh
 * shard name, so implementations that cannot be reset (a running workerd) need no cleanup.
 */
import { describe, expect, it } from "vitest";
import {
  RECORD_LIMITS,
  type RecordStore,
  type ShardedStore,
  updateRecord,
} from "../../functions/store/records.ts";
import {
  claimStep,
  getManyStep,
  incrementStep,
  listStep,
  throwingStep,
  writeAllStep,
} from "./test-steps.ts";

export interface ContractSubject {
  store: ShardedStore;
  /** lets `ms` pass for the store's clock (an injected clock, or a real wait) */
  advance(ms: number): Promise<void>;
}

let counter = 0;
const fresh = (subject: ContractSubject): RecordStore =>
  subject.store.shard(`owner:test-${process.pid}-${Date.now()}-${++counter}`);

export function recordStoreContract(name: string, subject: () => ContractSubject): void {
  describe(`record store contract: ${name}`, () => {
    it("creates with ifRev 0, reads back the value and revision, refuses a second create", async () => {
      const s = fresh(subject());
      expect(await s.get("cluster:alpha")).toBeNull();
      const created = await s.commit([{ key: "cluster:alpha", value: '{"a":1}', ifRev: 0 }]);
      if (!created.ok) throw new Error("create conflicted");
      const rev = created.revs["cluster:alpha"] as number;
      expect(rev).toBeGreaterThan(0);
      expect(await s.get("cluster:alpha")).toEqual({
        key: "cluster:alpha",
        value: '{"a":1}',
        rev,
        expiresAt: null,
      });
      expect(await s.commit([{ key: "cluster:alpha", value: "{}", ifRev: 0 }])).toEqual({
        ok: false,
        conflict: "cluster:alpha",
      });
      expect((await s.get("cluster:alpha"))?.value).toBe('{"a":1}');
    });

    it("compare-and-set: the current revision wins, a stale one changes nothing", async () => {
      const s = fresh(subject());
      const r1 = await s.commit([{ key: "k", value: "1", ifRev: 0 }]);
      const rev1 = r1.ok ? (r1.revs.k as number) : -1;
      const r2 = await s.commit([{ key: "k", value: "2", ifRev: rev1 }]);
      const rev2 = r2.ok ? (r2.revs.k as number) : -1;
      expect(rev2).toBeGreaterThan(rev1);
      expect(await s.commit([{ key: "k", value: "stale", ifRev: rev1 }])).toEqual({
        ok: false,
        conflict: "k",
      });
      expect(await s.get("k")).toEqual({ key: "k", value: "2", rev: rev2, expiresAt: null });
      // unconditional writes always apply
      const r3 = await s.commit([{ key: "k", value: "3" }]);
      expect(r3.ok).toBe(true);
      expect((await s.get("k"))?.value).toBe("3");
    });

    it("a record deleted and created again never matches a revision from before", async () => {
      const s = fresh(subject());
      await s.commit([{ key: "a", value: "x" }]);
      const r = await s.commit([{ key: "k", value: "1", ifRev: 0 }]);
      const old = r.ok ? (r.revs.k as number) : -1;
      expect((await s.commit([{ key: "k", value: null, ifRev: old }])).ok).toBe(true);
      expect(await s.get("k")).toBeNull();
      expect(await s.commit([{ key: "k", value: "again", ifRev: 0 }])).toMatchObject({ ok: true });
      expect(await s.commit([{ key: "k", value: "stale", ifRev: old }])).toEqual({
        ok: false,
        conflict: "k",
      });
      expect((await s.get("k"))?.value).toBe("again");
    });

    it("a multi-write commit applies every write or none", async () => {
      const s = fresh(subject());
      await s.commit([
        { key: "a", value: "a1" },
        { key: "b", value: "b1" },
      ]);
      const b = await s.get("b");
      expect(
        await s.commit([
          { key: "a", value: "a2" },
          { key: "c", value: "c2", ifRev: 0 },
          { key: "b", value: "b2", ifRev: (b?.rev ?? 0) + 1000 },
        ]),
      ).toEqual({ ok: false, conflict: "b" });
      expect((await s.get("a"))?.value).toBe("a1");
      expect(await s.get("c")).toBeNull();
      const done = await s.commit([
        { key: "a", value: null },
        { key: "c", value: "c2", ifRev: 0 },
        { key: "b", value: "b2", ifRev: b?.rev as number },
      ]);
      expect(done.ok).toBe(true);
      expect(Object.keys(done.ok ? done.revs : {}).sort()).toEqual(["a", "b", "c"]);
      expect((await s.list("")).map((r) => [r.key, r.value])).toEqual([
        ["b", "b2"],
        ["c", "c2"],
      ]);
    });

    it("lists by prefix in key order, after a key, up to a limit; getMany skips absent keys", async () => {
      const s = fresh(subject());
      await s.commit(
        ["token:b", "token:a", "token:c", "tokens", "token%x", "tok", "hook:a"].map((key) => ({
          key,
          value: JSON.stringify(key),
        })),
      );
      expect((await s.list("token:")).map((r) => r.key)).toEqual(["token:a", "token:b", "token:c"]);
      expect((await s.list("token:", { after: "token:a" })).map((r) => r.key)).toEqual([
        "token:b",
        "token:c",
      ]);
      expect((await s.list("token:", { limit: 2 })).map((r) => r.key)).toEqual([
        "token:a",
        "token:b",
      ]);
      expect((await s.list("token%")).map((r) => r.key)).toEqual(["token%x"]);
      expect((await s.list("nothing:")).length).toBe(0);
      const many = await s.getMany(["token:c", "absent", "hook:a"]);
      expect([...many.keys()].sort()).toEqual(["hook:a", "token:c"]);
      expect(many.get("hook:a")?.value).toBe('"hook:a"');
    });

    it("shards share nothing", async () => {
      const sub = subject();
      const [a, b] = [fresh(sub), fresh(sub)];
      await a.commit([{ key: "k", value: "in a" }]);
      expect(await b.get("k")).toBeNull();
      expect(await b.commit([{ key: "k", value: "in b", ifRev: 0 }])).toMatchObject({ ok: true });
      expect((await a.get("k"))?.value).toBe("in a");
    });

    it("a record with a TTL is gone after it, for every read and for ifRev 0", async () => {
      const sub = subject();
      const s = fresh(sub);
      const r = await s.commit([
        { key: "claim:1", value: "x", ttlSeconds: 1 },
        { key: "keep", value: "y" },
      ]);
      const rev = r.ok ? (r.revs["claim:1"] as number) : -1;
      const live = await s.get("claim:1");
      expect(live?.rev).toBe(rev);
      expect(typeof live?.expiresAt).toBe("number");
      await sub.advance(1_500);
      expect(await s.get("claim:1")).toBeNull();
      expect((await s.list("")).map((x) => x.key)).toEqual(["keep"]);
      expect((await s.getMany(["claim:1", "keep"])).size).toBe(1);
      expect(await s.commit([{ key: "claim:1", value: "stale", ifRev: rev }])).toEqual({
        ok: false,
        conflict: "claim:1",
      });
      expect(await s.commit([{ key: "claim:1", value: "z", ifRev: 0 }])).toMatchObject({
        ok: true,
      });
      expect(await s.get("claim:1")).toMatchObject({ value: "z", expiresAt: null });
    });

    it("N concurrent compare-and-set increments end at N", async () => {
      const s = fresh(subject());
      const n = 20;
      await Promise.all(
        Array.from({ length: n }, () =>
          updateRecord<{ n: number }>(s, "counter", (c) => ({ n: (c?.n ?? 0) + 1 }), {
            attempts: n + 1,
          }),
        ),
      );
      expect(JSON.parse((await s.get("counter"))?.value ?? "null")).toEqual({ n });
    });

    it("of concurrent creates of one key exactly one wins", async () => {
      const s = fresh(subject());
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          s.commit([{ key: "one", value: String(i), ifRev: 0 }]),
        ),
      );
      const winners = results.flatMap((r, i) => (r.ok ? [String(i)] : []));
      expect(winners.length).toBe(1);
      expect((await s.get("one"))?.value).toBe(winners[0]);
    });

    it("a step reads and writes in one atomic call and answers its result and revisions", async () => {
      const s = fresh(subject());
      const first = await s.step(incrementStep, { key: "counter" });
      const rev1 = first.revs.counter as number;
      expect(first).toEqual({ result: { n: 1, readRev: 0 }, revs: { counter: rev1 } });
      expect(await s.get("counter")).toEqual({
        key: "counter",
        value: '{"n":1}',
        rev: rev1,
        expiresAt: null,
      });
      const second = await s.step(incrementStep, { key: "counter" });
      expect(second.result).toEqual({ n: 2, readRev: rev1 });
      expect(second.revs.counter).toBeGreaterThan(rev1);
      // a step that writes nothing answers no revisions and changes nothing
      expect(await s.step(claimStep, { key: "claim", value: "a" })).toMatchObject({
        result: "claimed",
      });
      const claimed = await s.get("claim");
      expect(await s.step(claimStep, { key: "claim", value: "b" })).toEqual({
        result: "taken",
        revs: {},
      });
      expect(await s.get("claim")).toEqual(claimed);
    });

    it("N concurrent steps of one shard end at N, each seeing the one before", async () => {
      const s = fresh(subject());
      const n = 20;
      const results = await Promise.all(
        Array.from({ length: n }, () => s.step(incrementStep, { key: "counter" })),
      );
      // no lost update and no retry: every step read a different state
      expect(results.map((r) => r.result.n).sort((a, b) => a - b)).toEqual(
        Array.from({ length: n }, (_, i) => i + 1),
      );
      expect(JSON.parse((await s.get("counter"))?.value ?? "null")).toEqual({ n });
    });

    it("a step whose writes break a bound or its own condition writes nothing", async () => {
      const s = fresh(subject());
      const tooMany = Array.from({ length: RECORD_LIMITS.writesPerCommit + 1 }, (_, i) => ({
        key: `k${i}`,
        value: "x",
      }));
      await expect(s.step(writeAllStep, { writes: tooMany })).rejects.toThrow(
        `a commit has 1 to ${RECORD_LIMITS.writesPerCommit} writes, not ${tooMany.length}`,
      );
      await s.commit([{ key: "held", value: "1" }]);
      const held = await s.get("held");
      await expect(
        s.step(writeAllStep, {
          writes: [
            { key: "k0", value: "x" },
            { key: "held", value: "2", ifRev: 0 },
          ],
        }),
      ).rejects.toThrow("shard step test.write-all: its write of held does not match what it read");
      expect(await s.list("k")).toEqual([]);
      expect(await s.get("held")).toEqual(held);
      // a step that throws: its error reaches the caller, nothing is written
      await expect(s.step(throwingStep, { key: "held" })).rejects.toThrow(
        "test.throw: held is present",
      );
      expect(await s.get("held")).toEqual(held);
    });

    it("a step does not see a record whose TTL ran out", async () => {
      const subj = subject();
      const s = fresh(subj);
      await s.commit([{ key: "lease", value: "first", ttlSeconds: 2 }]);
      expect((await s.step(claimStep, { key: "lease", value: "second" })).result).toBe("taken");
      await subj.advance(2_500);
      expect((await s.step(claimStep, { key: "lease", value: "second" })).result).toBe("claimed");
      expect(await s.get("lease")).toMatchObject({ value: "second", expiresAt: null });
    });

    it("commits the most writes a commit may hold and reads the most keys a read may name", async () => {
      const s = fresh(subject());
      const writes = Array.from({ length: RECORD_LIMITS.writesPerCommit }, (_, i) => ({
        key: `k${String(i).padStart(2, "0")}`,
        value: `v${i}`,
      }));
      const done = await s.commit(writes);
      if (!done.ok) throw new Error("the commit conflicted");
      expect(Object.keys(done.revs)).toHaveLength(writes.length);
      const keys = Array.from({ length: RECORD_LIMITS.keysPerRead }, (_, i) =>
        i < writes.length ? `k${String(i).padStart(2, "0")}` : `absent${i}`,
      );
      const found = await s.getMany(keys);
      expect([...found.keys()].sort()).toEqual(writes.map((w) => w.key));
      expect(found.get("k63")?.value).toBe("v63");
      // and in a step: the counter and an entry read at once, as the ledger's start reads them
      expect((await s.step(getManyStep, { keys: ["k01", "absent", "k00"] })).result).toEqual([
        "k01=v1",
        null,
        "k00=v0",
      ]);
    });

    it("a step lists a prefix's live records in key order, nothing outside it", async () => {
      const subj = subject();
      const s = fresh(subj);
      await s.commit([
        { key: "cluster:beta", value: "b" },
        { key: "cluster:alpha", value: "a" },
        { key: "cluster:gone", value: "g", ttlSeconds: 2 },
        { key: "clusters", value: "not the prefix" },
        { key: "token:1", value: "t" },
      ]);
      expect((await s.step(listStep, { prefix: "cluster:" })).result).toEqual([
        "cluster:alpha=a",
        "cluster:beta=b",
        "cluster:gone=g",
      ]);
      await subj.advance(2_500);
      expect(await s.step(listStep, { prefix: "cluster:" })).toEqual({
        result: ["cluster:alpha=a", "cluster:beta=b"],
        revs: {},
      });
      expect((await s.step(listStep, { prefix: "none:" })).result).toEqual([]);
    });

    it("keeps any text exactly; refuses an empty or too long key and too many writes", async () => {
      const s = fresh(subject());
      const text = `ünï 🔑 "quoted" \\ ${"x".repeat(100_000)}`;
      await s.commit([{ key: "weird key/ü🔑", value: text }]);
      expect((await s.get("weird key/ü🔑"))?.value).toBe(text);
      // a lone surrogate would be kept as U+FFFD: the key read back would be another
      await expect(s.commit([{ key: "k\uD800", value: "x" }])).rejects.toThrow(
        "a record key is well-formed text (no lone surrogate)",
      );
      await expect(s.commit([{ key: "", value: "x" }])).rejects.toThrow(
        `a record key has 1 to ${RECORD_LIMITS.keyChars} characters`,
      );
      await expect(
        s.commit([{ key: "k".repeat(RECORD_LIMITS.keyChars + 1), value: "x" }]),
      ).rejects.toThrow(`a record key has 1 to ${RECORD_LIMITS.keyChars} characters`);
      const tooMany = Array.from({ length: RECORD_LIMITS.writesPerCommit + 1 }, (_, i) => ({
        key: `k${i}`,
        value: "x",
      }));
      await expect(s.commit(tooMany)).rejects.toThrow(
        `a commit has 1 to ${RECORD_LIMITS.writesPerCommit} writes, not ${tooMany.length}`,
      );
      expect((await s.list("k")).length).toBe(0);
    });
  });
}
