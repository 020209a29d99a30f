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
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { rootCertificates, connect as tlsConnect } from "node:tls";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
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

const USAGE =
  "usage: npm run register-cluster -- <name> [--context <ctx>] [--url <broker url>] [--service-account [--sa-name <sa>] [--token-days N]]";

function byName(list: unknown, name: string): Obj | undefined {
  return Array.isArray(list)
    ? (list as Obj[]).find((e) => e && typeof e === "object" && e.name === name)
    : undefined;
}

function fileToData(entry: Obj, fileKey: string, dataKey: string, base: string): void {
  const path = entry[fileKey];
  if (typeof path === "string" && !entry[dataKey]) {
    entry[dataKey] = readFileSync(resolve(base, path)).toString("base64");
    delete entry[fileKey];
  }
}

/** Makes the file paths in one kubeconfig's entries absolute (relative to that file, as kubectl does). */
function absolutize(doc: Obj, base: string): void {
  const fix = (entry: unknown, keys: string[]) => {
    if (!entry || typeof entry !== "object") return;
    const e = entry as Obj;
    for (const k of keys) {
      const v = e[k];
      if (typeof v === "string" && v && !isAbsolute(v)) e[k] = resolve(base, v);
    }
  };
  for (const c of Array.isArray(doc.clusters) ? (doc.clusters as Obj[]) : []) {
    fix(c?.cluster, ["certificate-authority"]);
  }
  for (const u of Array.isArray(doc.users) ? (doc.users as Obj[]) : []) {
    fix(u?.user, ["client-certificate", "client-key", "tokenFile", "token-file"]);
  }
}

/** The kubeconfig files kubectl reads: every entry of $KUBECONFIG that exists, else ~/.kube/config. */
export function kubeconfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  if (listed.length === 0) return [resolve(homedir(), ".kube/config")];
  return [...new Set(listed.map((p) => resolve(p)))].filter((p) => existsSync(p));
}

/** Merges kubeconfig files as kubectl does (first one wins per name and for current-context), with absolute file paths. */
export function mergeKubeconfigs(paths: string[]): string {
  const merged: Obj = { apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [] };
  for (const path of paths) {
    const doc = (parse(readFileSync(path, "utf8")) ?? {}) as Obj;
    if (typeof doc !== "object") fail(`${path} is not a kubeconfig`);
    absolutize(doc, dirname(path));
    if (!merged["current-context"] && doc["current-context"]) {
      merged["current-context"] = doc["current-context"];
    }
    for (const key of ["clusters", "users", "contexts"] as const) {
      const into = merged[key] as Obj[];
      for (const e of Array.isArray(doc[key]) ? (doc[key] as Obj[]) : []) {
        if (e && typeof e === "object" && !byName(into, String(e.name))) into.push(e);
      }
    }
  }
  return stringify(merged);
}

/** Konduktor's config (`~/.konduktor/config.yaml`), or null when there is none. */
function readKonduktorConfig(home = homedir()): string | null {
  const path = join(home, ".konduktor", "config.yaml");
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

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

/** One context of a kubeconfig as a self-contained kubeconfig (like `kubectl config view --minify --flatten --raw`). */
export function flattenContext(
  text: string,
  base: string,
  contextName?: string,
): { yaml: string; context: string; caPem: string | null } {
  const doc = parse(text) as Obj;
  const name = contextName ?? (doc["current-context"] as string | undefined);
  if (!name) fail("the kubeconfig has no current-context: pass --context <name>");
  const ctx = byName(doc.contexts, name);
  if (!ctx) fail(`context "${name}" is not in the kubeconfig`);
  const c = ctx.context as Obj;
  const cluster = structuredClone(byName(doc.clusters, String(c.cluster))) as Obj | undefined;
  if (!cluster)
    fail(`cluster "${String(c.cluster)}" of context "${name}" is not in the kubeconfig`);
  const user = c.user
    ? (structuredClone(byName(doc.users, String(c.user))) as Obj | undefined)
    : undefined;
  const clusterBody = cluster.cluster as Obj;
  fileToData(clusterBody, "certificate-authority", "certificate-authority-data", base);
  if (user) {
    const u = user.user as Obj;
    fileToData(u, "client-certificate", "client-certificate-data", base);
    fileToData(u, "client-key", "client-key-data", base);
    const tokenFile = u.tokenFile ?? u["token-file"];
    if (typeof tokenFile === "string" && !u.token) {
      u.token = readFileSync(resolve(base, tokenFile), "utf8").trim();
      delete u.tokenFile;
      delete u["token-file"];
    }
  }
  const ca = clusterBody["certificate-authority-data"];
  return {
    context: name,
    caPem: typeof ca === "string" ? Buffer.from(ca, "base64").toString("utf8") : null,
    yaml: stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [cluster],
      users: user ? [user] : [],
      contexts: [ctx],
      "current-context": name,
    }),
  };
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
  const paths = kubeconfigPaths();
  if (paths.length === 0) fail(`no kubeconfig in KUBECONFIG=${process.env.KUBECONFIG}`);
  const path = paths[0] as string;
  if (!existsSync(path)) fail(`no kubeconfig at ${path} (set KUBECONFIG)`);
  const adminToken = process.env.ADMIN_TOKEN ?? readDevVars().ADMIN_TOKEN;
  if (!adminToken)
    fail("no admin token: set ADMIN_TOKEN or run `npm run dev` once to create .dev.vars");
  let yaml: string;
  let context: string;
  let caPem: string | null;
  const kubeconfigText = paths.length > 1 ? mergeKubeconfigs(paths) : readFileSync(path, "utf8");
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
    ({ yaml, context, caPem } = flattenContext(kubeconfigText, dirname(path), choice.context));
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
