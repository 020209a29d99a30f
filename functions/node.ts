/**
 * The Node entry: the same app on @hono/node-server, state in SQLite (`node:sqlite`, WAL) at
 * STATE_DB, and the undici-based fetch adapter (kubeconfigs may use client certificates, CA
 * files, token files). The JSON state file of earlier brokers (STATE_FILE) is migrated into the
 * database on the first request, once (functions/store/migrate.ts); it is never written again.
 *
 *   ADMIN_TOKEN=… KEK=… node functions/node.ts
 *     # PORT (8787), HOST (127.0.0.1), STATE_DB (.konduktor-state.db),
 *     # STATE_FILE (.konduktor-state.json: read once if it exists)
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { serve } from "@hono/node-server";
import { nodeKubeSecretsFromParsed, parseForNode } from "../konduktor/kube/node-fetch.ts";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { deadlineOptions, type KubeConnector, memoized } from "./registry/clusters.ts";
import { OpenedClusters } from "./registry/opened.ts";
import { readLegacyStateFile } from "./store/legacy-file.ts";
import { SqliteShardedStore } from "./store/sqlite-records.ts";

export const nodeConnector: KubeConnector = async (
  kubeconfig,
  { cluster, context, timeoutMs, signal, memo },
) =>
  await nodeKubeSecretsFromParsed(
    // registered over the API: never read this host's files for it (also for older records)
    memoized(memo, `node:${cluster}`, () =>
      parseForNode(kubeconfig, { context, origin: "remote", cluster }),
    ),
    {
      cluster,
      timeoutMs,
      userAgent: "konduktor-broker",
      ...deadlineOptions(signal),
    },
  );

/**
 * A configuration error in the words of this entry: settings are environment variables here, not
 * Worker secrets (`wrangler secret put` and .dev.vars are for workerd).
 */
export function nodeConfigMessage(error: ConfigError): string {
  const lines = error.problems.map(({ setting, message }) => {
    const advice = message
      .replace(/ \(`wrangler secret put [^)]*\)/g, "")
      .replace(/set it as a secret/g, `set the environment variable ${setting}`);
    return `  - ${setting}: ${advice}`;
  });
  return [
    "the broker is not configured correctly (the Node entry reads its settings from environment variables):",
    ...lines,
    "e.g. ADMIN_TOKEN=$(openssl rand -base64 32) KEK=$(openssl rand -base64 32) npm run start:node (keep both: the KEK decrypts the registry in STATE_FILE)",
  ].join("\n");
}

/**
 * A 413 is answered before the request body is read (functions/app.ts: size first). Node would
 * then still announce `Connection: keep-alive` and close the connection under the client's next
 * request ("socket hang up"); `Connection: close` says so up front, and the client reconnects.
 */
export function closeAfterRefusedBody(
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>,
): (request: Request, env?: unknown) => Promise<Response> {
  return async (request, env) => {
    const res = await fetch(request, env);
    if (res.status !== 413) return res;
    const headers = new Headers(res.headers);
    headers.set("connection", "close");
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}

function main(): void {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env as Record<string, unknown>);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(nodeConfigMessage(error));
      process.exit(2);
    }
    throw error;
  }
  const require = createRequire(import.meta.url);
  let scalarPath: string | null = null;
  try {
    scalarPath = require
      .resolve("@scalar/api-reference")
      .replace(/dist\/index\.js$/, "dist/browser/standalone.js");
  } catch {
    scalarPath = null;
  }
  const legacyState = readLegacyStateFile(process.env.STATE_FILE || ".konduktor-state.json");
  // a process lives on without requests: what it keeps opened goes after its idle time anyway
  // (a Worker's isolate is dropped when idle)
  const opened = new OpenedClusters();
  setInterval(() => opened.sweep(), 60_000).unref();
  const app = createApp({
    opened,
    config,
    records: new SqliteShardedStore(process.env.STATE_DB || ".konduktor-state.db"),
    ...(legacyState ? { legacyState } : {}),
    runtime: "node",
    connector: nodeConnector,
    ...(scalarPath
      ? {
          docsScript: async () =>
            new Response(readFileSync(scalarPath as string), {
              headers: { "content-type": "application/javascript" },
            }),
        }
      : {}),
  });
  const port = Number(process.env.PORT || 8787);
  const hostname = process.env.HOST || "127.0.0.1";
  serve({ fetch: closeAfterRefusedBody(app.fetch), port, hostname }, (info) => {
    console.log(JSON.stringify({ type: "listening", url: `http://${hostname}:${info.port}` }));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) main();
