/**
 * The CI tools built from their Go modules, pinned: actionlint (validates every workflow) and
 * nektos/act (runs a workflow that uses this repository's action.yml, as GitHub's runner loads
 * it). Each lands in .cache/tools/<name>-<version>/<name>; a build is skipped when that file
 * exists, so re-runs are instant. Needs Go (the same as the test clusters) and the Go proxy.
 *
 *   npm run tools:build
 *   node scripts/ci-tools.ts --path actionlint     # prints the binary's path (fails when missing)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const TOOLS = {
  actionlint: { module: "github.com/rhysd/actionlint/cmd/actionlint", version: "v1.7.12" },
  act: { module: "github.com/nektos/act", version: "v0.2.89" },
} as const;
export type ToolName = keyof typeof TOOLS;

export function toolPath(name: ToolName): string {
  return join(root, ".cache", "tools", `${name}-${TOOLS[name].version}`, name);
}

/** The tool's path; throws saying how to build it when it is not built (tests never skip). */
export function requireTool(name: ToolName): string {
  const path = toolPath(name);
  if (!existsSync(path)) {
    throw new Error(
      `${name} ${TOOLS[name].version} is not built at ${path}: run \`npm run tools:build\` (go install ${TOOLS[name].module}@${TOOLS[name].version}; needs Go), or \`bash .ci/run\``,
    );
  }
  return path;
}

export function buildTools(log: (line: string) => void = console.log): void {
  for (const name of Object.keys(TOOLS) as ToolName[]) {
    const path = toolPath(name);
    if (existsSync(path)) {
      log(`tools: ${name} ${TOOLS[name].version} ready`);
      continue;
    }
    const { module, version } = TOOLS[name];
    const staging = `${dirname(path)}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    log(`tools: go install ${module}@${version}`);
    try {
      execFileSync("go", ["install", `${module}@${version}`], {
        env: { ...process.env, GOBIN: staging, CGO_ENABLED: "0" },
        stdio: ["ignore", "inherit", "inherit"],
      });
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(
        `could not build ${name} (${(error as Error).message.split("\n")[0]}): is Go installed (https://go.dev/dl) and the Go proxy reachable?`,
      );
    }
    rmSync(dirname(path), { recursive: true, force: true });
    renameSync(staging, dirname(path));
    log(`tools: ${name} ${version} built`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const [flag, name] = process.argv.slice(2);
    if (flag === "--path") {
      if (!name || !(name in TOOLS))
        throw new Error(`--path takes one of ${Object.keys(TOOLS).join(", ")}`);
      console.log(requireTool(name as ToolName));
    } else buildTools();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
