/**
 * Drift of one secret across clusters, judged against the broker's intent (./sync.ts): per cluster
 * in line, missing (and whether it was deleted outside the broker), different (which keys; stale or
 * edited outside the broker), not placed, deleted through the broker, unknown (did not answer), or
 * unledgered (the ledger does not know the secret). Key names only, never values.
 */
import {
  type CopyState,
  classify,
  compareKeys,
  deletedOutside,
  type Intent,
  isPlaced,
  type KeyDifference,
} from "./sync.ts";
import type { SecretDescription } from "./types.ts";

export interface ClusterDrift {
  cluster: string;
  state: CopyState;
  keys?: KeyDifference;
  /** this copy was changed outside the broker (its signature does not match): never a source */
  editedOutsideBroker?: true;
  /** the broker confirmed this copy written and it is gone: a scheduled sync does not restore it */
  deletedOutsideBroker?: true;
  /** a copy the broker wrote at an older version: the next sync updates it */
  stale?: true;
}

export interface DriftReport {
  /** `current`: the ledger knows it; `deleted`: deleted through the broker; `unledgered`: not known */
  ledger: "current" | "deleted" | "unledgered";
  /** the ledger's content version (null when unledgered) */
  version: number | null;
  /** the copy the others are compared with (a copy of the current version), null when none */
  reference: string | null;
  /** every cluster answered and is in line (or not placed, or deleted through the broker) */
  inLine: boolean;
  clusters: ClusterDrift[];
}

/**
 * @param clusters the clusters asked, in order
 * @param found each cluster's copy, when it has one
 * @param failed the clusters that did not answer
 * @param intent the ledger's intent for the secret (null: unledgered)
 */
export function driftOf(
  clusters: readonly string[],
  found: ReadonlyMap<string, SecretDescription>,
  failed: ReadonlySet<string>,
  intent: Intent | null,
): DriftReport {
  if (!intent) return unledgeredDrift(clusters, found, failed);
  if (intent.deleted) {
    const rows: ClusterDrift[] = clusters.map((cluster) => {
      if (failed.has(cluster)) return { cluster, state: "unknown" };
      const d = found.get(cluster);
      if (!d) return { cluster, state: "deleted" };
      const edited = d.signature.state !== "valid";
      return { cluster, state: "different", ...(edited ? { editedOutsideBroker: true } : {}) };
    });
    return {
      ledger: "deleted",
      version: intent.deleted.version,
      reference: null,
      inLine: rows.every((r) => r.state === "deleted"),
      clusters: rows,
    };
  }
  const classes = new Map([...found].map(([c, d]) => [c, classify(intent, d)]));
  const current = clusters.filter((c) => !failed.has(c) && classes.get(c) === "current");
  const reference =
    current.find((c) => found.get(c)?.contentDigest === intent.contentDigest) ?? current[0] ?? null;
  const ref = reference === null ? undefined : found.get(reference);
  const rows: ClusterDrift[] = clusters.map((cluster) => {
    if (failed.has(cluster)) return { cluster, state: "unknown" };
    const d = found.get(cluster);
    if (!d) {
      if (!isPlaced(intent, cluster)) {
        return { cluster, state: intent.except.includes(cluster) ? "deleted" : "not-placed" };
      }
      return deletedOutside(intent, cluster)
        ? { cluster, state: "missing", deletedOutsideBroker: true }
        : { cluster, state: "missing" };
    }
    const cls = classes.get(cluster);
    if (!isPlaced(intent, cluster)) {
      // outside the placement: a sync never touches it; shown as its content compares
      const edited = cls === "edited" ? { editedOutsideBroker: true as const } : {};
      if (ref && d.contentDigest === ref.contentDigest)
        return { cluster, state: "in-line", ...edited };
      return ref
        ? { cluster, state: "different", keys: compareKeys(ref, d), ...edited }
        : { cluster, state: "different", ...edited };
    }
    const flags = {
      ...(cls === "edited" ? { editedOutsideBroker: true as const } : {}),
      ...(cls === "stale" ? { stale: true as const } : {}),
    };
    if (ref && d.contentDigest === ref.contentDigest && cls === "current") {
      return { cluster, state: "in-line" };
    }
    if (!ref) return { cluster, state: "different", ...flags };
    return { cluster, state: "different", keys: compareKeys(ref, d), ...flags };
  });
  return {
    ledger: "current",
    version: intent.contentVersion,
    reference,
    inLine: rows.every(
      (r) => r.state === "in-line" || r.state === "not-placed" || r.state === "deleted",
    ),
    clusters: rows,
  };
}

/** A secret the ledger does not know: shown as it is; in line when every copy is the same. */
function unledgeredDrift(
  clusters: readonly string[],
  found: ReadonlyMap<string, SecretDescription>,
  failed: ReadonlySet<string>,
): DriftReport {
  const rows: ClusterDrift[] = clusters.map((cluster) => {
    if (failed.has(cluster)) return { cluster, state: "unknown" };
    return { cluster, state: found.has(cluster) ? "unledgered" : "missing" };
  });
  const contents = new Set([...found.values()].map((d) => d.contentDigest));
  return {
    ledger: "unledgered",
    version: null,
    reference: null,
    inLine: rows.every((r) => r.state === "unledgered") && contents.size === 1,
    clusters: rows,
  };
}
