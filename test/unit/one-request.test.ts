// One request per cluster (konduktor/apply-known.ts), counted on the fake clusters of the broker
// in-process: a PUT whose copy the ledger knows is one conditional JSON patch; a copy changed
// outside the broker makes that patch fail and the PUT read and write (never `unchanged`). The
// same counts are taken on the real apiserver through a counting proxy in
// test/integration/one-request.test.ts.
import { describe, expect, it } from "vitest";
import { brokerKeyring } from "../../functions/ledger/keys.ts";
import { Ledger } from "../../functions/ledger/ledger.ts";
import { checkSeal } from "../../konduktor/format.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import type { FakeKube } from "../support/fake-kube.ts";
import { inProcessBroker } from "../support/in-process-broker.ts";

const OWNER = "0a1b2c3d";
const NAME = `db-${OWNER}`;
const b64 = (s: string) => Buffer.from(s).toString("base64");

async function setup() {
  const b = await inProcessBroker(["alpha", "beta"]);
  const t = await b.token([OWNER]);
  const kube = (c: string) => b.kubes.get(c) as FakeKube;
  const calls = () =>
    Object.fromEntries(
      ["alpha", "beta"].map((c) => [
        c,
        kube(c)
          .calls.splice(0)
          .map((x) => x.method),
      ]),
    );
  const put = async (body: Record<string, unknown>) => {
    const r = await b.call("PUT", "/v1/secrets/db", t, body);
    expect(r.status, r.text).toBe(200);
    return r.body;
  };
  const rv = (c: string) => kube(c).store.get(NAME)?.metadata.resourceVersion;
  /** an edit made with kubectl, outside the broker */
  const editOutside = async (c: string, data: Record<string, string>) => {
    await kube(c).mergePatch(NAME, { data });
    kube(c).calls.splice(0);
  };
  return { b, kube, calls, put, rv, editOutside };
}

/** every copy holds a valid signature of `version` (the content it holds, signed) */
async function expectSigned(s: Awaited<ReturnType<typeof setup>>, version: number) {
  const keyring = await brokerKeyring(s.b.app.services.config);
  for (const c of ["alpha", "beta"]) {
    const copy = s.kube(c).store.get(NAME) as KubeSecret;
    expect(await checkSeal(keyring, copy), c).toMatchObject({ state: "valid", version });
  }
}

const statuses = (body: { results: { cluster: string; status: string; writes: number }[] }) =>
  body.results.map((r) => [r.cluster, r.status, r.writes]);

