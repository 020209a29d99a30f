// The exchanges of the OpenAPI contract e2e (broker-contract.test.ts) that need most lines: the
// clusters and the secrets operations on good, dead and stalled clusters. Each request and answer
// is held to the document by the test file's `send`.
import { expect } from "vitest";
import {
  adminRequest,
  type ClusterInfo,
  freePort,
  kubeconfigFor,
  TEST_NAMESPACE,
} from "../cluster/cluster.ts";
import type { ContractRequest } from "../support/openapi-contract.ts";
import type { StallProxy } from "../support/stall-proxy.ts";
import { newOwner } from "./support.ts";

export interface Exchange extends ContractRequest {
  /** another method than the operation's, on its path (a 405) */
  method?: string;
  token?: string | undefined;
  /** whether the document accepts the request (default true) */
  valid?: boolean;
  status: number;
  /** the problem's `code`, for an error */
  code?: string;
}

/** What the exchanges use of the test file: its `send`, the tokens, the clusters, the proxy. */
export interface ContractContext {
  // biome-ignore lint/suspicious/noExplicitAny: the parsed body of any answer of the document
  send: (operationId: string, x: Exchange) => Promise<any>;
  admin: () => string;
  token: () => string;
  stall: () => StallProxy;
  owner: string;
  alpha: ClusterInfo;
  beta: ClusterInfo;
}

/** clusters: register, replace, catch up, list, show, check, remove */
export async function clusterExchanges(ctx: ContractContext): Promise<void> {
  const { send, admin, alpha } = ctx;
  const stall = ctx.stall();
  const kubeconfig = kubeconfigFor(alpha, "secrets-editor");
  // a dead cluster (nothing listens) and a stalled one (accepts, never answers)
  const dead = { ...alpha, server: `https://127.0.0.1:${await freePort()}` };
  const stalled = { ...alpha, server: stall.server };
  const register = (name: string, json: unknown, x: Partial<Exchange> = {}) =>
    send("registerCluster", { token: admin(), params: { name }, json, status: 201, ...x });
  await register("alpha", { kubeconfig });
  await register("alpha", { kubeconfig }, { status: 200 });
  await register("dead", { kubeconfig: kubeconfigFor(dead, "secrets-editor") });
  await register("stalled", { kubeconfig: kubeconfigFor(stalled, "secrets-editor") });
  stall.stall(true);
  // the catch-up cannot read the dead and the stalled cluster: registered, 207
  const caughtUp = await register("late", { kubeconfig, sync: true }, { status: 207 });
  expect(caughtUp.sync.summary.unreadableClusters).toBe(2);
  await register("Bad_Name", { kubeconfig }, { valid: false, status: 400, code: "invalid_input" });
  await register("x", {}, { valid: false, status: 400, code: "invalid_input" });
  await register("x", { kubeconfig: "not: [yaml" }, { status: 400, code: "invalid_kubeconfig" });
  await register("x", { kubeconfig }, { token: undefined, status: 401, code: "unauthorized" });
  await register("x", { kubeconfig: "k".repeat(70_000) }, { status: 413 });
  await register("x", undefined, {
    body: "kubeconfig",
    contentType: "text/plain",
    valid: false,
    status: 415,
  });
  await register("x", undefined, {
    body: "{",
    valid: false,
    status: 400,
    code: "malformed_json",
  });

  const list = await send("listClusters", { token: admin(), status: 200 });
  expect(list.clusters.map((c: { name: string }) => c.name)).toEqual([
    "alpha",
    "dead",
    "late",
    "stalled",
  ]);
  await send("listClusters", { status: 401, code: "unauthorized" });
  await send("getCluster", { token: admin(), params: { name: "alpha" }, status: 200 });
  await send("getCluster", { token: admin(), params: { name: "nope" }, status: 404 });
  await send("getCluster", {
    token: admin(),
    params: { name: "-bad" },
    valid: false,
    status: 400,
  });
  const health = await send("checkCluster", {
    token: admin(),
    params: { name: "alpha" },
    status: 200,
  });
  expect([health.reachable, health.ok]).toEqual([true, true]);
  const down = await send("checkCluster", {
    token: admin(),
    params: { name: "dead" },
    status: 200,
  });
  expect([down.reachable, down.error.code]).toEqual([false, "unreachable"]);
  await send("checkCluster", { token: admin(), params: { name: "nope" }, status: 404 });
  await send("checkCluster", {
    token: admin(),
    params: { name: "A" },
    valid: false,
    status: 400,
  });
  await send("removeCluster", { token: admin(), params: { name: "late" }, status: 204 });
  await send("removeCluster", { token: admin(), params: { name: "late" }, status: 404 });
  await send("removeCluster", {
    token: admin(),
    params: { name: "_" },
    valid: false,
    status: 400,
  });
}

