/**
 * AES-256-GCM envelope for kubeconfigs at rest (WebCrypto: workerd and Node). The cluster name is
 * the additional authenticated data, so a ciphertext copied under another cluster's key does not
 * decrypt. The key id is stored with the ciphertext, so keys can be rotated: new writes use the
 * current key, reads accept the current and the previous keys.
 */
import { base64ToBytes, bytesToBase64 } from "../../konduktor/encoding.ts";
import type { KeyEncryptionKey } from "../config.ts";

export interface Envelope {
  alg: "A256GCM";
  kid: string;
  /** 12 bytes, base64 */
  iv: string;
  /** ciphertext + tag, base64 */
  ct: string;
}

const encoder = new TextEncoder();
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

export class EnvelopeError extends Error {
  override readonly name = "EnvelopeError";
}

export async function seal(
  plaintext: string,
  aad: string,
  kek: KeyEncryptionKey,
): Promise<Envelope> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
    await importKey(kek.bytes),
    encoder.encode(plaintext),
  );
  return {
    alg: "A256GCM",
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
        additionalData: encoder.encode(aad),
      },
      await importKey(kek.bytes),
      base64ToBytes(envelope.ct) as Uint8Array<ArrayBuffer>,
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new EnvelopeError(`cannot decrypt with key "${kek.id}" (wrong key or tampered record)`);
  }
}
