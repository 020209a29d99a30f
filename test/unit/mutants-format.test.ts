// konduktor/format.ts, exactly: the annotation names as literal text (other readers, kubectl users
// and older broker releases know them by name), the keyed digests recomputed here byte by byte
// from their documented input, and digestsOf's key order.
import { describe, expect, it } from "vitest";
import { describeSecret } from "../../konduktor/describe.ts";
import {
  type CopyKeys,
  digestsOf,
  digestValues,
  sealAnnotations,
  secretLabels,
} from "../../konduktor/format.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import type { ApplyOptions, KubeSecret } from "../../konduktor/types.ts";
import { createFakeKube } from "../support/fake-kube.ts";
import { testKeyring } from "../support/keyring.ts";

const OWNER = "0a1b2c3d";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const merge: ApplyOptions = { mode: "merge", provenance: { actor: "token:test", via: "test" } };

async function hmacHex(keys: CopyKeys, bytes: Uint8Array): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", keys.digest, bytes as Uint8Array<ArrayBuffer>);
  return Buffer.from(mac).toString("hex");
}

describe("annotation names", () => {
  it("a written copy carries managed-keys, updated-by, updated-via, updated-at by those names", async () => {
    const kube = createFakeKube();
    const desired = buildSecret({
      owner: OWNER,
      basename: "api",
      kind: "default",
      source: { type: "inline", pairs: { A: "1" } },
    });
    await applySecret(kube, desired, merge);
    const a = (await kube.get(`api-${OWNER}`))?.metadata.annotations ?? {};
    expect(Object.keys(a).sort()).toEqual([
      "konduktor-broker/managed-keys",
      "konduktor-broker/updated-at",
      "konduktor-broker/updated-by",
      "konduktor-broker/updated-via",
    ]);
    expect([a["konduktor-broker/updated-by"], a["konduktor-broker/updated-via"]]).toEqual([
      "token:test",
      "test",
    ]);
  });

  it("describe reads the provenance from updated-by, updated-via, updated-at", async () => {
    const kube = createFakeKube();
    const secret: KubeSecret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: `api-${OWNER}`,
        labels: secretLabels(OWNER, "api"),
        annotations: {
          "konduktor-broker/updated-by": "token:ci",
          "konduktor-broker/updated-via": "action",
          "konduktor-broker/updated-at": "2026-01-02T03:04:05Z",
        },
      },
      data: { A: b64("1") },
    };
    expect((await describeSecret(kube, secret, await testKeyring())).provenance).toEqual({
      actor: "token:ci",
      via: "action",
      at: "2026-01-02T03:04:05Z",
    });
  });

  it("a seal is the version and signature annotations (and the placement)", async () => {
    const keyring = await testKeyring("k1");
    const sealed = await sealAnnotations(keyring.current, {
      owner: OWNER,
      basename: "api",
      kind: "default",
      version: 7,
      contentDigest: "hmac-sha256:k1:00",
      placement: "all",
    });
    expect(Object.keys(sealed).sort()).toEqual([
      "konduktor-broker/placement",
      "konduktor-broker/signature",
      "konduktor-broker/version",
    ]);
    expect(sealed["konduktor-broker/version"]).toBe("7");
    expect(sealed["konduktor-broker/signature"]).toMatch(/^v1:k1:[A-Za-z0-9_-]{43}$/);
  });

  it("a copy holding the legacy content-digest annotation is rewritten without it", async () => {
    const kube = createFakeKube();
    const desired = () =>
      buildSecret({
        owner: OWNER,
        basename: "api",
        kind: "default",
        source: { type: "inline", pairs: { A: "1" } },
      });
    await applySecret(kube, desired(), merge);
    await kube.mergePatch(`api-${OWNER}`, {
      metadata: { annotations: { "konduktor-broker/content-digest": "sha256:00" } },
    });
    const again = await applySecret(kube, desired(), merge);
    expect([again.outcome, again.writes]).toEqual(["updated", 1]);
    const a = (await kube.get(`api-${OWNER}`))?.metadata.annotations ?? {};
    expect(Object.keys(a).sort()).toEqual([
      "konduktor-broker/managed-keys",
      "konduktor-broker/updated-at",
      "konduktor-broker/updated-by",
      "konduktor-broker/updated-via",
    ]);
  });
});

describe("keyed digests, recomputed from their documented input", () => {
  it("a value: HMAC over the JSON label, a NUL byte, then the value's bytes", async () => {
    const keys = (await testKeyring("k1")).current;
    const got = await digestValues(keys, OWNER, "db", { A: b64("secret-1") });
    const label = new TextEncoder().encode(JSON.stringify(["value", OWNER, "db", "A"]));
    const value = new TextEncoder().encode("secret-1");
    const input = new Uint8Array([...label, 0, ...value]);
    const hex = await hmacHex(keys, input);
    expect(got.digests).toEqual({ A: `hmac-sha256:k1:${hex}` });
    const content = await hmacHex(
      keys,
      new TextEncoder().encode(JSON.stringify(["content", OWNER, "db", [["A", hex]]])),
    );
    expect(got.contentDigest).toBe(`hmac-sha256:k1:${content}`);
  });

  it("a key listed with no value (undefined) digests as the empty value", async () => {
    const keys = (await testKeyring("k1")).current;
    const none = await digestValues(keys, OWNER, "db", { A: undefined as unknown as string });
    expect(none).toEqual(await digestValues(keys, OWNER, "db", { A: "" }));
  });

  it("digestsOf sorts the keys: the same digests in another order give the same answer", async () => {
    const keys = (await testKeyring("k1")).current;
    const sorted = await digestValues(keys, OWNER, "db", { a: b64("1"), b: b64("2") });
    const reversed = { b: sorted.digests.b as string, a: sorted.digests.a as string };
    const again = await digestsOf(keys, OWNER, "db", reversed);
    expect(again?.contentDigest).toBe(sorted.contentDigest);
    expect(Object.keys(again?.digests ?? {})).toEqual(["a", "b"]);
  });
});
