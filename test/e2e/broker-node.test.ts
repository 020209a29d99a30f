// The same app on Node (functions/node.ts: @hono/node-server, node:sqlite store, undici adapter):
// a kubeconfig with a client certificate works there, and the state survives a restart.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort, kubeconfigFor } from "../cluster/cluster.ts";
import { jsonRequest, type RunningService, spawnService } from "../support/service.ts";
import { b64, newOwner, readSecret } from "./support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const clusters = inject("clusters");

describe("the broker on Node", () => {
  const dir = mkdtempSync(join(tmpdir(), "konduktor-node-broker-"));
  const adminToken = randomBytes(24).toString("hex");
  const env = {
    ...process.env,
    ADMIN_TOKEN: adminToken,
    KEK: randomBytes(32).toString("base64"),
    STATE_DB: join(dir, "state.db"),
  };
  let service: RunningService | undefined;
  let url = "";

  async function start() {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    service = await spawnService(process.execPath, [join(ROOT, "functions/node.ts")], {
      env: { ...env, PORT: String(port) },
      healthUrl: `${url}/healthz`,
      timeoutMs: 30_000,
    });
  }
  async function stop() {
    await service?.stop();
    service = undefined;
  }
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, token: string, json?: unknown) =>
    jsonRequest(url, method, path, { token, json });

  it("registers a client-certificate kubeconfig and writes a secret; state survives a restart", async () => {
    await start();
    const alpha = clusters[0]!;
    const reg = await call("PUT", "/v1/clusters/alpha", adminToken, {
      kubeconfig: kubeconfigFor(alpha, "cert-user"),
    });
    expect(reg.status).toBe(201);
    const health = await call("GET", "/v1/clusters/alpha/health", adminToken);
    expect(health.body).toMatchObject({ reachable: true, ok: true });
    await stop();
    await start();
    const owner = newOwner();
    const issued = await call("POST", "/v1/tokens", adminToken, { owners: [owner] });
    const put = await call("PUT", "/v1/secrets/node-app", issued.body.token, {
      source: { type: "inline", pairs: { K: "v" } },
    });
    expect(put.status).toBe(200);
    expect(put.body.results[0]).toMatchObject({ cluster: "alpha", status: "created" });
    expect((await readSecret(alpha, `node-app-${owner}`))?.data).toEqual({ K: b64("v") });
    await call("DELETE", "/v1/secrets/node-app", issued.body.token);
  });

  it("a revoked API token is refused on the very next request (5 rounds), also after a restart", async () => {
    if (!service) await start();
    const owner = newOwner();
    for (let round = 0; round < 5; round++) {
      const issued = await call("POST", "/v1/tokens", adminToken, { owners: [owner] });
      expect((await call("GET", "/v1/secrets", issued.body.token)).status).toBe(200);
      expect((await call("DELETE", `/v1/tokens/${issued.body.id}`, adminToken)).status).toBe(200);
      const refused = await call("GET", "/v1/secrets", issued.body.token);
      expect([refused.status, refused.body.code]).toEqual([401, "unauthorized"]);
    }
    const tokens = (await call("GET", "/v1/tokens", adminToken)).body.tokens;
    await stop();
    await start();
    expect((await call("GET", "/v1/tokens", adminToken)).body.tokens).toEqual(tokens);
  });
});
