// Mutants of konduktor/fanout.ts that the other fan-out tests let survive
// (docs/mutation-survivors.md): what an operation sees when its deadline passes.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fanout } from "../../konduktor/fanout.ts";
import { T0 } from "../support/fanout-timers.ts";

describe("fanout: the abort an operation sees at its deadline", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the signal is aborted at the deadline with an Error whose message is 'deadline'", async () => {
    const seen: { at: number; reason: unknown }[] = [];
    const p = fanout(
      ["a"],
      (_cluster, signal) =>
        new Promise<never>(() => {
          signal.addEventListener("abort", () => {
            seen.push({ at: Date.now() - T0, reason: signal.reason });
          });
        }),
      { timeoutMs: 300 },
    );
    await vi.advanceTimersByTimeAsync(300);
    const [result] = await p;
    expect(seen).toHaveLength(1);
    const [abort] = seen as [{ at: number; reason: unknown }];
    expect(abort.at).toBe(300);
    expect(abort.reason).toBeInstanceOf(Error);
    expect((abort.reason as Error).message).toBe("deadline");
    expect(result).toEqual({
      cluster: "a",
      status: "error",
      code: "timeout",
      message: "no answer within 300 ms",
      retryable: true,
      attempts: 1,
      durationMs: 300,
    });
  });
});
