/**
 * One ledger entry (one owner's secret) and the pure transitions of it. The ledger never holds a
 * value: key names, keyed digests (konduktor/format.ts), kind, placement, versions, who and when.
 * ./steps.ts applies these transitions at the owner's shard (functions/store/records.ts `step`).
 */

import { formatPlacement } from "../../konduktor/format.ts";
import type { ClusterConfirmation, Intent } from "../../konduktor/sync.ts";
import type { KnownCopy, SecretKind } from "../../konduktor/types.ts";

export interface LedgerEntry extends Intent {
  /** key names of the content version (as requested until a write confirmed them) */
  keys: string[];
  /** key → keyed digest of the content version, once a write confirmed it */
  digests: Record<string, string> | null;
  /** the key id of `digests` and `contentDigest` */
  keyId: string;
  immutable: boolean;
  /**
   * the PUT that made the content version (its mode and requested keyed digests): the same PUT
   * again changes nothing, since a merge or a replace applied twice gives what it gave once
   */
  request?: { mode: "merge" | "replace"; prune: boolean; digests: Record<string, string> };
  /** who assigned the last version, and when (the broker's clock: shown, never compared) */
  updatedBy: string;
  updatedAt: string;
}

/** What a PUT asks for, in keyed digests (the request's own keys and values). */
export interface WriteRequest {
  kind: SecretKind;
  placement: string[] | "all";
  mode: "merge" | "replace";
  prune: boolean;
  immutable: boolean;
  keyId: string;
  /** key → keyed digest of the requested value */
  digests: Record<string, string>;
  by: string;
}

const sameDigests = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(a).every(([k, d]) => b[k] === d);

const samePlacement = (a: string[] | "all", b: string[] | "all") =>
  a === "all" || b === "all" ? a === b : a.join(",") === [...b].sort().join(",");

/**
 * Whether a write would leave the entry's content as it is (same kind, placement, keys and values):
 * then it keeps the entry's version and the copies already signed stay valid (no write at all).
 */
export function writeChangesNothing(entry: LedgerEntry | null, w: WriteRequest): boolean {
  if (!entry || entry.deleted || entry.keyId !== w.keyId) return false;
  if (entry.kind !== w.kind || entry.except.length > 0) return false;
  if (!samePlacement(entry.placement, w.placement)) return false;
  if (w.immutable && !entry.immutable) return false;
  const r = entry.request;
  if (r && r.mode === w.mode && r.prune === w.prune && sameDigests(r.digests, w.digests)) {
    return true; // the same request again (also when the copies it merged into differed)
  }
  if (entry.digests === null) return false;
  const digests = entry.digests;
  const requested = Object.entries(w.digests);
  if (!requested.every(([k, d]) => digests[k] === d)) return false;
  if (w.mode === "replace" || w.prune) {
    return Object.keys(digests).every((k) => k in w.digests);
  }
  return true;
}

/** The entry after a write of version `version` started (content unknown until confirmed). */
export function startWrite(
  entry: LedgerEntry | null,
  owner: string,
  basename: string,
  version: number,
  w: WriteRequest,
  at: string,
): LedgerEntry {
  const keys =
    w.mode === "merge" && entry && !entry.deleted && !w.prune
      ? [...new Set([...entry.keys, ...Object.keys(w.digests)])].sort()
      : Object.keys(w.digests).sort();
  return {
    owner,
    basename,
    kind: w.kind,
    version,
    contentVersion: version,
    contentDigest: null,
    digests: null,
    keys,
    keyId: w.keyId,
    placement: w.placement === "all" ? "all" : [...new Set(w.placement)].sort(),
    except: [],
    deleted: null,
    immutable: w.immutable,
    request: { mode: w.mode, prune: w.prune, digests: w.digests },
    clusters: entry?.clusters ?? {},
    updatedBy: w.by,
    updatedAt: at,
  };
}

/**
 * Records confirmations; only newer versions replace what a cluster had confirmed. The same
 * confirmation again updates the copy's resourceVersion (the copy was written or checked again).
 */
