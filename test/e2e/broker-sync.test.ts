// Syncs in real workerd against three real kube-apiservers: a third cluster registered with `sync`
// catches up exactly; a secret written while a cluster was stopped arrives after the restart and a
// sync (POST /v1/sync and the cron's `scheduled` handler); a hand edit on one cluster is reported as
// drift, planned in a dry run, then repaired; a secret deleted through the broker stays deleted;
// the canary value appears in no answer, plan or log line.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminRequest, kubeconfigFor, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { startApiserver, stopApiserver } from "../cluster/control.ts";
import { type BrokerResponse, type RunningBroker, startBroker } from "../support/broker.ts";
import { b64, issueToken, newOwner, readSecret } from "./support.ts";

const clusters = inject("clusters");
const byName = Object.fromEntries(clusters.map((c) => [c.name, c]));
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const TIMEOUT_MS = 4000;
const tag = randomBytes(2).toString("hex");

describe("sync, drift and catch-up over three clusters", () => {
  let broker: RunningBroker;
  const answers: string[] = [];
  const owner = newOwner();
  const other = newOwner();
  let token: string;
  let otherToken: string;

  const call = async (method: string, path: string, o: Parameters<RunningBroker["request"]>[2]) => {
    const res = await broker.request(method, path, o);
    answers.push(res.text);
    return res;
  };
  const put = (name: string, json: unknown, t = token) =>
    call("PUT", `/v1/secrets/${name}`, { token: t, json });
  const sync = (json: unknown, t = token) => call("POST", "/v1/sync", { token: t, json });
  const register = (name: string, sync?: boolean) =>
    call("PUT", `/v1/clusters/${name}`, {
      token: broker.adminToken,
      json: {
        kubeconfig: kubeconfigFor(byName[name]!, "secrets-editor"),
        ...(sync === undefined ? {} : { sync }),
      },
    });
  const entriesFor = (res: BrokerResponse, secret: string) =>
    ((res.body.sync ?? res.body).plan as { secret: string; owner: string }[]).filter(
      (e) => e.secret === secret && e.owner === owner,
    );

  beforeAll(async () => {
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { CLUSTER_TIMEOUT_MS: String(TIMEOUT_MS), CLUSTER_RETRIES: "1" },
      testScheduled: true,
    });
    for (const name of ["alpha", "beta"]) expect((await register(name)).status).toBe(201);
    ({ token } = await issueToken(broker, { owners: [owner], label: "sync-e2e" }));
    ({ token: otherToken } = await issueToken(broker, { owners: [other], label: "sync-e2e-2" }));
  });

  afterAll(async () => {
    await startApiserver("gamma").catch(() => {});
    if (broker) {
      for (const text of answers) expect(text).not.toContain(CANARY);
      expect(broker.logs()).not.toContain(CANARY);
      await broker.stop();
    }
  });

  it("a third cluster registered with sync gets all of an owner's secrets, exactly as on the others", async () => {
    const names = [`env-${tag}`, `files-${tag}`, `dir-${tag}`];
    expect(
      (
        await put(names[0]!, {
          kind: "env",
          source: { type: "inline", pairs: { K: CANARY, J: "2" } },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await put(names[1]!, {
          source: {
            type: "files",
            files: [{ name: "creds.json", content: b64(`{"k":"${CANARY}"}`) }],
          },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await put(names[2]!, {
          source: {
            type: "directory",
            name: "conf",
            entries: [
              { path: "a.txt", content: b64("a") },
              { path: "sub/b.txt", content: b64(CANARY) },
            ],
          },
        })
      ).status,
    ).toBe(200);
    expect(
      (await put(`theirs-${tag}`, { source: { type: "inline", pairs: { X: "1" } } }, otherToken))
        .status,
    ).toBe(200);

    const started = Date.now();
    const res = await register("gamma", true);
    console.log(`register gamma with sync: HTTP ${res.status} in ${Date.now() - started} ms`);
    expect(res.status, res.text).toBe(201);
    expect(res.body.sync.targets).toEqual(["gamma"]);
    for (const name of names) {
      expect(entriesFor(res, name)).toEqual([
        expect.objectContaining({ cluster: "gamma", action: "create", status: "done" }),
      ]);
    }
    expect(
      res.body.sync.plan.some((e: { owner: string; secret: string }) => e.owner === other),
    ).toBe(true);
    for (const e of res.body.sync.plan) expect(e.cluster).toBe("gamma");
    for (const name of [...names.map((n) => `${n}-${owner}`), `theirs-${tag}-${other}`]) {
      const [a, g] = await Promise.all([
        readSecret(byName.alpha!, name),
        readSecret(byName.gamma!, name),
      ]);
      expect(g, name).not.toBeNull();
      expect(g?.data).toEqual(a?.data);
      expect(g?.type).toBe("Opaque");
      expect(g?.metadata.labels).toEqual(a?.metadata.labels);
      expect(g?.metadata.annotations?.["konduktor-broker/updated-via"]).toBe("sync:register");
      expect(g?.metadata.annotations?.["konduktor-broker/updated-at"]).toBe(
        a?.metadata.annotations?.["konduktor-broker/updated-at"],
      );
    }
    const list = await call("GET", "/v1/secrets", { token });
    expect(list.status).toBe(200);
    for (const row of list.body.secrets) {
      expect(row.clusters).toEqual(["alpha", "beta", "gamma"]);
      expect(row.drift.inLine).toBe(true);
    }
  });

  it("a secret written while a cluster is stopped is there after the restart and POST /v1/sync", async () => {
    const name = `down-${tag}`;
    await stopApiserver("gamma");
    const w = await put(name, { kind: "env", source: { type: "inline", pairs: { K: CANARY } } });
    expect(w.status).toBe(207);
    const during = await sync({ dryRun: true });
    expect(during.status, during.text).toBe(207);
    expect(
      during.body.results.find((r: { cluster: string }) => r.cluster === "gamma"),
    ).toMatchObject({ status: "error", code: "unreachable" });
    await startApiserver("gamma");

    const plan = await sync({ dryRun: true });
    expect(plan.status, plan.text).toBe(200);
    expect(entriesFor(plan, name)).toEqual([
      {
        owner,
        secret: name,
        secretName: `${name}-${owner}`,
        cluster: "gamma",
        action: "create",
        keys: ["K"],
        source: expect.stringMatching(/^(alpha|beta)$/),
        version: w.body.version,
        reason: "missing on gamma",
        status: "planned",
      },
    ]);
    expect(await readSecret(byName.gamma!, `${name}-${owner}`)).toBeNull();

    const started = Date.now();
    const done = await sync({});
    console.log(`POST /v1/sync (owner's secrets × 3 clusters): ${Date.now() - started} ms`);
    expect(done.status, done.text).toBe(200);
    expect(entriesFor(done, name)).toEqual([expect.objectContaining({ status: "done" })]);
    expect((await readSecret(byName.gamma!, `${name}-${owner}`))?.data).toEqual({ K: b64(CANARY) });
    const again = await sync({});
    expect(again.body.plan).toEqual([]);
    expect(broker.auditLines().some((l) => l.action === "sync" && l.outcome === "ok")).toBe(true);
  });

  it("the same through the cron's scheduled handler", async () => {
    const name = `cron-${tag}`;
    await stopApiserver("beta");
    try {
      expect(
        (await put(name, { kind: "env", source: { type: "inline", pairs: { C: CANARY } } })).status,
      ).toBe(207);
    } finally {
      await startApiserver("beta");
    }
    expect(await readSecret(byName.beta!, `${name}-${owner}`)).toBeNull();
    const res = await broker.scheduled("*/15 * * * *");
    expect(res.status, res.text).toBe(200);
    expect((await readSecret(byName.beta!, `${name}-${owner}`))?.data).toEqual({ C: b64(CANARY) });
    const line = broker
      .logs()
      .split("\n")
      .filter((l) => l.includes('"type":"sync"') && l.includes('"trigger":"cron"'))
      .at(-1);
    expect(line).toBeDefined();
    const parsed = JSON.parse(line!.slice(line!.indexOf("{")));
    expect(parsed.owners).toBe("all");
    expect(parsed.entries).toContainEqual({
      owner,
      secret: name,
      cluster: "beta",
      action: "create",
      status: "done",
    });
  });

  it("a key edited by hand on one cluster is drift: shown, planned in a dry run, repaired", async () => {
    const name = `drift-${tag}`;
    const secretName = `${name}-${owner}`;
    const written = await put(name, {
      kind: "env",
      source: { type: "inline", pairs: { A: CANARY, B: "b" } },
    });
    expect(written.status).toBe(200);
    const beta = byName.beta!;
    const s = await readSecret(beta, secretName);
    const edited = { ...s, data: { ...s!.data, A: b64("edited-by-hand") } };
    const w = await adminRequest(
      beta,
      "PUT",
      `/api/v1/namespaces/${TEST_NAMESPACE}/secrets/${secretName}`,
      edited,
    );
    expect(w.status, w.body).toBe(200);

    const one = await call("GET", `/v1/secrets/${name}`, { token });
    expect(one.status).toBe(200);
    expect(one.body.agree).toBe(false);
    expect(one.body.drift).toEqual({
      ledger: "current",
      version: written.body.version,
      reference: "alpha",
      inLine: false,
      clusters: [
        { cluster: "alpha", state: "in-line" },
        {
          cluster: "beta",
          state: "different",
          keys: { missing: [], extra: [], changed: ["A"] },
          editedOutsideBroker: true,
        },
        { cluster: "gamma", state: "in-line" },
      ],
    });
    const list = await call("GET", "/v1/secrets", { token });
    const row = list.body.secrets.find((r: { name: string }) => r.name === name);
    expect(row.drift.clusters[1]).toEqual({
      cluster: "beta",
      state: "different",
      keys: { missing: [], extra: [], changed: ["A"] },
      editedOutsideBroker: true,
    });

    const before = (await readSecret(beta, secretName))?.metadata.resourceVersion;
    // edited outside the broker: a sync without a named source leaves it alone (and says so)
    const hands = await sync({ names: [name] });
    expect(hands.status).toBe(200);
    expect(hands.body.plan).toEqual([]);
    expect(hands.body.skipped).toEqual([
      {
        owner,
        secret: name,
        secretName,
        cluster: "beta",
        editedOutsideBroker: true,
        reason:
          "the copy on beta was changed outside the broker (A differ from alpha): not used, not overwritten; name a source to copy from it or over it",
      },
    ]);
    await broker.scheduled("*/15 * * * *");
    expect((await readSecret(beta, secretName))?.metadata.resourceVersion).toBe(before);
    // naming the source repairs it: planned in a dry run, then done
    const plan = await sync({ dryRun: true, names: [name], source: "alpha" });
    expect(plan.status).toBe(200);
    expect(plan.body.plan).toEqual([
      expect.objectContaining({
        secret: name,
        cluster: "beta",
        action: "update",
        keys: ["A"],
        source: "alpha",
        status: "planned",
      }),
    ]);
    expect((await readSecret(beta, secretName))?.metadata.resourceVersion).toBe(before);

    const fixed = await sync({ names: [name], source: "alpha" });
    expect(fixed.status).toBe(200);
    expect(fixed.body.plan).toEqual([expect.objectContaining({ cluster: "beta", status: "done" })]);
    expect((await readSecret(beta, secretName))?.data).toEqual({ A: b64(CANARY), B: b64("b") });
    const after = await call("GET", `/v1/secrets/${name}`, { token });
    expect(after.body.agree).toBe(true);
    expect(after.body.drift.inLine).toBe(true);
  });

  it("a secret deleted through the broker stays deleted after a sync; a later PUT brings it back", async () => {
    const name = `del-${tag}`;
    const secretName = `${name}-${owner}`;
    expect((await put(name, { source: { type: "inline", pairs: { D: CANARY } } })).status).toBe(
      200,
    );
    await stopApiserver("gamma");
    const del = await call("DELETE", `/v1/secrets/${name}`, { token });
    await startApiserver("gamma");
    expect(del.status).toBe(207);
    expect(await readSecret(byName.gamma!, secretName)).not.toBeNull();

    const plan = await sync({ dryRun: true, names: [name] });
    expect(plan.body.plan).toEqual([
      expect.objectContaining({ cluster: "gamma", action: "delete", keys: ["D"], source: null }),
    ]);
    const res = await sync({});
    expect(res.status, res.text).toBe(200);
    expect(entriesFor(res, name)).toEqual([
      expect.objectContaining({ cluster: "gamma", action: "delete", status: "done" }),
    ]);
    for (const c of clusters) expect(await readSecret(c, secretName), c.name).toBeNull();
    await broker.scheduled("*/15 * * * *");
    expect(entriesFor(await sync({}), name)).toEqual([]);
    for (const c of clusters) expect(await readSecret(c, secretName), c.name).toBeNull();

    // an explicit PUT to one cluster brings it back there only (placement alpha; the tombstone
    // still covers beta and gamma); a PUT to every cluster brings it back everywhere
    expect(
      (await put(name, { source: { type: "inline", pairs: { D: "back" } }, clusters: ["alpha"] }))
        .status,
    ).toBe(200);
    const back = await sync({ names: [name] });
    expect(back.body.plan).toEqual([]);
    expect(await readSecret(byName.beta!, secretName)).toBeNull();
    expect((await put(name, { source: { type: "inline", pairs: { D: "back" } } })).status).toBe(
      200,
    );
    expect(entriesFor(await sync({}), name)).toEqual([]);
    for (const c of clusters)
      expect((await readSecret(c, secretName))?.data).toEqual({ D: b64("back") });
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
    const res = await broker.scheduled("*/15 * * * *");
    expect(res.status, res.text).toBe(200);
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
    const res = await broker.scheduled("*/15 * * * *");
    expect(res.status, res.text).toBe(200);
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
    expect(writes.every((w) => w.status === 200)).toBe(true);
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
