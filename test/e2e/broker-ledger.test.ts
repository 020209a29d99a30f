// "Synced to all clusters" that can be trusted (issue 11), in real workerd (Durable Objects) against
// real kube-apiservers. Each case failed on the broker before the intent ledger:
// 1. a PUT acknowledged while a DELETE was still running survives every later sync and the cron;
// 2. a namespace user on one cluster forges a copy (new value, a plain-SHA digest annotation,
//    updated-at 2099), or injects a new env secret: reported, copied nowhere;
// 3. a copy removed with a plain Kubernetes delete is reported and the cron does not bring it back,
//    while a copy missed because its cluster was stopped during the PUT is created by the cron;
// and no answer or annotation holds the plain SHA-256 of a value; an in-line sync of 300 secrets
// across 3 clusters makes no write.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminRequest, kubeconfigFor, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { startApiserver, stopApiserver } from "../cluster/control.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { plainSha256 } from "../support/keyring.ts";
import { type StallProxy, startStallProxy } from "../support/stall-proxy.ts";
import { b64, issueToken, newOwner, readSecret } from "./support.ts";

const clusters = inject("clusters");
const byName = Object.fromEntries(clusters.map((c) => [c.name, c]));
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const tag = randomBytes(2).toString("hex");
const CRON = "*/15 * * * *";

