// The record store contract (test/support/records-contract.ts) on the in-memory store and on
// node:sqlite (in memory, and a file reopened); the Durable Object runs it in
// test/e2e/records-durable.test.ts.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { assignVersion } from "../../functions/ledger/steps.ts";
import { MemoryShardedStore } from "../../functions/store/records.ts";
import {
  MAX_BOUND_PARAMETERS,
  type SqlPort,
  SqlRecords,
  type SqlRow,
  SWEEP_EVERY_MS,
} from "../../functions/store/sql-records.ts";
import { SqliteShardedStore } from "../../functions/store/sqlite-records.ts";
import { writeRequest } from "../support/ledger-fixtures.ts";
import { recordStoreContract } from "../support/records-contract.ts";
import { incrementStep, writeAllStep } from "../support/test-steps.ts";

function withClock() {
  let now = Date.parse("2030-01-01T00:00:00Z");
  return {
    now: () => now,
    advance: async (ms: number) => {
      now += ms;
    },
  };
}

recordStoreContract("memory", () => {
  const clock = withClock();
  return { store: new MemoryShardedStore(clock.now), advance: clock.advance };
});

recordStoreContract("node:sqlite", () => {
  const clock = withClock();
  return { store: new SqliteShardedStore(":memory:", { now: clock.now }), advance: clock.advance };
});

