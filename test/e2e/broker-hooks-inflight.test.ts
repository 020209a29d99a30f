// A copy of a signed delivery that arrives while the first copy is being applied is answered
// 409 webhook_in_progress, and one after it a replay, deterministically: the hook's second cluster
// accepts connections and never answers, so the first copy is in flight until the broker's
// per-cluster deadline. Real workerd, real kube-apiserver for the other cluster. Split from
// broker-hooks.test.ts.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { kubeconfigFor } from "../cluster/cluster.ts";
import { type BrokerResponse, type RunningBroker, startBroker } from "../support/broker.ts";
import { b64, newOwner, readSecret, registerClusters } from "./support.ts";

const clusters = inject("clusters");
const byName = Object.fromEntries(clusters.map((c) => [c.name, c]));
const tag = randomBytes(2).toString("hex");

describe("signed webhooks: one delivery id, several copies", () => {
  let broker: RunningBroker;
  const owner = newOwner();
  interface DeliveryOptions {
    id?: string;
    /** seconds since the epoch (default now) */
    timestamp?: number;
    /** the hook's secret, to sign with */
    secret: string;
    /** send this body instead of the signed one */
    sendBody?: string;
    headers?: Record<string, string>;
    hookId: string;
  }

  const deliver = async (body: unknown, o: DeliveryOptions): Promise<BrokerResponse> => {
    const payload = JSON.stringify(body);
    const id = o.id ?? `msg_${randomUUID()}`;
    const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = new Webhook(o.secret).sign(id, new Date(ts * 1000), payload);
    const res = await broker.request("POST", `/v1/hooks/${o.hookId}`, {
      body: o.sendBody ?? payload,
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(ts),
        "webhook-signature": signature,
        ...o.headers,
      },
    });
    return res;
  };
  const secretSet = (name: string, pairs: Record<string, string>, extra: object = {}) => ({
    name,
    kind: "env",
    source: { type: "inline", pairs },
    ...extra,
  });

  beforeAll(async () => {
    broker = await startBroker({ caPems: clusters.map((c) => c.caPem) });
    await registerClusters(broker, clusters);
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it("a copy of a delivery that arrives while it is applied → 409 in progress; after it → a replay", async () => {
    // a cluster that accepts connections and never answers keeps the first copy busy until the
    // broker's per-cluster deadline, so the second copy surely arrives while it is applied
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => {
      sockets.push(socket);
    }).listen(0, "127.0.0.1");
    await new Promise((r) => silent.once("listening", r));
    const port = (silent.address() as { port: number }).port;
    const reg = await broker.request("PUT", "/v1/clusters/silent", {
      token: broker.adminToken,
      json: {
        kubeconfig: kubeconfigFor(byName.alpha!, "secrets-editor").replace(
          byName.alpha!.server,
          `https://127.0.0.1:${port}`,
        ),
      },
    });
    expect(reg.status, reg.text).toBe(201);
    try {
      const created = await broker.request("POST", "/v1/hooks", {
        token: broker.adminToken,
        json: { owners: [owner], clusters: ["alpha", "silent"], names: ["rot-*"] },
      });
      expect(created.status, created.text).toBe(201);
      const slowHook = { hookId: created.body.id as string, secret: created.body.secret as string };
      const name = `rot-race-${tag}`;
      const id = `msg_${randomUUID()}`;
      const connections = sockets.length;
      const first = deliver(secretSet(name, { V: "one" }), { id, ...slowHook });
      // the first copy is in flight once the broker has connected to the silent cluster
      while (sockets.length === connections) await new Promise((r) => setTimeout(r, 20));
      const second = await deliver(secretSet(name, { V: "two" }), { id, ...slowHook });
      expect([second.status, second.body.code, second.body.detail]).toEqual([
        409,
        "webhook_in_progress",
        `delivery ${id} is being applied right now: nothing was written twice; retry later`,
      ]);
      const applied = await first;
      expect(applied.status, applied.text).toBe(207);
      expect(applied.body).toMatchObject({ hook: slowHook.hookId, deliveryId: id, replay: false });
      expect(
        applied.body.results.map((r: { cluster: string; status: string; code?: string }) => [
          r.cluster,
          r.status,
          r.code ?? null,
        ]),
      ).toEqual([
        ["alpha", "created", null],
        ["silent", "error", "timeout"],
      ]);
      const third = await deliver(secretSet(name, { V: "three" }), { id, ...slowHook });
      expect(third.status).toBe(200);
      expect(third.body).toMatchObject({
        replay: true,
        deliveryId: id,
        firstStatus: 207,
        firstOutcome: "partial",
      });
      // written once, by the first copy
      const written = await readSecret(byName.alpha!, `${name}-${owner}`);
      expect(written?.data).toEqual({ V: b64("one") });
      expect(
        broker
          .auditLines()
          .filter((l) => l.hook === slowHook.hookId)
          .map((l) => [l.action, l.outcome, l.code ?? null, l.replay ?? null]),
      ).toEqual([
        ["hook.create", "ok", null, null],
        ["hook.delivery", "invalid", "webhook_in_progress", null],
        ["secret.put", "partial", null, null],
        ["hook.delivery", "partial", null, null],
        ["hook.delivery", "ok", null, true],
      ]);
    } finally {
      await broker.request("DELETE", "/v1/clusters/silent", { token: broker.adminToken });
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
