/**
 * The KubeConnector for workerd: the Web fetch adapter. TLS is the runtime's: a publicly trusted
 * server certificate, or (wrangler dev) a CA added with NODE_EXTRA_CA_CERTS. The kubeconfig must
 * carry a bearer token (parseKubeconfig with runtime "edge" refuses what fetch cannot do).
 *
 * A fan-out to more clusters than one invocation may have connections (`WORKERS_CONNECTIONS`)
 * sends each cluster's requests through that cluster's link (./cluster-link.ts).
 */
import { fetchKubeSecretsFromKubeconfig } from "../konduktor/kube/fetch-adapter.ts";
import { parseKubeconfig } from "../konduktor/kube/kubeconfig.ts";
import { linkFetch } from "./cluster-link.ts";
import { deadlineOptions, type KubeConnector, memoized } from "./registry/clusters.ts";
import { WORKERS_CONNECTIONS } from "./workers-limits.ts";

export function edgeConnector(links?: DurableObjectNamespace): KubeConnector {
  return async (kubeconfig, { cluster, context, timeoutMs, signal, fanoutWidth, memo }) =>
    fetchKubeSecretsFromKubeconfig(
      memoized(memo, `edge:${cluster}`, () =>
        parseKubeconfig(kubeconfig, { context, runtime: "edge" }),
      ),
      {
        cluster,
        timeoutMs,
        userAgent: "konduktor-broker",
        ...deadlineOptions(signal),
        ...(links && (fanoutWidth ?? 1) > WORKERS_CONNECTIONS
          ? { fetch: linkFetch(links, cluster) }
          : {}),
      },
    );
}
