/**
 * Per-cluster results → the step's log lines, outputs, job summary table and exit decision, in the
 * words of each outcome (created / updated / unchanged / failed, and "would be" in a dry run).
 * Only key names, counts and messages: never a value.
 */
import * as core from "@actions/core";

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
  /** write requests sent to that cluster (deletes of replaced git-ssh secrets included) */
  writes?: number;
  /**
   * kind git-ssh: the owner's other git-ssh secrets (Secret names) this write deleted (in a dry
   * run: would delete) — Konduktor keeps one git-ssh secret per owner
   */
  replacedGitSsh?: string[];
  /**
   * broker mode: the copy had been changed or deleted outside the broker since it last wrote it,
   * and was written back whole (the key lists compare with what the broker had written)
   */
  changedOutside?: boolean;
  /** how long that cluster took, retries included (kubeconfig mode) */
  durationMs?: number;
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

const OUTSIDE = "written back: it had been changed outside the broker";

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
    const deleted = r.replacedGitSsh?.length
      ? `; ${r.dryRun ? "would delete" : "deleted"} the owner's other git-ssh secret ${r.replacedGitSsh.map((n) => `\`${n}\``).join(", ")}`
      : "";
    const outcome =
      r.outcome === "failed"
        ? `❌ failed: ${cell(r.error?.message ?? "unknown error")}`
        : `✅ ${r.outcome}${r.dryRun ? " (dry run)" : ""}${r.changedOutside ? `; ${OUTSIDE}` : ""}${deleted}`;
    lines.push(
      `| ${cell(r.cluster)} | ${outcome} | ${keys(r.added)} | ${keys(r.changed)} | ${keys(r.removed)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * What happened on the clusters that did not fail, in the words of each outcome, e.g.
 * `created on alpha; unchanged on beta (already up to date)`; "would be …" in a dry run.
 */
export function outcomesSentence(results: ClusterResult[]): string {
  const parts: string[] = [];
  for (const outcome of ["created", "updated", "unchanged"] as const) {
    const names = results.filter((r) => r.outcome === outcome).map((r) => r.cluster);
    if (names.length === 0) continue;
    const dry = results.some((r) => r.outcome === outcome && r.dryRun);
    const verb = outcome === "unchanged" ? "unchanged" : dry ? `would be ${outcome}` : outcome;
    const why = outcome === "unchanged" ? " (already up to date, nothing written)" : "";
    parts.push(`${verb} on ${names.join(", ")}${why}`);
  }
  return parts.join("; ");
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
    return `${failed.length} of ${results.length} clusters failed (${names}); the others: ${outcomesSentence(results)}. Fix the cause and re-run (the step is idempotent), or set fail-on-partial: false to accept partial results`;
  }
  return null;
}

/** The lines inside one cluster's log group. */
export function logResult(r: ClusterResult): void {
  if (r.outcome === "failed") {
    core.error(`cluster ${r.cluster}: ${r.error?.message ?? "failed"}`, {
      title: `Konduktor secret on ${r.cluster}`,
    });
    return;
  }
  const where = r.secret ? ` ${r.namespace ?? "?"}/${r.secret}` : "";
  const what = r.dryRun
    ? r.outcome === "unchanged"
      ? "unchanged (dry run: nothing written)"
      : `would be ${r.outcome} (dry run: nothing written)`
    : r.outcome === "unchanged"
      ? "unchanged (already up to date, nothing written)"
      : r.outcome;
  core.info(`${what}:${where}${r.changedOutside ? ` (${OUTSIDE})` : ""}`);
  core.info(`  keys added:   ${r.added.length ? r.added.join(", ") : "none"}`);
  core.info(`  keys changed: ${r.changed.length ? r.changed.join(", ") : "none"}`);
  core.info(`  keys removed: ${r.removed.length ? r.removed.join(", ") : "none"}`);
  const replaced = r.replacedGitSsh ?? [];
  for (const name of replaced) {
    core.info(
      `  ${r.dryRun ? "would delete" : "deleted"} the owner's other git-ssh secret ${name} (Konduktor keeps one git-ssh secret per owner)`,
    );
  }
  if (r.writes !== undefined) {
    const deletes = r.dryRun ? 0 : replaced.length;
    core.info(
      `  writes: ${r.writes}${deletes > 0 ? ` (${r.writes - deletes} to ${r.secret ?? "the secret"}, ${deletes} delete${deletes === 1 ? "" : "s"} of replaced git-ssh secrets)` : ""}`,
    );
  }
}
