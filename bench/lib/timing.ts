/**
 * Timings for the bench: samples, summaries, and interleaved rounds (each round runs every
 * contender once, in an order that rotates per round, so load that comes and goes on a shared
 * machine falls on all of them alike). Nothing here asserts a time.
 */

export interface Summary {
  n: number;
  p50_ms: number;
  p90_ms: number;
  min_ms: number;
  max_ms: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (x: number) => +x.toFixed(2);
  return {
    n: sorted.length,
    p50_ms: round(at(0.5)),
    p90_ms: round(at(0.9)),
    min_ms: round(sorted[0] ?? 0),
    max_ms: round(sorted.at(-1) ?? 0),
  };
}

/** ms that `fn` took */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * One contender of an interleaved measurement: `run(round)` does one timed operation and answers
 * its ms (so untimed set-up inside it stays out of the number); `prepare` runs before each
 * `run`, untimed.
 */
export interface Contender {
  name: string;
  run: (round: number) => Promise<number>;
  prepare?: (round: number) => Promise<void>;
}

/**
 * `rounds` rounds; in round r the contenders run in an order rotated by r (A B C, B C A, …).
 * `warmup` rounds first, not counted. Answers the samples per contender.
 */
export async function interleave(
  contenders: readonly Contender[],
  rounds: number,
  warmup = 1,
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(
    contenders.map((c) => [c.name, [] as number[]]),
  );
  for (let r = -warmup; r < rounds; r++) {
    const shift = ((r % contenders.length) + contenders.length) % contenders.length;
    const order = [...contenders.slice(shift), ...contenders.slice(0, shift)];
    for (const c of order) {
      await c.prepare?.(r);
      const ms = await c.run(r);
      if (r >= 0) samples[c.name]!.push(ms);
    }
  }
  return samples;
}

/** `a ÷ b` of two medians, 2 decimals (null when b is 0) */
export function ratio(a: Summary, b: Summary): number | null {
  return b.p50_ms > 0 ? +(a.p50_ms / b.p50_ms).toFixed(2) : null;
}

/** appends `ms` to `samples[key]` */
export function record(samples: Record<string, number[]>, key: string, ms: number): void {
  const list = samples[key] ?? [];
  list.push(ms);
  samples[key] = list;
}
