// Every rule of the format's validation (konduktor/secret.ts) at its edges, with the exact field
// and message of each problem: owner, basename, namespace, keys, file names, directory paths,
// and what a Secret read back says about its identity.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  baseName,
  buildSecret,
  checkSecretInput,
  konduktorIdentity,
  type SecretInput,
  secretLabels,
  ValidationError,
  validateBasename,
  validateKey,
  validateNamespace,
  validateOwner,
} from "../../konduktor/secret.ts";
import type { KubeSecret } from "../../konduktor/types.ts";

const owner = "0a1b2c3d";
const bytes = (s: string) => new TextEncoder().encode(s);
const b64 = (s: string | Uint8Array) => Buffer.from(s).toString("base64");
/** [field, message] of every problem of an input */
/** builds a Secret from an input written loosely here (the inputs are checked, not typed) */
const build = (input: unknown) => buildSecret(input as SecretInput);
const problemsOf = (input: unknown) =>
  checkSecretInput(input as SecretInput).problems.map((p) => [p.field, p.message]);
const inline = (pairs: unknown, extra: object = {}) => ({
  owner,
  basename: "s",
  source: { type: "inline", pairs },
  ...extra,
});
const files = (list: unknown, extra: object = {}) => ({
  owner,
  basename: "s",
  source: { type: "files", files: list },
  ...extra,
});
const dir = (entries: unknown, name: unknown = "conf") => ({
  owner,
  basename: "s",
  source: { type: "directory", name, entries },
});

const OWNER_MSG =
  'owner must be 8 hexadecimal characters (0-9, a-f; upper case is kept as given), like "0a1b2c3d": use your KONDUKTOR_USER_ID, the hash in ~/.konduktor/user_hash, or the owner your credential is bound to';
const NAME_MSG =
  'basename must be a Kubernetes name: lowercase letters, digits and "-", starting and ending with a letter or digit (like "my-token")';
const NS_MSG =
  'namespace must be a Kubernetes namespace name: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit';
const PATH_MSG = (i: number) =>
  `source.entries.${i}.path must be a relative path inside the directory, like "sub/file.txt" (no leading "/", no "." or ".." parts)`;

describe("owner, basename, namespace", () => {
  it("an owner is exactly 8 hex characters of either case, nothing before or after", () => {
    expect(validateOwner(owner)).toEqual([]);
    expect(validateOwner("0A1B2C3D")).toEqual([]);
    for (const bad of ["x0a1b2c3d", "0a1b2c3dx", "0G1B2C3D", "0a1b2c3", 12345678, undefined]) {
      expect(
        validateOwner(bad).map((p) => [p.field, p.message]),
        String(bad),
      ).toEqual([["owner", OWNER_MSG]]);
    }
    expect(validateOwner("nope", "metadata.owner")[0]?.field).toBe("metadata.owner");
  });

  it("a basename has at most 63 characters", () => {
    expect(validateBasename("a".repeat(63))).toEqual([]);
    expect(validateBasename("a".repeat(64)).map((p) => p.message)).toEqual([
      "basename is 64 characters long; it is also a label value, so it may have at most 63: choose a shorter name",
    ]);
    expect(validateBasename("").map((p) => p.message)).toEqual([
      'basename is missing: give the secret a name, like "my-token"',
    ]);
    expect(validateBasename("-a").map((p) => p.message)).toEqual([NAME_MSG]);
  });

  it("a namespace is a DNS label of at most 63 characters; it is set on the Secret only when given", () => {
    expect(validateNamespace("a".repeat(63))).toEqual([]);
    for (const bad of ["a".repeat(64), "Team", "team.a", "", 7, null]) {
      expect(
        validateNamespace(bad).map((p) => [p.field, p.message]),
        String(bad),
      ).toEqual([["namespace", NS_MSG]]);
    }
    expect(Object.keys(build(inline({ A: "1" })).metadata)).toEqual(["name", "labels"]);
    expect(build(inline({ A: "1" }, { namespace: "team-a" })).metadata).toEqual({
      name: "s-0a1b2c3d",
      namespace: "team-a",
      labels: secretLabels(owner, "s", "default"),
    });
    expect(problemsOf(inline({ A: "1" }, { namespace: "Team" }))).toEqual([["namespace", NS_MSG]]);
  });

  it("labels default to kind default; an error alone is its own list of problems", () => {
    expect(secretLabels(owner, "s")).toEqual({
      parent: "konduktor",
      "trainy.ai/secret-owner": owner,
      "trainy.ai/secret-basename": "s",
      "trainy.ai/secret-kind": "default",
    });
    const e = new ValidationError("f", "m");
    expect(e.problems).toEqual([e]);
    expect([e.name, e.code, e.field]).toEqual(["ValidationError", "invalid_input", "f"]);
  });

  it("a missing or non-object input, and an unknown source type, say so", () => {
    for (const input of [null, undefined, "x", 5]) {
      expect(problemsOf(input)).toEqual([["input", "the secret input is missing"]]);
    }
    expect(problemsOf({ owner, basename: "s", source: { type: "zip" } })).toEqual([
      ["source.type", 'source.type must be "inline", "files" or "directory"'],
    ]);
  });

  it("the size is checked only when everything else is valid (a too-large input with a bad owner names the owner)", () => {
    expect(problemsOf({ ...inline({ A: "x".repeat(1_048_577) }), owner: "bad" })).toEqual([
      ["owner", OWNER_MSG],
    ]);
  });
});

