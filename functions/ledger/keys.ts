/**
 * The keys that make value digests and sign copies, derived from the broker's key encryption key
 * (KEK) with HKDF-SHA256 (WebCrypto): one key per purpose, so a digest key can never verify a copy
 * and neither can decrypt a kubeconfig. Each carries the KEK's id; copies and ledger digests name
 * it, so after a rotation (KEK_ID / KEK_PREVIOUS) copies signed with a previous key still verify.
 *
 *   digest key = HKDF(KEK, salt = SALT, info = DIGEST_INFO)   value digests (konduktor/format.ts)
 *   MAC key    = HKDF(KEK, salt = SALT, info = MAC_INFO)      copy signatures
 */
import type { CopyKeys, Keyring } from "../../konduktor/format.ts";
import type { BrokerConfig, KeyEncryptionKey } from "../config.ts";

export const HKDF_SALT = "konduktor-broker/hkdf/v1";
export const DIGEST_INFO = "konduktor-broker/value-digest/v1";
export const MAC_INFO = "konduktor-broker/copy-mac/v1";

const encoder = new TextEncoder();

async function derive(kek: KeyEncryptionKey, info: string): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey(
    "raw",
    kek.bytes as Uint8Array<ArrayBuffer>,
    "HKDF",
    false,
    ["deriveKey"],
  );
  return await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(HKDF_SALT), info: encoder.encode(info) },
    ikm,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

/** The digest and MAC keys of one KEK. */
export async function copyKeysOf(kek: KeyEncryptionKey): Promise<CopyKeys> {
  const [digest, mac] = await Promise.all([derive(kek, DIGEST_INFO), derive(kek, MAC_INFO)]);
  return { keyId: kek.id, digest, mac };
}

const cache = new WeakMap<BrokerConfig, Promise<Keyring>>();

/** The broker's keyring: the current KEK's keys, and the previous KEKs' for verification. */
export function brokerKeyring(config: BrokerConfig): Promise<Keyring> {
  let ring = cache.get(config);
  if (!ring) {
    ring = (async () => {
      const all = await Promise.all([config.kek, ...config.previousKeks].map(copyKeysOf));
      const byId = new Map(all.map((k) => [k.keyId, k]));
      return { current: all[0] as CopyKeys, byId: (id: string) => byId.get(id) };
    })();
    cache.set(config, ring);
  }
  return ring;
}
