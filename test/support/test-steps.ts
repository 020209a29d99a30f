/**
 * Test only: shard steps (functions/store/records.ts `ShardStep`) for the record store contract
 * (./records-contract.ts). The Durable Object of the contract's worker knows them by name
 * (./records-worker/worker.ts); the in-process stores run them as given. No vitest here: the worker
 * bundles this file.
 */
import type { RecordWrite, ShardStep } from "../../functions/store/records.ts";

/** `key` holds `{"n": …}`: adds 1 and answers the new n (and the revision it read, 0: absent). */
export const incrementStep: ShardStep<{ key: string }, { n: number; readRev: number }> = {
  name: "test.increment",
  run(view, { key }) {
    const record = view.get(key);
    const n = (record ? (JSON.parse(record.value) as { n: number }).n : 0) + 1;
    return {
      writes: [{ key, value: JSON.stringify({ n }), ifRev: record?.rev ?? 0 }],
      result: { n, readRev: record?.rev ?? 0 },
    };
  },
};

/** Writes `key` only when it is absent: `claimed`, else `taken` (and nothing written). */
export const claimStep: ShardStep<{ key: string; value: string }, "claimed" | "taken"> = {
  name: "test.claim",
  run(view, { key, value }) {
    if (view.get(key)) return { writes: [], result: "taken" };
    return { writes: [{ key, value }], result: "claimed" };
  },
};

/** Writes every key given, each with its `ifRev` as given (a bad step when it does not match). */
export const writeAllStep: ShardStep<{ writes: RecordWrite[] }, number> = {
  name: "test.write-all",
  run(_view, { writes }) {
    return { writes, result: writes.length };
  },
};

/** Reads `key`, then throws naming it (a step that fails after its read). */
export const throwingStep: ShardStep<{ key: string }, never> = {
  name: "test.throw",
  run(view, { key }) {
    const found = view.get(key) ? "present" : "absent";
    throw new Error(`test.throw: ${key} is ${found}`);
  },
};

/** Lists `prefix` inside the step: each record's key and value, in the step's order. */
export const listStep: ShardStep<{ prefix: string }, string[]> = {
  name: "test.list",
  run(view, { prefix }) {
    return { writes: [], result: view.list(prefix).map((r) => `${r.key}=${r.value}`) };
  },
};

/** Reads `keys` at once inside the step: each as `key=value`, or null when absent, in order. */
export const getManyStep: ShardStep<{ keys: string[] }, (string | null)[]> = {
  name: "test.get-many",
  run(view, { keys }) {
    return {
      writes: [],
      result: view.getMany(keys).map((r) => (r ? `${r.key}=${r.value}` : null)),
    };
  },
};

export const TEST_STEPS = [
  incrementStep,
  claimStep,
  writeAllStep,
  throwingStep,
  listStep,
  getManyStep,
] as const;
