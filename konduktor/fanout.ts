/**
 * Fan-out: run the same operation on many clusters at once, with per-cluster results.
 *
 * - bounded concurrency (p-limit);
 * - a per-cluster deadline (`timeoutMs`) covering every attempt and every backoff of that cluster;
 *   the result is returned when the deadline passes even if the operation never settles, and the
 *   operation's AbortSignal is aborted so a fetch can stop;
 * - retries with exponential backoff and full jitter on retryable errors (429, 5xx, network),
 *   honouring Retry-After (a retry is not attempted when Retry-After points past the deadline);
 * - one result per cluster, in the order given: the operation's own value (which carries its
 *   `status`, e.g. created/updated/unchanged/deleted) or `{ status: "error", code, message }`.
 *
 * Runtime-agnostic (workerd, Node, Deno, Bun): timers, AbortController and Promise only.
 * Errors are read by `classifyError` (./errors.ts) unless the caller gives its own reading: a
 * KonduktorError keeps its code, message and retryability; the message of any other error is never
 * passed on (it could hold anything). This is the one layer that retries a cluster operation.
 */
import pLimit from "p-limit";
import { classifyError, type ErrorInfo } from "./errors.ts";
import type { ErrorResultT } from "./wire/secrets.ts";

/** A failure as a fan-out keeps it (see `classifyError`). */
export type FanoutErrorInfo = ErrorInfo;

export interface FanoutOptions {
  /** clusters worked on at the same time (default 8) */
  concurrency?: number;
  /** deadline per cluster over all attempts, in ms (default 10 000) */
  timeoutMs?: number;
  /** attempts after the first on a retryable error (default 3) */
  retries?: number;
  /** first backoff in ms (default 200); doubles per attempt */
  baseDelayMs?: number;
  /** largest backoff in ms (default 2 000) */
  maxDelayMs?: number;
  /** how an error is read; default `classifyError` (only the project's own errors keep their text) */
  classify?: (error: unknown) => FanoutErrorInfo;
  /** for tests: a random number in [0, 1) for jitter */
  random?: () => number;
}

export type FanoutSuccess<T> = T & { cluster: string; attempts: number; durationMs: number };

/**
 * A cluster that failed: the one per-cluster failure shape of every answer (the broker's
 * `results`, the Action's and the CLI's reports), defined once by the wire contract
 * (./wire/secrets.ts `ErrorResult`): `{ cluster, status: "error", code, message, retryable,
 * attempts, durationMs }`.
 */
export type FanoutFailure = ErrorResultT;

export type FanoutResult<T> = FanoutSuccess<T> | FanoutFailure;

export type ClusterOperation<T> = (cluster: string, signal: AbortSignal) => Promise<T>;

export function isFailure<T>(result: FanoutResult<T>): result is FanoutFailure {
  return (result as { status?: unknown }).status === "error";
}

class DeadlineExceeded extends Error {}

/** Backoff before retry number `attempt` (1-based): full jitter over an exponential ceiling. */
export function backoffDelay(
  attempt: number,
  base: number,
  max: number,
  random: () => number,
  retryAfterSeconds?: number,
): number {
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  // "full jitter", but never below half the ceiling so a retry does not fire instantly
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const floor = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : 0;
  return Math.max(jittered, floor);
}

interface Watched {
  readonly deadline: number;
  readonly expire: () => void;
  done: boolean;
}

/**
 * Time for deadlines and durations: monotonic (a wall clock set back or forward moves no
 * deadline). In workerd it advances only with I/O, as `Date.now()` does there.
 */
const now = () => performance.now();
/** whole milliseconds since `started` (a `now()`) */
const tookMs = (started: number) => Math.round(now() - started);

/**
 * The deadlines of one fan-out's clusters on one timer. Every cluster gets the same `timeoutMs`
 * from the moment it starts, so deadlines come in start order: a queue, and one timer set for the
 * first one still running (when it fires, everything that ended is dropped and everything due
 * expires). A sync writes hundreds of copies in one fan-out; a timer set and cleared for each was
 * ~7 % of its CPU in workerd. The timer is cleared once nothing is running, so an idle process can
 * exit.
 */
class Deadlines {
  private readonly timeoutMs: number;
  private queue: Watched[] = [];
  private head = 0;
  private running = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Starts a cluster's deadline; `expire` runs when it passes before `end` is called. */
  watch(expire: () => void): { deadline: number; end: () => void } {
    const w: Watched = { deadline: now() + this.timeoutMs, expire, done: false };
    this.queue.push(w);
    this.running++;
    if (this.timer === undefined) this.arm();
    return {
      deadline: w.deadline,
      end: () => {
        if (w.done) return;
        w.done = true;
        this.ended();
      },
    };
  }

