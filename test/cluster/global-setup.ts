/**
 * Vitest global setup for the integration and e2e projects: starts the test clusters once per run
 * (shared by both projects through a process-wide reference count) and hands their details to the
 * tests with `provide`. A loopback control server lets tests stop and restart one apiserver.
 *
 * There is no silent skip: when the binaries are missing or a cluster cannot start, setup throws
 * and the run fails with the reason.
 */
import { createServer, type Server } from "node:http";
import type { TestProject } from "vitest/node";
import type { ClusterInfo } from "./cluster.ts";
import { TestCluster } from "./cluster.ts";

export const CLUSTER_COUNT = 3;
export const CLUSTER_NAMES = ["alpha", "beta", "gamma"] as const;

declare module "vitest" {
  export interface ProvidedContext {
    clusters: ClusterInfo[];
    clusterControlUrl: string;
  }
}

interface Shared {
  users: number;
  ready: Promise<{ clusters: TestCluster[]; control: Server; controlUrl: string }>;
}
const key = Symbol.for("konduktor-broker.test-clusters");
const g = globalThis as unknown as Record<symbol, Shared | undefined>;

async function startAll() {
  const started = Date.now();
  const results = await Promise.allSettled(
    CLUSTER_NAMES.slice(0, CLUSTER_COUNT).map((name) => TestCluster.start({ name })),
  );
  const clusters = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (failed.length > 0) {
    await Promise.all(clusters.map((c) => c.stop()));
    throw new Error(
      `Could not start the test clusters:\n${failed.map((e) => e.message).join("\n")}`,
    );
  }
  for (const c of clusters) {
    console.log(`test cluster ${c.info.name}: ${c.info.server} ready in ${c.readyMs} ms`);
  }
  console.log(`test clusters: ${clusters.length} ready in ${Date.now() - started} ms`);
  const byName = new Map(clusters.map((c) => [c.info.name, c]));
  const control = createServer((req, res) => {
    const match = /^\/clusters\/([a-z]+)\/(stop|start)$/.exec(req.url ?? "");
    const cluster = match ? byName.get(match[1] ?? "") : undefined;
    if (req.method !== "POST" || !match || !cluster) {
      res.writeHead(404).end("POST /clusters/<name>/stop|start");
      return;
    }
    const action = match[2] === "stop" ? cluster.stopApiserver() : cluster.startApiserver();
    action.then(
      () => res.writeHead(204).end(),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((r) => control.listen(0, "127.0.0.1", r));
  const address = control.address();
  const controlUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return { clusters, control, controlUrl };
}

export default async function setup(project: TestProject) {
  let shared = g[key];
  if (!shared) {
    shared = { users: 0, ready: startAll() };
    g[key] = shared;
  }
  shared.users++;
  const { clusters, controlUrl } = await shared.ready;
  project.provide(
    "clusters",
    clusters.map((c) => c.info),
  );
  project.provide("clusterControlUrl", controlUrl);
  return async () => {
    const current = g[key];
    if (!current) return;
    current.users--;
    if (current.users > 0) return;
    g[key] = undefined;
    const { clusters: all, control } = await current.ready;
    control.close();
    await Promise.all(all.map((c) => c.stop()));
  };
}
