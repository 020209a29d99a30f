// Paths of describe and the operations no other unit test reached (konduktor/describe.ts, ops.ts):
// every Secret of the namespace described (unlabelled ones digested under empty owner and
// basename), provenance with only an actor or only a channel, a git-ssh predecessor gone before
// its delete, immutable and type kept by a replace, immutable added by a merge, a read copy with
// an unknown kind label, a signed write without a placement.
import { describe, expect, it } from "vitest";
import {
  ANNOTATION_UPDATED_BY,
  ANNOTATION_UPDATED_VIA,
  checkSeal,
  digestValues,
  secretLabels,
} from "../../konduktor/format.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import { applySecret, describeListing, desiredCopy } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import type { ApplyOptions, KubeSecret } from "../../konduktor/types.ts";
import { createFakeKube } from "../support/fake-kube.ts";
import { testKeyring } from "../support/keyring.ts";

const OWNER = "0a1b2c3d";
const provenance = { actor: "token:test", via: "test", at: "2026-01-01T00:00:00.000Z" };
const replace: ApplyOptions = { mode: "replace", provenance };
const merge: ApplyOptions = { mode: "merge", provenance };
const b64 = (s: string) => Buffer.from(s).toString("base64");
const inline = (basename: string, pairs: Record<string, string>) =>
  buildSecret({ owner: OWNER, basename, kind: "default", source: { type: "inline", pairs } });
const gitSsh = (basename: string, key: string) =>
  buildSecret({
    owner: OWNER,
    basename,
    kind: "git-ssh",
    source: { type: "files", files: [{ name: "id", content: new TextEncoder().encode(key) }] },
  });
const plain = (name: string, annotations: Record<string, string> = {}): KubeSecret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, annotations },
  data: { K: b64("v") },
});

describe("describeListing of every Secret (owner null)", () => {
  it("lists labelled and unlabelled Secrets by name; unlabelled digested under empty names", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, inline("db", { A: "1" }), merge);
    await kube.create(plain("zz-plain"));
    await kube.create(plain("aa-plain"));
    const all = await describeListing(kube, null, keyring);
    expect(all.map((d) => [d.name, d.owner])).toEqual([
      ["aa-plain", null],
      [`db-${OWNER}`, OWNER],
      ["zz-plain", null],
    ]);
    const unlabelled = await digestValues(keyring.current, "", "", { K: b64("v") });
    expect([all[0]?.digests, all[0]?.contentDigest]).toEqual([
      unlabelled.digests,
      unlabelled.contentDigest,
    ]);
  });

  it("provenance with only an actor, or only a channel, names the other as empty", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await kube.create(plain("by", { [ANNOTATION_UPDATED_BY]: "token:x" }));
    await kube.create(plain("via", { [ANNOTATION_UPDATED_VIA]: "action" }));
    await kube.create(plain("none"));
    const all = await describeListing(kube, null, keyring);
    expect(all.map((d) => [d.name, d.provenance])).toEqual([
      ["by", { actor: "token:x", via: "" }],
      ["none", null],
      ["via", { actor: "", via: "action" }],
    ]);
  });
});

describe("git-ssh: the predecessor's delete", () => {
  it("one gone before its delete is not counted as replaced; the write stands", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await kube.create(gitSsh("old", "k-old"));
    kube.before = async (method, name) => {
      if (method === "delete" && name === `old-${OWNER}`) {
        kube.before = undefined;
        await kube.delete(name);
      }
    };
    const r = await applySecret(kube, gitSsh("new", "k"), replace);
    expect([r.outcome, r.writes, r.replacedGitSsh]).toEqual(["created", 1, []]);
    expect(await kube.get(`new-${OWNER}`)).not.toBeNull();
  });

  it("another failure of that delete is passed on", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await kube.create(gitSsh("old", "k-old"));
    const forbidden = new KubeError({ code: "forbidden", httpStatus: 403, message: "no" });
    kube.before = (method) => {
      if (method === "delete") throw forbidden;
    };
    await expect(applySecret(kube, gitSsh("new", "k"), replace)).rejects.toBe(forbidden);
  });
});

describe("what a replace and a merge keep", () => {
  it("a replace keeps the copy's type and immutability; a missing type becomes Opaque", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    const s = inline("db", { A: "1" });
    await kube.create({ ...s, type: "example.com/custom", immutable: true });
    // same data: no delete and create, a replace that changes the annotations only
    const r = await applySecret(kube, s, replace);
    expect([r.outcome, r.writes]).toEqual(["updated", 1]);
    const stored = await kube.get(`db-${OWNER}`);
    expect([stored?.type, stored?.immutable]).toEqual(["example.com/custom", true]);
    const untyped = inline("nt", { A: "1" });
    await kube.create({ ...untyped, type: undefined } as unknown as KubeSecret);
    await applySecret(kube, untyped, replace);
    const typed = await kube.get(`nt-${OWNER}`);
    expect([typed?.type, typed?.immutable]).toEqual(["Opaque", undefined]);
  });

  it("a replace asked immutable makes a mutable copy immutable", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    const s = inline("db", { A: "1" });
    await applySecret(kube, s, merge);
    await applySecret(kube, s, { ...replace, immutable: true });
    expect((await kube.get(`db-${OWNER}`))?.immutable).toBe(true);
  });

  it("a merge asked immutable makes a mutable copy immutable, with the same data", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    const s = inline("db", { A: "1" });
    await applySecret(kube, s, merge);
    const r = await applySecret(kube, s, { ...merge, immutable: true });
    expect([r.outcome, r.writes]).toEqual(["updated", 1]);
    const stored = await kube.get(`db-${OWNER}`);
    expect([stored?.immutable, stored?.data]).toEqual([true, { A: b64("1") }]);
  });
});

describe("desiredCopy and a signed write without a placement", () => {
  it("a read copy with an unknown kind label becomes a default secret", () => {
    const read: KubeSecret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "x",
        labels: { ...secretLabels(OWNER, "db", "env"), "trainy.ai/secret-kind": "ssh" },
      },
      data: { A: b64("1") },
    };
    expect(desiredCopy(read, OWNER, "db")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `db-${OWNER}`, labels: secretLabels(OWNER, "db", "default") },
      type: "Opaque",
      data: { A: b64("1") },
    });
    expect(
      desiredCopy({ ...read, data: undefined } as unknown as KubeSecret, OWNER, "db").data,
    ).toEqual({});
  });

  it("a signed write without a placement signs placement all", async () => {
    const keyring = await testKeyring("k1");
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, inline("db", { A: "1" }), {
      ...replace,
      seal: { keyring, version: 5 },
    });
    const stored = (await kube.get(`db-${OWNER}`)) as KubeSecret;
    expect(stored.metadata.annotations?.["konduktor-broker/placement"]).toBe("all");
    expect(await checkSeal(keyring, stored)).toEqual({
      state: "valid",
      version: 5,
      keyId: "k1",
      placement: "all",
    });
  });
});
