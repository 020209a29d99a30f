// What the ledger knows of a copy for the one-request write: confirmations carry the copy's
// resourceVersion, `knownCopy` hands it out only for the current content with known digests, and
// a content digest computed from per-key digests alone is the one computed from the values.
import { describe, expect, it } from "vitest";
import { confirm, knownCopy, type LedgerEntry, startWrite } from "../../functions/ledger/entry.ts";
import { Ledger } from "../../functions/ledger/ledger.ts";
import { digestsOf, digestValues } from "../../konduktor/format.ts";
import { CountingShardedStore } from "../support/counting-records.ts";
import { testKeyring } from "../support/keyring.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const WRITE = {
  kind: "default" as const,
  placement: ["beta", "alpha"],
  mode: "replace" as const,
  prune: false,
  immutable: false,
  keyId: "t1",
  digests: { A: "hmac-sha256:t1:aa" },
  by: "token:x",
};

function written(): LedgerEntry {
  const e = startWrite(null, "0a1b2c3d", "db", 4, WRITE, "2026-01-01T00:00:00Z");
  return { ...e, contentDigest: "hmac-sha256:t1:cc", digests: { A: "hmac-sha256:t1:aa" } };
}

describe("confirmations with resourceVersions", () => {
  it("a newer version replaces; the same one updates the resourceVersion only; an older changes nothing", () => {
    let e = confirm(written(), [
      { cluster: "alpha", version: 4, state: "written", resourceVersion: "10" },
    ]);
    expect(e.clusters.alpha).toEqual({ version: 4, state: "written", resourceVersion: "10" });
    e = confirm(e, [{ cluster: "alpha", version: 4, state: "written", resourceVersion: "11" }]);
    expect(e.clusters.alpha).toEqual({ version: 4, state: "written", resourceVersion: "11" });
    e = confirm(e, [{ cluster: "alpha", version: 4, state: "written" }]);
    expect(e.clusters.alpha).toEqual({ version: 4, state: "written", resourceVersion: "11" });
    e = confirm(e, [{ cluster: "alpha", version: 3, state: "written", resourceVersion: "9" }]);
    expect(e.clusters.alpha).toEqual({ version: 4, state: "written", resourceVersion: "11" });
    e = confirm(e, [{ cluster: "alpha", version: 5, state: "deleted" }]);
    expect(e.clusters.alpha).toEqual({ version: 5, state: "deleted" });
  });
});

describe("knownCopy", () => {
  const at = (e: LedgerEntry, rv?: string, version = 4) =>
    confirm(e, [
      { cluster: "alpha", version, state: "written", ...(rv ? { resourceVersion: rv } : {}) },
    ]);

  it("the current content confirmed with a resourceVersion: what the copy was signed with", () => {
    expect(knownCopy(at(written(), "10"), "alpha")).toEqual({
      resourceVersion: "10",
      version: 4,
      kind: "default",
      placement: "alpha,beta",
      digests: { A: "hmac-sha256:t1:aa" },
      immutable: false,
    });
  });

  it("nothing known: another cluster, no resourceVersion, an older version, unknown content, deleted", () => {
    expect(knownCopy(at(written(), "10"), "beta")).toBeUndefined();
    expect(knownCopy(at(written()), "alpha")).toBeUndefined();
    expect(
      knownCopy(at({ ...written(), contentVersion: 6, version: 6 }, "10"), "alpha"),
    ).toBeUndefined();
    expect(knownCopy(at({ ...written(), digests: null }, "10"), "alpha")).toBeUndefined();
    const deleted = { version: 7, by: "token:x", at: "2026-01-01T00:00:00Z" };
    expect(knownCopy(at({ ...written(), deleted }, "10"), "alpha")).toBeUndefined();
    expect(knownCopy(null, "alpha")).toBeUndefined();
  });
});

describe("digestsOf", () => {
  it("gives the digests and content digest digestValues gives for the same data", async () => {
    const keyring = await testKeyring("t1");
    const data = { B: b64("two"), A: b64("one") };
    const full = await digestValues(keyring.current, "0a1b2c3d", "db", data);
    const fromDigests = await digestsOf(keyring.current, "0a1b2c3d", "db", full.digests);
    expect(fromDigests).toEqual(full);
    expect(Object.keys(fromDigests?.digests ?? {})).toEqual(["A", "B"]);
  });

  it("is null for a digest under another key id", async () => {
    const keyring = await testKeyring("t2");
    expect(
      await digestsOf(keyring.current, "0a1b2c3d", "db", { A: "hmac-sha256:t1:aa" }),
    ).toBeNull();
  });
});

describe("recordMany", () => {
  const OWNER = "0a1b2c3d";
  const request = { ...WRITE, placement: "all" as const };

  it("records 70 secrets in 2 steps, keeping the write of a request that started since", async () => {
    const records = new CountingShardedStore();
    const ledger = new Ledger(records);
    const names = Array.from({ length: 70 }, (_, i) => `s${i}`);
    for (const n of names) await ledger.beginWrite(OWNER, n, request);
    // another request writes s2 after the sync read the clusters, before it records
    await ledger.beginWrite(OWNER, "s2", { ...request, digests: { B: "hmac-sha256:t1:bb" } });
    records.reset();
    const seen = new Map(
      names.map((n, i) => [
        n,
        {
          confirmations: [
            {
              cluster: "alpha",
              version: i + 1,
              state: "written" as const,
              resourceVersion: `rv${i}`,
            },
          ],
        },
      ]),
    );
    await ledger.recordMany(OWNER, seen);
    // 64 + 6 entries: two steps, nothing read or committed besides
    expect(records.counts).toEqual({ reads: 0, recordsRead: 0, commits: 0, steps: 2 });
    const s0 = await ledger.get(OWNER, "s0");
    expect(s0?.clusters).toEqual({
      alpha: { version: 1, state: "written", resourceVersion: "rv0" },
    });
    const s69 = await ledger.get(OWNER, "s69");
    expect(s69?.clusters).toEqual({
      alpha: { version: 70, state: "written", resourceVersion: "rv69" },
    });
    const s2 = await ledger.get(OWNER, "s2");
    expect(s2?.version).toBe(71); // the later write's version stays
    expect(s2?.clusters).toEqual({
      alpha: { version: 3, state: "written", resourceVersion: "rv2" },
    });
  });
});
