// The committed bundle (action/dist: index.js, what action.yml runs, its chunks and the licence
// notices) must be exactly what the sources build to: rebuild into a temp dir and compare bytes.
// The notices must name every package the bundler put in, with that package's licence text.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INPUT_NAMES } from "../../action/src/inputs.ts";
import { type BuiltAction, buildAction, NOTICES_FILE } from "../../scripts/build-action.ts";
import { thirdPartyNotices } from "../../scripts/third-party-licenses.ts";
import { REPO_ROOT } from "../support/action-runner.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Every file under dir, relative, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/**
 * The packages with bytes in the bundle, read from the metafile on its own (not through the
 * generator), and the ones whose section (title line and licence text) the notices lack.
 */
function missingFromNotices(built: BuiltAction, notices: string): string[] {
  const dirs = new Set<string>();
  for (const output of Object.values(built.metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const at = input.lastIndexOf("node_modules/");
      if (at === -1 || info.bytesInOutput === 0) continue;
      const rest = input.slice(at + "node_modules/".length).split("/");
      dirs.add(
        input.slice(0, at) +
          ["node_modules", ...rest.slice(0, rest[0]?.startsWith("@") ? 2 : 1)].join("/"),
      );
    }
  }
  const missing: string[] = [];
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, dir, "package.json"), "utf8"));
    const license = readdirSync(join(REPO_ROOT, dir)).find((f) => /^(un)?licen[cs]e/i.test(f));
    const text = license ? readFileSync(join(REPO_ROOT, dir, license), "utf8").trim() : "";
    const section = `\n${pkg.name} ${pkg.version} (${pkg.license})\n--- `;
    // the first 200 characters of its licence file, as written (line endings normalized)
    const excerpt = text.replace(/\r\n/g, "\n").slice(0, 200);
    if (!notices.includes(section) || excerpt === "" || !notices.includes(excerpt)) {
      missing.push(`${pkg.name}@${pkg.version}`);
    }
  }
  return missing.sort();
}

describe("action bundle", () => {
  let built: BuiltAction;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "action-build-"));
    built = await buildAction(dir);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("action/dist matches a fresh build, file by file (run `npm run build:action` and commit)", () => {
    const committedDir = join(REPO_ROOT, "action/dist");
    expect(filesUnder(committedDir), "action/dist has other files than a build makes").toEqual(
      filesUnder(dir),
    );
    for (const file of filesUnder(dir)) {
      const fresh = readFileSync(join(dir, file));
      expect(
        sha(readFileSync(join(committedDir, file))),
        `action/dist/${file} is stale: run \`npm run build:action\` and commit action/dist`,
      ).toBe(sha(fresh));
    }
    const total = filesUnder(dir).reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
    console.log(`bundle: ${filesUnder(dir).length} files, ${total} bytes`);
  });

  it("the licence notices name every bundled package with its own licence text", () => {
    const notices = readFileSync(join(dir, NOTICES_FILE), "utf8");
    expect(missingFromNotices(built, notices)).toEqual([]);
    // the Apache-2.0 client is in (its NOTICE duty is why this file exists) and two undici (client-node's and the OIDC client's, loaded only in their modes)
    expect(notices).toContain("\n@kubernetes/client-node 2.0.1 (Apache-2.0)\n--- LICENSE\n");
    expect(notices.match(/\nundici \d+\.\d+\.\d+ \(MIT\)\n/g)).toHaveLength(2);
  });

  it("a package whose licence is missing from the notices is caught", () => {
    const notices = readFileSync(join(dir, NOTICES_FILE), "utf8");
    const without = notices.replace(/\nyaml \d+\.\d+\.\d+ \(ISC\)\n--- LICENSE\n\n[^=]*/, "\n");
    expect(without.length).toBeLessThan(notices.length);
    expect(missingFromNotices(built, without)).toEqual([
      expect.stringMatching(/^yaml@\d+\.\d+\.\d+$/),
    ]);
  });

  it("the build fails, naming the package, when a bundled package ships no licence file", () => {
    const root = mkdtempSync(join(tmpdir(), "licence-"));
    try {
      for (const [name, files] of [
        ["with-licence", { LICENSE: "MIT License\n\nCopyright (c) someone" }],
        ["without-licence", { "README.md": "# no licence here" }],
      ] as const) {
        mkdirSync(join(root, "node_modules", name), { recursive: true });
        writeFileSync(
          join(root, "node_modules", name, "package.json"),
          JSON.stringify({ name, version: "1.0.0", license: "MIT" }),
        );
        for (const [file, text] of Object.entries(files)) {
          writeFileSync(join(root, "node_modules", name, file), text);
        }
      }
      const metafile = (names: string[]) => ({
        inputs: {},
        outputs: {
          "out/index.js": {
            bytes: 1,
            imports: [],
            exports: [],
            inputs: Object.fromEntries(
              names.map((n) => [`node_modules/${n}/index.js`, { bytesInOutput: 10 }]),
            ),
          },
        },
      });
      expect(thirdPartyNotices(metafile(["with-licence"]), root, "out")).toContain(
        "\nwith-licence 1.0.0 (MIT)\n--- LICENSE\n\nMIT License\n\nCopyright (c) someone\n",
      );
      expect(() =>
        thirdPartyNotices(metafile(["with-licence", "without-licence"]), root, "out"),
      ).toThrow(
        "no licence file (LICENSE, LICENCE, UNLICENSE, COPYING, NOTICE) in node_modules/without-licence (MIT): the bundle cannot carry its terms; replace the package or add its licence",
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

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
    expect([...INPUT_NAMES].sort()).toEqual(Object.keys(action.inputs).sort());
    expect(Object.keys(action.outputs).sort()).toEqual([
      "changed",
      "clusters",
      "failed",
      "results",
    ]);
  });
});
