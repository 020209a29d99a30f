/**
 * Sync and drift, runtime-agnostic (workerd, Node): compare each Konduktor secret across clusters by
 * per-key value digest (ops.ts `describeSecret`), choose a source copy, plan what is missing or
 * different on the targets, honour deletions made on purpose (tombstones), and carry the plan out
 * through KubeSecrets ports with the fan-out's bounded concurrency, deadlines and retries.
 *
 * The source of a secret is a named cluster, or else its most recently written copy (provenance
 * annotation `updated-at`, else `creationTimestamp`), preferring copies not edited outside the
 * broker; copies written at the same time are decided by how many clusters share the content, then
 * by cluster order. A secret is copied only to its source copy's placement (annotation
 * `konduktor-broker/placement`; absent = all). A copy edited outside the broker (content differs
 * from its `content-digest` annotation) is not overwritten unless a source is named.
 *
 * Plans, results and errors hold names, key names, digests and clusters: never a value. Values are
 * held in memory between the read of the source and the write to the target, nowhere else.
 */
import { type FanoutOptions, fanout, isFailure } from "./fanout.ts";
import type { KubeSecrets } from "./kube/port.ts";
import { applySecret, describeSecret, desiredCopy, formatPlacement } from "./ops.ts";
import {
  konduktorIdentity,
  LABEL_OWNER,
  LABEL_PARENT,
  PARENT_VALUE,
  secretName,
  validateBasename,
  validateOwner,
} from "./secret.ts";
import type { KubeSecret, SecretDescription } from "./types.ts";

/** One copy of a secret on one cluster. `secret` holds the values: it goes to clusters only. */
export interface Copy {
  cluster: string;
  secret: KubeSecret;
  description: SecretDescription;
}

/** A Konduktor secret (owner + basename) and its copies by cluster. */
export interface SecretCopies {
  owner: string;
  basename: string;
  secretName: string;
  kind: string;
  copies: Map<string, Copy>;
}

/** A deletion made on purpose through the broker: no value, only who, when and where. */
export interface Tombstone {
  owner: string;
  basename: string;
  /** when it was deleted from every cluster (`clusters: "all"`), else the latest deletion */
  deletedAt: string;
  /** the clusters it was deleted from, or all (also clusters registered later) */
  clusters: string[] | "all";
  /** per cluster: when it was deleted there (each cluster keeps its own time) */
  at?: Record<string, string>;
  /** with `clusters: "all"`: clusters written explicitly since (no longer covered) */
  except?: string[];
  by?: string;
}

/** Whether the tombstone covers a cluster (the secret was deleted there on purpose). */
export function tombstoneCovers(t: Tombstone | undefined, cluster: string): boolean {
  if (!t) return false;
  if (t.clusters === "all") return !(t.except ?? []).includes(cluster);
  return t.clusters.includes(cluster);
}

/** When the secret was deleted from `cluster` (epoch ms; NaN when the tombstone does not cover it). */
export function tombstoneDeletedAt(t: Tombstone | undefined, cluster: string): number {
  if (!t || !tombstoneCovers(t, cluster)) return Number.NaN;
  return Date.parse(t.at?.[cluster] ?? t.deletedAt);
}

export type CopyState = "in-line" | "missing" | "different" | "not-placed" | "deleted" | "unknown";

export interface KeyDifference {
  /** keys the reference has and this copy lacks */
  missing: string[];
  /** keys this copy has and the reference lacks */
  extra: string[];
  /** keys whose values differ (by digest) */
  changed: string[];
}

export interface ClusterDrift {
  cluster: string;
  state: CopyState;
  keys?: KeyDifference;
  /** this copy was changed outside the broker (its content differs from the broker's digest) */
  editedOutsideBroker?: true;
}

export interface DriftReport {
  /** the copy the others are compared with (the sync source rule), null when none */
  reference: string | null;
  /** every cluster answered, holds the secret, and equals the reference */
  inLine: boolean;
  clusters: ClusterDrift[];
}

