// finishWrite commits against the entry beginWrite left (`known`): one commit and no read when no
// one changed the entry meanwhile; a read and the same result when someone did, or when the known
// entry needs no change (only what was read is believed to need nothing).
import { describe, expect, it } from "vitest";
import type { WriteRequest } from "../../functions/ledger/entry.ts";
import { Ledger } from "../../functions/ledger/ledger.ts";
import { updateRecord } from "../../functions/store/records.ts";
import { CountingShardedStore } from "../support/counting-records.ts";

const OWNER = "0a1b2c3d";
const K = "hmac-sha256:t1:";
const write = (digests: Record<string, string>): WriteRequest => ({
  kind: "env",
  placement: "all",
  mode: "merge",
  prune: false,
  immutable: false,
  keyId: "t1",
  digests,
  by: "token:t",
});
const alpha = { cluster: "alpha", contentDigest: `${K}c1`, digests: { A: `${K}1` } };

describe("ledger: finishing a write against the entry its start left", () => {
  it("one commit, no read, when the entry is as beginWrite left it", async () => {
    const records = new CountingShardedStore();
    const ledger = new Ledger(records);
    const started = await ledger.beginWrite(OWNER, "db", write({ A: `${K}1` }));
    expect(started.known.rev).toBeGreaterThan(0);
    expect(started.known.value).toMatchObject({ version: started.version });
    records.reset();
    await ledger.finishWrite(
      OWNER,
      "db",
      started.version,
      { written: [alpha], rollback: false, before: null },
      started.known,
    );
    expect(records.countsFor("owner:")).toEqual({ reads: 0, recordsRead: 0, commits: 1, steps: 0 });
    expect((await ledger.get(OWNER, "db"))?.clusters).toEqual({
      alpha: { version: started.version, state: "written" },
    });
  });

  it("reads again and keeps the other request's change when the entry moved meanwhile", async () => {
    const records = new CountingShardedStore();
    const ledger = new Ledger(records);
    const first = await ledger.beginWrite(OWNER, "db", write({ A: `${K}1` }));
    const second = await ledger.beginWrite(OWNER, "db", write({ A: `${K}2` }));
    records.reset();
    await ledger.finishWrite(
      OWNER,
      "db",
      first.version,
      { written: [alpha], rollback: false, before: null },
      first.known,
    );
    // the known commit conflicted (1), then a read (1) and the commit against it (1)
    expect(records.countsFor("owner:")).toEqual({ reads: 1, recordsRead: 1, commits: 2, steps: 0 });
    const entry = await ledger.get(OWNER, "db");
    expect(entry?.version).toBe(second.version);
    expect(entry?.clusters).toEqual({ alpha: { version: first.version, state: "written" } });
  });

  it("updateRecord does not take 'nothing to change' from a known value: it reads", async () => {
    const records = new CountingShardedStore();
    const shard = records.shard("control");
    await shard.commit([{ key: "k", value: JSON.stringify({ n: 2 }), ifRev: 0 }]);
    records.reset();
    // the known value says n is 1 already; the stored one says 2: the change must apply
    const out = await updateRecord<{ n: number }>(
      shard,
      "k",
      (v) => (v?.n === 1 ? undefined : { n: 1 }),
      { known: { value: { n: 1 }, rev: 1 } },
    );
    expect(out).toEqual({ n: 1 });
    expect(records.countsFor("control")).toEqual({
      reads: 1,
      recordsRead: 1,
      commits: 1,
      steps: 0,
    });
    expect(JSON.parse((await shard.get("k"))?.value ?? "null")).toEqual({ n: 1 });
  });
});
