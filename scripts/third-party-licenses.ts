/**
 * The licence notices of a bundle, generated at bundle time from what the bundler says it put in
 * (esbuild's metafile: every input file with bytes in an output) and each package's own files:
 * its package.json (name, version, `license`) and every licence file at its root (LICENSE,
 * LICENCE, UNLICENSE, COPYING, NOTICE — Apache-2.0's NOTICE must travel with the code).
 *
 * Why not a plugin (esbuild-plugin-license): it keys packages by name only (two versions of one
 * package, e.g. three undici, collapse into one), takes the nearest package.json (a nested
 * `{"type":"module"}` file without a name drops the package silently) and rewrites the banner.
 * See docs/action.md, "Licence notices".
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Metafile } from "esbuild";

export interface BundledPackage {
  /** the package directory, relative to the build's working directory */
  dir: string;
  name: string;
  version: string;
  /** the SPDX expression of its package.json */
  license: string;
  /** its licence files: name and text */
  files: { name: string; text: string }[];
}

const LICENSE_FILE = /^(un)?licen[cs]e|^copying|^notice/i;

/** `node_modules/a/node_modules/@s/b/x.js` → `node_modules/a/node_modules/@s/b` (null outside node_modules). */
export function packageDirOf(input: string): string | null {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, "/"));
  return m?.[1] ?? null;
}

/** Package directories with at least one byte in any output of the build, sorted. */
export function bundledPackageDirs(metafile: Metafile): string[] {
  const dirs = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const dir = packageDirOf(input);
      if (dir && bytesInOutput > 0) dirs.add(dir);
    }
  }
  return [...dirs].sort();
}

function licenseOf(pkg: { license?: unknown; licenses?: unknown }): string {
  if (typeof pkg.license === "string") return pkg.license;
  const typed = (v: unknown) =>
    v && typeof v === "object" && typeof (v as { type?: unknown }).type === "string"
      ? (v as { type: string }).type
      : null;
  if (typed(pkg.license)) return typed(pkg.license) as string;
  if (Array.isArray(pkg.licenses)) {
    const types = pkg.licenses.map(typed).filter((t): t is string => t !== null);
    if (types.length > 0) return `(${types.join(" OR ")})`;
  }
  return "UNKNOWN";
}

/** Reads one package's name, version, licence and licence files. */
export function readPackage(root: string, dir: string): BundledPackage {
  const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as {
    name?: string;
    version?: string;
    license?: unknown;
    licenses?: unknown;
  };
  const files = readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isFile() && LICENSE_FILE.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => ({
      name,
      text: readFileSync(join(root, dir, name), "utf8")
        .replace(/\r\n/g, "\n")
        .trim(),
    }))
    .filter((f) => f.text !== "");
  return {
    dir,
    name: pkg.name ?? dir.slice(dir.lastIndexOf("node_modules/") + "node_modules/".length),
    version: pkg.version ?? "0.0.0",
    license: licenseOf(pkg),
    files,
  };
}

const RULE = "=".repeat(78);

/** One section's first line, e.g. `undici 7.30.2 (MIT)`; the licence test looks for it. */
export function sectionTitle(p: Pick<BundledPackage, "name" | "version" | "license">): string {
  return `${p.name} ${p.version} (${p.license})`;
}

/**
 * The notice file for a build. Throws, naming the packages, when a bundled package ships no
 * licence file: its terms cannot be passed on, so the bundle must not be published as is.
 */
export function thirdPartyNotices(metafile: Metafile, root: string, bundleName: string): string {
  const packages = bundledPackageDirs(metafile).map((dir) => readPackage(root, dir));
  const without = packages.filter((p) => p.files.length === 0);
  if (without.length > 0) {
    throw new Error(
      `no licence file (LICENSE, LICENCE, UNLICENSE, COPYING, NOTICE) in ${without
        .map((p) => `${p.dir} (${p.license})`)
        .join(", ")}: the bundle cannot carry its terms; replace the package or add its licence`,
    );
  }
  const seen = new Set<string>();
  const sections: string[] = [];
  for (const p of [...packages].sort((a, b) =>
    a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1,
  )) {
    const key = `${p.name}@${p.version}`;
    if (seen.has(key)) continue; // the same version installed twice has the same files
    seen.add(key);
    sections.push(
      [RULE, sectionTitle(p), ...p.files.flatMap((f) => [`--- ${f.name}`, "", f.text, ""])].join(
        "\n",
      ),
    );
  }
  return `${[
    `Third-party software in ${bundleName}: ${seen.size} packages, each with its own licence files.`,
    "Generated by scripts/build-action.ts from the packages esbuild put in the bundle; do not edit.",
    "",
    ...sections,
  ]
    .join("\n")
    .trimEnd()}\n`;
}
