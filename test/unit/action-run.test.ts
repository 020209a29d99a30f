// Runs the bundled Action as the runner does, for the paths that need no cluster: masking comes
// first, bad inputs fail with a message naming the input, a canary value never leaks.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../cluster/cluster.ts";
import { maskLinesFirst, runAction, visibleOutput } from "../support/action-runner.ts";

const CANARY = "canary-9b1e-value-must-not-leak";
const MULTI =
  "-----BEGIN OPENSSH PRIVATE KEY-----\ncanary-line-two-a1b2\n-----END OPENSSH PRIVATE KEY-----";

function noLeak(run: Awaited<ReturnType<typeof runAction>>, values: string[]) {
  const { masks } = maskLinesFirst(run.stdout);
  const visible = visibleOutput(run);
  for (const v of values) expect(visible).not.toContain(v);
  return masks;
}

describe("the bundled Action, without a cluster", () => {
  it("masks every value and every line first, then fails on a bad input naming it", async () => {
    const run = await runAction({
      name: "Bad_Name",
      values: `TOKEN=${CANARY}\nKEY<<EOF\n${MULTI}\nEOF`,
      "broker-url": "http://127.0.0.1:9",
    });
    expect(run.code).toBe(1);
    const { masks, firstOtherLine, lastMaskLine } = maskLinesFirst(run.stdout);
    expect(masks).toEqual(
      expect.arrayContaining([
        CANARY,
        "canary-line-two-a1b2",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
      ]),
    );
    expect(lastMaskLine).toBeLessThan(firstOtherLine);
    expect(run.stdout).toMatch(/::error::invalid input: name must be a Kubernetes name: lowercase/);
    expect(run.outputs).toMatchObject({ results: "[]", changed: "false", clusters: "" });
    expect(run.summary).toMatch(/❌ invalid input: name/);
    noLeak(run, [CANARY, "canary-line-two-a1b2"]);
  });

  it("masks values of a JSON map, including those the filters drop", async () => {
    const run = await runAction({
      name: "train",
      values: JSON.stringify({ A: CANARY, github_token: "ghs_canaryToken123" }),
      "broker-url": "http://127.0.0.1:9",
    });
    const { masks, lastMaskLine, firstOtherLine } = maskLinesFirst(run.stdout);
    expect(masks).toEqual(expect.arrayContaining([CANARY, "ghs_canaryToken123"]));
    expect(lastMaskLine).toBeLessThan(firstOtherLine);
    // no id-token permission in this environment:
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::no GitHub OIDC token available: add `permissions: id-token: write`/,
    );
    noLeak(run, [CANARY, "ghs_canaryToken123"]);
  });

  it("says when the broker cannot be reached, with what to do", async () => {
    const port = await freePort();
    const run = await runAction({
      name: "train",
      values: `A=${CANARY}`,
      "broker-url": `http://127.0.0.1:${port}`,
      "api-token": "kb_secret_tok",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `cannot reach the broker at http://127.0.0.1:${port} (ECONNREFUSED): check broker-url`,
    );
    expect(maskLinesFirst(run.stdout).masks).toContain("kb_secret_tok");
    noLeak(run, [CANARY, "kb_secret_tok"]);
  }, 30_000);

  it("kubeconfig mode: refuses a missing owner and an unknown context", async () => {
    const kubeconfig = `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\nusers: [{name: u, user: {token: ${CANARY}-tok}}]\ncontexts: [{name: ctx, context: {cluster: c, user: u}}]\ncurrent-context: ctx\n`;
    const noOwner = await runAction({ name: "train", values: "A=1", kubeconfig });
    expect(noOwner.code).toBe(1);
    expect(noOwner.stdout).toMatch(/owner is required in kubeconfig mode/);
    expect(maskLinesFirst(noOwner.stdout).masks).toContain(`${CANARY}-tok`);
    const badContext = await runAction({
      name: "train",
      values: "A=1",
      kubeconfig,
      owner: "0a1b2c3d",
      context: "nope",
    });
    expect(badContext.code).toBe(1);
    expect(badContext.stdout).toMatch(/context: nope not in the kubeconfig \(it has ctx\)/);
    noLeak(badContext, [`${CANARY}-tok`]);
  });
});

/** A local HTTP server that counts every request it gets (method and path). */
async function countingServer(
  answer: (n: number, req: IncomingMessage, res: ServerResponse) => void = (_n, _req, res) => {
    res.writeHead(500).end();
  },
) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    answer(requests.length, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const errorLines = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("::error"));

