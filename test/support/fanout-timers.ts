// Shared by the fan-out unit tests (fanout.test.ts, fanout-deadline.test.ts): a retryable error
// of a given code, and helpers for tests that run on fake timers (Date and setTimeout) from T0.
import { KonduktorError } from "../../konduktor/errors.ts";

export class FakeKubeError extends KonduktorError {
  constructor(code: string, retryable: boolean, retryAfterSeconds?: number) {
    super(code, `${code} happened`, { retryable, retryAfterSeconds });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a promise has settled, without waiting for it. */
export async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

// Every test runs on fake timers (Date and setTimeout) starting at T0: durations, backoffs and
// deadlines are asserted exactly, not against the wall clock of a busy machine.
export const T0 = 1_000_000;
/** ms since the test started */
export const elapsed = () => Date.now() - T0;
