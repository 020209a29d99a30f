// Security of the broker in real workerd: who may do what, revocation and expiry, a ServiceAccount
// limited to one namespace, and that no kubeconfig, token or value ever comes back or is logged.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminRequest, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import {
  issueToken,
  kubeconfigWithToken,
  newOwner,
  readSecret,
  registerClusters,
} from "./support.ts";

const clusters = inject("clusters");
const CANARY = `canary-${randomBytes(12).toString("hex")}`;

describe("broker security", () => {
  let broker: RunningBroker;
  const ownerA = newOwner();
  const ownerB = newOwner();
  let tokenA: string;
  let tokenB: string;
  let saToken = "";

  beforeAll(async () => {
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { CLUSTER_TIMEOUT_MS: "4000" },
    });
    await registerClusters(broker, clusters);
    ({ token: tokenA } = await issueToken(broker, { owners: [ownerA] }));
    ({ token: tokenB } = await issueToken(broker, { owners: [ownerB] }));
    const res = await broker.request("PUT", "/v1/secrets/shared-name", {
      token: tokenB,
      json: { source: { type: "inline", pairs: { B_KEY: CANARY } } },
    });
    expect(res.status, res.text).toBe(200);
  });

  afterAll(async () => {
    if (!broker) return;
    const logs = broker.logs();
    expect(logs).not.toContain(CANARY);
    for (const t of [tokenA, tokenB, saToken].filter(Boolean)) expect(logs).not.toContain(t);
    expect(logs).not.toContain(broker.adminToken);
    for (const c of clusters) expect(logs).not.toContain(c.tokens["secrets-editor"]);
    await broker.stop();
  });

  it("no credential or a wrong one: 401 problem details", async () => {
    for (const token of [undefined, "nope", `kbt_${"0".repeat(16)}_${"A".repeat(43)}`]) {
      const res = await broker.request("GET", "/v1/secrets", token ? { token } : {});
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body).toMatchObject({ status: 401, code: "unauthorized" });
      expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
    }
    const admin = await broker.request("GET", "/v1/clusters", { token: `${broker.adminToken}x` });
    expect(admin.status).toBe(401);
  });

  it("an API token cannot manage clusters or tokens; the admin token cannot touch secrets", async () => {
    expect((await broker.request("GET", "/v1/clusters", { token: tokenA })).status).toBe(403);
    expect(
      (
        await broker.request("POST", "/v1/tokens", {
          token: tokenA,
          json: { owners: [ownerA] },
        })
      ).status,
    ).toBe(403);
    const res = await broker.request("GET", "/v1/secrets", { token: broker.adminToken });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("API token");
  });

  it("owner A cannot write, delete or describe owner B's secrets", async () => {
    const write = await broker.request("PUT", "/v1/secrets/shared-name", {
      token: tokenA,
      json: { owner: ownerB, source: { type: "inline", pairs: { X: "1" } } },
    });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe("forbidden");
    const del = await broker.request("DELETE", `/v1/secrets/shared-name?owner=${ownerB}`, {
      token: tokenA,
    });
    expect(del.status).toBe(403);
    const desc = await broker.request("GET", `/v1/secrets/shared-name?owner=${ownerB}`, {
      token: tokenA,
    });
    expect(desc.status).toBe(403);
    // A's own "shared-name" does not exist: B's is not found through A
    const own = await broker.request("GET", "/v1/secrets/shared-name", { token: tokenA });
    expect(own.status).toBe(404);
    // deleting A's own (absent) "shared-name" is a no-op everywhere: B's copies stay (below)
    const ownDelete = await broker.request("DELETE", "/v1/secrets/shared-name", { token: tokenA });
    expect(ownDelete.status).toBe(200);
    expect(
      ownDelete.body.results.map((r: { status: string; secretName: string }) => [
        r.status,
        r.secretName,
      ]),
    ).toEqual(clusters.map(() => ["absent", `shared-name-${ownerA}`]));
    for (const c of clusters) {
      expect((await readSecret(c, `shared-name-${ownerB}`))?.data?.B_KEY).toBe(
        Buffer.from(CANARY).toString("base64"),
      );
    }
  });

  it("listing all users needs the listAllUsers right", async () => {
    const denied = await broker.request("GET", "/v1/secrets?all=true", { token: tokenA });
    expect(denied.status).toBe(403);
    const { token: lister } = await issueToken(broker, {
      owners: [ownerA],
      rights: { write: false, read: true, listAllUsers: true },
    });
    const all = await broker.request("GET", "/v1/secrets?all=true", { token: lister });
    expect(all.status).toBe(200);
    expect(all.body.scope).toBe("all");
    expect(
      all.body.secrets
        .filter((s: { owner: string }) => s.owner === ownerB)
        .map((s: { name: string }) => s.name),
    ).toEqual(["shared-name"]);
    expect(all.text).not.toContain(CANARY);
    // read-only: no writes
    const write = await broker.request("PUT", "/v1/secrets/x", {
      token: lister,
      json: { source: { type: "inline", pairs: { X: "1" } } },
    });
    expect(write.status).toBe(403);
  });

  it("a token bound to some clusters cannot use the others", async () => {
    const { token } = await issueToken(broker, { owners: [ownerA], clusters: ["alpha"] });
    const res = await broker.request("PUT", "/v1/secrets/bound", {
      token,
      json: { source: { type: "inline", pairs: { X: "1" } }, clusters: ["beta"] },
    });
    expect(res.status).toBe(403);
    const ok = await broker.request("PUT", "/v1/secrets/bound", {
      token,
      json: { source: { type: "inline", pairs: { X: "1" } } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.results.map((r: { cluster: string }) => r.cluster)).toEqual(["alpha"]);
    await broker.request("DELETE", "/v1/secrets/bound", { token });
  });

  it("a token is useless after revocation", async () => {
    const { token, id } = await issueToken(broker, { owners: [ownerA] });
    expect((await broker.request("GET", "/v1/secrets", { token })).status).toBe(200);
    const before = Math.floor(Date.now() / 1000) * 1000;
    const revoke = await broker.request("DELETE", `/v1/tokens/${id}`, {
      token: broker.adminToken,
    });
    expect(revoke.status).toBe(200);
    expect(revoke.body).toMatchObject({ id, owners: [ownerA] });
    // stamped while the request ran (workerd's clock advances per I/O: compare whole seconds)
    const revokedAt = Date.parse(revoke.body.revokedAt);
    expect(new Date(revokedAt).toISOString()).toBe(revoke.body.revokedAt);
    expect(revokedAt).toBeGreaterThanOrEqual(before);
    expect(revokedAt).toBeLessThanOrEqual(Date.now());
    expect((await broker.request("GET", "/v1/secrets", { token })).status).toBe(401);
  });

  it("a token is useless after expiry", async () => {
    const { token } = await issueToken(broker, { owners: [ownerA], expiresInSeconds: 1 });
    expect((await broker.request("GET", "/v1/secrets", { token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1300));
    expect((await broker.request("GET", "/v1/secrets", { token })).status).toBe(401);
  });

  it("GET never returns a kubeconfig, a token or a value", async () => {
    const tokens = await broker.request("GET", "/v1/tokens", { token: broker.adminToken });
    expect(tokens.status).toBe(200);
    expect(tokens.text).not.toContain(tokenA);
    expect(tokens.text).not.toContain("hash");
    const cl = await broker.request("GET", "/v1/clusters/alpha", { token: broker.adminToken });
    expect(cl.status).toBe(200);
    expect(Object.keys(cl.body).sort()).toEqual(
      ["addedAt", "context", "keyId", "name", "namespace", "server", "updatedAt"].sort(),
    );
    for (const path of ["/v1/secrets", "/v1/secrets/shared-name"]) {
      const res = await broker.request("GET", path, { token: tokenB });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(CANARY);
      expect(res.text).not.toContain(Buffer.from(CANARY).toString("base64"));
    }
  });

  it("a ServiceAccount limited to Secrets in one namespace works there, and health says what it may not do", async () => {
    const alpha = clusters[0]!;
    const ns = TEST_NAMESPACE;
    const sa = `broker-${randomBytes(3).toString("hex")}`;
    const must = async (method: string, path: string, body: unknown) => {
      const res = await adminRequest(alpha, method, path, body);
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${res.body}`);
      return JSON.parse(res.body);
    };
    await must("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: sa } });
    await must("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      metadata: { name: sa },
      rules: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          verbs: ["get", "list", "create", "patch", "update"],
        },
      ],
    });
    await must("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      metadata: { name: sa },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: sa },
      subjects: [{ kind: "ServiceAccount", name: sa, namespace: ns }],
    });
    const tokenRequest = await must(
      "POST",
      `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
      {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 3600 },
      },
    );
    saToken = tokenRequest.status.token as string;
    expect(saToken.split(".")).toHaveLength(3);

    for (const [name, namespace] of [
      ["alpha-sa", ns],
      ["alpha-sa-default", "default"],
    ] as const) {
      const reg = await broker.request("PUT", `/v1/clusters/${name}`, {
        token: broker.adminToken,
        json: { kubeconfig: kubeconfigWithToken(alpha, saToken, namespace) },
      });
      expect(reg.status, reg.text).toBe(201);
      expect(reg.text).not.toContain(saToken);
    }
    const health = await broker.request("GET", "/v1/clusters/alpha-sa/health", {
      token: broker.adminToken,
    });
    expect(health.body).toMatchObject({
      reachable: true,
      namespace: ns,
      access: { get: true, list: true, create: true, update: true, patch: true, delete: false },
      missing: ["delete"],
      ok: false,
    });
    const elsewhere = await broker.request("GET", "/v1/clusters/alpha-sa-default/health", {
      token: broker.adminToken,
    });
    expect(elsewhere.body).toMatchObject({
      reachable: true,
      namespace: "default",
      missing: ["get", "list", "create", "update", "patch", "delete"],
      ok: false,
    });

    const put = await broker.request("PUT", "/v1/secrets/via-sa", {
      token: tokenA,
      json: { source: { type: "inline", pairs: { K: "v" } }, clusters: ["alpha-sa"] },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.results[0]).toMatchObject({ cluster: "alpha-sa", status: "created" });
    expect(await readSecret(alpha, `via-sa-${ownerA}`)).not.toBeNull();

    const denied = await broker.request("PUT", "/v1/secrets/via-sa", {
      token: tokenA,
      json: { source: { type: "inline", pairs: { K: "v" } }, clusters: ["alpha-sa-default"] },
    });
    expect(denied.status).toBe(502);
    expect(denied.body.code).toBe("cluster_forbidden");
    expect(denied.body.results[0]).toMatchObject({
      cluster: "alpha-sa-default",
      code: "forbidden",
    });
    expect(await readSecret(alpha, `via-sa-${ownerA}`, "default")).toBeNull();

    const del = await broker.request("DELETE", "/v1/secrets/via-sa?clusters=alpha-sa", {
      token: tokenA,
    });
    expect(del.status).toBe(502);
    expect(del.body.results[0].message).toContain("delete");
    // clean up with the full-rights registration
    const cleanup = await broker.request("DELETE", "/v1/secrets/via-sa?clusters=alpha", {
      token: tokenA,
    });
    expect(cleanup.status).toBe(200);
  });

  it("a removed cluster is gone from the registry", async () => {
    // removal works and the cluster is gone from the list
    const del = await broker.request("DELETE", "/v1/clusters/alpha-sa-default", {
      token: broker.adminToken,
    });
    expect(del.status).toBe(204);
    const get = await broker.request("GET", "/v1/clusters/alpha-sa-default", {
      token: broker.adminToken,
    });
    expect(get.status).toBe(404);
  });
});
