// The Konduktor secret format (konduktor-format.md): golden Secrets for every kind × source, the
// directory zip, and a table of bad inputs with their exact messages (none sends a request).
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { digestValues } from "../../konduktor/format.ts";
import { createFetchKubeSecrets } from "../../konduktor/kube/fetch-adapter.ts";
import { applySecret, listOwn } from "../../konduktor/ops.ts";
import {
  buildSecret,
  type SecretInput,
  ValidationError,
  validateSecretInput,
} from "../../konduktor/secret.ts";
import type { SecretKind } from "../../konduktor/types.ts";
import { plainSha256, testKeyring } from "../support/keyring.ts";

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString("base64");
const bytes = (s: string) => new TextEncoder().encode(s);
const labels = (owner: string, basename: string, kind: string) => ({
  parent: "konduktor",
  "trainy.ai/secret-owner": owner,
  "trainy.ai/secret-basename": basename,
  "trainy.ai/secret-kind": kind,
});

describe("buildSecret: golden Secrets", () => {
  it("default × inline (several pairs)", () => {
    expect(
      buildSecret({
        owner: "0a1b2c3d",
        basename: "db",
        source: { type: "inline", pairs: { USER: "me", "pass.word": "p=w\n" } },
        namespace: "team",
      }),
    ).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "db-0a1b2c3d",
        namespace: "team",
        labels: labels("0a1b2c3d", "db", "default"),
      },
      type: "Opaque",
      data: { USER: b64("me"), "pass.word": b64("p=w\n") },
    });
  });

  it("env × inline", () => {
    expect(
      buildSecret({
        owner: "ffffffff",
        basename: "api-keys",
        kind: "env",
        source: { type: "inline", pairs: { API_TOKEN: "t", _X1: "" } },
      }),
    ).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "api-keys-ffffffff", labels: labels("ffffffff", "api-keys", "env") },
      type: "Opaque",
      data: { API_TOKEN: b64("t"), _X1: "" },
    });
  });

  it("default × files: key = the file's base name", () => {
    const content = new Uint8Array([0, 1, 2, 255]);
    expect(
      buildSecret({
        owner: "12345678",
        basename: "certs",
        source: {
          type: "files",
          files: [
            { name: "/home/me/.ssh/ca.pem", content: bytes("PEM") },
            { name: "C:\\keys\\blob.bin", content },
            { name: "plain.txt", content: bytes("") },
          ],
        },
      }),
    ).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "certs-12345678", labels: labels("12345678", "certs", "default") },
      type: "Opaque",
      data: { "ca.pem": b64("PEM"), "blob.bin": b64(content), "plain.txt": "" },
    });
  });

  it("git-ssh × files: the key is always gitkey", () => {
    expect(
      buildSecret({
        owner: "abcdef01",
        basename: "github",
        kind: "git-ssh",
        source: {
          type: "files",
          files: [{ name: "/home/me/.ssh/id_ed25519", content: bytes("KEY") }],
        },
      }),
    ).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "github-abcdef01", labels: labels("abcdef01", "github", "git-ssh") },
      type: "Opaque",
      data: { gitkey: b64("KEY") },
    });
  });

  it("default × directory: payload.zip with the directory's own name as top folder", () => {
    const entries = [
      { path: "a.txt", content: bytes("A") },
      { path: "sub/b.txt", content: bytes("B") },
      { path: "sub/deeper/c.bin", content: new Uint8Array([9, 8, 7]) },
    ];
    const secret = buildSecret({
      owner: "0a1b2c3d",
      basename: "configs",
      source: { type: "directory", name: "/work/my-configs/", entries },
    });
    expect(secret.metadata).toEqual({
      name: "configs-0a1b2c3d",
      labels: labels("0a1b2c3d", "configs", "default"),
    });
    expect(secret.type).toBe("Opaque");
    expect(Object.keys(secret.data ?? {})).toEqual(["payload.zip"]);
    const files = unzipSync(Buffer.from(secret.data?.["payload.zip"] ?? "", "base64"));
    expect(Object.keys(files).sort()).toEqual([
      "my-configs/",
      "my-configs/a.txt",
      "my-configs/sub/",
      "my-configs/sub/b.txt",
      "my-configs/sub/deeper/",
      "my-configs/sub/deeper/c.bin",
    ]);
    expect(Buffer.from(files["my-configs/sub/b.txt"] ?? []).toString()).toBe("B");
    expect([...(files["my-configs/sub/deeper/c.bin"] ?? [])]).toEqual([9, 8, 7]);
    // the same tree in another order zips to the same bytes (so a re-run writes nothing)
    const again = buildSecret({
      owner: "0a1b2c3d",
      basename: "configs",
      source: { type: "directory", name: "my-configs", entries: [...entries].reverse() },
    });
    expect(again.data).toEqual(secret.data);
  });
});

