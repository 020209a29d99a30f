// The record store contract (test/support/records-contract.ts) on the Durable Object store
// (functions/store/durable-records.ts) in REAL workerd: `wrangler dev` with local SQLite state.
import { afterAll, beforeAll } from "vitest";
import { recordStoreContract } from "../support/records-contract.ts";
import { type RunningRecordsWorker, startRecordsWorker } from "../support/records-remote.ts";

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
