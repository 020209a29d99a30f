/**
 * `npm run register-cluster -- <name> [--context <ctx>] [--url <broker>] [--service-account [--sa-name <sa>] [--token-days N]]`
 *
 * Registers a kubeconfig context (default, as Konduktor picks it: the first of
 * `kubernetes.allowed_contexts` in ~/.konduktor/config.yaml, else the current one of $KUBECONFIG or
 * ~/.kube/config; the output says which) with
 * the broker as cluster <name>, using the admin token from $ADMIN_TOKEN or .dev.vars, then prints
 * the cluster's health (reachable, version, what the credential may do with Secrets); it exits 1
 * with the broker's reason when the cluster is not usable (unreachable, TLS not trusted, no such
 * namespace, missing rights).
 *
 * Every file in $KUBECONFIG is read and merged as kubectl does (the first file to name a cluster,
 * user or context, or to set current-context, wins). The context is flattened first (files it
 * names are read into *-data fields), so only that one context leaves this machine. The admin token
 * goes to the broker, so `--url` must be https: unless it is a loopback address. A cluster CA is also added to .wrangler/dev-extra-ca.pem, which
 * `npm run dev` gives workerd (restart it when this says the CA is new).
 *
 * `--service-account` (ServiceAccount name `konduktor-broker`, or `--sa-name <sa>`) registers a ServiceAccount token
 * instead of the context's own credential: for contexts that use a client certificate or an exec
 * plugin, which the broker cannot use on workerd (see ./service-account.ts). `--token-days N`
 * sets that token's lifetime (default 365; the cluster may cap it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { rootCertificates, connect as tlsConnect } from "node:tls";
import { parseArgs } from "node:util";
import { CliError } from "../cli/errors.ts";
import { flattenContext, kubeconfigPaths, mergeKubeconfigs } from "../cli/kubeconfig-files.ts";
import { readKonduktorConfig } from "../konduktor/kube/konduktor-config.ts";
import { KubeconfigError } from "../konduktor/kube/kubeconfig.ts";
import {
  type ContextChoice,
  chooseContext,
  describeChoice,
  konduktorAllowedContexts,
} from "../konduktor/kube/kubeconfig-context.ts";
import { DEV_CA_FILE, readDevVars } from "./dev.ts";
import { serviceAccountKubeconfig } from "./service-account.ts";

type Obj = Record<string, unknown>;

function fail(message: string): never {
  console.error(`register-cluster: ${message}`);
  process.exit(1);
}

/** Runs a step of the CLI's kubeconfig reader; its refusal ends the script with its message. */
function cliStep<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof CliError) fail(error.message);
    throw error;
  }
}

const USAGE =
  "usage: npm run register-cluster -- <name> [--context <ctx>] [--url <broker url>] [--service-account [--sa-name <sa>] [--token-days N]]";

/** The context to register when --context is not given: Konduktor's rule (see kubeconfig-context.ts). */
export function contextToRegister(
  kubeconfigYaml: string,
  given: string | undefined,
  konduktorConfig: string | null,
): ContextChoice {
  try {
    return chooseContext(kubeconfigYaml, {
      ...(given ? { context: given } : {}),
      allowedContexts: konduktorAllowedContexts(konduktorConfig),
    });
  } catch (error) {
    if (error instanceof KubeconfigError) fail(error.message);
    throw error;
  }
}

/**
 * The health line, and whether the cluster is usable. `caAdded`: this run added the cluster's CA
 * to the dev CA file, which workerd reads only when it starts.
 */
export function healthReport(
  h: Obj,
  caAdded: boolean,
  tls: string | null = null,
): { ok: boolean; line: string } {
  if (h.ok === true) {
    return {
      ok: true,
      line: `health: reachable, ${String(h.version)}, may get/list/create/update/patch/delete Secrets in ${String(h.namespace)}`,
    };
  }
  const error = h.error as { code?: string; message?: string } | undefined;
  const cause =
    error?.message ??
    `the credential may not ${((h.missing as string[] | undefined) ?? []).join(", ")} Secrets in ${String(h.namespace)}`;
  const restart =
    h.reachable === false && (caAdded || tls)
      ? `\n${tls ? `Cause: ${tls}. ` : ""}The cluster's CA is in ${DEV_CA_FILE}${caAdded ? " (added now)" : ""}: restart \`npm run dev\` (workerd reads it at start), then run this again.`
      : "";
  return {
    ok: false,
    line: `health: ${h.reachable ? "reachable" : "NOT reachable"}${h.version ? `, ${String(h.version)}` : ""}: ${cause}${restart}`,
  };
}

/**
 * workerd does not tell the broker why a TLS handshake failed (its fetch says "network error"):
 * try the handshake from here, trusting only what workerd trusts by default, and name the TLS
 * error, if that is what it is. Null when the handshake works or fails otherwise.
 */
export async function tlsCause(server: string, timeoutMs = 5_000): Promise<string | null> {
  const url = new URL(server);
  if (url.protocol !== "https:") return null;
  return await new Promise((done) => {
    const socket = tlsConnect({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || 443),
      servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
      // the public roots only (not this process's NODE_EXTRA_CA_CERTS): "without the cluster's CA"
      ca: [...rootCertificates],
      timeout: timeoutMs,
    });
    const finish = (cause: string | null) => {
      socket.destroy();
      done(cause);
    };
    socket.once("secureConnect", () => finish(null));
    socket.once("timeout", () => finish(null));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      finish(
        error.code && /CERT|VERIFY|SIGNATURE|ISSUER|SSL|TLS/.test(error.code)
          ? `the TLS handshake with ${url.host} fails without the cluster's CA (${error.code})`
          : null,
      ),
    );
  });
}

