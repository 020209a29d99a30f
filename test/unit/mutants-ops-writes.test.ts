// Mutants of konduktor/ops.ts that the other tests let survive (docs/mutation-survivors.md): the
// Secret a create or a replace sends, the placement annotation, a superseded result, the
// preconditions of the deletes, and desiredCopy. Exact bodies, annotations, results and errors.
import { describe, expect, it } from "vitest";
import {
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_PLACEMENT,
  ANNOTATION_UPDATED_AT,
  ANNOTATION_UPDATED_BY,
  ANNOTATION_UPDATED_VIA,
  secretLabels,
} from "../../konduktor/format.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret, deleteOwn, desiredCopy } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import type { ApplyOptions, KubeSecret } from "../../konduktor/types.ts";
import { createFakeKube, type FakeKube } from "../support/fake-kube.ts";
import { testKeyring } from "../support/keyring.ts";
import { rejects } from "../support/kube-contract.ts";

const OWNER = "0a1b2c3d";
const NAME = `db-${OWNER}`;
const provenance = { actor: "token:test", via: "test", at: "2026-01-01T00:00:00.000Z" };
const merge: ApplyOptions = { mode: "merge", provenance };
const replace: ApplyOptions = { mode: "replace", provenance };
const b64 = (s: string) => Buffer.from(s).toString("base64");
const inline = (pairs: Record<string, string>) =>
  buildSecret({ owner: OWNER, basename: "db", kind: "default", source: { type: "inline", pairs } });

/** The fake as a port that also keeps every Secret sent to create and replace. */
function recording(fake: FakeKube): {
  kube: KubeSecrets;
  sent: { method: string; body: KubeSecret }[];
} {
  const sent: { method: string; body: KubeSecret }[] = [];
  const kube: KubeSecrets = {
    ...fake,
    create: async (s) => {
      sent.push({ method: "create", body: structuredClone(s) });
      return await fake.create(s);
    },
    replace: async (s) => {
      sent.push({ method: "replace", body: structuredClone(s) });
      return await fake.replace(s);
    },
  };
  return { kube, sent };
}

describe("the Secret a write sends", () => {
  it("a create sends a v1 Secret with the four labels and only the annotations it has", async () => {
    const fake = createFakeKube({ cluster: "alpha", namespace: "team" });
    const { kube, sent } = recording(fake);
    await applySecret(kube, inline({ A: "1" }), merge);
    expect(sent).toHaveLength(1);
    const body = sent[0]?.body as KubeSecret;
    expect([sent[0]?.method, body.apiVersion, body.kind, body.type]).toEqual([
      "create",
      "v1",
      "Secret",
      "Opaque",
    ]);
    expect(body.metadata.labels).toEqual(secretLabels(OWNER, "db", "default"));
    // no placement given and none before: no placement key at all (not one holding undefined)
    expect(Object.keys(body.metadata.annotations ?? {}).sort()).toEqual(
      [
        ANNOTATION_MANAGED_KEYS,
        ANNOTATION_UPDATED_AT,
        ANNOTATION_UPDATED_BY,
        ANNOTATION_UPDATED_VIA,
      ].sort(),
    );
  });

  it("a replace keeps labels and annotations written by others and defaults a missing type", async () => {
    const fake = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(fake, inline({ A: "1" }), merge);
    const stored = fake.store.get(NAME) as KubeSecret;
    stored.metadata.labels = { ...stored.metadata.labels, "example.com/team": "infra" };
    stored.metadata.annotations = { ...stored.metadata.annotations, "example.com/note": "keep" };
    delete stored.type;
    const { kube, sent } = recording(fake);
    const result = await applySecret(kube, inline({ B: "2" }), replace);
    expect([result.outcome, result.writes]).toEqual(["updated", 1]);
    expect(sent.map((s) => s.method)).toEqual(["replace"]);
    const body = sent[0]?.body as KubeSecret;
    expect([body.apiVersion, body.kind, body.type]).toEqual(["v1", "Secret", "Opaque"]);
    expect(body.metadata.labels).toEqual({
      ...secretLabels(OWNER, "db", "default"),
      "example.com/team": "infra",
    });
    expect(body.metadata.annotations).toEqual({
      "example.com/note": "keep",
      [ANNOTATION_MANAGED_KEYS]: "B",
      [ANNOTATION_UPDATED_BY]: "token:test",
      [ANNOTATION_UPDATED_VIA]: "test",
      [ANNOTATION_UPDATED_AT]: "2026-01-01T00:00:00.000Z",
    });
    expect(body.data).toEqual({ B: b64("2") });
  });
});

describe("placement", () => {
  it("a new placement replaces the old one; the result says the previous one", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, inline({ A: "1" }), { ...merge, placement: "alpha,beta" });
    const result = await applySecret(kube, inline({ A: "2" }), { ...merge, placement: "alpha" });
    const stored = kube.store.get(NAME) as KubeSecret;
    expect(result).toEqual({
      name: NAME,
      namespace: "team",
      added: [],
      changed: ["A"],
      removed: [],
      dryRun: false,
      previousPlacement: ["alpha", "beta"],
      outcome: "updated",
      writes: 1,
      resourceVersion: stored.metadata.resourceVersion,
    });
    expect(stored.metadata.annotations?.[ANNOTATION_PLACEMENT]).toBe("alpha");
  });
});

