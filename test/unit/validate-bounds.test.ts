// konduktor/validate.ts at its bounds, on both sides, with the exact messages: basename (63),
// namespace (63), key (253; quoted in full up to 60 characters), "." and "..", env names, a path's
// base name, and the key-names budget of the managed-keys annotation (196,608 bytes).
import { describe, expect, it } from "vitest";
import {
  baseName,
  validateBasename,
  validateKey,
  validateKeyNames,
  validateNamespace,
} from "../../konduktor/validate.ts";

const messages = (problems: { field: string; message: string }[]) =>
  problems.map((p) => [p.field, p.message]);

describe("validateBasename", () => {
  it("missing: not a string, or empty", () => {
    for (const bad of [undefined, 7, ""]) {
      expect(messages(validateBasename(bad, "name"))).toEqual([
        ["name", 'name is missing: give the secret a name, like "my-token"'],
      ]);
    }
  });

  it("63 characters pass; 64 are refused with the length", () => {
    expect(validateBasename("a".repeat(63))).toEqual([]);
    expect(messages(validateBasename("a".repeat(64)))).toEqual([
      [
        "basename",
        "basename is 64 characters long; it is also a label value, so it may have at most 63: choose a shorter name",
      ],
    ]);
  });

  it("not a Kubernetes name", () => {
    for (const bad of ["My-token", "-a", "a-", "a_b", "a.b"]) {
      expect(messages(validateBasename(bad)), bad).toEqual([
        [
          "basename",
          'basename must be a Kubernetes name: lowercase letters, digits and "-", starting and ending with a letter or digit (like "my-token")',
        ],
      ]);
    }
    expect(validateBasename("a")).toEqual([]);
    expect(validateBasename("a-0")).toEqual([]);
  });
});

describe("validateNamespace", () => {
  const refused = (field: string) => [
    [
      field,
      `${field} must be a Kubernetes namespace name: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
    ],
  ];
  it("63 characters pass; 64, a non-string and a bad name are refused", () => {
    expect(validateNamespace("n".repeat(63))).toEqual([]);
    expect(validateNamespace("default")).toEqual([]);
    expect(messages(validateNamespace("n".repeat(64)))).toEqual(refused("namespace"));
    expect(messages(validateNamespace(undefined, "ns"))).toEqual(refused("ns"));
    expect(messages(validateNamespace("Team"))).toEqual(refused("namespace"));
  });
});

describe("validateKey", () => {
  it("empty", () => {
    expect(messages(validateKey("", "default", "k"))).toEqual([
      ["k", "k: a key must not be empty: give every value a name"],
    ]);
  });

  it("253 characters pass; 254 are refused, the key shown cut to 57 characters and ...", () => {
    expect(validateKey("k".repeat(253), "default", "f")).toEqual([]);
    expect(messages(validateKey("k".repeat(254), "default", "f"))).toEqual([
      [
        "f",
        `f: key "${"k".repeat(57)}..." is 254 characters long; Kubernetes allows at most 253: use a shorter key`,
      ],
    ]);
  });

  it("a key of 60 characters is shown whole, one of 61 is cut", () => {
    expect(messages(validateKey(`${"x".repeat(59)}!`, "default", "f"))).toEqual([
      [
        "f",
        `f: key "${"x".repeat(59)}!" may only contain letters, digits, "-", "_" and ".": rename it`,
      ],
    ]);
    expect(messages(validateKey(`${"x".repeat(60)}!`, "default", "f"))).toEqual([
      [
        "f",
        `f: key "${"x".repeat(57)}..." may only contain letters, digits, "-", "_" and ".": rename it`,
      ],
    ]);
  });

  it('".", ".." and a key starting with ".." are refused; ".a" and "a..b" pass', () => {
    for (const bad of [".", "..", "..a"]) {
      expect(messages(validateKey(bad, "default", "f")), bad).toEqual([
        ["f", `f: key ${JSON.stringify(bad)} must not be "." or start with "..": rename it`],
      ]);
    }
    expect(validateKey(".a", "default", "f")).toEqual([]);
    expect(validateKey("a..b", "default", "f")).toEqual([]);
  });

  it("env keys must be variable names; other kinds take any valid key", () => {
    for (const bad of ["1A", "A-B", "a.b"]) {
      expect(messages(validateKey(bad, "env", "f")), bad).toEqual([
        [
          "f",
          `f: key ${JSON.stringify(bad)} becomes an environment variable, so it must be a valid variable name: letters, digits and "_", not starting with a digit (like "API_TOKEN")`,
        ],
      ]);
      expect(validateKey(bad, "default", "f")).toEqual([]);
    }
    expect(validateKey("_A1", "env", "f")).toEqual([]);
  });
});

describe("baseName", () => {
  it("the part after the last / or \\, trailing separators dropped", () => {
    expect(
      ["a/b", "a\\b", "a/b/", "a/b\\\\", "c:\\x\\y.txt", "x/y\\z", "plain", "", "/", "a/"].map(
        baseName,
      ),
    ).toEqual(["b", "b", "b", "b", "y.txt", "z", "plain", "", "", "a"]);
  });
});

describe("validateKeyNames: the managed-keys annotation budget", () => {
  const refused = (keys: number, bytes: string) => [
    [
      "source",
      `source: the ${keys} key names add up to ${bytes} characters; the broker records them in an annotation and Kubernetes allows 262,144 bytes of annotations per secret, so at most 196,608 characters of key names fit: use fewer or shorter keys, or split the secret`,
    ],
  ];
  it("exactly 196,608 bytes with the commas pass; one more is refused", () => {
    // two keys: 98,303 + 98,304 characters + 1 comma
    const fits = { ["a".repeat(98_303)]: "", ["b".repeat(98_304)]: "" };
    expect(validateKeyNames(fits)).toEqual([]);
    const over = { ["a".repeat(98_304)]: "", ["b".repeat(98_304)]: "" };
    expect(messages(validateKeyNames(over))).toEqual(refused(2, "196,609"));
  });

  it("counts UTF-8 bytes, and no comma for one key", () => {
    expect(validateKeyNames({ ["é".repeat(98_304)]: "" })).toEqual([]);
    expect(messages(validateKeyNames({ [`${"é".repeat(98_304)}x`]: "" }))).toEqual(
      refused(1, "196,609"),
    );
    expect(validateKeyNames({})).toEqual([]);
  });
});
