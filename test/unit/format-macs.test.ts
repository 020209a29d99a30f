// The seal and content MACs (konduktor/format.ts) are kept for a while by the text they cover:
// the same seal for every cluster of a PUT, or both targets of a synced copy, is made once. Value
// digests are never kept (their input is the value), and a failed MAC is not remembered.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../functions/config.ts";
import { brokerKeyring } from "../../functions/ledger/keys.ts";
import {
  digestsOf,
  digestValues,
  type SealFields,
  sealAnnotations,
} from "../../konduktor/format.ts";

const keyring = () =>
  brokerKeyring(
    loadConfig({ ADMIN_TOKEN: "a".repeat(40), KEK: randomBytes(32).toString("base64") }),
  );
const fields: SealFields = {
  owner: "0a1b2c3d",
  basename: "db",
  kind: "default",
  version: 7,
  contentDigest: "hmac-sha256:k1:00",
  placement: "all",
};
const b64 = (s: string) => Buffer.from(s).toString("base64");

afterEach(() => vi.restoreAllMocks());

describe("MACs made once for the same text", () => {
  it("the same seal twice is one MAC; another version is another", async () => {
    const keys = (await keyring()).current;
    const sign = vi.spyOn(crypto.subtle, "sign");
    const a = await sealAnnotations(keys, fields);
    const b = await sealAnnotations(keys, { ...fields });
    expect(b).toEqual(a);
    expect(sign).toHaveBeenCalledTimes(1);
    const c = await sealAnnotations(keys, { ...fields, version: 8 });
    expect(c["konduktor-broker/signature"]).not.toBe(a["konduktor-broker/signature"]);
    expect(sign).toHaveBeenCalledTimes(2);
  });

  it("value digests are made every time; the content digest over them once", async () => {
    const keys = (await keyring()).current;
    const sign = vi.spyOn(crypto.subtle, "sign");
    const data = { A: b64("1"), B: b64("2") };
    const first = await digestValues(keys, "0a1b2c3d", "db", data);
    expect(sign).toHaveBeenCalledTimes(3);
    expect(await digestValues(keys, "0a1b2c3d", "db", data)).toEqual(first);
    expect(sign).toHaveBeenCalledTimes(5);
    expect(await digestsOf(keys, "0a1b2c3d", "db", first.digests)).toEqual(first);
    expect(sign).toHaveBeenCalledTimes(5);
  });

  it("a MAC that failed is made again on the next call", async () => {
    const keys = (await keyring()).current;
    const real = crypto.subtle.sign.bind(crypto.subtle);
    const sign = vi
      .spyOn(crypto.subtle, "sign")
      .mockImplementationOnce(async () => {
        throw new Error("no crypto now");
      })
      .mockImplementation(real);
    await expect(sealAnnotations(keys, fields)).rejects.toThrow("no crypto now");
    await new Promise((r) => setTimeout(r, 0));
    const sealed = await sealAnnotations(keys, fields);
    expect(sealed["konduktor-broker/signature"]).toMatch(/^v1:/);
    expect(sign).toHaveBeenCalledTimes(2);
  });

  it("at most 1024 are kept: the 1025th empties the memory", async () => {
    const keys = (await keyring()).current;
    const sign = vi.spyOn(crypto.subtle, "sign");
    for (let v = 1; v <= 1024; v++) await sealAnnotations(keys, { ...fields, version: v });
    await sealAnnotations(keys, { ...fields, version: 1 });
    expect(sign).toHaveBeenCalledTimes(1024);
    await sealAnnotations(keys, { ...fields, version: 1025 });
    await sealAnnotations(keys, { ...fields, version: 1 });
    expect(sign).toHaveBeenCalledTimes(1026);
  });

  it("another key makes its own MACs", async () => {
    const one = (await keyring()).current;
    const two = (await keyring()).current;
    const a = await sealAnnotations(one, fields);
    const b = await sealAnnotations(two, fields);
    expect(b["konduktor-broker/signature"]).not.toBe(a["konduktor-broker/signature"]);
  });
});