export type SyncAction = "create" | "update" | "delete";

export interface PlanEntry {
  owner: string;
  /** the basename */
  secret: string;
  secretName: string;
  cluster: string;
  action: SyncAction;
  /** key names that will be written or removed (never values) */
  keys: string[];
  /** where the copy comes from (null for delete) */
  source: string | null;
  reason: string;
}

export interface Skipped {
  owner: string;
  secret: string;
  /** when only one cluster's copy was left alone */
  cluster?: string;
  reason: string;
}

export interface SyncPlan {
  /** secrets looked at */
  secrets: number;
  /** secrets already equal on every readable target */
  inLine: number;
  entries: PlanEntry[];
  skipped: Skipped[];
}

// ---------- reading ----------

/** `updated-at` provenance, else creation time, as epoch ms (0 when neither is known). */
export function writtenAt(d: SecretDescription): number {
  const t = Date.parse(d.provenance?.at ?? d.updatedAt ?? "");
  return Number.isNaN(t) ? 0 : t;
}

/**
 * The Konduktor secrets on one cluster (all owners, or the given ones), each with its description.
 * Secrets whose labels are not a valid Konduktor identity (owner, basename, `<basename>-<owner>`)
 * are left out: they cannot be copied faithfully.
 */
export async function readCopies(
  kube: KubeSecrets,
  cluster: string,
  owners: readonly string[] | "all",
): Promise<Copy[]> {
  const lists =
    owners === "all"
      ? [await kube.list(`${LABEL_PARENT}=${PARENT_VALUE}`)]
      : await Promise.all(owners.map((o) => kube.list(`${LABEL_OWNER}=${o}`)));
  const wanted = owners === "all" ? null : new Set(owners);
  const out: Copy[] = [];
  for (const secret of lists.flat()) {
    const id = konduktorIdentity(secret);
    if (!id) continue;
    if (wanted && !wanted.has(id.owner)) continue;
    if (validateOwner(id.owner).length || validateBasename(id.basename).length) continue;
    if (secret.metadata.name !== secretName(id.basename, id.owner)) continue;
    out.push({ cluster, secret, description: await describeSecret(kube, secret) });
  }
  return out;
}

/** Groups copies read from many clusters by secret (owner + basename). */
export function groupCopies(copies: Iterable<Copy>): SecretCopies[] {
  const bySecret = new Map<string, SecretCopies>();
  for (const copy of copies) {
    const d = copy.description;
    const owner = d.owner as string;
    const key = `${owner}/${d.basename}`;
    let entry = bySecret.get(key);
    if (!entry) {
      entry = {
        owner,
        basename: d.basename,
        secretName: d.name,
        kind: d.kind,
        copies: new Map(),
      };
      bySecret.set(key, entry);
    }
    entry.copies.set(copy.cluster, copy);
  }
  return [...bySecret.values()].sort(
    (a, b) => a.owner.localeCompare(b.owner) || a.basename.localeCompare(b.basename),
  );
}

// ---------- comparing ----------

/** Which keys of `copy` differ from `reference` (names only, by value digest). */
export function compareKeys(reference: SecretDescription, copy: SecretDescription): KeyDifference {
  const ref = reference.digests;
  const got = copy.digests;
  return {
    missing: Object.keys(ref)
      .filter((k) => !(k in got))
      .sort(),
    extra: Object.keys(got)
      .filter((k) => !(k in ref))
      .sort(),
    changed: Object.keys(ref)
      .filter((k) => k in got && got[k] !== ref[k])
      .sort(),
  };
}

/** Whether a description's placement includes `cluster` (`all`, or named in the list). */
export function isPlaced(d: SecretDescription | undefined, cluster: string): boolean {
  const placement = d?.placement ?? "all";
  return placement === "all" || placement.includes(cluster);
}

/**
 * The source copy among `candidates` (cluster → description, in cluster order): the named cluster
 * when given (null when it holds no copy), else a copy not edited outside the broker before one
 * that was, then the newest write; ties go to the content most clusters share, then to the first
 * cluster.
 */
