// Mutants of konduktor/apply-plan.ts that the other tests let survive
// (docs/mutation-survivors.md): managed keys the data no longer holds, key lists sorted whatever
// order the cluster gives, a hand-written managed-keys order, a copy without annotations, the
// plan's own keys, and the annotation limit at exactly 256 KiB.
import { describe, expect, it } from "vitest";
import { checkAnnotationSize, plan } from "../../konduktor/apply-plan.ts";
import { ANNOTATION_MANAGED_KEYS, secretLabels } from "../../konduktor/format.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { MAX_ANNOTATION_BYTES } from "../../konduktor/secret.ts";
import type { ApplyOptions, KubeSecret, SecretKind } from "../../konduktor/types.ts";
import { createFakeKube } from "../support/fake-kube.ts";

const OWNER = "0a1b2c3d";
const NAME = `db-${OWNER}`;
const provenance = { actor: "token:test", via: "test", at: "2026-01-01T00:00:00.000Z" };
const merge: ApplyOptions = { mode: "merge", provenance };
const replace: ApplyOptions = { mode: "replace", provenance };
const b64 = (s: string) => Buffer.from(s).toString("base64");
const ID = { owner: OWNER, basename: "db", kind: "default" as SecretKind, name: NAME };

/** A desired Secret with data as given. */
const desired = (data: Record<string, string>): KubeSecret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: NAME, labels: secretLabels(OWNER, "db", "default") },
  type: "Opaque",
  data,
});

/** A cluster holding `db-<OWNER>` created directly, data keys in the order given. */
async function holding(
  annotations: Record<string, string> | undefined,
  data: Record<string, string>,
) {
  const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
  await kube.create({
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: NAME,
      labels: secretLabels(OWNER, "db", "default"),
      ...(annotations ? { annotations } : {}),
    },
    type: "Opaque",
    data,
  });
  return kube;
}

describe("managed keys", () => {
  it("a managed key the data no longer holds is dropped from the annotation (a write)", async () => {
    const kube = await holding({ [ANNOTATION_MANAGED_KEYS]: "A,GONE" }, { A: b64("1") });
    const result = await applySecret(kube, desired({ A: b64("1") }), merge);
    expect([result.outcome, result.writes, result.added, result.changed]).toEqual([
      "updated",
      1,
      [],
      [],
    ]);
    expect(kube.store.get(NAME)?.metadata.annotations?.[ANNOTATION_MANAGED_KEYS]).toBe("A");
  });

  it("managed keys written in another order are the same keys: unchanged, no write", async () => {
    const kube = await holding({ [ANNOTATION_MANAGED_KEYS]: "B,A" }, { A: b64("1"), B: b64("2") });
    const before = kube.calls.length;
    const result = await applySecret(kube, desired({ A: b64("1"), B: b64("2") }), merge);
    expect([result.outcome, result.writes]).toEqual(["unchanged", 0]);
    expect(kube.calls.slice(before).map((c) => c.method)).toEqual(["get"]);
  });
});

describe("key lists are sorted whatever order the cluster answers in", () => {
  it("changed", async () => {
    const kube = await holding({ [ANNOTATION_MANAGED_KEYS]: "B,A" }, { B: b64("1"), A: b64("1") });
    const result = await applySecret(kube, desired({ A: b64("2"), B: b64("2") }), merge);
    expect([result.added, result.changed, result.removed]).toEqual([[], ["A", "B"], []]);
  });

  it("removed", async () => {
    const kube = await holding(
      { [ANNOTATION_MANAGED_KEYS]: "C,B,A" },
      { C: b64("3"), B: b64("2"), A: b64("1") },
    );
    const result = await applySecret(kube, desired({ D: b64("4") }), replace);
    expect([result.added, result.changed, result.removed]).toEqual([["D"], [], ["A", "B", "C"]]);
  });
});

describe("a copy without annotations", () => {
  it("no data wanted, none held, placement all: unchanged, no write", async () => {
    const kube = await holding(undefined, {});
    const before = kube.calls.length;
    const result = await applySecret(kube, desired({}), { ...merge, placement: "all" });
    expect([result.outcome, result.writes, result.previousPlacement]).toEqual([
      "unchanged",
      0,
      "all",
    ]);
    expect(kube.calls.slice(before).map((c) => c.method)).toEqual(["get"]);
  });
});

describe("the plan", () => {
  it("without a newer signed copy it has no supersededBy key at all", async () => {
    const kube = await holding({ [ANNOTATION_MANAGED_KEYS]: "A" }, { A: b64("1") });
    const p = await plan(kube, ID, desired({ A: b64("1") }), merge);
    expect(Object.keys(p).sort()).toEqual(
      [
        "added",
        "changed",
        "data",
        "dataChanged",
        "existing",
        "managed",
        "removed",
        "unchanged",
      ].sort(),
    );
    expect(p.unchanged).toBe(true);
  });
});

describe("checkAnnotationSize at the limit", () => {
  const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
  const sized = (bytes: number) => ({
    [ANNOTATION_MANAGED_KEYS]: "k".repeat(bytes - ANNOTATION_MANAGED_KEYS.length),
  });

  it("exactly 262,144 bytes of annotations pass; one byte more is refused", () => {
    expect(checkAnnotationSize(kube, NAME, sized(MAX_ANNOTATION_BYTES))).toBeUndefined();
    let error: unknown;
    try {
      checkAnnotationSize(kube, NAME, sized(MAX_ANNOTATION_BYTES + 1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeError);
    expect([(error as KubeError).code, (error as KubeError).message]).toEqual([
      "too_large",
      `secret "${NAME}" on cluster "alpha" would carry 262,145 bytes of annotations (1 key names in ${ANNOTATION_MANAGED_KEYS}); Kubernetes allows at most 262,144: nothing was written; use fewer or shorter keys (mode replace or prune drops old ones)`,
    ]);
  });

  // bytes of UTF-8, not characters: `€` is 3 bytes, `é` 2, each one UTF-16 code unit
  const multibyte = (char: string, width: number, bytes: number) => {
    const room = bytes - ANNOTATION_MANAGED_KEYS.length;
    const n = Math.floor(room / width);
    return { [ANNOTATION_MANAGED_KEYS]: char.repeat(n) + "k".repeat(room - n * width) };
  };

  it("counts UTF-8 bytes: 262,145 bytes in fewer characters are refused", () => {
    const over = multibyte("€", 3, MAX_ANNOTATION_BYTES + 1);
    const chars = ANNOTATION_MANAGED_KEYS.length + (over[ANNOTATION_MANAGED_KEYS] as string).length;
    // fewer characters than the bound (and than a third of it, plus a little): only the bytes tell
    expect(chars).toBeLessThan(MAX_ANNOTATION_BYTES / 2);
    expect(() => checkAnnotationSize(kube, NAME, over)).toThrow(/would carry 262,145 bytes/);
  });

  it("two-byte characters up to the limit pass, one byte more is refused", () => {
    expect(
      checkAnnotationSize(kube, NAME, multibyte("é", 2, MAX_ANNOTATION_BYTES)),
    ).toBeUndefined();
    expect(() =>
      checkAnnotationSize(kube, NAME, multibyte("é", 2, MAX_ANNOTATION_BYTES + 1)),
    ).toThrow(/would carry 262,145 bytes/);
  });
});
