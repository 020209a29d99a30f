// The committed bundle (action/dist/index.js, what action.yml runs) must be exactly what the
// sources build to: rebuild into a temp dir and compare bytes.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildAction } from "../../scripts/build-action.ts";
import { REPO_ROOT } from "../support/action-runner.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("action bundle", () => {
  it("action/dist/index.js matches a fresh build (run `npm run build:action` and commit)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "action-build-"));
    try {
      const fresh = readFileSync(await buildAction(dir));
      const committed = readFileSync(join(REPO_ROOT, "action/dist/index.js"));
      console.log(`bundle: ${fresh.length} bytes, sha256 ${sha(fresh).slice(0, 16)}`);
      expect(
        sha(committed),
        "action/dist/index.js is stale: run `npm run build:action` and commit action/dist",
      ).toBe(sha(fresh));
      expect(readFileSync(join(dir, "package.json"), "utf8")).toBe(
        readFileSync(join(REPO_ROOT, "action/dist/package.json"), "utf8"),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("action.yml holds no expression: a runner refuses `${{` in an action's metadata", () => {
    // GitHub's runner (and act, which uses its schema) fails the step before any code runs with
    // "expressions are not allowed here" when any field of a node action's action.yml holds one,
    // descriptions included. Plain YAML parsing never notices.
    const lines = readFileSync(join(REPO_ROOT, "action.yml"), "utf8").split("\n");
    const withExpression = lines.flatMap((line, i) => (line.includes("${{") ? [i + 1] : []));
    expect(withExpression).toEqual([]);
  });

  it("action.yml runs the bundle on node24 and documents every input and output", () => {
    const action = parse(readFileSync(join(REPO_ROOT, "action.yml"), "utf8")) as {
      runs: { using: string; main: string };
      branding: { icon: string; color: string };
      inputs: Record<string, { description?: string }>;
      outputs: Record<string, { description?: string }>;
    };
    expect(action.runs).toEqual({ using: "node24", main: "action/dist/index.js" });
    expect(action.branding).toEqual({ icon: "lock", color: "purple" });
    for (const [name, spec] of [
      ...Object.entries(action.inputs),
      ...Object.entries(action.outputs),
    ]) {
      expect(spec.description?.length ?? 0, name).toBeGreaterThan(20);
    }
    const src = readFileSync(join(REPO_ROOT, "action/src/inputs.ts"), "utf8");
    for (const name of Object.keys(action.inputs)) expect(src, name).toContain(`"${name}"`);
    expect(Object.keys(action.outputs).sort()).toEqual([
      "changed",
      "clusters",
      "failed",
      "results",
    ]);
  });
});
