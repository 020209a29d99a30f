/**
 * The broker app in-process (Hono's app.request, no workerd) over in-memory fake clusters, for unit
 * tests of routes: every registered cluster gets its own fake KubeSecrets (kept in `kubes`, so a
 * test can read what was written and count the calls), and every log line is kept in `logs`.
 */
import { randomBytes } from "node:crypto";
import { createApp } from "../../functions/app.ts";
import { loadConfig } from "../../functions/config.ts";
import type { LogLine } from "../../functions/context.ts";
import { MemoryStore } from "../../functions/store/memory-store.ts";
import { createFakeKube, type FakeKube } from "./fake-kube.ts";

export const ADMIN = "a".repeat(40);

export interface CallResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON answer, read by the test
  body: any;
  text: string;
  headers: Headers;
}

/** A kubeconfig YAML naming a server (the fake ignores it; the registry checks its shape). */
export const kubeconfigFor = (server: string) =>
  [
    "apiVersion: v1",
    "kind: Config",
    `clusters: [{name: c, cluster: {server: ${server}}}]`,
    "users: [{name: u, user: {token: t0ken}}]",
    "contexts: [{name: x, context: {cluster: c, user: u}}]",
    "current-context: x",
  ].join("\n");

export function inProcessBroker(
  options: {
    vars?: Record<string, string>;
    now?: () => Date;
    kube?: (name: string) => FakeKube;
    /** share state with another instance (e.g. the same store under another KEK) */
    store?: MemoryStore;
  } = {},
) {
  const logs: LogLine[] = [];
  const kubes = new Map<string, FakeKube>();
  const store = options.store ?? new MemoryStore();
  const app = createApp({
    config: loadConfig({
      ADMIN_TOKEN: ADMIN,
      KEK: randomBytes(32).toString("base64"),
      ...options.vars,
    }),
    store,
    runtime: "node",
    connector: async (_kubeconfig, { cluster }) => {
      let k = kubes.get(cluster);
      if (!k) {
        k = options.kube?.(cluster) ?? createFakeKube({ cluster, namespace: "default" });
        kubes.set(cluster, k);
      }
      return k;
    },
    ...(options.now ? { now: options.now } : {}),
    log: (l) => logs.push(l),
  });
  const call = async (
    method: string,
    path: string,
    o: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ): Promise<CallResult> => {
    const body = o.body ?? (o.json === undefined ? undefined : JSON.stringify(o.json));
    const res = await app.request(path, {
      method,
      headers: {
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...o.headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
  const register = async (...names: string[]) => {
    for (const name of names) {
      if (!kubes.has(name)) {
        kubes.set(
          name,
          options.kube?.(name) ?? createFakeKube({ cluster: name, namespace: "default" }),
        );
      }
      const r = await call("PUT", `/v1/clusters/${name}`, {
        token: ADMIN,
        json: { kubeconfig: kubeconfigFor(`https://${name}.example:6443`) },
      });
      if (r.status !== 201) throw new Error(`registering ${name}: ${r.status} ${r.text}`);
    }
  };
  return { app, call, logs, kubes, store, register };
}