describe("the intent ledger and signed copies over three clusters", () => {
  let broker: RunningBroker;
  let slow: StallProxy;
  const answers: string[] = [];
  const owner = newOwner();
  let token: string;
  /** the clusters this broker knows: alpha, slowbeta (beta's apiserver behind a stall proxy), gamma */
  const NAMES = ["alpha", "gamma", "slowbeta"];
  const apiserverOf = { alpha: byName.alpha!, slowbeta: byName.beta!, gamma: byName.gamma! };

  const call = async (method: string, path: string, o: Parameters<RunningBroker["request"]>[2]) => {
    const res = await broker.request(method, path, o);
    answers.push(res.text);
    return res;
  };
  const put = (name: string, json: unknown, t = token) =>
    call("PUT", `/v1/secrets/${name}`, { token: t, json });
  const sync = (json: unknown, t = token) => call("POST", "/v1/sync", { token: t, json });
  const read = (cluster: keyof typeof apiserverOf, name: string) =>
    readSecret(apiserverOf[cluster], `${name}-${owner}`);

  beforeAll(async () => {
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { CLUSTER_TIMEOUT_MS: "20000", CLUSTER_RETRIES: "1" },
      testScheduled: true,
    });
    const beta = byName.beta!;
    slow = await startStallProxy(Number(new URL(beta.server).port));
    for (const [name, info, server] of [
      ["alpha", byName.alpha!, byName.alpha!.server],
      ["gamma", byName.gamma!, byName.gamma!.server],
      ["slowbeta", beta, slow.server],
    ] as const) {
      const res = await broker.request("PUT", `/v1/clusters/${name}`, {
        token: broker.adminToken,
        json: { kubeconfig: kubeconfigFor(info, "secrets-editor").replace(info.server, server) },
      });
      expect(res.status, res.text).toBe(201);
    }
    ({ token } = await issueToken(broker, { owners: [owner], label: "ledger-e2e" }));
  });

  afterAll(async () => {
    slow?.stall(false);
    await startApiserver("gamma").catch(() => {});
    await slow?.close();
    if (broker) {
      for (const text of answers) expect(text).not.toContain(CANARY);
      expect(broker.logs()).not.toContain(CANARY);
      await broker.stop();
    }
  });

  it("scenario 1: a PUT acknowledged while a DELETE still runs survives every sync and the cron", async () => {
    const name = `race-${tag}`;
    const { token: ab } = await issueToken(broker, {
      owners: [owner],
      clusters: ["alpha", "slowbeta"],
      label: "ledger-e2e-ab",
    });
    const first = await put(
      name,
      { kind: "env", source: { type: "inline", pairs: { V: "old" } } },
      ab,
    );
    expect(first.status, first.text).toBe(200);
    slow.stall(true); // slowbeta now holds every request until released
    const started = Date.now();
    let answered = false;
    const del = call("DELETE", `/v1/secrets/${name}`, { token: ab }).then((r) => {
      answered = true;
      return r;
    });
    while ((await read("alpha", name)) !== null) {
      if (Date.now() - started > 10_000) throw new Error("the DELETE never reached alpha");
      await new Promise((r) => setTimeout(r, 50));
    }
    const again = await put(
      name,
      { kind: "env", clusters: ["alpha"], source: { type: "inline", pairs: { V: CANARY } } },
      ab,
    );
    expect(again.status, again.text).toBe(200);
    expect(again.body.results.map((r: { status: string }) => r.status)).toEqual(["created"]);
    // slowbeta stays slow a while longer: the DELETE is still running after the PUT was answered
    await new Promise((r) => setTimeout(r, 1500));
    expect(answered).toBe(false);
    slow.stall(false);
    const deleted = await del;
    console.log(
      `DELETE with slowbeta stalled answered ${deleted.status} after ${Date.now() - started} ms`,
    );
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body.version).toBeLessThan(again.body.version);

    const res = await sync({});
    expect(res.status, res.text).toBe(200);
    expect(res.body.plan.filter((e: { secret: string }) => e.secret === name)).toEqual([]);
    expect((await broker.scheduled(CRON)).status).toBe(200);
    expect(await sync({ names: [name] })).toMatchObject({ status: 200, body: { plan: [] } });
    expect((await read("alpha", name))?.data).toEqual({ V: b64(CANARY) });
    expect(await read("slowbeta", name)).toBeNull();
    const one = await call("GET", `/v1/secrets/${name}`, { token: ab });
    expect(one.body.drift).toMatchObject({
      ledger: "current",
      version: again.body.version,
      reference: "alpha",
      inLine: true,
    });
  });

  it("scenario 2: a forged copy on one cluster is reported editedOutsideBroker and reaches no other", async () => {
    const name = `wandb-${tag}`;
    expect(
      (await put(name, { kind: "env", source: { type: "inline", pairs: { KEY: CANARY } } })).status,
    ).toBe(200);
    const alpha = byName.alpha!;
    const editor = alpha.tokens["secrets-editor"];
    const copy = await read("alpha", name);
    const forgedValue = `attacker-${tag}`;
    const lines = `KEY\0${await plainSha256(forgedValue)}\n`;
    const forged = {
      ...copy,
      metadata: {
        ...copy!.metadata,
        annotations: {
          ...copy!.metadata.annotations,
          "konduktor-broker/content-digest": `sha256:${await plainSha256(lines)}`,
          "konduktor-broker/updated-at": "2099-01-01T00:00:00Z",
        },
      },
      data: { KEY: b64(forgedValue) },
    };
    const path = `/api/v1/namespaces/${TEST_NAMESPACE}/secrets/${name}-${owner}`;
    const w = await adminRequest(alpha, "PUT", path, forged, editor);
    expect(w.status, w.body).toBe(200);
    // a new env secret, on alpha only, by the same namespace user
    const inject = `inject-${tag}`;
    const created = await adminRequest(
      alpha,
      "POST",
      `/api/v1/namespaces/${TEST_NAMESPACE}/secrets`,
      {
        metadata: {
          name: `${inject}-${owner}`,
          labels: {
            parent: "konduktor",
            "trainy.ai/secret-owner": owner,
            "trainy.ai/secret-basename": inject,
            "trainy.ai/secret-kind": "env",
          },
          annotations: { "konduktor-broker/updated-at": "2099-01-01T00:00:00Z" },
        },
        type: "Opaque",
        data: { LD_PRELOAD: b64("/tmp/evil.so") },
      },
      editor,
    );
    expect(created.status, created.body).toBe(201);

    const res = await sync({});
    expect(res.status, res.text).toBe(200);
    const mine = (l: { secret: string }[]) =>
      l.filter((e) => e.secret === name || e.secret === inject);
    expect(mine(res.body.plan)).toEqual([]);
    expect(mine(res.body.skipped)).toEqual([
      expect.objectContaining({ secret: name, cluster: "alpha", editedOutsideBroker: true }),
    ]);
    expect(mine(res.body.unledgered)).toEqual([
      { owner, secret: inject, secretName: `${inject}-${owner}`, clusters: ["alpha"] },
    ]);
    expect((await broker.scheduled(CRON)).status).toBe(200);
    for (const c of ["gamma", "slowbeta"] as const) {
      expect((await read(c, name))?.data, c).toEqual({ KEY: b64(CANARY) });
      expect(await read(c, inject), c).toBeNull();
    }
    const one = await call("GET", `/v1/secrets/${name}`, { token });
    expect(one.body.agree).toBe(false);
    expect(one.body.drift.clusters).toEqual([
      {
        cluster: "alpha",
        state: "different",
        keys: { missing: [], extra: [], changed: ["KEY"] },
        editedOutsideBroker: true,
      },
      { cluster: "gamma", state: "in-line" },
      { cluster: "slowbeta", state: "in-line" },
    ]);
    const list = await call("GET", "/v1/secrets", { token });
    const row = list.body.secrets.find((s: { name: string }) => s.name === inject);
    expect(row.drift).toMatchObject({ ledger: "unledgered", reference: null });
  });

  it("scenario 3: the cron does not restore a copy deleted by hand, but creates one missed while its cluster was stopped", async () => {
    const kept = `kept-${tag}`;
    const missed = `missed-${tag}`;
    expect((await put(kept, { source: { type: "inline", pairs: { K: CANARY } } })).status).toBe(
      200,
    );
    const gone = await adminRequest(
      byName.gamma!,
      "DELETE",
      `/api/v1/namespaces/${TEST_NAMESPACE}/secrets/${kept}-${owner}`,
      undefined,
      byName.gamma!.tokens["secrets-editor"],
    );
    expect(gone.status).toBe(200);
    await stopApiserver("gamma");
    try {
      expect((await put(missed, { source: { type: "inline", pairs: { M: CANARY } } })).status).toBe(
        207,
      );
    } finally {
      await startApiserver("gamma");
    }
    expect((await broker.scheduled(CRON)).status).toBe(200);
    expect((await read("gamma", missed))?.data).toEqual({ M: b64(CANARY) });
    expect(await read("gamma", kept)).toBeNull();
    const line = broker
      .logs()
      .split("\n")
      .filter((l) => l.includes('"type":"sync"') && l.includes('"trigger":"cron"'))
      .at(-1) as string;
    const cron = JSON.parse(line.slice(line.indexOf("{")));
    expect(cron.entries).toContainEqual({
      owner,
      secret: missed,
      cluster: "gamma",
      action: "create",
      status: "done",
    });
    expect(cron.entries.filter((e: { secret: string }) => e.secret === kept)).toEqual([]);
    const one = await call("GET", `/v1/secrets/${kept}`, { token });
    expect(one.body.drift.clusters).toContainEqual({
      cluster: "gamma",
      state: "missing",
      deletedOutsideBroker: true,
    });
    const plan = await sync({ dryRun: true });
    expect(plan.body.skipped).toContainEqual(
      expect.objectContaining({ secret: kept, cluster: "gamma", deletedOutsideBroker: true }),
    );
    // an explicit sync that names it brings it back
    const named = await sync({ names: [kept] });
    expect(named.body.plan).toEqual([
      expect.objectContaining({ secret: kept, cluster: "gamma", action: "create", status: "done" }),
    ]);
    expect((await read("gamma", kept))?.data).toEqual({ K: b64(CANARY) });
  });

  it("no digest in any answer or annotation is the plain SHA-256 of the value", async () => {
    const name = `pin-${tag}`;
    const pin = "4711"; // low entropy: a plain digest would give it away
    const sha = await plainSha256(pin);
    const lineSha = await plainSha256(`PIN\0${sha}\n`);
    const texts = [
      (await put(name, { kind: "env", source: { type: "inline", pairs: { PIN: pin } } })).text,
      (
        await put(name, {
          kind: "env",
          dryRun: true,
          source: { type: "inline", pairs: { PIN: pin } },
        })
      ).text,
      (await call("GET", `/v1/secrets/${name}`, { token })).text,
      (await call("GET", "/v1/secrets", { token })).text,
      (await sync({ dryRun: true, names: [name] })).text,
    ];
    const digest = JSON.parse(texts[0] as string).digests.PIN as string;
    expect(digest).toMatch(/^hmac-sha256:test1:[0-9a-f]{64}$/);
    expect(digest.split(":")[2]).not.toBe(sha);
    for (const text of texts) {
      expect(text).not.toContain(sha);
      expect(text).not.toContain(lineSha);
    }
    for (const c of NAMES as (keyof typeof apiserverOf)[]) {
      const annotations = JSON.stringify((await read(c, name))?.metadata.annotations);
      expect(annotations).not.toContain(sha);
      expect(annotations).not.toContain(lineSha);
      expect(annotations).toMatch(/"konduktor-broker\/signature":"v1:test1:/);
    }
  });

  it("an in-line sync of 300 secrets across 3 clusters makes 0 writes", async () => {
    const bulkOwner = newOwner();
    const { token: bulk } = await issueToken(broker, { owners: [bulkOwner], label: "ledger-bulk" });
    const names = Array.from({ length: 300 }, (_, i) => `bulk${i}-${tag}`);
    for (let i = 0; i < names.length; i += 4) {
      const batch = await Promise.all(
        names
          .slice(i, i + 4)
          .map((n) => put(n, { source: { type: "inline", pairs: { V: `v-${n}` } } }, bulk)),
      );
      for (const r of batch) expect(r.status, r.text).toBe(200);
    }
    const versions = async () => {
      const out: string[] = [];
      for (const info of [byName.alpha!, byName.beta!, byName.gamma!]) {
        const res = await adminRequest(
          info,
          "GET",
          `/api/v1/namespaces/${TEST_NAMESPACE}/secrets?labelSelector=${encodeURIComponent(`trainy.ai/secret-owner=${bulkOwner}`)}`,
        );
        const items = (
          JSON.parse(res.body) as {
            items: { metadata: { name: string; resourceVersion: string } }[];
          }
        ).items;
        out.push(
          ...items.map((s) => `${info.name}/${s.metadata.name}@${s.metadata.resourceVersion}`),
        );
      }
      return out.sort();
    };
    const before = await versions();
    expect(before).toHaveLength(900);
    const started = Date.now();
    const res = await sync({}, bulk);
    const ms = Date.now() - started;
    expect(res.status, res.text).toBe(200);
    expect(res.body.plan).toEqual([]);
    expect(res.body.summary).toMatchObject({
      secrets: 300,
      inLine: 300,
      planned: 0,
      done: 0,
      failed: 0,
    });
    expect(await versions()).toEqual(before);
    console.log(
      `in-line sync of 300 secrets × 3 clusters (workerd, Durable Objects): ${ms} ms, 0 writes`,
    );
  });
});
