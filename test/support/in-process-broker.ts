/**
 * The broker app in-process (Hono's app.request, no workerd) over in-memory fake clusters, for unit
 * tests of routes: clusters registered by name, every one with its own fake KubeSecrets (kept in
 * `kubes`, so a test can read what was written and count the calls), tokens for owners, JSON calls
 * (`call`) and raw ones with headers (`request`), the cron, every log line in `logs`, and counters
 * for cluster writes and ledger reads/commits. The same scenarios run in real workerd against real
 * apiservers in test/e2e.
 */
import { randomBytes } from "node:crypto";
import { createApp } from "../../functions/app.ts";
import { loadConfig } from "../../functions/config.ts";
import type { LogLine } from "../../functions/context.ts";
import type { OpenedClusters } from "../../functions/registry/opened.ts";
import { scheduledSync } from "../../functions/sync/service.ts";
import { CountingShardedStore } from "./counting-records.ts";
import { createFakeKube, type FakeKube } from "./fake-kube.ts";

export const ADMIN = "a".repeat(40);
const WRITES = new Set(["create", "replace", "mergePatch", "jsonPatch", "delete"]);

export interface CallResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are checked field by field
  body: any;
  text: string;
  headers: Headers;
}

export interface InProcessOptions {
  /** broker variables over the defaults (ADMIN_TOKEN, a random KEK as k1, no retries) */
  vars?: Record<string, string>;
  now?: () => Date;
  /** the fake for a cluster (default: an empty fake named after it) */
  kube?: (name: string) => FakeKube;
  /** share state with another instance (e.g. the same records under another KEK) */
  records?: CountingShardedStore;
  /** the opened clusters the registry keeps (default: its own) */
  opened?: OpenedClusters;
  /**
   * sees each connection the broker opens: the cluster, the fan-out width it was given, the
   * decrypted kubeconfig and the connector's memo for it
   */
  onConnect?: (
    cluster: string,
    fanoutWidth: number | undefined,
    opened: { kubeconfig: string; memo?: Map<string, unknown> },
  ) => void;
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

/** The broker with `clusters` registered (more with `register`). */
export async function inProcessBroker(
  clusters: readonly string[] = [],
  options: InProcessOptions = {},
) {
  const logs: LogLine[] = [];
  const kubes = new Map<string, FakeKube>();
  const fakeFor = (name: string) => {
    let k = kubes.get(name);
    if (!k) {
      k = options.kube?.(name) ?? createFakeKube({ cluster: name });
      kubes.set(name, k);
    }
    return k;
  };
  const records = options.records ?? new CountingShardedStore();
  const app = createApp({
    config: loadConfig({
      ADMIN_TOKEN: ADMIN,
      KEK: randomBytes(32).toString("base64"),
      KEK_ID: "k1",
      CLUSTER_RETRIES: "0",
      CLUSTER_TIMEOUT_MS: "5000",
      ...options.vars,
    }),
    records,
    ...(options.opened ? { opened: options.opened } : {}),
    runtime: "node",
    connector: async (kubeconfig, { cluster, fanoutWidth, memo }) => {
      options.onConnect?.(cluster, fanoutWidth, { kubeconfig, ...(memo ? { memo } : {}) });
      return fakeFor(cluster);
    },
    ...(options.now ? { now: options.now } : {}),
    log: (l) => logs.push(l),
  });
  /** any request: a JSON body (`json`) or raw bytes (`body`), extra headers */
  const request = async (
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
  /** a JSON call as `token` */
  const call = (method: string, path: string, token?: string, json?: unknown) =>
    request(method, path, { ...(token ? { token } : {}), ...(json === undefined ? {} : { json }) });
  const register = async (...names: string[]) => {
    for (const name of names) {
      fakeFor(name);
      const r = await call("PUT", `/v1/clusters/${name}`, ADMIN, {
        kubeconfig: kubeconfigFor(`https://${name}.example:6443`),
      });
      if (r.status !== 201) throw new Error(`registering ${name}: ${r.status} ${r.text}`);
    }
  };
  await register(...clusters);
  const token = async (owners: string[], extra: Record<string, unknown> = {}) => {
    const r = await call("POST", "/v1/tokens", ADMIN, { owners, ...extra });
    if (r.status !== 201) throw new Error(`minting a token: ${r.status} ${r.text}`);
    return r.body.token as string;
  };
  return {
    app,
    call,
    request,
    register,
    logs,
    kubes,
    records,
    token,
    cron: () => scheduledSync(app.services, { cron: "*/15 * * * *", scheduledTime: Date.now() }),
    /** write calls sent to the clusters so far */
    clusterWrites: () =>
      [...kubes.values()].reduce(
        (n, k) => n + k.calls.filter((c) => WRITES.has(c.method)).length,
        0,
      ),
  };
}
