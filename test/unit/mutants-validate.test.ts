// konduktor/validate.ts fieldPath, exactly: a number segment is always dotted (also one that is not
// a plain index), a string segment only when it is a name or all digits.
import { describe, expect, it } from "vitest";
import { fieldPath } from "../../konduktor/validate.ts";

describe("fieldPath", () => {
  it("a number segment is dotted, whatever its text", () => {
    expect(fieldPath(["names", -1])).toBe("names.-1");
    expect(fieldPath(["names", 1.5])).toBe("names.1.5");
  });

  it("a string of several digits is dotted; one ending in digits after a '-' is quoted", () => {
    expect(fieldPath(["source", "pairs", "12"])).toBe("source.pairs.12");
    expect(fieldPath(["source", "pairs", "key-1"])).toBe('source.pairs["key-1"]');
  });
});
