// The Konduktor secret format (konduktor-format.md): golden Secrets for every kind × source, the
// directory zip, keyed digests (none sends a request). Bad inputs: konduktor-secret-validation.test.ts.
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { digestValues } from "../../konduktor/format.ts";
import { buildSecret } from "../../konduktor/secret.ts";
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
