// The broker in real workerd against three real kube-apiservers: one call writes a Konduktor
// secret on every cluster, merges, answers unchanged without a write, lists, describes, deletes;
// with one apiserver stopped it answers 207 within the timeout and converges after the restart.
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { kubeconfigFor } from "../cluster/cluster.ts";
import { startApiserver, stopApiserver } from "../cluster/control.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { b64, issueToken, newOwner, readSecret, registerClusters } from "./support.ts";

const clusters = inject("clusters");
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const TIMEOUT_MS = 4000;

describe("broker fan-out over three clusters", () => {
  let broker: RunningBroker;
  let token: string;
  let tokenId: string;
  const owner = newOwner();
  const basename = `app-${randomBytes(3).toString("hex")}`;
  const secretName = `${basename}-${owner}`;

  beforeAll(async () => {
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { CLUSTER_TIMEOUT_MS: String(TIMEOUT_MS), CLUSTER_RETRIES: "2" },
    });
    console.log(`broker (wrangler dev / workerd) ready in ${broker.startMs} ms`);
    await registerClusters(broker, clusters);
    ({ token, id: tokenId } = await issueToken(broker, { owners: [owner], label: "fanout-e2e" }));
  });

  afterAll(async () => {
    // whatever happened, the apiserver runs again for the next file
    await startApiserver("gamma").catch(() => {});
    if (broker) {
      expect(broker.logs()).not.toContain(CANARY);
      await broker.stop();
    }
  });

  const put = (json: unknown) => broker.request("PUT", `/v1/secrets/${basename}`, { token, json });

  it("registers three clusters and reports their health", async () => {
    const list = await broker.request("GET", "/v1/clusters", { token: broker.adminToken });
    expect(list.status).toBe(200);
    expect(list.body.clusters.map((c: { name: string }) => c.name)).toEqual([
      "alpha",
      "beta",
      "gamma",
    ]);
    expect(list.text).not.toContain("token");
    expect(list.text).not.toContain(clusters[0]?.tokens["secrets-editor"]);
    const health = await broker.request("GET", "/v1/clusters/alpha/health", {
      token: broker.adminToken,
    });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      cluster: "alpha",
      reachable: true,
      version: expect.stringMatching(/^v\d+\./),
      namespace: "konduktor",
      access: { get: true, list: true, create: true, patch: true, delete: true },
      missing: [],
      ok: true,
    });
  });

  it("one PUT creates an env secret on all three clusters in Konduktor's exact format", async () => {
    const res = await put({ kind: "env", source: { type: "inline", pairs: { API_KEY: CANARY } } });
    expect(res.status, res.text).toBe(200);
    expect(res.text).not.toContain(CANARY);
    expect(
      res.body.results.map((r: { cluster: string; status: string }) => [r.cluster, r.status]),
    ).toEqual([
      ["alpha", "created"],
      ["beta", "created"],
      ["gamma", "created"],
    ]);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    for (const c of clusters) {
      const s = await readSecret(c, secretName);
      expect(s, c.name).not.toBeNull();
      expect(s?.type).toBe("Opaque");
      expect(s?.metadata.namespace).toBe("konduktor");
      expect(s?.metadata.labels).toEqual({
        parent: "konduktor",
        "trainy.ai/secret-owner": owner,
        "trainy.ai/secret-basename": basename,
        "trainy.ai/secret-kind": "env",
      });
      expect(s?.data).toEqual({ API_KEY: b64(CANARY) });
    }
  });

  it("a second PUT merges a key; a third identical one is unchanged with no write", async () => {
    const merged = await put({ kind: "env", source: { type: "inline", pairs: { EXTRA: "two" } } });
    expect(merged.status).toBe(200);
    for (const r of merged.body.results) {
      expect(r).toMatchObject({ status: "updated", added: ["EXTRA"], writes: 1 });
    }
    const before = await Promise.all(clusters.map((c) => readSecret(c, secretName)));
    for (const s of before) expect(s?.data).toEqual({ API_KEY: b64(CANARY), EXTRA: b64("two") });

    const again = await put({ kind: "env", source: { type: "inline", pairs: { EXTRA: "two" } } });
    expect(again.status).toBe(200);
    for (const r of again.body.results) expect(r).toMatchObject({ status: "unchanged", writes: 0 });
    const after = await Promise.all(clusters.map((c) => readSecret(c, secretName)));
    expect(after.map((s) => s?.metadata.resourceVersion)).toEqual(
      before.map((s) => s?.metadata.resourceVersion),
    );
  });

  it("a dry run reports the plan with key names and digests only, and writes nothing", async () => {
    const before = await readSecret(clusters[0]!, secretName);
    const plan = await put({
      kind: "env",
      source: { type: "inline", pairs: { API_KEY: `${CANARY}-new` } },
      dryRun: true,
    });
    expect(plan.status).toBe(200);
    expect(plan.text).not.toContain(CANARY);
    expect(plan.body.dryRun).toBe(true);
    expect(Object.keys(plan.body.digests)).toEqual(["API_KEY"]);
    // a keyed digest (docs/security-model.md), never a plain SHA-256 of the value
    expect(plan.body.digests.API_KEY).toMatch(/^hmac-sha256:test1:[0-9a-f]{64}$/);
    for (const r of plan.body.results) {
      expect(r).toMatchObject({ status: "updated", changed: ["API_KEY"], writes: 0, dryRun: true });
    }
    const after = await readSecret(clusters[0]!, secretName);
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it("list and describe agree", async () => {
    const list = await broker.request("GET", "/v1/secrets", { token });
    expect(list.status).toBe(200);
    const row = list.body.secrets.find((s: { name: string }) => s.name === basename);
    expect(row).toMatchObject({
      name: basename,
      secretName,
      kind: "env",
      owner,
      keys: ["API_KEY", "EXTRA"],
      clusters: ["alpha", "beta", "gamma"],
    });
    const one = await broker.request("GET", `/v1/secrets/${basename}`, { token });
    expect(one.status).toBe(200);
    expect(one.text).not.toContain(CANARY);
    expect(one.body.agree).toBe(true);
    expect(one.body.contentDigest).toMatch(/^hmac-sha256:test1:[0-9a-f]{64}$/);
    for (const r of one.body.results) {
      expect(r.status).toBe("found");
      expect(r.secret.keys).toEqual(["API_KEY", "EXTRA"]);
      expect(r.secret.contentDigest).toBe(one.body.contentDigest);
    }
  });

  it("describe says when the clusters disagree", async () => {
    const res = await broker.request("PUT", `/v1/secrets/${basename}`, {
      token,
      json: {
        kind: "env",
        source: { type: "inline", pairs: { ONLY_ALPHA: "1" } },
        clusters: ["alpha"],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1);
    const one = await broker.request("GET", `/v1/secrets/${basename}`, { token });
    expect(one.body.agree).toBe(false);
    expect(one.body.contentDigest).toBeNull();
  });

  it("with one apiserver stopped: 207 within the timeout, the others written, the stopped one named", async () => {
    await stopApiserver("gamma");
    const res = await put({ kind: "env", source: { type: "inline", pairs: { AFTER_STOP: "3" } } });
    expect(res.status).toBe(207);
    const byCluster = Object.fromEntries(
      res.body.results.map((r: { cluster: string }) => [r.cluster, r]),
    );
    console.log(
      `PUT with gamma stopped: ${res.body.results.map((r: { cluster: string; durationMs: number }) => `${r.cluster} ${r.durationMs} ms`).join(", ")} (deadline ${TIMEOUT_MS} ms)`,
    );
    expect(byCluster.alpha).toMatchObject({ status: "updated", attempts: 1, writes: 1 });
    expect(byCluster.beta).toMatchObject({ status: "updated", attempts: 1, writes: 1 });
    // a refused connection is retryable: 1 + CLUSTER_RETRIES attempts, all inside the deadline
    // (a cluster still failing at its deadline would be answered `timeout`, not `unreachable`)
    expect(byCluster.gamma).toEqual({
      cluster: "gamma",
      status: "error",
      code: "unreachable",
      retryable: true,
      attempts: 3,
      message: expect.stringMatching(
        /^cannot reach cluster "gamma" at https:\/\/127\.0\.0\.1:\d+ /,
      ),
      durationMs: expect.any(Number),
    });
    expect(byCluster.gamma.durationMs).toBeLessThan(TIMEOUT_MS);
    for (const c of clusters.slice(0, 2)) {
      expect((await readSecret(c, secretName))?.data?.AFTER_STOP).toBe(b64("3"));
    }
    const health = await broker.request("GET", "/v1/clusters/gamma/health", {
      token: broker.adminToken,
    });
    expect(health.body).toMatchObject({
      reachable: false,
      ok: false,
      error: { code: "unreachable" },
    });
    const audit = broker.auditLines().at(-1);
    expect(audit).toMatchObject({
      action: "secret.put",
      outcome: "partial",
      owner,
      name: basename,
    });
  });

  it("after the restart the same PUT brings the stopped cluster in line", async () => {
    await startApiserver("gamma");
    const res = await put({ kind: "env", source: { type: "inline", pairs: { AFTER_STOP: "3" } } });
    expect(res.status, res.text).toBe(200);
    const byCluster = Object.fromEntries(
      res.body.results.map((r: { cluster: string; status: string }) => [r.cluster, r.status]),
    );
    expect(byCluster).toEqual({ alpha: "unchanged", beta: "unchanged", gamma: "updated" });
    expect((await readSecret(clusters[2]!, secretName))?.data?.AFTER_STOP).toBe(b64("3"));
  });

  it("delete removes it from all three", async () => {
    const res = await broker.request("DELETE", `/v1/secrets/${basename}`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      "deleted",
      "deleted",
      "deleted",
    ]);
    for (const c of clusters) expect(await readSecret(c, secretName)).toBeNull();
    // idempotent: already gone everywhere is what was asked (kubectl delete --ignore-not-found)
    const again = await broker.request("DELETE", `/v1/secrets/${basename}`, { token });
    expect(again.status, again.text).toBe(200);
    expect(again.body.results.map((r: { status: string }) => r.status)).toEqual([
      "absent",
      "absent",
      "absent",
    ]);
    const gone = await broker.request("GET", `/v1/secrets/${basename}`, { token });
    expect(gone.status).toBe(404);
  });

  it("audit lines name caller, owner, name, clusters and outcome, never a value", () => {
    const lines = broker.auditLines().filter((l) => l.name === basename);
    expect(lines.map((l) => [l.method, l.action, l.outcome, l.clusters])).toEqual([
      ["PUT", "secret.put", "ok", ["alpha", "beta", "gamma"]],
      ["PUT", "secret.put", "ok", ["alpha", "beta", "gamma"]],
      ["PUT", "secret.put", "ok", ["alpha", "beta", "gamma"]],
      ["PUT", "secret.plan", "ok", ["alpha", "beta", "gamma"]],
      ["PUT", "secret.put", "ok", ["alpha"]],
      ["PUT", "secret.put", "partial", ["alpha", "beta", "gamma"]],
      ["PUT", "secret.put", "ok", ["alpha", "beta", "gamma"]],
      ["DELETE", "secret.delete", "ok", ["alpha", "beta", "gamma"]],
      // the second DELETE: absent everywhere, which is what was asked (idempotent)
      ["DELETE", "secret.delete", "ok", ["alpha", "beta", "gamma"]],
    ]);
    for (const l of lines) {
      expect(l).toMatchObject({ owner, name: basename, caller: `token:${tokenId}` });
      expect(l.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(JSON.stringify(broker.auditLines())).not.toContain(CANARY);
  });

  it("a cluster that accepts connections and never answers: 207 with timeout, the others written", async () => {
    // a loopback listener that accepts and never answers (not even the TLS handshake)
    const sockets: Socket[] = [];
    const hang: Server = createServer((socket) => {
      sockets.push(socket);
    }).listen(0, "127.0.0.1");
    await new Promise((r) => (hang.listening ? r(null) : hang.once("listening", r)));
    const port = (hang.address() as { port: number }).port;
    const alpha = clusters[0]!;
    const reg = await broker.request("PUT", "/v1/clusters/silent", {
      token: broker.adminToken,
      json: {
        kubeconfig: kubeconfigFor(alpha, "secrets-editor").replace(
          alpha.server,
          `https://127.0.0.1:${port}`,
        ),
      },
    });
    expect(reg.status, reg.text).toBe(201);
    try {
      const name = `silent-${randomBytes(3).toString("hex")}`;
      const res = await broker.request("PUT", `/v1/secrets/${name}`, {
        token,
        json: { kind: "env", source: { type: "inline", pairs: { S: CANARY } } },
      });
      expect(res.status, res.text).toBe(207);
      const results = res.body.results as {
        cluster: string;
        status: string;
        code?: string;
        message?: string;
        attempts: number;
        durationMs: number;
      }[];
      console.log(
        `PUT with a silent cluster: ${results.map((r) => `${r.cluster} ${r.durationMs} ms`).join(", ")} (deadline ${TIMEOUT_MS} ms)`,
      );
      expect(results.map((r) => [r.cluster, r.status, r.code ?? null, r.attempts])).toEqual([
        ["alpha", "created", null, 1],
        ["beta", "created", null, 1],
        ["gamma", "created", null, 1],
        ["silent", "error", "timeout", 1],
      ]);
      const silent = results[3]!;
      // the silent cluster is answered at its deadline, never before ...
      expect(silent.message).toBe(`no answer within ${TIMEOUT_MS} ms`);
      expect(silent.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
      // ... and the others did not wait for it: each finished before the deadline
      for (const r of results.slice(0, 3)) expect(r.durationMs, r.cluster).toBeLessThan(TIMEOUT_MS);
      for (const c of clusters) {
        expect((await readSecret(c, `${name}-${owner}`))?.data, c.name).toEqual({ S: b64(CANARY) });
      }
    } finally {
      await broker.request("DELETE", "/v1/clusters/silent", { token: broker.adminToken });
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => hang.close(r));
    }
  });
});
