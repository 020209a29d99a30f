/**
 * The broker app in-process over fake clusters (test/support/fake-kube.ts, trusted because the
 * same contract suite passes on it and on the real apiserver), with every cluster write counted
 * and the whole record state comparable: for issue 13's table-driven unit tests, the
 * property-based fuzz and the bench's refusal costs. (./in-process-broker.ts serves the scenario
 * tests; this one takes any runtime and settings and sends raw bodies.)
 */
import { randomBytes } from "node:crypto";
import { createApp } from "../../functions/app.ts";
import { loadConfig } from "../../functions/config.ts";
import type { LogLine } from "../../functions/context.ts";
import {
  MemoryShardedStore,
  type RecordStore,
  type ShardedStore,
} from "../../functions/store/records.ts";
import type { KubeRuntime } from "../../konduktor/kube/kubeconfig.ts";
import { createFakeKube, type FakeKube } from "./fake-kube.ts";

export const ADMIN = "a".repeat(40);
const WRITES = new Set(["create", "mergePatch", "jsonPatch", "replace", "delete"]);

/** A kubeconfig for a fake cluster (the connector ignores it; registration parses it). */
export function fakeKubeconfig(server = "https://10.0.0.1:6443", user = "{token: t0ken}"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    `clusters: [{name: c, cluster: {server: "${server}"}}]`,
    `users: [{name: u, user: ${user}}]`,
    "contexts: [{name: x, context: {cluster: c, user: u}}]",
    "current-context: x",
  ].join("\n");
}

export interface InProcessBroker {
  request(
    method: string,
    path: string,
    options?: {
      token?: string;
      json?: unknown;
      body?: BodyInit;
      contentType?: string;
      headers?: Record<string, string>;
    },
    // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers freely
  ): Promise<{ status: number; type: string; text: string; body: any; headers: Headers }>;
  /** cluster writes (create, patch, replace, delete) so far, over every fake cluster */
  clusterWrites(): number;
  /** record commits and writing steps so far (each a write to the broker's state) */
  storeWrites(): number;
  /** every record of every shard, for "nothing changed" checks */
  storeSnapshot(): Promise<string>;
  kubes: Map<string, FakeKube>;
  logs: LogLine[];
}

export async function inProcessBroker(
  options: { runtime?: KubeRuntime; env?: Record<string, string>; clusters?: string[] } = {},
): Promise<InProcessBroker> {
  const inner = new MemoryShardedStore();
  const shards = new Map<string, RecordStore>();
  let commits = 0;
  const records: ShardedStore = {
    shard(name) {
      let shard = shards.get(name);
      if (!shard) {
        const base = inner.shard(name);
        shard = {
          get: (key) => base.get(key),
          getMany: (keys) => base.getMany(keys),
          list: (prefix, options) => base.list(prefix, options),
          commit: async (writes) => {
            commits++;
            return await base.commit(writes);
          },
          step: async (step, args) => {
            const done = await base.step(step, args);
            if (Object.keys(done.revs).length > 0) commits++;
            return done;
          },
        };
        shards.set(name, shard);
      }
      return shard;
    },
  };
  const kubes = new Map<string, FakeKube>();
  const logs: LogLine[] = [];
  const app = createApp({
    config: loadConfig({
      ADMIN_TOKEN: ADMIN,
      KEK: randomBytes(32).toString("base64"),
      ...options.env,
    }),
    records,
    runtime: options.runtime ?? "edge",
    connector: async (_kubeconfig, { cluster }) => {
      let k = kubes.get(cluster);
      if (!k) {
        k = createFakeKube({ cluster, namespace: "default" });
        kubes.set(cluster, k);
      }
      return k;
    },
    log: (l) => logs.push(l),
  });
  const request: InProcessBroker["request"] = async (method, path, o = {}) => {
    const res = await app.request(`http://broker.test${path}`, {
      method,
      headers: {
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.json !== undefined || o.body !== undefined
          ? { "content-type": o.contentType ?? "application/json" }
          : {}),
        ...o.headers,
      },
      ...(o.json !== undefined ? { body: JSON.stringify(o.json) } : {}),
      ...(o.body !== undefined ? { body: o.body } : {}),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return {
      status: res.status,
      type: res.headers.get("content-type") ?? "",
      text,
      body,
      headers: res.headers,
    };
  };
  for (const name of options.clusters ?? []) {
    const r = await request("PUT", `/v1/clusters/${name}`, {
      token: ADMIN,
      json: { kubeconfig: fakeKubeconfig() },
    });
    if (r.status !== 201) throw new Error(`register ${name}: ${r.status} ${r.text}`);
  }
  commits = 0;
  return {
    request,
    clusterWrites: () =>
      [...kubes.values()].reduce(
        (n, k) => n + k.calls.filter((c) => WRITES.has(c.method)).length,
        0,
      ),
    storeWrites: () => commits,
    storeSnapshot: async () => {
      const all: [string, unknown][] = [];
      for (const name of [...shards.keys()].sort()) {
        all.push([name, await inner.shard(name).list("")]);
      }
      return JSON.stringify(all);
    },
    kubes,
    logs,
  };
}

export const OWNER = "0a1b2c3d";
export const inline = { type: "inline", pairs: { A: "1" } };

/** A broker on three fake clusters and an API token for OWNER and ABCDEF12. */
export async function brokerWithToken(env: Record<string, string> = {}) {
  const broker = await inProcessBroker({ clusters: ["alpha", "beta", "gamma"], env });
  const issued = await broker.request("POST", "/v1/tokens", {
    token: ADMIN,
    json: { owners: [OWNER, "ABCDEF12"] },
  });
  return { broker, token: issued.body.token as string };
}
