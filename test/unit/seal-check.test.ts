// checkSeal on every path, with the exact reason (docs/konduktor-format.md "signed copies"): never
// signed → none; a malformed signature or version annotation; a key id that is not configured; each
// signed field changed after signing; a valid copy under the current and under a previous key; the
// caller's known digests used only when they are of the signing key id. And the placement codec.
import { describe, expect, it } from "vitest";
import {
  ANNOTATION_PLACEMENT,
  ANNOTATION_SIGNATURE,
  ANNOTATION_VERSION,
  checkSeal,
  digestValues,
  formatPlacement,
  LABEL_BASENAME,
  LABEL_KIND,
  LABEL_OWNER,
  parsePlacement,
  sealAnnotations,
  secretLabels,
  type ValueDigests,
} from "../../konduktor/format.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import { testKeyring } from "../support/keyring.ts";

const OWNER = "0a1b2c3d";
const MALFORMED = { state: "invalid", reason: "the signature or version annotation is malformed" };
const CHANGED = {
  state: "invalid",
  reason: "the content, a label, the version or the placement changed after the broker wrote it",
};
const b64 = (s: string) => Buffer.from(s).toString("base64");

/** A copy of `db-<OWNER>` signed at `version` with the keyring's current key. */
async function signedCopy(
  keyring: Awaited<ReturnType<typeof testKeyring>>,
  version = 7,
  placement = "alpha,beta",
): Promise<KubeSecret> {
  const data = { A: b64("1"), B: b64("two") };
  const digests = await digestValues(keyring.current, OWNER, "db", data);
  const annotations = await sealAnnotations(keyring.current, {
    owner: OWNER,
    basename: "db",
    kind: "env",
    version,
    contentDigest: digests.contentDigest,
    placement,
  });
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `db-${OWNER}`, labels: secretLabels(OWNER, "db", "env"), annotations },
    data,
  };
}

const withAnnotation = (s: KubeSecret, key: string, value: string | undefined): KubeSecret => {
  const annotations = { ...s.metadata.annotations };
  if (value === undefined) delete annotations[key];
  else annotations[key] = value;
  return { ...s, metadata: { ...s.metadata, annotations } };
};
const withLabel = (s: KubeSecret, key: string, value: string | undefined): KubeSecret => {
  const labels = { ...s.metadata.labels };
  if (value === undefined) delete labels[key];
  else labels[key] = value;
  return { ...s, metadata: { ...s.metadata, labels } };
};

