// GitHub OIDC in the broker app (in-process, memory store): admin-managed bindings through the
// API, and every refused token answered with a problem that names the failed check.
import { randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../functions/app.ts";
import { clearOidcCaches } from "../../functions/auth/oidc.ts";
import { loadConfig } from "../../functions/config.ts";
import { MemoryShardedStore } from "../../functions/store/records.ts";
import { createFakeKube, type FakeKube } from "../support/fake-kube.ts";
import { LocalOidcIssuer, type TokenFault } from "../support/oidc-issuer.ts";

let issuer: LocalOidcIssuer;
let app: ReturnType<typeof createApp>;
const ADMIN = `adm_${randomBytes(24).toString("hex")}`;
const logs: Record<string, unknown>[] = [];
const kubes = new Map<string, FakeKube>();

beforeAll(async () => {
  clearOidcCaches();
  issuer = await LocalOidcIssuer.start();
  app = createApp({
    config: loadConfig({
      ADMIN_TOKEN: ADMIN,
      KEK: randomBytes(32).toString("base64"),
      GITHUB_OIDC_ISSUER: issuer.issuer,
      GITHUB_OIDC_AUDIENCE: "konduktor-broker, other",
    }),
    records: new MemoryShardedStore(),
    runtime: "node",
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
});
afterAll(async () => {
  await issuer.stop();
});

async function call(method: string, path: string, token: string, json?: unknown) {
  const res = await app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(json === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

describe("GitHub OIDC in the broker", () => {
  it("admin manages bindings; invalid ones are refused with the field named", async () => {
    const before = logs.length;
    const put = await call("PUT", "/v1/oidc-bindings/train-main", ADMIN, {
      match: { repository: "acme/train", ref: "refs/heads/main" },
      owners: ["0a1b2c3d"],
      clusters: ["alpha", "beta"],
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      id: "train-main",
      rights: { write: true, read: true, listAllUsers: false },
    });
    expect(
      (
        await call("PUT", "/v1/oidc-bindings/train-main", ADMIN, {
          ...put.body,
          id: undefined,
          createdAt: undefined,
          updatedAt: undefined,
        })
      ).status,
    ).toBe(200);
    const bad = await call("PUT", "/v1/oidc-bindings/everyone", ADMIN, {
      match: { repository: "*/*" },
      owners: ["0a1b2c3d"],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("match.repository");
    const list = await call("GET", "/v1/oidc-bindings", ADMIN);
    expect(list.body.bindings.map((b: { id: string }) => b.id)).toEqual(["train-main"]);
    expect(
      logs
        .slice(before)
        .map((l) => [l.type, l.action, l.outcome, l.path, l.bindingId ?? null, l.code ?? null]),
    ).toEqual([
      ["audit", "oidc-binding.create", "ok", "/v1/oidc-bindings/train-main", "train-main", null],
      ["audit", "oidc-binding.replace", "ok", "/v1/oidc-bindings/train-main", "train-main", null],
      ["audit", "oidc-binding.put", "invalid", "/v1/oidc-bindings/everyone", null, "invalid_input"],
    ]);
    expect(logs[before]).toMatchObject({
      caller: "admin",
      match: { repository: "acme/train", ref: "refs/heads/main" },
      owners: ["0a1b2c3d"],
      clusters: ["alpha", "beta"],
    });
  });

  it("a bound workflow's token authenticates as an oidc caller (admin routes stay closed)", async () => {
    const token = await issuer.mint({ claims: { repository: "acme/train" } }, "konduktor-broker");
    const res = await call("GET", "/v1/oidc-bindings", token);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/only the admin token/);
  });

  it("whoami answers a workflow's bindings' owners, clusters, rights and the token's exp", async () => {
    const token = await issuer.mint({ claims: { repository: "acme/train" } }, "konduktor-broker");
    const res = await call("GET", "/v1/whoami", token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: "oidc:acme/train@refs/heads/main",
      kind: "oidc",
      label: "github acme/train refs/heads/main (bindings train-main)",
      owners: ["0a1b2c3d"],
      clusters: ["alpha", "beta"],
      rights: { write: true, read: true, listAllUsers: false },
      expiresAt: new Date((decodeJwt(token).exp as number) * 1000).toISOString(),
    });
    expect(res.text).not.toContain(token);
  });

  it.each([
    ["wrong-audience", 401, "audience", /audience check failed/],
    ["expired", 401, "expiry", /expiry check failed/],
    ["wrong-issuer", 401, "issuer", /issuer check failed/],
    ["bad-signature", 401, "signature", /signature check failed/],
    ["unknown-key", 401, "signature", /signature check failed/],
    ["not-yet-valid", 401, "not_before", /not-before check failed/],
  ] as const)("refuses fault %s with %i naming check %s", async (fault, status, check, detail) => {
    const token = await issuer.mint(
      { claims: { repository: "acme/train" }, fault: fault as TokenFault },
      "konduktor-broker",
    );
    const res = await call("GET", "/v1/secrets", token);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code: "unauthorized", check });
    expect(res.body.detail).toMatch(detail);
    expect(res.text).not.toContain(token);
  });

  it("refuses a valid token from an unbound repository or ref with 403 naming the claims", async () => {
    const other = await issuer.mint({ claims: { repository: "acme/other" } }, "konduktor-broker");
    const res = await call("GET", "/v1/secrets", other);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: "forbidden", check: "binding" });
    expect(res.body.detail).toMatch(
      /binding check failed: no OIDC binding for repository acme\/other, ref refs\/heads\/main/,
    );
    const branch = await issuer.mint(
      { claims: { repository: "acme/train", ref: "refs/heads/dev" } },
      "other",
    );
    expect((await call("GET", "/v1/secrets", branch)).body.detail).toMatch(/ref refs\/heads\/dev/);
  });

  it("several matching bindings are never merged: a write needs ONE binding for owner, right and clusters", async () => {
    const kubeconfig = (server: string) =>
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: ${server}}}]\nusers: [{name: u, user: {token: t0ken}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;
    for (const name of ["alpha", "beta"]) {
      const r = await call("PUT", `/v1/clusters/${name}`, ADMIN, {
        kubeconfig: kubeconfig(`https://${name}.example:6443`),
      });
      expect(r.status, r.text).toBe(201);
    }
    // A: owner 0a1b2c3d writes on alpha; B: owner ffffffff reads on alpha and beta
    for (const [id, owners, clusters, rights] of [
      ["mixed-a", ["0a1b2c3d"], ["alpha"], { write: true, read: false }],
      ["mixed-b", ["ffffffff"], ["alpha", "beta"], { write: false, read: true }],
    ] as const) {
      const r = await call("PUT", `/v1/oidc-bindings/${id}`, ADMIN, {
        match: { repository: "acme/mixed" },
        owners,
        clusters,
        rights,
      });
      expect(r.status, r.text).toBe(201);
    }
    const token = await issuer.mint({ claims: { repository: "acme/mixed" } }, "konduktor-broker");
    const put = (json: Record<string, unknown>) =>
      call("PUT", "/v1/secrets/mixed", token, {
        source: { type: "inline", pairs: { A: "1" } },
        ...json,
      });
    const asY = await put({ owner: "ffffffff" });
    expect([asY.status, asY.body.detail]).toEqual([
      403,
      "this credential may not act for owner ffffffff: it may act for 0a1b2c3d (give one of those as owner)",
    ]);
    const onBeta = await put({ owner: "0a1b2c3d", clusters: ["beta"] });
    expect([onBeta.status, onBeta.body.detail]).toEqual([
      403,
      "this credential may not use cluster beta",
    ]);
    const ok = await put({});
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.results.map((r: { cluster: string }) => r.cluster)).toEqual(["alpha"]);
    expect(kubes.get("beta")?.calls ?? []).toEqual([]);
    const read = await call("GET", "/v1/secrets?owner=ffffffff", token);
    expect(read.status, read.text).toBe(200);
    expect(read.body.results.map((r: { cluster: string }) => r.cluster)).toEqual(["alpha", "beta"]);
  });
  it("a sync is scoped by the owners it names, and one binding covers its source and targets", async () => {
    const kubeconfig = (server: string) =>
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: ${server}}}]\nusers: [{name: u, user: {token: t0ken}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;
    for (const name of ["alpha", "beta"]) {
      const r = await call("PUT", `/v1/clusters/${name}`, ADMIN, {
        kubeconfig: kubeconfig(`https://${name}.example:6443`),
      });
      expect([200, 201], r.text).toContain(r.status);
    }
    // S1: owners 0a1b2c3d and ffffffff on alpha; S2: owner 0a1b2c3d on beta
    for (const [id, owners, clusters] of [
      ["scope-1", ["0a1b2c3d", "ffffffff"], ["alpha"]],
      ["scope-2", ["0a1b2c3d"], ["beta"]],
    ] as const) {
      const r = await call("PUT", `/v1/oidc-bindings/${id}`, ADMIN, {
        match: { repository: "acme/scope" },
        owners,
        clusters,
      });
      expect(r.status, r.text).toBe(201);
    }
    const token = await issuer.mint({ claims: { repository: "acme/scope" } }, "konduktor-broker");
    const sync = (json: Record<string, unknown>) =>
      call("POST", "/v1/sync", token, { dryRun: true, ...json });
    // beta is allowed for the owner asked for (ffffffff, not named, does not count)
    const onBeta = await sync({ owners: ["0a1b2c3d"], clusters: ["beta"] });
    expect(onBeta.status, onBeta.text).toBe(200);
    expect(onBeta.body.targets).toEqual(["beta"]);
    // reading from S2's cluster to write S1's: no single binding covers both
    const across = await sync({ owners: ["0a1b2c3d"], clusters: ["alpha"], source: "beta" });
    expect([across.status, across.body.detail]).toEqual([
      403,
      "this credential may not use clusters alpha, beta in one request for owner 0a1b2c3d: no single OIDC binding covers them all; name the clusters of one binding per request",
    ]);
    const within = await sync({ owners: ["0a1b2c3d"], clusters: ["alpha"], source: "alpha" });
    expect(within.status, within.text).toBe(200);
  });
  it("a PUT that narrows an existing secret's placement answers a notice", async () => {
    const kubeconfig = (server: string) =>
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: ${server}}}]\nusers: [{name: u, user: {token: t0ken}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;
    for (const name of ["alpha", "beta"]) {
      const r = await call("PUT", `/v1/clusters/${name}`, ADMIN, {
        kubeconfig: kubeconfig(`https://${name}.example:6443`),
      });
      expect([200, 201], r.text).toContain(r.status);
    }
    const b = await call("PUT", "/v1/oidc-bindings/place-all", ADMIN, {
      match: { repository: "acme/place" },
      owners: ["0a1b2c3d"],
      clusters: "all",
    });
    expect(b.status, b.text).toBe(201);
    const token = await issuer.mint({ claims: { repository: "acme/place" } }, "konduktor-broker");
    const put = (pairs: Record<string, string>, json: Record<string, unknown> = {}) =>
      call("PUT", "/v1/secrets/placed", token, { source: { type: "inline", pairs }, ...json });
    const everywhere = await put({ A: "1" });
    expect(everywhere.status, everywhere.text).toBe(200);
    expect(everywhere.body.notice).toBeUndefined();
    const narrowed = await put({ A: "2" }, { clusters: ["alpha"] });
    expect(narrowed.status, narrowed.text).toBe(200);
    expect(narrowed.body.notice).toMatch(
      /^the secret was placed on all; this write is limited to alpha and places it there only: /,
    );
    // the same narrow placement again: nothing is narrowed any more
    const again = await put({ A: "3" }, { clusters: ["alpha"] });
    expect(again.body.notice).toBeUndefined();
  });
});
