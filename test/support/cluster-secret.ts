/** Reads Secrets straight from a test cluster as its admin (node:https, not the code under test). */
import { adminRequest, type ClusterInfo, TEST_NAMESPACE } from "../cluster/cluster.ts";

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

/** The Secret, or null when absent; any other answer than 200/404 throws. */
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

/** The Secret, which must exist. */
export async function getSecret(
  info: ClusterInfo,
  name: string,
  namespace = TEST_NAMESPACE,
): Promise<KubeSecretOnCluster> {
  const secret = await readSecret(info, name, namespace);
  if (!secret) throw new Error(`Secret ${namespace}/${name} is missing on ${info.name}`);
  return secret;
}
