/**
 * Typed fixtures for the Action's unit tests: inputs as the runner passes them (`INPUT_*`
 * variables with action.yml's defaults applied, names upper-cased, spaces → `_`, dashes kept),
 * so the code under test reads them with the real `core.getInput`; and `run()` in-process with
 * fake clusters (actionSandbox).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { EOL, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, vi } from "vitest";
import { parse } from "yaml";
import type { InputName } from "../../action/src/inputs.ts";
import type { ConnectOptions, Connector } from "../../action/src/kubeconfig-mode.ts";
import { run } from "../../action/src/main.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { parseCommandFile, REPO_ROOT } from "./action-runner.ts";

/** Inputs a workflow step gives (`with:`); the others take action.yml's defaults. */
export type InputFixture = Partial<Record<InputName, string>>;

export function actionDefaults(): Record<InputName, string> {
  const action = parse(readFileSync(join(REPO_ROOT, "action.yml"), "utf8")) as {
    inputs: Record<InputName, { default?: string }>;
  };
  return Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [name, String(spec.default ?? "")]),
  ) as Record<InputName, string>;
}

export const inputVariable = (name: string) => `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;

/** Sets every input's variable (vi.stubEnv: undo with vi.unstubAllEnvs in afterEach). */
export function stubInputs(fixture: InputFixture): void {
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...fixture })) {
    vi.stubEnv(inputVariable(name), value);
  }
}

export interface InProcessStep {
  stdout: string;
  /** the `::error` lines */
  errors: string[];
  outputs: Record<string, string>;
  summary: string;
  exitCode: number | undefined;
  /** what run()'s connector was asked for (only with `kubes`) */
  connected: ConnectOptions[];
}

export interface StepOptions {
  /** fake clusters per context (a function: built per call); without it, the real connector */
  kubes?: Record<string, KubeSecrets | ((o: ConnectOptions) => Promise<KubeSecrets>)>;
  env?: Record<string, string>;
}

/**
 * run() in this process with typed input fixtures, the runner's command files and stdout
 * captured; registers the hooks that undo it. `dir()` is a fresh directory per test (also HOME,
 * so no ~/.kube/config of this machine is picked up).
 */
export function actionSandbox() {
  // core.summary keeps the first GITHUB_STEP_SUMMARY path it sees (one per process on a runner):
  // one file for the whole file, emptied before each step
  const files = mkdtempSync(join(tmpdir(), "action-step-files-"));
  const commandFiles = {
    GITHUB_OUTPUT: join(files, "output"),
    GITHUB_STEP_SUMMARY: join(files, "summary"),
  };
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "action-step-"));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => rmSync(files, { recursive: true, force: true }));

  async function step(inputs: InputFixture, options: StepOptions = {}): Promise<InProcessStep> {
    stubInputs(inputs);
    for (const [name, path] of Object.entries(commandFiles)) {
      writeFileSync(path, "");
      vi.stubEnv(name, path);
    }
    vi.stubEnv("KUBECONFIG", "");
    vi.stubEnv("HOME", dir);
    vi.stubEnv("GITHUB_WORKSPACE", dir);
    for (const [k, v] of Object.entries(options.env ?? {})) vi.stubEnv(k, v);
    let stdout = "";
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const connected: ConnectOptions[] = [];
    const kubes = options.kubes;
    const connect: Connector | undefined = kubes
      ? async (_text, o) => {
          connected.push(o);
          const kube = kubes[o.context];
          if (!kube) throw new Error(`no fake for ${o.context}`);
          return typeof kube === "function" ? await kube(o) : kube;
        }
      : undefined;
    try {
      await run({
        ...(connect ? { connect } : {}),
        provenance: { actor: "github:acme/train@refs/heads/main", via: "test" },
      });
    } finally {
      write.mockRestore();
    }
    return {
      stdout,
      errors: stdout.split(EOL).filter((l) => l.startsWith("::error")),
      outputs: parseCommandFile(readFileSync(commandFiles.GITHUB_OUTPUT, "utf8")),
      summary: readFileSync(commandFiles.GITHUB_STEP_SUMMARY, "utf8"),
      exitCode: process.exitCode as number | undefined,
      connected,
    };
  }
  return { step, dir: () => dir };
}
