// Issue 13, the Konduktor secret format's hostile inputs: a directory source is bounded (entries,
// path length, depth, name length, header bytes, uncompressed bytes) before anything is zipped;
// `.DS_Store` files are left out as Konduktor leaves them out; key names must fit the managed-keys
// annotation; owner hashes are what Konduktor accepts (upper case kept as given in the label).
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { base64ToBytes } from "../../konduktor/encoding.ts";
import {
  buildSecret,
  checkSecretInput,
  DIRECTORY_LIMITS,
  LABEL_OWNER,
  type SecretInput,
} from "../../konduktor/secret.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const dir = (entries: { path: string; content?: Uint8Array }[], name = "conf"): SecretInput => ({
  owner: "0a1b2c3d",
  basename: "conf",
  source: {
    type: "directory",
    name,
    entries: entries.map((e) => ({ path: e.path, content: e.content ?? bytes("x") })),
  },
});
const many = (n: number, path: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => ({ path: path(i) }));
const seg250 = (c: string) => c.repeat(250);

const refused: { what: string; input: SecretInput; field: string; message: string }[] = [
  {
    what: "a path of 4,000 nested folders (8 KB)",
    input: dir([{ path: `${"a/".repeat(4000)}f` }]),
    field: "source.entries[0].path",
    message:
      "source.entries[0].path is 8,001 characters long; a path may have at most 1,024: shorten it",
  },
  {
    what: "a 70,000-character path",
    input: dir([{ path: "p".repeat(70_000) }]),
    field: "source.entries[0].path",
    message:
      "source.entries[0].path is 70,000 characters long; a path may have at most 1,024: shorten it",
  },
  {
    what: "a path 41 levels deep",
    input: dir([{ path: "ok.txt" }, { path: `${"a/".repeat(40)}f` }]),
    field: "source.entries[1].path",
    message:
      "source.entries[1].path is 41 levels deep; a path may have at most 32 (folders and the file name): flatten the directory",
  },
  {
    what: "a file name of 256 characters",
    input: dir([{ path: `sub/${"n".repeat(256)}` }]),
    field: "source.entries[0].path",
    message:
      "source.entries[0].path has a file or folder name of 256 characters; at most 255 are allowed: rename it",
  },
  {
    what: "30,000 flat entries",
    input: dir(many(30_000, (i) => `f${i}`)),
    field: "source.entries",
    message:
      "source.entries has 30,000 files; a directory secret holds at most 1,000: zip fewer files, or split the directory into several secrets",
  },
  {
    what: "1,001 entries",
    input: dir(many(1_001, (i) => `f${i}`)),
    field: "source.entries",
    message:
      "source.entries has 1,001 files; a directory secret holds at most 1,000: zip fewer files, or split the directory into several secrets",
  },
  {
    what: "1,000 entries whose zip headers alone exceed 1 MiB",
    input: dir(many(1_000, (i) => `${seg250("a")}/${seg250("b")}/${seg250("c")}/${i}`)),
    field: "source.entries",
    message:
      "source.entries: the zip's file headers alone would take 1,597,802 bytes; Kubernetes allows at most 1,048,576 bytes (1 MiB) per secret: zip fewer files or shorter paths",
  },
  {
    what: "files of 33 MiB before compression",
    input: dir([
      { path: "a.bin", content: new Uint8Array(17 * 1_048_576) },
      { path: "b.bin", content: new Uint8Array(16 * 1_048_576) },
    ]),
    field: "source.entries",
    message:
      "source.entries: the files add up to 34,603,008 bytes before compression; at most 33,554,432 are zipped (and the zip must fit in 1 MiB): leave out large files",
  },
  {
    what: "only .DS_Store files",
    input: dir([{ path: ".DS_Store" }, { path: "sub/.DS_Store" }]),
    field: "source.entries",
    message:
      "source.entries holds only .DS_Store files, which are left out of the zip as Konduktor does: add at least one other file",
  },
  {
    what: "1,100 inline keys of 253 characters (the managed-keys annotation would not fit)",
    input: {
      owner: "0a1b2c3d",
      basename: "wide",
      source: {
        type: "inline",
        pairs: Object.fromEntries(
          Array.from({ length: 1_100 }, (_, i) => [
            `${String(i).padStart(4, "0")}${"k".repeat(249)}`,
            "v",
          ]),
        ),
      },
    },
    field: "source",
    message:
      "source: the 1,100 key names add up to 279,399 characters; the broker records them in an annotation and Kubernetes allows 262,144 bytes of annotations per secret, so at most 196,608 characters of key names fit: use fewer or shorter keys, or split the secret",
  },
  {
    what: "an owner with a letter past f",
    input: { ...dir([{ path: "a" }]), owner: "ABCDEF1G" },
    field: "owner",
    message:
      'owner must be 8 hexadecimal characters (0-9, a-f; upper case is kept as given), like "0a1b2c3d": use your KONDUKTOR_USER_ID, the hash in ~/.konduktor/user_hash, or the owner your credential is bound to',
  },
];

