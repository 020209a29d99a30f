/**
 * AES-256-GCM envelope for kubeconfigs at rest (WebCrypto: workerd and Node). The additional
 * authenticated data is the record's name (e.g. `cluster:<name>`) and the key id, so a ciphertext
 * copied under another name, or relabelled with another key id, does not decrypt. The key id is
 * stored with the ciphertext, so keys can be rotated: new writes use the current key, reads accept
 * the current and the previous keys. Records sealed before the key id was bound (no `v`) are read
 * with the name alone as additional data.
 */
import { base64ToBytes, bytesToBase64 } from "../../konduktor/encoding.ts";
import { KonduktorError } from "../../konduktor/errors.ts";
import type { KeyEncryptionKey } from "../config.ts";

export interface Envelope {
  alg: "A256GCM";
  /** 2: the key id is part of the additional data (absent: sealed with the name only) */
  v?: 2;
  kid: string;
  /** 12 bytes, base64 */
  iv: string;
  /** ciphertext + tag, base64 */
  ct: string;
}

const encoder = new TextEncoder();

/** The additional data: the name and, from version 2 on, the key id. */
function additionalData(aad: string, kid: string, v: number | undefined): Uint8Array<ArrayBuffer> {
  return encoder.encode(v === 2 ? `${aad}\nkid:${kid}` : aad);
}
const keyCache = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function importKey(bytes: Uint8Array): Promise<CryptoKey> {
  let key = keyCache.get(bytes);
  if (!key) {
    key = crypto.subtle.importKey("raw", bytes as Uint8Array<ArrayBuffer>, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    keyCache.set(bytes, key);
  }
  return key;
}

/** A sealed record that does not open (a missing key, a wrong key, a tampered record). */
export class EnvelopeError extends KonduktorError {
  override readonly name = "EnvelopeError";
  constructor(message: string) {
    super("broker_key_error", message);
  }
}

export async function seal(
  plaintext: string,
  aad: string,
  kek: KeyEncryptionKey,
): Promise<Envelope> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(aad, kek.id, 2) },
    await importKey(kek.bytes),
    encoder.encode(plaintext),
  );
  return {
    alg: "A256GCM",
    v: 2,
    kid: kek.id,
    iv: bytesToBase64(iv),
    ct: bytesToBase64(new Uint8Array(ct)),
  };
}

export async function open(
  envelope: Envelope,
  aad: string,
  keys: readonly KeyEncryptionKey[],
): Promise<string> {
  const kek = keys.find((k) => k.id === envelope.kid);
  if (!kek) {
    throw new EnvelopeError(
      `encrypted with key "${envelope.kid}", which is not configured (KEK_ID / KEK_PREVIOUS)`,
    );
  }
  try {
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: base64ToBytes(envelope.iv) as Uint8Array<ArrayBuffer>,
        additionalData: additionalData(aad, envelope.kid, envelope.v),
      },
      await importKey(kek.bytes),
      base64ToBytes(envelope.ct) as Uint8Array<ArrayBuffer>,
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new EnvelopeError(`cannot decrypt with key "${kek.id}" (wrong key or tampered record)`);
  }
}
