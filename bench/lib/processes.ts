/**
 * Whole processes, timed from spawn: to the first byte on stdout, and to exit. The Action runs as
 * the GitHub runner runs it (test/support/action-runner.ts: `node action/dist/index.js`, INPUT_*
 * variables with action.yml's defaults, fresh GITHUB_OUTPUT / STEP_SUMMARY / ENV / STATE / PATH).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { parseCommandFile, REPO_ROOT } from "../../test/support/action-runner.ts";

export interface TimedRun {
  code: number;
  stdout: string;
  stderr: string;
  /** ms from spawn to the first stdout byte (the whole run when it printed nothing) */
  firstOutputMs: number;
  totalMs: number;
}

export async function spawnTimed(
  cmd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<TimedRun> {
  const started = performance.now();
  return await new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let first: number | undefined;
    child.stdout.on("data", (d: Buffer) => {
      first ??= performance.now() - started;
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const totalMs = performance.now() - started;
      resolveRun({ code: code ?? -1, stdout, stderr, firstOutputMs: first ?? totalMs, totalMs });
    });
    child.stdin.end(options.input ?? "");
  });
}

let defaults: Record<string, string> | undefined;
function actionDefaults(): Record<string, string> {
  if (!defaults) {
    const action = parse(readFileSync(join(REPO_ROOT, "action.yml"), "utf8")) as {
      inputs: Record<string, { default?: string }>;
    };
    defaults = Object.fromEntries(
      Object.entries(action.inputs).map(([name, spec]) => [name, String(spec.default ?? "")]),
    );
  }
  return defaults;
}

export interface ActionProcess extends TimedRun {
  outputs: Record<string, string>;
}

/** Runs the committed bundle with these inputs, as the runner does; removes its files after. */
export async function runActionTimed(inputs: Record<string, string>): Promise<ActionProcess> {
  const dir = mkdtempSync(join(tmpdir(), "bench-action-"));
  try {
    const files = {
      GITHUB_OUTPUT: join(dir, "output"),
      GITHUB_STEP_SUMMARY: join(dir, "summary"),
      GITHUB_ENV: join(dir, "env"),
      GITHUB_STATE: join(dir, "state"),
      GITHUB_PATH: join(dir, "path"),
    };
    for (const f of Object.values(files)) writeFileSync(f, "");
    const workspace = join(dir, "workspace");
    mkdirSync(workspace);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "acme/train",
      GITHUB_REF: "refs/heads/main",
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_WORKFLOW: "Bench",
      GITHUB_RUN_ID: "4242",
      GITHUB_ACTION: "konduktor-secrets",
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: dir,
      RUNNER_OS: "Linux",
      ...files,
    };
    for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) {
      env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
    }
    const run = await spawnTimed(process.execPath, [join(REPO_ROOT, "action/dist/index.js")], {
      env,
      cwd: dir,
    });
    return { ...run, outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
