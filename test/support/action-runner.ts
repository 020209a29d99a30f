/**
 * Runs the bundled Action exactly as the GitHub runner does: `node action/dist/index.js` with
 * INPUT_* variables (action.yml defaults applied; names upper-cased, spaces → `_`, dashes kept),
 * fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_ENV / GITHUB_STATE / GITHUB_PATH files and
 * the usual GITHUB_* context variables. Returns stdout, stderr, exit code, parsed outputs, summary.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  env: string;
  durationMs: number;
}

/**
 * Everything a run shows a workflow's readers: stdout without the `::add-mask::` commands, stderr,
 * the step summary, the outputs and the GITHUB_ENV file. A value must appear in none of them.
 */
export function visibleOutput(run: ActionRun): string {
  return [
    run.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n"),
    run.stderr,
    run.summary,
    JSON.stringify(run.outputs),
    run.env,
  ].join("\n");
}

/** `name<<delimiter\nvalue\ndelimiter` blocks (and `name=value` lines) of a GITHUB_OUTPUT file. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = "", delimiter] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] ?? "");
      out[name] = body.join("\n");
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

function actionDefaults(): Record<string, string> {
  const action = parse(readFileSync(join(REPO_ROOT, "action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
  };
  return Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [name, String(spec.default ?? "")]),
  );
}

export async function runAction(
  inputs: Record<string, string>,
  options: { env?: Record<string, string>; entry?: string; timeoutMs?: number } = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), "action-run-"));
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
    // not this machine's home: its ~/.kube/config must not become the step's kubeconfig
    HOME: dir,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: "acme/train",
    GITHUB_REF: "refs/heads/main",
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_WORKFLOW: "Deploy",
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_ACTION: "konduktor-secrets",
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: dir,
    RUNNER_OS: "Linux",
    ...files,
  };
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) {
    env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  }
  Object.assign(env, options.env ?? {});
  const started = Date.now();
  const entry = options.entry ?? join(REPO_ROOT, "action/dist/index.js");
  const { code, stdout, stderr } = await new Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>((resolveRun, reject) => {
    const child = spawn(process.execPath, [entry], { env, cwd: dir });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
    child.on("error", reject);
    child.on("close", (c) => {
      clearTimeout(timer);
      resolveRun({ code: c ?? -1, stdout, stderr });
    });
  });
  const result: ActionRun = {
    code,
    stdout,
    stderr,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, "utf8")),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, "utf8"),
    env: readFileSync(files.GITHUB_ENV, "utf8"),
    durationMs: Date.now() - started,
  };
  rmSync(dir, { recursive: true, force: true });
  return result;
}

/**
 * The `::add-mask::` lines must all come before any other output line. `::debug::` lines (shown
 * only with ACTIONS_STEP_DEBUG; core.getIDToken logs the token URL, never the token) are skipped.
 */
export function maskLinesFirst(stdout: string): {
  masks: string[];
  firstOtherLine: number;
  lastMaskLine: number;
} {
  const lines = stdout.split("\n");
  const masks: string[] = [];
  let lastMaskLine = -1;
  let firstOtherLine = -1;
  lines.forEach((line, i) => {
    if (line.startsWith("::add-mask::")) {
      // the runner un-escapes command data: %0D → CR, %0A → LF, %25 → %
      masks.push(
        line
          .slice("::add-mask::".length)
          .replace(/%0D/g, "\r")
          .replace(/%0A/g, "\n")
          .replace(/%25/g, "%"),
      );
      lastMaskLine = i;
    } else if (line !== "" && !line.startsWith("::debug::") && firstOtherLine === -1) {
      firstOtherLine = i;
    }
  });
  return { masks, firstOtherLine, lastMaskLine };
}
