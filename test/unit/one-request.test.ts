// One request per cluster (konduktor/apply-known.ts), counted on the fake clusters of the broker
// in-process: a PUT whose copy the ledger knows is one conditional JSON patch; a copy changed
// outside the broker makes that patch fail and the PUT read and write (never `unchanged`). The
// same counts are taken on the real apiserver through a counting proxy in
// test/integration/one-request.test.ts.
import { describe, expect, it, vi } from "vitest";
import { brokerKeyring } from "../../functions/ledger/keys.ts";
import { Ledger } from "../../functions/ledger/ledger.ts";
import { checkSeal } from "../../konduktor/format.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import { secretLabels } from "../../konduktor/secret.ts";
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
  const put = async (body: Record<string, unknown>, status = 200) => {
    const r = await b.call("PUT", "/v1/secrets/db", t, body);
    expect(r.status, r.text).toBe(status);
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

describe("one request per cluster: what the patch holds, and its refusals", () => {
  /** a failure of the n-th jsonPatch (1-based) on `cluster`, as the cluster answers it */
  const failPatch = (
    s: Awaited<ReturnType<typeof setup>>,
    cluster: string,
    n: number,
    code: "conflict" | "forbidden" | "unreachable",
    httpStatus: number,
  ) => {
    let seen = 0;
    s.kube(cluster).before = (method) => {
      if (method !== "jsonPatch" || ++seen !== n) return;
      throw new KubeError({ code, cluster, httpStatus, message: `refused: ${code}` });
    };
  };

  it("a PUT digests the request's values once, however many clusters it writes", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1", B: "2", C: "3" } } });
    s.calls();
    const labels: string[] = [];
    const real = crypto.subtle.sign.bind(crypto.subtle);
    const sign = vi.spyOn(crypto.subtle, "sign").mockImplementation(async (alg, key, data) => {
      const bytes = new Uint8Array(data as ArrayBuffer);
      const end = bytes.indexOf(0);
      const text = new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
      if (text.startsWith('["value"')) labels.push(text);
      return await real(alg, key, data);
    });
    try {
      const r = await s.put({ source: { type: "inline", pairs: { A: "1", B: "two", C: "3" } } });
      expect(statuses(r)).toEqual([
        ["alpha", "updated", 1],
        ["beta", "updated", 1],
      ]);
      expect(s.calls()).toEqual({ alpha: ["jsonPatch"], beta: ["jsonPatch"] });
    } finally {
      sign.mockRestore();
    }
    expect(labels).toEqual([
      `["value","${OWNER}","db","A"]`,
      `["value","${OWNER}","db","B"]`,
      `["value","${OWNER}","db","C"]`,
    ]);
  });

  it("key names sort in the managed keys and the answer, whatever order they come in", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { M: "1" } } });
    s.calls();
    const r = await s.put({ source: { type: "inline", pairs: { Z: "1", A: "2" } } });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch"], beta: ["jsonPatch"] });
    expect(r.results[0]).toMatchObject({ added: ["A", "Z"], changed: [], removed: [] });
    expect(
      s.kube("alpha").store.get(NAME)?.metadata.annotations?.["konduktor-broker/managed-keys"],
    ).toBe("A,M,Z");
    // unchanged: empty lists
    const again = await s.put({ source: { type: "inline", pairs: { Z: "1", A: "2" } } });
    expect(again.results[0]).toMatchObject({
      status: "unchanged",
      added: [],
      changed: [],
      removed: [],
      writes: 0,
    });
  });

  it("the same data to another placement, as immutable, or as another kind is written, one patch", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1" } } });
    s.calls();
    const placed = await s.put({
      clusters: ["alpha", "beta"],
      source: { type: "inline", pairs: { A: "1" } },
    });
    expect(statuses(placed)).toEqual([
      ["alpha", "updated", 1],
      ["beta", "updated", 1],
    ]);
    expect(
      s.kube("alpha").store.get(NAME)?.metadata.annotations?.["konduktor-broker/placement"],
    ).toBe("alpha,beta");
    const frozen = await s.put({ immutable: true, source: { type: "inline", pairs: { A: "1" } } });
    expect(statuses(frozen)).toEqual([
      ["alpha", "updated", 1],
      ["beta", "updated", 1],
    ]);
    expect(s.kube("alpha").store.get(NAME)?.immutable).toBe(true);
    expect(s.calls()).toEqual({
      alpha: ["jsonPatch", "jsonPatch"],
      beta: ["jsonPatch", "jsonPatch"],
    });
    await expectSigned(s, frozen.version);
  });

  it("an env secret made from a default one gets its kind label in the one patch", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1" } } });
    s.calls();
    const r = await s.put({ kind: "env", source: { type: "inline", pairs: { A: "1" } } });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch"], beta: ["jsonPatch"] });
    expect(statuses(r)).toEqual([
      ["alpha", "updated", 1],
      ["beta", "updated", 1],
    ]);
    expect(s.kube("alpha").store.get(NAME)?.metadata.labels?.["trainy.ai/secret-kind"]).toBe("env");
  });

  it("an immutable copy is read first when a key changes or is added (delete and create)", async () => {
    for (const pairs of [
      { A: "1", B: "3" },
      { A: "1", B: "2", C: "3" },
    ]) {
      const s = await setup();
      await s.put({ immutable: true, source: { type: "inline", pairs: { A: "1", B: "2" } } });
      s.calls();
      const r = await s.put({ immutable: true, source: { type: "inline", pairs } });
      expect(s.calls()).toEqual({
        alpha: ["get", "delete", "create"],
        beta: ["get", "delete", "create"],
      });
      expect(statuses(r)).toEqual([
        ["alpha", "updated", 2],
        ["beta", "updated", 2],
      ]);
    }
  });

  it("a merge whose own key was deleted outside: written back, the key no longer its own", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1", B: "2" } } });
    await s.kube("alpha").jsonPatch?.(NAME, [{ op: "remove", path: "/data/B" }]);
    s.calls();
    const r = await s.put({ source: { type: "inline", pairs: { A: "3" } } });
    expect(s.calls()).toEqual({
      alpha: ["jsonPatch", "jsonPatch", "jsonPatch"],
      beta: ["jsonPatch"],
    });
    expect(r.results[0]).toMatchObject({ changed: ["A"], removed: ["B"], writes: 2 });
    expect(s.kube("alpha").store.get(NAME)?.data).toEqual({ A: b64("3") });
    expect(
      s.kube("alpha").store.get(NAME)?.metadata.annotations?.["konduktor-broker/managed-keys"],
    ).toBe("A");
    await expectSigned(s, r.version);
  });

  it("keys the broker's merge found and kept are never taken over by a later one-patch write", async () => {
    const s = await setup();
    // made without the broker (Konduktor's CLI): X is not the broker's key
    for (const c of ["alpha", "beta"]) {
      await s.kube(c).create({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: NAME, labels: secretLabels(OWNER, "db", "default") },
        type: "Opaque",
        data: { A: b64("1"), X: b64("x") },
      });
    }
    await s.put({ source: { type: "inline", pairs: { A: "2" } } });
    s.calls();
    await s.put({ source: { type: "inline", pairs: { A: "3" } } });
    const managed = () =>
      s.kube("alpha").store.get(NAME)?.metadata.annotations?.["konduktor-broker/managed-keys"];
    expect(managed()).toBe("A");
    expect(s.kube("alpha").store.get(NAME)?.data).toEqual({ A: b64("3"), X: b64("x") });
    // both patches refused, then read and written (decision 0015)
    expect(s.calls().alpha).toEqual(["jsonPatch", "jsonPatch", "get", "mergePatch"]);
    // a merge that sends X too makes it the broker's: one request per cluster from then on
    await s.put({ source: { type: "inline", pairs: { A: "4", X: "x" } } });
    expect(managed()).toBe("A,X");
    s.calls();
    await s.put({ source: { type: "inline", pairs: { A: "5" } } });
    expect(s.calls()).toEqual({ alpha: ["jsonPatch"], beta: ["jsonPatch"] });
  });

  it("a refused patch that is not a failed test (conflict, no patch permission) reads and writes", async () => {
    for (const [code, httpStatus] of [
      ["conflict", 409],
      ["forbidden", 403],
    ] as const) {
      const s = await setup();
      await s.put({ source: { type: "inline", pairs: { A: "1" } } });
      s.calls();
      failPatch(s, "alpha", 1, code, httpStatus);
      const r = await s.put({ source: { type: "inline", pairs: { A: "2" } } });
      expect(s.calls(), code).toEqual({
        alpha: ["jsonPatch", "get", "mergePatch"],
        beta: ["jsonPatch"],
      });
      expect(statuses(r)).toEqual([
        ["alpha", "updated", 1],
        ["beta", "updated", 1],
      ]);
      expect(r.results[0].changedOutside).toBeUndefined();
    }
  });

  it("an unreachable cluster is that cluster's error, not a read: on the first patch or the write back", async () => {
    for (const n of [1, 2]) {
      const s = await setup();
      await s.put({ source: { type: "inline", pairs: { A: "1" } } });
      if (n === 2) await s.editOutside("alpha", { A: b64("edited") });
      s.calls();
      failPatch(s, "alpha", n, "unreachable", 0);
      const r = await s.put({ source: { type: "inline", pairs: { A: "2" } } }, 207);
      expect(s.calls().alpha).toEqual(n === 1 ? ["jsonPatch"] : ["jsonPatch", "jsonPatch"]);
      expect(r.results[0]).toMatchObject({
        cluster: "alpha",
        status: "error",
        code: "unreachable",
      });
      expect(r.results[1]).toMatchObject({ cluster: "beta", status: "updated" });
    }
  });

  it("a merge written back signs the keys it holds in order; a cluster lost before that is its error", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { B: "1" } } });
    await s.editOutside("alpha", { X: b64("x") });
    s.calls();
    const r = await s.put({ source: { type: "inline", pairs: { A: "2" } } });
    expect(s.calls().alpha).toEqual(["jsonPatch", "jsonPatch", "jsonPatch"]);
    expect(r.results[0]).toMatchObject({ added: ["A", "X"], changed: [], writes: 2 });
    expect(
      s.kube("alpha").store.get(NAME)?.metadata.annotations?.["konduktor-broker/managed-keys"],
    ).toBe("A,B");
    await expectSigned(s, r.version);

    // the same, with beta lost before its signature: that cluster's error, no read
    const t = await setup();
    await t.put({ source: { type: "inline", pairs: { B: "1" } } });
    await t.editOutside("beta", { X: b64("x") });
    t.calls();
    failPatch(t, "beta", 3, "unreachable", 0);
    const lost = await t.put({ source: { type: "inline", pairs: { A: "3" } } }, 207);
    expect(t.calls().beta).toEqual(["jsonPatch", "jsonPatch", "jsonPatch"]);
    expect(lost.results[1]).toMatchObject({
      cluster: "beta",
      status: "error",
      code: "unreachable",
    });
  });

  it("a copy changed again before it is signed as it holds: the read path signs it, writes counted", async () => {
    const s = await setup();
    await s.put({ source: { type: "inline", pairs: { A: "1" } } });
    await s.editOutside("alpha", { X: b64("x") });
    s.calls();
    failPatch(s, "alpha", 3, "conflict", 409);
    const r = await s.put({ source: { type: "inline", pairs: { A: "2" } } });
    expect(s.calls().alpha).toEqual(["jsonPatch", "jsonPatch", "jsonPatch", "get", "mergePatch"]);
    expect(r.results[0]).toMatchObject({ status: "updated", writes: 2, changedOutside: true });
    expect(s.kube("alpha").store.get(NAME)?.data).toEqual({ A: b64("2"), X: b64("x") });
    await expectSigned(s, r.version);
  });
});
