// The broker's state is consistent (Durable Objects with SQLite storage, in REAL workerd): admin
// writes of different entities never undo each other, a revoked token is refused on the very next
// request, and an old webhook delivery re-sent after a newer one was applied changes nothing.
import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApiserver, stopApiserver } from "../cluster/control.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { b64, issueToken, newOwner, readSecret, registerClusters } from "./support.ts";

const clusters = inject("clusters");
const alpha = clusters.find((c) => c.name === "alpha")!;

const binding = (owner: string) => ({
  match: { repository: "acme/train", ref: "refs/heads/main" },
  owners: [owner],
});

describe("consistent broker state (workerd, Durable Objects)", () => {
  let broker: RunningBroker;
  const admin = (method: string, path: string, json?: unknown) =>
    broker.request(method, path, { token: broker.adminToken, json });
  const bindingIds = async () =>
    ((await admin("GET", "/v1/oidc-bindings")).body.bindings as { id: string }[]).map((b) => b.id);

  beforeAll(async () => {
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { CLUSTER_TIMEOUT_MS: "5000", CLUSTER_RETRIES: "0" },
    });
    await registerClusters(broker, [alpha]);
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it("20 concurrent PUTs of distinct OIDC bindings: all 20 answer 201 and all 20 remain", async () => {
    const owner = newOwner();
    const ids = Array.from({ length: 20 }, (_, i) => `many-${String(i).padStart(2, "0")}`);
    const answers = await Promise.all(
      ids.map((id) => admin("PUT", `/v1/oidc-bindings/${id}`, binding(owner))),
    );
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 201));
    expect((await bindingIds()).filter((id) => id.startsWith("many-"))).toEqual(ids);
  });

  it("a DELETE racing a PUT of another binding always wins for its own binding (11 rounds)", async () => {
    const owner = newOwner();
    for (let round = 0; round < 11; round++) {
      const doomed = `doomed-${round}`;
      const other = `other-${round}`;
      expect((await admin("PUT", `/v1/oidc-bindings/${doomed}`, binding(owner))).status).toBe(201);
      const [deleted, put] = await Promise.all([
        admin("DELETE", `/v1/oidc-bindings/${doomed}`),
        admin("PUT", `/v1/oidc-bindings/${other}`, binding(owner)),
      ]);
      expect([deleted.status, put.status]).toEqual([204, 201]);
      expect((await admin("GET", `/v1/oidc-bindings/${doomed}`)).status).toBe(404);
      const ids = await bindingIds();
      expect([ids.includes(doomed), ids.includes(other)]).toEqual([false, true]);
    }
  });

  it("a revoked API token is refused on the very next request (5 rounds)", async () => {
    const owner = newOwner();
    for (let round = 0; round < 5; round++) {
      const { token, id } = await issueToken(broker, { owners: [owner], label: `revoke-${round}` });
      expect((await broker.request("GET", "/v1/secrets", { token })).status).toBe(200);
      expect((await admin("DELETE", `/v1/tokens/${id}`)).status).toBe(200);
      const refused = await broker.request("GET", "/v1/secrets", { token });
      expect([refused.status, refused.body.code]).toEqual([401, "unauthorized"]);
    }
  });

  it("a delivery that failed everywhere, re-sent after a newer one was applied, is refused 409 webhook_stale and the newer value stays", async () => {
    const owner = newOwner();
    const created = await admin("POST", "/v1/hooks", {
      owners: [owner],
      clusters: ["alpha"],
      names: ["rotated-*"],
    });
    expect(created.status).toBe(201);
    const hook = created.body as { id: string; secret: string };
    const deliver = (id: string, value: string) => {
      const payload = JSON.stringify({
        name: "rotated-db",
        source: { type: "inline", pairs: { PASSWORD: value } },
      });
      const now = new Date();
      return broker.request("POST", `/v1/hooks/${hook.id}`, {
        body: payload,
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
          "webhook-signature": new Webhook(hook.secret).sign(id, now, payload),
        },
      });
    };
    const old = `msg_${randomUUID()}`;
    await stopApiserver("alpha");
    let failed: Awaited<ReturnType<typeof deliver>>;
    try {
      failed = await deliver(old, "old-value");
    } finally {
      await startApiserver("alpha");
    }
    expect([failed.status, failed.body.results[0].cluster]).toEqual([502, "alpha"]);
    // the newer delivery, at least one second later (webhook-timestamp is in whole seconds)
    await new Promise((r) => setTimeout(r, 1_100));
    const newer = await deliver(`msg_${randomUUID()}`, "new-value");
    expect([newer.status, newer.body.results[0].status]).toEqual([200, "created"]);
    // the sender retries the old delivery, signed anew with the current time
    const stale = await deliver(old, "old-value");
    expect([stale.status, stale.body.code]).toEqual([409, "webhook_stale"]);
    expect(stale.body.detail).toContain(`delivery ${old}`);
    expect((await readSecret(alpha, `rotated-db-${owner}`))?.data).toEqual({
      PASSWORD: b64("new-value"),
    });
  });
});
