// konduktor/sync*.ts and konduktor/drift.ts on three fake clusters: what a sync believes comes from
// the intent (the ledger) and the copies' signatures only. Sources, stale / edited / deleted copies,
// unledgered secrets and adoption, deletions through the broker, placement, git-ssh one per owner,
// execution signs copies exactly, values never in plans.
import { describe, expect, it } from "vitest";
import { checkSeal } from "../../konduktor/format.ts";
import { applySecret, describeSecret } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import { executePlan } from "../../konduktor/sync-execute.ts";
import { planSync } from "../../konduktor/sync-plan.ts";
import {
  ANNOTATION_CONTENT_DIGEST_LEGACY_FOR_TEST,
  forge,
  intentOf,
  OWNER,
  read,
  sealedPut,
  threeClusters,
} from "../support/sync-fixtures.ts";

const CANARY = "canary-value-never-in-a-plan";
const NAMES = ["alpha", "beta", "gamma"];

describe("sync planning by the ledger", () => {
  it("copies the current version where it was never confirmed, exactly and signed; then in line", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(kubes, keyring, ["alpha", "beta"], "db", { A: CANARY, B: "2" }, 4);
    const intent = intentOf("db", 4, { alpha: 4, beta: 4 });
    const secrets = await read(kubes, keyring);
    const plan = planSync({
      clusters: NAMES,
      secrets,
      intents: new Map([[`${OWNER}/db`, intent]]),
    });
    expect(plan.entries).toEqual([
      {
        owner: OWNER,
        secret: "db",
        secretName: `db-${OWNER}`,
        cluster: "gamma",
        action: "create",
        keys: ["A", "B"],
        source: "alpha",
        version: 4,
        reason: "missing on gamma",
      },
    ]);
    expect(JSON.stringify(plan)).not.toContain(CANARY);
    const written: string[] = [];
    const results = await executePlan({
      plan,
      secrets,
      keyring,
      open: async (c) => kubes.get(c)!,
      placementOf: () => "all",
      written: (e, d) => written.push(`${e.cluster}:${d.contentDigest.split(":")[0]}`),
    });
    expect(results.map((r) => [r.cluster, r.status])).toEqual([["gamma", "done"]]);
    expect(written).toEqual(["gamma:hmac-sha256"]);
    const copy = kubes.get("gamma")!.store.get(`db-${OWNER}`)!;
    expect(copy.data).toEqual(kubes.get("alpha")!.store.get(`db-${OWNER}`)!.data);
    expect(await checkSeal(keyring, copy)).toMatchObject({ state: "valid", version: 4 });
    const again = planSync({
      clusters: NAMES,
      secrets: await read(kubes, keyring),
      intents: new Map([[`${OWNER}/db`, intentOf("db", 4, { alpha: 4, beta: 4, gamma: 4 })]]),
    });
    expect(again).toMatchObject({ entries: [], skipped: [], inLine: 1, secrets: 1 });
  });

  it("a forged copy (new value, plain digest, updated-at 2099) is never a source and reaches no other cluster", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(kubes, keyring, NAMES, "wandb", { KEY: "good" }, 2);
    await forge(kubes.get("alpha")!, `wandb-${OWNER}`, { KEY: "attacker" });
    const forged = kubes.get("alpha")!.store.get(`wandb-${OWNER}`)!;
    expect(forged.metadata.annotations?.["konduktor-broker/updated-at"]).toBe(
      "2099-01-01T00:00:00Z",
    );
    expect(forged.metadata.annotations?.[ANNOTATION_CONTENT_DIGEST_LEGACY_FOR_TEST]).toMatch(
      /^sha256:/,
    );
    const intents = new Map([
      [`${OWNER}/wandb`, intentOf("wandb", 2, { alpha: 2, beta: 2, gamma: 2 })],
    ]);
    const secrets = await read(kubes, keyring);
    const plan = planSync({ clusters: NAMES, secrets, intents });
    expect(plan.entries).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        owner: OWNER,
        secret: "wandb",
        secretName: `wandb-${OWNER}`,
        cluster: "alpha",
        editedOutsideBroker: true,
        reason:
          "the copy on alpha was changed outside the broker (KEY differ from beta): not used, not overwritten; name a source to copy from it or over it",
      },
    ]);
    // a caller that names alpha as the source makes it a new version, copied everywhere
    const named = planSync({ clusters: NAMES, secrets, intents, source: "alpha" });
    expect(named.bumps).toEqual([
      expect.objectContaining({
        owner: OWNER,
        secret: "wandb",
        source: "alpha",
        reason: "named-source",
      }),
    ]);
    expect(named.entries.map((e) => [e.cluster, e.action, e.version, e.keys])).toEqual([
      ["alpha", "update", null, []],
      ["beta", "update", null, ["KEY"]],
      ["gamma", "update", null, ["KEY"]],
    ]);
    // naming a good cluster repairs alpha instead
    const repair = planSync({ clusters: NAMES, secrets, intents, source: "beta" });
    expect(repair.bumps).toEqual([]);
    expect(repair.entries.map((e) => [e.cluster, e.action, e.source, e.version])).toEqual([
      ["alpha", "update", "beta", 2],
    ]);
  });

  it("a copy confirmed and then deleted outside the broker is reported, restored only when named", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(kubes, keyring, ["alpha", "beta"], "gone", { A: "1" }, 3);
    const intents = new Map([
      [`${OWNER}/gone`, intentOf("gone", 3, { alpha: 3, beta: 3, gamma: 3 })],
    ]);
    const secrets = await read(kubes, keyring);
    const plan = planSync({ clusters: NAMES, secrets, intents });
    expect(plan.entries).toEqual([]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        cluster: "gamma",
        deletedOutsideBroker: true,
        reason: expect.stringContaining('name "gone" in a sync\'s names to restore it'),
      }),
    ]);
    const restored = planSync({ clusters: NAMES, secrets, intents, restore: (n) => n === "gone" });
    expect(restored.entries.map((e) => [e.cluster, e.action, e.version])).toEqual([
      ["gamma", "create", 3],
    ]);
    // a cluster that confirmed only an older version is created (it was down during the write)
    const older = new Map([
      [`${OWNER}/gone`, intentOf("gone", 3, { alpha: 3, beta: 3, gamma: 1 })],
    ]);
    expect(planSync({ clusters: NAMES, secrets, intents: older }).entries).toEqual([
      expect.objectContaining({ cluster: "gamma", action: "create", reason: "missing on gamma" }),
    ]);
  });

  it("an older signed copy is updated; a newer one than the ledger's is left alone", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(kubes, keyring, ["alpha"], "s", { A: "new" }, 5);
    await sealedPut(kubes, keyring, ["beta"], "s", { A: "old" }, 3);
    await sealedPut(kubes, keyring, ["gamma"], "s", { A: "newer" }, 6);
    const intents = new Map([[`${OWNER}/s`, intentOf("s", 5, { alpha: 5, beta: 3 })]]);
    const plan = planSync({ clusters: NAMES, secrets: await read(kubes, keyring), intents });
    expect(plan.entries.map((e) => [e.cluster, e.action, e.keys, e.version])).toEqual([
      ["beta", "update", ["A"], 5],
    ]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        cluster: "gamma",
        reason: expect.stringContaining("newer version"),
      }),
    ]);
  });

  it("secrets the ledger does not know are left where they are; a named source adopts one", async () => {
    const { kubes, keyring } = await threeClusters();
    // made by Konduktor's CLI (or the Action's kubeconfig mode): no signature, only on alpha
    await applySecret(
      kubes.get("alpha")!,
      buildSecret({
        owner: OWNER,
        basename: "inject",
        kind: "env",
        source: { type: "inline", pairs: { LD_PRELOAD: "/tmp/x.so" } },
      }),
      { mode: "merge", provenance: { actor: "cli", via: "konduktor" } },
    );
    const secrets = await read(kubes, keyring);
    const plan = planSync({ clusters: NAMES, secrets, intents: new Map() });
    expect(plan).toMatchObject({
      entries: [],
      skipped: [],
      inLine: 0,
      unledgered: [
        { owner: OWNER, secret: "inject", secretName: `inject-${OWNER}`, clusters: ["alpha"] },
      ],
    });
    const adopt = planSync({
      clusters: NAMES,
      secrets,
      intents: new Map(),
      source: "alpha",
      adoptPlacement: ["alpha", "beta"],
    });
    expect(adopt.bumps).toEqual([
      expect.objectContaining({
        secret: "inject",
        kind: "env",
        placement: ["alpha", "beta"],
        reason: "adopt",
      }),
    ]);
    expect(adopt.entries.map((e) => [e.cluster, e.action, e.version])).toEqual([
      ["alpha", "update", null],
      ["beta", "create", null],
    ]);
  });

  it("deleted through the broker: older signed copies are deleted, an edited one is left unless a source is named", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(kubes, keyring, ["alpha", "beta"], "del", { A: "1" }, 2);
    await forge(kubes.get("beta")!, `del-${OWNER}`, { A: "hand" });
    const intent = {
      ...intentOf("del", 2, { alpha: 2, beta: 2, gamma: 3 }),
      version: 3,
      deleted: { version: 3, by: "t", at: "x" },
    };
    const intents = new Map([[`${OWNER}/del`, intent]]);
    const secrets = await read(kubes, keyring);
    const plan = planSync({ clusters: NAMES, secrets, intents });
    expect(plan.entries.map((e) => [e.cluster, e.action, e.source])).toEqual([
      ["alpha", "delete", null],
    ]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({ cluster: "beta", editedOutsideBroker: true }),
    ]);
    const named = planSync({ clusters: NAMES, secrets, intents, source: "alpha" });
    expect(named.entries.map((e) => [e.cluster, e.action])).toEqual([
      ["alpha", "delete"],
      ["beta", "delete"],
    ]);
    await executePlan({
      plan,
      secrets,
      keyring,
      open: async (c) => kubes.get(c)!,
      placementOf: () => "all",
    });
    expect(kubes.get("alpha")!.store.has(`del-${OWNER}`)).toBe(false);
    expect(kubes.get("beta")!.store.has(`del-${OWNER}`)).toBe(true);
  });

  it("placement: only placed clusters are written; a deletion from one cluster excepts it", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(kubes, keyring, ["alpha"], "p", { A: "1" }, 1, "alpha,beta");
    const placed = { ...intentOf("p", 1, { alpha: 1 }), placement: ["alpha", "beta"] };
    const plan = planSync({
      clusters: NAMES,
      secrets: await read(kubes, keyring),
      intents: new Map([[`${OWNER}/p`, placed]]),
    });
    expect(plan.entries.map((e) => e.cluster)).toEqual(["beta"]);
    const except = { ...intentOf("p", 1, { alpha: 1 }), except: ["gamma"] };
    const p2 = planSync({
      clusters: NAMES,
      secrets: await read(kubes, keyring),
      intents: new Map([[`${OWNER}/p`, except]]),
    });
    expect(p2.entries.map((e) => e.cluster)).toEqual(["beta"]);
  });

  it("git-ssh: only the owner's newest is synced, and never over one outside the sync's names", async () => {
    const { kubes, keyring } = await threeClusters();
    const git = async (cluster: string, basename: string, version: number) =>
      applySecret(
        kubes.get(cluster)!,
        buildSecret({
          owner: OWNER,
          basename,
          kind: "git-ssh",
          source: {
            type: "files",
            files: [{ name: "gitkey", content: new TextEncoder().encode(basename) }],
          },
        }),
        {
          mode: "replace",
          placement: "all",
          seal: { keyring, version },
          provenance: { actor: "a", via: "broker" },
        },
      );
    await git("alpha", "in-scope", 5);
    await git("beta", "private", 4);
    const intents = new Map([
      [`${OWNER}/in-scope`, { ...intentOf("in-scope", 5, { alpha: 5 }), kind: "git-ssh" as const }],
      [`${OWNER}/private`, { ...intentOf("private", 4, { beta: 4 }), kind: "git-ssh" as const }],
    ]);
    const secrets = await read(kubes, keyring);
    const plan = planSync({ clusters: NAMES, secrets, intents });
    expect(plan.entries.map((e) => [e.secret, e.cluster])).toEqual([
      ["in-scope", "beta"],
      ["in-scope", "gamma"],
    ]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        secret: "private",
        reason: expect.stringContaining('"in-scope" is newer'),
      }),
    ]);
    const scoped = planSync({ clusters: NAMES, secrets, intents, names: (n) => n === "in-scope" });
    expect(scoped.entries.map((e) => [e.secret, e.cluster])).toEqual([["in-scope", "gamma"]]);
    expect(scoped.skipped).toEqual([
      expect.objectContaining({ cluster: "beta", reason: expect.stringContaining('"private"') }),
    ]);
  });

  it("copies of the current version that differ (a merge onto differing copies) are not chosen between", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(kubes, keyring, ["alpha"], "m", { A: "1", X: "kept" }, 2);
    await sealedPut(kubes, keyring, ["beta"], "m", { A: "1" }, 2);
    const intents = new Map([[`${OWNER}/m`, intentOf("m", 2, { alpha: 2, beta: 2 })]]);
    const plan = planSync({ clusters: NAMES, secrets: await read(kubes, keyring), intents });
    expect(plan.entries).toEqual([]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        reason: expect.stringContaining("the copies of version 2 differ (alpha, beta"),
      }),
    ]);
  });

  it("execution keeps the source's writer and time, via sync, and signs the entry's placement", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(
      kubes,
      keyring,
      ["alpha"],
      "prov",
      { A: "1" },
      1,
      "all",
      "2025-01-01T00:00:00.000Z",
    );
    const secrets = await read(kubes, keyring);
    const plan = planSync({
      clusters: NAMES,
      secrets,
      intents: new Map([[`${OWNER}/prov`, intentOf("prov", 1, { alpha: 1 })]]),
    });
    await executePlan({
      plan,
      secrets,
      keyring,
      open: async (c) => kubes.get(c)!,
      placementOf: () => "all",
      via: "sync:test",
    });
    const beta = kubes.get("beta")!;
    const d = await describeSecret(beta, beta.store.get(`prov-${OWNER}`)!, keyring);
    expect(d.provenance).toEqual({
      actor: "token:t",
      via: "sync:test",
      at: "2025-01-01T00:00:00.000Z",
    });
    expect(d.signature).toEqual({ state: "valid", version: 1, keyId: "t1", placement: "all" });
  });
});