describe("a PUT whose copies the ledger knows: one request per cluster", () => {
  it("new: read and create; changed: ONE patch; unchanged: ONE check that stores nothing", async () => {
    const s = await setup();
    const first = await s.put({ source: { type: "inline", pairs: { A: "1", B: "2" } } });
    expect(statuses(first)).toEqual([
      ["alpha", "created", 1],
      ["beta", "created", 1],
    ]);
    expect(s.calls()).toEqual({ alpha: ["get", "create"], beta: ["get", "create"] });

    const changed = await s.put({
      mode: "replace",
      source: { type: "inline", pairs: { A: "one", C: "3" } },
    });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch"], beta: ["jsonPatch"] });
    expect(changed.results).toMatchObject([
      { cluster: "alpha", status: "updated", added: ["C"], changed: ["A"], removed: ["B"] },
      { cluster: "beta", status: "updated", added: ["C"], changed: ["A"], removed: ["B"] },
    ]);
    const keyring = await brokerKeyring(s.b.app.services.config);
    for (const c of ["alpha", "beta"]) {
      const copy = s.kube(c).store.get(NAME);
      expect(copy?.data).toEqual({ A: b64("one"), C: b64("3") });
      expect(copy?.metadata.annotations?.["konduktor-broker/managed-keys"]).toBe("A,C");
      expect(await checkSeal(keyring, copy as KubeSecret)).toMatchObject({
        state: "valid",
        version: changed.version,
      });
    }
    const entry = await new Ledger(s.b.records).get(OWNER, "db");
    expect(entry?.clusters).toEqual({
      alpha: { version: changed.version, state: "written", resourceVersion: s.rv("alpha") },
      beta: { version: changed.version, state: "written", resourceVersion: s.rv("beta") },
    });

    const before = [s.rv("alpha"), s.rv("beta")];
    const again = await s.put({
      mode: "replace",
      source: { type: "inline", pairs: { A: "one", C: "3" } },
    });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch"], beta: ["jsonPatch"] });
    expect(statuses(again)).toEqual([
      ["alpha", "unchanged", 0],
      ["beta", "unchanged", 0],
    ]);
    expect(again.version).toBe(changed.version);
    expect([s.rv("alpha"), s.rv("beta")]).toEqual(before);
  });

  it("a copy changed outside the broker: the patch is refused, a second one writes it back, no read", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1" } } });
    s.calls();
    await s.editOutside("alpha", { A: b64("edited") });
    const r = await s.put({ source: { type: "inline", pairs: { A: "2" } } });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch", "jsonPatch"], beta: ["jsonPatch"] });
    expect(r.results).toMatchObject([
      { cluster: "alpha", status: "updated", added: [], changed: ["A"], removed: [], writes: 1 },
      { cluster: "beta", status: "updated", added: [], changed: ["A"], removed: [], writes: 1 },
    ]);
    expect(r.results[0].changedOutside).toBe(true);
    expect(r.results[1].changedOutside).toBeUndefined();
    expect(s.kube("alpha").store.get(NAME)?.data).toEqual({ A: b64("2") });
    expect(s.kube("beta").store.get(NAME)?.data).toEqual({ A: b64("2") });
    await expectSigned(s, r.version);
    // the ledger learned the new resourceVersion: the next PUT is one request again
    await s.put({ source: { type: "inline", pairs: { A: "3" } } });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch"], beta: ["jsonPatch"] });
  });

  it("a key added outside the broker stays (a merge): written back, then signed as the copy holds it", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1" } } });
    await s.editOutside("alpha", { X: b64("x") });
    s.calls();
    const r = await s.put({ source: { type: "inline", pairs: { A: "2" } } });
    // the refused patch, the write back, and the signature over what the copy holds (X too)
    expect(s.calls()).toEqual({
      alpha: ["jsonPatch", "jsonPatch", "jsonPatch"],
      beta: ["jsonPatch"],
    });
    expect(r.results[0]).toMatchObject({
      status: "updated",
      added: ["X"],
      changed: ["A"],
      removed: [],
      writes: 2,
      changedOutside: true,
    });
    expect(s.kube("alpha").store.get(NAME)?.data).toEqual({ A: b64("2"), X: b64("x") });
    // X is not the broker's key: a prune never removes it
    expect(
      s.kube("alpha").store.get(NAME)?.metadata.annotations?.["konduktor-broker/managed-keys"],
    ).toBe("A");
    await expectSigned(s, r.version);
    // the copies now differ (X on alpha only): the ledger settles no content, so the next PUT reads
    await s.put({ source: { type: "inline", pairs: { A: "3" } } });
    expect(s.calls()).toEqual({ alpha: ["get", "mergePatch"], beta: ["get", "mergePatch"] });
  });

  it("a merge that does not send a key edited outside keeps the edit and signs it", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1", B: "2" } } });
    await s.editOutside("beta", { B: b64("edited") });
    s.calls();
    const r = await s.put({ source: { type: "inline", pairs: { A: "one" } } });
    expect(s.calls()).toEqual({
      alpha: ["jsonPatch"],
      beta: ["jsonPatch", "jsonPatch", "jsonPatch"],
    });
    expect(r.results).toMatchObject([
      { cluster: "alpha", added: [], changed: ["A"], removed: [], writes: 1 },
      {
        cluster: "beta",
        added: [],
        changed: ["A", "B"],
        removed: [],
        writes: 2,
        changedOutside: true,
      },
    ]);
    expect(s.kube("beta").store.get(NAME)?.data).toEqual({ A: b64("one"), B: b64("edited") });
    expect(
      s.kube("beta").store.get(NAME)?.metadata.annotations?.["konduktor-broker/managed-keys"],
    ).toBe("A,B");
    await expectSigned(s, r.version);
  });

  it("replace: a key added outside the broker goes with the write back, in two requests", async () => {
    const s = await setup();
    await s.put({ mode: "replace", source: { type: "inline", pairs: { A: "1" } } });
    await s.editOutside("alpha", { X: b64("x") });
    s.calls();
    const r = await s.put({ mode: "replace", source: { type: "inline", pairs: { A: "1" } } });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch", "jsonPatch"], beta: ["jsonPatch"] });
    expect(statuses(r)).toEqual([
      ["alpha", "updated", 1],
      ["beta", "unchanged", 0],
    ]);
    expect(r.results[0]).toMatchObject({
      added: [],
      changed: [],
      removed: [],
      changedOutside: true,
    });
    expect(s.kube("alpha").store.get(NAME)?.data).toEqual({ A: b64("1") });
    await expectSigned(s, r.version);
  });

  it("the same value again after an edit outside the broker is written back, never `unchanged`", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1" } } });
    s.calls();
    await s.editOutside("beta", { A: b64("edited") });
    const r = await s.put({ source: { type: "inline", pairs: { A: "1" } } });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch"], beta: ["jsonPatch", "jsonPatch"] });
    expect(statuses(r)).toEqual([
      ["alpha", "unchanged", 0],
      ["beta", "updated", 1],
    ]);
    expect(r.results[1]).toMatchObject({
      added: [],
      changed: [],
      removed: [],
      changedOutside: true,
    });
    expect(s.kube("beta").store.get(NAME)?.data).toEqual({ A: b64("1") });
    await expectSigned(s, r.version);
  });

  it("a copy whose signature was changed outside the broker is read before it is written", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1" } } });
    await s.kube("alpha").mergePatch(NAME, {
      metadata: { annotations: { "konduktor-broker/signature": "forged" } },
    });
    s.calls();
    const r = await s.put({ source: { type: "inline", pairs: { A: "2" } } });
    // both patches refused (resourceVersion, then the signature): the read path decides
    expect(s.calls()).toEqual({
      alpha: ["jsonPatch", "jsonPatch", "get", "mergePatch"],
      beta: ["jsonPatch"],
    });
    expect(statuses(r)).toEqual([
      ["alpha", "updated", 1],
      ["beta", "updated", 1],
    ]);
    await expectSigned(s, r.version);
  });

  it("a copy deleted outside the broker is created again (patch refused, create, no read)", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1" } } });
    await s.kube("alpha").delete(NAME);
    s.calls();
    const r = await s.put({ source: { type: "inline", pairs: { A: "2" } } });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch", "create"], beta: ["jsonPatch"] });
    expect(statuses(r)).toEqual([
      ["alpha", "created", 1],
      ["beta", "updated", 1],
    ]);
    expect(r.results[0].changedOutside).toBe(true);
    expect(s.kube("alpha").store.get(NAME)?.data).toEqual({ A: b64("2") });
    await expectSigned(s, r.version);
  });

  it("merge with prune: the keys the broker wrote and the request left out go, in one patch", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1", B: "2" } } });
    s.calls();
    const r = await s.put({ prune: true, source: { type: "inline", pairs: { A: "1", C: "3" } } });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch"], beta: ["jsonPatch"] });
    expect(r.results[0]).toMatchObject({ added: ["C"], changed: [], removed: ["B"] });
    expect(s.kube("alpha").store.get(NAME)?.data).toEqual({ A: b64("1"), C: b64("3") });
  });

  it("an immutable copy whose data changes is deleted and created (read first, as before)", async () => {
    const s = await setup();
    await s.put({ immutable: true, source: { type: "inline", pairs: { A: "1" } } });
    s.calls();
    const r = await s.put({ immutable: true, source: { type: "inline", pairs: { A: "2" } } });
    expect(s.calls()).toEqual({
      alpha: ["get", "delete", "create"],
      beta: ["get", "delete", "create"],
    });
    expect(statuses(r)).toEqual([
      ["alpha", "updated", 2],
      ["beta", "updated", 2],
    ]);
  });
});
