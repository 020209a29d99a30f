// A webhook delivery whose broker was killed while applying it (REAL workerd, killed with SIGKILL
// while a stalled cluster holds the request, restarted on the same local state): a retry during
// the claim's lease is refused 409 webhook_in_progress with the time left, and a retry after it
// applies the delivery on every cluster.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, inject, it } from "vitest";
import { kubeconfigFor, waitFor } from "../cluster/cluster.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { type StallProxy, startStallProxy } from "../support/stall-proxy.ts";
import { b64, newOwner, readSecret } from "./support.ts";

const clusters = inject("clusters");
const alpha = clusters.find((c) => c.name === "alpha")!;
const beta = clusters.find((c) => c.name === "beta")!;

describe("a delivery whose broker died mid-flight", () => {
  const state = mkdtempSync(join(tmpdir(), "konduktor-lease-"));
  const options = {
    caPems: clusters.map((c) => c.caPem),
    adminToken: `adm_${randomBytes(24).toString("hex")}`,
    kek: randomBytes(32).toString("base64"),
    persistTo: state,
    // the lease of a delivery to 2 clusters: 2 x 15 s + 5 s
    vars: { CLUSTER_TIMEOUT_MS: "15000", CLUSTER_RETRIES: "0" },
  };
  let broker: RunningBroker | undefined;
  let proxy: StallProxy | undefined;
  afterAll(async () => {
    await broker?.stop();
    await proxy?.close();
    rmSync(state, { recursive: true, force: true });
  });

  it("is applied by a retry once its lease has passed", async () => {
    broker = await startBroker(options);
    proxy = await startStallProxy(Number(new URL(beta.server).port));
    const admin = (method: string, path: string, json?: unknown) =>
      (broker as RunningBroker).request(method, path, { token: options.adminToken, json });
    expect(
      (
        await admin("PUT", "/v1/clusters/alpha", {
          kubeconfig: kubeconfigFor(alpha, "secrets-editor"),
        })
      ).status,
    ).toBe(201);
    const slow = { ...beta, name: "slow", server: proxy.server };
    expect(
      (
        await admin("PUT", "/v1/clusters/slow", {
          kubeconfig: kubeconfigFor(slow, "secrets-editor"),
        })
      ).status,
    ).toBe(201);
    const owner = newOwner();
    const hook = (
      await admin("POST", "/v1/hooks", {
        owners: [owner],
        clusters: ["alpha", "slow"],
        names: ["lease-*"],
      })
    ).body as { id: string; secret: string };
    const id = `msg_${randomUUID()}`;
    const payload = JSON.stringify({
      name: "lease-db",
      source: { type: "inline", pairs: { PASSWORD: "rotated" } },
    });
    const deliver = (b: RunningBroker) => {
      const now = new Date();
      return b.request("POST", `/v1/hooks/${hook.id}`, {
        body: payload,
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
          "webhook-signature": new Webhook(hook.secret).sign(id, now, payload),
        },
      });
    };

    proxy.stall(true);
    const inFlight = deliver(broker).catch((error: Error) => error);
    // alpha is written; the slow cluster holds the request
    await waitFor(
      "the delivery on alpha",
      async () => (await readSecret(alpha, `lease-db-${owner}`)) !== null,
      10_000,
      () => undefined,
    );
    await broker.kill();
    expect(await inFlight).toBeInstanceOf(Error);
    proxy.stall(false);

    broker = await startBroker(options);
    const during = await deliver(broker);
    expect([during.status, during.body.code]).toEqual([409, "webhook_in_progress"]);
    const wait = during.body.retryAfterSeconds as number;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(35);
    expect(await readSecret(beta, `lease-db-${owner}`)).toBeNull();

    await new Promise((r) => setTimeout(r, wait * 1000 + 500));
    const retry = await deliver(broker);
    expect(retry.status, retry.text).toBe(200);
    expect(
      retry.body.results.map((r: { cluster: string; status: string }) => [r.cluster, r.status]),
    ).toEqual([
      ["alpha", "unchanged"],
      ["slow", "created"],
    ]);
    expect((await readSecret(beta, `lease-db-${owner}`))?.data).toEqual({
      PASSWORD: b64("rotated"),
    });
    // and it is done: the next copy is a replay
    const again = await deliver(broker);
    expect([again.status, again.body.replay]).toEqual([200, true]);
  });
});
