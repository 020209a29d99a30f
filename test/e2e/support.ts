/** Helpers shared by the broker e2e tests (not tests themselves). */
import { randomBytes } from "node:crypto";
import {
  adminRequest,
  type ClusterInfo,
  kubeconfigFor,
  kubeconfigYaml,
  TEST_NAMESPACE,
} from "../cluster/cluster.ts";
import type { RunningBroker } from "../support/broker.ts";

export const randomOwner = () => randomBytes(4).toString("hex");

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

export interface KubeSecretOnCluster {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion: string;
  };
  type: string;
  data?: Record<string, string>;
}

/** Reads a Secret straight from a cluster as its admin (null when absent). */
export async function readSecret(
  info: ClusterInfo,
  name: string,
  namespace = TEST_NAMESPACE,
): Promise<KubeSecretOnCluster | null> {
  const res = await adminRequest(info, "GET", `/api/v1/namespaces/${namespace}/secrets/${name}`);
  if (res.status === 404) return null;
  if (res.status !== 200) throw new Error(`read ${name} on ${info.name}: ${res.status}`);
  return JSON.parse(res.body) as KubeSecretOnCluster;
}

export const b64 = (s: string) => Buffer.from(s).toString("base64");
