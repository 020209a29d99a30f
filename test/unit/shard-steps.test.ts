// A Durable Object shard runs only the steps functions/store/shard-steps.ts lists, by name, while
// the in-process stores run any step they are given: a step missing from the list would pass every
// unit test and fail in workerd. Every step the broker's modules export must be listed.
import { describe, expect, it } from "vitest";
import * as ledgerSteps from "../../functions/ledger/steps.ts";
import { RecordLimitError, StepConflictError } from "../../functions/store/records.ts";
import { fromOlderObject, SHARD_STEPS, stepsByName } from "../../functions/store/shard-steps.ts";
import * as tokenSteps from "../../functions/store/token-steps.ts";
import { incrementStep } from "../support/test-steps.ts";

const isStep = (v: unknown): v is { name: string; run: () => unknown } =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as { name?: unknown }).name === "string" &&
  typeof (v as { run?: unknown }).run === "function";

describe("the shard steps a Durable Object knows", () => {
  it("lists every step the ledger and the token check export, under its own name", () => {
    const exported: { name: string }[] = [ledgerSteps, tokenSteps].flatMap((module) =>
      Object.values(module as Record<string, unknown>).filter(isStep),
    );
    expect(exported.map((s) => s.name).sort()).toEqual([
      "ledger.assign",
      "ledger.update",
      "tokens.verify-with-clusters",
    ]);
    for (const step of exported) expect(SHARD_STEPS.get(step.name)).toBe(step);
    expect(SHARD_STEPS.size).toBe(exported.length);
  });

  it("refuses two steps of one name", () => {
    expect(() => stepsByName([incrementStep, { ...incrementStep }])).toThrow(
      "two shard steps are named test.increment",
    );
  });

  it("falls back to a step by commit only for an object that lacks the step", () => {
    // the two errors of an older object (workerd's own wording, seen in the e2e run)
    expect(
      fromOlderObject(new TypeError('The RPC receiver does not implement the method "step".')),
    ).toBe(true);
    expect(fromOlderObject(new Error('no shard step named "ledger.assign"'))).toBe(true);
    // the step's own failures, a storage failure, a reset: thrown as they are
    for (const error of [
      new StepConflictError("ledger.assign", "seq"),
      new RecordLimitError("a commit has 1 to 64 writes, not 65"),
      new Error("Durable Object reset because its code was updated."),
      new Error("Network connection lost."),
      "a string",
    ]) {
      expect(fromOlderObject(error)).toBe(false);
    }
  });
});
