// A sealed replace takes the caller's digests of the data when it has them (a sync: the source
// copy's), and computes them when they do not fit the data (another key id, other key names).
import { describe, expect, it } from "vitest";
import { digestValues } from "../../konduktor/format.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import { createFakeKube } from "../support/fake-kube.ts";
import { testKeyring } from "../support/keyring.ts";

const OWNER = "0a1b2c3d";

async function write(
  digests: (real: Awaited<ReturnType<typeof digestValues>>) => unknown,
  mode: "replace" | "merge" = "replace",
) {
  const keyring = await testKeyring("k1");
  const secret = buildSecret({
    owner: OWNER,
    basename: "db",
    kind: "default",
    source: { type: "inline", pairs: { A: "1", B: "2" } },
  });
  const real = await digestValues(keyring.current, OWNER, "db", secret.data ?? {});
  const r = await applySecret(createFakeKube(), secret, {
    mode,
    placement: "all",
    provenance: { actor: "token:t", via: "sync", at: "2026-12-01T00:00:00Z" },
    seal: {
      keyring,
      version: 3,
      digests: digests(real) as Awaited<ReturnType<typeof digestValues>>,
    },
  });
  return { r, real };
}

describe("sealed replace with the caller's digests", () => {
  it("uses them as given when key id and key names fit (they are not computed again)", async () => {
    const { r, real } = await write((d) => ({ ...d, contentDigest: "hmac-sha256:k1:given" }));
    expect(r.digests).toEqual({ ...real, contentDigest: "hmac-sha256:k1:given" });
  });

  it("computes them when the key id differs", async () => {
    const { r, real } = await write((d) => ({ ...d, keyId: "old", contentDigest: "x" }));
    expect(r.digests).toEqual(real);
  });

  it("computes them when the key names differ", async () => {
    const { r, real } = await write((d) => ({
      ...d,
      digests: { A: d.digests.A },
      contentDigest: "x",
    }));
    expect(r.digests).toEqual(real);
    expect(Object.keys(real.digests)).toEqual(["A", "B"]);
  });

  it("computes them when as many key names differ (one right, one wrong)", async () => {
    const { r, real } = await write((d) => ({
      ...d,
      digests: { A: d.digests.A, X: d.digests.B },
      contentDigest: "x",
    }));
    expect(r.digests).toEqual(real);
  });

  it("computes them when they name a key more than the data", async () => {
    const { r, real } = await write((d) => ({
      ...d,
      digests: { ...d.digests, C: d.digests.A },
      contentDigest: "x",
    }));
    expect(r.digests).toEqual(real);
  });

  it("a merge computes them always (what it writes is not the caller's data alone)", async () => {
    const { r, real } = await write(
      (d) => ({ ...d, contentDigest: "hmac-sha256:k1:given" }),
      "merge",
    );
    expect(r.digests).toEqual(real);
  });
});
