/**
 * The broker app in-process over fake clusters (unit tests): clusters registered by name, a token
 * for one owner, JSON calls, the cron, and counters for cluster writes and ledger reads/commits.
 * The same scenarios run in real workerd against real apiservers in test/e2e.
 */
import { randomBytes } from "node:crypto";
import { createApp } from "../../functions/app.ts";
import { loadConfig } from "../../functions/config.ts";
import type { LogLine } from "../../functions/context.ts";
import { scheduledSync } from "../../functions/sync/service.ts";
import { CountingShardedStore } from "./counting-records.ts";
import { createFakeKube, type FakeKube } from "./fake-kube.ts";

export const ADMIN = "a".repeat(40);
const WRITES = new Set(["create", "replace", "mergePatch", "delete"]);

const kubeconfig = (server: string) =>
  [
    "apiVersion: v1",
    "kind: Config",
    `clusters: [{name: c, cluster: {server: ${server}}}]`,
    "users: [{name: u, user: {token: t0ken}}]",
    "contexts: [{name: x, context: {cluster: c, user: u}}]",
    "current-context: x",
  ].join("\n");

export async function inProcessBroker(clusters: readonly string[]) {
  const logs: LogLine[] = [];
  const kubes = new Map(clusters.map((n) => [n, createFakeKube({ cluster: n })] as const));
  const records = new CountingShardedStore();
  const app = createApp({
    config: loadConfig({
      ADMIN_TOKEN: ADMIN,
      KEK: randomBytes(32).toString("base64"),
      KEK_ID: "k1",
      CLUSTER_RETRIES: "0",
      CLUSTER_TIMEOUT_MS: "5000",
    }),
    records,
    runtime: "node",
    connector: async (_k, { cluster }) => kubes.get(cluster) as FakeKube,
    log: (l) => logs.push(l),
  });
  const call = async (method: string, path: string, token?: string, json?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(json === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: test answers are checked field by field
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any, text };
  };
  for (const name of clusters) {
    await call("PUT", `/v1/clusters/${name}`, ADMIN, {
      kubeconfig: kubeconfig(`https://${name}.example:6443`),
    });
  }
  const token = async (owners: string[], extra: Record<string, unknown> = {}) =>
    (await call("POST", "/v1/tokens", ADMIN, { owners, ...extra })).body.token as string;
  return {
    app,
    call,
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