describe("keys", () => {
  const field = "f";
  const messagesOf = (key: string, kind: "default" | "env" = "default") =>
    validateKey(key, kind, field).map((p) => [p.field, p.message]);

  it("empty, too long (253 is the most), or with characters Kubernetes refuses", () => {
    expect(messagesOf("")).toEqual([
      [field, "f: a key must not be empty: give every value a name"],
    ]);
    expect(messagesOf("k".repeat(253))).toEqual([]);
    expect(messagesOf("k".repeat(254))).toEqual([
      [
        field,
        `f: key "${"k".repeat(57)}..." is 254 characters long; Kubernetes allows at most 253: use a shorter key`,
      ],
    ]);
    expect(messagesOf("a b")).toEqual([
      [field, 'f: key "a b" may only contain letters, digits, "-", "_" and ".": rename it'],
    ]);
  });

  it("quotes a key of up to 60 characters whole, a longer one cut to 57 and ...", () => {
    const sixty = `${"a".repeat(58)} b`;
    expect(sixty).toHaveLength(60);
    expect(messagesOf(sixty)[0]?.[1]).toBe(
      `f: key "${sixty}" may only contain letters, digits, "-", "_" and ".": rename it`,
    );
    const sixtyOne = `${sixty}c`;
    expect(messagesOf(sixtyOne)[0]?.[1]).toBe(
      `f: key "${"a".repeat(57)}..." may only contain letters, digits, "-", "_" and ".": rename it`,
    );
  });

  it('"." and anything starting with ".." are refused; dots elsewhere are fine', () => {
    for (const key of [".", "..", "..x", "..."]) {
      expect(messagesOf(key), key).toEqual([
        [field, `f: key ${JSON.stringify(key)} must not be "." or start with "..": rename it`],
      ]);
    }
    for (const key of ["x..", ".x", "a..b", ".env"]) expect(messagesOf(key), key).toEqual([]);
  });

  it("kind env: every key must be a variable name", () => {
    expect(messagesOf("1X", "env")).toEqual([
      [
        field,
        'f: key "1X" becomes an environment variable, so it must be a valid variable name: letters, digits and "_", not starting with a digit (like "API_TOKEN")',
      ],
    ]);
    expect(messagesOf("a.b", "env")[0]?.[1]).toMatch(/becomes an environment variable/);
    expect(messagesOf("_A1", "env")).toEqual([]);
    expect(messagesOf("1X", "default")).toEqual([]);
  });
});

describe("inline pairs", () => {
  it("missing or non-object pairs are empty; a value must be a string", () => {
    for (const pairs of [null, undefined, "abc", {}]) {
      expect(problemsOf(inline(pairs)), String(pairs)).toEqual([
        ["source.pairs", "source.pairs is empty: give at least one KEY=VALUE pair"],
      ]);
    }
    expect(problemsOf(inline({ A: 5, B: "ok" }))).toEqual([
      ["source.pairs.A", "source.pairs.A: the value must be a string"],
    ]);
    expect(problemsOf(inline({ "a b": "v" }))).toEqual([
      [
        'source.pairs["a b"]',
        'source.pairs["a b"]: key "a b" may only contain letters, digits, "-", "_" and ".": rename it',
      ],
    ]);
  });
});

describe("files", () => {
  it("each file needs bytes and a name, whose base name is its key", () => {
    expect(problemsOf(files([null, { name: "a", content: "text" }]))).toEqual([
      ["source.files.0.content", "source.files.0.content must be bytes"],
      ["source.files.1.content", "source.files.1.content must be bytes"],
    ]);
    expect(
      problemsOf(files([{ content: bytes("x") }, { name: "/", content: bytes("y") }])),
    ).toEqual([
      [
        "source.files.0.name",
        "source.files.0.name is empty: every file needs a name, which becomes its key",
      ],
      [
        "source.files.1.name",
        "source.files.1.name is empty: every file needs a name, which becomes its key",
      ],
    ]);
    expect(problemsOf(files([{ name: "a b.txt", content: bytes("x") }]))).toEqual([
      [
        "source.files.0.name",
        'source.files.0.name: key "a b.txt" may only contain letters, digits, "-", "_" and ".": rename it',
      ],
    ]);
    expect(
      problemsOf(
        files([
          { name: "x/creds.json", content: bytes("1") },
          { name: "y\\creds.json", content: bytes("2") },
        ]),
      ),
    ).toEqual([
      [
        "source.files.1.name",
        'source.files.1.name: files 0 and 1 both have the base name "creds.json", and a file\'s base name is its key: rename one of them or put them in separate secrets',
      ],
    ]);
    expect(build(files([{ name: "/etc/app.conf", content: bytes("c") }])).data).toEqual({
      "app.conf": b64("c"),
    });
  });

  it("git-ssh: the one file's key is gitkey, whatever its name", () => {
    const s = build(files([{ name: "id_ed25519", content: bytes("k") }], { kind: "git-ssh" }));
    expect(s.data).toEqual({ gitkey: b64("k") });
  });
});

