/**
 * The Konduktor secret format as this project writes it, in one place (docs/konduktor-format.md):
 * Konduktor's name and labels, the broker's annotations, the placement codec, keyed value digests,
 * and the MAC that signs every copy the broker writes.
 *
 * Digests and MACs are HMAC-SHA256 under keys the caller supplies (the broker derives them from its
 * key encryption key with HKDF, functions/ledger/keys.ts): never a plain hash of a value, which a
 * guess of a low-entropy value could be checked against. Runtime-neutral (WebCrypto).
 */
import { base64ToBytes, bytesToBase64, toHex, utf8 } from "./encoding.ts";
import type { KubeSecret, SecretKind } from "./types.ts";

// ---------- Konduktor's names and labels ----------

export const LABEL_PARENT = "parent";
export const PARENT_VALUE = "konduktor";
export const LABEL_OWNER = "trainy.ai/secret-owner";
export const LABEL_BASENAME = "trainy.ai/secret-basename";
export const LABEL_KIND = "trainy.ai/secret-kind";

/**
 * `<basename>-<owner>`, the Kubernetes name of a Konduktor secret. An object name must be lower
 * case, so an upper-case owner hash is lowered here; the owner label keeps it as given.
 */
export function secretName(basename: string, owner: string): string {
  return `${basename}-${owner.toLowerCase()}`;
}

/** The four labels of a Konduktor secret. */
export function secretLabels(
  owner: string,
  basename: string,
  kind: SecretKind = "default",
): Record<string, string> {
  return {
    [LABEL_PARENT]: PARENT_VALUE,
    [LABEL_OWNER]: owner,
    [LABEL_BASENAME]: basename,
    [LABEL_KIND]: kind,
  };
}

// ---------- the broker's annotations ----------

/** comma-separated sorted key names this project wrote (for `prune`) */
export const ANNOTATION_MANAGED_KEYS = "konduktor-broker/managed-keys";
/** provenance, for people: who, through what, when (never trusted by a sync) */
export const ANNOTATION_UPDATED_BY = "konduktor-broker/updated-by";
export const ANNOTATION_UPDATED_VIA = "konduktor-broker/updated-via";
export const ANNOTATION_UPDATED_AT = "konduktor-broker/updated-at";
/** where the secret is meant to be: `all` or comma-separated sorted cluster names */
export const ANNOTATION_PLACEMENT = "konduktor-broker/placement";
/** the ledger version this copy holds (a decimal number), signed by ANNOTATION_SIGNATURE */
export const ANNOTATION_VERSION = "konduktor-broker/version";
/** `v1:<key id>:<base64url HMAC-SHA256>` over owner, basename, kind, version, content, placement */
export const ANNOTATION_SIGNATURE = "konduktor-broker/signature";
/**
 * Written by broker releases before the ledger: a plain SHA-256 over the values. Never read, never
 * written again; the broker removes it from every copy it writes.
 */
export const LEGACY_ANNOTATION_CONTENT_DIGEST = "konduktor-broker/content-digest";

// ---------- placement ----------

/** The placement annotation's value as a list, or `all` (also when absent or empty). */
export function parsePlacement(raw: string | undefined): string[] | "all" {
  const names = (raw ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  if (names.length === 0 || names.includes("all")) return "all";
  return [...new Set(names)].sort();
}

/** The placement annotation's value for `all` or a cluster list (sorted, comma-separated). */
export function formatPlacement(placement: readonly string[] | "all"): string {
  return placement === "all" ? "all" : [...new Set(placement)].sort().join(",");
}

// ---------- keyed digests and the copy MAC ----------

/** The keys of one key id: one for value digests, one for copy MACs (HMAC-SHA256 CryptoKeys). */
export interface CopyKeys {
  keyId: string;
  digest: CryptoKey;
  mac: CryptoKey;
}

/** The current keys (new digests and MACs) and every key id still accepted for verification. */
export interface Keyring {
  current: CopyKeys;
  byId(keyId: string): CopyKeys | undefined;
}

export interface ValueDigests {
  keyId: string;
  /** key → `hmac-sha256:<key id>:<hex>` of the decoded value, bound to owner, basename and key */
  digests: Record<string, string>;
  /** over the sorted key names and their digests; same data ⇔ same digest (under one key id) */
  contentDigest: string;
}

const DIGEST_PREFIX = "hmac-sha256";

async function hmacHex(key: CryptoKey, bytes: Uint8Array): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(mac));
}

/**
 * Keyed digests of a Secret's base64 `data` for one owner and basename (never the values): the
 * same value under another owner, basename or key name has another digest.
 */
export async function digestValues(
  keys: CopyKeys,
  owner: string,
  basename: string,
  data: Record<string, string> | undefined,
): Promise<ValueDigests> {
  const names = Object.keys(data ?? {}).sort();
  const digests: Record<string, string> = {};
  for (const key of names) {
    const label = utf8(JSON.stringify(["value", owner, basename, key]));
    const value = base64ToBytes((data as Record<string, string>)[key] ?? "");
    // JSON text holds no NUL byte: the separator makes label and value unambiguous
    const input = new Uint8Array(label.length + 1 + value.length);
    input.set(label, 0);
    input.set(value, label.length + 1);
    const hex = await hmacHex(keys.digest, input);
    digests[key] = `${DIGEST_PREFIX}:${keys.keyId}:${hex}`;
  }
  return (await digestsOf(keys, owner, basename, digests)) as ValueDigests;
}

/**
 * The ValueDigests of data known only by its keyed per-key digests (the ledger's, never a value):
 * the same answer `digestValues` gives for that data. Null when a digest is not under `keys`.
 */
