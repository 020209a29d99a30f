/** Node-side HTTPS to a test cluster (CA pinned, optional client certificate): the project's own Node fetch. */
import { nodeFetchFor } from "../../konduktor/kube/node-fetch.ts";
import type { ClusterInfo } from "../cluster/cluster.ts";

export function clusterFetch(
  info: Pick<ClusterInfo, "caPem">,
  clientCert?: { certPem: string; keyPem: string },
): typeof fetch {
  return nodeFetchFor({ caPem: info.caPem, ...(clientCert ? { clientCert } : {}) });
}
