/** Node-side HTTPS to a test cluster (CA pinned, optional client certificate), with undici. */
import { Agent, fetch as undiciFetch } from "undici";
import type { ClusterInfo } from "../cluster/cluster.ts";

export function clusterFetch(
  info: Pick<ClusterInfo, "caPem">,
  clientCert?: { certPem: string; keyPem: string },
): typeof fetch {
  const dispatcher = new Agent({
    connect: { ca: info.caPem, cert: clientCert?.certPem, key: clientCert?.keyPem },
  });
  return ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as string, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
