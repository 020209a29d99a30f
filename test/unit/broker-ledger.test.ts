// The broker in-process over fake clusters, by the intent ledger: the acceptance scenarios of the
// ledger (also run in real workerd against real apiservers in test/e2e/broker-ledger.test.ts),
// quick to run: an acknowledged PUT survives a slow DELETE, a forged copy reaches no other
// cluster, a copy deleted outside the broker is not restored by the cron, no answer holds a plain
// digest, and an in-line sync writes nothing.
import { describe, expect, it } from "vitest";
import { Ledger } from "../../functions/ledger/ledger.ts";
import { inProcessBroker } from "../support/in-process-broker.ts";
import { plainSha256 } from "../support/keyring.ts";
import { forge } from "../support/sync-fixtures.ts";

const OWNER = "0a1b2c3d";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const value = (kube: { store: Map<string, { data?: Record<string, string> }> }, name: string) =>
  kube.store.get(`${name}-${OWNER}`)?.data;

describe("the broker by the ledger (in-process)", () => {
  it("an acknowledged PUT survives a DELETE that was still running, every later sync and the cron", async () => {
    const b = await inProcessBroker(["alpha", "beta"]);
    const t = await b.token([OWNER], { clusters: ["alpha", "beta"] });
    expect(
      (
        await b.call("PUT", "/v1/secrets/race", t, {
          source: { type: "inline", pairs: { V: "one" } },
        })
      ).status,
    ).toBe(200);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    b.kubes.get("beta")!.before = async (method) => {
      if (method === "delete") await gate;
    };
    const del = b.call("DELETE", "/v1/secrets/race", t);
    while (value(b.kubes.get("alpha")!, "race")) await new Promise((r) => setTimeout(r, 1));
    const put = await b.call("PUT", "/v1/secrets/race", t, {
      clusters: ["alpha"],
      source: { type: "inline", pairs: { V: "two" } },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.results.map((r: { status: string }) => r.status)).toEqual(["created"]);
    release();
    expect((await del).status).toBe(200);
    b.kubes.get("beta")!.before = undefined;
    const sync = await b.call("POST", "/v1/sync", t, {});
    expect(sync.status, sync.text).toBe(200);
    expect(sync.body.plan).toEqual([]);
    await b.cron();
    expect(value(b.kubes.get("alpha")!, "race")).toEqual({ V: b64("two") });
    expect(value(b.kubes.get("beta")!, "race")).toBeUndefined();
    const entry = await new Ledger(b.records).get(OWNER, "race");
    expect(entry).toMatchObject({
      deleted: null,
      placement: ["alpha"],
      contentVersion: put.body.version,
    });
  });

  it("a copy forged on one cluster, and a secret injected there, reach no other cluster", async () => {
    const b = await inProcessBroker(["alpha", "beta", "gamma"]);
    const t = await b.token([OWNER]);
    await b.call("PUT", "/v1/secrets/wandb", t, {
      kind: "env",
      source: { type: "inline", pairs: { KEY: "good" } },
    });
    await forge(b.kubes.get("alpha")!, `wandb-${OWNER}`, { KEY: "attacker" });
    // a namespace user creates a new env secret on alpha only, with the labels Konduktor reads
    await b.kubes.get("alpha")!.create({
      metadata: {
        name: `inject-${OWNER}`,
        labels: {
          parent: "konduktor",
          "trainy.ai/secret-owner": OWNER,
          "trainy.ai/secret-basename": "inject",
          "trainy.ai/secret-kind": "env",
        },
        annotations: { "konduktor-broker/updated-at": "2099-01-01T00:00:00Z" },
      },
      data: { LD_PRELOAD: b64("/tmp/evil.so") },
    });
    const sync = await b.call("POST", "/v1/sync", t, {});
    expect(sync.status, sync.text).toBe(200);
    expect(sync.body.plan).toEqual([]);
    expect(sync.body.skipped).toEqual([
      expect.objectContaining({ secret: "wandb", cluster: "alpha", editedOutsideBroker: true }),
    ]);
    expect(sync.body.unledgered).toEqual([
      { owner: OWNER, secret: "inject", secretName: `inject-${OWNER}`, clusters: ["alpha"] },
    ]);
    await b.cron();
    for (const c of ["beta", "gamma"]) {
      expect(value(b.kubes.get(c)!, "wandb")).toEqual({ KEY: b64("good") });
      expect(value(b.kubes.get(c)!, "inject")).toBeUndefined();
    }
    const described = await b.call("GET", "/v1/secrets/wandb", t);
    expect(described.body.drift.clusters[0]).toMatchObject({
      cluster: "alpha",
      editedOutsideBroker: true,
    });
    const list = await b.call("GET", "/v1/secrets", t);
    expect(
      list.body.secrets.find((s: { name: string }) => s.name === "inject").drift,
    ).toMatchObject({
      ledger: "unledgered",
      inLine: false,
    });
  });

  it("a copy deleted by hand is not restored by the cron; a sync naming it restores it; a missed one is created", async () => {
    const b = await inProcessBroker(["alpha", "beta", "gamma"]);
    const t = await b.token([OWNER]);
    await b.call("PUT", "/v1/secrets/kept", t, { source: { type: "inline", pairs: { A: "1" } } });
    b.kubes.get("gamma")!.store.delete(`kept-${OWNER}`); // kubectl delete / konduktor secret delete
    b.kubes.get("beta")!.before = async (m) => {
      if (m !== "list") throw Object.assign(new Error("down"), { code: "unreachable" });
    };
    const missed = await b.call("PUT", "/v1/secrets/missed", t, {
      source: { type: "inline", pairs: { M: "1" } },
    });
    expect(missed.status).toBe(207);
    b.kubes.get("beta")!.before = undefined;
    const cron = await b.cron();
    expect(cron?.plan.map((e) => [e.secret, e.cluster, e.action, e.status])).toEqual([
      ["missed", "beta", "create", "done"],
    ]);
    expect(cron?.skipped).toEqual([
      expect.objectContaining({ secret: "kept", cluster: "gamma", deletedOutsideBroker: true }),
    ]);
    expect(value(b.kubes.get("gamma")!, "kept")).toBeUndefined();
    const drift = (await b.call("GET", "/v1/secrets/kept", t)).body.drift;
    expect(drift.clusters[2]).toEqual({
      cluster: "gamma",
      state: "missing",
      deletedOutsideBroker: true,
    });
    // a sync of all names does not restore it either; one that names it does
    expect((await b.call("POST", "/v1/sync", t, { names: ["k*"] })).body.plan).toEqual([]);
    const named = await b.call("POST", "/v1/sync", t, { names: ["kept"] });
    expect(named.body.plan).toEqual([
      expect.objectContaining({ cluster: "gamma", action: "create", status: "done" }),
    ]);
    expect(value(b.kubes.get("gamma")!, "kept")).toEqual({ A: b64("1") });
  });

  it("registering a cluster again with sync brings back what the ledger had confirmed there", async () => {
    const b = await inProcessBroker(["alpha", "beta"]);
    const t = await b.token([OWNER]);
    await b.call("PUT", "/v1/secrets/back", t, { source: { type: "inline", pairs: { A: "1" } } });
    b.kubes.get("beta")!.store.clear(); // beta was rebuilt: an empty cluster under the old name
    expect((await b.cron())?.plan).toEqual([]);
    const kubeconfig = [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: c, cluster: {server: https://beta.example:6443}}]",
      "users: [{name: u, user: {token: t0ken}}]",
      "contexts: [{name: x, context: {cluster: c, user: u}}]",
      "current-context: x",
    ].join("\n");
    const reg = await b.call("PUT", "/v1/clusters/beta", "a".repeat(40), {
      kubeconfig,
      sync: true,
    });
    expect(reg.status, reg.text).toBe(200);
    expect(
      reg.body.sync.plan.map((e: { secret: string; cluster: string; status: string }) => [
        e.secret,
        e.cluster,
        e.status,
      ]),
    ).toEqual([["back", "beta", "done"]]);
    expect(value(b.kubes.get("beta")!, "back")).toEqual({ A: b64("1") });
  });

  it("no answer holds the plain SHA-256 of a value", async () => {
    const b = await inProcessBroker(["alpha", "beta"]);
    const t = await b.token([OWNER]);
    // low entropy: a plain digest would give it away. The "!" keeps it out of every hex or base64
    // text by chance (with "1234" alone, a keyed digest held it about once in a hundred runs)
    const secret = "1234!";
    const sha = await plainSha256(secret);
    const texts = [
      (
        await b.call("PUT", "/v1/secrets/pin", t, {
          kind: "env",
          source: { type: "inline", pairs: { PIN: secret } },
        })
      ).text,
      (
        await b.call("PUT", "/v1/secrets/pin", t, {
          kind: "env",
          dryRun: true,
          source: { type: "inline", pairs: { PIN: secret } },
        })
      ).text,
      (await b.call("GET", "/v1/secrets/pin", t)).text,
      (await b.call("GET", "/v1/secrets", t)).text,
      (await b.call("POST", "/v1/sync", t, { dryRun: true })).text,
    ];
    for (const text of texts) {
      expect(text).not.toContain(sha);
      expect(text).not.toContain(secret);
    }
    const digest = JSON.parse(texts[0]!).digests.PIN as string;
    expect(digest).toMatch(/^hmac-sha256:k1:[0-9a-f]{64}$/);
    expect(digest.split(":")[2]).not.toBe(sha);
    for (const k of b.kubes.values()) {
      expect(JSON.stringify(k.store.get(`pin-${OWNER}`)?.metadata.annotations)).not.toContain(sha);
    }
  });

  it("an in-line sync of 300 secrets across 3 clusters writes nothing, to the clusters or the ledger", async () => {
    const b = await inProcessBroker(["alpha", "beta", "gamma"]);
    const t = await b.token([OWNER]);
    for (let i = 0; i < 300; i++) {
      const r = await b.call("PUT", `/v1/secrets/s${i}`, t, {
        source: { type: "inline", pairs: { V: `v${i}` } },
      });
      expect(r.status).toBe(200);
    }
    const writes = b.clusterWrites();
    b.records.reset();
    const sync = await b.call("POST", "/v1/sync", t, {});
    expect(sync.status).toBe(200);
    expect(sync.body.summary).toMatchObject({ secrets: 300, inLine: 300, planned: 0, done: 0 });
    expect(b.clusterWrites()).toBe(writes);
    // the ledger: one listing of the owner's shard, nothing committed (nor anywhere else)
    expect(b.records.countsFor("owner:")).toEqual({
      reads: 1,
      recordsRead: 300,
      commits: 0,
      steps: 0,
    });
    expect(b.records.counts).toMatchObject({ commits: 0, steps: 0 });
  });
});
