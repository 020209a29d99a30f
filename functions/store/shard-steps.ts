/**
 * Every step a shard runs (functions/store/records.ts `RecordStore.step`), by name. A Durable
 * Object receives a step's name and arguments, never code, and runs only the steps listed here;
 * the in-process stores run the step they are given.
 */
import { LEDGER_STEPS } from "../ledger/steps.ts";
import type { ShardStep } from "./records.ts";
import { TOKEN_STEPS } from "./token-steps.ts";

export function stepsByName(
  steps: readonly ShardStep<never, unknown>[],
): ReadonlyMap<string, ShardStep<unknown, unknown>> {
  const byName = new Map<string, ShardStep<unknown, unknown>>();
  for (const step of steps) {
    if (byName.has(step.name)) throw new Error(`two shard steps are named ${step.name}`);
    byName.set(step.name, step as unknown as ShardStep<unknown, unknown>);
  }
  return byName;
}

export const SHARD_STEPS = stepsByName([...LEDGER_STEPS, ...TOKEN_STEPS]);

/**
 * Whether a step call's error says the Durable Object runs a version without this step: no `step`
 * method at all (workerd: `does not implement the method "step"`), or a list without its name.
 */
export function fromOlderObject(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /does not implement the method "step"|no shard step named/.test(message);
}