/** secrets: put, list, describe, delete on good, dead and stalled clusters */
export async function secretExchanges(ctx: ContractContext): Promise<void> {
  const { send, admin, owner, alpha, beta } = ctx;
  const token = ctx.token();
  const stall = ctx.stall();
  await send("registerCluster", {
    token: admin(),
    params: { name: "beta" },
    json: { kubeconfig: kubeconfigFor(beta, "secrets-editor") },
    status: 201,
  });
  const source = { type: "inline", pairs: { CONTRACT: "value" } };
  const both = ["alpha", "beta"];
  const put = (name: string, json: unknown, x: Partial<Exchange> = {}) =>
    send("putSecret", { token, params: { name }, json, status: 200, ...x });
  const ok = await put("contract-s", { source, clusters: both });
  expect(ok.results.map((r: { status: string }) => r.status)).toEqual(["created", "created"]);
  await put("contract-s", { source, clusters: both, dryRun: true });
  stall.stall(true);
  // alpha and beta answer; the dead and the stalled cluster do not
  const partial = await put("contract-s", { source }, { status: 207 });
  const byCluster = (results: { cluster: string; status: string; code?: string }[]) =>
    Object.fromEntries(results.map((r) => [r.cluster, r.code ?? r.status]));
  expect(byCluster(partial.results)).toEqual({
    // the same value, placed on every cluster now (it was on alpha and beta)
    alpha: "updated",
    beta: "updated",
    dead: "unreachable",
    stalled: "timeout",
  });
  await put(
    "contract-d",
    { source, clusters: ["dead"] },
    { status: 502, code: "cluster_unreachable" },
  );
  await put(
    "contract-t",
    { source, clusters: ["stalled"] },
    { status: 504, code: "cluster_timeout" },
  );
  stall.stall(false);
  // a Secret of that name that Konduktor's owner labels do not give to this owner
  const foreign = `contract-f-${owner}`;
  const made = await adminRequest(alpha, "POST", `/api/v1/namespaces/${TEST_NAMESPACE}/secrets`, {
    metadata: { name: foreign },
    data: { X: "eA==" },
  });
  expect(made.status).toBe(201);
  try {
    await put(
      "contract-f",
      { source, clusters: ["alpha"] },
      {
        status: 409,
        code: "cluster_not_owner",
      },
    );
  } finally {
    await adminRequest(alpha, "DELETE", `/api/v1/namespaces/${TEST_NAMESPACE}/secrets/${foreign}`);
  }
  await put("contract-s", { source: { type: "ftp" } }, { valid: false, status: 400 });
  await put("Not_A_Name", { source, clusters: both }, { status: 400, code: "invalid_input" });
  await put("contract-s", { source, owner: newOwner() }, { status: 403, code: "forbidden" });
  await put("contract-s", { source, clusters: ["nowhere"] }, { status: 404, code: "not_found" });
  await put("contract-s", { source }, { token: undefined, status: 401 });
  await put("contract-s", { source, pad: "p".repeat(70_000) }, { valid: false, status: 413 });
  await put("contract-s", undefined, {
    body: "CONTRACT=value",
    contentType: "text/plain",
    valid: false,
    status: 415,
  });

  const list = (query: Record<string, string>, x: Partial<Exchange> = {}) =>
    send("listSecrets", { token, query, status: 200, ...x });
  const listed = await list({ clusters: "alpha,beta" });
  // contract-a and contract-b came through the hooks above
  expect(listed.secrets.map((r: { name: string }) => r.name)).toEqual([
    "contract-a",
    "contract-b",
    "contract-s",
  ]);
  await list({}, { status: 207 });
  await list({ clusters: "dead" }, { status: 502, code: "cluster_unreachable" });
  await list({ all: "true" }, { status: 403 });
  await list({ clusters: "nowhere" }, { status: 404 });
  await list({ everything: "1" }, { valid: false, status: 400 });
  await list({}, { token: undefined, status: 401 });

  const describeSecret = (name: string, query: Record<string, string>, x: Partial<Exchange> = {}) =>
    send("describeSecret", { token, params: { name }, query, status: 200, ...x });
  const described = await describeSecret("contract-s", { clusters: "alpha,beta" });
  expect([described.agree, described.results[0].secret.signature.state]).toEqual([true, "valid"]);
  await describeSecret("contract-s", {}, { status: 207 });
  await describeSecret("contract-none", { clusters: "alpha,beta" }, { status: 404 });
  await describeSecret("contract-s", { owner: "NOT-HEX" }, { valid: false, status: 400 });
  await describeSecret("contract-s", { owner: newOwner() }, { status: 403 });
  await describeSecret("contract-s", {}, { token: undefined, status: 401 });

  const del = (name: string, query: Record<string, string>, x: Partial<Exchange> = {}) =>
    send("deleteSecret", { token, params: { name }, query, status: 200, ...x });
  await del("contract-s", { clusters: "beta" });
  await del("contract-s", {}, { status: 207 });
  // already absent everywhere: what was asked (`absent` per cluster), not an error
  await del("contract-none", { clusters: "alpha,beta" });
  await del("contract-s", { clusters: "nowhere" }, { status: 404, code: "not_found" });
  await del("contract-s", { owner: "x" }, { valid: false, status: 400 });
  await del("contract-s", { owner: newOwner() }, { status: 403 });
  await del("contract-s", {}, { token: undefined, status: 401 });
}
