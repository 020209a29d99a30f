/**
 * The cluster registry's work beyond storage (functions/registry/clusters.ts): registering a
 * cluster and, when asked, copying onto it what it should hold (a catch-up sync), and checking
 * what a registered cluster's credential may do. Called by the routes (functions/routes/clusters.ts)
 * and usable as is by a CLI or a script: no HTTP in here.
 */
import { fanout, isFailure } from "../../konduktor/fanout.ts";
import { namespaceNotFound } from "../../konduktor/kube/errors.ts";
import type { Services } from "../context.ts";
import { brokerFanoutOptions } from "../fanout-options.ts";
import type { ClusterRecord } from "../registry/clusters.ts";
import { catchUpCluster, type SyncOutcome } from "../sync/service.ts";

// `update` is the PUT that replace mode and every sync copy use; `patch` is the merge.
export const SECRET_VERBS = ["get", "list", "create", "update", "patch", "delete"] as const;

export interface Registered {
  record: ClusterRecord;
  created: boolean;
  /** with `sync`: what the catch-up copied onto the cluster */
  sync?: SyncOutcome;
}

/** Stores (or replaces) a cluster, then with `sync` copies onto it what it should hold. */
export async function registerCluster(
  services: Services,
  name: string,
  request: { kubeconfig: string; context?: string | undefined; sync: boolean },
  onRegistered: (registered: Registered) => void = () => {},
): Promise<Registered> {
  const { record, created } = await services.registry.put(
    name,
    request.kubeconfig,
    request.context,
    services.now(),
  );
  onRegistered({ record, created });
  if (!request.sync) return { record, created };
  return { record, created, sync: await catchUpCluster(services, name) };
}

export interface HealthReport {
  cluster: string;
  server: string;
  namespace: string;
  reachable: boolean;
  version: string | null;
  access: Record<string, boolean> | null;
  missing: string[];
  ok: boolean;
  error?: { code: string; message: string };
}

/** Codes that say nothing about the cluster itself (it never answered, or the broker failed). */
const NOT_THE_CLUSTER = new Set(["unreachable", "timeout", "broker_key_error", "internal_error"]);

/**
 * The cluster's /version and a SelfSubjectAccessReview per verb on Secrets in its namespace, in
 * one look (no retries: the answer is the cluster's state now). Null when no such cluster.
 */
export async function checkHealth(
  services: Services,
  name: string,
  requestId: string,
): Promise<HealthReport | null> {
  const { registry } = services;
  const record = await registry.getRecord(name);
  if (!record) return null;
  const base = { cluster: name, server: record.server, namespace: record.namespace };
  const [result] = await fanout(
    [name],
    async (cluster, signal) => {
      const kube = await registry.open(cluster, record, signal);
      const version = await kube.version();
      const access = await kube.canI(SECRET_VERBS);
      // an access review allows verbs in a namespace that does not exist: ask the cluster
      if ((await kube.namespaceExists?.()) === false) {
        throw namespaceNotFound({ cluster: name, namespace: kube.namespace });
      }
      return { version, access };
    },
    {
      ...brokerFanoutOptions(services, "cluster health", { requestId, cluster: name }),
      retries: 0,
    },
  );
  if (result && !isFailure(result)) {
    const { version, access } = result;
    const missing = SECRET_VERBS.filter((v) => !access[v]);
    return { ...base, reachable: true, version, access, missing, ok: missing.length === 0 };
  }
  const code = result?.code ?? "internal_error";
  return {
    ...base,
    // reachable only when the cluster itself answered
    reachable: !NOT_THE_CLUSTER.has(code),
    version: null,
    access: null,
    missing: [...SECRET_VERBS],
    ok: false,
    error: { code, message: result?.message ?? "unexpected error" },
  };
}
