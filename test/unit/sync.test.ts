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

  it("a hand edit (same provenance time) loses to the copies that agree; drift names the key", async () => {
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
      { cluster: "beta", state: "different", keys: { missing: [], extra: [], changed: ["B"] } },
      { cluster: "gamma", state: "in-line" },
    ]);
    const plan = planSync({ clusters: NAMES, secrets });
    expect(plan.entries).toEqual([
      expect.objectContaining({ cluster: "beta", action: "update", keys: ["B"], source: "alpha" }),
    ]);
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
