// Syncs in real workerd against three real kube-apiservers: a third cluster registered with `sync`
// catches up exactly; a secret written while a cluster was stopped arrives after the restart and a
// sync (POST /v1/sync and the cron's `scheduled` handler); a hand edit on one cluster is reported as
// drift, planned in a dry run, then repaired; a secret deleted through the broker stays deleted;
// the canary value appears in no answer, plan or log line. Bound tokens and placement:
// broker-sync-placement.test.ts; the shared harness: sync-harness.ts.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminRequest, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { startApiserver, stopApiserver } from "../cluster/control.ts";
import type { RunningBroker } from "../support/broker.ts";
import { b64, readSecret } from "./support.ts";
import { syncHarness } from "./sync-harness.ts";

const clusters = inject("clusters");
const byName = Object.fromEntries(clusters.map((c) => [c.name, c]));
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const TIMEOUT_MS = 4000;
const tag = randomBytes(2).toString("hex");

describe("sync, drift and catch-up over three clusters", () => {
  const h = syncHarness({ clusters, canary: CANARY, timeoutMs: TIMEOUT_MS });
  const { owner, other, call, put, sync, register, cronRun, cronEntriesFor, entriesFor } = h;
  let broker: RunningBroker;
  let token: string;
  let otherToken: string;
  beforeAll(() => {
    ({ broker, token, otherToken } = h);
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
      res.body.sync.plan
        .filter((e: { owner: string }) => e.owner === other)
        .map((e: { secret: string; action: string; status: string }) => [
          e.secret,
          e.action,
          e.status,
        ]),
    ).toEqual([[`theirs-${tag}`, "create", "done"]]);
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
    expect(
      broker
        .auditLines()
        .slice(-2)
        .map((l) => [l.method, l.path, l.action, l.outcome, l.entries, l.summary]),
    ).toEqual([
      [
        "POST",
        "/v1/sync",
        "sync",
        "ok",
        [{ owner, secret: name, cluster: "gamma", action: "create", status: "done" }],
        expect.objectContaining({ planned: 1, done: 1, failed: 0, unreadableClusters: 0 }),
      ],
      [
        "POST",
        "/v1/sync",
        "sync",
        "ok",
        [],
        expect.objectContaining({ planned: 0, done: 0, failed: 0, unreadableClusters: 0 }),
      ],
    ]);
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
    const line = await cronRun();
    expect((await readSecret(byName.beta!, `${name}-${owner}`))?.data).toEqual({ C: b64(CANARY) });
    expect(cronEntriesFor(line, name)).toEqual([
      { owner, secret: name, cluster: "beta", action: "create", status: "done" },
    ]);
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
    expect(cronEntriesFor(await cronRun(), name)).toEqual([]);
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
    expect(cronEntriesFor(await cronRun(), name)).toEqual([]);
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
});