  private ended(): void {
    if (--this.running > 0) return;
    clearTimeout(this.timer);
    this.arm();
  }

  /** The first cluster still running (the ended ones before it are dropped), if any. */
  private first(): Watched | undefined {
    while (this.queue[this.head]?.done) this.head++;
    return this.queue[this.head];
  }

  /** A timer for the first deadline still running; none, and the queue emptied, when none runs. */
  private arm(): void {
    const next = this.first();
    if (next === undefined) {
      this.timer = undefined;
      this.queue = [];
      this.head = 0;
      return;
    }
    // a deadline already past fires at once (timers take a negative delay as 0)
    this.timer = setTimeout(() => this.fire(), next.deadline - now());
  }

  private fire(): void {
    const at = now();
    for (let w = this.first(); w !== undefined && w.deadline <= at; w = this.first()) {
      w.done = true;
      this.running--;
      w.expire();
    }
    this.arm();
  }
}

async function oneCluster<T extends object>(
  cluster: string,
  op: ClusterOperation<T>,
  o: Required<Omit<FanoutOptions, "concurrency">>,
  deadlines: Deadlines,
): Promise<FanoutResult<T>> {
  const started = now();
  const controller = new AbortController();
  let expire: (reason: DeadlineExceeded) => void = () => {};
  const expired = new Promise<never>((_, reject) => {
    expire = reject;
  });
  expired.catch(() => {});
  const { deadline, end } = deadlines.watch(() => {
    controller.abort(new DeadlineExceeded("deadline"));
    expire(new DeadlineExceeded("deadline"));
  });
  let attempts = 0;
  let last: FanoutErrorInfo | undefined;
  const failedWith = (info: FanoutErrorInfo): FanoutResult<T> => ({
    cluster,
    status: "error",
    code: info.code,
    message: info.message,
    retryable: info.retryable,
    attempts,
    durationMs: tookMs(started),
  });
  try {
    for (;;) {
      attempts++;
      try {
        const value = await Promise.race([op(cluster, controller.signal), expired]);
        return { ...value, cluster, attempts, durationMs: tookMs(started) };
      } catch (error) {
        if (error instanceof DeadlineExceeded) throw error;
        last = o.classify(error);
        if (!last.retryable || attempts > o.retries) return failedWith(last);
        const delay = backoffDelay(
          attempts,
          o.baseDelayMs,
          o.maxDelayMs,
          o.random,
          last.retryAfterSeconds,
        );
        // a retry that could only start after the deadline is not worth waiting for
        if (now() + delay >= deadline) return failedWith(last);
        await Promise.race([new Promise((r) => setTimeout(r, delay)), expired]);
      }
    }
  } catch (error) {
    if (!(error instanceof DeadlineExceeded)) throw error;
    const message = last
      ? `no answer within ${o.timeoutMs} ms after ${attempts} attempt(s); last error: ${last.message}`
      : `no answer within ${o.timeoutMs} ms`;
    return failedWith({ code: "timeout", message, retryable: true });
  } finally {
    end();
  }
}

/**
 * Runs `op` on every cluster (bounded concurrency, deadline and retries per cluster) and answers
 * one result per cluster, in the order of `clusters`. Never rejects because of an operation.
 */
export async function fanout<T extends object>(
  clusters: readonly string[],
  op: ClusterOperation<T>,
  options: FanoutOptions = {},
): Promise<FanoutResult<T>[]> {
  const o = {
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: options.retries ?? 3,
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 2_000,
    classify: options.classify ?? classifyError,
    random: options.random ?? Math.random,
  };
  const limit = pLimit(Math.max(1, options.concurrency ?? 8));
  const deadlines = new Deadlines(o.timeoutMs);
  return await Promise.all(
    clusters.map((cluster) => limit(() => oneCluster(cluster, op, o, deadlines))),
  );
}

/**
 * How a set of per-cluster results went: how many succeeded and failed, and when every cluster
 * failed with the same code, that code (`allFailedWith`; null otherwise).
 */
export function summarize<T>(results: FanoutResult<T>[]): {
  ok: number;
  failed: number;
  allFailedWith: string | null;
} {
  const failures = results.filter(isFailure);
  const codes = new Set(failures.map((f) => f.code));
  return {
    ok: results.length - failures.length,
    failed: failures.length,
    allFailedWith:
      failures.length > 0 && failures.length === results.length && codes.size === 1
        ? (failures[0]?.code ?? null)
        : null,
  };
}
