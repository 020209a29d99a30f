// One field-path style in every 400: the broker's schema errors (zod) and the format's own checks
// (konduktor/build-data.ts) name a field the same way, through konduktor/validate.ts `fieldPath`.
import { describe, expect, it } from "vitest";
import type { ZodError } from "zod";
import { fieldProblems } from "../../functions/problem.ts";
import { checkSecretInput } from "../../konduktor/secret.ts";
import { fieldPath } from "../../konduktor/validate.ts";
import { PutSecretBody } from "../../konduktor/wire/secrets.ts";

describe("field paths", () => {
  it("dots plain names and indexes, brackets a key that is not a plain name", () => {
    expect(fieldPath(["source", "files", 0, "name"])).toBe("source.files.0.name");
    expect(fieldPath(["source", "pairs", "API_KEY"])).toBe("source.pairs.API_KEY");
    expect(fieldPath(["source", "pairs", "MY KEY"])).toBe('source.pairs["MY KEY"]');
    expect(fieldPath(["source", "pairs", ".."])).toBe('source.pairs[".."]');
    expect(fieldPath(["names", "3"])).toBe("names.3");
  });

  it("names a file the same way whether the schema or the format refuses it", () => {
    const schema = PutSecretBody.safeParse({
      source: { type: "files", files: [{ name: "a", content: "%%" }] },
    });
    expect(schema.success).toBe(false);
    expect(fieldProblems(schema.error as ZodError).map((p) => p.field)).toEqual([
      "source.files.0.content",
    ]);
    const format = checkSecretInput({
      owner: "0a1b2c3d",
      basename: "db",
      kind: "default",
      source: {
        type: "files",
        files: [
          { name: "config.yaml", content: new Uint8Array([1]) },
          { name: "dir/config.yaml", content: new Uint8Array([2]) },
        ],
      },
    });
    expect(format.problems.map((p) => p.field)).toEqual(["source.files.1.name"]);
    const pairs = PutSecretBody.safeParse({
      source: { type: "inline", pairs: { "MY KEY": 1 } },
    });
    expect(fieldProblems(pairs.error as ZodError).map((p) => p.field)).toEqual([
      'source.pairs["MY KEY"]',
    ]);
  });
});
