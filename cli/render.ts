/**
 * Answers (konduktor/wire shapes, from the broker or from direct mode) as lines and tables.
 * Key names, clusters, codes and messages only: the answers hold no value.
 */
import type { LooseApplyResultT, LooseDeleteResultT } from "../konduktor/wire/client.ts";
import type {
  DescribeSecretAnswer,
  Drift,
  ListSecretsAnswer,
  SealCheckT,
} from "../konduktor/wire/secrets.ts";
import type { SyncAnswerT } from "../konduktor/wire/sync.ts";
import { type ClusterLine, keyList, table } from "./output.ts";

function errorLine(cluster: string, r: { code?: string; message?: string }): ClusterLine {
  return {
    cluster,
    ok: false,
    text: `error ${r.code ?? "unknown"}`,
    detail: r.message ?? "the broker reported a failure without details",
  };
}

/** created / updated / unchanged with the key names, or the error. */
export function applyLine(r: LooseApplyResultT): ClusterLine {
  const cluster = r.cluster ?? "?";
  if (r.status !== "created" && r.status !== "updated" && r.status !== "unchanged") {
    return errorLine(cluster, r as { code?: string; message?: string });
  }
  const ok = r as Extract<LooseApplyResultT, { status: "created" | "updated" | "unchanged" }>;
  const parts = [
    ok.added?.length ? `added ${keyList(ok.added)}` : "",
    ok.changed?.length ? `changed ${keyList(ok.changed)}` : "",
    ok.removed?.length ? `removed ${keyList(ok.removed)}` : "",
    ok.replacedGitSsh?.length ? `replaced git-ssh ${ok.replacedGitSsh.join(", ")}` : "",
    ok.changedOutside ? "written back (changed outside the broker)" : "",
  ].filter(Boolean);
  const plan = ok.dryRun ? " (dry run: would be)" : "";
  return {
    cluster,
    ok: true,
    text: `${ok.status}${plan}${parts.length ? `: ${parts.join("; ")}` : ""}`,
  };
}

export function deleteLine(r: LooseDeleteResultT): ClusterLine {
  const cluster = r.cluster ?? "?";
  if (r.status !== "deleted" && r.status !== "absent") {
    return errorLine(cluster, r as { code?: string; message?: string });
  }
  const d = r as Extract<LooseDeleteResultT, { status: "deleted" | "absent" }>;
  const where = `${d.namespace ?? "?"}/${d.secretName ?? "?"}`;
  return {
    cluster,
    ok: true,
    text: r.status === "absent" ? `absent: no ${where} to delete` : `deleted ${where}`,
  };
}

/** One row's drift in words: "in line", or per state the clusters (and the keys that differ). */
export function driftText(drift: Drift): string {
  if (drift.inLine) {
    const off = drift.clusters
      .filter((c) => c.state !== "in-line")
      .map((c) => `${c.state} on ${c.cluster}`);
    return off.length ? `in line (${off.join("; ")})` : "in line";
  }
  const parts = drift.clusters
    .filter((c) => c.state !== "in-line")
    .map((c) => {
      const keys = c.keys
        ? ` (${[...c.keys.missing, ...c.keys.extra, ...c.keys.changed].join(", ")})`
        : "";
      const notes = [
        c.editedOutsideBroker ? ", edited outside the broker" : "",
        c.deletedOutsideBroker ? ", deleted outside the broker" : "",
        c.stale ? ", an older version" : "",
      ].join("");
      return `${c.state} on ${c.cluster}${keys}${notes}`;
    });
  return parts.join("; ");
}

export function listTable(answer: ListSecretsAnswer): string {
  if (answer.secrets.length === 0) {
    return answer.scope === "all" ? "no secrets" : `owner ${answer.owner} has no secrets`;
  }
  return table(
    ["NAME", "KIND", "OWNER", "KEYS", "CLUSTERS", "DRIFT"],
    answer.secrets.map((s) => [
      s.name,
      s.kind,
      s.owner ?? "(none)",
      keyList(s.keys, 5),
      s.clusters.join(", ") || "–",
      driftText(s.drift),
    ]),
  );
}

/** A listing's per-cluster outcome as lines: read, or why not (the table then misses its secrets). */
export function readLines(answer: {
  results: { cluster?: string; status?: string; code?: string; message?: string }[];
}): ClusterLine[] {
  return answer.results.map((r) =>
    r.status === "error"
      ? errorLine(r.cluster ?? "?", r)
      : { cluster: r.cluster ?? "?", ok: true, text: "listed" },
  );
}

/** A copy's signature in words (none: written outside the broker, nothing to say). */
export function signatureText(sig: SealCheckT): string {
  if (sig.state === "valid") return `signed by the broker (version ${sig.version})`;
  if (sig.state === "invalid") return `signature: ${sig.reason}`;
  return "";
}

export function describeText(answer: DescribeSecretAnswer): string {
  const head = [
    `secret ${answer.name} (owner ${answer.owner}): ${answer.agree ? `the clusters agree (${answer.contentDigest})` : `the clusters do not agree: ${driftText(answer.drift)}`}`,
  ];
  const rows = answer.results.map((r) => {
    if (r.status === "found") {
      const s = r.secret;
      return [
        r.cluster,
        "found",
        s.kind,
        keyList(s.keys, 6),
        s.updatedAt ?? "–",
        s.provenance ? `${s.provenance.actor} via ${s.provenance.via}` : "–",
        s.placement === "all" ? "all" : s.placement.join(", "),
        [s.immutable ? "immutable" : "", signatureText(s.signature)].filter(Boolean).join(", ") ||
          "–",
      ];
    }
    if (r.status === "missing") return [r.cluster, "missing", "–", "–", "–", "–", "–", "–"];
    return [r.cluster, `error ${r.code}`, "–", "–", "–", "–", "–", r.message];
  });
  return `${head.join("\n")}\n${table(["CLUSTER", "STATE", "KIND", "KEYS", "UPDATED", "BY", "PLACEMENT", "NOTE"], rows)}`;
}

/** A sync's outcome as lines: per cluster read, per plan entry, and what was skipped. */
export function syncLines(answer: SyncAnswerT): {
  lines: ClusterLine[];
  plan: string[];
  skipped: string[];
} {
  const lines = answer.results.map((r) =>
    r.status === "read"
      ? { cluster: r.cluster, ok: true, text: `read (${r.secrets ?? 0} secrets)` }
      : errorLine(r.cluster, r),
  );
  const plan = answer.plan.map((e) => {
    const mark = e.status === "error" ? "✖" : e.status === "done" ? "✔" : "•";
    const what = `${e.action} ${e.secret} (owner ${e.owner}) on ${e.cluster}${e.source ? ` from ${e.source}` : ""}: ${keyList(e.keys)}`;
    const how =
      e.status === "error"
        ? ` — error ${e.code}: ${e.message}`
        : e.status === "planned"
          ? " (planned)"
          : "";
    return `${mark} ${what}${how}`;
  });
  const skipped = [
    ...answer.skipped.map(
      (s) =>
        `- skipped ${s.secret} (owner ${s.owner})${s.cluster ? ` on ${s.cluster}` : ""}: ${s.reason}`,
    ),
    ...answer.unledgered.map(
      (u) =>
        `- left ${u.secret} (owner ${u.owner}) on ${u.clusters.join(", ")}: not made through the broker (not in its ledger); name a --source to adopt it`,
    ),
  ];
  return { lines, plan, skipped };
}
