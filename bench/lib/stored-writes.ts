/**
 * Counts the writes that reached etcd in one namespace: a real watch on the kube-apiserver (as its
 * admin, straight to the apiserver, not through any proxy), one ADDED / MODIFIED / DELETED event
 * per stored write. A write the apiserver skips (a patch that changes nothing) makes no event.
 *
 * To know that every event of an operation has arrived, `settle()` writes a sentinel Secret and
 * waits for its event: events come in resourceVersion order, so all earlier writes came first.
 */
import type { ClientRequest, IncomingMessage } from "node:http";
import { request } from "node:https";
import { adminRequest, type ClusterInfo } from "../../test/cluster/cluster.ts";

const SENTINEL = "bench-write-sentinel";

export interface StoredWriteCounter {
  /** runs `fn`, waits until its writes are seen, answers how many were stored (and `fn`'s value) */
  count<T>(fn: () => Promise<T>): Promise<{ writes: number; value: T }>;
  close(): void;
}

export async function watchStoredWrites(
  info: ClusterInfo,
  namespace: string,
): Promise<StoredWriteCounter> {
  const path = `/api/v1/namespaces/${namespace}/secrets`;
  const list = await adminRequest(info, "GET", `${path}?limit=1`);
  if (list.status !== 200) throw new Error(`list secrets on ${info.name}: ${list.status}`);
  const rv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata
    .resourceVersion;
  const events: { name: string; marker: string | undefined }[] = [];
  const waiters: (() => void)[] = [];
  let buffer = "";
  const url = new URL(`${path}?watch=1&resourceVersion=${rv}`, info.server);
  const req: ClientRequest = request(url, {
    method: "GET",
    ca: info.caPem,
    headers: { authorization: `Bearer ${info.tokens.admin}`, accept: "application/json" },
  });
  await new Promise<void>((resolveReady, reject) => {
    req.on("response", (res: IncomingMessage) => {
      if (res.statusCode !== 200) reject(new Error(`watch on ${info.name}: ${res.statusCode}`));
      else resolveReady();
      res.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          const event = JSON.parse(line) as {
            type: string;
            object: { metadata?: { name?: string; annotations?: Record<string, string> } };
          };
          if (event.type === "BOOKMARK" || event.type === "ERROR") continue;
          events.push({
            name: event.object.metadata?.name ?? "",
            marker: event.object.metadata?.annotations?.["bench/marker"],
          });
          for (const w of waiters.splice(0)) w();
        }
      });
      res.on("error", () => undefined);
    });
    req.on("error", reject);
    req.end();
  });

  let markers = 0;
  const settle = async (): Promise<number> => {
    const marker = `${Date.now()}-${++markers}`;
    const body = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: SENTINEL, annotations: { "bench/marker": marker } },
    };
    // adminRequest sends application/json (no merge patch): replace, or create the first time
    const put = await adminRequest(info, "PUT", `${path}/${SENTINEL}`, body);
    if (put.status === 404) {
      const created = await adminRequest(info, "POST", path, body);
      if (created.status !== 201) throw new Error(`sentinel on ${info.name}: ${created.status}`);
    } else if (put.status !== 200) {
      throw new Error(`sentinel on ${info.name}: ${put.status}`);
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const at = events.findIndex((e) => e.name === SENTINEL && e.marker === marker);
      if (at >= 0) return at;
      if (Date.now() > deadline) throw new Error(`no watch event for the sentinel on ${info.name}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 1000);
      });
    }
  };

  return {
    async count(fn) {
      const from = (await settle()) + 1;
      const value = await fn();
      const to = await settle();
      const writes = events.slice(from, to).filter((e) => e.name !== SENTINEL).length;
      return { writes, value };
    },
    close() {
      req.destroy();
    },
  };
}
