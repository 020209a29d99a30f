/**
 * The signed-copy part of the operations suite (konduktor/ops.ts with `seal`), run wherever
 * ./ops-contract.ts runs: the fake (unit) and both adapters against the real kube-apiserver.
 */
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import {
  ANNOTATION_PLACEMENT,
  ANNOTATION_SIGNATURE,
  ANNOTATION_VERSION,
  checkSeal,
  digestValues,
} from "../../konduktor/format.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret, deleteOwn } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import type { ApplyOptions } from "../../konduktor/types.ts";
import { countingKube } from "./counting-kube.ts";
import { testKeyring } from "./keyring.ts";
import { b64 } from "./kube-contract.ts";

const newOwner = () => randomBytes(4).toString("hex");
const inline = (owner: string, basename: string, pairs: Record<string, string>, kind: "env") =>
  buildSecret({ owner, basename, kind, source: { type: "inline", pairs } });
const replace: ApplyOptions = { mode: "replace", provenance: { actor: "token:test", via: "test" } };

export function sealContract(make: () => KubeSecrets | Promise<KubeSecrets>) {
  it("signs a copy with its version; an older version never overwrites or deletes a newer one", async () => {
    const kube = countingKube(await make());
    const keyring = await testKeyring();
    const owner = newOwner();
    const sealed = (version: number, pairs: Record<string, string>) =>
      applySecret(kube, inline(owner, "sig", pairs, "env"), {
        ...replace,
        placement: "alpha,beta",
        seal: { keyring, version },
      });
    const first = await sealed(3, { K: "v3" });
    expect(first).toMatchObject({ outcome: "created", writes: 1 });
    const stored = await kube.get(`sig-${owner}`);
    const a = stored?.metadata.annotations ?? {};
    expect(a[ANNOTATION_VERSION]).toBe("3");
    expect(a[ANNOTATION_PLACEMENT]).toBe("alpha,beta");
    expect(a[ANNOTATION_SIGNATURE]).toMatch(/^v1:t1:[A-Za-z0-9_-]{43}$/);
    expect(await checkSeal(keyring, stored!)).toEqual({
      state: "valid",
      version: 3,
      keyId: "t1",
      placement: "alpha,beta",
    });
    expect(first.digests?.contentDigest).toBe(
      (await digestValues(keyring.current, owner, "sig", stored?.data)).contentDigest,
    );
    const writes = kube.writes();
    expect(await sealed(3, { K: "v3" })).toMatchObject({ outcome: "unchanged", writes: 0 });
    // an older request arriving late: left as it is
    expect(await sealed(2, { K: "v2" })).toMatchObject({
      outcome: "unchanged",
      writes: 0,
      supersededBy: 3,
    });
    expect(await deleteOwn(kube, owner, "sig", { keyring, version: 2 })).toMatchObject({
      writes: 0,
      supersededBy: 3,
    });
    expect(kube.writes()).toBe(writes);
    expect((await kube.get(`sig-${owner}`))?.data).toEqual({ K: b64("v3") });
    // a hand edit breaks the signature
    await kube.replace({ ...stored!, data: { K: b64("forged") } });
    expect((await checkSeal(keyring, (await kube.get(`sig-${owner}`))!)).state).toBe("invalid");
    expect(await deleteOwn(kube, owner, "sig", { keyring, version: 4 })).toMatchObject({
      writes: 1,
    });
    expect(await kube.get(`sig-${owner}`)).toBeNull();
  });
}
