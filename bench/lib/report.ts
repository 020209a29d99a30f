/**
 * The bench's report: one row per comparison (ours, the alternative, their ratio, the issue's
 * target and whether this run meets it), the machine and its load, written to bench/results/ as
 * JSON and Markdown and printed. Meeting a target is reported, never asserted.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

export interface Row {
  measurement: string;
  ours: string;
  alternative: string;
  /** e.g. `ours ÷ kubectl: 1.35 / 1.26 / 1.35` */
  ratio: string;
  /** the acceptance target, e.g. `≤ 1.0`; "" when none */
  target: string;
  /** whether this run meets the target (null: no target, or not measured) */
  meets: boolean | null;
  /** requests and stored writes per operation, when counted */
  counts: string;
}

export interface Machine {
  nproc: number;
  cpu: string;
  memGiB: number;
  node: string;
  /** `uptime`'s load averages (1, 5, 15 min) at the start and at the end of the run */
  loadStart: number[];
  loadEnd: number[];
  /** what else ran on the machine, as said in BENCH_NOTE */
  note: string;
}

export function machine(loadStart: number[], note: string): Machine {
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync("nproc", { encoding: "utf8" }).trim()) || nproc;
  } catch {
    // no nproc: the CPU count Node sees
  }
  return {
    nproc,
    cpu: cpus()[0]?.model ?? "?",
    memGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    loadStart,
    loadEnd: loadavg().map((l) => +l.toFixed(2)),
    note,
  };
}

export const loadNow = () => loadavg().map((l) => +l.toFixed(2));

const ms = (x: number) =>
  x >= 1000 ? `${Math.round(x).toLocaleString("en-US")}` : `${+x.toFixed(1)}`;
/** `12.3` / `1,234` ms, joined with " / " */
export const msList = (xs: readonly number[]) => `${xs.map(ms).join(" / ")} ms`;

/** `true` when every ratio is within `max` (null when one is missing) */
export function within(ratios: readonly (number | null)[], max: number): boolean | null {
  if (ratios.some((r) => r === null)) return null;
  return ratios.every((r) => (r as number) <= max);
}

export const ratioList = (rs: readonly (number | null)[]) =>
  rs.map((r) => (r === null ? "–" : r.toFixed(2))).join(" / ");

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function markdownTable(rows: readonly Row[]): string {
  const head =
    "| measurement | ours | alternative | ratio | target | meets | requests, stored writes |";
  const rule = "|---|---|---|---|---|---|---|";
  const lines = rows.map(
    (r) =>
      `| ${[
        r.measurement,
        r.ours,
        r.alternative,
        r.ratio,
        r.target || "–",
        r.meets === null ? "–" : r.meets ? "✔" : "✘",
        r.counts || "–",
      ]
        .map(cell)
        .join(" | ")} |`,
  );
  return [head, rule, ...lines].join("\n");
}

export function machineLine(m: Machine): string {
  return (
    `${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}; ` +
    `load (\`uptime\`, 1/5/15 min) ${m.loadStart.join(", ")} at the start, ${m.loadEnd.join(", ")} at the end` +
    (m.note ? `; ${m.note}` : "")
  );
}

export function writeReport(
  repoRoot: string,
  report: { rows: Row[]; machine: Machine; rounds: number; data: Record<string, unknown> },
): { json: string; md: string } {
  const dir = join(repoRoot, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const json = join(dir, `${stamp}.json`);
  const md = join(dir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    md,
    `# npm run bench, ${new Date().toISOString()}\n\n${machineLine(report.machine)}; ` +
      `${report.rounds} rounds (fewer for the slow rows, see the JSON), p50.\n\n` +
      `${markdownTable(report.rows)}\n`,
  );
  return { json, md };
}
