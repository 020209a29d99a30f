/**
 * What the user sees. On a terminal: one live line per cluster (a spinner, then created / updated /
 * unchanged / deleted, or the error with its code and what to do; listr2), then a summary in mcli's
 * spirit ("✔ Synced to 3 of 3 clusters" / "✖ 1 of 3 failed: …"). Not on a terminal: the same lines,
 * plain, as each cluster finishes. `-o json`: only the answer, for scripts. Tables (cli-table3)
 * for lists and descriptions. Key names, clusters and codes only: never a value.
 */
import Table from "cli-table3";
import { Listr } from "listr2";

export type OutputFormat = "text" | "json";

export interface Out {
  format: OutputFormat;
  /** stdout is a terminal (live lines, colours) */
  tty: boolean;
  print: (line: string) => void;
  /** notes and warnings (stderr): never part of `-o json` */
  note: (line: string) => void;
}

export function consoleOut(format: OutputFormat): Out {
  return {
    format,
    tty: process.stdout.isTTY === true && format === "text",
    print: (line) => process.stdout.write(`${line}\n`),
    note: (line) => process.stderr.write(`${line}\n`),
  };
}

/** One cluster's outcome as a line: `ok` decides ✔ or ✖; `detail` goes under a failure. */
export interface ClusterLine {
  cluster: string;
  ok: boolean;
  /** e.g. `created (added API_KEY)` or `error unreachable` */
  text: string;
  /** the error's message (what went wrong and what to do) */
  detail?: string;
}

export function lineText(l: ClusterLine): string {
  return `${l.ok ? "✔" : "✖"} ${l.cluster}  ${l.text}${l.detail ? `: ${l.detail}` : ""}`;
}

/**
 * Shows one line per cluster as its promise settles: live on a terminal (spinners), plain lines in
 * completion order otherwise, nothing for JSON. Resolves with the lines in the given order.
 */
export async function showClusters(
  out: Out,
  lines: ReadonlyMap<string, Promise<ClusterLine>>,
  waiting?: string,
): Promise<ClusterLine[]> {
  const names = [...lines.keys()];
  if (out.format === "json") {
    return await Promise.all(names.map((n) => lines.get(n) as Promise<ClusterLine>));
  }
  if (!out.tty) {
    const done = names.map((n) =>
      (lines.get(n) as Promise<ClusterLine>).then((l) => {
        out.print(lineText(l));
        return l;
      }),
    );
    return await Promise.all(done);
  }
  const settled = new Map<string, ClusterLine>();
  const list = new Listr(
    names.map((cluster) => ({
      title: waiting ? `${cluster}  ${waiting}` : cluster,
      task: async (_ctx: unknown, task: { title: string }) => {
        const l = await (lines.get(cluster) as Promise<ClusterLine>);
        settled.set(cluster, l);
        task.title = `${cluster}  ${l.text}`;
        if (!l.ok) throw new Error(l.detail ?? l.text);
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      rendererOptions: { collapseErrors: false, showErrorMessage: true, formatOutput: "wrap" },
    },
  );
  await list.run().catch(() => undefined);
  return names.map((n) => settled.get(n) as ClusterLine);
}

/** A spinner while something without per-cluster progress runs (e.g. one broker call). */
export async function withSpinner<T>(out: Out, title: string, work: Promise<T>): Promise<T> {
  if (!out.tty) return await work;
  let value: T | undefined;
  const list = new Listr(
    [
      {
        title,
        task: async () => {
          value = await work;
        },
      },
    ],
    {
      exitOnError: true,
      rendererOptions: { clearOutput: true },
    },
  );
  try {
    await list.run();
  } catch {
    return await work; // rethrows the work's own error
  }
  return value as T;
}

/**
 * The summary after the cluster lines: "✔ <verb> 3 of 3 clusters" or "✖ 1 of 3 failed: gamma
 * (unreachable)". `verb`: e.g. "Synced to", "Deleted from", "Planned for".
 */
export function summary(verb: string, lines: readonly ClusterLine[]): string {
  const failed = lines.filter((l) => !l.ok);
  const n = lines.length;
  const of = `${n} cluster${n === 1 ? "" : "s"}`;
  if (n === 0)
    return "✖ no cluster was targeted: check --clusters and what your credential may use";
  if (failed.length === 0) return `✔ ${verb} ${n} of ${of}`;
  const which = failed.map((l) => `${l.cluster} (${l.text.replace(/^error /, "")})`).join(", ");
  return `✖ ${failed.length} of ${of} failed: ${which}${failed.length < n ? `; ${verb.toLowerCase()} the other ${n - failed.length}` : ""}`;
}

export function keyList(keys: readonly string[], max = 8): string {
  if (keys.length === 0) return "–";
  return `${keys.slice(0, max).join(", ")}${keys.length > max ? `, … (${keys.length})` : ""}`;
}

/** A table with a header row; plain borders (no colours) so it reads the same in a pipe. */
export function table(head: string[], rows: string[][]): string {
  const t = new Table({
    // a table of key/value lines (`whoami`, `describe`) has no head: `[]` prints no head line
    head: head.every((h) => h === "") ? [] : head,
    style: { head: [], border: [], compact: true, "padding-left": 0, "padding-right": 0 },
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  ",
    },
  });
  t.push(...rows);
  return t
    .toString()
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n");
}

export function json(out: Out, value: unknown): void {
  out.print(JSON.stringify(value, null, 2));
}
