/**
 * The setup the ksb terminal tests share (not a test itself): the broker in real workerd, a
 * working directory with the bundled bin on PATH (linked as `npm install -g` links it) and a
 * kubeconfig per test cluster, a real terminal (./cli-terminal.ts) in a temporary HOME, and every
 * screen and process argument list seen, for the canary checks.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { type ClusterInfo, kubeconfigFor } from "../cluster/cluster.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { Terminal } from "./cli-terminal.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export interface CliSession {
  broker: RunningBroker;
  term: Terminal;
  /** the terminal's working directory */
  dir: string;
  /** the terminal's HOME (the ksb config is under home/.config) */
  home: string;
  /** every screen a command showed */
  screens: string[];
  /** every process argument list read while a command ran */
  argvSeen: string[];
  run(command: string): Promise<{ exit: number; screen: string }>;
  /** Starts `command`, reads the terminal's process list once `ready` shows, then finishes it. */
  runWatchingArgs(
    command: string,
    ready: RegExp,
  ): Promise<{ exit: number; screen: string; args: string[] }>;
  stop(): Promise<{ logs: string }>;
}

export async function startCliSession(
  clusters: ClusterInfo[],
  env: Record<string, string> = {},
): Promise<CliSession> {
  const broker = await startBroker({
    caPems: clusters.map((c) => c.caPem),
    vars: { CLUSTER_TIMEOUT_MS: "4000", CLUSTER_RETRIES: "1" },
  });
  const dir = mkdtempSync(join(tmpdir(), "ksb-e2e-"));
  const home = join(dir, "home");
  mkdirSync(join(home, ".config"), { recursive: true });
  mkdirSync(join(dir, "bin"));
  symlinkSync(join(ROOT, "cli/dist/ksb.js"), join(dir, "bin", "ksb"));
  for (const c of clusters) {
    writeFileSync(join(dir, `kc-${c.name}.yaml`), kubeconfigFor(c, "secrets-editor"));
  }
  const term = await Terminal.start({
    cwd: dir,
    env: {
      PATH: `${join(dir, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      LANG: "C.UTF-8",
      ADMIN_TOKEN: broker.adminToken,
      BROKER: broker.url,
      ...env,
    },
  });
  const screens: string[] = [];
  const argvSeen: string[] = [];
  return {
    broker,
    term,
    dir,
    home,
    screens,
    argvSeen,
    async run(command) {
      const r = await term.run(command);
      screens.push(r.screen);
      return r;
    },
    async runWatchingArgs(command, ready) {
      await term.start(command);
      await term.waitFor(ready);
      const args = term.processArgs();
      argvSeen.push(...args);
      const r = await term.finish();
      screens.push(r.screen);
      return { ...r, args };
    },
    async stop() {
      await term.stop();
      const logs = broker.logs();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
      return { logs };
    },
  };
}

/**
 * What an admin does first, with ksb: log in with the admin token (from stdin), register every
 * cluster (`cluster add`), issue a token for `owner` saved as profile "alice" and use it.
 */
export async function adminSetup(s: CliSession, clusters: ClusterInfo[], owner: string) {
  const login = await s.run('printf %s "$ADMIN_TOKEN" | ksb login --url "$BROKER" --profile admin');
  const adds = [];
  for (const c of clusters) {
    adds.push(
      await s.run(`ksb --profile admin cluster add ${c.name} --kubeconfig kc-${c.name}.yaml`),
    );
  }
  const token = await s.run(
    `ksb --profile admin token create --owner ${owner} --label cli-e2e --save-profile alice`,
  );
  const use = await s.run("ksb profile use alice");
  return { login, adds, token, use };
}

/** every file under `dir`, as text */
export function allFiles(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
    .join("\n");
}

/** spinner frames of the live lines (listr2) */
export const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
