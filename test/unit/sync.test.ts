// konduktor/sync.ts on three fake clusters: source choice, drift, plan (create / update / delete),
// tombstones, named source, git-ssh one per owner, execution copies exactly, values never in plans.
import { describe, expect, it } from "vitest";
import { applySecret, describeSecret } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import {
  driftOf,
  executePlan,
  groupCopies,
  planSync,
  readCopies,
  type Tombstone,
  tombstoneKey,
} from "../../konduktor/sync.ts";
import type { SecretDescription } from "../../konduktor/types.ts";
import { createFakeKube, type FakeKube } from "../support/fake-kube.ts";

const OWNER = "0a1b2c3d";
const CANARY = "canary-value-never-in-a-plan";
const NAMES = ["alpha", "beta", "gamma"];

function clusters(): Map<string, FakeKube> {
  return new Map(NAMES.map((n) => [n, createFakeKube({ cluster: n })]));
}

async function put(
  kube: FakeKube,
  basename: string,
  pairs: Record<string, string>,
  at: string,
  kind: "env" | "default" = "env",
) {
  await applySecret(
    kube,
    buildSecret({ owner: OWNER, basename, kind, source: { type: "inline", pairs } }),
    {
      mode: "replace",
      provenance: { actor: "token:t", via: "broker", at },
    },
  );
}

async function read(kubes: Map<string, FakeKube>, owners: string[] | "all" = [OWNER]) {
  const copies = (
    await Promise.all([...kubes].map(([name, kube]) => readCopies(kube, name, owners)))
  ).flat();
  return groupCopies(copies);
}

