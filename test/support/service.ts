/**
 * Test harness: spawn a long-running service in its own process group, wait until its health URL
 * answers 200, keep everything it prints, and stop the whole group (SIGTERM, then SIGKILL after
 * 5 s), tolerating a group that is already gone.
 *
 *   const svc = await spawnService("node", ["functions/node.ts"], { cwd, env, healthUrl, timeoutMs });
 *   svc.logs();       // stdout + stderr so far
 *   await svc.stop();
 *
 * Plus `jsonRequest`, the one JSON request helper the e2e tests share.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { waitFor } from "../cluster/cluster.ts";

export interface SpawnServiceOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** polled until it answers 200 */
  healthUrl: string;
  /** ms to wait for `healthUrl` (default 90 000) */
  timeoutMs?: number;
}

export interface RunningService {
  pid: number;
  /** everything the process printed so far (stdout + stderr) */
  logs(): string;
  /** stops the whole process group; resolves when the process has exited */
  stop(): Promise<void>;
  /** kills the whole process group at once (SIGKILL: no clean shutdown); resolves on exit */
  kill(): Promise<void>;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export async function spawnService(
  cmd: string,
  args: string[],
  options: SpawnServiceOptions,
): Promise<RunningService> {
  let output = "";
  const child: ChildProcess = spawn(cmd, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // read both pipes, so a chatty service never blocks on a full pipe
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  let spawnError: Error | undefined;
  child.once("error", (e) => {
    spawnError = e;
  });
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    child.once("exit", () => r());
    child.once("error", () => r());
  });
  const running = () => child.exitCode === null && child.signalCode === null && !spawnError;

  const stop = async () => {
    const pid = child.pid;
    if (!pid || !running()) return;
    killGroup(pid, "SIGTERM");
    const timer = setTimeout(() => killGroup(pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    // leftovers of the group (e.g. workerd under wrangler under npm)
    killGroup(pid, "SIGKILL");
  };

  const kill = async () => {
    const pid = child.pid;
    if (!pid || !running()) return;
    killGroup(pid, "SIGKILL");
    await exited;
  };

  const what = `${[cmd, ...args].join(" ")}`;
  try {
    await waitFor(
      what,
      async () =>
        (await fetch(options.healthUrl, { signal: AbortSignal.timeout(5_000) })).status === 200,
      options.timeoutMs ?? 90_000,
      () => {
        if (spawnError) return `could not start: ${spawnError.message}`;
        if (!running()) return `exited (${child.exitCode ?? child.signalCode})`;
        return undefined;
      },
    );
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${output.slice(-3000)}`);
  }
  return { pid: child.pid ?? 0, logs: () => output, stop, kill };
}

export interface JsonRequestOptions {
  /** bearer credential */
  token?: string;
  /** JSON body (serialised, with content-type) */
  json?: unknown;
  /** raw body (sent as is) */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  /** the raw body text */
  text: string;
  /** the parsed JSON body (undefined when not JSON) */
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers freely
  body: any;
}

/** One HTTP request to `baseUrl + path`: bearer token, JSON body, and the answer parsed if JSON. */
export async function jsonRequest(
  baseUrl: string,
  method: string,
  path: string,
  o: JsonRequestOptions = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  let body: string | Uint8Array | undefined = o.body;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: body as BodyInit }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}
