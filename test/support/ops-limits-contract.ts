/**
 * The limits and races of the operations suite (256 KiB of annotations, exactly 1 MiB of merged
 * values, concurrent merges, a replace racing a merge), run wherever ./ops-contract.ts runs: the
 * fake (unit) and both adapters against the real kube-apiserver.
 */
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { ANNOTATION_MANAGED_KEYS } from "../../konduktor/format.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret, deleteOwn } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import type { ApplyOptions, SecretKind } from "../../konduktor/types.ts";
import { countingKube } from "./counting-kube.ts";
import { rejects, unb64 } from "./kube-contract.ts";

const newOwner = () => randomBytes(4).toString("hex");
const merge: ApplyOptions = { mode: "merge", provenance: { actor: "token:test", via: "test" } };
const replace: ApplyOptions = { mode: "replace", provenance: { actor: "token:test", via: "test" } };
const inline = (
  owner: string,
  basename: string,
  pairs: Record<string, string>,
  kind: SecretKind = "default",
) => buildSecret({ owner, basename, kind, source: { type: "inline", pairs } });

export function limitsContract(make: () => KubeSecrets | Promise<KubeSecrets>) {
  it("a merge whose key names would overflow the 256 KiB of annotations writes nothing", async () => {
    const kube = countingKube(await make());
    const owner = newOwner();
    // each call stays under the per-call key-names budget; together they do not fit
    const keys = (prefix: string) =>
      Object.fromEntries(
        Array.from({ length: 600 }, (_, i) => [
          `${prefix}${String(i).padStart(4, "0")}${"k".repeat(240)}`,
          "v",
        ]),
      );
    await applySecret(kube, inline(owner, "wide", keys("a")), merge);
    const before = kube.writes();
    for (const dryRun of [true, false]) {
      const error = await rejects(
        applySecret(kube, inline(owner, "wide", keys("b")), { ...merge, dryRun }),
      );
      expect(error.code).toBe("too_large");
      expect(error.message).toMatch(
        /^secret "wide-[0-9a-f]{8}" on cluster "[^"]+" would carry 2\d\d,\d{3} bytes of annotations \(1,200 key names in konduktor-broker\/managed-keys\); Kubernetes allows at most 262,144: nothing was written; use fewer or shorter keys \(mode replace or prune drops old ones\)$/,
      );
    }
    expect(kube.writes() - before).toBe(0);
    await deleteOwn(kube, owner, "wide");
  });

  it("20 concurrent merges of distinct keys keep all 20 keys", async () => {
    const kube = await make();
    const owner = newOwner();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        applySecret(kube, inline(owner, "many", { [`K${i}`]: `v${i}` }), merge),
      ),
    );
    expect(results.filter((r) => r.outcome === "created")).toHaveLength(1);
    const stored = await kube.get(`many-${owner}`);
    expect(Object.keys(stored?.data ?? {}).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `K${i}`).sort(),
    );
    for (let i = 0; i < 20; i++) expect(unb64(stored?.data?.[`K${i}`])).toBe(`v${i}`);
    expect(stored?.metadata.annotations?.[ANNOTATION_MANAGED_KEYS]?.split(",")).toHaveLength(20);
  });

  it("a replace racing a merge fails with a conflict and loses nothing", async () => {
    const inner = await make();
    const kube = countingKube(inner);
    const owner = newOwner();
    await applySecret(kube, inline(owner, "race", { A: "1" }), merge);
    // the merge lands between the replace's read and its write
    kube.before = async (method) => {
      if (method === "replace") {
        kube.before = undefined;
        await applySecret(inner, inline(owner, "race", { B: "2" }), merge);
      }
    };
    const e = await rejects(applySecret(kube, inline(owner, "race", { C: "3" }), replace));
    expect(e.code).toBe("conflict");
    expect(e.message).toContain(`race-${owner}`);
    const stored = await kube.get(`race-${owner}`);
    expect(Object.keys(stored?.data ?? {}).sort()).toEqual(["A", "B"]);
    // and a merge racing a replace retries on fresh data: nothing of either is lost
    kube.before = async (method) => {
      if (method === "mergePatch") {
        kube.before = undefined;
        await applySecret(inner, inline(owner, "race", { R: "r" }), replace);
      }
    };
    const m = await applySecret(kube, inline(owner, "race", { M: "m" }), merge);
    expect(m.outcome).toBe("updated");
    expect(Object.keys((await kube.get(`race-${owner}`))?.data ?? {}).sort()).toEqual(["M", "R"]);
  });

  it("a merge reaching exactly 1 MiB is written; one byte more is refused before writing", async () => {
    const kube = countingKube(await make());
    const owner = newOwner();
    const MiB = 1_048_576;
    await applySecret(kube, inline(owner, "edge", { A: "a".repeat(600_000) }), merge);
    const exact = await applySecret(
      kube,
      inline(owner, "edge", { B: "b".repeat(MiB - 600_000) }),
      merge,
    );
    expect(exact).toMatchObject({ outcome: "updated", added: ["B"], writes: 1 });
    expect(Object.keys((await kube.get(`edge-${owner}`))?.data ?? {})).toEqual(["A", "B"]);
    const before = kube.writes();
    const e = await rejects(applySecret(kube, inline(owner, "edge", { C: "c" }), merge));
    expect([e.code, e.cluster, e.namespace]).toEqual(["too_large", kube.cluster, kube.namespace]);
    expect(e.message).toBe(
      `secret "edge-${owner}" would hold 1,048,577 bytes of values after this change; Kubernetes allows at most 1,048,576 bytes (1 MiB): remove keys or split the secret`,
    );
    expect(kube.writes()).toBe(before);
    // a replace of exactly 1 MiB is written too
    const replaced = await applySecret(
      kube,
      inline(owner, "edge", { C: "c".repeat(MiB) }),
      replace,
    );
    expect(replaced).toMatchObject({ outcome: "updated", added: ["C"], removed: ["A", "B"] });
    await kube.delete(`edge-${owner}`);
  });

  it("a merge that would exceed 1 MiB is refused before writing", async () => {
    const kube = countingKube(await make());
    const owner = newOwner();
    const big = "x".repeat(600_000);
    await applySecret(kube, inline(owner, "big", { A: big }), merge);
    const before = kube.writes();
    const e = await rejects(applySecret(kube, inline(owner, "big", { B: big }), merge));
    expect(e.code).toBe("too_large");
    expect(e.message).toContain("1,200,000 bytes");
    expect(kube.writes()).toBe(before);
  });
}
