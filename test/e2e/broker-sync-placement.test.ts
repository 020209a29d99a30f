// Syncs in real workerd against three real kube-apiservers, with bound tokens and placement: a
// token bound to alpha deletes from alpha only and the cron does not delete beta's copy; a PUT to
// alpha only stays there; bad sync requests are 4xx and touch nothing; a sync of N secrets is
// measured. The canary value appears in no answer, plan or log line. Split from broker-sync.test.ts.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminRequest, TEST_NAMESPACE } from "../cluster/cluster.ts";
import type { RunningBroker } from "../support/broker.ts";
import { b64, issueToken, readSecret } from "./support.ts";
import { syncHarness } from "./sync-harness.ts";

const clusters = inject("clusters");
const byName = Object.fromEntries(clusters.map((c) => [c.name, c]));
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const TIMEOUT_MS = 4000;
const tag = randomBytes(2).toString("hex");

describe("sync with bound tokens and placement over three clusters", () => {
  const h = syncHarness({ clusters, canary: CANARY, timeoutMs: TIMEOUT_MS });
  const { owner, other, call, put, sync, register, cronRun, cronEntriesFor } = h;
  let broker: RunningBroker;
  let token: string;
  beforeAll(async () => {
    ({ broker, token } = h);
    expect((await register("gamma")).status).toBe(201);
  });

  it("a token bound to alpha deletes from alpha only: the cron does not delete beta's copy", async () => {
    const name = `bound-del-${tag}`;
    const secretName = `${name}-${owner}`;
    expect((await put(name, { source: { type: "inline", pairs: { B: CANARY } } })).status).toBe(
      200,
    );
    const { token: alphaToken } = await issueToken(broker, {
      owners: [owner],
      clusters: ["alpha"],
      label: "sync-e2e-alpha",
    });
    const del = await call("DELETE", `/v1/secrets/${name}`, { token: alphaToken });
    expect(del.status, del.text).toBe(200);
    expect(del.body.results.map((r: { cluster: string }) => r.cluster)).toEqual(["alpha"]);
    expect(cronEntriesFor(await cronRun(), name)).toEqual([]);
    expect(await readSecret(byName.alpha!, secretName)).toBeNull();
    for (const c of ["beta", "gamma"]) {
      expect((await readSecret(byName[c]!, secretName))?.data, c).toEqual({ B: b64(CANARY) });
    }
  });

  it("a PUT to alpha only stays on alpha: the cron does not copy it; describe says not-placed", async () => {
    const name = `placed-${tag}`;
    const secretName = `${name}-${owner}`;
    const w = await put(name, {
      source: { type: "inline", pairs: { P: CANARY } },
      clusters: ["alpha"],
    });
    expect(w.status, w.text).toBe(200);
    const alpha = await readSecret(byName.alpha!, secretName);
    expect(alpha?.metadata.annotations?.["konduktor-broker/placement"]).toBe("alpha");
    expect(cronEntriesFor(await cronRun(), name)).toEqual([]);
    expect((await sync({ names: [name] })).body.plan).toEqual([]);
    for (const c of ["beta", "gamma"])
      expect(await readSecret(byName[c]!, secretName), c).toBeNull();
    const one = await call("GET", `/v1/secrets/${name}`, { token });
    expect(one.status, one.text).toBe(200);
    expect(one.body.agree).toBe(true);
    expect(one.body.drift).toEqual({
      ledger: "current",
      version: w.body.version,
      reference: "alpha",
      inLine: true,
      clusters: [
        { cluster: "alpha", state: "in-line" },
        { cluster: "beta", state: "not-placed" },
        { cluster: "gamma", state: "not-placed" },
      ],
    });
    const list = await call("GET", "/v1/secrets", { token });
    const row = list.body.secrets.find((r: { name: string }) => r.name === name);
    expect(row.clusters).toEqual(["alpha"]);
    expect(row.drift.inLine).toBe(true);
  });

  it("bad sync requests are 4xx with what to fix, and touch nothing", async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ owners: [other] }, 403, /may not act for owner/],
      [{ clusters: ["nope"] }, 404, /no registered cluster named nope/],
      [{ source: "nope" }, 404, /no registered cluster named nope/],
      [{ names: ["Bad_Name"] }, 400, /Kubernetes name/],
      [{ extra: 1 }, 400, /unknown field/],
    ];
    for (const [json, status, message] of cases) {
      const res = await sync(json);
      expect(res.status, JSON.stringify(json)).toBe(status);
      expect(res.body.detail).toMatch(message);
    }
    const admin = await call("POST", "/v1/sync", { token: broker.adminToken, json: {} });
    expect(admin.status).toBe(403);
    const none = await call("POST", "/v1/sync", { json: {} });
    expect(none.status).toBe(401);
  });

  it("measures a sync of N secrets written to one cluster × 3 clusters", async () => {
    const N = 20;
    const names = Array.from({ length: N }, (_, i) => `bulk${i}-${tag}`);
    // written everywhere (placement all), then removed by hand from beta and gamma
    const writes = await Promise.all(
      names.map((n) => put(n, { source: { type: "inline", pairs: { V: `v-${n}`, W: "w" } } })),
    );
    expect(writes.map((w) => w.status)).toEqual(names.map(() => 200));
    for (const c of [byName.beta!, byName.gamma!]) {
      for (const n of names) {
        const r = await adminRequest(
          c,
          "DELETE",
          `/api/v1/namespaces/${TEST_NAMESPACE}/secrets/${n}-${owner}`,
        );
        expect(r.status).toBe(200);
      }
    }
    let started = Date.now();
    const plan = await sync({ dryRun: true, names });
    const planMs = Date.now() - started;
    expect(plan.body.plan).toHaveLength(2 * N);
    started = Date.now();
    const res = await sync({ names });
    const ms = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.summary).toMatchObject({ secrets: N, planned: 2 * N, done: 2 * N, failed: 0 });
    started = Date.now();
    const noop = await sync({ names });
    const noopMs = Date.now() - started;
    expect(noop.body.summary).toMatchObject({ secrets: N, inLine: N, planned: 0 });
    console.log(
      `sync of ${N} secrets (alpha → beta, gamma; ${2 * N} copies): dry run ${planMs} ms, sync ${ms} ms, in-line check ${noopMs} ms`,
    );
    for (const n of names) {
      for (const c of clusters) {
        expect((await readSecret(c, `${n}-${owner}`))?.data?.V).toBe(b64(`v-${n}`));
      }
    }
  });
});
