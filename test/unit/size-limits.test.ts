// The 1 MiB limit at its exact edge: Kubernetes refuses a Secret whose values add up to MORE than
// 1,048,576 bytes, so exactly 1,048,576 must be built (and merged, see ops-contract.ts), and one
// byte more refused with the message that says what to do.
import { describe, expect, it } from "vitest";
import {
  buildSecret,
  checkSecretInput,
  decodedSize,
  MAX_SECRET_BYTES,
  ValidationError,
  validateSize,
} from "../../konduktor/secret.ts";

const MiB = 1_048_576;
const owner = "0a1b2c3d";
const b64 = (s: string | Uint8Array) => Buffer.from(s).toString("base64");
const tooLarge = (size: string, field = "source") =>
  `${field}: the values add up to ${size} bytes; Kubernetes allows at most 1,048,576 bytes (1 MiB) per secret: leave out large files or split them across several secrets`;

describe("the 1 MiB limit of one secret", () => {
  it("is 1,048,576 bytes", () => {
    expect(MAX_SECRET_BYTES).toBe(MiB);
  });

  it("inline values adding up to exactly 1,048,576 bytes are built", () => {
    const pairs = { A: "a".repeat(MiB - 1000), B: "b".repeat(1000) };
    const secret = buildSecret({ owner, basename: "edge", source: { type: "inline", pairs } });
    expect(decodedSize(secret.data)).toBe(MiB);
    expect(secret.data).toEqual({ A: b64(pairs.A), B: b64(pairs.B) });
    expect(
      checkSecretInput({ owner, basename: "edge", source: { type: "inline", pairs } }),
    ).toEqual({ problems: [], secret });
  });

  it("one byte more is refused, naming the size", () => {
    const pairs = { A: "a".repeat(MiB - 1000), B: "b".repeat(1001) };
    const { problems, secret } = checkSecretInput({
      owner,
      basename: "edge",
      source: { type: "inline", pairs },
    });
    expect(secret).toBeNull();
    expect(problems.map((p) => [p.field, p.message])).toEqual([["source", tooLarge("1,048,577")]]);
    expect(() =>
      buildSecret({ owner, basename: "edge", source: { type: "inline", pairs } }),
    ).toThrow(new ValidationError("source", tooLarge("1,048,577")));
  });

  it("counts bytes, not characters: 2-byte characters reach the limit at half the length", () => {
    const exact = { A: "é".repeat(MiB / 2) };
    expect(
      decodedSize(
        buildSecret({ owner, basename: "u", source: { type: "inline", pairs: exact } }).data,
      ),
    ).toBe(MiB);
    const over = { A: `${"é".repeat(MiB / 2)}x` };
    expect(
      checkSecretInput({
        owner,
        basename: "u",
        source: { type: "inline", pairs: over },
      }).problems.map((p) => p.message),
    ).toEqual([tooLarge("1,048,577")]);
  });

  it("files of exactly 1,048,576 bytes together are built; one byte more is refused", () => {
    const file = (name: string, n: number) => ({ name, content: new Uint8Array(n).fill(120) });
    const exact = buildSecret({
      owner,
      basename: "files",
      source: { type: "files", files: [file("one.bin", MiB - 1), file("two.bin", 1)] },
    });
    expect(Object.keys(exact.data ?? {})).toEqual(["one.bin", "two.bin"]);
    expect(decodedSize(exact.data)).toBe(MiB);
    const over = checkSecretInput({
      owner,
      basename: "files",
      source: { type: "files", files: [file("one.bin", MiB), file("two.bin", 1)] },
    });
    expect(over.problems.map((p) => p.message)).toEqual([tooLarge("1,048,577")]);
  });

  it("validateSize on built or merged data: exactly 1 MiB passes, 1 MiB + 1 names its field", () => {
    const data = (n: number) => ({ K: b64("z".repeat(n)) });
    expect(validateSize(data(MiB))).toEqual([]);
    expect(validateSize(data(MiB), "merged")).toEqual([]);
    expect(validateSize(data(MiB + 1), "merged").map((p) => [p.field, p.message])).toEqual([
      ["merged", tooLarge("1,048,577", "merged")],
    ]);
    expect(validateSize(data(MiB + 1)).map((p) => p.field)).toEqual(["source"]);
    expect(validateSize({})).toEqual([]);
  });

  it("decodedSize is the sum of the decoded lengths (padding and all)", () => {
    expect(decodedSize(undefined)).toBe(0);
    expect(decodedSize({})).toBe(0);
    expect(decodedSize({ A: b64("x"), B: b64("xy"), C: b64("xyz"), D: b64("") })).toBe(6);
  });
});