describe("a superseded write", () => {
  it("a copy signed at a newer version: nothing added, changed or removed, nothing written", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    const sealed = { ...replace, placement: "all" };
    await applySecret(kube, inline({ A: "1", B: "2" }), {
      ...sealed,
      seal: { keyring, version: 5 },
    });
    const before = kube.calls.length;
    const result = await applySecret(kube, inline({ A: "9", C: "3" }), {
      ...sealed,
      seal: { keyring, version: 4 },
    });
    expect(result).toEqual({
      name: NAME,
      namespace: "team",
      added: [],
      changed: [],
      removed: [],
      dryRun: false,
      previousPlacement: "all",
      outcome: "unchanged",
      writes: 0,
      supersededBy: 5,
    });
    expect(kube.calls.slice(before).map((c) => c.method)).toEqual(["get"]);
  });
});

describe("immutable: delete and create", () => {
  it("a change between the read and the delete: conflict, the changed copy stays", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, inline({ A: "1" }), { ...merge, immutable: true });
    kube.before = (method) => {
      const stored = kube.store.get(NAME);
      // someone else writes it (new resourceVersion) just before our delete
      if (method === "delete" && stored) stored.metadata.resourceVersion = "999999";
    };
    const e = await rejects(applySecret(kube, inline({ A: "2" }), { ...replace, immutable: true }));
    expect([e.code, e.message]).toEqual([
      "conflict",
      `secret "${NAME}" in namespace "team" on cluster "alpha" was changed by someone else during the replace: nothing was overwritten; read it and try again`,
    ]);
    expect(kube.store.get(NAME)?.data).toEqual({ A: b64("1") });
    expect(kube.calls.filter((c) => c.method === "create")).toHaveLength(1);
  });

  it("recreated by someone else before the create: the conflict keeps the server's 409", async () => {
    // the create's 409 already_exists is a race to applySecret's loop, which the replace answers
    // with its own message and the server's status
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, inline({ A: "1" }), { ...merge, immutable: true });
    kube.before = (method) => {
      if (method === "create") {
        throw new KubeError({ code: "already_exists", httpStatus: 409, message: "exists" });
      }
    };
    const e = await rejects(applySecret(kube, inline({ A: "2" }), { ...replace, immutable: true }));
    expect([e.code, e.httpStatus, e.retryable]).toEqual(["conflict", 409, false]);
  });
});

describe("deleteOwn preconditions and versions", () => {
  it("without an order: a Secret recreated between the read and the delete is not deleted", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, inline({ A: "1" }), merge);
    kube.before = (method) => {
      const stored = kube.store.get(NAME);
      if (method === "delete" && stored) stored.metadata.uid = "someone-else-s-uid";
    };
    const e = await rejects(deleteOwn(kube, OWNER, "db"));
    expect([e.code, e.objectName]).toEqual(["conflict", NAME]);
    expect(kube.store.get(NAME)?.metadata.uid).toBe("someone-else-s-uid");
  });

  it("with an order at the copy's own version: deleted", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, inline({ A: "1" }), {
      ...replace,
      placement: "all",
      seal: { keyring, version: 3 },
    });
    expect(await deleteOwn(kube, OWNER, "db", { keyring, version: 3 })).toEqual({
      outcome: "deleted",
      name: NAME,
      namespace: "team",
      writes: 1,
    });
    expect(kube.store.has(NAME)).toBe(false);
  });

  it("with an order: a newer version written between the read and the delete stays", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    const sealed = (version: number) => ({
      ...replace,
      placement: "all",
      seal: { keyring, version },
    });
    await applySecret(kube, inline({ A: "1" }), sealed(2));
    let raced = false;
    kube.before = async (method) => {
      if (method !== "delete" || raced) return;
      raced = true;
      await applySecret(kube, inline({ A: "4" }), sealed(4));
    };
    expect(await deleteOwn(kube, OWNER, "db", { keyring, version: 3 })).toEqual({
      outcome: "deleted",
      name: NAME,
      namespace: "team",
      writes: 0,
      supersededBy: 4,
    });
    expect(kube.store.get(NAME)?.data).toEqual({ A: b64("4") });
    expect(kube.calls.filter((c) => c.method === "delete")).toHaveLength(1);
  });
});

describe("desiredCopy", () => {
  it("a Secret without labels is copied as a default secret", () => {
    const copy = desiredCopy(
      { apiVersion: "v1", kind: "Secret", metadata: { name: "x" }, data: { K: b64("v") } },
      OWNER,
      "db",
    );
    expect(copy).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: NAME, labels: secretLabels(OWNER, "db", "default") },
      type: "Opaque",
      data: { K: b64("v") },
    });
  });
});
