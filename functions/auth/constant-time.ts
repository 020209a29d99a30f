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

/** Compares two secrets through their SHA-256, so length and content do not leak through timing. */
export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([credentialHash(presented), credentialHash(expected)]);
  return constantTimeEqual(a, b);
}