const kubeconfigFor = (server: string, token = `${CANARY}-tok`) =>
  `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\nusers: [{name: u, user: {token: ${token}}}]\ncontexts: [{name: ctx, context: {cluster: c, user: u, namespace: konduktor}}]\ncurrent-context: ctx\n`;

function workspace(files: Record<string, string | Uint8Array>): string {
  const ws = mkdtempSync(join(tmpdir(), "action-ws-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(ws, path, ".."), { recursive: true });
    writeFileSync(join(ws, path), content);
  }
  return ws;
}

describe("kubeconfig mode: bad inputs send no request", () => {
  const big = workspace({
    "big/one.bin": new Uint8Array(600 * 1024),
    "big/two.bin": new Uint8Array(600 * 1024),
  });
  it.each([
    [
      "an invalid name",
      { name: "Bad_Name", values: `A=${CANARY}` },
      'invalid input: name must be a Kubernetes name: lowercase letters, digits and "-", starting and ending with a letter or digit (like "my-token")',
    ],
    [
      "an env key 1BAD",
      { name: "train", values: JSON.stringify({ "1BAD": CANARY }) },
      "kind env: keys become environment variables, so these keys are not allowed: 1BAD (letters, digits and _ only, not starting with a digit); rename them or filter them out with exclude",
    ],
    [
      "git-ssh with values",
      { name: "train", kind: "git-ssh", values: `A=${CANARY}` },
      "kind git-ssh takes the private key in git-ssh-key or exactly one path in files",
    ],
    [
      "empty values",
      { name: "train", values: "" },
      "nothing to write: give values (KEY=value lines or a JSON/YAML map), files or directory",
    ],
    [
      "more than 1 MiB",
      { name: "train", kind: "default", files: "big/one.bin\nbig/two.bin" },
      "the secret is not valid: source: the values add up to 1,228,800 bytes; Kubernetes allows at most 1,048,576 bytes (1 MiB) per secret: leave out large files or split them across several secrets; nothing was sent to any cluster",
    ],
  ] as const)(
    "%s: the exact error, zero requests",
    async (_what, inputs, message) => {
      const cluster = await countingServer();
      try {
        const run = await runAction(
          { ...inputs, kubeconfig: kubeconfigFor(cluster.url), owner: "0a1b2c3d" },
          { env: { GITHUB_WORKSPACE: big } },
        );
        expect(run.code).toBe(1);
        expect(errorLines(run.stdout)).toEqual([`::error::${message}`]);
        expect(cluster.requests).toEqual([]);
        noLeak(run, [CANARY, `${CANARY}-tok`]);
      } finally {
        await cluster.close();
      }
    },
    30_000,
  );
  afterAll(() => rmSync(big, { recursive: true, force: true }));
});

describe("kubeconfig mode: the kubeconfig itself", () => {
  it("a kubeconfig given as a path has its credentials masked before any other output", async () => {
    const token = `path-${CANARY}-token`;
    const ws = workspace({ "kube/config": kubeconfigFor("https://127.0.0.1:9", token) });
    try {
      const run = await runAction(
        {
          name: "train",
          values: "A=1",
          kubeconfig: "kube/config",
          owner: "0a1b2c3d",
          context: "nope",
        },
        { env: { GITHUB_WORKSPACE: ws } },
      );
      expect(run.code).toBe(1);
      const { masks, lastMaskLine, firstOtherLine } = maskLinesFirst(run.stdout);
      expect(masks).toContain(token);
      expect(lastMaskLine).toBeLessThan(firstOtherLine);
      expect(errorLines(run.stdout)).toEqual([
        "::error::context: nope not in the kubeconfig (it has ctx)",
      ]);
      noLeak(run, [token]);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it("broken kubeconfig YAML is reported as a YAML error with its line, not a missing context", async () => {
    const run = await runAction({
      name: "train",
      values: "A=1",
      owner: "0a1b2c3d",
      kubeconfig: `apiVersion: v1\nusers:\n- name: u\n  user: {token: ${CANARY}\ncurrent-context: ctx\n`,
    });
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      "::error::kubeconfig: the kubeconfig is not valid YAML (near line 5): check its indentation and quoting",
    ]);
    noLeak(run, [CANARY]);
  });
});

describe("values that do not parse", () => {
  it("every raw line is masked before the error is printed", async () => {
    const run = await runAction({
      name: "train",
      values: `TOKEN=${CANARY}\nthis line is not a pair`,
      "broker-url": "http://127.0.0.1:9",
    });
    expect(run.code).toBe(1);
    const { masks, lastMaskLine, firstOtherLine } = maskLinesFirst(run.stdout);
    expect(masks).toEqual(
      expect.arrayContaining([`TOKEN=${CANARY}`, CANARY, "this line is not a pair"]),
    );
    expect(lastMaskLine).toBeLessThan(firstOtherLine);
    expect(errorLines(run.stdout)).toEqual([
      "::error::values: line 2 is not KEY=value (keys start with a letter or _; use KEY<<EOF … EOF for a multi-line value, or give a JSON/YAML map instead)",
    ]);
    noLeak(run, [CANARY]);
  });
});

describe("broker mode: retries and answers", () => {
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const broker = (url: string, extra: Record<string, string> = {}) => ({
    name: "train",
    values: `A=${CANARY}`,
    "broker-url": url,
    "api-token": "kb_secret_tok",
    ...extra,
  });

  it("a 502 with per-cluster results is the broker's answer: reported, never repeated", async () => {
    const server = await countingServer((_n, _req, res) =>
      json(res, 502, {
        results: [
          {
            cluster: "alpha",
            status: "created",
            added: ["A"],
            changed: [],
            removed: [],
            writes: 1,
          },
          { cluster: "beta", status: "error", code: "unreachable", message: "cannot reach beta" },
        ],
      }),
    );
    try {
      const run = await runAction(broker(server.url));
      expect(server.requests).toEqual(["PUT /v1/secrets/train"]);
      expect(run.code).toBe(1);
      expect(run.stdout).not.toContain("retrying");
      expect(run.outputs).toMatchObject({ clusters: "alpha", failed: "beta" });
      expect(errorLines(run.stdout)).toEqual([
        "::error title=Konduktor secret on beta::cluster beta: cannot reach beta",
        "::error::1 of 2 clusters failed (beta); the others were written. Fix the cause and re-run (the step is idempotent), or set fail-on-partial: false to accept partial results",
      ]);
    } finally {
      await server.close();
    }
  }, 30_000);

  it("a 503 without results (a gateway's) is retried, at most 3 attempts", async () => {
    const flaky = await countingServer((n, _req, res) =>
      n < 3
        ? res.writeHead(503, { "content-type": "text/html" }).end("<html>busy</html>")
        : json(res, 200, { results: [{ cluster: "alpha", status: "created", added: ["A"] }] }),
    );
    const down = await countingServer((_n, _req, res) => res.writeHead(504).end());
    try {
      const ok = await runAction(broker(flaky.url));
      expect(ok.code, ok.stdout).toBe(0);
      expect(flaky.requests).toHaveLength(3);
      expect(ok.stdout).toContain("broker: HTTP 503; retrying (attempt 2 of 3)");
      expect(ok.stdout).toContain("broker: HTTP 503; retrying (attempt 3 of 3)");
      const failed = await runAction(broker(down.url));
      expect(down.requests).toHaveLength(3);
      expect(errorLines(failed.stdout)).toEqual([
        "::error::the broker refused the request (HTTP 504): HTTP 504",
      ]);
    } finally {
      await flaky.close();
      await down.close();
    }
  }, 30_000);

  it("an answer without any cluster result says so clearly", async () => {
    const empty = await countingServer((_n, _req, res) => json(res, 200, { results: [] }));
    const html = await countingServer((_n, _req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<html>login</html>"),
    );
    try {
      const none = await runAction(broker(empty.url));
      expect(errorLines(none.stdout)).toEqual([
        "::error::the broker answered HTTP 200 with no cluster in its results: nothing was targeted; check the clusters input and the clusters the credential (OIDC binding or API token) may use",
      ]);
      const page = await runAction(broker(html.url));
      expect(errorLines(page.stdout)).toEqual([
        "::error::the broker answered HTTP 200 without per-cluster results: check that broker-url is the broker's base URL (not a proxy or login page)",
      ]);
      expect(empty.requests).toHaveLength(1);
      expect(html.requests).toHaveLength(1);
    } finally {
      await empty.close();
      await html.close();
    }
  }, 30_000);
});
