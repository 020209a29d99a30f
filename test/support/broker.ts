/**
 * Test harness: the broker in REAL workerd, started with `wrangler dev` (local KV in a fresh
 * `--persist-to` dir, a free port, test-only secrets passed with `--var`), stopped cleanly, with its
 * whole log captured so tests can assert what never appears in it.
 *
 *   const broker = await startBroker({ caPems: clusters.map((c) => c.caPem) });
 *   const res = await broker.request("PUT", "/v1/clusters/alpha", { token: broker.adminToken, json: {...} });
 *   broker.logs();            // everything wrangler/workerd printed so far (stdout + stderr)
 *   broker.auditLines();      // the parsed `{"type":"audit",…}` lines
 *   await broker.stop();
 *
 * TLS to test clusters: their CA PEMs are written to one file and given to wrangler as
 * NODE_EXTRA_CA_CERTS, which wrangler passes to workerd.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../cluster/cluster.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

export interface StartBrokerOptions {
  /** PEM CAs workerd should trust (e.g. every test cluster's `caPem`) */
  caPems?: string[];
  /** extra or overriding Worker vars, e.g. `{ CLUSTER_TIMEOUT_MS: "3000" }` */
  vars?: Record<string, string>;
  /** default: random */
  adminToken?: string;
  /** base64 of 32 bytes; default: random */
  kek?: string;
  /** ms to wait for the broker to answer /healthz (default 90 000) */
  startTimeoutMs?: number;
  /** start with `--test-scheduled`, so `scheduled(cron)` can run the Worker's cron handler */
  testScheduled?: boolean;
}

export interface RequestOptions {
  /** bearer credential */
  token?: string;
  /** JSON body (serialised, with content-type) */
  json?: unknown;
  /** raw body (sent as is) */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface BrokerResponse {
  status: number;
  headers: Headers;
  /** the raw body text */
  text: string;
  /** the parsed JSON body (undefined when not JSON) */
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers freely
  body: any;
}

export interface RunningBroker {
  url: string;
  adminToken: string;
  kek: string;
  /** ms from spawning wrangler to /healthz answering */
  startMs: number;
  request(method: string, path: string, options?: RequestOptions): Promise<BrokerResponse>;
  /** runs the `scheduled` handler once (needs `testScheduled`); resolves when it has finished */
  scheduled(cron: string): Promise<BrokerResponse>;
  /** everything the broker printed so far */
  logs(): string;
  /** parsed JSON log lines with `type: "audit"` */
  auditLines(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const dir = mkdtempSync(join(tmpdir(), "konduktor-broker-"));
  const adminToken = options.adminToken ?? `adm_${randomBytes(24).toString("hex")}`;
  const kek = options.kek ?? randomBytes(32).toString("base64");
  const caFile = join(dir, "extra-ca.pem");
  writeFileSync(caFile, (options.caPems ?? []).join("\n"));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const vars = { ADMIN_TOKEN: adminToken, KEK: kek, KEK_ID: "test1", ...options.vars };
  const args = [
    "dev",
    "--config",
    join(ROOT, "wrangler.jsonc"),
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    join(dir, "state"),
    "--show-interactive-dev-session=false",
    "--log-level",
    "log",
    ...(options.testScheduled ? ["--test-scheduled"] : []),
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  let output = "";
  const started = Date.now();
  const child: ChildProcess = spawn(WRANGLER, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: caFile,
      WRANGLER_SEND_METRICS: "false",
      CI: "1",
      FORCE_COLOR: "0",
      NO_COLOR: "1",
    },
  });
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = started + (options.startTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer within the timeout:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const startMs = Date.now() - started;

  return {
    url,
    adminToken,
    kek,
    startMs,
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      let body: string | Uint8Array | undefined = o.body;
      if (o.json !== undefined) {
        body = JSON.stringify(o.json);
        headers["content-type"] ??= "application/json";
      }
      const res = await fetch(url + path, {
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
    },
    async scheduled(cron) {
      if (!options.testScheduled) throw new Error("start the broker with testScheduled: true");
      const res = await fetch(`${url}/__scheduled?cron=${encodeURIComponent(cron)}`);
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: undefined };
    },
    logs: () => output,
    auditLines: () =>
      output
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("{") && l.includes('"type":"audit"'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    stop,
  };
}
