// The fan-out's per-cluster deadline on fake timers: Retry-After and retries stop at it, a hanging
// cluster ends exactly at it, the timer is cleared. Split from fanout.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fanout, isFailure, summarize } from "../../konduktor/fanout.ts";
import { elapsed, FakeKubeError, settled, T0 } from "../support/fanout-timers.ts";

describe("fanout deadlines", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("does not wait for a Retry-After beyond the deadline", async () => {
    const results = await fanout(
      ["a"],
      async () => {
        throw new FakeKubeError("too_many_requests", true, 30);
      },
      { timeoutMs: 2_000 },
    );
    // the Retry-After (30 s) is beyond the 2 s deadline: answered at once, no wait at all
    expect(results[0]).toMatchObject({
      status: "error",
      code: "too_many_requests",
      attempts: 1,
      durationMs: 0,
    });
    expect(elapsed()).toBe(0);
  });

  it("a retry that would start exactly at the deadline is not attempted; one just before is", async () => {
    const run = async (timeoutMs: number) => {
      let calls = 0;
      const p = fanout(
        ["a"],
        async () => {
          calls++;
          throw new FakeKubeError("server_error", true);
        },
        { timeoutMs, retries: 1, baseDelayMs: 100, random: () => 0 },
      );
      await vi.runAllTimersAsync();
      return { calls, result: (await p)[0] };
    };
    // the first backoff is 50 ms
    expect(await run(50)).toMatchObject({
      calls: 1,
      result: { code: "server_error", attempts: 1 },
    });
    expect(await run(51)).toMatchObject({
      calls: 2,
      result: { code: "server_error", attempts: 2 },
    });
  });

  it("a hanging cluster ends exactly at its deadline and does not delay the others", async () => {
    let abortedAt: number | null = null;
    const p = fanout(
      ["fast", "dead", "fast2"],
      async (cluster, signal) => {
        if (cluster !== "dead") return { status: "created" };
        signal.addEventListener("abort", () => {
          abortedAt = elapsed();
        });
        return await new Promise<{ status: string }>(() => {});
      },
      { timeoutMs: 150 },
    );
    await vi.advanceTimersByTimeAsync(149);
    expect(await settled(p)).toBe(false);
    expect(abortedAt).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    const results = await p;
    expect(abortedAt).toBe(150);
    expect(results).toEqual([
      { cluster: "fast", status: "created", attempts: 1, durationMs: 0 },
      {
        cluster: "dead",
        status: "error",
        code: "timeout",
        message: "no answer within 150 ms",
        retryable: true,
        attempts: 1,
        durationMs: 150,
      },
      { cluster: "fast2", status: "created", attempts: 1, durationMs: 0 },
    ]);
    expect(isFailure(results[1] as (typeof results)[number])).toBe(true);
    expect(isFailure(results[0] as (typeof results)[number])).toBe(false);
    expect(summarize(results)).toEqual({ ok: 2, failed: 1, allFailedWith: null });
  });

  it("a deadline during a retry names the attempts and the last error", async () => {
    let calls = 0;
    const p = fanout(
      ["a"],
      async () => {
        calls++;
        if (calls === 1) throw new FakeKubeError("server_error", true);
        return await new Promise<{ status: string }>(() => {});
      },
      { timeoutMs: 120, baseDelayMs: 100, random: () => 0 },
    );
    await vi.runAllTimersAsync();
    // the first attempt fails at 0 ms, the second starts at 50 ms and hangs past the deadline
    expect((await p)[0]).toEqual({
      cluster: "a",
      status: "error",
      code: "timeout",
      message: "no answer within 120 ms after 2 attempt(s); last error: server_error happened",
      retryable: true,
      attempts: 2,
      durationMs: 120,
    });
  });

  it("stops the deadline timer when a cluster answers: its signal is never aborted later", async () => {
    let signal: AbortSignal | undefined;
    const results = await fanout(
      ["a"],
      async (_cluster, s) => {
        signal = s;
        return { status: "created" };
      },
      { timeoutMs: 100 },
    );
    expect(results[0]).toMatchObject({ status: "created" });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(signal?.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("one timer for a fan-out's deadlines: each cluster still ends exactly at its own", async () => {
    // 200 clusters, 2 at a time, each taking 7 ms, except c7 and c150 which never answer; 7 ms is
    // off the deadline's grid, so a cluster is always mid-way when another one's deadline passes
    const started: Record<string, number> = {};
    const p = fanout(
      Array.from({ length: 200 }, (_, i) => `c${i}`),
      (cluster) => {
        started[cluster] = Date.now() - T0;
        if (cluster === "c7" || cluster === "c150") return new Promise<never>(() => {});
        return new Promise<{ status: string }>((r) => setTimeout(() => r({ status: "done" }), 7));
      },
      { timeoutMs: 1_000, concurrency: 2 },
    );
    await vi.advanceTimersByTimeAsync(5);
    // two clusters running, one deadline timer (and their two 7 ms answers)
    expect(vi.getTimerCount()).toBe(3);
    await vi.runAllTimersAsync();
    const results = await p;
    const hung = results.filter(isFailure);
    expect(hung.map((r) => [r.cluster, r.code, r.durationMs])).toEqual([
      ["c7", "timeout", 1_000],
      ["c150", "timeout", 1_000],
    ]);
    // nobody else expired early with them
    expect(results.filter((r) => !isFailure(r)).map((r) => r.durationMs)).toEqual(
      Array.from({ length: 198 }, () => 7),
    );
    // c150 started after c7 ended (at its deadline): its own deadline counts from its own start
    expect(started.c150).toBeGreaterThan(1_000);
    expect(elapsed()).toBe((started.c150 as number) + 1_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("no deadline timer is left once every cluster answered (a CLI process exits at once)", async () => {
    const p = fanout(
      ["a", "b", "c", "d", "e"],
      (cluster) =>
        new Promise<{ status: string }>((r) =>
          setTimeout(() => r({ status: "done" }), 3 + cluster.charCodeAt(0) - 97),
        ),
      { timeoutMs: 10_000, concurrency: 2 },
    );
    await vi.advanceTimersByTimeAsync(50);
    expect((await p).map((r) => [r.cluster, r.durationMs])).toEqual([
      ["a", 3],
      ["b", 4],
      ["c", 5],
      ["d", 6],
      ["e", 7],
    ]);
    // the deadline timer was cleared with the last answer, not left to fire 10 s later
    expect(vi.getTimerCount()).toBe(0);
    expect(elapsed()).toBe(50);
  });

  it("after a cluster expired, the next one's answer still clears the timer", async () => {
    const p = fanout(
      ["hung", "quick"],
      (cluster) =>
        cluster === "hung"
          ? new Promise<never>(() => {})
          : new Promise<{ status: string }>((r) => setTimeout(() => r({ status: "done" }), 3)),
      { timeoutMs: 1_000, concurrency: 1 },
    );
    await vi.advanceTimersByTimeAsync(1_003);
    expect((await p).map((r) => [r.cluster, r.status, r.durationMs])).toEqual([
      ["hung", "error", 1_000],
      ["quick", "done", 3],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a cluster that starts after every other one ended still gets its deadline", async () => {
    const p = fanout(
      ["quick", "hung"],
      (cluster) =>
        cluster === "hung"
          ? new Promise<never>(() => {})
          : new Promise<{ status: string }>((r) => setTimeout(() => r({ status: "done" }), 3)),
      { timeoutMs: 1_000, concurrency: 1 },
    );
    await vi.advanceTimersByTimeAsync(1_003);
    expect(await settled(p)).toBe(true);
    expect((await p).map((r) => [r.cluster, r.status, r.durationMs])).toEqual([
      ["quick", "done", 3],
      ["hung", "error", 1_000],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a wall clock set back during the fan-out moves no deadline (time is monotonic)", async () => {
    let abortedAt: number | null = null;
    const p = fanout(
      ["hung"],
      async (_c, signal) => {
        signal.addEventListener("abort", () => {
          abortedAt = performance.now();
        });
        return await new Promise<{ status: string }>(() => {});
      },
      { timeoutMs: 1_000 },
    );
    await vi.advanceTimersByTimeAsync(400);
    // the system clock steps back an hour (NTP, a VM resumed): the deadline is still 600 ms away
    vi.setSystemTime(Date.now() - 3_600_000);
    await vi.advanceTimersByTimeAsync(599);
    expect(abortedAt).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect((await p)[0]).toMatchObject({ status: "error", code: "timeout", durationMs: 1_000 });
    expect(abortedAt).not.toBeNull();
  });
});
