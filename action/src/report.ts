/**
 * Per-cluster results → the step's outputs, its job summary table and its exit decision.
 * Only key names, counts and messages: never a value.
 */
export type ClusterOutcome = "created" | "updated" | "unchanged" | "failed";

export interface ClusterResult {
  cluster: string;
  outcome: ClusterOutcome;
  /** the Kubernetes Secret name `<basename>-<owner>` */
  secret?: string;
  namespace?: string;
  added: string[];
  changed: string[];
  removed: string[];
  /** write requests sent to that cluster */
  writes?: number;
  dryRun: boolean;
  /** failed only: what went wrong and what to do */
  error?: { code: string; message: string };
}

export interface Outputs {
  results: string;
  changed: "true" | "false";
  clusters: string;
  failed: string;
}

export function outputsFor(results: ClusterResult[]): Outputs {
  const ok = results.filter((r) => r.outcome !== "failed");
  return {
    results: JSON.stringify(results),
    changed: ok.some(
      (r) =>
        r.outcome === "created" ||
        r.outcome === "updated" ||
        r.added.length + r.changed.length + r.removed.length > 0,
    )
      ? "true"
      : "false",
    // clusters that hold the secret after the step: none after a dry run (nothing was written)
    clusters: ok
      .filter((r) => !r.dryRun)
      .map((r) => r.cluster)
      .join(","),
    failed: results
      .filter((r) => r.outcome === "failed")
      .map((r) => r.cluster)
      .join(","),
  };
}

/** Markdown-safe cell text (key names and cluster names only ever reach here). */
function cell(text: string): string {
  return text.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`).replace(/\n/g, " ");
}

function keys(list: string[]): string {
  if (list.length === 0) return "–";
  const shown = list.slice(0, 20).map((k) => `\`${k.replace(/`/g, "'")}\``);
  return `${list.length}: ${shown.join(", ")}${list.length > 20 ? ", …" : ""}`;
}

export function summaryMarkdown(
  secretName: string,
  kind: string,
  results: ClusterResult[],
  dryRun: boolean,
): string {
  const failed = results.filter((r) => r.outcome === "failed").length;
  const title = `Konduktor secret \`${secretName}\` (${kind})${dryRun ? " — dry run, nothing written" : ""}`;
  const lines = [
    `### ${title}`,
    "",
    `${results.length - failed} of ${results.length} cluster${results.length === 1 ? "" : "s"} ok${failed ? `, ${failed} failed` : ""}`,
    "",
    "| cluster | outcome | keys added | keys changed | keys removed |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const r of results) {
    const outcome =
      r.outcome === "failed"
        ? `❌ failed: ${cell(r.error?.message ?? "unknown error")}`
        : `✅ ${r.outcome}${r.dryRun ? " (dry run)" : ""}`;
    lines.push(
      `| ${cell(r.cluster)} | ${outcome} | ${keys(r.added)} | ${keys(r.changed)} | ${keys(r.removed)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The step's verdict: null = success, else the failure message. */
export function verdict(results: ClusterResult[], failOnPartial: boolean): string | null {
  const failed = results.filter((r) => r.outcome === "failed");
  if (results.length === 0)
    return "no cluster was targeted: check clusters and the credential's allowed clusters";
  if (failed.length === 0) return null;
  const names = failed.map((r) => r.cluster).join(", ");
  if (failed.length === results.length) {
    return `every cluster failed (${names}); see the message per cluster above`;
  }
  if (failOnPartial) {
    return `${failed.length} of ${results.length} clusters failed (${names}); the others were written. Fix the cause and re-run (the step is idempotent), or set fail-on-partial: false to accept partial results`;
  }
  return null;
}
