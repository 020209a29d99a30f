// The plan of one write (konduktor/apply-plan.ts), exactly: the identity of a desired Secret and its
// refusals, whose Secret it is, added/changed/removed and whether the data changes, the managed
// keys sorted, a newer signed version, and "unchanged" — which needs every one of its conditions,
// so each is broken alone here and must make a write.
import { describe, expect, it } from "vitest";
import { identityOfDesired, plan } from "../../konduktor/apply-plan.ts";
import {
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_PLACEMENT,
  LEGACY_ANNOTATION_CONTENT_DIGEST,
  secretLabels,
} from "../../konduktor/format.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { buildSecret, ValidationError } from "../../konduktor/secret.ts";
import type { ApplyOptions, KubeSecret, SecretKind } from "../../konduktor/types.ts";
import { createFakeKube } from "../support/fake-kube.ts";
import { testKeyring } from "../support/keyring.ts";

const OWNER = "0a1b2c3d";
const NAME = `db-${OWNER}`;
const provenance = { actor: "token:test", via: "test", at: "2026-01-01T00:00:00.000Z" };
const merge: ApplyOptions = { mode: "merge", provenance };
const replace: ApplyOptions = { mode: "replace", provenance };
const b64 = (s: string) => Buffer.from(s).toString("base64");
const ID = { owner: OWNER, basename: "db", kind: "default" as SecretKind, name: NAME };

/** A desired Secret with data in the given order (buildSecret would sort it). */
const desired = (data: Record<string, string>, kind: SecretKind = "default"): KubeSecret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: NAME, labels: secretLabels(OWNER, "db", kind) },
  type: "Opaque",
  data,
});

/** A cluster holding `db-<OWNER>` as given (created directly, not through applySecret). */
async function holding(secret: Partial<KubeSecret["metadata"]>, data: Record<string, string>) {
  const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
  await kube.create({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: NAME, labels: secretLabels(OWNER, "db", "default"), ...secret },
    type: "Opaque",
    data,
  });
  return kube;
}

const managed = (keys: string) => ({ annotations: { [ANNOTATION_MANAGED_KEYS]: keys } });

describe("identityOfDesired", () => {
  it("reads owner, basename, kind and name from a Secret built by buildSecret", () => {
    const s = buildSecret({
      owner: OWNER,
      basename: "db",
      kind: "env",
      source: { type: "inline", pairs: { A: "1" } },
    });
    expect(identityOfDesired(s)).toEqual({ owner: OWNER, basename: "db", kind: "env", name: NAME });
  });

  it("no Secret, no metadata, no labels: owner and basename named (no kind label is default)", () => {
    for (const bad of [null, {}, { metadata: {} }, { metadata: { name: NAME } }]) {
      let error: unknown;
      try {
        identityOfDesired(bad as unknown as KubeSecret);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(bad)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.field)).toEqual([
        'metadata.labels["trainy.ai/secret-owner"]',
        'metadata.labels["trainy.ai/secret-basename"]',
      ]);
    }
  });

  it("a bad owner label alone: one problem, on that label (the name is not checked then)", () => {
    const s = desired({ A: b64("1") });
    const labels = { ...s.metadata.labels, "trainy.ai/secret-owner": "not hex" };
    let error: unknown;
    try {
      identityOfDesired({ ...s, metadata: { ...s.metadata, labels } });
    } catch (e) {
      error = e;
    }
    expect((error as ValidationError).problems.map((p) => p.field)).toEqual([
      'metadata.labels["trainy.ai/secret-owner"]',
    ]);
  });

  it("a name that is not <basename>-<owner>: one problem on metadata.name", () => {
    const s = desired({ A: b64("1") });
    let error: unknown;
    try {
      identityOfDesired({ ...s, metadata: { ...s.metadata, name: "other" } });
    } catch (e) {
      error = e;
    }
    expect((error as ValidationError).problems.map((p) => [p.field, p.message])).toEqual([
      [
        "metadata.name",
        "metadata.name must be <basename>-<owner>: build the secret with buildSecret()",
      ],
    ]);
  });

  it("a kind label that is not a kind", () => {
    const s = desired({ A: b64("1") });
    const labels = { ...s.metadata.labels, "trainy.ai/secret-kind": "ssh" };
    let error: unknown;
    try {
      identityOfDesired({ ...s, metadata: { ...s.metadata, labels } });
    } catch (e) {
      error = e;
    }
    expect((error as ValidationError).problems.map((p) => [p.field, p.message])).toEqual([
      [
        'metadata.labels["trainy.ai/secret-kind"]',
        'metadata.labels["trainy.ai/secret-kind"] must be default, env or git-ssh: build the secret with buildSecret()',
      ],
    ]);
  });
});

describe("whose Secret it is", () => {
  it("a Secret of that name without owner labels is not touched, and says so", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: NAME }, data: {} });
    let error: unknown;
    try {
      await plan(kube, ID, desired({ A: b64("1") }), merge);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeError);
    expect([(error as KubeError).code, (error as KubeError).message]).toEqual([
      "not_owner",
      `a Secret named "${NAME}" exists in namespace "team" on cluster "alpha" but is not a Konduktor secret of owner ${OWNER}: it is left untouched; choose another name`,
    ]);
  });
});