export function chooseSource(
  candidates: ReadonlyMap<string, SecretDescription>,
  named?: string | null,
): string | null {
  if (named) return candidates.has(named) ? named : null;
  const count = new Map<string, number>();
  for (const d of candidates.values()) {
    count.set(d.contentDigest, (count.get(d.contentDigest) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestRank: number[] = [];
  for (const [cluster, d] of candidates) {
    const rank = [d.editedOutsideBroker ? 0 : 1, writtenAt(d), count.get(d.contentDigest) ?? 0];
    const i = rank.findIndex((v, j) => v !== bestRank[j]);
    if (best === null || (i >= 0 && (rank[i] as number) > (bestRank[i] as number))) {
      best = cluster;
      bestRank = rank;
    }
  }
  return best;
}

/**
 * Drift of one secret: per cluster in line, missing, different (which keys), not placed (no copy,
 * and the reference's placement leaves the cluster out: not a disagreement), deleted (no copy, and
 * the secret was deleted there through the broker, `tomb`: a sync will not restore it, not a
 * disagreement) or unknown (the cluster did not answer), compared with the copy the sync would use
 * as its source. A copy changed outside the broker is flagged `editedOutsideBroker`.
 */
export function driftOf(
  clusters: readonly string[],
  found: ReadonlyMap<string, SecretDescription>,
  failed: ReadonlySet<string> = new Set(),
  tomb?: Tombstone | null,
): DriftReport {
  const candidates = new Map(
    clusters.filter((c) => found.has(c)).map((c) => [c, found.get(c) as SecretDescription]),
  );
  const reference = chooseSource(candidates);
  const ref = reference ? candidates.get(reference) : undefined;
  const rows: ClusterDrift[] = clusters.map((cluster) => {
    if (failed.has(cluster)) return { cluster, state: "unknown" };
    const d = found.get(cluster);
    const placed = isPlaced(ref, cluster);
    if (!d && tombstoneCovers(tomb ?? undefined, cluster)) return { cluster, state: "deleted" };
    if (!d) return { cluster, state: placed ? "missing" : "not-placed" };
    const edited = d.editedOutsideBroker ? { editedOutsideBroker: true as const } : {};
    if (!ref || d.contentDigest === ref.contentDigest) {
      return { cluster, state: "in-line", ...edited };
    }
    return { cluster, state: "different", keys: compareKeys(ref, d), ...edited };
  });
  return {
    reference,
    inLine: rows.every(
      (r) => r.state === "in-line" || r.state === "not-placed" || r.state === "deleted",
    ),
    clusters: rows,
  };
}

// ---------- planning ----------

export interface PlanInput {
  /** the clusters read successfully, in order (sources come from these) */
  clusters: readonly string[];
  /** the clusters that may be written (default: all of `clusters`) */
  targets?: readonly string[];
  secrets: readonly SecretCopies[];
  /** a named source cluster (default: the newest copy of each secret) */
  source?: string | null;
  /** only these basenames (default: all) */
  names?: (basename: string) => boolean;
  /** by `<owner>/<basename>` */
  tombstones?: ReadonlyMap<string, Tombstone>;
}

export const tombstoneKey = (owner: string, basename: string) => `${owner}/${basename}`;

/**
 * What a sync would do: per secret and target cluster, create / update / delete. Pure.
 *
 * - a secret is copied only to the clusters of its source copy's placement;
 * - a copy changed outside the broker (`editedOutsideBroker`) is not overwritten or deleted
 *   unless `source` is named: it is listed in `skipped`;
 * - a git-ssh secret is not written where that would delete a git-ssh secret of the owner that
 *   `names` leaves out (git-ssh is one per owner).
 */
export function planSync(input: PlanInput): SyncPlan {
  const readable = new Set(input.clusters);
  const targets = (input.targets ?? input.clusters).filter((c) => readable.has(c));
  const entries: PlanEntry[] = [];
  const skipped: Skipped[] = [];
  let inLine = 0;
  let looked = 0;

  // git-ssh is one per owner (writing one deletes the owner's others): only the newest syncs
  const gitSshWinner = new Map<string, { basename: string; at: number }>();
  for (const s of input.secrets) {
    if (s.kind !== "git-ssh") continue;
    const at = Math.max(...[...s.copies.values()].map((c) => writtenAt(c.description)));
    const best = gitSshWinner.get(s.owner);
    if (!best || at > best.at) gitSshWinner.set(s.owner, { basename: s.basename, at });
  }

  for (const s of input.secrets) {
    if (input.names && !input.names(s.basename)) continue;
    looked++;
    const base = { owner: s.owner, secret: s.basename, secretName: s.secretName };
    if (s.kind === "git-ssh" && gitSshWinner.get(s.owner)?.basename !== s.basename) {
      skipped.push({
        ...base,
        reason: `git-ssh is one per owner and "${gitSshWinner.get(s.owner)?.basename}" is newer: not copied (writing it would delete the newer one)`,
      });
      continue;
    }
    const tomb = input.tombstones?.get(tombstoneKey(s.owner, s.basename));
    /** a copy on a cluster the secret was deleted from, written before the deletion there */
    const stale = (cluster: string, d: SecretDescription) =>
      tombstoneCovers(tomb, cluster) && !(writtenAt(d) > tombstoneDeletedAt(tomb, cluster));
    /** git-ssh: another git-ssh secret of the owner on the cluster that `names` leaves out */
    const outOfScopeGitSsh = (cluster: string) =>
      s.kind !== "git-ssh" || !input.names
        ? undefined
        : input.secrets.find(
            (o) =>
              o.owner === s.owner &&
              o.kind === "git-ssh" &&
              o.basename !== s.basename &&
              o.copies.has(cluster) &&
              !input.names?.(o.basename),
          );

    const candidates = new Map<string, SecretDescription>();
    for (const cluster of input.clusters) {
      const copy = s.copies.get(cluster);
      if (copy && !stale(cluster, copy.description)) candidates.set(cluster, copy.description);
    }
    const source = chooseSource(candidates, input.source);
    const ref = source ? candidates.get(source) : undefined;
    const before = entries.length;
    const skippedBefore = skipped.length;

    for (const cluster of targets) {
      const copy = s.copies.get(cluster);
      if (tombstoneCovers(tomb, cluster)) {
        if (
          copy &&
          stale(cluster, copy.description) &&
          copy.description.editedOutsideBroker &&
          !input.source
        ) {
          skipped.push({
            ...base,
            cluster,
            reason: `deleted through the broker, but the copy on ${cluster} was changed outside the broker since: left alone (delete it with DELETE /v1/secrets/${s.basename}?clusters=${cluster}, or sync with a named source)`,
          });
        } else if (copy && stale(cluster, copy.description)) {
          entries.push({
            ...base,
            cluster,
            action: "delete",
            keys: copy.description.keys,
            source: null,
            reason: `deleted through the broker at ${new Date(tombstoneDeletedAt(tomb, cluster)).toISOString()}; this copy was written before that`,
          });
        }
        continue; // a deleted secret is never copied back
      }
      if (!ref || cluster === source) continue;
      if (!isPlaced(ref, cluster)) continue; // not meant to be there (placement)
      const blocker = outOfScopeGitSsh(cluster);
      if (blocker && (!copy || copy.description.contentDigest !== ref.contentDigest)) {
        skipped.push({
          ...base,
          cluster,
          reason: `git-ssh is one per owner: writing it on ${cluster} would delete "${blocker.basename}", which is outside the names of this sync`,
        });
        continue;
      }
      if (!copy) {
        entries.push({
          ...base,
          cluster,
          action: "create",
          keys: Object.keys(ref.digests).sort(),
          source,
          reason: `missing on ${cluster}`,
        });
        continue;
      }
      if (copy.description.contentDigest === ref.contentDigest) continue;
      const diff = compareKeys(ref, copy.description);
      if (copy.description.editedOutsideBroker && !input.source) {
        skipped.push({
          ...base,
          cluster,
          reason: `the copy on ${cluster} was changed outside the broker (${[...diff.missing, ...diff.changed, ...diff.extra].sort().join(", ")} differ from ${source}): not overwritten; name a source to copy from it`,
        });
        continue;
      }
      entries.push({
        ...base,
        cluster,
        action: "update",
        keys: [...diff.missing, ...diff.changed, ...diff.extra].sort(),
        source,
        reason: `differs from ${source} (${[
          diff.missing.length ? `missing ${diff.missing.join(", ")}` : "",
          diff.changed.length ? `changed ${diff.changed.join(", ")}` : "",
          diff.extra.length ? `extra ${diff.extra.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("; ")})`,
      });
    }
    if (!ref && input.source && entries.length === before && !tomb) {
      skipped.push({ ...base, reason: `not on the source cluster ${input.source}` });
      continue;
    }
    if (entries.length === before && skipped.length === skippedBefore) inLine++;
  }
  return { secrets: looked, inLine, entries, skipped };
}

// ---------- carrying it out ----------

export type EntryResult = PlanEntry &
  (
    | { status: "done"; writes: number }
    | { status: "error"; code: string; message: string; retryable: boolean }
  );

export interface ExecuteInput {
  plan: SyncPlan;
  secrets: readonly SecretCopies[];
  /** a port per cluster and entry; `signal` is the entry's deadline (the fan-out aborts it) */
  open: (cluster: string, signal?: AbortSignal) => Promise<KubeSecrets>;
  /** the fan-out settings: each entry gets its own deadline and retries */
  fanout?: FanoutOptions;
  /** `via` of the copies' provenance (default `sync`) */
  via?: string;
  /** git-ssh: which of the owner's other git-ssh secrets a write may delete (default: any) */
  mayDelete?: (basename: string) => boolean;
}

/**
 * Carries out a plan: creates and updates copy the source exactly (mode replace, the source's
 * immutability, placement and provenance time, `via` sync); deletes remove exactly the copy that
 * was read (uid precondition). One result per entry, in plan order. Each entry opens its port with
 * its own deadline signal, so nothing is sent after the entry was answered as `timeout`.
 */
export async function executePlan(input: ExecuteInput): Promise<EntryResult[]> {
  const bySecret = new Map(input.secrets.map((s) => [tombstoneKey(s.owner, s.basename), s]));
  const entries = input.plan.entries;
  const results = await fanout(
    entries.map((_, i) => String(i)),
    async (id, signal) => {
      const entry = entries[Number(id)] as PlanEntry;
      const secret = bySecret.get(tombstoneKey(entry.owner, entry.secret)) as SecretCopies;
      const kube = await input.open(entry.cluster, signal);
      if (entry.action === "delete") {
        const copy = secret.copies.get(entry.cluster) as Copy;
        await kube.delete(entry.secretName, { uid: copy.secret.metadata.uid });
        return { writes: 1 };
      }
      const from = secret.copies.get(entry.source as string) as Copy;
      const desired = desiredCopy(from.secret, entry.owner, entry.secret);
      const prov = from.description.provenance;
      const r = await applySecret(kube, desired, {
        mode: "replace",
        immutable: from.description.immutable,
        placement: formatPlacement(from.description.placement ?? "all"),
        ...(input.mayDelete ? { mayDelete: input.mayDelete } : {}),
        provenance: {
          actor: prov?.actor || "unknown",
          via: input.via ?? "sync",
          at: prov?.at ?? from.description.updatedAt ?? new Date().toISOString(),
        },
      });
      return { writes: r.writes };
    },
    input.fanout,
  );
  return results.map((r, i) => {
    const entry = entries[i] as PlanEntry;
    if (isFailure(r)) {
      return {
        ...entry,
        status: "error" as const,
        code: r.code,
        message: r.message,
        retryable: r.retryable,
      };
    }
    return { ...entry, status: "done" as const, writes: r.writes };
  });
}