describe("baseName", () => {
  it("is the part after the last / or \\, trailing separators ignored", () => {
    expect(
      ["name", "/name", "a/b/name", "a\\b\\name", "conf/", "conf//", "a/conf\\\\", "", "/"].map(
        baseName,
      ),
    ).toEqual(["name", "name", "name", "name", "conf", "conf", "conf", "", ""]);
  });
});

describe("directories", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the directory's own name is its top folder: empty, '.' or '..' are refused", () => {
    for (const name of ["", ".", "..", "a/..", 5, null]) {
      expect(problemsOf(dir([{ path: "a", content: bytes("x") }], name)), String(name)).toEqual([
        [
          "source.name",
          "source.name must be the directory's own name (like \"configs\"): it becomes the zip's top folder",
        ],
      ]);
    }
    for (const entries of [[], "x", null]) {
      expect(problemsOf(dir(entries)), String(entries)).toEqual([
        [
          "source.entries",
          "source.entries is empty: the directory has no files; add at least one file",
        ],
      ]);
    }
  });

  it("each path is relative, inside the directory, with no empty, '.' or '..' part", () => {
    const bad = ["", "/abs", "a//b", "./a", "a/./b", "a/../b", "..", "a/", null];
    expect(
      problemsOf(dir(bad.map((path) => (path === null ? null : { path, content: bytes("x") })))),
    ).toEqual(bad.map((_p, i) => [`source.entries.${i}.path`, PATH_MSG(i)]));
  });

  it("content must be bytes; a path given twice and a file that is also a folder are refused", () => {
    expect(problemsOf(dir([{ path: "a", content: "x" }]))).toEqual([
      ["source.entries.0.content", "source.entries.0.content must be bytes"],
    ]);
    expect(
      problemsOf(
        dir([
          { path: "a", content: bytes("1") },
          { path: "a", content: bytes("2") },
        ]),
      ),
    ).toEqual([
      [
        "source.entries.1.path",
        "source.entries.1.path: entries 0 and 1 have the same path: give each file once",
      ],
    ]);
    const clash = (first: string, second: string) =>
      problemsOf(
        dir([
          { path: first, content: bytes("1") },
          { path: second, content: bytes("2") },
        ]),
      );
    const CLASH = [
      [
        "source.entries.1.path",
        "source.entries.1.path: a file and a folder have the same path: rename one",
      ],
    ];
    expect(clash("a", "a/b")).toEqual(CLASH);
    expect(clash("a/b", "a")).toEqual(CLASH);
    expect(clash("a/b/c", "a/b")).toEqual(CLASH);
  });

  it("a backslash path is a / path, and the zip is the same whenever and in whatever order it is built", () => {
    const build = (entries: { path: string; content: Uint8Array }[]) =>
      buildSecret(dir(entries) as SecretInput).data;
    vi.useFakeTimers({ now: new Date("2031-05-05T10:00:00Z") });
    const first = build([
      { path: "sub\\b.txt", content: bytes("b") },
      { path: "a.txt", content: bytes("a") },
    ]);
    vi.setSystemTime(new Date("2032-06-06T11:11:11Z"));
    const second = build([
      { path: "a.txt", content: bytes("a") },
      { path: "sub/b.txt", content: bytes("b") },
    ]);
    expect(second).toEqual(first);
    expect(Object.keys(first ?? {})).toEqual(["payload.zip"]);
  });
});

describe("konduktorIdentity", () => {
  const read = (labels: Record<string, string>): KubeSecret => ({
    metadata: { name: "x", labels },
    data: {},
  });
  it("needs both owner and basename labels; an unknown kind is (none)", () => {
    expect(konduktorIdentity(read(secretLabels(owner, "s", "env")))).toEqual({
      owner,
      basename: "s",
      kind: "env",
    });
    expect(
      konduktorIdentity(read({ "trainy.ai/secret-owner": owner, "trainy.ai/secret-kind": "x" })),
    ).toBeNull();
    expect(konduktorIdentity(read({ "trainy.ai/secret-basename": "s" }))).toBeNull();
    expect(konduktorIdentity({ metadata: { name: "x" } })).toBeNull();
    expect(
      konduktorIdentity(
        read({ "trainy.ai/secret-owner": owner, "trainy.ai/secret-basename": "s" }),
      ),
    ).toEqual({ owner, basename: "s", kind: "(none)" });
  });
});
