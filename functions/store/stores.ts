/**
 * Every entity store of the broker, built once (functions/app.ts) on the one record store: the
 * handlers, resolvers, webhooks and the cron take them from `services.stores` and never build one.
 */
import type { BrokerConfig } from "../config.ts";
import type { LogLine } from "../context.ts";
import { ClusterStore } from "./clusters.ts";
import { DeliveryStore } from "./deliveries.ts";
import { HookStore } from "./hooks.ts";
import { JobTokenStore } from "./job-tokens.ts";
import { CONTROL_SHARD } from "./keys.ts";
import { OidcBindingStore } from "./oidc-bindings.ts";
import { RecordKeyValueStore } from "./record-kv.ts";
import type { ShardedStore } from "./records.ts";
import type { KeyValueStore } from "./store.ts";
import { TokenStore } from "./tokens.ts";

export interface Stores {
  /** the record store itself (the intent ledger builds on it, in the owners' shards) */
  records: ShardedStore;
  clusters: ClusterStore;
  tokens: TokenStore;
  oidcBindings: OidcBindingStore;
  hooks: HookStore;
  jobTokens: JobTokenStore;
  deliveries: DeliveryStore;
  /** key-value view of the control shard: tombstones only, until the intent ledger */
  kv: KeyValueStore;
}

/** `log`: where a store says what an operator should know (e.g. a step an older object lacks) */
export function createStores(
  records: ShardedStore,
  config: BrokerConfig,
  log: (line: LogLine) => void = () => {},
): Stores {
  const control = records.shard(CONTROL_SHARD);
  return {
    records,
    clusters: new ClusterStore(control),
    tokens: new TokenStore(control, log),
    oidcBindings: new OidcBindingStore(control),
    hooks: new HookStore(control, config),
    jobTokens: new JobTokenStore(control),
    deliveries: new DeliveryStore(records),
    kv: new RecordKeyValueStore(control),
  };
}
