// Base64 in konduktor/encoding.ts: strict decoding (never guesses at bytes), round trips.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64, isBase64 } from "../../konduktor/encoding.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("base64ToBytes: canonical standard base64 only", () => {
  const accepted: [string, string][] = [
    ["", ""],
    ["QQ==", "41"],
    ["QQ", "41"], // unpadded, canonical
    ["QUI=", "4142"],
    ["QUI", "4142"],
    ["QUJD", "414243"],
    ["+/8=", "fbff"],
    ["AP8B", "00ff01"],
  ];
  it.each(accepted)("%j → %s", (text, bytes) => {
    expect(isBase64(text)).toBe(true);
    expect(hex(base64ToBytes(text))).toBe(bytes);
  });

  const rejected: [string, string][] = [
    ["A", "length % 4 == 1"],
    ["QUJDR", "length % 4 == 1"],
    ["QR==", "non-zero unused bits (2 characters)"],
    ["QR", "non-zero unused bits, unpadded"],
    ["QUJ=", "non-zero unused bits (3 characters)"],
    ["QUJ", "non-zero unused bits (3 characters), unpadded"],
    ["QQ=", "partial padding"],
    ["QUI==", "too much padding"],
    ["QUJD=", "padding after a full group"],
    ["Q===", "padding of 3"],
    ["QQ==QQ==", "padding in the middle"],
    ["=QQ=", "padding first"],
    ["QUJ D", "a space"],
    ["QUJD\n", "a line break"],
    ["-_8=", "URL-safe alphabet"],
    ["%%%%", "not base64 at all"],
    ["QUJDé", "non-ASCII"],
  ];
  it.each(rejected)("rejects %j (%s) without echoing it", (text) => {
    expect(isBase64(text)).toBe(false);
    expect(() => base64ToBytes(text)).toThrow(
      /^not valid base64: must be standard base64 \(RFC 4648\)$/,
    );
  });

  it("ignoreLineBreaks: CR/LF are skipped (kubeconfig *-data wrapped at 76 columns), nothing else", () => {
    const bytes = new Uint8Array(randomBytes(200));
    const wrapped = (
      Buffer.from(bytes)
        .toString("base64")
        .match(/.{1,76}/g) ?? []
    ).join("\r\n");
    expect(() => base64ToBytes(wrapped)).toThrow();
    expect(hex(base64ToBytes(wrapped, { ignoreLineBreaks: true }))).toBe(hex(bytes));
    expect(() => base64ToBytes("QU JD", { ignoreLineBreaks: true })).toThrow();
  });

  it("round-trips every length 0..300 and agrees with Buffer", () => {
    for (let n = 0; n <= 300; n++) {
      const bytes = new Uint8Array(randomBytes(n));
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString("base64"));
      expect(hex(base64ToBytes(text))).toBe(hex(bytes));
      expect(hex(base64ToBytes(text.replace(/=+$/, "")))).toBe(hex(bytes));
    }
  });

  it("handles megabytes (no regex backtracking limits)", () => {
    const bytes = new Uint8Array(randomBytes(3 * 1024 * 1024 + 1));
    const text = Buffer.from(bytes).toString("base64");
    expect(isBase64(text)).toBe(true);
    expect(base64ToBytes(text).length).toBe(bytes.length);
    expect(isBase64(`${text.slice(0, -5)}!${text.slice(-4)}`)).toBe(false);
  });
});
