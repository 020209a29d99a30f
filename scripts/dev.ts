/**
 * `npm run dev`: the broker on workerd with local state: Durable Objects (`wrangler dev`).
 *
 * On the first start it writes a git-ignored `.dev.vars` with what the broker needs (a random
 * admin token and a random 256-bit key for the kubeconfigs), prints how to register a cluster,
 * then runs `wrangler dev` (extra arguments are passed on, e.g. `npm run dev -- --port 9000`).
 *
 * Clusters with a private CA: `npm run register-cluster` collects their CAs in
 * `.wrangler/dev-extra-ca.pem`; this script gives that file to workerd as NODE_EXTRA_CA_CERTS
 * (restart after registering a cluster with a new CA).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs, parseEnv } from "node:util";

const ROOT = resolve(import.meta.dirname, "..");
const DEV_VARS = join(ROOT, ".dev.vars");
export const DEV_CA_FILE = join(ROOT, ".wrangler", "dev-extra-ca.pem");

export function readDevVars(): Record<string, string> {
  return existsSync(DEV_VARS)
    ? (parseEnv(readFileSync(DEV_VARS, "utf8")) as Record<string, string>)
    : {};
}

function ensureDevVars(): { created: boolean; vars: Record<string, string> } {
  const vars = readDevVars();
  const missing: string[] = [];
  if (!vars.ADMIN_TOKEN) {
    vars.ADMIN_TOKEN = `adm_${randomBytes(32).toString("base64url")}`;
    missing.push("ADMIN_TOKEN");
  }
  if (!vars.KEK) {
    vars.KEK = randomBytes(32).toString("base64");
    vars.KEK_ID = "dev1";
    missing.push("KEK");
  }
  if (missing.length === 0) return { created: false, vars };
  const lines = [
    "# Local secrets of the broker for `wrangler dev` (git-ignored). Written by `npm run dev`.",
    "# ADMIN_TOKEN: manages clusters and API tokens. KEK: encrypts the stored kubeconfigs",
    "# (losing it makes the registered clusters unreadable: register them again).",
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`),
    "",
  ];
  writeFileSync(DEV_VARS, lines.join("\n"), { mode: 0o600 });
  return { created: true, vars };
}

function main(): void {
  const args = process.argv.slice(2);
  const { created } = ensureDevVars();
  // wrangler takes `--port 9000` and `--port=9000`; every other argument is wrangler's
  const { values } = parseArgs({ args, strict: false, options: { port: { type: "string" } } });
  const port = typeof values.port === "string" && values.port ? values.port : "8787";
  const url = `http://127.0.0.1:${port}`;
  if (created) {
    console.log(`
Created .dev.vars (git-ignored) with a new admin token (ADMIN_TOKEN) and encryption key (KEK).
The admin token is not printed: read it from .dev.vars when you need it.

Next, in another terminal:
  1. register the cluster of your current kubeconfig context:
       npm run register-cluster -- <name>
  2. issue an API token for an owner (your Konduktor user hash, 8 hex characters):
       curl -s -X POST ${url}/v1/tokens -H "authorization: Bearer $(grep ^ADMIN_TOKEN= .dev.vars | cut -d= -f2-)" \\
         -H 'content-type: application/json' -d '{"owners":["0a1b2c3d"]}'
  3. put a secret on every registered cluster:
       curl -s -X PUT ${url}/v1/secrets/my-env -H "authorization: Bearer <token>" \\
         -H 'content-type: application/json' -d '{"kind":"env","source":{"type":"inline","pairs":{"API_KEY":"…"}}}'
  API docs: ${url}/docs
`);
  } else {
    console.log(
      `Using .dev.vars. API docs: ${url}/docs  (register a cluster: npm run register-cluster -- <name>)`,
    );
  }
  const env = { ...process.env };
  if (!env.NODE_EXTRA_CA_CERTS && existsSync(DEV_CA_FILE)) {
    env.NODE_EXTRA_CA_CERTS = DEV_CA_FILE;
    console.log(`Trusting the cluster CAs in ${DEV_CA_FILE} (NODE_EXTRA_CA_CERTS)`);
  }
  const wrangler = join(ROOT, "node_modules", ".bin", "wrangler");
  const child = spawn(wrangler, ["dev", "--ip", "127.0.0.1", ...args], {
    cwd: ROOT,
    env,
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (import.meta.filename === resolve(process.argv[1] ?? "")) main();
