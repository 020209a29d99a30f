/** Helpers shared by the broker e2e tests (not tests themselves). */
import { type ClusterInfo, kubeconfigFor, kubeconfigYaml } from "../cluster/cluster.ts";
import type { RunningBroker } from "../support/broker.ts";

export { type KubeSecretOnCluster, readSecret } from "../support/cluster-secret.ts";
export { b64 } from "../support/kube-contract.ts";
export { newOwner } from "../support/ops-contract.ts";

/** A kubeconfig for a cluster with a given bearer token and namespace. */
export function kubeconfigWithToken(info: ClusterInfo, token: string, namespace: string): string {
  return kubeconfigYaml(info, "sa", { token }, namespace);
}

/** Registers the test clusters (as user secrets-editor) under their own names. */
export async function registerClusters(broker: RunningBroker, clusters: ClusterInfo[]) {
  for (const c of clusters) {
    const res = await broker.request("PUT", `/v1/clusters/${c.name}`, {
      token: broker.adminToken,
      json: { kubeconfig: kubeconfigFor(c, "secrets-editor") },
    });
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`register ${c.name}: ${res.status} ${res.text}`);
    }
  }
}

export async function issueToken(
  broker: RunningBroker,
  body: Record<string, unknown>,
): Promise<{ token: string; id: string }> {
  const res = await broker.request("POST", "/v1/tokens", { token: broker.adminToken, json: body });
  if (res.status !== 201) throw new Error(`issue token: ${res.status} ${res.text}`);
  return { token: res.body.token, id: res.body.id };
}
