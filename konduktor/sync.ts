/**
 * Sync and drift, runtime-agnostic (workerd, Node): the shapes, reading copies from clusters, and
 * judging each copy against the broker's intent for its secret.
 *
 * What is true comes from two places and nowhere else (docs/security-model.md):
 * - the **intent** (the broker's ledger, functions/ledger): which version of a secret should be
 *   where, what was deleted on purpose, and where each version was confirmed written;
 * - the **values**, from a copy whose signature (./format.ts `checkSeal`) verifies and whose version
 *   is the intent's current one. Annotations a cluster user can write (times, digests, placement)
 *   decide nothing.
 *
 * Planning is ./sync-plan.ts, carrying a plan out ./sync-execute.ts, drift ./drift.ts. Plans,
 * results and errors hold names, key names, digests and clusters: never a value.
 */

import { describeSecret } from "./describe.ts";
import type { Keyring } from "./format.ts";
import type { KubeSecrets } from "./kube/port.ts";
import {
  konduktorIdentity,
  LABEL_OWNER,
  LABEL_PARENT,
  PARENT_VALUE,
  secretName,
  validateBasename,
  validateOwner,
} from "./secret.ts";
import type { KubeSecret, SecretDescription, SecretKind } from "./types.ts";

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

/** What the broker last did on one cluster for a secret (confirmed by the cluster's answer). */
export interface ClusterConfirmation {
  version: number;
  state: "written" | "deleted";
  /**
   * written: the copy's resourceVersion right after the broker wrote (or checked) it, when known;
   * a PUT then writes with one conditional request (konduktor/apply-known.ts)
   */
  resourceVersion?: string;
}

/**
 * The broker's intent for one secret (a ledger entry, without the bookkeeping): never a value.
 * Versions are assigned by the ledger when a request starts; a larger version is a later intent.
 */
export interface Intent {
  owner: string;
  basename: string;
  kind: SecretKind;
  /** the last version assigned to this secret (a write, a deletion, an adoption) */
  version: number;
  /** the version whose values the copies should hold */
  contentVersion: number;
  /** keyed content digest of that version once a write confirmed it (null: not known yet) */
  contentDigest: string | null;
  /** where it is meant to be: `all` (also clusters registered later) or these clusters */
  placement: string[] | "all";
  /** with `all`: clusters it was deleted from through the broker since */
  except: string[];
  /** deleted through the broker (every cluster of its placement) */
  deleted: { version: number; by: string; at: string } | null;
  /** per cluster: the last write or deletion confirmed there */
  clusters: Record<string, ClusterConfirmation>;
}

export const intentKey = (owner: string, basename: string) => `${owner}/${basename}`;

/** Whether the intent places the secret on `cluster` (its placement, minus deletions there). */
export function isPlaced(intent: Pick<Intent, "placement" | "except">, cluster: string): boolean {
  if (intent.except.includes(cluster)) return false;
  return intent.placement === "all" || intent.placement.includes(cluster);
}

/**
 * A copy judged against the intent:
 * - `current`: signed by the broker at the intent's content version (and, when the ledger knows
 *   the content's digest, holding exactly that content): a source;
 * - `stale`: signed by the broker at an older version (or at the current one with other content):
 *   a target;
 * - `edited`: not signed, or the signature does not match (content, labels, version or placement
 *   changed outside the broker): reported, never a source unless a caller names it;
 * - `ahead`: signed at a version newer than the intent's content (a write the ledger rolled back):
 *   left alone, since an older version never overwrites a newer one.
 */
export type CopyClass = "current" | "stale" | "edited" | "ahead";

export function classify(intent: Intent, d: SecretDescription): CopyClass {
  const sig = d.signature;
  if (sig.state !== "valid") return "edited";
  if (sig.version > intent.contentVersion) return "ahead";
  if (sig.version < intent.contentVersion) return "stale";
  if (intent.contentDigest !== null && sameKeyId(intent.contentDigest, d.contentDigest)) {
    return intent.contentDigest === d.contentDigest ? "current" : "stale";
  }
  return "current";
}

/** Digests are comparable only under the same key id (`hmac-sha256:<key id>:<hex>`). */
export function sameKeyId(a: string, b: string): boolean {
  return a.split(":")[1] === b.split(":")[1];
}

