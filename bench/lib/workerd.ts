/**
 * The broker in workerd as deployed: the Worker bundle `wrangler deploy` would upload (`wrangler
 * deploy --dry-run --outdir`), run by the `workerd` binary itself with a config written from
 * `wrangler.jsonc` (compatibility date and flags, the Durable Object classes with SQLite storage on
 * local disk), and reached on the Worker's own socket. Nothing else is in the request's path: the
 * Worker's `fetch` goes straight to the network, and its log lines go to a file, not through the
 * process that times the requests.
 *
 * Why not `wrangler dev`: it puts its development stack in front of the Worker (a proxy Worker in
 * a second workerd that holds requests while it reloads, Miniflare's entry Worker, the assets
 * router, the observability collector); a bare `GET /healthz` takes ~10 ms through them and ~1–2 ms
 * on the Worker's own socket, a PUT ~20 ms more (docs/decisions/0019). Why not Miniflare, the
 * library under `wrangler dev`: it sends every outgoing `fetch` through an interceptor Worker of its
 * own (~0.2 ms per request, measured) and brings every log line into this process to parse it
 * (docs/decisions/0024). The bench's broker-overhead rows time the broker here and `wrangler dev`
 * beside it.
 *
 * The Worker's bindings: the settings as text, `RECORDS` and `LINKS` (its Durable Object classes),
 * and `KONDUKTOR_KV` as an empty namespace (the state of brokers before the Durable Objects, read
 * once on the first request: there is none here). `ASSETS` (the /docs renderer's script) is not
 * bound: the bench never asks for it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parse } from "jsonc-parser";
import { bundleWorker } from "../../scripts/worker-bundle.ts";
import type { ClusterInfo } from "../../test/cluster/cluster.ts";
import type { BrokerResponse, RequestOptions } from "../../test/support/broker.ts";
import { jsonRequest } from "../../test/support/service.ts";

const ROOT = resolve(import.meta.dirname, "../..");
/** the binary of the `workerd` package (the one wrangler runs; a devDependency pinned beside it) */
const WORKERD = (createRequire(import.meta.url)("workerd") as { default: string }).default;

/** A running broker as the bench drives it (test/support/broker.ts's `RunningBroker` is one too). */
export interface BrokerEndpoint {
  url: string;
  adminToken: string;
  request(method: string, path: string, options?: RequestOptions): Promise<BrokerResponse>;
  stop(): Promise<void>;
}

