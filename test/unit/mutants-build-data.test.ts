// konduktor/build-data.ts buildData, exactly: what it answers (problems and data) for a refused
// source, and that its data never holds a value it found a problem with. checkSecretInput drops
// the data whenever there is a problem; buildData's own answer is pinned here.
import { describe, expect, it } from "vitest";
import { buildData } from "../../konduktor/build-data.ts";
import type { SecretInput } from "../../konduktor/secret.ts";
import type { ValidationError } from "../../konduktor/validate.ts";

const OWNER = "0a1b2c3d";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const bytes = (s: string) => new TextEncoder().encode(s);
const input = (rest: Partial<SecretInput> & Record<string, unknown>): SecretInput =>
  ({ owner: OWNER, basename: "x", ...rest }) as SecretInput;
const run = (i: SecretInput) => {
  const problems: ValidationError[] = [];
  const built = buildData(i, problems);
  return {
    same: built.problems === problems,
    fields: built.problems?.map((p) => [p.field, p.message]),
    data: built.data,
  };
};

const MISSING =
  'source is missing: give inline pairs, files or a directory (source.type "inline", "files" or "directory")';

describe("a refused source: its problem and empty data", () => {
  it("no source, null, or not an object: source is missing", () => {
    for (const source of [undefined, null, "pairs"]) {
      expect(run(input({ source: source as never }))).toEqual({
        same: true,
        fields: [["source", MISSING]],
        data: {},
      });
    }
  });

  it("git-ssh from inline pairs", () => {
    expect(run(input({ kind: "git-ssh", source: { type: "inline", pairs: { A: "1" } } }))).toEqual({
      same: true,
      fields: [
        [
          "source.type",
          'a git-ssh secret can only be created from a file (the private key): use source.type "files" with one file',
        ],
      ],
      data: {},
    });
  });

  it("env from files", () => {
    const source = { type: "files" as const, files: [{ name: "a", content: bytes("1") }] };
    expect(run(input({ kind: "env", source }))).toEqual({
      same: true,
      fields: [
        [
          "source.type",
          'an env secret can only be created from inline KEY=VALUE pairs: use source.type "inline", or kind "default" for files',
        ],
      ],
      data: {},
    });
  });

  it("an unknown source.type", () => {
    expect(run(input({ source: { type: "url" } as never }))).toEqual({
      same: true,
      fields: [["source.type", 'source.type must be "inline", "files" or "directory"']],
      data: {},
    });
  });
});

describe("data holds only what passed", () => {
  it("inline: a refused key is left out, the good one is there", () => {
    const got = run(input({ source: { type: "inline", pairs: { "bad key": "v", GOOD: "g" } } }));
    expect(got.fields).toEqual([
      [
        'source.pairs["bad key"]',
        'source.pairs["bad key"]: key "bad key" may only contain letters, digits, "-", "_" and ".": rename it',
      ],
    ]);
    expect(got.data).toEqual({ GOOD: b64("g") });
  });

  it("directory: one refused entry path, no zip at all", () => {
    const source = {
      type: "directory" as const,
      name: "configs",
      entries: [
        { path: "ok.txt", content: bytes("1") },
        { path: "a/../b.txt", content: bytes("2") },
      ],
    };
    const got = run(input({ source }));
    expect(got.fields).toEqual([
      [
        "source.entries.1.path",
        'source.entries.1.path must be a relative path inside the directory, like "sub/file.txt" (no leading "/", no "." or ".." parts)',
      ],
    ]);
    expect(got.data).toEqual({});
  });
});
