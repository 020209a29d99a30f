// The OpenAPI document is the truth: every operation, on its happy and its error paths, is sent to
// the broker in real workerd (against real kube-apiservers, a dead cluster and a stalled one), and
// every request and answer is held to /v1/openapi.json (ajv, JSON Schema 2020-12). A request the
// document refuses must be refused by the broker; every answer must be one the document declares,
// body and headers included. Redocly's recommended ruleset finds nothing to say about it.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  adminRequest,
  type ClusterInfo,
  freePort,
  kubeconfigFor,
  TEST_NAMESPACE,
} from "../cluster/cluster.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { type ContractRequest, OpenApiContract } from "../support/openapi-contract.ts";
import { type StallProxy, startStallProxy } from "../support/stall-proxy.ts";
import { newOwner } from "./support.ts";

const clusters = inject("clusters");
const [alpha, beta] = clusters as [ClusterInfo, ClusterInfo, ...ClusterInfo[]];

interface Exchange extends ContractRequest {
  /** another method than the operation's, on its path (a 405) */
  method?: string;
  token?: string | undefined;
  /** whether the document accepts the request (default true) */
  valid?: boolean;
  status: number;
  /** the problem's `code`, for an error */
  code?: string;
}

describe("the OpenAPI document is the truth", () => {
  let broker: RunningBroker;
  let contract: OpenApiContract;
  let stall: StallProxy;
  let document: Record<string, unknown>;
  /** operationId → statuses answered */
  const answered = new Map<string, Set<number>>();
  const owner = newOwner();
  let token = "";

  /** Sends one request, holds it and its answer to the document; answers the parsed body. */
  const send = async (operationId: string, x: Exchange) => {
    const method = x.method ?? contract.get(operationId).method;
    const headers: Record<string, string> = { ...x.headers };
    if (x.token) headers.authorization = `Bearer ${x.token}`;
    const raw = x.json === undefined ? x.body : JSON.stringify(x.json);
    if (raw !== undefined) headers["content-type"] = x.contentType ?? "application/json";
    const res = await broker.request(
      method.toUpperCase(),
      contract.url(operationId, x.params, x.query),
      { headers, ...(raw === undefined ? {} : { body: raw }) },
    );
    const requestProblems = x.method
      ? [`${x.method} is not an operation of the document`]
      : contract.request(operationId, {
          ...x,
          headers,
          ...(x.contentType ? { contentType: x.contentType } : {}),
        });
    const what = `${operationId} → ${res.status} ${res.text.slice(0, 300)}`;
    expect(requestProblems.length === 0 ? "accepted" : requestProblems, what).toEqual(
      x.valid === false ? expect.any(Array) : "accepted",
    );
    expect(res.status, what).toBe(x.status);
    if (x.code !== undefined) expect(res.body?.code, what).toBe(x.code);
    expect(contract.answer(operationId, res), what).toEqual([]);
    const seen = answered.get(operationId) ?? new Set<number>();
    answered.set(operationId, seen.add(res.status));
    return res.body;
  };

  const admin = () => broker.adminToken;

  beforeAll(async () => {
    stall = await startStallProxy(Number(new URL(alpha.server).port));
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { CLUSTER_TIMEOUT_MS: "3000", CLUSTER_RETRIES: "1", MAX_BODY_BYTES: "65536" },
    });
    const res = await broker.request("GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    document = res.body;
    contract = new OpenApiContract(document);
  });

  afterAll(async () => {
    await broker?.stop();
    await stall?.close();
  });

  it("names every operation, its servers, and 405 and 500 everywhere", () => {
    expect(document.servers).toEqual([{ url: broker.url, description: "this broker" }]);
    const ids = [...contract.operations.keys()];
    expect(
      ids.every((id) => /^[a-z][A-Za-z]+$/.test(id)),
      ids.join(", "),
    ).toBe(true);
    for (const [id, { operation }] of contract.operations) {
      expect(Object.keys(operation.responses), id).toEqual(expect.arrayContaining(["405", "500"]));
    }
  });

  it("meta: health, and 405 on a path without that method", async () => {
    expect(await send("health", { status: 200 })).toEqual({ ok: true });
    await send("health", { method: "DELETE", valid: false, status: 405 });
    const res = await broker.request("PATCH", "/v1/clusters/alpha", { token: admin() });
    expect([res.status, res.headers.get("allow")]).toEqual([405, "DELETE, GET, HEAD, PUT"]);
    expect(contract.answer("getCluster", res)).toEqual([]);
  });

  it("clusters: register, replace, catch up, list, show, check, remove", async () => {
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
    await register(
      "Bad_Name",
      { kubeconfig },
      { valid: false, status: 400, code: "invalid_input" },
    );
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
  });

  it("tokens: issue, list, revoke; an API token may not manage them", async () => {
    const issued = await send("issueToken", {
      token: admin(),
      json: { owners: [owner], label: "contract" },
      status: 201,
    });
    token = issued.token;
    await send("issueToken", { token, json: { owners: [owner] }, status: 403, code: "forbidden" });
    await send("issueToken", { token: admin(), json: {}, valid: false, status: 400 });
    await send("issueToken", {
      token: admin(),
      json: { owners: [owner], expiresInSeconds: 0 },
      valid: false,
      status: 400,
    });
    await send("listTokens", { token: admin(), status: 200 });
    await send("listTokens", { token, status: 403 });
    const other = await send("issueToken", {
      token: admin(),
      json: { owners: [owner] },
      status: 201,
    });
    await send("revokeToken", { token: admin(), params: { id: other.id }, status: 200 });
    await send("revokeToken", { token: admin(), params: { id: "0".repeat(16) }, status: 404 });
    await send("revokeToken", { token: admin(), params: { id: "zz" }, valid: false, status: 400 });
    await send("revokeToken", { params: { id: other.id }, status: 401 });
  });

  it("OIDC bindings: create, replace, list, show, delete", async () => {
    const body = { match: { repository: "acme/train", ref: "refs/heads/main" }, owners: [owner] };
    const put = (id: string, json: unknown, x: Partial<Exchange> = {}) =>
      send("putOidcBinding", { token: admin(), params: { id }, json, status: 201, ...x });
    const created = await put("train-main", body);
    expect(created).toMatchObject({ id: "train-main", clusters: "all", match: body.match });
    await put("train-main", { ...body, description: "main only" }, { status: 200 });
    // every owner on GitHub: refused by a rule the document states in words only
    await put("everyone", { ...body, match: { repository: "*/*" } }, { status: 400 });
    await put("x", { ...body, extra: 1 }, { valid: false, status: 400 });
    await put("Not_An_Id", body, { valid: false, status: 400 });
    await put("x", body, { token, status: 403 });
    await send("listOidcBindings", { token: admin(), status: 200 });
    await send("listOidcBindings", { status: 401 });
    await send("getOidcBinding", { token: admin(), params: { id: "train-main" }, status: 200 });
    await send("getOidcBinding", { token: admin(), params: { id: "nope" }, status: 404 });
    await send("getOidcBinding", {
      token: admin(),
      params: { id: "-" },
      valid: false,
      status: 400,
    });
    await send("deleteOidcBinding", { token: admin(), params: { id: "train-main" }, status: 204 });
    await send("deleteOidcBinding", { token: admin(), params: { id: "train-main" }, status: 404 });
    await send("deleteOidcBinding", {
      token: admin(),
      params: { id: "UPPER" },
      valid: false,
      status: 400,
    });
  });

  it("hooks: create, list, show, deliver (set, sync, replay, partial, refused), delete", async () => {
    const create = (json: unknown, x: Partial<Exchange> = {}) =>
      send("createHook", { token: admin(), json, status: 201, ...x });
    const everywhere = await create({ owners: [owner], names: ["contract-*"] });
    const onDead = await create({ owners: [owner], clusters: ["dead"], names: ["*"] });
    const onStalled = await create({ owners: [owner], clusters: ["stalled"], names: ["*"] });
    const onAlpha = await create({ owners: [owner], clusters: ["alpha"], names: ["contract-*"] });
    await create({ owners: [owner], names: ["-x*"] }, { valid: false, status: 400 });
    await create({ owners: [owner], names: ["*"] }, { token, status: 403 });
    await send("listHooks", { token: admin(), status: 200 });
    await send("listHooks", { token, status: 403 });
    await send("getHook", { token: admin(), params: { id: everywhere.id }, status: 200 });
    await send("getHook", { token: admin(), params: { id: "wh_0000000000000000" }, status: 404 });
    await send("getHook", { token: admin(), params: { id: "nope" }, valid: false, status: 400 });

    const deliver = (
      hook: { id: string; secret: string },
      body: unknown,
      x: Partial<Exchange> & { id?: string; sign?: boolean } = {},
    ) => {
      const id = x.id ?? `msg_${randomUUID()}`;
      const raw = JSON.stringify(body);
      const at = new Date();
      const signature = new Webhook(hook.secret).sign(id, at, raw);
      const signed = {
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": signature,
      };
      return send("deliverHook", {
        params: { id: hook.id },
        body: raw,
        headers: x.sign === false ? {} : signed,
        status: 200,
        ...x,
      });
    };
    const set = (name: string) => ({
      name,
      owner,
      source: { type: "inline", pairs: { A: "1" } },
    });
    const applied = await deliver(onAlpha, set("contract-a"), { id: "msg_contract_1" });
    expect(applied.results.map((r: { status: string }) => r.status)).toEqual(["created"]);
    const replay = await deliver(onAlpha, set("contract-a"), { id: "msg_contract_1" });
    expect(replay).toMatchObject({ replay: true, firstStatus: 200 });
    await deliver(onAlpha, { sync: { dryRun: true } });
    // alpha answers, the dead and the stalled cluster do not: applied on some clusters
    const partial = await deliver(everywhere, set("contract-b"), { status: 207 });
    expect(partial.results.map((r: { status: string }) => r.status)).toEqual([
      "created",
      "error",
      "error",
    ]);
    await deliver(onDead, set("contract-c"), { status: 502, code: "cluster_unreachable" });
    await deliver(onStalled, set("contract-d"), { status: 504, code: "cluster_timeout" });
    await deliver(onAlpha, set("other"), { status: 403, code: "forbidden" });
    await deliver(onAlpha, { name: "contract-e" }, { valid: false, status: 400 });
    await deliver(onAlpha, set("contract-f"), {
      sign: false,
      valid: false,
      status: 401,
      code: "webhook_unsigned",
    });
    await deliver({ ...onAlpha, id: "wh_0000000000000000" }, set("contract-g"), {
      status: 404,
      code: "unknown_hook",
    });
    await deliver(
      onAlpha,
      { ...set("contract-h"), pad: "p".repeat(70_000) },
      {
        valid: false,
        status: 413,
      },
    );
    await send("deleteHook", { token: admin(), params: { id: onDead.id }, status: 204 });
    await send("deleteHook", { token: admin(), params: { id: onDead.id }, status: 404 });
    await send("deleteHook", { token: admin(), params: { id: "x" }, valid: false, status: 400 });
    await send("deleteHook", { params: { id: onDead.id }, status: 401 });
    stall.stall(false);
  });

  it("secrets: put, list, describe, delete on good, dead and stalled clusters", async () => {
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
      await adminRequest(
        alpha,
        "DELETE",
        `/api/v1/namespaces/${TEST_NAMESPACE}/secrets/${foreign}`,
      );
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

    const describe = (name: string, query: Record<string, string>, x: Partial<Exchange> = {}) =>
      send("describeSecret", { token, params: { name }, query, status: 200, ...x });
    const described = await describe("contract-s", { clusters: "alpha,beta" });
    expect([described.agree, described.results[0].secret.signature.state]).toEqual([true, "valid"]);
    await describe("contract-s", {}, { status: 207 });
    await describe("contract-none", { clusters: "alpha,beta" }, { status: 404 });
    await describe("contract-s", { owner: "NOT-HEX" }, { valid: false, status: 400 });
    await describe("contract-s", { owner: newOwner() }, { status: 403 });
    await describe("contract-s", {}, { token: undefined, status: 401 });

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
  });

  it("sync: plan and run on good and dead clusters", async () => {
    const sync = (json: unknown, x: Partial<Exchange> = {}) =>
      send("sync", { token, json, status: 200, ...x });
    const plan = await sync({ clusters: ["alpha", "beta"], dryRun: true });
    expect(plan.dryRun).toBe(true);
    await sync({ clusters: ["alpha", "beta"] });
    await sync({ dryRun: true }, { status: 207 });
    await sync({ clusters: ["dead"] }, { status: 502, code: "clusters_failed" });
    await sync({ names: ["D*"], dryRun: true }, { status: 400, code: "invalid_input" });
    await sync({ everything: true }, { valid: false, status: 400 });
    await sync({ owners: [newOwner()] }, { status: 403 });
    await sync({ clusters: ["nowhere"] }, { status: 404 });
    await sync({}, { token: undefined, status: 401 });
    await sync({ dryRun: true, pad: "p".repeat(70_000) }, { valid: false, status: 413 });
    await sync(undefined, { body: "sync", contentType: "text/plain", valid: false, status: 415 });
  });

  it("every operation was answered on a happy path and an error path", () => {
    const covered = [...contract.operations.keys()];
    expect(covered.length).toBe(23);
    for (const id of covered) {
      const statuses = [...(answered.get(id) ?? [])];
      expect(
        statuses.some((s) => s < 300),
        `${id}: ${statuses}`,
      ).toBe(true);
      expect(
        statuses.some((s) => s >= 400),
        `${id}: ${statuses}`,
      ).toBe(true);
    }
  });

  it("passes Redocly's recommended lint: no error, no warning", () => {
    const dir = mkdtempSync(join(tmpdir(), "openapi-lint-"));
    try {
      const file = join(dir, "openapi.json");
      writeFileSync(file, JSON.stringify(document));
      const run = spawnSync(
        join(import.meta.dirname, "../../node_modules/.bin/redocly"),
        ["lint", "--extends", "recommended", "--format", "json", file],
        {
          encoding: "utf8",
          env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        },
      );
      const report = JSON.parse(run.stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