interface WranglerConfig {
  compatibility_date: string;
  compatibility_flags?: string[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  kv_namespaces?: { binding: string }[];
}

/**
 * An empty KV namespace as workerd's KV binding asks it (a listing: no keys; a read: not found;
 * a write: refused, since the broker writes nothing there).
 */
const EMPTY_KV = `export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/") {
      return Response.json({ keys: [], list_complete: true, cacheStatus: null });
    }
    if (request.method === "GET") return new Response(null, { status: 404 });
    return new Response("the bench's KV namespace is read-only", { status: 405 });
  },
};
`;

/**
 * Where the Durable Objects keep their SQLite databases: on local disk as `wrangler dev` keeps them
 * (each commit is written and fsync'd before the object answers), or on tmpfs (/dev/shm: an fsync
 * there waits for no device; not as deployed, only to show what share of a request the local
 * disk's commits are).
 */
export type ObjectStorage = "disk" | "tmpfs";

/** Where the probe keeps its objects' databases (Linux's tmpfs; absent on macOS: no probe) */
export const TMPFS = "/dev/shm";

/**
 * The workerd config (Cap'n Proto text) of the broker bundle `main` (beside the config file), its
 * objects' databases in `objectsDir`.
 */
function workerdConfig(
  main: string,
  config: WranglerConfig,
  bindings: Record<string, string>,
  trusted: readonly string[],
  objectsDir: string,
): string {
  const q = JSON.stringify;
  const text = Object.entries(bindings).map(
    ([name, value]) => `(name = ${q(name)}, text = ${q(value)})`,
  );
  const objects = config.durable_objects.bindings.map(
    (b) => `(name = ${q(b.name)}, durableObjectNamespace = ${q(b.class_name)})`,
  );
  const kv = (config.kv_namespaces ?? []).map(
    (k) => `(name = ${q(k.binding)}, kvNamespace = "kv")`,
  );
  const classes = config.durable_objects.bindings.map(
    (b) =>
      `(className = ${q(b.class_name)}, uniqueKey = ${q(`bench-${b.class_name}`)}, enableSql = true)`,
  );
  const flags = (config.compatibility_flags ?? []).map((f) => q(f));
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "broker", worker = .broker),
    (name = "kv", worker = .kv),
    (name = "do-disk", disk = (path = ${q(objectsDir)}, writable = true)),
    (name = "internet", network = (allow = ["public", "private", "local"], tlsOptions = (trustedCertificates = [${trusted.map((c) => q(c)).join(", ")}]))),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "broker")],
);
const broker :Workerd.Worker = (
  modules = [(name = ${q(main)}, esModule = embed ${q(main)})],
  compatibilityDate = ${q(config.compatibility_date)},
  compatibilityFlags = [${flags.join(", ")}],
  bindings = [${[...text, ...objects, ...kv].join(", ")}],
  durableObjectNamespaces = [${classes.join(", ")}],
  durableObjectStorage = (localDisk = "do-disk"),
  globalOutbound = "internet",
);
const kv :Workerd.Worker = (
  modules = [(name = "kv.js", esModule = embed "kv.js")],
  compatibilityDate = ${q(config.compatibility_date)},
);
`;
}

/** The port workerd says its `http` socket listens on (its control messages, one JSON a line). */
async function listeningPort(control: Readable, child: ChildProcess): Promise<number> {
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) =>
      reject(new Error(`bench: workerd exited (${code}) before it listened`)),
    ),
  );
  const listened = (async () => {
    for await (const line of createInterface(control)) {
      const message = JSON.parse(line) as { event?: string; socket?: string; port?: number };
      if (message.event === "listen" && message.socket === "http") return message.port as number;
    }
    throw new Error("bench: workerd closed its control pipe before it listened");
  })();
  return await Promise.race([listened, exited]);
}

export async function startBrokerEndpoint(
  infos: readonly ClusterInfo[],
  vars: Record<string, string> = {},
  storage: ObjectStorage = "disk",
): Promise<BrokerEndpoint> {
  const dir = mkdtempSync(join(tmpdir(), "bench-workerd-"));
  const main = bundleWorker(dir);
  const config = parse(readFileSync(join(ROOT, "wrangler.jsonc"), "utf8")) as WranglerConfig;
  const adminToken = `adm_${randomBytes(24).toString("hex")}`;
  // the objects' databases: in the bench's folder, or on tmpfs (a folder of its own there)
  const objects = storage === "disk" ? join(dir, "do") : mkdtempSync(join(TMPFS, "bench-objects-"));
  if (storage === "disk") mkdirSync(objects);
  writeFileSync(join(dir, "kv.js"), EMPTY_KV);
  const bindings = {
    ADMIN_TOKEN: adminToken,
    KEK: randomBytes(32).toString("base64"),
    KEK_ID: "bench1",
    ...vars,
  };
  const configFile = join(dir, "broker.capnp");
  writeFileSync(
    configFile,
    workerdConfig(
      main,
      config,
      bindings,
      infos.map((i) => i.caPem),
      objects,
    ),
  );
  // the Worker's log lines (the audit trail of every request) go to a file of their own
  const log = join(dir, "workerd.log");
  const out = openSync(log, "a");
  const child = spawn(WORKERD, ["serve", "--experimental", "--control-fd=3", configFile], {
    stdio: ["ignore", out, out, "pipe"],
  });
  closeSync(out);
  let port: number;
  try {
    port = await listeningPort(child.stdio[3] as Readable, child);
  } catch (error) {
    child.kill("SIGKILL");
    // its log says why; the folders go (the config holds the broker's admin token and KEK)
    const said = readFileSync(log, "utf8").slice(-4000);
    rmSync(dir, { recursive: true, force: true });
    rmSync(objects, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}; its log:\n${said}`);
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    adminToken,
    request: (method, path, o = {}) => jsonRequest(url, method, path, o),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
      rmSync(objects, { recursive: true, force: true });
    },
  };
}
