// The package's bin (cli/dist/ksb.js) must be exactly what the sources build to, run on plain
// Node (no type stripping: Node refuses it under node_modules, where npx and npm install -g put
// the package), and keep the dependencies external (npm installs them with the package).

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCli } from "../../cli/build.ts";
import { REPO_ROOT } from "../support/action-runner.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("cli bundle", () => {
  it("cli/dist/ksb.js matches a fresh build (run `npm run build:cli` and commit)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-build-"));
    try {
      const fresh = readFileSync(await buildCli(dir));
      const committed = readFileSync(join(REPO_ROOT, "cli/dist/ksb.js"));
      console.log(`cli bundle: ${fresh.length} bytes, sha256 ${sha(fresh).slice(0, 16)}`);
      expect(
        sha(committed),
        "cli/dist/ksb.js is stale: run `npm run build:cli` and commit cli/dist",
      ).toBe(sha(fresh));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("the bin is the bundle, executable, with a node shebang, importing dependencies by name", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(pkg.bin).toEqual({ ksb: "cli/dist/ksb.js" });
    const file = join(REPO_ROOT, "cli/dist/ksb.js");
    expect(statSync(file).mode & 0o111).toBe(0o111);
    expect(readFileSync(file, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    const dist = join(REPO_ROOT, "cli/dist");
    const text = readdirSync(dist)
      .map((f) => readFileSync(join(dist, f), "utf8"))
      .join("\n");
    const imports = [...text.matchAll(/\bfrom "([^"]+)";$|\bimport\("([^"]+)"\)/gm)].map(
      (m) => (m[1] ?? m[2]) as string,
    );
    expect(imports).toContain("@kubernetes/client-node");
    const bare = imports
      .filter((s) => !s.startsWith("./"))
      .filter((s) => !s.startsWith("node:"))
      .map((s) =>
        s
          .split("/")
          .slice(0, s.startsWith("@") ? 2 : 1)
          .join("/"),
      );
    for (const name of new Set(bare)) expect(Object.keys(pkg.dependencies), name).toContain(name);
  });

  it("runs with node alone (--version, and a usage error exits 2)", () => {
    const bin = join(REPO_ROOT, "cli/dist/ksb.js");
    expect(execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" }).trim()).toBe(
      JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version,
    );
    let status: number | null = null;
    try {
      execFileSync(process.execPath, [bin, "secret", "create"], { stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBe(2);
  });
});
