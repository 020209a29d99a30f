// konduktor/drift.ts on three fake clusters: drift judged against the ledger's intent and the
// copies' signatures (edited, stale, deleted outside the broker, not placed, unledgered, deleted).
import { describe, expect, it } from "vitest";
import { driftOf } from "../../konduktor/drift.ts";
import { describeSecret } from "../../konduktor/ops.ts";
import type { SecretDescription } from "../../konduktor/types.ts";
import type { testKeyring } from "../support/keyring.ts";
import { forge, intentOf, OWNER, sealedPut, threeClusters } from "../support/sync-fixtures.ts";

const NAMES = ["alpha", "beta", "gamma"];

describe("drift by the ledger", () => {
  const found = async (
    kubes: Awaited<ReturnType<typeof threeClusters>>["kubes"],
    keyring: Awaited<ReturnType<typeof testKeyring>>,
    name: string,
  ) => {
    const out = new Map<string, SecretDescription>();
    for (const [c, k] of kubes) {
      const s = k.store.get(`${name}-${OWNER}`);
      if (s) out.set(c, await describeSecret(k, s, keyring));
    }
    return out;
  };

  it("shows edited, stale, deleted outside the broker and not placed, against the ledger's version", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(kubes, keyring, ["alpha"], "d", { A: "1", B: "2" }, 3);
    await sealedPut(kubes, keyring, ["beta"], "d", { A: "1", B: "2" }, 2);
    await sealedPut(kubes, keyring, ["gamma"], "d", { A: "1", B: "2" }, 3);
    await forge(kubes.get("gamma")!, `d-${OWNER}`, { A: "1", B: "hand" });
    const drift = driftOf(
      NAMES,
      await found(kubes, keyring, "d"),
      new Set(),
      intentOf("d", 3, { alpha: 3 }),
    );
    expect(drift).toEqual({
      ledger: "current",
      version: 3,
      reference: "alpha",
      inLine: false,
      clusters: [
        { cluster: "alpha", state: "in-line" },
        {
          cluster: "beta",
          state: "different",
          keys: { missing: [], extra: [], changed: [] },
          stale: true,
        },
        {
          cluster: "gamma",
          state: "different",
          keys: { missing: [], extra: [], changed: ["B"] },
          editedOutsideBroker: true,
        },
      ],
    });
    kubes.get("beta")!.store.delete(`d-${OWNER}`);
    const gone = driftOf(["alpha", "beta", "delta"], await found(kubes, keyring, "d"), new Set(), {
      ...intentOf("d", 3, { alpha: 3, beta: 3 }),
      placement: ["alpha", "beta"],
    });
    expect(gone.clusters).toEqual([
      { cluster: "alpha", state: "in-line" },
      { cluster: "beta", state: "missing", deletedOutsideBroker: true },
      { cluster: "delta", state: "not-placed" },
    ]);
  });

  it("an unledgered secret is shown as it is; a deleted one is in line when no copy is left", async () => {
    const { kubes, keyring } = await threeClusters();
    await sealedPut(kubes, keyring, ["alpha", "beta"], "u", { A: "1" }, 1);
    const copies = await found(kubes, keyring, "u");
    expect(driftOf(NAMES, copies, new Set(["gamma"]), null)).toEqual({
      ledger: "unledgered",
      version: null,
      reference: null,
      inLine: false,
      clusters: [
        { cluster: "alpha", state: "unledgered" },
        { cluster: "beta", state: "unledgered" },
        { cluster: "gamma", state: "unknown" },
      ],
    });
    const deleted = {
      ...intentOf("u", 1, {}),
      version: 2,
      deleted: { version: 2, by: "t", at: "x" },
    };
    expect(driftOf(NAMES, new Map(), new Set(), deleted)).toMatchObject({
      ledger: "deleted",
      inLine: true,
      clusters: NAMES.map((cluster) => ({ cluster, state: "deleted" })),
    });
  });
});
