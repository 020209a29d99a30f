/**
 * Every shard name and record key of the broker's state, in one place. Shards: see
 * docs/decisions/0001-state-engine.md (one "control" shard for the control plane, one per owner,
 * one per webhook for its delivery claims).
 */

/** Clusters, API tokens, OIDC bindings, hooks (and, until the ledger, tombstones). */
export const CONTROL_SHARD = "control";

/** One owner's records: the intent ledger, the last webhook delivery applied per secret. */
export function ownerShard(owner: string): string {
  return `owner:${owner}`;
}

/** One webhook's delivery claims. */
export function hookShard(hookId: string): string {
  return `hook:${hookId}`;
}

export const keys = {
  /** control: a registered cluster (functions/store/clusters.ts) */
  cluster: (name: string) => `cluster:${name}`,
  clusterPrefix: "cluster:",
  /** control: an API token by its public id (functions/store/tokens.ts) */
  token: (id: string) => `token:${id}`,
  tokenPrefix: "token:",
  /** control: an OIDC binding (functions/store/oidc-bindings.ts) */
  oidcBinding: (id: string) => `oidc-binding:${id}`,
  oidcBindingPrefix: "oidc-binding:",
  /** control: an owner's job access (functions/store/job-tokens.ts) */
  jobToken: (owner: string) => `job-token:${owner}`,
  jobTokenPrefix: "job-token:",
  /** control: a webhook (functions/store/hooks.ts) */
  hook: (id: string) => `hook:${id}`,
  hookPrefix: "hook:",
  /** hook:<id>: a delivery claim or its outcome (functions/store/deliveries.ts) */
  delivery: (deliveryId: string) => `delivery:${deliveryId}`,
  /** owner:<hash>: the owner's ledger version counter (functions/ledger/ledger.ts) */
  ledgerSeq: "seq",
  /** owner:<hash>: the ledger entry of one secret (functions/ledger/entry.ts) */
  ledgerEntry: (basename: string) => `secret:${basename}`,
  ledgerEntryPrefix: "secret:",
  /** owner:<hash>: the newest webhook secret set applied to a secret (functions/store/deliveries.ts) */
  hookApplied: (basename: string) => `hook-applied:${basename}`,
  /** control: the marker of a finished migration from the key-value state (./migrate.ts) */
  migrated: "migrated:kv-v0",
} as const;

/**
 * The key-value state of brokers before the record store (Workers KV, or the Node entry's JSON
 * file): read by the migration only (./migrate.ts).
 */
export const legacyKeys = {
  clusterPrefix: "cluster:",
  tokenPrefix: "token:",
  oidcBindings: "oidc-bindings",
  hookPrefix: "hook:",
  deliveryPrefix: "hookdelivery:",
  tombstonePrefix: "tombstone:",
} as const;