describe("sync planning", () => {
  it("copies a secret missing on one cluster from the newest copy, exactly", async () => {
    const kubes = clusters();
    await put(kubes.get("alpha")!, "db", { A: CANARY, B: "2" }, "2025-01-01T00:00:02Z");
    await put(kubes.get("beta")!, "db", { A: "old" }, "2025-01-01T00:00:01Z");
    const secrets = await read(kubes);
    const plan = planSync({ clusters: NAMES, secrets });
    expect(plan.entries).toEqual([
      expect.objectContaining({
        secret: "db",
        cluster: "beta",
        action: "update",
        keys: ["A", "B"],
        source: "alpha",
      }),
      expect.objectContaining({
        secret: "db",
        cluster: "gamma",
        action: "create",
        keys: ["A", "B"],
        source: "alpha",
      }),
    ]);
    expect(JSON.stringify(plan)).not.toContain(CANARY);
    const results = await executePlan({ plan, secrets, open: async (c) => kubes.get(c)! });
    expect(results.map((r) => r.status)).toEqual(["done", "done"]);
    const data = NAMES.map((n) => kubes.get(n)!.store.get(`db-${OWNER}`)?.data);
    expect(data[1]).toEqual(data[0]);
    expect(data[2]).toEqual(data[0]);
    const again = planSync({ clusters: NAMES, secrets: await read(kubes) });
    expect(again.entries).toEqual([]);
    expect(again.inLine).toBe(1);
  });

  it("a hand edit is drift flagged editedOutsideBroker: not overwritten unless a source is named", async () => {
    const kubes = clusters();
    for (const k of kubes.values()) await put(k, "api", { A: "1", B: "2" }, "2025-01-01T00:00:00Z");
    const beta = kubes.get("beta")!;
    const s = beta.store.get(`api-${OWNER}`)!;
    s.data = { ...s.data, B: Buffer.from("hand").toString("base64") };
    const secrets = await read(kubes);
    const found = new Map<string, SecretDescription>();
    for (const [c, copy] of secrets[0]!.copies) found.set(c, copy.description);
    const drift = driftOf(NAMES, found);
    expect(drift.inLine).toBe(false);
    expect(drift.reference).toBe("alpha");
    expect(drift.clusters).toEqual([
      { cluster: "alpha", state: "in-line" },
      {
        cluster: "beta",
        state: "different",
        keys: { missing: [], extra: [], changed: ["B"] },
        editedOutsideBroker: true,
      },
      { cluster: "gamma", state: "in-line" },
    ]);
    const plan = planSync({ clusters: NAMES, secrets });
    expect(plan.entries).toEqual([]);
    expect(plan.inLine).toBe(0);
    expect(plan.skipped).toEqual([
      {
        owner: OWNER,
        secret: "api",
        secretName: `api-${OWNER}`,
        cluster: "beta",
        reason:
          "the copy on beta was changed outside the broker (B differ from alpha): not overwritten; name a source to copy from it",
      },
    ]);
    const named = planSync({ clusters: NAMES, secrets, source: "alpha" });
    expect(named.entries).toEqual([
      expect.objectContaining({ cluster: "beta", action: "update", keys: ["B"], source: "alpha" }),
    ]);
  });

  it("a CLI merge on one cluster (broker's updated-at kept) is not reverted, and is never the source", async () => {
    const kubes = clusters();
    for (const k of kubes.values()) await put(k, "m", { A: "1" }, "2025-01-01T00:00:00Z");
    const alpha = kubes.get("alpha")!;
    const s = alpha.store.get(`m-${OWNER}`)!;
    s.data = { ...s.data, NEW: Buffer.from("cli").toString("base64") };
    kubes.set("delta", createFakeKube({ cluster: "delta" }));
    const secrets = await read(kubes);
    const plan = planSync({ clusters: [...NAMES, "delta"], secrets });
    // delta gets the broker's content from beta (alpha's edited copy is not a source); alpha is kept
    expect(plan.entries.map((e) => [e.cluster, e.action, e.source])).toEqual([
      ["delta", "create", "beta"],
    ]);
    expect(plan.skipped.map((k) => k.cluster)).toEqual(["alpha"]);
  });

  it("placement: a secret is copied only to the clusters its source copy was placed on", async () => {
    const kubes = clusters();
    const only = async (kube: FakeKube, basename: string, placement: string, at: string) =>
      applySecret(
        kube,
        buildSecret({
          owner: OWNER,
          basename,
          kind: "env",
          source: { type: "inline", pairs: { A: "1" } },
        }),
        { mode: "replace", placement, provenance: { actor: "token:t", via: "broker", at } },
      );
    await only(kubes.get("alpha")!, "mine", "alpha", "2025-01-01T00:00:00Z");
    await only(kubes.get("alpha")!, "two", "alpha,beta", "2025-01-01T00:00:00Z");
    await put(kubes.get("alpha")!, "cli", { A: "1" }, "2025-01-01T00:00:00Z"); // no annotation: all
    const secrets = await read(kubes);
    const plan = planSync({ clusters: NAMES, secrets });
    expect(plan.entries.map((e) => [e.secret, e.cluster, e.action])).toEqual([
      ["cli", "beta", "create"],
      ["cli", "gamma", "create"],
      ["two", "beta", "create"],
    ]);
    expect(plan.inLine).toBe(1);
    await executePlan({ plan, secrets, open: async (c) => kubes.get(c)! });
    const copy = kubes.get("beta")!.store.get(`two-${OWNER}`)!;
    expect(copy.metadata.annotations?.["konduktor-broker/placement"]).toBe("alpha,beta");
    const found = new Map<string, SecretDescription>();
    for (const [c, k] of kubes) {
      const x = k.store.get(`mine-${OWNER}`);
      if (x) found.set(c, await describeSecret(k, x));
    }
    expect(driftOf(NAMES, found)).toEqual({
      reference: "alpha",
      inLine: true,
      clusters: [
        { cluster: "alpha", state: "in-line" },
        { cluster: "beta", state: "not-placed" },
        { cluster: "gamma", state: "not-placed" },
      ],
    });
  });

  it("tombstones keep a deletion time per cluster; a partial clear leaves the others covered", async () => {
    const kubes = clusters();
    // deleted from alpha at 00:01; re-created there by someone else at 00:02; deleted from beta at 00:03
    await put(kubes.get("alpha")!, "t", { A: "1" }, "2025-01-01T00:02:00Z");
    await put(kubes.get("beta")!, "t", { A: "1" }, "2025-01-01T00:00:00Z");
    const tomb: Tombstone = {
      owner: OWNER,
      basename: "t",
      deletedAt: "2025-01-01T00:03:00Z",
      clusters: ["alpha", "beta"],
      at: { alpha: "2025-01-01T00:01:00Z", beta: "2025-01-01T00:03:00Z" },
    };
    const plan = planSync({
      clusters: NAMES,
      secrets: await read(kubes),
      tombstones: new Map([[tombstoneKey(OWNER, "t"), tomb]]),
    });
    // alpha's copy is newer than alpha's deletion: left alone (and it is the source for gamma)
    expect(plan.entries.map((e) => [e.cluster, e.action])).toEqual([
      ["beta", "delete"],
      ["gamma", "create"],
    ]);
    const except: Tombstone = { ...tomb, clusters: "all", except: ["gamma"], at: {} };
    const p2 = planSync({
      clusters: NAMES,
      secrets: await read(kubes),
      tombstones: new Map([[tombstoneKey(OWNER, "t"), except]]),
    });
    expect(p2.entries.map((e) => [e.cluster, e.action])).toEqual([
      ["alpha", "delete"],
      ["beta", "delete"],
    ]);
  });

  it("git-ssh: not written where it would delete a git-ssh secret outside the sync's names", async () => {
    const kubes = clusters();
    const git = (kube: FakeKube, basename: string, at: string) =>
      applySecret(
        kube,
        buildSecret({
          owner: OWNER,
          basename,
          kind: "git-ssh",
          source: {
            type: "files",
            files: [{ name: "gitkey", content: new TextEncoder().encode("k") }],
          },
        }),
        { mode: "replace", provenance: { actor: "a", via: "broker", at } },
      );
    await git(kubes.get("alpha")!, "in-scope", "2025-01-02T00:00:00Z");
    await git(kubes.get("beta")!, "private", "2025-01-01T00:00:00Z");
    const secrets = await read(kubes);
    const plan = planSync({ clusters: NAMES, secrets, names: (n) => n === "in-scope" });
    expect(plan.entries.map((e) => [e.secret, e.cluster])).toEqual([["in-scope", "gamma"]]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        secret: "in-scope",
        cluster: "beta",
        reason: expect.stringContaining('"private"'),
      }),
    ]);
    // and applySecret itself refuses (before writing) when told which basenames it may delete
    const refused = await applySecret(
      kubes.get("beta")!,
      buildSecret({
        owner: OWNER,
        basename: "in-scope",
        kind: "git-ssh",
        source: {
          type: "files",
          files: [{ name: "gitkey", content: new TextEncoder().encode("k") }],
        },
      }),
      {
        mode: "replace",
        provenance: { actor: "a", via: "hook" },
        mayDelete: (n) => n === "in-scope",
      },
    ).catch((e) => e);
    expect(refused.code).toBe("forbidden");
    expect(refused.message).toMatch(/"private".*nothing was written/);
    expect(kubes.get("beta")!.store.has(`in-scope-${OWNER}`)).toBe(false);
    expect(kubes.get("beta")!.store.has(`private-${OWNER}`)).toBe(true);
  });

  it("a named source wins; secrets not on it are skipped", async () => {
    const kubes = clusters();
    await put(kubes.get("alpha")!, "one", { A: "new" }, "2025-01-02T00:00:00Z");
    await put(kubes.get("gamma")!, "one", { A: "old" }, "2025-01-01T00:00:00Z");
    await put(kubes.get("alpha")!, "two", { A: "x" }, "2025-01-01T00:00:00Z");
    const plan = planSync({ clusters: NAMES, secrets: await read(kubes), source: "gamma" });
    expect(plan.entries.map((e) => [e.secret, e.cluster, e.action, e.source])).toEqual([
      ["one", "alpha", "update", "gamma"],
      ["one", "beta", "create", "gamma"],
    ]);
    expect(plan.skipped).toEqual([expect.objectContaining({ secret: "two" })]);
  });

  it("tombstones: never copied back; copies written before the deletion are deleted", async () => {
    const kubes = clusters();
    await put(kubes.get("gamma")!, "gone", { A: "1" }, "2025-01-01T00:00:00Z");
    await put(kubes.get("alpha")!, "kept", { A: "1" }, "2025-01-01T00:00:00Z");
    const tombstones = new Map<string, Tombstone>([
      [
        tombstoneKey(OWNER, "gone"),
        { owner: OWNER, basename: "gone", deletedAt: "2025-01-01T00:01:00Z", clusters: "all" },
      ],
    ]);
    const secrets = await read(kubes);
    const plan = planSync({ clusters: NAMES, secrets, tombstones });
    expect(plan.entries.filter((e) => e.secret === "gone")).toEqual([
      expect.objectContaining({ cluster: "gamma", action: "delete", source: null }),
    ]);
    await executePlan({ plan, secrets, open: async (c) => kubes.get(c)! });
    expect(kubes.get("gamma")!.store.has(`gone-${OWNER}`)).toBe(false);
    expect(kubes.get("beta")!.store.has(`gone-${OWNER}`)).toBe(false);
    expect(kubes.get("beta")!.store.has(`kept-${OWNER}`)).toBe(true);
  });

  it("tombstones: a stale copy edited outside the broker is left alone unless a source is named", async () => {
    const kubes = clusters();
    await put(kubes.get("alpha")!, "gone", { A: "1" }, "2025-01-01T00:00:00Z");
    await put(kubes.get("gamma")!, "gone", { A: "1" }, "2025-01-01T00:00:00Z");
    const s = kubes.get("gamma")!.store.get(`gone-${OWNER}`)!;
    s.data = { ...s.data, A: Buffer.from("hand").toString("base64") };
    const tombstones = new Map<string, Tombstone>([
      [
        tombstoneKey(OWNER, "gone"),
        { owner: OWNER, basename: "gone", deletedAt: "2025-01-01T00:01:00Z", clusters: "all" },
      ],
    ]);
    const secrets = await read(kubes);
    const plan = planSync({ clusters: NAMES, secrets, tombstones });
    expect(plan.entries).toEqual([expect.objectContaining({ cluster: "alpha", action: "delete" })]);
    expect(plan.skipped).toEqual([expect.objectContaining({ cluster: "gamma" })]);
    const named = planSync({ clusters: NAMES, secrets, tombstones, source: "alpha" });
    expect(named.skipped).toEqual([]);
    expect(named.entries.map((e) => [e.cluster, e.action])).toEqual([
      ["alpha", "delete"],
      ["gamma", "delete"],
    ]);
  });

  it("an immutable secret recreated without a placement keeps its placement annotation", async () => {
    const kube = createFakeKube({ cluster: "alpha" });
    const write = (pairs: Record<string, string>, placement?: string) =>
      applySecret(
        kube,
        buildSecret({
          owner: OWNER,
          basename: "imm",
          kind: "env",
          source: { type: "inline", pairs },
        }),
        {
          mode: "replace",
          immutable: true,
          ...(placement === undefined ? {} : { placement }),
          provenance: { actor: "token:t", via: "broker", at: "2025-01-01T00:00:00Z" },
        },
      );
    await write({ A: "1" }, "alpha");
    const r = await write({ A: "2" });
    expect(r.writes).toBe(2); // deleted and created again
    const s = kube.store.get(`imm-${OWNER}`)!;
    expect(s.metadata.annotations?.["konduktor-broker/placement"]).toBe("alpha");
    expect((await describeSecret(kube, s)).placement).toEqual(["alpha"]);
  });

  it("drift: a cluster the secret was deleted from through the broker is `deleted`, in line", async () => {
    const kubes = clusters();
    await put(kubes.get("alpha")!, "part", { A: "1" }, "2025-01-01T00:00:00Z");
    await put(kubes.get("gamma")!, "part", { A: "1" }, "2025-01-01T00:00:00Z");
    const found = new Map<string, SecretDescription>();
    for (const [c, copy] of (await read(kubes))[0]!.copies) found.set(c, copy.description);
    const tomb: Tombstone = {
      owner: OWNER,
      basename: "part",
      deletedAt: "2025-01-01T00:01:00Z",
      clusters: ["beta"],
    };
    const drift = driftOf(NAMES, found, new Set(), tomb);
    expect(drift.clusters.map((r) => r.state)).toEqual(["in-line", "deleted", "in-line"]);
    expect(drift.inLine).toBe(true);
    // without the tombstone, beta is missing
    expect(driftOf(NAMES, found).clusters[1]?.state).toBe("missing");
  });

  it("targets limit where it writes (a new cluster catches up without touching the others)", async () => {
    const kubes = clusters();
    await put(kubes.get("alpha")!, "a", { A: "1" }, "2025-01-01T00:00:00Z");
    await put(kubes.get("beta")!, "b", { B: "1" }, "2025-01-01T00:00:00Z");
    const plan = planSync({
      clusters: NAMES,
      targets: ["gamma"],
      secrets: await read(kubes, "all"),
    });
    expect(plan.entries.map((e) => [e.secret, e.cluster, e.action, e.source])).toEqual([
      ["a", "gamma", "create", "alpha"],
      ["b", "gamma", "create", "beta"],
    ]);
  });

  it("provenance of a copy keeps the source's writer and time, via sync", async () => {
    const kubes = clusters();
    await put(kubes.get("alpha")!, "p", { A: "1" }, "2025-01-01T00:00:00.000Z");
    const secrets = await read(kubes);
    const plan = planSync({ clusters: NAMES, secrets });
    await executePlan({ plan, secrets, open: async (c) => kubes.get(c)!, via: "sync:test" });
    const beta = kubes.get("beta")!;
    const d = await describeSecret(beta, beta.store.get(`p-${OWNER}`)!);
    expect(d.provenance).toEqual({
      actor: "token:t",
      via: "sync:test",
      at: "2025-01-01T00:00:00.000Z",
    });
  });
});
