// konduktor/apply-known.ts on its own, over the in-memory fake: when the one-patch write is not
// tried (null: the caller reads first) and what it refuses before sending anything. The counted
// PUTs through the broker are in ./one-request.test.ts.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../functions/config.ts";
import { brokerKeyring } from "../../functions/ledger/keys.ts";
import { applyKnown } from "../../konduktor/apply-known.ts";
import { digestValues } from "../../konduktor/format.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { secretLabels, secretName } from "../../konduktor/secret.ts";
import type { ApplyOptions, KnownCopy, KubeSecret } from "../../konduktor/types.ts";
import { MAX_SECRET_BYTES } from "../../konduktor/validate.ts";
import { createFakeKube } from "../support/fake-kube.ts";

const OWNER = "0a1b2c3d";
const id = {
  owner: OWNER,
  basename: "db",
  kind: "default" as const,
  name: secretName("db", OWNER),
};
const desired = (data: Record<string, string>): KubeSecret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: id.name, labels: secretLabels(OWNER, "db", "default") },
  type: "Opaque",
  data,
});
const b64 = (s: string) => Buffer.from(s).toString("base64");

async function setup(data: Record<string, string> = { A: b64("1") }) {
  const config = loadConfig({
    ADMIN_TOKEN: "a".repeat(40),
    KEK: randomBytes(32).toString("base64"),
  });
  const keyring = await brokerKeyring(config);
  const kube = createFakeKube({ cluster: "alpha", namespace: "default" });
  const options = (version: number, extra: Partial<ApplyOptions> = {}): ApplyOptions => ({
    mode: "merge",
    provenance: { actor: "test", via: "test" },
    placement: "all",
    seal: { keyring, version },
    ...extra,
  });
  const first = await applySecret(kube, desired(data), options(1));
  const known: KnownCopy = {
    resourceVersion: first.resourceVersion as string,
    version: 1,
    kind: "default",
    placement: "all",
    digests: first.digests?.digests as Record<string, string>,
    immutable: false,
  };
  kube.calls.splice(0);
  return { kube, keyring, options, known };
}

describe("applyKnown: when the one-patch write is not tried", () => {
  it("without a placement to sign, it leaves the write to the read path (nothing sent)", async () => {
    const s = await setup();
    const { placement: _p, ...unplaced } = s.options(2, { known: s.known });
    expect(await applyKnown(s.kube, id, desired({ A: b64("2") }), unplaced, "t")).toBeNull();
    expect(s.kube.calls).toEqual([]);
  });

  it("ledger digests under another key id: the read path (nothing sent)", async () => {
    const s = await setup();
    const digests = Object.fromEntries(
      Object.entries(s.known.digests).map(([k, d]) => [
        k,
        d.replace(/^hmac-sha256:[^:]+:/, "hmac-sha256:old:"),
      ]),
    );
    const options = s.options(2, { known: { ...s.known, digests } });
    expect(await applyKnown(s.kube, id, desired({ A: b64("2") }), options, "t")).toBeNull();
    expect(s.kube.calls).toEqual([]);
  });

  it("values over 1 MiB go to the read path, which names the problem; exactly 1 MiB is sent", async () => {
    const s = await setup();
    const over = desired({ A: Buffer.alloc(MAX_SECRET_BYTES + 1).toString("base64") });
    expect(await applyKnown(s.kube, id, over, s.options(2, { known: s.known }), "t")).toBeNull();
    expect(s.kube.calls).toEqual([]);
    const at = desired({ A: Buffer.alloc(MAX_SECRET_BYTES).toString("base64") });
    const r = await applyKnown(s.kube, id, at, s.options(2, { known: s.known }), "t");
    expect(r).toMatchObject({ outcome: "updated", changed: ["A"], writes: 1 });
    expect(s.kube.calls.map((c) => c.method)).toEqual(["jsonPatch"]);
  });

  it("annotations over 256 KiB are refused before anything is sent", async () => {
    const long = (i: number, side: string) =>
      `${side}${String(i).padStart(5, "0")}${"k".repeat(240)}`;
    const mine = Object.fromEntries(
      Array.from({ length: 800 }, (_, i) => [long(i, "a"), b64("v")]),
    );
    const s = await setup(mine);
    const more = Object.fromEntries(
      Array.from({ length: 800 }, (_, i) => [long(i, "b"), b64("v")]),
    );
    await expect(
      applyKnown(s.kube, id, desired(more), s.options(2, { known: s.known }), "t"),
    ).rejects.toMatchObject({ code: "too_large" });
    expect(s.kube.calls).toEqual([]);
    // the digests of the known copy are what the ledger holds: the setup's own check
    expect(Object.keys(s.known.digests)).toHaveLength(800);
    expect((await digestValues(s.keyring.current, OWNER, "db", mine)).digests).toEqual(
      s.known.digests,
    );
  });
});
