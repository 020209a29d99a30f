// Runs the bundled Action as the runner does, for the paths that need no cluster: masking comes
// first, bad inputs fail with a message naming the input, a canary value never leaks.
import { describe, expect, it } from "vitest";
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
    expect(run.stdout).toMatch(/::error::invalid input: name: must be lowercase/);
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
