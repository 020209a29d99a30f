/**
 * Node-side HTTPS to a test cluster (CA pinned, optional client certificate) as a Web `fetch`: the
 * project's own node:https fetch (konduktor/kube/node-fetch.ts), its answer made a `Response`.
 */
import { nodeFetchFor } from "../../konduktor/kube/node-fetch.ts";
import type { ClusterInfo } from "../cluster/cluster.ts";

export function clusterFetch(
  info: Pick<ClusterInfo, "caPem">,
  clientCert?: { certPem: string; keyPem: string },
): typeof fetch {
  const send = nodeFetchFor({ caPem: info.caPem, ...(clientCert ? { clientCert } : {}) });
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const answer = await send(input instanceof Request ? input.url : String(input), {
      method: init.method ?? "GET",
      headers: { ...(init.headers as Record<string, string> | undefined) },
      body: typeof init.body === "string" ? init.body : undefined,
      signal: init.signal ?? AbortSignal.timeout(30_000),
      redirect: "manual",
    });
    const text = await answer.text();
    const type = answer.headers.get("content-type");
    return new Response([204, 304].includes(answer.status) ? null : text, {
      status: answer.status,
      headers: type ? { "content-type": type } : {},
    });
  }) as typeof fetch;
}
