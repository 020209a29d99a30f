/**
 * API tokens as a `CallerResolver`: `kbt_<id>_<secret>`, checked against the token store
 * (functions/store/tokens.ts: one record per token, a hash only, revocation seen at once). For a
 * route that authorizes on the registry, the check also brings the registered clusters' records
 * (one call to the control shard, only for a valid token).
 */
import type { Caller, CallerResolver } from "./caller.ts";

export function looksLikeApiToken(credential: string): boolean {
  return credential.startsWith("kbt_");
}

/** API tokens as a `CallerResolver`. */
export const apiTokenResolver: CallerResolver = async (credential, { stores, now, registry }) => {
  if (!looksLikeApiToken(credential)) return null;
  const { record, clusters } = registry
    ? await stores.tokens.verifyWithClusters(credential, now())
    : { record: await stores.tokens.verify(credential, now()) };
  if (!record) return null;
  if (registry && clusters) registry.records = clusters;
  const caller: Caller = {
    id: `token:${record.id}`,
    kind: "token",
    owners: record.owners,
    clusters: record.clusters,
    rights: record.rights,
    expiresAt: record.expiresAt,
    ...(record.label ? { label: record.label } : {}),
  };
  return caller;
};