describe("digestValues (keyed)", () => {
  it("gives per-key keyed digests and a content digest that depends on keys and values only", async () => {
    const keyring = await testKeyring("k7");
    const dv = (data: Record<string, string>, owner = "0a1b2c3d", basename = "db") =>
      digestValues(keyring.current, owner, basename, data);
    const d = await dv({ B: b64("2"), A: b64("1") });
    expect(Object.keys(d.digests)).toEqual(["A", "B"]);
    expect(d.digests.A).toMatch(/^hmac-sha256:k7:[0-9a-f]{64}$/);
    // never the plain SHA-256 of the value (a guess could be checked against it)
    expect(d.digests.A).not.toContain(await plainSha256("1"));
    expect(d.digests.B).not.toContain(await plainSha256("2"));
    expect(d.keyId).toBe("k7");
    expect((await dv({ A: b64("1"), B: b64("2") })).contentDigest).toBe(d.contentDigest);
    expect((await dv({ A: b64("1"), B: b64("3") })).contentDigest).not.toBe(d.contentDigest);
    expect((await dv({ A: b64("1"), C: b64("2") })).contentDigest).not.toBe(d.contentDigest);
    // bound to owner, basename and key name; another key gives other digests
    expect((await dv({ A: b64("1") }, "0a1b2c3e")).digests.A).not.toBe(d.digests.A);
    expect((await dv({ A: b64("1") }, "0a1b2c3d", "dc")).digests.A).not.toBe(d.digests.A);
    expect((await dv({ Z: b64("1") })).digests.Z?.split(":")[2]).not.toBe(
      d.digests.A?.split(":")[2],
    );
    const other = await testKeyring("k7");
    const again = await digestValues(other.current, "0a1b2c3d", "db", { A: b64("1") });
    expect(again.digests.A).not.toBe(d.digests.A);
  });
});

const ok: SecretInput = {
  owner: "0a1b2c3d",
  basename: "ok",
  source: { type: "inline", pairs: { A: "1" } },
};
const OWNER_MSG =
  'owner must be 8 hexadecimal characters (0-9, a-f; upper case is kept as given), like "0a1b2c3d": use your KONDUKTOR_USER_ID, the hash in ~/.konduktor/user_hash, or the owner your credential is bound to';
const BASENAME_MSG =
  'basename must be a Kubernetes name: lowercase letters, digits and "-", starting and ending with a letter or digit (like "my-token")';

