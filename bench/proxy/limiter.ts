/**
 * The deployed-Workers connection cap, modelled where the bench can see it: at most `limit`
 * requests in flight per invocation; more wait in a queue until one ends (Cloudflare: "6
 * simultaneous open connections" per invocation; local workerd enforces no such limit).
 *
 * A proxy cannot see which Worker invocation sent a request. Every request counts against one
 * shared cap unless it carries the header `x-konduktor-invocation` (then each value has its own
 * cap): exact while the broker fans out from one invocation, and ready for a broker that spreads
 * clusters over several invocations (Durable Objects, service bindings) and names them in dev.
 * See docs/decisions/0014-comparative-bench.md.
 */
import type { IncomingMessage } from "node:http";
import pLimit, { type LimitFunction } from "p-limit";
import { INVOCATION_HEADER } from "../../functions/workers-limits.ts";

/** The invocation a request names (`x-konduktor-invocation`), "" when it names none. */
export function invocationOf(req: Pick<IncomingMessage, "headers">): string {
  const header = req.headers[INVOCATION_HEADER];
  return typeof header === "string" ? header : "";
}

export interface Limiter {
  readonly limit: number;
  /** runs `fn` when a slot of the request's group is free; the slot is held until it settles */
  run<T>(req: Pick<IncomingMessage, "headers">, fn: () => Promise<T>): Promise<T>;
  /** the most requests that were in flight in one group at the same time */
  readonly maxInFlight: number;
  /** how many requests had to wait for a slot */
  readonly queued: number;
  resetStats(): void;
}

export function createLimiter(limit: number): Limiter {
  const groups = new Map<string, LimitFunction>();
  const active = new Map<string, number>();
  let maxInFlight = 0;
  let queued = 0;
  return {
    limit,
    run(req, fn) {
      const key = invocationOf(req);
      let group = groups.get(key);
      if (!group) {
        group = pLimit(limit);
        groups.set(key, group);
      }
      if (group.activeCount >= limit) queued++;
      return group(async () => {
        const now = (active.get(key) ?? 0) + 1;
        active.set(key, now);
        maxInFlight = Math.max(maxInFlight, now);
        try {
          return await fn();
        } finally {
          active.set(key, (active.get(key) ?? 1) - 1);
        }
      });
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get queued() {
      return queued;
    },
    resetStats() {
      maxInFlight = 0;
      queued = 0;
    },
  };
}
