/**
 * Counts the writes a cluster sees on one Secret: a real watch on the kube-apiserver (as its admin)
 * from the current resourceVersion; every ADDED / MODIFIED / DELETED event is one write that
 * reached etcd. Independent of the code under test.
 */
import { request } from "node:https";
import { adminRequest, type ClusterInfo, TEST_NAMESPACE } from "../cluster/cluster.ts";

export interface WriteCounter {
  events: { type: string; resourceVersion: string }[];
  /** waits briefly for in-flight events, closes the watch, returns the count */
  stop(settleMs?: number): Promise<number>;
}

export async function watchWrites(
  info: ClusterInfo,
  name: string,
  namespace = TEST_NAMESPACE,
): Promise<WriteCounter> {
  const selector = encodeURIComponent(`metadata.name=${name}`);
  const list = await adminRequest(
    info,
    "GET",
    `/api/v1/namespaces/${namespace}/secrets?fieldSelector=${selector}`,
  );
  if (list.status !== 200) throw new Error(`list on ${info.name}: ${list.status}`);
  const rv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata
    .resourceVersion;
  const events: { type: string; resourceVersion: string }[] = [];
  const url = new URL(
    `/api/v1/namespaces/${namespace}/secrets?watch=1&fieldSelector=${selector}&resourceVersion=${rv}&allowWatchBookmarks=false`,
    info.server,
  );
  let buffer = "";
  const req = request(url, {
    method: "GET",
    ca: info.caPem,
    headers: { authorization: `Bearer ${info.tokens.admin}`, accept: "application/json" },
  });
  const ready = new Promise<void>((resolveReady, reject) => {
    req.on("response", (res) => {
      if (res.statusCode !== 200) reject(new Error(`watch on ${info.name}: ${res.statusCode}`));
      else resolveReady();
      res.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl = buffer.indexOf("\n");
        while (nl >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) {
            const event = JSON.parse(line) as {
              type: string;
              object: { metadata?: { resourceVersion?: string } };
            };
            if (event.type !== "BOOKMARK") {
              events.push({
                type: event.type,
                resourceVersion: event.object.metadata?.resourceVersion ?? "",
              });
            }
          }
          nl = buffer.indexOf("\n");
        }
      });
      res.on("error", () => undefined);
    });
    req.on("error", reject);
  });
  req.end();
  await ready;
  return {
    events,
    async stop(settleMs = 750) {
      await new Promise((r) => setTimeout(r, settleMs));
      req.destroy();
      return events.length;
    },
  };
}
