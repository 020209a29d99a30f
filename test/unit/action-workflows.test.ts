// Every workflow under .github/workflows passes actionlint (built from its Go module; never
// skipped: missing, the test fails saying how to build it), and actionlint does catch what breaks
// a workflow here: a typo'd key, an input action.yml does not have, an output it does not set.
// Also: the release notes come from CHANGELOG.md for package.json's version.
import { execFileSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireTool } from "../../scripts/ci-tools.ts";
import { releaseNotes } from "../../scripts/release-notes.ts";
import { REPO_ROOT } from "../support/action-runner.ts";

function actionlint(cwd: string, files: string[]): { code: number; output: string } {
  try {
    const output = execFileSync(requireTool("actionlint"), ["-oneline", "-no-color", ...files], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, output };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

const workflows = () =>
  readdirSync(join(REPO_ROOT, ".github/workflows"))
    .filter((f) => f.endsWith(".yml"))
    .sort()
    .map((f) => `.github/workflows/${f}`);

describe("workflows", () => {
  it("CI and release workflows exist and pass actionlint", () => {
    expect(workflows()).toEqual([".github/workflows/ci.yml", ".github/workflows/release.yml"]);
    expect(actionlint(REPO_ROOT, workflows())).toEqual({ code: 0, output: "" });
  });

  it("a deliberately broken copy fails actionlint, each mistake named", () => {
    const dir = mkdtempSync(join(tmpdir(), "actionlint-"));
    try {
      mkdirSync(join(dir, ".github/workflows"), { recursive: true });
      cpSync(join(REPO_ROOT, "action.yml"), join(dir, "action.yml"));
      cpSync(join(REPO_ROOT, "action/dist"), join(dir, "action/dist"), { recursive: true });
      const ci = readFileSync(join(REPO_ROOT, ".github/workflows/ci.yml"), "utf8");
      const broken = ci
        .replace(
          "    runs-on: ubuntu-latest\n    timeout-minutes: 10",
          "    run-on: ubuntu-latest\n    timeout-minutes: 10",
        )
        .replace(
          "          name: ci-smoke\n",
          "          name: ci-smoke\n          namespaces: konduktor\n",
        )
        .replace("steps.again.outputs.clusters", "steps.again.outputs.cluster");
      expect(broken).not.toBe(ci);
      writeFileSync(join(dir, ".github/workflows/ci.yml"), broken);
      execFileSync("git", ["init", "-q"], { cwd: dir });
      const { code, output } = actionlint(dir, [".github/workflows/ci.yml"]);
      expect(code).toBe(1);
      const problems = output
        .trim()
        .split("\n")
        .map((l) => l.replace(/^\.github\/workflows\/ci\.yml:\d+:\d+: /, ""));
      expect(problems).toEqual([
        '"runs-on" section is missing in job "check-dist" [syntax-check]',
        expect.stringMatching(/^unexpected key "run-on" for "job" section\. expected one of /),
        expect.stringMatching(
          /^input "namespaces" is not defined in action "Konduktor secrets" defined at "\.\/"\. available inputs are .*"namespace"/,
        ),
        'property "cluster" is not defined in object type {changed: string; clusters: string; failed: string; results: string} [expression]',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("release notes", () => {
  const changelog = [
    "# Changelog",
    "",
    "## [Unreleased]",
    "",
    "- next",
    "",
    "## [1.2.0] - 2026-12-01",
    "",
    "### Added",
    "",
    "- a thing",
    "",
    "## [1.1.0] - 2026-11-01",
    "",
    "- older",
    "",
    "[1.2.0]: https://example.com/compare/v1.1.0...v1.2.0",
  ].join("\n");

  it("the dated section of the version, up to the next one; none for an undated version", () => {
    expect(releaseNotes(changelog, "1.2.0")).toBe("### Added\n\n- a thing");
    expect(releaseNotes(changelog, "1.1.0")).toBe("- older");
    expect(releaseNotes(changelog, "1.3.0")).toBeNull();
    expect(releaseNotes(changelog, "1.2")).toBeNull();
  });

  it("CHANGELOG.md follows Keep a Changelog and has an Unreleased section", () => {
    const text = readFileSync(join(REPO_ROOT, "CHANGELOG.md"), "utf8");
    expect(text.split("\n")[0]).toBe("# Changelog");
    expect(text).toContain("https://keepachangelog.com/en/1.1.0/");
    expect(text).toMatch(/\n## \[Unreleased\]\n/);
    for (const heading of text.match(/^## .*$/gm) ?? []) {
      expect(heading).toMatch(/^## \[(Unreleased|\d+\.\d+\.\d+)\]( - \d{4}-\d{2}-\d{2})?$/);
    }
  });
});
