// The fan-out: one result per cluster, concurrency, retries and backoff, on fake timers.
// Deadlines: fanout-deadline.test.ts; the broker's classification: fanout-classify.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, fanout, summarize } from "../../konduktor/fanout.ts";
import { elapsed, FakeKubeError, settled, sleep, T0 } from "../support/fanout-timers.ts";

describe("fanout", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers one result per cluster, in order, with the operation's status and duration", async () => {
    const p = fanout(["a", "b", "c"], async (cluster) => {
      await sleep(cluster === "a" ? 30 : 1);
      return { status: cluster === "b" ? "updated" : "created" };
    });
    await vi.advanceTimersByTimeAsync(30);
    const results = await p;
    expect(results).toEqual([
      { cluster: "a", status: "created", attempts: 1, durationMs: 30 },
      { cluster: "b", status: "updated", attempts: 1, durationMs: 1 },
      { cluster: "c", status: "created", attempts: 1, durationMs: 1 },
    ]);
    expect(summarize(results)).toEqual({ ok: 3, failed: 0, allFailedWith: null });
  });

  it("bounds concurrency: 10 clusters of 10 ms, 3 at a time, take 40 ms", async () => {
    let running = 0;
    let peak = 0;
    const p = fanout(
      Array.from({ length: 10 }, (_, i) => `c${i}`),
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(10);
        running--;
        return { status: "unchanged" };
      },
      { concurrency: 3 },
    );
    await vi.advanceTimersByTimeAsync(39);
    expect(await settled(p)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const results = await p;
    expect(peak).toBe(3);
    expect(results.map((r) => r.durationMs)).toEqual(Array(10).fill(10));
    expect(elapsed()).toBe(40);
  });

  it("a concurrency below 1 runs one at a time; the default runs 8 at once", async () => {
    const peakWith = async (options: { concurrency?: number }) => {
      let running = 0;
      let peak = 0;
      const p = fanout(
        Array.from({ length: 12 }, (_, i) => `c${i}`),
        async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(5);
          running--;
          return { status: "unchanged" };
        },
        options,
      );
      await vi.runAllTimersAsync();
      await p;
      return peak;
    };
    expect(await peakWith({ concurrency: 0 })).toBe(1);
    expect(await peakWith({})).toBe(8);
  });

  it("retries retryable errors with backoff and succeeds", async () => {
    const calls: number[] = [];
    const p = fanout(
      ["a"],
      async () => {
        calls.push(elapsed());
        if (calls.length < 3) throw new FakeKubeError("server_error", true);
        return { status: "created" };
      },
      { baseDelayMs: 20, random: () => 0 },
    );
    await vi.runAllTimersAsync();
    // backoff 10 ms (half of 20) then 20 ms (half of 40)
    expect(calls).toEqual([0, 10, 30]);
    expect((await p)[0]).toEqual({ cluster: "a", status: "created", attempts: 3, durationMs: 30 });
  });

  it("does not retry a non-retryable error and passes its code and message", async () => {
    let calls = 0;
    const results = await fanout(["a"], async () => {
      calls++;
      throw new FakeKubeError("forbidden", false);
    });
    expect(calls).toBe(1);
    expect(results).toEqual([
      {
        cluster: "a",
        status: "error",
        code: "forbidden",
        message: "forbidden happened",
        retryable: false,
        attempts: 1,
        durationMs: 0,
      },
    ]);
    expect(summarize(results).allFailedWith).toBe("forbidden");
  });

  it("gives up after the retry budget, with the last error", async () => {
    const calls: number[] = [];
    const p = fanout(
      ["a"],
      async () => {
        calls.push(elapsed());
        throw new FakeKubeError("unreachable", true);
      },
      { retries: 2, baseDelayMs: 100, random: () => 0.5 },
    );
    await vi.runAllTimersAsync();
    // backoffs: 50 + 0.5 * 50 = 75 ms, then 100 + 0.5 * 100 = 150 ms
    expect(calls).toEqual([0, 75, 225]);
    expect((await p)[0]).toEqual({
      cluster: "a",
      status: "error",
      code: "unreachable",
      message: "unreachable happened",
      retryable: true,
      attempts: 3,
      durationMs: 225,
    });
  });

  it("the defaults: 3 retries, 200 ms first backoff, capped at 2 s, 10 s deadline", async () => {
    const gapsWith = async (options: { retries?: number }) => {
      const calls: number[] = [];
      const p = fanout(
        ["a"],
        async () => {
          calls.push(elapsed());
          throw new FakeKubeError("unreachable", true);
        },
        { random: () => 0, ...options },
      );
      await vi.runAllTimersAsync();
      await p;
      return calls.slice(1).map((t, i) => t - (calls[i] as number));
    };
    expect(await gapsWith({})).toEqual([100, 200, 400]);
    expect(await gapsWith({ retries: 6 })).toEqual([100, 200, 400, 800, 1000, 1000]);
    const hanging = fanout(["a"], () => new Promise<{ status: string }>(() => {}));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(await settled(hanging)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await hanging)[0]).toMatchObject({ code: "timeout", durationMs: 10_000 });
  });

  it("honours Retry-After", async () => {
    const calls: number[] = [];
    const p = fanout(
      ["a"],
      async () => {
        calls.push(elapsed());
        if (calls.length === 1) throw new FakeKubeError("too_many_requests", true, 0.15);
        return { status: "created" };
      },
      { baseDelayMs: 1, random: () => 0 },
    );
    await vi.runAllTimersAsync();
    expect(calls).toEqual([0, 150]);
    expect((await p)[0]).toMatchObject({ attempts: 2, durationMs: 150 });
  });

  it("a classifier that throws makes the fan-out reject (it is the caller's code, not a cluster's)", async () => {
    const boom = new Error("classifier bug");
    await expect(
      fanout(
        ["a"],
        async () => {
          throw new FakeKubeError("server_error", true);
        },
        {
          classify: () => {
            throw boom;
          },
        },
      ),
    ).rejects.toBe(boom);
  });

  it("never passes on the message of an unknown error", async () => {
    const results = await fanout(["a"], async () => {
      throw new Error("value=hunter2");
    });
    expect(results[0]).toEqual({
      cluster: "a",
      status: "error",
      code: "internal_error",
      message: "unexpected error",
      retryable: false,
      attempts: 1,
      durationMs: 0,
    });
    expect(JSON.stringify(results)).not.toContain("hunter2");
  });

  it("backoff: half the ceiling plus jitter, doubling per attempt, capped, at least Retry-After", () => {
    expect(backoffDelay(1, 100, 1000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 1000, () => 0.5)).toBe(75);
    expect(backoffDelay(2, 100, 1000, () => 0)).toBe(100);
    expect(backoffDelay(3, 100, 1000, () => 0)).toBe(200);
    expect(backoffDelay(3, 100, 1000, () => 1)).toBe(400);
    expect(backoffDelay(10, 100, 1000, () => 0)).toBe(500);
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(1, 100, 1000, () => 0, 2)).toBe(2000);
    expect(backoffDelay(3, 100, 1000, () => 1, 0.3)).toBe(400);
    expect(backoffDelay(1, 100, 1000, () => 0, 0)).toBe(50);
  });

  it("summarize: all failed with one code, with several codes, none", () => {
    const fail = (code: string) => ({
      cluster: code,
      status: "error" as const,
      code,
      message: code,
      retryable: false,
      attempts: 1,
      durationMs: 0,
    });
    expect(summarize([fail("x"), fail("x")])).toEqual({ ok: 0, failed: 2, allFailedWith: "x" });
    expect(summarize([fail("x"), fail("y")])).toEqual({ ok: 0, failed: 2, allFailedWith: null });
    expect(summarize([])).toEqual({ ok: 0, failed: 0, allFailedWith: null });
  });
});
