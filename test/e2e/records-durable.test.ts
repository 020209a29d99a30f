// The record store contract (test/support/records-contract.ts) on the Durable Object store
// (functions/store/durable-records.ts) in REAL workerd: `wrangler dev` with local SQLite state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordStoreContract } from "../support/records-contract.ts";
import { type RunningRecordsWorker, startRecordsWorker } from "../support/records-remote.ts";
import { incrementStep } from "../support/test-steps.ts";

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