/** Refuses to send the admin token in clear text to another machine. */
export function checkBrokerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(`--url ${raw} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(`--url must be http(s): ${raw}`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (url.protocol === "http:" && !loopback) {
    fail(
      `refusing to send the admin token in clear text to ${url.host}: use https:// (http: only for loopback)`,
    );
  }
  return raw.replace(/\/+$/, "");
}

/** The JSON body of a broker answer, or a clear failure when it is not JSON. */
async function jsonBody(res: Response, what: string): Promise<Obj> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === "object") return body as Obj;
  } catch {
    // not JSON
  }
  fail(
    `${what}: HTTP ${res.status} with a body that is not a JSON object (is this the broker?): ${text.slice(0, 200)}`,
  );
}

function parseCli(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      context: { type: "string" },
      url: { type: "string" },
      "service-account": { type: "boolean" },
      "sa-name": { type: "string" },
      "token-days": { type: "string" },
    },
  });
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) fail(USAGE);
  const name = positionals[0] as string;
  const contextName = values.context;
  const url = checkBrokerUrl(values.url ?? process.env.BROKER_URL ?? "http://127.0.0.1:8787");
  const tokenDays = Number(values["token-days"] ?? "365");
  if (!Number.isInteger(tokenDays) || tokenDays < 1 || tokenDays > 3650) {
    fail("--token-days must be a whole number of days from 1 to 3650");
  }
  const saName = values["sa-name"];
  const serviceAccount =
    values["service-account"] || saName ? (saName ?? "konduktor-broker") : undefined;
  const paths = cliStep(() => kubeconfigPaths(undefined));
  const path = paths[0] as string;
  const adminToken = process.env.ADMIN_TOKEN ?? readDevVars().ADMIN_TOKEN;
  if (!adminToken)
    fail("no admin token: set ADMIN_TOKEN or run `npm run dev` once to create .dev.vars");
  let yaml: string;
  let context: string;
  let caPem: string | null;
  // merged as kubectl does, file paths made absolute (cli/kubeconfig-files.ts)
  const kubeconfigText = cliStep(() => mergeKubeconfigs(paths));
  const choice = contextToRegister(kubeconfigText, contextName, readKonduktorConfig());
  if (serviceAccount) {
    // one file as is; a list merged (with absolute paths) into a private temporary file
    const tmp = paths.length > 1 ? mkdtempSync(join(tmpdir(), "register-cluster-")) : undefined;
    const saPath = tmp ? join(tmp, "kubeconfig") : path;
    if (tmp) writeFileSync(saPath, mergeKubeconfigs(paths), { mode: 0o600 });
    try {
      const sa = await serviceAccountKubeconfig(saPath, {
        context: choice.context,
        name: serviceAccount,
        expirationSeconds: tokenDays * 86_400,
      });
      ({ yaml, context, caPem } = sa);
      console.log(
        `created ServiceAccount ${sa.namespace}/${sa.serviceAccount} (Secrets in ${sa.namespace} only); its token expires ${sa.expiresAt ?? "when the cluster says"}`,
      );
    } catch (error) {
      fail((error as Error).message);
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  } else {
    ({ yaml, context, caPem } = cliStep(() => flattenContext(kubeconfigText, choice.context)));
  }

  const headers = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
  let res: Response;
  try {
    res = await fetch(`${url}/v1/clusters/${encodeURIComponent(name)}`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ kubeconfig: yaml, context }),
    });
  } catch {
    fail(`cannot reach the broker at ${url}: is \`npm run dev\` running?`);
  }
  const body = await jsonBody(res, `PUT ${url}/v1/clusters/${name}`);
  if (!res.ok) {
    const hint =
      body.code === "invalid_kubeconfig" && !serviceAccount
        ? "\nTip: add --service-account to register a ServiceAccount token made with this context instead (for client certificates and exec plugins such as EKS, GKE, kind, minikube)."
        : "";
    fail(`HTTP ${res.status}: ${String(body.detail ?? JSON.stringify(body))}${hint}`);
  }
  console.log(
    `registered cluster "${name}" (${describeChoice({ ...choice, context })}): ${String(body.server)}, namespace ${String(body.namespace)}`,
  );

  let caAdded = false;
  if (caPem) {
    const existing = existsSync(DEV_CA_FILE) ? readFileSync(DEV_CA_FILE, "utf8") : "";
    if (!existing.includes(caPem.trim())) {
      mkdirSync(dirname(DEV_CA_FILE), { recursive: true });
      writeFileSync(
        DEV_CA_FILE,
        `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}${caPem.trim()}\n`,
      );
      caAdded = true;
      console.log(`added the cluster's CA to ${DEV_CA_FILE} (\`npm run dev\` trusts it)`);
    }
  }
  const health = await fetch(`${url}/v1/clusters/${encodeURIComponent(name)}/health`, { headers });
  const h = await jsonBody(health, `GET ${url}/v1/clusters/${name}/health`);
  const tls =
    h.reachable === false && caPem && typeof h.server === "string"
      ? await tlsCause(h.server)
      : null;
  const report = healthReport(h, caAdded, tls);
  if (!report.ok) fail(report.line);
  console.log(report.line);
}

if (import.meta.filename === resolve(process.argv[1] ?? "")) await main();
