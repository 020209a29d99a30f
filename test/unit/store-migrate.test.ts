// Upgrading from the key-value state written by the broker before the record store (the fixture
// test/fixtures/legacy-state/state.json, made by that broker's own code through its API; see
// generate.ts there): every cluster, token, binding, hook, delivery id and tombstone is kept, the
// kubeconfigs and hook secrets still decrypt, and the migration runs once.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createApp } from "../../functions/app.ts";
import { loadConfig } from "../../functions/config.ts";
import type { LogLine } from "../../functions/context.ts";
import { readLegacyStateFile } from "../../functions/store/legacy-file.ts";
import { MemoryStore } from "../../functions/store/memory-store.ts";
import { migrateKeyValueState } from "../../functions/store/migrate.ts";
import { MemoryShardedStore, type ShardedStore } from "../../functions/store/records.ts";
import { createFakeKube, type FakeKube } from "../support/fake-kube.ts";

const FIXTURE = join(import.meta.dirname, "../fixtures/legacy-state");
const legacy = JSON.parse(readFileSync(join(FIXTURE, "state.json"), "utf8")) as Record<
  string,
  string
>;
const secrets = JSON.parse(readFileSync(join(FIXTURE, "secrets.json"), "utf8"));
const ADMIN: string = secrets.adminToken;

