/**
 * The control shard's step of an API token's check (functions/store/tokens.ts): the token's record
 * is checked where it is stored, and only a valid token gets the registered clusters' records in
 * the same call. A request that authorizes on the registry (a secret's PUT, DELETE, list) then
 * costs one call to the control shard, not two, and a wrong, revoked or expired token reads no
 * cluster record. Pure: the Durable Object runs it by name (./shard-steps.ts).
 */
import { constantTimeEqual } from "../auth/constant-time.ts";
import { keys } from "./keys.ts";
import type { ShardStep } from "./records.ts";
import type { TokenRecord } from "./tokens.ts";

/** `record` when it is the token whose SHA-256 is `hash`, not revoked and not expired at `at`. */
export function validToken(
  record: TokenRecord | null,
  hash: string,
  at: number,
): TokenRecord | null {
  if (!record) return null;
  if (!constantTimeEqual(hash, record.hash)) return null;
  if (record.revokedAt) return null;
  if (Date.parse(record.expiresAt) <= at) return null;
  return record;
}

/** A valid token's record and every cluster record as stored (JSON); `null` for any other. */
export type TokenWithClusters = { token: TokenRecord; clusters: string[] } | null;

export const tokenWithClustersStep: ShardStep<
  { id: string; hash: string; at: number },
  TokenWithClusters
> = {
  name: "tokens.verify-with-clusters",
  run(view, { id, hash, at }) {
    const stored = view.get(keys.token(id));
    const token = validToken(stored ? (JSON.parse(stored.value) as TokenRecord) : null, hash, at);
    if (!token) return { writes: [], result: null };
    return {
      writes: [],
      result: { token, clusters: view.list(keys.clusterPrefix).map((r) => r.value) },
    };
  },
};

export const TOKEN_STEPS = [tokenWithClustersStep] as const;
