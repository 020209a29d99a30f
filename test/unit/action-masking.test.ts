// The Action masks what it reads from `files:` and `directory:` before it prints anything: the
// masks are computed from the read source (action/src/source.ts `sourceSecrets`), and the bundled
// Action, run as the runner runs it with a canary in a file and in a directory, registers them
// (`::add-mask::`) ahead of every other line and shows the canary nowhere.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SecretInputs } from "../../action/src/inputs.ts";
import {
  kubeconfigSecrets,
  MIN_MASKED_LINE,
  maskableLines,
  masksFor,
  secretsToMask,
  unparsedValuesMasks,
} from "../../action/src/mask.ts";
import { sourceSecrets } from "../../action/src/source.ts";
import { maskLinesFirst, runAction, visibleOutput } from "../support/action-runner.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const FILE_CANARY = "file-canary-7c41-must-not-leak";
const DIR_CANARY = "dir-canary-93ae-must-not-leak";
const PEM = `-----BEGIN OPENSSH PRIVATE KEY-----\n${FILE_CANARY}-line2\n-----END OPENSSH PRIVATE KEY-----\n`;

describe("sourceSecrets: what is masked of file and directory contents", () => {
  it("a file's whole trimmed text and each line of 4+ characters", () => {
    const masks = sourceSecrets({ type: "files", files: [{ name: "key", content: bytes(PEM) }] });
    expect(masks).toEqual([
      PEM.trim(),
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      `${FILE_CANARY}-line2`,
      "-----END OPENSSH PRIVATE KEY-----",
    ]);
  });

  it("every entry of a directory, without duplicates, and CRLF text like LF", () => {
    const masks = sourceSecrets({
      type: "directory",
      name: "conf",
      entries: [
        { path: "a.env", content: bytes(`TOKEN=${DIR_CANARY}\r\nabc\r\n`) },
        { path: "sub/b.txt", content: bytes(`  ${DIR_CANARY}  \n`) },
        { path: "sub/c.txt", content: bytes(`  ${DIR_CANARY}  \n`) },
      ],
    });
    expect(masks).toEqual([`TOKEN=${DIR_CANARY}\nabc`, `TOKEN=${DIR_CANARY}`, DIR_CANARY]);
  });

  it("skips binary content, blank files and files over 64 KiB; inline sources have none", () => {
    const binary = new Uint8Array([0xff, 0xfe, 0x00, 0x81, 0x41, 0x42, 0x43, 0x44]);
    const big = bytes(`${"x".repeat(64 * 1024 - 6)}\nabcde`);
    expect(big.byteLength).toBe(64 * 1024);
    const masks = sourceSecrets({
      type: "files",
      files: [
        { name: "bin", content: binary },
        { name: "blank", content: bytes(" \n\t\n") },
        { name: "at-limit", content: big },
        { name: "over", content: bytes(`${"z".repeat(64 * 1024)}\nzzzz`) },
      ],
    });
    expect(masks).toEqual([new TextDecoder().decode(big), "x".repeat(64 * 1024 - 6), "abcde"]);
    expect(sourceSecrets({ type: "inline", pairs: { A: "secret-value" } })).toEqual([]);
    expect(masksFor("abc")).toEqual(["abc"]);
    expect(masksFor("ab\ncd\nefgh")).toEqual(["ab\ncd\nefgh", "efgh"]);
    expect(MIN_MASKED_LINE).toBe(4);
  });
});