function upgrade(records: ShardedStore = new MemoryShardedStore()) {
  const logs: LogLine[] = [];
  const kubes = new Map<string, FakeKube>();
  const app = createApp({
    config: loadConfig({
      ADMIN_TOKEN: ADMIN,
      KEK: secrets.kek,
      KEK_ID: "k2",
      KEK_PREVIOUS: `${secrets.kekId}:${secrets.kek}`,
      GITHUB_OIDC_ISSUER: "off",
    }),
    records,
    legacyState: readLegacyStateFile(join(FIXTURE, "state.json")) ?? new MemoryStore(),
    runtime: "node",
    connector: async (_k, { cluster }) => {
      let kube = kubes.get(cluster);
      if (!kube) {
        kube = createFakeKube({ cluster, namespace: "default" });
        kubes.set(cluster, kube);
      }
      return kube;
    },
    log: (l) => logs.push(l),
  });
  const call = async (method: string, path: string, token?: string, json?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(json ? { "content-type": "application/json" } : {}),
      },
      ...(json ? { body: JSON.stringify(json) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const deliver = async (id: string, body: unknown) => {
    const payload = JSON.stringify(body);
    const now = new Date();
    const res = await app.request(`/v1/hooks/${secrets.hook.id}`, {
      method: "POST",
      body: payload,
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": new Webhook(secrets.hook.secret).sign(id, now, payload),
      },
    });
    return { status: res.status, body: await res.json() };
  };
  return { app, call, deliver, logs, records };
}

const legacyRecord = (key: string) => JSON.parse(legacy[key] as string);

describe("upgrade from the key-value state of the broker before the record store", () => {
  it("keeps every cluster, and their kubeconfigs still decrypt", async () => {
    const { app, call } = upgrade();
    const listed = await call("GET", "/v1/clusters", ADMIN);
    expect(listed.status).toBe(200);
    expect(listed.body.clusters.map((c: { name: string }) => c.name)).toEqual([
      "legacy-east",
      "legacy-west",
    ]);
    const east = legacyRecord("cluster:legacy-east");
    expect(listed.body.clusters[0]).toEqual({
      name: "legacy-east",
      server: "https://127.0.0.1:9",
      namespace: "team-legacy-east",
      context: "legacy-east",
      addedAt: east.addedAt,
      updatedAt: east.updatedAt,
      keyId: "legacy1",
    });
    for (const name of ["legacy-east", "legacy-west"]) {
      expect(await app.services.registry.kubeconfigOf(name)).toBe(secrets.kubeconfigs[name]);
    }
  });

  it("keeps every API token: the valid ones work, the revoked one stays refused", async () => {
    const { call } = upgrade();
    const tokens = (await call("GET", "/v1/tokens", ADMIN)).body.tokens;
    expect(tokens.map((t: { label: string }) => t.label).sort()).toEqual([
      "legacy-reader",
      "legacy-revoked",
      "legacy-writer",
    ]);
    const revoked = tokens.find((t: { id: string }) => t.id === secrets.tokenIds.revoked);
    expect(revoked.revokedAt).toBe(legacyRecord(`token:${secrets.tokenIds.revoked}`).revokedAt);
    const put = await call("PUT", "/v1/secrets/upgraded", secrets.tokens.writer, {
      source: { type: "inline", pairs: { A: "1" } },
    });
    expect(put.status).toBe(200);
    expect(
      put.body.results.map((r: { cluster: string; status: string }) => [r.cluster, r.status]),
    ).toEqual([
      ["legacy-east", "created"],
      ["legacy-west", "created"],
    ]);
    const read = await call("GET", "/v1/secrets?owner=1b2c3d4e", secrets.tokens.reader);
    expect(read.status).toBe(200);
    expect((await call("GET", "/v1/secrets", secrets.tokens.revoked)).status).toBe(401);
  });

  it("keeps every OIDC binding (one record each now) and the hook, whose secret still verifies", async () => {
    const { call, deliver, records } = upgrade();
    const bindings = (await call("GET", "/v1/oidc-bindings", ADMIN)).body.bindings;
    expect(bindings).toEqual(
      (JSON.parse(legacy["oidc-bindings"] as string).bindings as { id: string }[]).sort((a, b) =>
        a.id.localeCompare(b.id),
      ),
    );
    expect((await records.shard("control").list("oidc-binding:")).map((r) => r.key)).toEqual([
      "oidc-binding:eval-any",
      "oidc-binding:train-main",
    ]);
    const hooks = (await call("GET", "/v1/hooks", ADMIN)).body.hooks;
    expect(hooks.map((h: { id: string; label: string }) => [h.id, h.label])).toEqual([
      [secrets.hook.id, "legacy-hook"],
    ]);
    const set = { name: "rotated-key", source: { type: "inline", pairs: { K: "v" } } };
    const applied = await deliver("msg_new", set);
    expect(applied.status).toBe(200);
    expect(applied.body.results.map((r: { status: string }) => r.status)).toEqual([
      "created",
      "created",
    ]);
  });

  it("keeps remembered deliveries: the answered one is a replay, the stuck one is applied", async () => {
    const { deliver } = upgrade();
    const set = { name: "rotated-db", source: { type: "inline", pairs: { K: "v" } } };
    const replay = await deliver("msg_done", set);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({
      replay: true,
      firstStatus: 200,
      firstRequestId: "req-done",
    });
    const stuck = await deliver("msg_stuck", set);
    expect(stuck.status).toBe(200);
    expect(stuck.body).toMatchObject({ replay: false, deliveryId: "msg_stuck" });
  });

  it("keeps the tombstone as it was", async () => {
    const { app, call } = upgrade();
    await call("GET", "/healthz");
    expect(await app.services.store.get("tombstone:0a1b2c3d:gone")).toBe(
      legacy["tombstone:0a1b2c3d:gone"],
    );
  });

  it("runs once: logged with its counts, not again, and never brings back what was deleted since", async () => {
    const first = upgrade();
    await first.call("GET", "/healthz");
    expect(first.logs.filter((l) => l.type === "migration")).toEqual([
      {
        type: "migration",
        from: "key-value state",
        clusters: 2,
        tokens: 3,
        oidcBindings: 2,
        hooks: 1,
        deliveries: 2,
        tombstones: 1,
        present: 0,
        skipped: 0,
      },
    ]);
    expect((await first.call("DELETE", "/v1/oidc-bindings/eval-any", ADMIN)).status).toBe(204);
    expect((await first.call("DELETE", "/v1/clusters/legacy-west", ADMIN)).status).toBe(204);
    const again = upgrade(first.records);
    const bindings = (await again.call("GET", "/v1/oidc-bindings", ADMIN)).body.bindings;
    expect(bindings.map((b: { id: string }) => b.id)).toEqual(["train-main"]);
    const clusters = (await again.call("GET", "/v1/clusters", ADMIN)).body.clusters;
    expect(clusters.map((c: { name: string }) => c.name)).toEqual(["legacy-east"]);
    expect(again.logs.filter((l) => l.type === "migration")).toEqual([]);
  });

  it("an interrupted migration finishes: what the new store already holds wins", async () => {
    const records = new MemoryShardedStore();
    const source = new MemoryStore();
    for (const [k, v] of Object.entries(legacy)) await source.put(k, v);
    const control = records.shard("control");
    const kept = JSON.stringify({
      ...legacyRecord(`token:${secrets.tokenIds.writer}`),
      label: "changed since",
    });
    await control.commit([{ key: `token:${secrets.tokenIds.writer}`, value: kept }]);
    const report = await migrateKeyValueState(source, records, new Date());
    expect(report).toMatchObject({ tokens: 2, present: 1, clusters: 2 });
    expect((await control.get(`token:${secrets.tokenIds.writer}`))?.value).toBe(kept);
    expect(await migrateKeyValueState(source, records, new Date())).toBeNull();
  });
});
