// stryker.config.json mutates two modules by line range (only the part that is in scope). Line
// numbers drift when a file changes: this pins each range to the code it is meant to cover, so a
// refactor that moves it fails here (fix the range) instead of silently mutating something else.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/action-runner.ts";

const config = JSON.parse(readFileSync(join(REPO_ROOT, "stryker.config.json"), "utf8")) as {
  mutate: string[];
  thresholds: { break: number };
  vitest: { configFile: string };
};

/** For each ranged entry: what its first line starts with, and what the range must contain. */
const RANGES: Record<string, { first: string; contains: string[] }> = {
  "functions/hooks/delivery.ts": {
    first: "async function verify(",
    contains: [
      "if (Math.abs(skew) > TIMESTAMP_TOLERANCE_SECONDS) {",
      ".verify(raw, headers, { jsonParse: false });",
      '"webhook_signature_invalid",',
    ],
  },
  "action/src/source.ts": {
    first: "export function sourceSecrets(",
    contains: ["out.push(...masksFor(text.trim()));"],
  },
};

describe("the mutation scope", () => {
  it("names the critical modules, breaks below 85 %, runs the unit tests", () => {
    expect(config.mutate.map((m) => m.replace(/:\d+-\d+$/, ""))).toEqual([
      // the format: input, names/labels/annotations/digests, validation, data
      "konduktor/secret.ts",
      "konduktor/format.ts",
      "konduktor/validate.ts",
      "konduktor/build-data.ts",
      // ops on one cluster: apply (and its plan), list/describe
      "konduktor/ops.ts",
      "konduktor/apply-plan.ts",
      "konduktor/apply-known.ts",
      "konduktor/describe.ts",
      "konduktor/fanout.ts",
      "functions/auth/constant-time.ts",
      // API tokens: the resolver and the store (issue, verify, revoke)
      "functions/auth/tokens.ts",
      "functions/store/tokens.ts",
      "functions/hooks/delivery.ts",
      "action/src/mask.ts",
      "action/src/source.ts",
    ]);
    expect(config.thresholds.break).toBe(85);
    expect(config.vitest.configFile).toBe("test/mutation/vitest.config.ts");
  });

  it.each(Object.entries(RANGES))("%s: the range covers the code it is meant to", (file, want) => {
    const entry = config.mutate.find((m) => m.startsWith(`${file}:`));
    const [, from, to] = /:(\d+)-(\d+)$/.exec(entry ?? "") ?? [];
    const lines = readFileSync(join(REPO_ROOT, file), "utf8").split("\n");
    const range = lines.slice(Number(from) - 1, Number(to));
    expect(range[0]?.startsWith(want.first), `${entry} starts at: ${range[0]}`).toBe(true);
    // the range ends where the code in scope ends: the next line starts something else
    expect(range.at(-1)?.trim(), `${entry} ends at: ${range.at(-1)}`).toBe("}");
    for (const text of want.contains) expect(range.join("\n")).toContain(text);
  });
});