describe("hostile secret inputs are refused, naming the field, before anything is zipped", () => {
  it.each(refused)("$what", ({ input, field, message }) => {
    const { problems, secret } = checkSecretInput(input);
    expect(secret).toBeNull();
    expect(problems.map((p) => [p.field, p.message])).toEqual([[field, message]]);
  });

  it("stops listing per-entry problems after 20 and says so", () => {
    const { problems } = checkSecretInput(dir(many(25, (i) => `${"d/".repeat(40)}${i}`)));
    expect(problems).toHaveLength(21);
    expect(problems.at(-1)?.message).toBe(
      "source.entries: stopped after 20 problems; fix those and send it again",
    );
  });

  it("the limits are the documented ones", () => {
    expect(DIRECTORY_LIMITS).toEqual({
      entries: 1_000,
      pathLength: 1_024,
      depth: 32,
      segmentLength: 255,
      contentBytes: 33_554_432,
    });
  });
});

describe("what Konduktor does, the broker does", () => {
  const zipNames = (input: SecretInput) => {
    const zip = base64ToBytes(buildSecret(input).data?.["payload.zip"] ?? "");
    return Object.keys(unzipSync(zip)).sort();
  };

  it.each([
    {
      what: ".DS_Store at the top",
      paths: [".DS_Store", "a.yaml"],
      kept: ["conf/", "conf/a.yaml"],
    },
    {
      what: ".DS_Store in a subfolder",
      paths: ["sub/.DS_Store", "sub/b.yaml", "a.yaml"],
      kept: ["conf/", "conf/a.yaml", "conf/sub/", "conf/sub/b.yaml"],
    },
    {
      what: "a file that only ends in DS_Store",
      paths: ["x.DS_Store"],
      kept: ["conf/", "conf/x.DS_Store"],
    },
  ])("leaves .DS_Store files out of the zip: $what", ({ paths, kept }) => {
    expect(zipNames(dir(paths.map((path) => ({ path }))))).toEqual(kept);
  });

  it("the zip without a .DS_Store is the same bytes as the zip of the rest", () => {
    const withStore = buildSecret(dir([{ path: ".DS_Store" }, { path: "a.yaml" }]));
    const without = buildSecret(dir([{ path: "a.yaml" }]));
    expect(withStore.data).toEqual(without.data);
  });

  it.each([
    { owner: "ABCDEF12", name: "wandb-abcdef12" },
    { owner: "AbCdEf12", name: "wandb-abcdef12" },
    { owner: "0a1b2c3d", name: "wandb-0a1b2c3d" },
  ])(
    "accepts the owner $owner as Konduktor does: label as given, object name lower case",
    ({ owner, name }) => {
      const secret = buildSecret({
        owner,
        basename: "wandb",
        kind: "env",
        source: { type: "inline", pairs: { A: "1" } },
      });
      expect(secret.metadata.name).toBe(name);
      expect(secret.metadata.labels?.[LABEL_OWNER]).toBe(owner);
    },
  );

  it("a directory at the limits is accepted: 1,000 files 32 levels deep", () => {
    const deep = `${"d/".repeat(30)}`;
    const secret = buildSecret(dir(many(1_000, (i) => `${deep}${i % 2}/f${i}`)));
    expect(Object.keys(secret.data ?? {})).toEqual(["payload.zip"]);
  });
});