describe("mask.ts: what is masked of values, unparsed values and kubeconfigs", () => {
  it("values that do not parse: every line of 4+ characters and what follows its first = or :", () => {
    expect(
      unparsedValuesMasks(
        [
          "TOKEN=secret-value",
          "db: hunter2-pass",
          "K=abcd",
          "K=abc",
          "no separator here",
          "  ab  ",
          "URL=https://x.example:8443/path",
          "CR=abcd\refgh",
        ].join("\n"),
      ),
    ).toEqual([
      "TOKEN=secret-value",
      "secret-value",
      "db: hunter2-pass",
      "hunter2-pass",
      "K=abcd",
      "abcd",
      "K=abc",
      "no separator here",
      "URL=https://x.example:8443/path",
      "https://x.example:8443/path",
      // a lone CR is a line break too: each part is masked, and what follows the separator
      "CR=abcd",
      "abcd",
      "efgh",
    ]);
    expect(maskableLines("a\r\n  bcde  \r\nfghij\n")).toEqual(["bcde", "fghij"]);
    expect(maskableLines("KEY=first\rOTHER=second-secret\u2028third\u2029fourth")).toEqual([
      "KEY=first",
      "OTHER=second-secret",
      "third",
      "fourth",
    ]);
    expect(unparsedValuesMasks("KEY=first\rOTHER=second-secret")).toEqual([
      "KEY=first",
      "first",
      "OTHER=second-secret",
      "second-secret",
    ]);
  });

  it("kubeconfig credentials: every secret field at any depth, whole and per line; nothing else", () => {
    const kubeconfig = [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443', certificate-authority-data: Q0FDRVJU}}]",
      "users:",
      "- name: u",
      "  user:",
      "    token: 1234567890",
      "    password: pw-secret-1",
      "    client-key-data: S0VZREFUQQ==",
      "    client-certificate-data: Q0VSVERBVEE=",
      "    auth-provider:",
      "      config: {id-token: idtok-1, refresh-token: reftok-1, client-secret: csec-1, access-token: acc-1}",
      "    username: not-a-secret",
      "- name: multi",
      "  user:",
      "    token: |",
      "      line-one-1",
      "      line-two-2",
      "contexts: [{name: x, context: {cluster: c, user: u}}]",
    ].join("\n");
    expect(kubeconfigSecrets(kubeconfig)).toEqual([
      "1234567890",
      "pw-secret-1",
      "S0VZREFUQQ==",
      "Q0VSVERBVEE=",
      "idtok-1",
      "reftok-1",
      "csec-1",
      "acc-1",
      "line-one-1\nline-two-2\n",
      "line-one-1",
      "line-two-2",
    ]);
    expect(kubeconfigSecrets("")).toEqual([]);
    expect(kubeconfigSecrets("  \n ")).toEqual([]);
    expect(kubeconfigSecrets("users: [{name: u, user: {token: t0k3n}}]")).toEqual(["t0k3n"]);
  });

  it("a kubeconfig that does not parse, or cannot be expanded, is masked line by line", () => {
    expect(kubeconfigSecrets("users:\n  - name: u\n   token: [unclosed-secret\nab")).toEqual([
      "users:",
      "- name: u",
      "token: [unclosed-secret",
    ]);
    // aliases that expand beyond the parser's limit (a "billion laughs" document)
    const bomb = [
      "a: &a [x1234, x1234, x1234, x1234, x1234, x1234, x1234, x1234, x1234]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f]",
    ].join("\n");
    expect(kubeconfigSecrets(bomb)).toEqual(maskableLines(bomb));
  });

  it("secretsToMask: parsed values (filtered ones too), the ssh key, the api token, kubeconfig credentials", () => {
    const raw: SecretInputs = {
      values: "",
      "git-ssh-key": "-----BEGIN KEY-----\nkey-body-1\n-----END KEY-----",
      "api-token": "kbt_token_value",
      kubeconfig: "users: [{name: u, user: {token: kube-tok-1}}]",
    };
    expect(secretsToMask(raw, { A: "value-a", B: "value-a", C: "x" })).toEqual([
      "value-a",
      "x",
      "-----BEGIN KEY-----\nkey-body-1\n-----END KEY-----",
      "-----BEGIN KEY-----",
      "key-body-1",
      "-----END KEY-----",
      "kbt_token_value",
      "kube-tok-1",
    ]);
    const unparsed: SecretInputs = { ...raw, values: "TOKEN=abcdef\nbroken line" };
    expect(secretsToMask(unparsed, new Error("values do not parse")).slice(0, 3)).toEqual([
      "TOKEN=abcdef",
      "abcdef",
      "broken line",
    ]);
  });
});

describe("the bundled Action masks file and directory contents first", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function workspace(files: Record<string, string>): string {
    const ws = mkdtempSync(join(tmpdir(), "action-mask-"));
    dirs.push(ws);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(ws, path, ".."), { recursive: true });
      writeFileSync(join(ws, path), content);
    }
    return ws;
  }

  /** A broker stand-in that answers one created result and keeps the request bodies. */
  async function broker() {
    const bodies: unknown[] = [];
    const server = createServer((req, res) => {
      let text = "";
      req.on("data", (d: Buffer) => {
        text += d.toString();
      });
      req.on("end", () => {
        bodies.push(JSON.parse(text));
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ results: [{ cluster: "alpha", status: "created", added: [] }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}`,
      bodies,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it.each([
    [
      "files",
      { "keys/deploy.pem": PEM },
      { files: "keys/deploy.pem" },
      [PEM.trim(), `${FILE_CANARY}-line2`],
    ],
    [
      "directory",
      { "conf/app.env": `TOKEN=${DIR_CANARY}\n`, "conf/nested/extra.txt": `x\n${DIR_CANARY}-2\n` },
      { directory: "conf" },
      [`TOKEN=${DIR_CANARY}`, `x\n${DIR_CANARY}-2`, `${DIR_CANARY}-2`],
    ],
  ])("%s: every text line is masked before any other output", async (_what, files, input, want) => {
    const ws = workspace(files);
    const server = await broker();
    try {
      const run = await runAction(
        {
          name: "train",
          kind: "default",
          ...input,
          "broker-url": server.url,
          "api-token": "kb_mask_test_token",
        },
        { env: { GITHUB_WORKSPACE: ws } },
      );
      expect(run.code, run.stdout).toBe(0);
      // the Action did read the contents and sent them
      expect(server.bodies).toHaveLength(1);
      expect(JSON.stringify(server.bodies[0])).toContain(
        Buffer.from(Object.values(files)[0] as string).toString("base64"),
      );
      const { masks, lastMaskLine, firstOtherLine } = maskLinesFirst(run.stdout);
      expect(masks).toEqual(expect.arrayContaining([...want, "kb_mask_test_token"]));
      expect(lastMaskLine).toBeGreaterThan(-1);
      expect(lastMaskLine).toBeLessThan(firstOtherLine);
      const visible = visibleOutput(run);
      for (const v of [FILE_CANARY, DIR_CANARY]) expect(visible).not.toContain(v);
    } finally {
      await server.close();
    }
  });
});