/**
 * Whether a copy missing from `cluster` was deleted outside the broker: the broker confirmed the
 * intent's current content written there, and nothing of the broker deleted it since.
 */
export function deletedOutside(intent: Intent, cluster: string): boolean {
  const c = intent.clusters[cluster];
  return c?.state === "written" && c.version >= intent.contentVersion;
}

export type CopyState =
  | "in-line"
  | "missing"
  | "different"
  | "not-placed"
  | "deleted"
  | "unknown"
  | "unledgered";

export interface KeyDifference {
  /** keys the reference has and this copy lacks */
  missing: string[];
  /** keys this copy has and the reference lacks */
  extra: string[];
  /** keys whose values differ (by digest) */
  changed: string[];
}

/** Which keys of `copy` differ from `reference` (names only, by keyed value digest). */
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
  /** the ledger version the copy is signed as (null: a new version, assigned before writing) */
  version: number | null;
  reason: string;
}

export interface Skipped {
  owner: string;
  secret: string;
  /** when only one cluster's copy was left alone */
  cluster?: string;
  /** that copy was changed outside the broker: never a source unless named, not overwritten */
  editedOutsideBroker?: true;
  /** that copy was confirmed written and is gone: not re-created unless a sync names it */
  deletedOutsideBroker?: true;
  reason: string;
}

/** A secret the ledger does not know (Konduktor's CLI, the Action's kubeconfig mode): left alone. */
export interface Unledgered {
  owner: string;
  secret: string;
  secretName: string;
  /** the clusters that hold a copy */
  clusters: string[];
}

/** A secret whose named source (or adoption) needs a new ledger version before the writes. */
export interface VersionBump {
  owner: string;
  secret: string;
  kind: SecretKind;
  source: string;
  placement: string[] | "all";
  /** the source's keyed content digest and per-key digests (the new version's content) */
  contentDigest: string;
  digests: Record<string, string>;
  reason: "adopt" | "named-source";
}

export interface SyncPlan {
  /** secrets looked at */
  secrets: number;
  /** secrets already equal on every readable target */
  inLine: number;
  entries: PlanEntry[];
  skipped: Skipped[];
  unledgered: Unledgered[];
  bumps: VersionBump[];
}

// ---------- reading ----------

/**
 * The Konduktor secrets on one cluster (all owners, or the given ones), each with its description
 * (keyed digests, signature checked). Secrets whose labels are not a valid Konduktor identity
 * (owner, basename, `<basename>-<owner>`) are left out: they cannot be copied faithfully.
 */
export async function readCopies(
  kube: KubeSecrets,
  cluster: string,
  owners: readonly string[] | "all",
  keyring: Keyring,
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
    out.push({ cluster, secret, description: await describeSecret(kube, secret, keyring) });
  }
  return out;
}

/**
 * The order of `localeCompare`, from one collator: `localeCompare` builds its comparison again for
 * every pair, and a sync sorts hundreds of secrets twice (~3 % of its CPU in workerd). Made on
 * first use, not at load: the first collator loads the locale data (~24 ms on Node), which a
 * process that never sorts (the CLI's `put`) should not pay.
 */
let collator: Intl.Collator | undefined;

/** Secrets by owner, then basename (what a sync lists and plans, in a stable order). */
export function byOwnerThenBasename(
  a: { owner: string; basename: string },
  b: { owner: string; basename: string },
): number {
  collator ??= new Intl.Collator();
  return collator.compare(a.owner, b.owner) || collator.compare(a.basename, b.basename);
}

/** Groups copies read from many clusters by secret (owner + basename). */
export function groupCopies(copies: Iterable<Copy>): SecretCopies[] {
  const bySecret = new Map<string, SecretCopies>();
  for (const copy of copies) {
    const d = copy.description;
    const owner = d.owner as string;
    const key = intentKey(owner, d.basename);
    let entry = bySecret.get(key);
    if (!entry) {
      entry = { owner, basename: d.basename, secretName: d.name, kind: d.kind, copies: new Map() };
      bySecret.set(key, entry);
    }
    entry.copies.set(copy.cluster, copy);
  }
  return [...bySecret.values()].sort(byOwnerThenBasename);
}
