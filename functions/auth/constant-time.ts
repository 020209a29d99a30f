/** SHA-256 of a credential, and a comparison that takes the same time wherever the inputs differ. */
import { sha256Hex } from "../../konduktor/encoding.ts";

export async function credentialHash(credential: string): Promise<string> {
  return await sha256Hex(new TextEncoder().encode(credential));
}

/** Equal-length strings (hex digests) compared without an early exit. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

const expectedHashes = new WeakMap<object, Map<string, Promise<string>>>();

/**
 * The SHA-256 of a configured secret, computed once per `owner` (e.g. the broker config it
 * belongs to) rather than on every request.
 */
export function configuredHash(owner: object, secret: string): Promise<string> {
  let hashes = expectedHashes.get(owner);
  if (!hashes) {
    hashes = new Map();
    expectedHashes.set(owner, hashes);
  }
  let hash = hashes.get(secret);
  if (!hash) {
    hash = credentialHash(secret);
    hashes.set(secret, hash);
  }
  return hash;
}

/** Compares a presented credential with the secret configured in `owner` (hashed once per owner). */
export async function configuredSecretEquals(
  presented: string,
  owner: object,
  expected: string,
): Promise<boolean> {
  const [a, b] = await Promise.all([credentialHash(presented), configuredHash(owner, expected)]);
  return constantTimeEqual(a, b);
}
