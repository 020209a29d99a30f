// What a sync costs in requests, counted on the fake clusters of the broker in-process: it writes
// from the copies it listed (no read per copy beyond its LISTs), an in-line sync writes nothing
// (to the clusters or the ledger), the ledger records a sync's confirmations in a few commits,
// and a PUT after a sync is one request per cluster (the sync
// recorded each written copy's resourceVersion).
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { ClusterRegistry } from "../../functions/registry/clusters.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import type { FakeKube } from "../support/fake-kube.ts";
import { ADMIN, inProcessBroker } from "../support/in-process-broker.ts";

const OWNER = "0a1b2c3d";
const SECRETS = 300;
const b64 = (s: string) => Buffer.from(s).toString("base64");

const tally = (kube: FakeKube) => {
  const counts: Record<string, number> = {};
  for (const c of kube.calls.splice(0)) counts[c.method] = (counts[c.method] ?? 0) + 1;
  return counts;
};

describe("sync requests", () => {
  it(`sync of ${SECRETS} secrets: LISTs and the writes only; in line: LISTs only`, async () => {
    const b = await inProcessBroker(["alpha", "beta", "gamma"]);
    const t = await b.token([OWNER]);
    const kube = (c: string) => b.kubes.get(c) as FakeKube;
    // beta and gamma unreachable while the secrets are written: they are on alpha only
    for (const c of ["beta", "gamma"]) {
      kube(c).before = () => {
        throw new KubeError({ code: "unreachable", cluster: c, message: `${c} is down` });
      };
    }
    for (let i = 0; i < SECRETS; i++) {
      const r = await b.call("PUT", `/v1/secrets/s${i}`, t, {
        source: { type: "inline", pairs: { A: `v${i}` } },
      });
      expect(r.status, r.text).toBe(207);
    }
    for (const c of ["alpha", "beta", "gamma"]) {
      kube(c).before = undefined;
      kube(c).calls.splice(0);
    }

    const before = { ...b.records.counts };
    const sync = await b.call("POST", "/v1/sync", t, {});
    expect(sync.status, sync.text).toBe(200);
    // the confirmations of 300 secrets of one owner: one step per 64 secrets, not one each
    expect(b.records.counts.steps - before.steps).toBe(Math.ceil(SECRETS / 64));
    expect(b.records.counts.commits - before.commits).toBe(0);
    expect(sync.body.summary).toMatchObject({
      secrets: SECRETS,
      planned: 2 * SECRETS,
      done: 2 * SECRETS,
      failed: 0,
    });
    expect(tally(kube("alpha"))).toEqual({ list: 1 });
    expect(tally(kube("beta"))).toEqual({ list: 1, create: SECRETS });
    expect(tally(kube("gamma"))).toEqual({ list: 1, create: SECRETS });
    expect(kube("gamma").store.get(`s7-${OWNER}`)?.data).toEqual({ A: b64("v7") });

    const { commits, steps } = b.records.counts;
    const again = await b.call("POST", "/v1/sync", t, {});
    expect(again.status, again.text).toBe(200);
    expect(again.body.summary).toMatchObject({ secrets: SECRETS, inLine: SECRETS, planned: 0 });
    for (const c of ["alpha", "beta", "gamma"]) expect(tally(kube(c))).toEqual({ list: 1 });
    expect(b.records.counts).toMatchObject({ commits, steps });

    // the sync confirmed each copy with its resourceVersion: a PUT is one request per cluster
    const put = await b.call("PUT", "/v1/secrets/s7", t, {
      source: { type: "inline", pairs: { A: "changed" } },
    });
    expect(put.status, put.text).toBe(200);
    for (const c of ["alpha", "beta", "gamma"]) expect(tally(kube(c))).toEqual({ jsonPatch: 1 });
  });

  it("a copy that changed between the listing and the write is read again, then written", async () => {
    const b = await inProcessBroker(["alpha", "beta"]);
    const t = await b.token([OWNER]);
    const kube = (c: string) => b.kubes.get(c) as FakeKube;
    const put = (clusters: string[], value: string) =>
      b.call("PUT", "/v1/secrets/db", t, {
        clusters,
        source: { type: "inline", pairs: { A: value } },
      });
    expect((await put(["alpha", "beta"], "1")).status).toBe(200);
    // beta misses version 2 (down), so the sync updates it from alpha
    kube("beta").before = () => {
      throw new KubeError({ code: "unreachable", cluster: "beta", message: "beta is down" });
    };
    expect((await put(["alpha", "beta"], "2")).status).toBe(207);
    // between the sync's LIST and its write, someone touches beta's copy
    let touched = false;
    kube("beta").before = async (method) => {
      if (method === "replace" && !touched) {
        touched = true;
        kube("beta").before = undefined;
        await kube("beta").mergePatch(`db-${OWNER}`, { metadata: { labels: { extra: "x" } } });
      }
    };
    kube("beta").calls.splice(0);
    const sync = await b.call("POST", "/v1/sync", t, {});
    expect(sync.status, sync.text).toBe(200);
    expect(sync.body.plan).toMatchObject([{ cluster: "beta", action: "update", status: "done" }]);
    expect(kube("beta").calls.map((c) => c.method)).toEqual([
      "list",
      "replace",
      "mergePatch",
      "get",
      "replace",
    ]);
    expect(kube("beta").store.get(`db-${OWNER}`)?.data).toEqual({ A: b64("2") });
  });
  it("a sync's writes are opened as wide as they may be in flight; its LISTs as its clusters", async () => {
    // the width decides, on Workers, whether requests leave through the clusters' links
    // (functions/connect-edge.ts): a sync writes many secrets to one cluster at once
    for (const [concurrency, secrets, width, listWidth] of [
      ["32", 10, 10, 2],
      ["4", 10, 4, 2],
      ["1", 10, 1, 1],
    ] as const) {
      const widths: string[] = [];
      // gamma is registered but not the token's: the LISTs are 2 wide, not 3
      const b = await inProcessBroker(["alpha", "beta", "gamma"], {
        vars: { FANOUT_CONCURRENCY: concurrency },
        onConnect: (cluster, w) => widths.push(`${cluster} ${w}`),
      });
      const t = await b.token([OWNER], { clusters: ["alpha", "beta"] });
      const beta = b.kubes.get("beta") as FakeKube;
      beta.before = () => {
        throw new KubeError({ code: "unreachable", cluster: "beta", message: "beta is down" });
      };
      for (let i = 0; i < secrets; i++) {
        const r = await b.call("PUT", `/v1/secrets/s${i}`, t, {
          source: { type: "inline", pairs: { A: `v${i}` } },
        });
        expect(r.status, r.text).toBe(207);
      }
      beta.before = undefined;
      widths.length = 0;
      const sync = await b.call("POST", "/v1/sync", t, {});
      expect(sync.status, sync.text).toBe(200);
      expect(sync.body.summary).toMatchObject({ planned: secrets, done: secrets });
      expect(widths.sort()).toEqual(
        [
          `alpha ${listWidth}`,
          `beta ${listWidth}`,
          ...Array.from({ length: secrets }, () => `beta ${width}`),
        ].sort(),
      );
    }
  });
  it("a sync reads the registry once: the credential and the clusters are its control reads", async () => {
    const b = await inProcessBroker(["alpha", "beta"]);
    const t = await b.token([OWNER]);
    const put = await b.call("PUT", "/v1/secrets/db", t, {
      source: { type: "inline", pairs: { A: "1" } },
    });
    expect(put.status, put.text).toBe(200);
    b.records.reset();
    const sync = await b.call("POST", "/v1/sync", t, {});
    expect(sync.status, sync.text).toBe(200);
    // the token's record, then the registry's listing: its names and records from one read
    expect(b.records.countsFor("control")).toEqual({
      reads: 2,
      recordsRead: 3,
      commits: 0,
      steps: 0,
    });
  });

  it("a webhook's sync reads the registry once too", async () => {
    const b = await inProcessBroker(["alpha", "beta"]);
    const hook = (
      await b.request("POST", "/v1/hooks", {
        token: ADMIN,
        // named clusters: the delivery's lease does not count the registry's
        json: { owners: [OWNER], clusters: ["alpha", "beta"], names: ["*"], allowSync: true },
      })
    ).body;
    const body = JSON.stringify({ sync: {} });
    const at = new Date();
    const list = vi.spyOn(ClusterRegistry.prototype, "list");
    const names = vi.spyOn(ClusterRegistry.prototype, "names");
    const delivered = await b.request("POST", `/v1/hooks/${hook.id}`, {
      body,
      headers: {
        "content-type": "application/json",
        "webhook-id": "msg_registry_once",
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": new Webhook(hook.secret).sign("msg_registry_once", at, body),
      },
    });
    const calls = [list.mock.calls.length, names.mock.calls.length];
    list.mockRestore();
    names.mockRestore();
    expect(delivered.status, delivered.text).toBe(200);
    expect(delivered.body.summary).toMatchObject({ failed: 0 });
    // one listing serves the scope's names and the run's records
    expect(calls).toEqual([1, 0]);
  });

  it("a sync with a bad name is refused before the registry is read", async () => {
    const b = await inProcessBroker(["alpha", "beta"]);
    const t = await b.token([OWNER]);
    b.records.reset();
    const sync = await b.call("POST", "/v1/sync", t, { names: ["Not_Valid"] });
    expect(sync.status, sync.text).toBe(400);
    // the token's record only
    expect(b.records.countsFor("control")).toEqual({
      reads: 1,
      recordsRead: 1,
      commits: 0,
      steps: 0,
    });
  });
  it("a copy a broker DELETE removes while the sync lists is not restored, even when named", async () => {
    // the DELETE (alpha only) runs inside alpha's LIST: the sync must read the ledger after its
    // listing, where the deletion is recorded, and not take alpha's missing copy for one deleted
    // outside the broker (which a sync naming the secret exactly would create again)
    const b = await inProcessBroker(["alpha", "beta"]);
    const t = await b.token([OWNER]);
    const put = await b.call("PUT", "/v1/secrets/db", t, {
      source: { type: "inline", pairs: { A: "1" } },
    });
    expect(put.status, put.text).toBe(200);
    const alpha = b.kubes.get("alpha") as FakeKube;
    let deleting = false;
    let deleted = 0;
    alpha.before = async (method) => {
      // once, and not for the DELETE's own calls
      if (method !== "list" || deleting) return;
      deleting = true;
      deleted = (await b.call("DELETE", "/v1/secrets/db?clusters=alpha", t)).status;
    };
    const sync = await b.call("POST", "/v1/sync", t, { names: ["db"] });
    expect(deleted).toBe(200);
    expect(sync.status, sync.text).toBe(200);
    expect(sync.body.summary).toMatchObject({ planned: 0, done: 0 });
    expect(alpha.store.get(`db-${OWNER}`)).toBeUndefined();
    expect((b.kubes.get("beta") as FakeKube).store.get(`db-${OWNER}`)?.data).toEqual({
      A: b64("1"),
    });
  });
});
