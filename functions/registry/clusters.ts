/**
 * The cluster registry: one record per cluster name, with the kubeconfig (one context of it)
 * sealed with AES-256-GCM (./envelope.ts) and, in clear, only what the API shows: server URL,
 * namespace, context and user names, times. A kubeconfig never leaves the registry except into a
 * KubeSecrets adapter.
 */

import { KonduktorError } from "../../konduktor/errors.ts";
import {
  KubeconfigError,
  type KubeRuntime,
  type ParsedKubeconfig,
  parseKubeconfig,
} from "../../konduktor/kube/kubeconfig.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import type { BrokerConfig } from "../config.ts";
import { ApiError } from "../problem.ts";
import type { ClusterStore } from "../store/clusters.ts";
import { type Envelope, EnvelopeError, open, seal } from "./envelope.ts";
import { type OpenedCluster, OpenedClusters } from "./opened.ts";

/** The additional data a kubeconfig is sealed with (unchanged since the first broker). */
const aad = (name: string) => `cluster:${name}`;

/** The broker cannot decrypt a stored kubeconfig (a key problem): a per-cluster error. */
export class BrokerKeyError extends KonduktorError {
  override readonly name = "BrokerKeyError";
  constructor(message: string) {
    super("broker_key_error", message);
  }
}

export interface ClusterRecord {
  name: string;
  server: string;
  namespace: string;
  context: string;
  user: string;
  addedAt: string;
  updatedAt: string;
  /** the kubeconfig YAML, sealed; AAD = `cluster:<name>` */
  kubeconfig: Envelope;
}

/** What the API shows of a cluster (never a credential). */
export interface ClusterInfo {
  name: string;
  server: string;
  namespace: string;
  context: string;
  addedAt: string;
  updatedAt: string;
  keyId: string;
}

export function clusterInfo(r: ClusterRecord): ClusterInfo {
  return {
    name: r.name,
    server: r.server,
    namespace: r.namespace,
    context: r.context,
    addedAt: r.addedAt,
    updatedAt: r.updatedAt,
    keyId: r.kubeconfig.kid,
  };
}

/**
 * Makes a KubeSecrets for a registered cluster from its (decrypted) kubeconfig. Supplied by the
 * entry point: the Worker uses the fetch adapter (TLS by the runtime), Node the node:https one
 * (konduktor/kube/node-fetch.ts).
 */
export type KubeConnector = (
  kubeconfig: string,
  options: {
    cluster: string;
    context: string;
    timeoutMs: number;
    /**
     * cancels every call of the port: the fan-out's per-cluster deadline, which is `timeoutMs`
     * long and starts before the port's first call, so it also bounds each call
     */
    signal?: AbortSignal;
    /**
     * how many requests the fan-out this connection is part of may have in flight at once (1
     * when alone): a PUT's clusters, a sync's writes up to its concurrency. On Workers, wider than
     * one invocation's connections goes through links (connect-edge.ts)
     */
    fanoutWidth?: number;
    /**
     * what the connector derived from this kubeconfig (its parse), kept with the opened cluster
     * for its other connections (`opener`, ./opened.ts): a sync opens one per write, and parsing
     * the YAML each time was a good part of its time. Dropped with the opened cluster.
     */
    memo?: Map<string, unknown>;
  },
) => Promise<KubeSecrets>;

/**
 * The fetch adapter's options for a connector's `signal`: the fan-out's deadline, of the same
 * length as a call's timeout and started before the port's first call, so it bounds every call
 * (no timer of their own). None without a signal.
 */
export function deadlineOptions(
  signal: AbortSignal | undefined,
): { signal: AbortSignal; signalBoundsCalls: true } | Record<string, never> {
  return signal ? { signal, signalBoundsCalls: true } : {};
}

/** The connector's memo entry for `key`, made by `make` on first use (no memo: made each time). */
export function memoized<T>(memo: Map<string, unknown> | undefined, key: string, make: () => T): T {
  if (!memo) return make();
  if (!memo.has(key)) memo.set(key, make());
  return memo.get(key) as T;
}

export class ClusterRegistry {
  private readonly store: ClusterStore;
  private readonly config: BrokerConfig;
  private readonly runtime: KubeRuntime;
  private readonly connector: KubeConnector;
  /** kubeconfigs decrypted and parsed once per sealing, kept between requests (./opened.ts) */
  private readonly opened: OpenedClusters;
  constructor(
    store: ClusterStore,
    config: BrokerConfig,
    runtime: KubeRuntime,
    connector: KubeConnector,
    opened: OpenedClusters = new OpenedClusters(),
  ) {
    this.store = store;
    this.config = config;
    this.runtime = runtime;
    this.connector = connector;
    this.opened = opened;
  }