const badInputs: { what: string; input: SecretInput; field: string; message: string }[] = [
  {
    what: "owner with a letter past f",
    input: { ...ok, owner: "0a1b2c3g" },
    field: "owner",
    message: OWNER_MSG,
  },
  {
    what: "owner too short",
    input: { ...ok, owner: "0a1b2c3" },
    field: "owner",
    message: OWNER_MSG,
  },
  {
    what: "basename with _",
    input: { ...ok, basename: "my_secret" },
    field: "basename",
    message: BASENAME_MSG,
  },
  {
    what: "basename starting with -",
    input: { ...ok, basename: "-x" },
    field: "basename",
    message: BASENAME_MSG,
  },
  {
    what: "basename empty",
    input: { ...ok, basename: "" },
    field: "basename",
    message: 'basename is missing: give the secret a name, like "my-token"',
  },
  {
    what: "basename of 64 characters",
    input: { ...ok, basename: "a".repeat(64) },
    field: "basename",
    message:
      "basename is 64 characters long; it is also a label value, so it may have at most 63: choose a shorter name",
  },
  {
    what: "unknown kind",
    input: { ...ok, kind: "ssh" as unknown as SecretKind },
    field: "kind",
    message: "kind must be one of default, env, git-ssh (or left out for default)",
  },
  {
    what: "namespace not a DNS label",
    input: { ...ok, namespace: "Team_A" },
    field: "namespace",
    message:
      'namespace must be a Kubernetes namespace name: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
  },
  {
    what: "key with a space",
    input: { ...ok, source: { type: "inline", pairs: { "MY KEY": "v" } } },
    field: 'source.pairs["MY KEY"]',
    message:
      'source.pairs["MY KEY"]: key "MY KEY" may only contain letters, digits, "-", "_" and ".": rename it',
  },
  {
    what: "key ..",
    input: { ...ok, source: { type: "inline", pairs: { "..": "v" } } },
    field: 'source.pairs[".."]',
    message: 'source.pairs[".."]: key ".." must not be "." or start with "..": rename it',
  },
  {
    what: "key of 254 characters",
    input: { ...ok, source: { type: "inline", pairs: { ["k".repeat(254)]: "v" } } },
    field: `source.pairs.${"k".repeat(254)}`,
    message: `source.pairs.${"k".repeat(254)}: key "${"k".repeat(57)}..." is 254 characters long; Kubernetes allows at most 253: use a shorter key`,
  },
  {
    what: "env key that is not a variable name",
    input: { ...ok, kind: "env", source: { type: "inline", pairs: { "1API-KEY": "v" } } },
    field: 'source.pairs["1API-KEY"]',
    message:
      'source.pairs["1API-KEY"]: key "1API-KEY" becomes an environment variable, so it must be a valid variable name: letters, digits and "_", not starting with a digit (like "API_TOKEN")',
  },
  {
    what: "no pairs",
    input: { ...ok, source: { type: "inline", pairs: {} } },
    field: "source.pairs",
    message: "source.pairs is empty: give at least one KEY=VALUE pair",
  },
  {
    what: "git-ssh from inline",
    input: { ...ok, kind: "git-ssh", source: { type: "inline", pairs: { K: "v" } } },
    field: "source.type",
    message:
      'a git-ssh secret can only be created from a file (the private key): use source.type "files" with one file',
  },
  {
    what: "git-ssh from a directory",
    input: {
      ...ok,
      kind: "git-ssh",
      source: { type: "directory", name: "d", entries: [{ path: "k", content: bytes("k") }] },
    },
    field: "source.type",
    message:
      'a git-ssh secret can only be created from a file (the private key): use source.type "files" with one file',
  },
  {
    what: "git-ssh with two files",
    input: {
      ...ok,
      kind: "git-ssh",
      source: {
        type: "files",
        files: [
          { name: "a", content: bytes("a") },
          { name: "b", content: bytes("b") },
        ],
      },
    },
    field: "source.files",
    message:
      "a git-ssh secret holds exactly one file (the private key), but 2 were given: give one file",
  },
  {
    what: "env from files",
    input: {
      ...ok,
      kind: "env",
      source: { type: "files", files: [{ name: "a", content: bytes("a") }] },
    },
    field: "source.type",
    message:
      'an env secret can only be created from inline KEY=VALUE pairs: use source.type "inline", or kind "default" for files',
  },
  {
    what: "no files",
    input: { ...ok, source: { type: "files", files: [] } },
    field: "source.files",
    message: "source.files is empty: give at least one file",
  },
  {
    what: "two files with the same base name",
    input: {
      ...ok,
      source: {
        type: "files",
        files: [
          { name: "a/config.yaml", content: bytes("1") },
          { name: "b/config.yaml", content: bytes("2") },
        ],
      },
    },
    field: "source.files.1.name",
    message:
      'source.files.1.name: files 0 and 1 both have the base name "config.yaml", and a file\'s base name is its key: rename one of them or put them in separate secrets',
  },
  {
    what: "file without a name",
    input: { ...ok, source: { type: "files", files: [{ name: "/", content: bytes("1") }] } },
    field: "source.files.0.name",
    message: "source.files.0.name is empty: every file needs a name, which becomes its key",
  },
  {
    what: "empty directory",
    input: { ...ok, source: { type: "directory", name: "conf", entries: [] } },
    field: "source.entries",
    message: "source.entries is empty: the directory has no files; add at least one file",
  },
  {
    what: "directory entry escaping the directory",
    input: {
      ...ok,
      source: {
        type: "directory",
        name: "conf",
        entries: [{ path: "../etc/passwd", content: bytes("x") }],
      },
    },
    field: "source.entries.0.path",
    message:
      'source.entries.0.path must be a relative path inside the directory, like "sub/file.txt" (no leading "/", no "." or ".." parts)',
  },
  {
    what: "values over 1 MiB",
    input: { ...ok, source: { type: "inline", pairs: { A: "x".repeat(1_048_576), B: "y" } } },
    field: "source",
    message:
      "source: the values add up to 1,048,577 bytes; Kubernetes allows at most 1,048,576 bytes (1 MiB) per secret: leave out large files or split them across several secrets",
  },
  {
    what: "no source",
    input: { owner: "0a1b2c3d", basename: "ok" } as SecretInput,
    field: "source",
    message:
      'source is missing: give inline pairs, files or a directory (source.type "inline", "files" or "directory")',
  },
];