describe("checkSeal", () => {
  it("a valid copy: its version, key id and placement", async () => {
    const keyring = await testKeyring("k1");
    expect(await checkSeal(keyring, await signedCopy(keyring, 7, "alpha,beta"))).toEqual({
      state: "valid",
      version: 7,
      keyId: "k1",
      placement: "alpha,beta",
    });
    expect(await checkSeal(keyring, await signedCopy(keyring, 1, "all"))).toEqual({
      state: "valid",
      version: 1,
      keyId: "k1",
      placement: "all",
    });
  });

  it("no signature annotation: none (also with no annotations at all)", async () => {
    const keyring = await testKeyring();
    const copy = await signedCopy(keyring);
    expect(await checkSeal(keyring, withAnnotation(copy, ANNOTATION_SIGNATURE, undefined))).toEqual(
      { state: "none" },
    );
    const bare = { ...copy, metadata: { name: copy.metadata.name } };
    expect(await checkSeal(keyring, bare)).toEqual({ state: "none" });
  });

  it("a malformed signature annotation", async () => {
    const keyring = await testKeyring("k1");
    const copy = await signedCopy(keyring);
    const sig = copy.metadata.annotations?.[ANNOTATION_SIGNATURE] ?? "";
    const mac = sig.slice("v1:k1:".length);
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const bad of [
      "",
      `v2:k1:${mac}`,
      `v1:k1:${mac}A`,
      `v1:k1:${mac.slice(1)}`,
      `v1::${mac}`,
      `v1:${"k".repeat(33)}:${mac}`,
      `v1:k/1:${mac}`,
      `v1:k1:${mac.slice(1)}+`,
      ` v1:k1:${mac}`,
      `v1:k1:${mac}\n`,
    ]) {
      expect(
        await checkSeal(keyring, withAnnotation(copy, ANNOTATION_SIGNATURE, bad)),
        bad,
      ).toEqual(MALFORMED);
    }
  });

  it("key ids of 32 characters and of . _ - are well-formed (here unknown)", async () => {
    const keyring = await testKeyring("k1");
    const copy = await signedCopy(keyring);
    const mac = (copy.metadata.annotations?.[ANNOTATION_SIGNATURE] ?? "").slice(6);
    const id32 = "a".repeat(32);
    expect(
      await checkSeal(keyring, withAnnotation(copy, ANNOTATION_SIGNATURE, `v1:${id32}:${mac}`)),
    ).toEqual({ state: "invalid", reason: `signed with key "${id32}", not configured` });
    expect(
      await checkSeal(keyring, withAnnotation(copy, ANNOTATION_SIGNATURE, `v1:.a_b-9:${mac}`)),
    ).toEqual({ state: "invalid", reason: 'signed with key ".a_b-9", not configured' });
  });

  it("a malformed or missing version annotation", async () => {
    const keyring = await testKeyring();
    const copy = await signedCopy(keyring);
    for (const bad of [
      undefined,
      "",
      "0",
      "07",
      "-1",
      "1.0",
      "1e3",
      " 7",
      "7 ",
      "x",
      "1".repeat(16),
    ]) {
      expect(
        await checkSeal(keyring, withAnnotation(copy, ANNOTATION_VERSION, bad)),
        String(bad),
      ).toEqual(MALFORMED);
    }
  });

  it("versions of 1 and of 15 digits are well-formed: the MAC decides", async () => {
    const keyring = await testKeyring();
    const copy = await signedCopy(keyring, 7);
    expect(await checkSeal(keyring, withAnnotation(copy, ANNOTATION_VERSION, "1"))).toEqual(
      CHANGED,
    );
    expect(
      await checkSeal(keyring, withAnnotation(copy, ANNOTATION_VERSION, "9".repeat(15))),
    ).toEqual(CHANGED);
    const big = await signedCopy(keyring, 999_999_999_999_999);
    expect(await checkSeal(keyring, big)).toMatchObject({
      state: "valid",
      version: 999_999_999_999_999,
    });
  });

  it("signed with a key that is not configured: names the key id", async () => {
    const signer = await testKeyring("old");
    const reader = await testKeyring("new");
    expect(await checkSeal(reader, await signedCopy(signer))).toEqual({
      state: "invalid",
      reason: 'signed with key "old", not configured',
    });
  });

  it("signed with a previous key that is still configured: valid, under that key id", async () => {
    const oldBytes = new Uint8Array(32).fill(7);
    const signer = await testKeyring("old", oldBytes);
    const reader = await testKeyring("new", new Uint8Array(32).fill(9), [
      { id: "old", bytes: oldBytes },
    ]);
    expect(await checkSeal(reader, await signedCopy(signer, 3, "beta"))).toEqual({
      state: "valid",
      version: 3,
      keyId: "old",
      placement: "beta",
    });
  });

  it("each signed field changed after signing: the content, each label, the version, the placement", async () => {
    const keyring = await testKeyring();
    const copy = await signedCopy(keyring);
    const changed: [string, KubeSecret][] = [
      ["a value", { ...copy, data: { ...copy.data, A: b64("2") } }],
      ["a key added", { ...copy, data: { ...copy.data, C: b64("3") } }],
      ["a key removed", { ...copy, data: { A: copy.data?.A as string } }],
      ["no data", { ...copy, data: undefined as unknown as Record<string, string> }],
      ["the owner label", withLabel(copy, LABEL_OWNER, "ffffffff")],
      ["no owner label", withLabel(copy, LABEL_OWNER, undefined)],
      ["the basename label", withLabel(copy, LABEL_BASENAME, "dc")],
      ["no basename label", withLabel(copy, LABEL_BASENAME, undefined)],
      ["the kind label", withLabel(copy, LABEL_KIND, "default")],
      ["no kind label", withLabel(copy, LABEL_KIND, undefined)],
      ["the version", withAnnotation(copy, ANNOTATION_VERSION, "8")],
      ["the placement", withAnnotation(copy, ANNOTATION_PLACEMENT, "alpha")],
      ["no placement", withAnnotation(copy, ANNOTATION_PLACEMENT, undefined)],
      ["no labels", { ...copy, metadata: { ...copy.metadata, labels: undefined } }],
    ];
    for (const [what, c] of changed) expect(await checkSeal(keyring, c), what).toEqual(CHANGED);
  });

  it("a copy signed with an empty kind and placement checks out without those labels", async () => {
    const keyring = await testKeyring("k1");
    const data = { A: b64("1") };
    const digests = await digestValues(keyring.current, "", "", data);
    const annotations = await sealAnnotations(keyring.current, {
      owner: "",
      basename: "",
      kind: "",
      version: 2,
      contentDigest: digests.contentDigest,
      placement: "",
    });
    const copy: KubeSecret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "x", annotations },
      data,
    };
    expect(await checkSeal(keyring, withAnnotation(copy, ANNOTATION_PLACEMENT, undefined))).toEqual(
      { state: "valid", version: 2, keyId: "k1", placement: "" },
    );
  });

  it("uses the caller's digests when they are of the signing key id, and only then", async () => {
    const keyring = await testKeyring("k1");
    const copy = await signedCopy(keyring);
    const right = await digestValues(keyring.current, OWNER, "db", copy.data);
    const flipped = right.contentDigest.endsWith("0") ? "1" : "0";
    const wrong: ValueDigests = {
      ...right,
      contentDigest: `${right.contentDigest.slice(0, -1)}${flipped}`,
    };
    expect(wrong.contentDigest).not.toBe(right.contentDigest);
    // same key id: the known content digest is used instead of reading the data
    expect(await checkSeal(keyring, copy, right)).toMatchObject({ state: "valid" });
    expect(await checkSeal(keyring, copy, wrong)).toEqual(CHANGED);
    const forged = { ...copy, data: { A: b64("forged") } };
    expect(await checkSeal(keyring, forged, right)).toMatchObject({ state: "valid" });
    // another key id: ignored, the data is digested
    expect(await checkSeal(keyring, copy, { ...wrong, keyId: "k2" })).toMatchObject({
      state: "valid",
    });
    expect(await checkSeal(keyring, forged, { ...right, keyId: "k2" })).toEqual(CHANGED);
  });
});

describe("the placement codec", () => {
  it("parses absent, empty, blank and `all` as all; a list trimmed, deduplicated, sorted", () => {
    expect(parsePlacement(undefined)).toBe("all");
    expect(parsePlacement("")).toBe("all");
    expect(parsePlacement(" , ,")).toBe("all");
    expect(parsePlacement("beta,all")).toBe("all");
    expect(parsePlacement(" all ")).toBe("all");
    expect(parsePlacement("beta, alpha ,beta,,gamma")).toEqual(["alpha", "beta", "gamma"]);
    expect(parsePlacement("alpha")).toEqual(["alpha"]);
    expect(parsePlacement("allx")).toEqual(["allx"]);
  });

  it("formats all as all, a list deduplicated, sorted, comma-separated", () => {
    expect(formatPlacement("all")).toBe("all");
    expect(formatPlacement(["beta", "alpha", "beta"])).toBe("alpha,beta");
    expect(formatPlacement(["gamma"])).toBe("gamma");
    expect(formatPlacement([])).toBe("");
  });
});
