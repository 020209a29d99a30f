/**
 * The CHANGELOG section of a version (Keep a Changelog: `## [X.Y.Z] - YYYY-MM-DD`), for the
 * release workflow's notes and its check that a version is ready to tag.
 *
 *   node scripts/release-notes.ts [version]     (default: package.json's version)
 * Prints the section's body; exits 1 saying what to write when the section is missing.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const VERSION_RE = /^\d+\.\d+\.\d+$/;

/** The body of `## [version] - date` (up to the next `## `), or null when there is none. */
export function releaseNotes(changelog: string, version: string): string | null {
  const lines = changelog.replace(/\r\n/g, "\n").split("\n");
  const heading = new RegExp(
    `^## \\[${version.replace(/\./g, "\\.")}\\] - \\d{4}-\\d{2}-\\d{2}\\s*$`,
  );
  const start = lines.findIndex((l) => heading.test(l));
  if (start === -1) return null;
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines
    .slice(start + 1, end === -1 ? undefined : end)
    .join("\n")
    .replace(/\n\[[^\]]+\]: .*$/gm, "")
    .trim();
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string })
    .version;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const version = process.argv[2] ?? packageVersion();
  if (!VERSION_RE.test(version)) {
    console.error(`release-notes: ${version} is not X.Y.Z`);
    process.exit(1);
  }
  const notes = releaseNotes(readFileSync(join(root, "CHANGELOG.md"), "utf8"), version);
  if (notes === null || notes === "") {
    console.error(
      `release-notes: CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section with entries: move the [Unreleased] entries under it to release ${version}`,
    );
    process.exit(1);
  }
  console.log(notes);
}
