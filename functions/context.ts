/** What every request handler gets: its dependencies, the request id, and (after auth) the caller. */
import type { Context } from "hono";
import type { KubeRuntime } from "../konduktor/kube/kubeconfig.ts";
import type { Caller, CallerResolver } from "./auth/caller.ts";
import type { BrokerConfig } from "./config.ts";
import type { ClusterRecord, ClusterRegistry, KubeConnector } from "./registry/clusters.ts";
import type { OpenedClusters } from "./registry/opened.ts";
import type { ShardedStore } from "./store/records.ts";
import type { KeyValueStore } from "./store/store.ts";
import type { Stores } from "./store/stores.ts";

/** One structured log line (JSON). Audit lines have `type: "audit"`. Never a value or a credential. */
export type LogLine = Record<string, unknown> & { type: string };

export interface AppDeps {
  config: BrokerConfig;
  /** the broker's consistent state (Durable Objects on Workers, node:sqlite on Node) */
  records: ShardedStore;
  /**
   * the key-value state of an earlier broker (Workers KV, the Node entry's JSON file), migrated
   * into `records` on the first request (functions/store/migrate.ts)
   */
  legacyState?: KeyValueStore;
  /** "edge" in workerd (kubeconfigs with embedded token + CA only), "node" on Node */
  runtime: KubeRuntime;
  connector: KubeConnector;
  /** the opened clusters the registry keeps between requests (default: its own) */
  opened?: OpenedClusters;
  /** credential resolvers, tried in order (default: API tokens, the admin token, GitHub OIDC) */
  resolvers?: CallerResolver[];
  now?: () => Date;
  /** structured log sink (default: one JSON line on the console) */
  log?: (line: LogLine) => void;
  /**
   * Scalar's standalone bundle, served at /docs/scalar.js so that /docs loads nothing from outside
   * (workerd: the Worker's static asset; Node: the installed package). Both entries give it; an
   * app built without it (in-process tests) would point /docs at Scalar's CDN.
   */
  docsScript?: () => Promise<Response>;
}

export interface Services {
  config: BrokerConfig;
  /** every entity store, built once (functions/store/stores.ts) */
  stores: Stores;
  /** `stores.kv`: the key-value view tombstones use until the intent ledger replaces them */
  store: KeyValueStore;
  registry: ClusterRegistry;
  resolvers: CallerResolver[];
  now: () => Date;
  log: (line: LogLine) => void;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    caller: Caller;
    services: Services;
    /** the audit action the route declares (functions/http/route.ts), e.g. `secret.put` */
    action: string;
    /** set by audit(): this request has its audit line (app.onError writes one otherwise) */
    audited: boolean;
    /** fields every audit line of this request carries (e.g. a webhook delivery's hook and id) */
    auditFields: Record<string, unknown>;
    /**
     * the registered clusters, read with the credential's check (`RouteRules.registry`, an API
     * token); unset when the route reads the registry itself
     */
    registered?: ClusterRecord[];
  };
};

export type AppContext = Context<AppEnv>;