export async function digestsOf(
  keys: CopyKeys,
  owner: string,
  basename: string,
  digests: Record<string, string>,
): Promise<ValueDigests | null> {
  const prefix = `${DIGEST_PREFIX}:${keys.keyId}:`;
  const pairs: [string, string][] = [];
  for (const key of Object.keys(digests).sort()) {
    const digest = digests[key] as string;
    if (!digest.startsWith(prefix)) return null;
    pairs.push([key, digest.slice(prefix.length)]);
  }
  const content = await macHex(
    keys.digest,
    JSON.stringify(["content", owner, basename, pairs]),
    toHex,
  );
  const sorted = Object.fromEntries(pairs.map(([k, hex]) => [k, `${prefix}${hex}`]));
  return { keyId: keys.keyId, digests: sorted, contentDigest: `${prefix}${content}` };
}

/** What a copy's MAC covers. */
export interface SealFields {
  owner: string;
  basename: string;
  kind: string;
  version: number;
  /** `contentDigest` of the copy's data under the signing key id */
  contentDigest: string;
  /** the placement annotation's value (formatPlacement) */
  placement: string;
}

/** The text a MAC covers: a JSON array (unambiguous), tagged with the format's version. */
function sealString(f: SealFields): string {
  const fields = [f.owner, f.basename, f.kind, f.version, f.contentDigest, f.placement];
  return JSON.stringify(["copy/v1", ...fields]);
}

/**
 * MACs made lately, per key, by the text they cover: the same seal is made for every cluster of a
 * PUT and for both targets of a synced copy. The texts hold names, versions and keyed digests,
 * never a value (value digests are not kept here); bounded, emptied when full.
 */
const recentMacs = new WeakMap<CryptoKey, Map<string, Promise<string>>>();
const RECENT_MACS = 1024;

function macHex(key: CryptoKey, text: string, encode: (hex: Uint8Array) => string) {
  let recent = recentMacs.get(key);
  if (!recent) {
    recent = new Map<string, Promise<string>>();
    recentMacs.set(key, recent);
  }
  const kept = recent.get(text);
  if (kept) return kept;
  if (recent.size >= RECENT_MACS) recent.clear();
  const mac = crypto.subtle
    .sign("HMAC", key, utf8(text) as Uint8Array<ArrayBuffer>)
    .then((m) => encode(new Uint8Array(m)));
  recent.set(text, mac);
  // a failed MAC is not kept: the next call tries again
  mac.catch(() => {
    if (recent.get(text) === mac) recent.delete(text);
  });
  return mac;
}

async function macOf(keys: CopyKeys, f: SealFields): Promise<string> {
  return await macHex(keys.mac, sealString(f), (mac) =>
    bytesToBase64(mac).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
  );
}

/** The annotations that sign a copy: its version and the MAC (with the placement they cover). */
export async function sealAnnotations(
  keys: CopyKeys,
  fields: SealFields,
): Promise<Record<string, string>> {
  return {
    [ANNOTATION_VERSION]: String(fields.version),
    [ANNOTATION_PLACEMENT]: fields.placement,
    [ANNOTATION_SIGNATURE]: `v1:${keys.keyId}:${await macOf(keys, fields)}`,
  };
}

/**
 * A copy's signature, checked: `valid` (the broker wrote exactly this content, labels and placement
 * at `version`), `invalid` (signed, but the content, a label, the version or the placement changed
 * since, or the key is unknown), or `none` (never signed: the Konduktor CLI, the Action's
 * kubeconfig mode, a broker release before the ledger).
 */
export type SealCheck =
  | { state: "valid"; version: number; keyId: string; placement: string }
  | { state: "invalid"; reason: string }
  | { state: "none" };

const SIGNATURE_RE = /^v1:([A-Za-z0-9._-]{1,32}):([A-Za-z0-9_-]{43})$/;
const VERSION_RE = /^[1-9][0-9]{0,14}$/;

/** Checks the signature of a copy read from a cluster (constant-time comparison by WebCrypto). */
export async function checkSeal(
  keyring: Keyring,
  secret: KubeSecret,
  known?: ValueDigests,
): Promise<SealCheck> {
  const a = secret.metadata.annotations ?? {};
  const raw = a[ANNOTATION_SIGNATURE];
  if (raw === undefined) return { state: "none" };
  const m = SIGNATURE_RE.exec(raw);
  const versionText = a[ANNOTATION_VERSION] ?? "";
  if (!m || !VERSION_RE.test(versionText)) {
    return { state: "invalid", reason: "the signature or version annotation is malformed" };
  }
  const keyId = m[1] as string;
  const keys = keyring.byId(keyId);
  if (!keys) return { state: "invalid", reason: `signed with key "${keyId}", not configured` };
  const labels = secret.metadata.labels ?? {};
  const owner = labels[LABEL_OWNER] ?? "";
  const basename = labels[LABEL_BASENAME] ?? "";
  const content =
    known && known.keyId === keyId
      ? known.contentDigest
      : (await digestValues(keys, owner, basename, secret.data)).contentDigest;
  const fields: SealFields = {
    owner,
    basename,
    kind: labels[LABEL_KIND] ?? "",
    version: Number(versionText),
    contentDigest: content,
    placement: a[ANNOTATION_PLACEMENT] ?? "",
  };
  const mac = base64ToBytes(`${(m[2] as string).replace(/-/g, "+").replace(/_/g, "/")}=`);
  const ok = await crypto.subtle.verify(
    "HMAC",
    keys.mac,
    mac as Uint8Array<ArrayBuffer>,
    utf8(sealString(fields)) as Uint8Array<ArrayBuffer>,
  );
  if (!ok) {
    return {
      state: "invalid",
      reason:
        "the content, a label, the version or the placement changed after the broker wrote it",
    };
  }
  return { state: "valid", version: fields.version, keyId, placement: fields.placement };
}
