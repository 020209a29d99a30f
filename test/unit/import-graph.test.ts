// The import graph runs one way (ARCHITECTURE.md): functions/, action/ and cli/ import konduktor/;
// konduktor/ imports none of them, and they never import each other. Imports are read with the
// TypeScript compiler's own pre-processor, static and dynamic alike.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/action-runner.ts";

const ROOMS = ["konduktor", "functions", "action", "cli"] as const;
type Room = (typeof ROOMS)[number];

/** What each room may import from the others. */
const ALLOWED: Record<Room, readonly Room[]> = {
  konduktor: [],
  functions: ["konduktor"],
  action: ["konduktor"],
  cli: ["konduktor"],
};

function sources(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)))
    .filter((p) => !p.split("/").includes("dist"));
}

function roomOf(path: string): string {
  return path.split("/")[0] ?? "";
}

/** Every cross-room import in the repository's sources: "file → imported file". */
function crossings(): string[] {
  const out: string[] = [];
  for (const room of ROOMS) {
    for (const file of sources(room)) {
      const info = ts.preProcessFile(readFileSync(join(REPO_ROOT, file), "utf8"), true, true);
      for (const { fileName } of info.importedFiles) {
        if (!fileName.startsWith(".")) continue;
        const target = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), fileName));
        const to = roomOf(target);
        if (to !== room && (ROOMS as readonly string[]).includes(to)) {
          if (!ALLOWED[room].includes(to as Room)) out.push(`${file} → ${target}`);
        }
      }
    }
  }
  return out;
}

describe("the import graph", () => {
  it("runs one way: functions/, action/ and cli/ → konduktor/, and nothing back", () => {
    expect(crossings()).toEqual([]);
  });

  it("reads the imports it checks (konduktor/ is imported from every other room)", () => {
    const importers = new Set<string>();
    for (const room of ["functions", "action", "cli"] as const) {
      for (const file of sources(room)) {
        const info = ts.preProcessFile(readFileSync(join(REPO_ROOT, file), "utf8"), true, true);
        if (info.importedFiles.some((f) => f.fileName.includes("konduktor/"))) importers.add(room);
      }
    }
    expect([...importers].sort()).toEqual(["action", "cli", "functions"]);
  });
});
