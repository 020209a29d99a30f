// finishWrite is one `ledger.update` step at the owner's shard: no read, no commit to lose, also
// when another request changed the entry after this write started (its change is kept).
import { describe, expect, it } from "vitest";
import { Ledger } from "../../functions/ledger/ledger.ts";
import { CountingShardedStore } from "../support/counting-records.ts";
import { writeRequest } from "../support/ledger-fixtures.ts";

const OWNER = "0a1b2c3d";
const K = "hmac-sha256:t1:";
const write = writeRequest;
const alpha = { cluster: "alpha", contentDigest: `${K}c1`, digests: { A: `${K}1` } };

describe("ledger: finishing a write", () => {
  it("is one step: no read, no commit", async () => {
    const records = new CountingShardedStore();
    const ledger = new Ledger(records);
    const started = await ledger.beginWrite(OWNER, "db", write({ A: `${K}1` }));
    records.reset();
    await ledger.finishWrite(OWNER, "db", started.version, {
      written: [alpha],
      rollback: false,
      before: null,
    });
    expect(records.countsFor("owner:")).toEqual({ reads: 0, recordsRead: 0, commits: 0, steps: 1 });
    expect(await ledger.get(OWNER, "db")).toMatchObject({
      version: started.version,
      contentVersion: started.version,
      contentDigest: `${K}c1`,
      clusters: { alpha: { version: started.version, state: "written" } },
    });
  });

  it("keeps the change of a request that started after it, in the same one step", async () => {
    const records = new CountingShardedStore();
    const ledger = new Ledger(records);
    const first = await ledger.beginWrite(OWNER, "db", write({ A: `${K}1` }));
    const second = await ledger.beginWrite(OWNER, "db", write({ A: `${K}2` }));
    records.reset();
    await ledger.finishWrite(OWNER, "db", first.version, {
      written: [alpha],
      rollback: false,
      before: null,
    });
    expect(records.countsFor("owner:")).toEqual({ reads: 0, recordsRead: 0, commits: 0, steps: 1 });
    const entry = await ledger.get(OWNER, "db");
    // the second write's intent stands; the first one's copy on alpha is confirmed
    expect(entry?.version).toBe(second.version);
    expect(entry?.contentDigest).toBeNull();
    expect(entry?.clusters).toEqual({ alpha: { version: first.version, state: "written" } });
  });

  it("a rollback keeps a newer intent that started meanwhile, confirming nothing", async () => {
    const ledger = new Ledger(new CountingShardedStore());
    const failed = await ledger.beginWrite(OWNER, "db", write({ A: `${K}1` }));
    const newer = await ledger.beginWrite(OWNER, "db", write({ A: `${K}2` }));
    await ledger.finishWrite(OWNER, "db", failed.version, {
      written: [],
      rollback: true,
      before: failed.before,
    });
    // the failed write had no entry before it: rolled back alone, the entry would be removed
    expect(await ledger.get(OWNER, "db")).toMatchObject({
      version: newer.version,
      keys: ["A"],
      digests: null,
      clusters: {},
    });
  });
});
