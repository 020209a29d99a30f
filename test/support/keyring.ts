/** A broker keyring for tests (functions/ledger/keys.ts), from random or given KEK bytes. */
import { randomBytes } from "node:crypto";
import { copyKeysOf } from "../../functions/ledger/keys.ts";
import type { Keyring } from "../../konduktor/format.ts";

export async function testKeyring(
  id = "t1",
  bytes: Uint8Array = new Uint8Array(randomBytes(32)),
  previous: { id: string; bytes: Uint8Array }[] = [],
): Promise<Keyring> {
  const all = await Promise.all([{ id, bytes }, ...previous].map(copyKeysOf));
  const byId = new Map(all.map((k) => [k.keyId, k]));
  return { current: all[0]!, byId: (kid) => byId.get(kid) };
}

/** The plain SHA-256 hex of a UTF-8 text (to prove no answer or annotation holds it). */
export async function plainSha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Buffer.from(d).toString("hex");
}
