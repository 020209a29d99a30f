// The same app on Node (functions/node.ts: @hono/node-server, file-backed store, undici adapter):
// a kubeconfig with a client certificate works there, and the state survives a restart.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort, kubeconfigFor } from "../cluster/cluster.ts";
import { b64, randomOwner, readSecret } from "./support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const clusters = inject("clusters");

describe("the broker on Node", () => {
  const dir = mkdtempSync(join(tmpdir(), "konduktor-node-broker-"));
  const adminToken = randomBytes(24).toString("hex");
  const env = {
    ...process.env,
    ADMIN_TOKEN: adminToken,
    KEK: randomBytes(32).toString("base64"),
    STATE_FILE: join(dir, "state.json"),
  };
  let child: ChildProcess | undefined;
  let url = "";

  async function start() {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [join(ROOT, "functions/node.ts")], {
      env: { ...env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) return;
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("node broker did not start");
  }
  async function stop() {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child?.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, token: string, json?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(json ? { "content-type": "application/json" } : {}),
      },
      ...(json ? { body: JSON.stringify(json) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers freely
    return { status: res.status, body: (await res.json()) as any };
  };

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
    const owner = randomOwner();
    const issued = await call("POST", "/v1/tokens", adminToken, { owners: [owner] });
    const put = await call("PUT", "/v1/secrets/node-app", issued.body.token, {
      source: { type: "inline", pairs: { K: "v" } },
    });
    expect(put.status).toBe(200);
    expect(put.body.results[0]).toMatchObject({ cluster: "alpha", status: "created" });
    expect((await readSecret(alpha, `node-app-${owner}`))?.data).toEqual({ K: b64("v") });
    await call("DELETE", "/v1/secrets/node-app", issued.body.token);
  });
});
