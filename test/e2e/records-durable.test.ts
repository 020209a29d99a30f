// The record store contract (test/support/records-contract.ts) on the Durable Object store
// (functions/store/durable-records.ts) in REAL workerd: `wrangler dev` with local SQLite state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger } from "../../functions/ledger/ledger.ts";
import { TokenStore } from "../../functions/store/tokens.ts";
import { writeRequest } from "../support/ledger-fixtures.ts";
import { recordStoreContract } from "../support/records-contract.ts";
import { type RunningRecordsWorker, startRecordsWorker } from "../support/records-remote.ts";
import { claimStep, incrementStep } from "../support/test-steps.ts";

let worker: RunningRecordsWorker | undefined;
beforeAll(async () => {
  worker = await startRecordsWorker();
});
afterAll(async () => {
  await worker?.stop();
});

recordStoreContract("Durable Object (workerd)", () => ({
  get store() {
    if (!worker) throw new Error("the records worker did not start");
    return worker.store;
  },
  // the object's clock is workerd's: let the time really pass
  advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}));

describe("the Durable Object's steps", () => {
  it("runs only the steps its class lists, by name: an unknown name writes nothing", async () => {
    if (!worker) throw new Error("the records worker did not start");
    const shard = worker.store.shard(`owner:unknown-step-${Date.now()}`);
    const unknown = { ...incrementStep, name: "test.not-listed" };
    await expect(shard.step(unknown, { key: "counter" })).rejects.toThrow(
      'no shard step named "test.not-listed"',
    );
    expect(await shard.get("counter")).toBeNull();
    // the same code under a listed name runs
    expect((await shard.step(incrementStep, { key: "counter" })).result).toEqual({
      n: 1,
      readRev: 0,
    });
  });
});

describe("an API token's check with the registry, at the object", () => {
  const now = new Date();
  const input = {
    owners: ["0a1b2c3d"],
    clusters: "all" as const,
    rights: { write: true, read: true, listAllUsers: false },
    expiresAt: new Date(now.getTime() + 60_000),
  };
  const alpha = { name: "alpha", server: "https://alpha.example:6443" };

  /** a control shard of `store` holding one token and the cluster `alpha` */
  async function control(which: "store" | "legacyStore") {
    if (!worker) throw new Error("the records worker did not start");
    const shard = worker[which].shard(`control-${process.pid}-${Date.now()}`);
    const tokens = new TokenStore(shard);
    const { token, record } = await tokens.issue(input, now);
    await shard.commit([{ key: "cluster:alpha", value: JSON.stringify(alpha) }]);
    return { tokens, token, record };
  }

  it("lists the clusters for a valid token only, in the step the object knows by name", async () => {
    const { tokens, token, record } = await control("store");
    expect(await tokens.verifyWithClusters(token, now)).toEqual({ record, clusters: [alpha] });
    const wrong = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect(await tokens.verifyWithClusters(wrong, now)).toEqual({ record: null });
    await tokens.revoke(record.id, now);
    expect(await tokens.verifyWithClusters(token, now)).toEqual({ record: null });
  });

  it("on an object of the version before steps: the token's own read, no clusters", async () => {
    const { tokens, token, record } = await control("legacyStore");
    expect(await tokens.verifyWithClusters(token, now)).toEqual({ record });
  });
});

describe("a Worker that meets an object of the version before steps (a deploy)", () => {
  const OWNER = "0a1b2c3d";

  it("runs the ledger's steps by commit: versions stay distinct under concurrency", async () => {
    if (!worker) throw new Error("the records worker did not start");
    const owner = `${OWNER}${Date.now().toString(16)}`;
    const ledger = new Ledger(worker.legacyStore);
    const started = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ledger.beginWrite(owner, `s${i % 2}`, writeRequest({ A: `hmac-sha256:t1:${i}` })),
      ),
    );
    expect(started.map((s) => s.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const last = started.find((s) => s.version === 8) as (typeof started)[number];
    const basename = `s${started.indexOf(last) % 2}`;
    await ledger.finishWrite(owner, basename, 8, {
      written: [{ cluster: "alpha", contentDigest: "hmac-sha256:t1:c", digests: { A: "x" } }],
      rollback: false,
      before: last.before,
    });
    expect(await ledger.get(owner, basename)).toMatchObject({
      version: 8,
      contentVersion: 8,
      clusters: { alpha: { version: 8, state: "written" } },
    });
  });

  it("refuses a step that may not run by commit, naming why", async () => {
    if (!worker) throw new Error("the records worker did not start");
    const shard = worker.legacyStore.shard(`owner:legacy-claim-${Date.now()}`);
    await expect(shard.step(claimStep, { key: "k", value: "v" })).rejects.toThrow(
      /does not implement the method "step"/,
    );
    expect(await shard.get("k")).toBeNull();
  });
});
