// Runs the bundled Action as the runner does (node action/dist/index.js): the few runs that prove
// masking is the first output, whatever fails next, and that a canary value never leaks. The
// step's logic is tested in-process (action-main*.test.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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
});

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
