/**
 * Test harness: the broker in REAL workerd, started with `wrangler dev` (local Durable Objects and
 * KV in a fresh `--persist-to` dir, or a given one to restart on the same state, a free port, test-only secrets passed with `--var`), stopped cleanly, with its
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
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../cluster/cluster.ts";
import {
  type JsonRequestOptions,
  type JsonResponse,
  jsonRequest,
  type RunningService,
  spawnService,
} from "./service.ts";

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
  /**
   * the local state directory (`--persist-to`), owned by the caller and kept on stop: a broker
   * started again on it finds its Durable Objects (and KV) as they were. Default: a fresh one.
   */
  persistTo?: string;
}

export type RequestOptions = JsonRequestOptions;

export type BrokerResponse = JsonResponse;

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
  /** kills wrangler and workerd at once (SIGKILL to the process group), as a crash would */
  kill(): Promise<void>;
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
    options.persistTo ?? join(dir, "state"),
    "--show-interactive-dev-session=false",
    "--log-level",
    "log",
    ...(options.testScheduled ? ["--test-scheduled"] : []),
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const started = Date.now();
  const url = `http://127.0.0.1:${port}`;
  let service: RunningService;
  try {
    service = await spawnService(WRANGLER, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: caFile,
        WRANGLER_SEND_METRICS: "false",
        CI: "1",
        FORCE_COLOR: "0",
        NO_COLOR: "1",
      },
      healthUrl: `${url}/healthz`,
      timeoutMs: options.startTimeoutMs ?? 90_000,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`wrangler dev did not start: ${(e as Error).message}`);
  }
  const stop = async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const startMs = Date.now() - started;

  return {
    url,
    adminToken,
    kek,
    startMs,
    request: (method, path, o = {}) => jsonRequest(url, method, path, o),
    async scheduled(cron) {
      if (!options.testScheduled) throw new Error("start the broker with testScheduled: true");
      const res = await fetch(`${url}/__scheduled?cron=${encodeURIComponent(cron)}`);
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: undefined };
    },
    logs: () => service.logs(),
    kill: async () => {
      await service.kill();
      rmSync(dir, { recursive: true, force: true });
    },
    auditLines: () =>
      service
        .logs()
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
