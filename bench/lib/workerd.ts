/**
 * The broker in workerd without `wrangler dev`'s own layers: the Worker bundle `wrangler deploy`
 * would upload (`wrangler deploy --dry-run --outdir`), run by Miniflare, the library `wrangler dev`
 * runs it with, in the same workerd, with the same local Durable Objects (SQLite) and KV, and
 * reached on the Worker's own socket (Miniflare's `unsafeDirectSockets`).
 *
 * Why: `wrangler dev` puts its development stack in front of the Worker (a proxy Worker in a
 * second workerd that holds requests while it reloads, Miniflare's entry Worker, the assets router,
 * the observability collector); a deployed Worker has none of them. A bare `GET /healthz` takes
 * ~10 ms through them and ~1–2 ms on the Worker's own socket; a PUT ~20 ms more. The bench's
 * broker-overhead rows time the broker here and `wrangler dev` beside it
 * (docs/decisions/0019-broker-overhead-without-dev-stack.md).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "jsonc-parser";
import { bundleWorker } from "../../scripts/worker-bundle.ts";
import type { ClusterInfo } from "../../test/cluster/cluster.ts";
import type { BrokerResponse, RequestOptions } from "../../test/support/broker.ts";
import { jsonRequest } from "../../test/support/service.ts";

const ROOT = resolve(import.meta.dirname, "../..");

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

export async function startBrokerEndpoint(
  infos: readonly ClusterInfo[],
  vars: Record<string, string> = {},
): Promise<BrokerEndpoint> {
  const dir = mkdtempSync(join(tmpdir(), "bench-workerd-"));
  const main = bundleWorker(dir);
  const config = parse(readFileSync(join(ROOT, "wrangler.jsonc"), "utf8")) as WranglerConfig;
  // Miniflare reads the extra CAs workerd trusts from the environment, once per process: one such
  // broker per bench run
  const caFile = join(dir, "extra-ca.pem");
  writeFileSync(caFile, infos.map((i) => i.caPem).join("\n"));
  const before = process.env.NODE_EXTRA_CA_CERTS;
  process.env.NODE_EXTRA_CA_CERTS = caFile;
  const { Miniflare, convertV4MiniflareOptions } = await import("miniflare");
  const adminToken = `adm_${randomBytes(24).toString("hex")}`;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      workers: [
        {
          name: "broker",
          modules: true,
          rootPath: dir,
          scriptPath: main,
          compatibilityDate: config.compatibility_date,
          compatibilityFlags: config.compatibility_flags ?? [],
          durableObjects: Object.fromEntries(
            config.durable_objects.bindings.map((b) => [
              b.name,
              { className: b.class_name, useSQLite: true },
            ]),
          ),
          kvNamespaces: (config.kv_namespaces ?? []).map((k) => k.binding),
          bindings: {
            ADMIN_TOKEN: adminToken,
            KEK: randomBytes(32).toString("base64"),
            KEK_ID: "bench1",
            ...vars,
          },
          unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
        },
      ],
    }),
  );
  const url = (await mf.unsafeGetDirectURL("broker")).toString().replace(/\/$/, "");
  if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
  else process.env.NODE_EXTRA_CA_CERTS = before;
  return {
    url,
    adminToken,
    request: (method, path, o = {}) => jsonRequest(url, method, path, o),
    async stop() {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