describe("validation: bad inputs", () => {
  // buildSecret refuses each of them, so no caller can get as far as a request. That no request
  // is sent is proven where requests can happen: the Action run against a counting server
  // (test/unit/action-run.test.ts "kubeconfig mode: bad inputs send no request").
  it.each(badInputs)("$what", ({ input, field, message }) => {
    const problems = validateSecretInput(input);
    expect(problems.map((p) => [p.field, p.message])).toEqual([[field, message]]);
    let thrown: unknown;
    try {
      buildSecret(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).field).toBe(field);
    expect((thrown as ValidationError).message).toBe(message);
    expect((thrown as ValidationError).code).toBe("invalid_input");
  });

  it("collects every problem at once", () => {
    const problems = validateSecretInput({
      owner: "nope",
      basename: "Bad",
      kind: "env",
      source: { type: "inline", pairs: { "1X": "v", "Y Z": "w", OK: "fine" } },
    });
    expect(problems.map((p) => p.field)).toEqual([
      "owner",
      "basename",
      'source.pairs["1X"]',
      'source.pairs["Y Z"]',
    ]);
    let thrown: ValidationError | undefined;
    try {
      buildSecret({
        owner: "nope",
        basename: "Bad",
        source: { type: "inline", pairs: { A: "1" } },
      });
    } catch (error) {
      thrown = error as ValidationError;
    }
    expect(thrown?.problems).toHaveLength(2);
    expect(thrown?.field).toBe("owner, basename");
    expect(thrown?.message).toBe(`2 problems: ${OWNER_MSG}; ${BASENAME_MSG}`);
  });

  it("a bad owner or a desired Secret not built by buildSecret is refused before any request", async () => {
    let requests = 0;
    const kube = createFetchKubeSecrets({
      server: "https://cluster.invalid",
      namespace: "konduktor",
      fetch: (async () => {
        requests++;
        throw new Error("no request may be sent");
      }) as typeof fetch,
    });
    await expect(listOwn(kube, "x=y,z")).rejects.toThrow(OWNER_MSG);
    const desired = buildSecret(ok);
    desired.metadata.name = "other-0a1b2c3d";
    await expect(
      applySecret(kube, desired, { mode: "merge", provenance: { actor: "t", via: "t" } }),
    ).rejects.toThrow(
      "metadata.name must be <basename>-<owner>: build the secret with buildSecret()",
    );
    expect(requests).toBe(0);
  });

  it("no message holds a value", () => {
    const canary = "CANARY-9f8e7d6c-value";
    const inputs: SecretInput[] = [
      { ...ok, kind: "env" as const, source: { type: "inline" as const, pairs: { "1X": canary } } },
      { ...ok, source: { type: "inline" as const, pairs: { A: canary.repeat(60_000) } } },
      { ...ok, owner: "bad", source: { type: "inline" as const, pairs: { "A B": canary } } },
    ];
    const fields = [['source.pairs["1X"]'], ["source"], ["owner", 'source.pairs["A B"]']];
    for (const [i, input] of inputs.entries()) {
      const problems = validateSecretInput(input);
      expect(problems.map((p) => p.field)).toEqual(fields[i]);
      for (const p of problems)
        expect(JSON.stringify({ f: p.field, m: p.message })).not.toContain("CANARY");
    }
  });
});