  /** Checks a kubeconfig the way it will be used (this runtime); throws ApiError with the field. */
  check(kubeconfig: string, context: string | undefined): ParsedKubeconfig {
    try {
      // the kubeconfig came over the network: nothing on this host is read or run for it
      return parseKubeconfig(kubeconfig, {
        context,
        runtime: this.runtime,
        origin: "remote",
        privateAddresses: this.config.clusterPrivateAddresses,
      });
    } catch (error) {
      if (error instanceof KubeconfigError) {
        throw new ApiError("invalid_kubeconfig", error.message, {
          errors: [{ field: `kubeconfig: ${error.field}`, message: error.message }],
        });
      }
      throw error;
    }
  }

  async put(
    name: string,
    kubeconfig: string,
    context: string | undefined,
    now: Date,
  ): Promise<{ record: ClusterRecord; created: boolean }> {
    const parsed = this.check(kubeconfig, context);
    const sealed = await seal(kubeconfig, aad(name), this.config.kek);
    this.opened.forget(name);
    return await this.store.put(name, (existing) => ({
      name,
      server: parsed.server,
      namespace: parsed.namespace,
      context: parsed.contextName,
      user: parsed.userName,
      addedAt: existing?.addedAt ?? now.toISOString(),
      updatedAt: now.toISOString(),
      kubeconfig: sealed,
    }));
  }

  async getRecord(name: string): Promise<ClusterRecord | null> {
    this.opened.sweep();
    return await this.store.get(name);
  }

  async names(): Promise<string[]> {
    this.opened.sweep();
    return await this.store.names();
  }

  async list(): Promise<ClusterRecord[]> {
    this.opened.sweep();
    return await this.store.list();
  }

  /**
   * `list`'s answer read by another call to the control shard (an API token's check,
   * functions/store/token-steps.ts): a read of the registry like `list`, which it replaces.
   */
  readAhead(records: ClusterRecord[]): ClusterRecord[] {
    this.opened.sweep();
    return records;
  }

  async remove(name: string): Promise<boolean> {
    this.opened.forget(name);
    return await this.store.remove(name);
  }

  /**
   * The decrypted kubeconfig of a registered cluster, decrypted now (`opener` and `open` keep it
   * per sealing: one decryption per cluster, however many requests and writes use it).
   */
  async kubeconfigOf(name: string, record?: ClusterRecord): Promise<string> {
    const r = record ?? (await this.getRecord(name));
    if (!r) throw new ApiError("not_found", `no registered cluster named ${name}`);
    try {
      return await open(r.kubeconfig, aad(name), [this.config.kek, ...this.config.previousKeks]);
    } catch (error) {
      if (error instanceof EnvelopeError) {
        // an operator problem, not the caller's: said as a per-cluster error
        throw new BrokerKeyError(`the stored kubeconfig of ${name}: ${error.message}`);
      }
      throw error;
    }
  }

  /** A KubeSecrets for a cluster from its decrypted kubeconfig (see `kubeconfigOf`). */
  async connect(
    name: string,
    record: Pick<ClusterRecord, "context">,
    kubeconfig: string,
    signal?: AbortSignal,
    run: { fanoutWidth?: number; memo?: Map<string, unknown> } = {},
  ): Promise<KubeSecrets> {
    return await this.connector(kubeconfig, {
      cluster: name,
      context: record.context,
      timeoutMs: this.config.clusterTimeoutMs,
      fanoutWidth: run.fanoutWidth ?? 1,
      ...(run.memo ? { memo: run.memo } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * An opener for one run or request: each cluster's kubeconfig is decrypted and parsed once per
   * sealing and kept between requests (./opened.ts), while every call connects anew with its own
   * `signal` (a fan-out's per-cluster deadline). `records` are the registry records at hand (the
   * request's own read of the registry: a removed cluster is never opened); a cluster not among
   * them is looked up. `width`: the requests the caller's fan-out may have in flight at once
   * (default: one per cluster of `records`).
   */
  opener(
    records: ReadonlyMap<string, ClusterRecord>,
  ): (cluster: string, signal?: AbortSignal, width?: number) => Promise<KubeSecrets> {
    // what this opener opened, so that it opens each cluster once even when the isolate's
    // bounds drop it from `opened` meanwhile (more clusters than it keeps)
    const mine = new Map<string, OpenedCluster>();
    return async (cluster, signal, width) => {
      const record = records.get(cluster) ?? (await this.getRecord(cluster));
      if (!record) throw new ApiError("not_found", `no registered cluster named ${cluster}`);
      let opened = mine.get(cluster);
      if (!opened) {
        opened = this.opened.get(cluster, record, () => this.kubeconfigOf(cluster, record));
        mine.set(cluster, opened);
      }
      return await this.connect(cluster, record, await opened.kubeconfig, signal, {
        fanoutWidth: width ?? records.size,
        memo: opened.memo,
      });
    };
  }

  /**
   * A KubeSecrets for a registered cluster (its kubeconfig opened as `opener` does). `signal`
   * cancels its calls: pass the fan-out's, so that nothing reaches the cluster after its deadline.
   */
  async open(name: string, record?: ClusterRecord, signal?: AbortSignal): Promise<KubeSecrets> {
    return await this.opener(new Map(record ? [[name, record]] : []))(name, signal, 1);
  }
}