describe("the plan", () => {
  it("managed keys are sorted whatever the order of the data", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    const p = await plan(kube, ID, desired({ Z: b64("z"), A: b64("a"), M: b64("m") }), merge);
    expect([p.managed, p.added, p.dataChanged, p.unchanged]).toEqual([
      ["A", "M", "Z"],
      ["A", "M", "Z"],
      true,
      false,
    ]);
  });

  it("only a removed key changes the data (replace)", async () => {
    const kube = await holding(managed("A,B"), { A: b64("1"), B: b64("2") });
    const p = await plan(kube, ID, desired({ A: b64("1") }), replace);
    expect([p.added, p.changed, p.removed, p.dataChanged, p.unchanged]).toEqual([
      [],
      [],
      ["B"],
      true,
      false,
    ]);
  });

  it("one added and one changed key change the data (merge)", async () => {
    const kube = await holding(managed("A"), { A: b64("1") });
    const p = await plan(kube, ID, desired({ A: b64("2"), B: b64("3") }), merge);
    expect([p.added, p.changed, p.removed, p.dataChanged, p.unchanged]).toEqual([
      ["B"],
      ["A"],
      [],
      true,
      false,
    ]);
  });
});

describe("unchanged needs every condition", () => {
  it("the same data, labels, managed keys and placement: unchanged, no write", async () => {
    const kube = await holding(managed("A"), { A: b64("1") });
    const p = await plan(kube, ID, desired({ A: b64("1") }), { ...merge, placement: "all" });
    expect([p.dataChanged, p.unchanged]).toEqual([false, true]);
  });

  it("a changed value of the same key", async () => {
    const kube = await holding(managed("A"), { A: b64("1") });
    const p = await plan(kube, ID, desired({ A: b64("2") }), merge);
    expect([p.changed, p.dataChanged, p.unchanged]).toEqual([["A"], true, false]);
  });

  it("the legacy plain digest annotation is still there (it must go)", async () => {
    const kube = await holding(
      { annotations: { [ANNOTATION_MANAGED_KEYS]: "A", [LEGACY_ANNOTATION_CONTENT_DIGEST]: "x" } },
      { A: b64("1") },
    );
    const p = await plan(kube, ID, desired({ A: b64("1") }), merge);
    expect([p.dataChanged, p.unchanged]).toEqual([false, false]);
  });

  it("another kind label (every wanted label must match, not some)", async () => {
    const kube = await holding(managed("A"), { A: b64("1") });
    const p = await plan(kube, { ...ID, kind: "env" }, desired({ A: b64("1") }, "env"), merge);
    expect([p.dataChanged, p.unchanged]).toEqual([false, false]);
  });

  it("extra labels on the cluster's copy do not matter", async () => {
    const kube = await holding(
      { ...managed("A"), labels: { ...secretLabels(OWNER, "db", "default"), team: "x" } },
      { A: b64("1") },
    );
    expect((await plan(kube, ID, desired({ A: b64("1") }), merge)).unchanged).toBe(true);
  });

  it("a key that is there but was not managed becomes managed", async () => {
    const kube = await holding(managed("A"), { A: b64("1"), B: b64("2") });
    const p = await plan(kube, ID, desired({ B: b64("2") }), merge);
    expect([p.managed, p.dataChanged, p.unchanged]).toEqual([["A", "B"], false, false]);
  });

  it("immutable asked, the copy is not immutable", async () => {
    const kube = await holding(managed("A"), { A: b64("1") });
    const p = await plan(kube, ID, desired({ A: b64("1") }), { ...merge, immutable: true });
    expect([p.dataChanged, p.unchanged]).toEqual([false, false]);
  });

  it("another placement; an absent placement annotation reads as all", async () => {
    const kube = await holding(managed("A"), { A: b64("1") });
    const alpha = await plan(kube, ID, desired({ A: b64("1") }), { ...merge, placement: "alpha" });
    expect([alpha.dataChanged, alpha.unchanged]).toEqual([false, false]);
    const placed = await holding(
      { annotations: { [ANNOTATION_MANAGED_KEYS]: "A", [ANNOTATION_PLACEMENT]: "alpha" } },
      { A: b64("1") },
    );
    const all = await plan(placed, ID, desired({ A: b64("1") }), { ...merge, placement: "all" });
    expect(all.unchanged).toBe(false);
    const same = await plan(placed, ID, desired({ A: b64("1") }), { ...merge, placement: "alpha" });
    expect(same.unchanged).toBe(true);
  });

  it("signed: unchanged only when the signature annotations are the same", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    const s = buildSecret({
      owner: OWNER,
      basename: "db",
      kind: "default",
      source: { type: "inline", pairs: { A: "1" } },
    });
    await applySecret(kube, s, { ...replace, placement: "all", seal: { keyring, version: 3 } });
    const at = (version: number) =>
      plan(kube, ID, s, { ...replace, placement: "all", seal: { keyring, version } });
    const same = await at(3);
    expect([same.dataChanged, same.unchanged, same.supersededBy]).toEqual([false, true, undefined]);
    const newer = await at(4);
    expect([newer.dataChanged, newer.unchanged, newer.supersededBy]).toEqual([
      false,
      false,
      undefined,
    ]);
    // the copy holds version 3: a request at 2 is superseded, one at 3 is not
    expect((await at(2)).supersededBy).toBe(3);
  });

  it("a copy whose signature does not hold is never a newer version", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    const s = buildSecret({
      owner: OWNER,
      basename: "db",
      kind: "default",
      source: { type: "inline", pairs: { A: "1" } },
    });
    await applySecret(kube, s, { ...replace, placement: "all", seal: { keyring, version: 9 } });
    const stored = (await kube.get(NAME)) as KubeSecret;
    await kube.replace({ ...stored, data: { A: b64("forged") } });
    const p = await plan(kube, ID, s, {
      ...replace,
      placement: "all",
      seal: { keyring, version: 2 },
    });
    expect([p.supersededBy, p.dataChanged, p.unchanged]).toEqual([undefined, true, false]);
  });
});
