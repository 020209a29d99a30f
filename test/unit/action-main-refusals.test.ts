// The step's refusals and the broker's answers, in-process (run() with typed input fixtures and the
// real connector): bad inputs send no request, unreachable or odd brokers say what to do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../cluster/cluster.ts";
import { actionSandbox, type InProcessStep } from "../support/action-fixtures.ts";
import { maskLinesFirst } from "../support/action-runner.ts";

const CANARY = "canary-2c7f-refusal-must-not-leak";

/** Nothing a reader sees (stdout without `::add-mask::`, summary, outputs) holds these values. */
function noLeak(s: InProcessStep, values: string[]) {
  const visible = [
    s.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n"),
    s.summary,
    JSON.stringify(s.outputs),
  ].join("\n");
  for (const v of values) expect(visible).not.toContain(v);
}

const { step } = actionSandbox();

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
        const run = await step(
          { ...inputs, kubeconfig: kubeconfigFor(cluster.url), owner: "0a1b2c3d" },
          { env: { GITHUB_WORKSPACE: big } },
        );
        expect(run.exitCode).toBe(1);
        expect(run.errors).toEqual([`::error::${message}`]);
        expect(cluster.requests).toEqual([]);
        noLeak(run, [CANARY, `${CANARY}-tok`]);
      } finally {
        await cluster.close();
      }
    },
    30_000,
  );
  it("(cleanup)", () => rmSync(big, { recursive: true, force: true }));
});

describe("kubeconfig mode: refusals", () => {
  it("kubeconfig mode: refuses a missing owner and an unknown context", async () => {
    const kubeconfig = `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\nusers: [{name: u, user: {token: ${CANARY}-tok}}]\ncontexts: [{name: ctx, context: {cluster: c, user: u}}]\ncurrent-context: ctx\n`;
    const noOwner = await step({ name: "train", values: "A=1", kubeconfig });
    expect(noOwner.exitCode).toBe(1);
    expect(noOwner.stdout).toMatch(/owner is required in kubeconfig mode/);
    expect(maskLinesFirst(noOwner.stdout).masks).toContain(`${CANARY}-tok`);
    const badContext = await step({
      name: "train",
      values: "A=1",
      kubeconfig,
      owner: "0a1b2c3d",
      context: "nope",
    });
    expect(badContext.exitCode).toBe(1);
    expect(badContext.stdout).toMatch(/context: nope not in the kubeconfig \(it has ctx\)/);
    noLeak(badContext, [`${CANARY}-tok`]);
  });
  it("broken kubeconfig YAML is reported as a YAML error with its line, not a missing context", async () => {
    const run = await step({
      name: "train",
      values: "A=1",
      owner: "0a1b2c3d",
      kubeconfig: `apiVersion: v1\nusers:\n- name: u\n  user: {token: ${CANARY}\ncurrent-context: ctx\n`,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "::error::kubeconfig: the kubeconfig is not valid YAML (near line 5): check its indentation and quoting",
    ]);
    noLeak(run, [CANARY]);
  });
});

describe("broker mode: reaching it", () => {
  it("says when the broker cannot be reached, with what to do", async () => {
    const port = await freePort();
    const run = await step({
      name: "train",
      values: `A=${CANARY}`,
      "broker-url": `http://127.0.0.1:${port}`,
      "api-token": "kb_secret_tok",
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `cannot reach the broker at http://127.0.0.1:${port} (ECONNREFUSED): check broker-url`,
    );
    expect(maskLinesFirst(run.stdout).masks).toContain("kb_secret_tok");
    noLeak(run, [CANARY, "kb_secret_tok"]);
  }, 30_000);
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
      const run = await step(broker(server.url));
      expect(server.requests).toEqual(["PUT /v1/secrets/train"]);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).not.toContain("retrying");
      expect(run.outputs).toMatchObject({ clusters: "alpha", failed: "beta" });
      expect(run.errors).toEqual([
        "::error title=Konduktor secret on beta::cluster beta: cannot reach beta",
        "::error::1 of 2 clusters failed (beta); the others: created on alpha. Fix the cause and re-run (the step is idempotent), or set fail-on-partial: false to accept partial results",
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
      const ok = await step(broker(flaky.url));
      expect(ok.exitCode, ok.stdout).toBeUndefined();
      expect(flaky.requests).toHaveLength(3);
      expect(ok.stdout).toContain("broker: HTTP 503; retrying (attempt 2 of 3)");
      expect(ok.stdout).toContain("broker: HTTP 503; retrying (attempt 3 of 3)");
      const failed = await step(broker(down.url));
      expect(down.requests).toHaveLength(3);
      expect(failed.errors).toEqual([
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
      const none = await step(broker(empty.url));
      expect(none.errors).toEqual([
        "::error::the broker answered HTTP 200 with no cluster in its results: nothing was targeted; check the clusters input and the clusters the credential (OIDC binding or API token) may use",
      ]);
      const page = await step(broker(html.url));
      expect(page.errors).toEqual([
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
