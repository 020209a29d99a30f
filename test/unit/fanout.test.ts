import { describe, expect, it } from "vitest";
import { brokerClassify } from "../../functions/fanout-options.ts";
import { ApiError } from "../../functions/problem.ts";
import { BrokerKeyError } from "../../functions/registry/clusters.ts";
import { KonduktorError } from "../../konduktor/errors.ts";
import { backoffDelay, fanout, isFailure, summarize } from "../../konduktor/fanout.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import { ValidationError } from "../../konduktor/secret.ts";

class FakeKubeError extends KonduktorError {
  constructor(code: string, retryable: boolean, retryAfterSeconds?: number) {
    super(code, `${code} happened`, { retryable, retryAfterSeconds });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fanout", () => {
  it("answers one result per cluster, in order, with the operation's status", async () => {
    const results = await fanout(["a", "b", "c"], async (cluster) => {
      await sleep(cluster === "a" ? 30 : 1);
      return { status: cluster === "b" ? "updated" : "created" };
    });
    expect(results.map((r) => [r.cluster, r.status, r.attempts])).toEqual([
      ["a", "created", 1],
      ["b", "updated", 1],
      ["c", "created", 1],
    ]);
    expect(summarize(results)).toEqual({ ok: 3, failed: 0, allFailedWith: null });
  });

  it("bounds concurrency", async () => {
    let running = 0;
    let peak = 0;
    await fanout(
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
    expect(peak).toBe(3);
  });

  it("retries retryable errors with backoff and succeeds", async () => {
    const calls: number[] = [];
    const results = await fanout(
      ["a"],
      async () => {
        calls.push(Date.now());
        if (calls.length < 3) throw new FakeKubeError("server_error", true);
        return { status: "created" };
      },
      { baseDelayMs: 20, random: () => 0 },
    );
    expect(results[0]).toMatchObject({ cluster: "a", status: "created", attempts: 3 });
    // backoff 10 ms (half of 20) then 20 ms (half of 40)
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(9);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(19);
  });

  it("does not retry a non-retryable error and passes its code and message", async () => {
    let calls = 0;
    const results = await fanout(["a"], async () => {
      calls++;
      throw new FakeKubeError("forbidden", false);
    });
    expect(calls).toBe(1);
    expect(results[0]).toMatchObject({
      cluster: "a",
      status: "error",
      code: "forbidden",
      message: "forbidden happened",
      retryable: false,
    });
    expect(summarize(results).allFailedWith).toBe("forbidden");
  });

  it("gives up after the retry budget", async () => {
    let calls = 0;
    const results = await fanout(
      ["a"],
      async () => {
        calls++;
        throw new FakeKubeError("unreachable", true);
      },
      { retries: 2, baseDelayMs: 1 },
    );
    expect(calls).toBe(3);
    expect(results[0]).toMatchObject({ status: "error", code: "unreachable", attempts: 3 });
  });

  it("honours Retry-After", async () => {
    const calls: number[] = [];
    await fanout(
      ["a"],
      async () => {
        calls.push(Date.now());
        if (calls.length === 1) throw new FakeKubeError("too_many_requests", true, 0.15);
        return { status: "created" };
      },
      { baseDelayMs: 1, random: () => 0 },
    );
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(145);
  });

  it("does not wait for a Retry-After beyond the deadline", async () => {
    const started = Date.now();
    const results = await fanout(
      ["a"],
      async () => {
        throw new FakeKubeError("too_many_requests", true, 30);
      },
      { timeoutMs: 2_000 },
    );
    // the Retry-After (30 s) is beyond the 2 s deadline: no wait at all (generous bound for slow CI)
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(results[0]).toMatchObject({ status: "error", code: "too_many_requests", attempts: 1 });
  });

  it("a hanging cluster ends at its deadline and does not delay the others", async () => {
    let aborted = false;
    const started = Date.now();
    const results = await fanout(
      ["fast", "dead", "fast2"],
      async (cluster, signal) => {
        if (cluster !== "dead") return { status: "created" };
        signal.addEventListener("abort", () => {
          aborted = true;
        });
        return await new Promise<{ status: string }>(() => {});
      },
      { timeoutMs: 150 },
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(145);
    // the dead cluster would hang forever: it ends at its deadline (generous bound for slow CI)
    expect(elapsed).toBeLessThan(2_000);
    expect(aborted).toBe(true);
    expect(results.map((r) => r.status)).toEqual(["created", "error", "created"]);
    const dead = results[1]!;
    expect(isFailure(dead) && dead.code).toBe("timeout");
    expect(summarize(results)).toEqual({ ok: 2, failed: 1, allFailedWith: null });
  });

  it("never passes on the message of an unknown error", async () => {
    const results = await fanout(["a"], async () => {
      throw new Error("value=hunter2");
    });
    expect(results[0]).toMatchObject({ code: "internal_error", message: "unexpected error" });
    expect(JSON.stringify(results)).not.toContain("hunter2");
  });

  it("backoff grows exponentially, is capped, and respects Retry-After", () => {
    const r = () => 0.999;
    expect(backoffDelay(1, 100, 1000, r)).toBeLessThanOrEqual(100);
    expect(backoffDelay(3, 100, 1000, r)).toBeGreaterThan(390);
    expect(backoffDelay(10, 100, 1000, r)).toBeLessThanOrEqual(1000);
    expect(backoffDelay(1, 100, 1000, () => 0, 2)).toBe(2000);
  });
});

describe("the broker's classification", () => {
  class CodedError extends Error {
    readonly code = "x";
  }
  const thrown: [string, unknown][] = [
    ["a plain object with a code and a message", { code: "x", message: "secret-canary" }],
    ["an Error subclass with a code", new CodedError("secret-canary")],
    ["an Error with a code assigned", Object.assign(new Error("secret-canary"), { code: "x" })],
  ];
  for (const [what, error] of thrown) {
    it(`answers ${what} as internal_error and logs it without its message`, async () => {
      const lines: Record<string, unknown>[] = [];
      const results = await fanout(
        ["a"],
        async () => {
          throw error;
        },
        { classify: brokerClassify((l) => lines.push(l), "test op", { requestId: "r1" }) },
      );
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({
        cluster: "a",
        status: "error",
        code: "internal_error",
        message: "unexpected error",
        retryable: false,
      });
      expect(JSON.stringify(results)).not.toContain("secret-canary");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        type: "error",
        requestId: "r1",
        where: "test op",
        code: "x",
      });
      expect(JSON.stringify(lines)).not.toContain("secret-canary");
    });
  }

  it("passes on the broker's own errors as they are", async () => {
    const lines: unknown[] = [];
    const classify = brokerClassify((l) => lines.push(l), "test op");
    const kube = new KubeError({
      code: "forbidden",
      message: "may not get secrets",
      httpStatus: 403,
    });
    expect(classify(kube)).toEqual({
      code: "forbidden",
      message: "may not get secrets",
      retryable: false,
    });
    expect(classify(new ValidationError("name", "bad name"))).toEqual({
      code: "invalid_input",
      message: "bad name",
      retryable: false,
    });
    expect(classify(new ApiError("not_found", "no registered cluster named a"))).toEqual({
      code: "not_found",
      message: "no registered cluster named a",
      retryable: false,
    });
    expect(classify(new BrokerKeyError("the stored kubeconfig of a: no key"))).toEqual({
      code: "broker_key_error",
      message: "the stored kubeconfig of a: no key",
      retryable: false,
    });
    expect(lines).toEqual([]);
  });
});
