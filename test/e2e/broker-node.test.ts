// The same app on Node (functions/node.ts: @hono/node-server, node:sqlite store, node:https adapter):
// a kubeconfig with a client certificate works there, and the state survives a restart; a
// registered kubeconfig never makes it read a file of its host or run a program; after a 413 the
// next request on the same keep-alive connection still works.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort, kubeconfigFor, kubeconfigYaml } from "../cluster/cluster.ts";
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

  it("registration reads no file of the broker's host and runs no exec plugin", async () => {
    if (!service) await start();
    const alpha = clusters[0]!;
    // a file the broker's user can read, holding a token the cluster would accept
    const hostFile = join(dir, "host-token");
    writeFileSync(hostFile, alpha.tokens["secrets-editor"]);
    for (const [user, field, message] of [
      [
        { tokenFile: hostFile },
        "tokenFile",
        "names a file on the broker's host, which the broker does not read for a registered kubeconfig",
      ],
      [
        {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1",
            command: "/bin/cat",
            args: [hostFile],
          },
        },
        "exec",
        "runs a program on the broker's host, which the broker does not do for a registered kubeconfig",
      ],
    ] as const) {
      const res = await call("PUT", "/v1/clusters/host-read", adminToken, {
        kubeconfig: kubeconfigYaml(alpha, "u", user, "konduktor"),
      });
      expect([res.status, res.body.code]).toEqual([400, "invalid_kubeconfig"]);
      expect(res.body.errors).toEqual([
        { field: `kubeconfig: users[u].user.${field}`, message: expect.stringContaining(message) },
      ]);
      expect(res.text).not.toContain(alpha.tokens["secrets-editor"]);
    }
    expect((await call("GET", "/v1/clusters/host-read", adminToken)).status).toBe(404);
  });

  it("after a 413 the next request on the same keep-alive connection is answered", async () => {
    if (!service) await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, body?: Buffer) =>
      new Promise<{ status: number; connection: string | undefined; text: string }>(
        (done, fail) => {
          const req = httpRequest(
            `${url}${path}`,
            {
              method,
              agent,
              headers: {
                authorization: `Bearer ${adminToken}`,
                ...(body
                  ? { "content-type": "application/json", "content-length": body.length }
                  : {}),
              },
            },
            (res) => {
              let text = "";
              res.on("data", (d: Buffer) => {
                text += d.toString();
              });
              res.on("end", () =>
                done({ status: res.statusCode ?? 0, connection: res.headers.connection, text }),
              );
            },
          );
          req.on("error", fail);
          req.end(body);
        },
      );
    try {
      const big = await send("POST", "/v1/tokens", Buffer.alloc(3_000_000, 0x20));
      expect([big.status, big.connection]).toEqual([413, "close"]);
      expect(JSON.parse(big.text).code).toBe("payload_too_large");
      const next = await send("GET", "/v1/clusters");
      expect(next.status).toBe(200);
    } finally {
      agent.destroy();
    }
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