describe("node:sqlite on a file", () => {
  const dir = mkdtempSync(join(tmpdir(), "konduktor-sqlite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps records across a reopen, in WAL mode, readable by the owner only", async () => {
    const path = join(dir, "state.db");
    const first = new SqliteShardedStore(path);
    const r = await first.shard("control").commit([{ key: "cluster:a", value: "1", ifRev: 0 }]);
    first.close();
    const again = new SqliteShardedStore(path);
    expect(await again.shard("control").get("cluster:a")).toEqual({
      key: "cluster:a",
      value: "1",
      rev: r.ok ? r.revs["cluster:a"] : -1,
      expiresAt: null,
    });
    // revisions keep rising after a reopen
    const next = await again.shard("control").commit([{ key: "cluster:b", value: "2" }]);
    expect(
      next.ok && (next.revs["cluster:b"] as number) > (r.ok ? (r.revs["cluster:a"] as number) : 0),
    ).toBe(true);
    again.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // WAL is a property of the database file: a fresh connection sees it
    const probe = new DatabaseSync(path);
    expect(probe.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    probe.close();
  });
});

describe("a step reads and checks its writes at one time", () => {
  // a clock that moves 1 s at every reading: a step that read the time twice would see the lease
  // live when it reads it and gone when its write's condition is checked
  const ticking = () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    return () => {
      now += 1000;
      return now;
    };
  };
  for (const [name, store] of [
    ["memory", () => new MemoryShardedStore(ticking())],
    ["node:sqlite", () => new SqliteShardedStore(":memory:", { now: ticking() })],
  ] as const) {
    it(`${name}: a lease that runs out between two readings of the clock`, async () => {
      const s = store().shard("owner:ticking");
      await s.commit([{ key: "lease", value: '{"n":1}', ttlSeconds: 1.5 }]);
      const done = await s.step(incrementStep, { key: "lease" });
      expect(done.result).toEqual({ n: 2, readRev: expect.any(Number) });
      expect(done.result.readRev).toBeGreaterThan(0);
    });
  }
});

/** SqlRecords on node:sqlite, every statement it runs recorded */
function countedRecords(clock: { now: number } = { now: 0 }) {
  const db = new DatabaseSync(":memory:");
  const statements: string[] = [];
  const port: SqlPort = {
    // as a Durable Object's SQLite: at most 100 bound parameters a statement
    all: (sql, params) => {
      statements.push(sql);
      if (params.length > MAX_BOUND_PARAMETERS) throw new Error(`${params.length} parameters`);
      return db.prepare(sql).all(...params) as SqlRow[];
    },
    run: (sql, params) => {
      statements.push(sql);
      if (params.length > MAX_BOUND_PARAMETERS) throw new Error(`${params.length} parameters`);
      db.prepare(sql).run(...params);
    },
    transaction: (fn) => {
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = fn();
        db.exec("COMMIT");
        return result;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
  };
  /** reads of one record by its key (a get, or a write's condition) */
  const reads = () =>
    statements.filter((s) => s.startsWith("SELECT key, value") && s.includes("AND key = ?")).length;
  /** the records' rows as stored (expired ones too) */
  const rows = () =>
    (db.prepare("SELECT key FROM records ORDER BY key").all() as { key: string }[]).map(
      (r) => r.key,
    );
  return { records: new SqlRecords(port, () => clock.now), statements, reads, rows };
}

describe("SQLite: a step's write conditions use its own reads", () => {
  it("reads a record once for the step and its condition; a key it did not read is read", () => {
    const { records, statements, reads } = countedRecords();
    records.commit("s", [{ key: "counter", value: '{"n":1}' }]);
    statements.length = 0;
    expect(records.step("s", incrementStep, { key: "counter" }).result).toEqual({
      n: 2,
      readRev: 1,
    });
    expect(reads()).toBe(1);
    // a step that writes without reading: its condition is read (and still holds the bound)
    statements.length = 0;
    expect(() =>
      records.step("s", writeAllStep, { writes: [{ key: "counter", value: "x", ifRev: 1 }] }),
    ).toThrow("shard step test.write-all: its write of counter does not match what it read");
    expect(reads()).toBe(1);
    expect(records.get("s", "counter")?.value).toBe('{"n":2}');
  });
});

describe("SQLite: a commit's statements", () => {
  it("a commit of N writes: its conditions, the counter and the N rows in one statement each", () => {
    const { records, statements } = countedRecords();
    records.commit("s", [{ key: "a", value: "1" }]);
    statements.length = 0;
    const done = records.commit("s", [
      { key: "a", value: "2", ifRev: 1 },
      { key: "b", value: "3" },
      { key: "b", value: "4" },
    ]);
    expect(done).toEqual({ ok: true, revs: { a: 2, b: 4 } });
    expect(statements.map((s) => s.split(" ").slice(0, 3).join(" "))).toEqual([
      "SELECT key, value,", // a's condition
      "INSERT INTO shard_revs", // the counter, past all three
      "INSERT INTO records", // the three rows
    ]);
    expect(records.get("s", "a")).toMatchObject({ value: "2", rev: 2 });
    expect(records.get("s", "b")).toMatchObject({ value: "4", rev: 4 });
    // a deletion between two writes keeps the order of the writes
    statements.length = 0;
    records.commit("s", [
      { key: "c", value: "x" },
      { key: "c", value: null },
      { key: "d", value: "y" },
    ]);
    expect(records.get("s", "c")).toBeNull();
    expect(records.get("s", "d")).toMatchObject({ value: "y", rev: 7 });
    expect(statements.filter((s) => s.startsWith("INSERT INTO records"))).toHaveLength(2);
    expect(
      statements.filter((s) => s.startsWith("DELETE FROM records WHERE shard = ? AND key = ?")),
    ).toHaveLength(1);
  });

  it("64 writes and 1,000 keys stay within a Durable Object's 100 parameters a statement", () => {
    const { records, statements } = countedRecords();
    const writes = Array.from({ length: 64 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    statements.length = 0;
    expect(records.commit("s", writes)).toMatchObject({ ok: true });
    expect(statements.filter((s) => s.startsWith("INSERT INTO records"))).toHaveLength(4);
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    statements.length = 0;
    const found = records.getMany("s", keys);
    expect(found.map((r) => r.value).sort()).toEqual(writes.map((w) => w.value).sort());
    expect(statements).toHaveLength(Math.ceil(1000 / (MAX_BOUND_PARAMETERS - 2)));
  });

  it("the ledger's start reads the counter and the entry at once: 3 statements in all", () => {
    const { records, statements } = countedRecords();
    const start = {
      owner: "0a1b2c3d",
      basename: "db",
      at: "2030-01-01T00:00:00.000Z",
      change: { kind: "write" as const, write: writeRequest({ A: "hmac-sha256:t1:a" }) },
    };
    records.step("owner:0a1b2c3d", assignVersion, start);
    statements.length = 0;
    const second = records.step("owner:0a1b2c3d", assignVersion, {
      ...start,
      change: { kind: "write" as const, write: writeRequest({ A: "hmac-sha256:t1:b" }) },
    });
    expect(second.result.version).toBe(2);
    expect(statements.map((s) => s.split(" ").slice(0, 3).join(" "))).toEqual([
      "SELECT key, value,",
      "INSERT INTO shard_revs",
      "INSERT INTO records",
    ]);
  });

  it("expired records leave storage at a later commit: once a minute per shard, a full batch again at once", () => {
    const clock = { now: 1_000_000 };
    const { records, statements, rows } = countedRecords(clock);
    const sweeps = () => statements.filter((s) => s.includes("expires_at <= ?")).length;
    records.commit(
      "s",
      Array.from({ length: 40 }, (_, i) => ({ key: `t${i}`, value: "x", ttlSeconds: 1 })),
    );
    expect(sweeps()).toBe(1); // the first commit of the shard sweeps (nothing had expired)
    clock.now += 2_000;
    statements.length = 0;
    records.commit("s", [{ key: "k", value: "1" }]);
    expect(sweeps()).toBe(0); // within a minute of a sweep that found less than a batch
    expect(rows()).toHaveLength(41); // expired, still stored, never read
    expect(records.get("s", "t0")).toBeNull();
    clock.now += SWEEP_EVERY_MS;
    records.commit("s", [{ key: "k", value: "2" }]);
    expect(rows()).toHaveLength(41 - 32); // a full batch: swept again at the next commit
    records.commit("s", [{ key: "k", value: "3" }]);
    expect(rows()).toEqual(["k"]);
    statements.length = 0;
    records.commit("s", [{ key: "k", value: "4" }]);
    expect(sweeps()).toBe(0);
    // another shard is swept on its own
    records.commit("other", [{ key: "k", value: "1" }]);
    expect(sweeps()).toBe(1);
  });
});
