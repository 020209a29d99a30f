/**
 * `npm run bench`: the project side by side with what its users would run instead, measured in
 * one run on one machine, in interleaved rounds; prints a table of ratios and writes it (with
 * every sample summary and count) to bench/results/<time>.json and .md. Asserts nothing.
 *
 * Needs the cluster binaries (`npm run cluster:build`), and for the alternatives' rows Python 3
 * with the kubernetes client (`apt-get install -y python3-kubernetes`) and kubectl (built here on
 * first use, from test/cluster/kubectl); a missing tool leaves its rows out and is named.
 *
 * Settings (environment):
 *   BENCH_ROUNDS       rounds of the quick rows (default 10); the slow rows run a third of them
 *                      (at least 3): whole processes over a 50 ms link, fan-out to 30, sync of 300
 *   BENCH_SLOW_ROUNDS  override the slow rows' rounds
 *   BENCH_ONLY         comma-separated measurement names (default all): see MEASUREMENTS
 *   BENCH_NOTE         a note on the machine, printed with the load (e.g. "shared with 4 builds")
 *
 * Design, and what each row means: docs/decisions/0014-comparative-bench.md.
 */
import { repoRoot } from "../test/cluster/binaries.ts";
import { Closer, startClusters } from "./lib/clusters.ts";
import { type BenchContext, createContext, type Measured } from "./lib/context.ts";
import {
  loadNow,
  machine,
  machineLine,
  markdownTable,
  type Row,
  writeReport,
} from "./lib/report.ts";
import { findTools } from "./lib/tools.ts";
import { measureActionContexts, measureStartup } from "./measure/action.ts";
import { measureAdapters } from "./measure/adapters.ts";
import { measureBrokerFanout, measureBrokerOverhead } from "./measure/broker.ts";
import { measureInlineSync } from "./measure/inline-sync.ts";
import { measureLists } from "./measure/lists.ts";
import { measureOneWrite } from "./measure/one-write.ts";
import { measureSync } from "./measure/sync.ts";

/** In the order they run; `adapters` last (it stops and restarts one apiserver). */
const MEASUREMENTS: Record<string, (ctx: BenchContext) => Promise<Measured>> = {
  "one-write": measureOneWrite,
  startup: measureStartup,
  "action-contexts": measureActionContexts,
  "broker-overhead": measureBrokerOverhead,
  "broker-fanout": measureBrokerFanout,
  lists: measureLists,
  sync: measureSync,
  "inline-sync": measureInlineSync,
  adapters: measureAdapters,
};

function selected(): string[] {
  const only = (process.env.BENCH_ONLY ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((n) => !(n in MEASUREMENTS));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY names ${unknown.join(", ")}, which the bench does not have: use some of ${Object.keys(MEASUREMENTS).join(", ")}`,
    );
  }
  return only.length > 0 ? only : Object.keys(MEASUREMENTS);
}

async function main() {
  const loadStart = loadNow();
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 10));
  const slowRounds = Math.max(
    1,
    Number(process.env.BENCH_SLOW_ROUNDS ?? Math.max(3, Math.ceil(rounds / 3))),
  );
  const names = selected();
  const log = (line: string) => console.error(line);
  const tools = findTools(log);
  for (const line of tools.missing) log(`bench: MISSING: ${line}; its rows are left out`);
  const closer = new Closer();
  const rows: Row[] = [];
  const data: Record<string, unknown> = { rounds, slowRounds, missing: tools.missing };
  try {
    log("bench: starting clusters alpha, beta, gamma…");
    const clusters = await startClusters(["alpha", "beta", "gamma"]);
    closer.add({ close: () => Promise.all(clusters.map((c) => c.stop())).then(() => undefined) });
    const ctx = createContext({ rounds, slowRounds, clusters, tools, closer, log });
    for (const name of names) {
      log(`bench: ${name}…`);
      const started = performance.now();
      const result = await MEASUREMENTS[name]!(ctx);
      rows.push(...result.rows);
      data[name] = { ...result.data, took_s: +((performance.now() - started) / 1000).toFixed(1) };
    }
  } finally {
    await closer.closeAll();
  }
  const m = machine(loadStart, process.env.BENCH_NOTE ?? "");
  const files = writeReport(repoRoot, { rows, machine: m, rounds, data });
  console.log(`${machineLine(m)}; ${rounds} rounds (${slowRounds} for the slow rows), p50\n`);
  console.log(markdownTable(rows));
  for (const line of tools.missing) console.log(`\nnot measured: ${line}`);
  console.log(`\nbench: written to ${files.json} and ${files.md}`);
}

await main();
