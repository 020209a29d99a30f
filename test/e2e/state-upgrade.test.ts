// Upgrading a broker whose state was written by the broker before the record store (the fixture
// test/fixtures/legacy-state, made by that broker's own code): on Workers its KV namespace (local
// KV under `--persist-to`, loaded with `wrangler kv bulk put`), on Node its JSON state file. The
// first start migrates it: every cluster, token, binding and hook is there and works.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../cluster/cluster.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { type JsonResponse, jsonRequest, spawnService } from "../support/service.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURE = join(ROOT, "test/fixtures/legacy-state");
const legacy = JSON.parse(readFileSync(join(FIXTURE, "state.json"), "utf8")) as Record<
  string,
  string
>;
const secrets = JSON.parse(readFileSync(join(FIXTURE, "secrets.json"), "utf8"));

type Call = (
  method: string,
  path: string,
  o?: Parameters<typeof jsonRequest>[3],
) => Promise<JsonResponse>;

/** Everything the old state held, checked through the upgraded broker's API. */
async function expectEverythingKept(call: Call) {
  const admin = { token: secrets.adminToken as string };
  const clusters = await call("GET", "/v1/clusters", admin);
  expect(
    clusters.body.clusters.map((c: { name: string; keyId: string }) => [c.name, c.keyId]),
  ).toEqual([
    ["legacy-east", "legacy1"],
    ["legacy-west", "legacy1"],
  ]);
  // the kubeconfig decrypts: the check reaches for the (absent) server, not a key error
  const health = await call("GET", "/v1/clusters/legacy-east/health", admin);
  expect([health.status, health.body.reachable, health.body.error?.code]).toEqual([
    200,
    false,
    "unreachable",
  ]);
  const tokens = (await call("GET", "/v1/tokens", admin)).body.tokens;
  expect(
    tokens
      .map((t: { label: string; revokedAt: string | null }) => [t.label, t.revokedAt !== null])
      .sort(),
  ).toEqual([
    ["legacy-reader", false],
    ["legacy-revoked", true],
    ["legacy-writer", false],
  ]);
  // a kept token authenticates (its clusters are gone, so every cluster fails): 502, not 401
  const listed = await call("GET", "/v1/secrets", { token: secrets.tokens.writer });
  expect([listed.status, listed.body.code]).toEqual([502, "cluster_unreachable"]);
  const revoked = await call("GET", "/v1/secrets", { token: secrets.tokens.revoked });
  expect(revoked.status).toBe(401);
  const bindings = (await call("GET", "/v1/oidc-bindings", admin)).body.bindings;
  expect(bindings).toEqual(
    (JSON.parse(legacy["oidc-bindings"] as string).bindings as { id: string }[]).sort((a, b) =>
      a.id.localeCompare(b.id),
    ),
  );
  const hooks = (await call("GET", "/v1/hooks", admin)).body.hooks;
  expect(hooks.map((h: { id: string; label: string }) => [h.id, h.label])).toEqual([
    [secrets.hook.id, "legacy-hook"],
  ]);
  // the hook's signing secret decrypts: signed deliveries pass; a remembered one is a replay,
  // the one stuck "processing" is tried again (and fails only on the absent clusters)
  const deliver = (id: string) => {
    const payload = JSON.stringify({
      name: "rotated-db",
      source: { type: "inline", pairs: { K: "v" } },
    });
    const now = new Date();
    return call("POST", `/v1/hooks/${secrets.hook.id}`, {
      body: payload,
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": new Webhook(secrets.hook.secret).sign(id, now, payload),
      },
    });
  };
  const replay = await deliver("msg_done");
  expect([replay.status, replay.body.replay, replay.body.firstRequestId]).toEqual([
    200,
    true,
    "req-done",
  ]);
  const stuck = await deliver("msg_stuck");
  expect([stuck.status, stuck.body.code]).toEqual([502, "cluster_unreachable"]);
}

describe("upgrade from the state of the broker before the record store", () => {
  const dir = mkdtempSync(join(tmpdir(), "konduktor-upgrade-"));
  let broker: RunningBroker | undefined;
  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("on Workers: the KV namespace is migrated into the Durable Objects on the first start", async () => {
    const persistTo = join(dir, "workers-state");
    const bulk = join(dir, "bulk.json");
    writeFileSync(
      bulk,
      JSON.stringify(Object.entries(legacy).map(([key, value]) => ({ key, value }))),
    );
    execFileSync(
      join(ROOT, "node_modules/.bin/wrangler"),
      [
        "kv",
        "bulk",
        "put",
        bulk,
        "--binding",
        "KONDUKTOR_KV",
        "--local",
        "--persist-to",
        persistTo,
        "--config",
        join(ROOT, "wrangler.jsonc"),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
        stdio: "pipe",
      },
    );
    broker = await startBroker({
      adminToken: secrets.adminToken,
      kek: secrets.kek,
      vars: { KEK_ID: secrets.kekId, CLUSTER_TIMEOUT_MS: "2000", CLUSTER_RETRIES: "0" },
      persistTo,
    });
    await expectEverythingKept(broker.request);
    const migration = broker
      .logs()
      .split("\n")
      .filter((l) => l.includes('"type":"migration"'));
    expect(migration.length).toBe(1);
    expect(JSON.parse(migration[0]!.slice(migration[0]!.indexOf("{")))).toMatchObject({
      clusters: 2,
      tokens: 3,
      oidcBindings: 2,
      hooks: 1,
      deliveries: 2,
      tombstones: 1,
    });
    // a restart on the same state does not migrate again
    await broker.stop();
    broker = await startBroker({
      adminToken: secrets.adminToken,
      kek: secrets.kek,
      vars: { KEK_ID: secrets.kekId },
      persistTo,
    });
    expect((await broker.request("GET", "/healthz")).status).toBe(200);
    expect(broker.logs()).not.toContain('"type":"migration"');
  });

  it("on Node: the JSON state file is migrated into node:sqlite on the first start", async () => {
    const stateFile = join(dir, "state.json");
    copyFileSync(join(FIXTURE, "state.json"), stateFile);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const service = await spawnService(process.execPath, [join(ROOT, "functions/node.ts")], {
      env: {
        ...process.env,
        ADMIN_TOKEN: secrets.adminToken,
        KEK: secrets.kek,
        KEK_ID: secrets.kekId,
        CLUSTER_TIMEOUT_MS: "2000",
        CLUSTER_RETRIES: "0",
        STATE_FILE: stateFile,
        STATE_DB: join(dir, "state.db"),
        PORT: String(port),
      },
      healthUrl: `${url}/healthz`,
      timeoutMs: 30_000,
    });
    try {
      await expectEverythingKept((method, path, o) => jsonRequest(url, method, path, o));
      // the old file is left as it was (a source only)
      expect(readFileSync(stateFile, "utf8")).toBe(
        readFileSync(join(FIXTURE, "state.json"), "utf8"),
      );
    } finally {
      await service.stop();
    }
  });
});