export function confirm(
  entry: LedgerEntry,
  confirmations: readonly ({ cluster: string } & ClusterConfirmation)[],
): LedgerEntry {
  const clusters = { ...entry.clusters };
  for (const c of confirmations) {
    const had = clusters[c.cluster];
    const rv = c.resourceVersion === undefined ? {} : { resourceVersion: c.resourceVersion };
    if ((had?.version ?? 0) < c.version) {
      clusters[c.cluster] = { version: c.version, state: c.state, ...rv };
    } else if (
      had?.version === c.version &&
      had.state === c.state &&
      c.resourceVersion !== undefined &&
      had.resourceVersion !== c.resourceVersion
    ) {
      clusters[c.cluster] = { ...had, ...rv };
    }
  }
  return { ...entry, clusters };
}

/**
 * What the ledger knows of the copy on `cluster` (for a one-request write): the broker confirmed
 * the entry's current content there, with the copy's resourceVersion and the content's digests.
 */
export function knownCopy(entry: LedgerEntry | null, cluster: string): KnownCopy | undefined {
  const c = entry?.clusters[cluster];
  if (!entry || entry.deleted || !c || c.state !== "written" || !c.resourceVersion)
    return undefined;
  if (c.version !== entry.contentVersion || entry.digests === null) return undefined;
  return {
    resourceVersion: c.resourceVersion,
    version: entry.contentVersion,
    kind: entry.kind,
    placement: formatPlacement(entry.placement),
    digests: entry.digests,
    immutable: entry.immutable,
  };
}

/**
 * The content of `version` as the written copies showed it: recorded when every copy written at
 * that version agrees (a merge onto copies that differed leaves it unknown).
 */
export function settleContent(
  entry: LedgerEntry,
  version: number,
  written: readonly { contentDigest: string; digests: Record<string, string> }[],
): LedgerEntry {
  if (entry.contentVersion !== version || written.length === 0) return entry;
  const first = written[0] as (typeof written)[number];
  if (!written.every((w) => w.contentDigest === first.contentDigest)) return entry;
  const keyId = first.contentDigest.split(":")[1] ?? entry.keyId;
  return {
    ...entry,
    contentDigest: first.contentDigest,
    digests: first.digests,
    keys: Object.keys(first.digests).sort(),
    keyId,
  };
}

/**
 * The entry after a deletion of version `version` from `clusters` started: deleted when it covers
 * the whole placement (`coverage` `all`, or every placed cluster), else the placement shrinks.
 */
export function startDelete(
  entry: LedgerEntry | null,
  owner: string,
  basename: string,
  version: number,
  d: { coverage: string[] | "all"; clusters: readonly string[]; by: string },
  at: string,
): LedgerEntry | null {
  const deleted = { version, by: d.by, at };
  if (!entry) {
    if (d.coverage !== "all") return null; // nothing known to keep track of
    return {
      owner,
      basename,
      kind: "default",
      version,
      contentVersion: 0,
      contentDigest: null,
      digests: null,
      keys: [],
      keyId: "",
      placement: "all",
      except: [],
      deleted,
      immutable: false,
      clusters: {},
      updatedBy: d.by,
      updatedAt: at,
    };
  }
  const base = { ...entry, version, updatedBy: d.by, updatedAt: at };
  const coverage = d.coverage;
  if (coverage === "all") return { ...base, deleted };
  if (entry.placement === "all") {
    return { ...base, except: [...new Set([...entry.except, ...coverage])].sort() };
  }
  const left = entry.placement.filter((c) => !coverage.includes(c));
  return left.length === 0 ? { ...base, deleted } : { ...base, placement: left };
}

/** The entry after a sync gave it a new version from a copy (adoption or a named source). */
export function startBump(
  entry: LedgerEntry | null,
  b: {
    owner: string;
    basename: string;
    kind: SecretKind;
    placement: string[] | "all";
    contentDigest: string;
    digests: Record<string, string>;
    by: string;
  },
  version: number,
  at: string,
): LedgerEntry {
  return {
    owner: b.owner,
    basename: b.basename,
    kind: b.kind,
    version,
    contentVersion: version,
    contentDigest: b.contentDigest,
    digests: b.digests,
    keys: Object.keys(b.digests).sort(),
    keyId: b.contentDigest.split(":")[1] ?? "",
    placement: b.placement,
    except: entry?.except ?? [],
    deleted: null,
    immutable: entry?.immutable ?? false,
    clusters: entry?.clusters ?? {},
    updatedBy: b.by,
    updatedAt: at,
  };
}
