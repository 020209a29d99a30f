/**
 * The KubeConnector for workerd: the Web fetch adapter. TLS is the runtime's: a publicly trusted
 * server certificate, or (wrangler dev) a CA added with NODE_EXTRA_CA_CERTS. The kubeconfig must
 * carry a bearer token (parseKubeconfig with runtime "edge" refuses what fetch cannot do).
 */
import { fetchKubeSecretsFromKubeconfig } from "../konduktor/kube/fetch-adapter.ts";
import { parseKubeconfig } from "../konduktor/kube/kubeconfig.ts";
import type { KubeConnector } from "./registry/clusters.ts";

export const edgeConnector: KubeConnector = async (
  kubeconfig,
  { cluster, context, timeoutMs, signal },
) =>
  fetchKubeSecretsFromKubeconfig(parseKubeconfig(kubeconfig, { context, runtime: "edge" }), {
    cluster,
    timeoutMs,
    userAgent: "konduktor-broker",
    ...(signal ? { signal } : {}),
  });
