/**
 * The bench's clusters: the three real test clusters (etcd + kube-apiserver), extra namespaces
 * on them with the same RBAC as the test namespace, kubeconfigs that point at a proxy instead of
 * the apiserver, and "virtual clusters": N distinct clusters (own port, own namespace, own
 * connections) served by the few real apiservers (see docs/decisions/0014-comparative-bench.md).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { adminRequest, type ClusterInfo, TestCluster } from "../../test/cluster/cluster.ts";
import { type CountingProxy, startCountingProxy } from "../proxy/counting-proxy.ts";
import { type DelayProxy, startDelayProxy } from "../proxy/delay-proxy.ts";
import type { Limiter } from "../proxy/limiter.ts";

/** Closes what the bench opened, last first. */
export class Closer {
  private readonly items: (() => Promise<void> | void)[] = [];
  add<T extends { close(): Promise<void> | void }>(item: T): T {
    this.items.push(() => item.close());
    return item;
  }
  async closeAll(): Promise<void> {
    for (const close of this.items.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // already closed
      }
    }
  }
}

export async function startClusters(names: readonly string[]): Promise<TestCluster[]> {
  const started: TestCluster[] = [];
  try {
    for (const name of names) started.push(await TestCluster.start({ name }));
    return started;
  } catch (error) {
    await Promise.all(started.map((c) => c.stop()));
    throw error;
  }
}

async function must(info: ClusterInfo, method: string, path: string, body: unknown) {
  const res = await adminRequest(info, method, path, body);
  if (res.status >= 300 && res.status !== 409) {
    throw new Error(`${method} ${path} on ${info.name}: HTTP ${res.status} ${res.body}`);
  }
}

/** A namespace where user secrets-editor may do everything with Secrets (as in TEST_NAMESPACE). */
export async function ensureNamespace(info: ClusterInfo, namespace: string): Promise<void> {
  await must(info, "POST", "/api/v1/namespaces", { metadata: { name: namespace } });
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}`;
  await must(info, "POST", `${rbac}/roles`, {
    metadata: { name: "secrets-editor", namespace },
    rules: [
      {
        apiGroups: [""],
        resources: ["secrets"],
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
      },
    ],
  });
  await must(info, "POST", `${rbac}/rolebindings`, {
    metadata: { name: "secrets-editor", namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "secrets-editor" },
    subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "secrets-editor" }],
  });
}

/** kube-apiserver's own serving certificate (it names 127.0.0.1), for a TLS-terminating proxy. */
export function servingCert(info: ClusterInfo): { cert: string; key: string } {
  const pki = join(info.dataDir, "pki");
  return {
    cert: readFileSync(join(pki, "server.crt"), "utf8"),
    key: readFileSync(join(pki, "server.key"), "utf8"),
  };
}

export interface ContextEntry {
  /** the context (and cluster, user) name */
  name: string;
  server: string;
  caPem: string;
  token: string;
  namespace: string;
}

/** One kubeconfig with a context per entry (token users), the first one current. */
export function kubeconfigOf(entries: readonly ContextEntry[]): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: entries.map((e) => ({
      name: e.name,
      cluster: {
        server: e.server,
        "certificate-authority-data": Buffer.from(e.caPem).toString("base64"),
      },
    })),
    users: entries.map((e) => ({ name: e.name, user: { token: e.token } })),
    contexts: entries.map((e) => ({
      name: e.name,
      context: { cluster: e.name, user: e.name, namespace: e.namespace },
    })),
    "current-context": entries[0]?.name ?? "",
  });
}

/** The secrets-editor context of a cluster, reached at `server` (a proxy), in `namespace`. */
export function editorEntry(
  info: ClusterInfo,
  name: string,
  server: string,
  namespace: string,
): ContextEntry {
  return { name, server, caPem: info.caPem, token: info.tokens["secrets-editor"], namespace };
}

export function apiPort(info: ClusterInfo): number {
  return Number(new URL(info.server).port);
}

/** A counting proxy in front of a real apiserver, presenting its certificate (no delay). */
export async function countingProxyFor(
  info: ClusterInfo,
  closer: Closer,
  limiter?: Limiter,
): Promise<CountingProxy> {
  return closer.add(
    await startCountingProxy({
      upstream: info.server,
      upstreamCa: info.caPem,
      tls: servingCert(info),
      ...(limiter ? { limiter } : {}),
    }),
  );
}

export interface VirtualCluster {
  name: string;
  /** the real apiserver behind it */
  info: ClusterInfo;
  namespace: string;
  /** link delay in front of the apiserver: what a client outside the edge (the Action) uses */
  delay: DelayProxy;
  /** TLS-terminating, counting, capped (the Workers edge) → `delay` → apiserver: the broker's */
  edge: CountingProxy;
}

/**
 * `count` virtual clusters over the real `infos` (round robin), each with its own namespace
 * `bench-vNN`, its own delay proxy (`delayMs` one way) and its own edge proxy, all edge proxies
 * sharing `limiter` (one Worker invocation's connection cap).
 */
export async function startVirtualClusters(
  infos: readonly ClusterInfo[],
  count: number,
  options: { delayMs: number; limiter: Limiter; closer: Closer },
): Promise<VirtualCluster[]> {
  const out: VirtualCluster[] = [];
  for (let i = 0; i < count; i++) {
    const info = infos[i % infos.length]!;
    const name = `v${String(i).padStart(2, "0")}`;
    const namespace = `bench-${name}`;
    await ensureNamespace(info, namespace);
    const delay = options.closer.add(
      await startDelayProxy({ targetPort: apiPort(info), delayMs: options.delayMs }),
    );
    const edge = options.closer.add(
      await startCountingProxy({
        upstream: `https://${delay.address}`,
        upstreamCa: info.caPem,
        tls: servingCert(info),
        limiter: options.limiter,
      }),
    );
    out.push({ name, info, namespace, delay, edge });
  }
  return out;
}
