/**
 * CPU cost of refusing the worst directory inputs (issue 13): each is sent to the broker app
 * in-process (body read, strict JSON, validation, the secret's limits) and refused with a 400
 * before anything is zipped. Process CPU time (user + system) per request, not wall time.
 */
import { ADMIN, inProcessBroker } from "../../test/support/hardening-broker.ts";
import type { BenchContext, Measured } from "../lib/context.ts";
import type { Row } from "../lib/report.ts";

const OWNER = "be0c00a1";

function directory(entries: { path: string }[]): string {
  return JSON.stringify({
    owner: OWNER,
    dryRun: true,
    source: {
      type: "directory",
      name: "d",
      entries: entries.map((e) => ({ path: e.path, content: "QQ==" })),
    },
  });
}

/** name → request body, each refused; all within the default 2,000,000-byte body limit */
export const WORST_DIRECTORY_INPUTS: Record<string, string> = {
  "one path of 4,000 folders (8 KB)": directory([{ path: `${"a/".repeat(4000)}f` }]),
  "one path of 5,000 folders": directory([{ path: `${"a/".repeat(5000)}f` }]),
  "one 70,000-character path": directory([{ path: "p".repeat(70_000) }]),
  "one 1,900,000-character path": directory([{ path: "p".repeat(1_900_000) }]),
  "30,000 flat entries": directory(Array.from({ length: 30_000 }, (_, i) => ({ path: `f${i}` }))),
  "1,001 entries of 1,900-character paths": directory(
    Array.from({ length: 1_001 }, (_, i) => ({ path: `${i}/${"q".repeat(1_890)}` })),
  ),
  "1,000 entries 40 levels deep": directory(
    Array.from({ length: 1_000 }, (_, i) => ({ path: `${"d/".repeat(40)}${i}` })),
  ),
};

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

export async function directoryRefusals(rounds: number): Promise<{
  inputs: Record<
    string,
    { bytes: number; status: number; cpu_p50_ms: number; cpu_max_ms: number; parse_p50_ms: number }
  >;
  worst: { input: string; cpu_p50_ms: number } | null;
}> {
  const broker = await inProcessBroker();
  const token = (
    await broker.request("POST", "/v1/tokens", { token: ADMIN, json: { owners: [OWNER] } })
  ).body.token as string;
  const out: Record<
    string,
    { bytes: number; status: number; cpu_p50_ms: number; cpu_max_ms: number; parse_p50_ms: number }
  > = {};
  for (const [name, body] of Object.entries(WORST_DIRECTORY_INPUTS)) {
    const samples: number[] = [];
    let status = 0;
    for (let i = 0; i < rounds; i++) {
      const start = process.cpuUsage();
      const res = await broker.request("PUT", "/v1/secrets/bench-dir", { token, body });
      samples.push(cpuMs(start));
      status = res.status;
    }
    // the floor: what JSON.parse alone costs on the same body
    const parse: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const start = process.cpuUsage();
      JSON.parse(body);
      parse.push(cpuMs(start));
    }
    samples.sort((a, b) => a - b);
    parse.sort((a, b) => a - b);
    out[name] = {
      bytes: body.length,
      status,
      cpu_p50_ms: +(samples[Math.floor(samples.length / 2)] ?? 0).toFixed(2),
      cpu_max_ms: +(samples.at(-1) ?? 0).toFixed(2),
      parse_p50_ms: +(parse[Math.floor(parse.length / 2)] ?? 0).toFixed(2),
    };
  }
  const worst = Object.entries(out).sort((a, b) => b[1].cpu_p50_ms - a[1].cpu_p50_ms)[0];
  return {
    inputs: out,
    worst: worst ? { input: worst[0], cpu_p50_ms: worst[1].cpu_p50_ms } : null,
  };
}

// `node bench/measure/directory-refusals.ts`: this measurement alone (no clusters needed)
if (import.meta.filename === process.argv[1]) {
  console.log(
    JSON.stringify(await directoryRefusals(Number(process.env.BENCH_ROUNDS ?? 20)), null, 2),
  );
}

/** The bench measurement: one row per input, ours against `JSON.parse` of the same body. */
export async function measureDirectoryRefusals(ctx: BenchContext): Promise<Measured> {
  const result = await directoryRefusals(Math.max(5, ctx.rounds));
  const rows: Row[] = Object.entries(result.inputs).map(([input, r]) => ({
    measurement: `refuse a directory: ${input} (${r.status})`,
    ours: `${r.cpu_p50_ms} ms CPU`,
    alternative: `JSON.parse alone: ${r.parse_p50_ms} ms`,
    ratio: `ours ÷ JSON.parse: ${(r.cpu_p50_ms / Math.max(r.parse_p50_ms, 0.01)).toFixed(2)}`,
    target: "< 50 ms CPU",
    meets: r.cpu_p50_ms < 50,
    counts: "",
  }));
  return { rows, data: result };
}
