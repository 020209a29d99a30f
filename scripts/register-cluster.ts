/**
 * `npm run register-cluster -- <name> [--context <ctx>] [--url <broker>] [--service-account [--sa-name <sa>] [--token-days N]]`
 *
 * Registers a kubeconfig context (default: the current one of $KUBECONFIG or ~/.kube/config) with
 * the broker as cluster <name>, using the admin token from $ADMIN_TOKEN or .dev.vars, then prints
 * the cluster's health (reachable, version, what the credential may do with Secrets).
 *
 * The context is flattened first (files it names are read into *-data fields), so only that one
 * context leaves this machine. A cluster CA is also added to .wrangler/dev-extra-ca.pem, which
 * `npm run dev` gives workerd (restart it when this says the CA is new).
 *
 * `--service-account` (ServiceAccount name `konduktor-broker`, or `--sa-name <sa>`) registers a ServiceAccount token
 * instead of the context's own credential: for contexts that use a client certificate or an exec
 * plugin, which the broker cannot use on workerd (see ./service-account.ts). `--token-days N`
 * sets that token's lifetime (default 365; the cluster may cap it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { DEV_CA_FILE, readDevVars } from "./dev.ts";
import { serviceAccountKubeconfig } from "./service-account.ts";

type Obj = Record<string, unknown>;

function fail(message: string): never {
  console.error(`register-cluster: ${message}`);
  process.exit(1);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (!value) fail(`${name} needs a value`);
  args.splice(i, 2);
  return value;
}

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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const contextName = option(args, "--context");
  const url = (option(args, "--url") ?? process.env.BROKER_URL ?? "http://127.0.0.1:8787").replace(
    /\/+$/,
    "",
  );
  const tokenDays = Number(option(args, "--token-days") ?? "365");
  if (!Number.isInteger(tokenDays) || tokenDays < 1 || tokenDays > 3650) {
    fail("--token-days must be a whole number of days from 1 to 3650");
  }
  const saName = option(args, "--sa-name");
  const saFlag = args.indexOf("--service-account");
  if (saFlag >= 0) args.splice(saFlag, 1);
  const serviceAccount = saFlag >= 0 || saName ? (saName ?? "konduktor-broker") : undefined;
  const name = args[0];
  if (!name) {
    fail(
      "usage: npm run register-cluster -- <name> [--context <ctx>] [--url <broker url>] [--service-account [--sa-name <sa>] [--token-days N]]",
    );
  }
  const path =
    (process.env.KUBECONFIG ?? "").split(":").find(Boolean) ?? resolve(homedir(), ".kube/config");
  if (!existsSync(path)) fail(`no kubeconfig at ${path} (set KUBECONFIG)`);
  const adminToken = process.env.ADMIN_TOKEN ?? readDevVars().ADMIN_TOKEN;
  if (!adminToken)
    fail("no admin token: set ADMIN_TOKEN or run `npm run dev` once to create .dev.vars");
  let yaml: string;
  let context: string;
  let caPem: string | null;
  if (serviceAccount) {
    try {
      const sa = await serviceAccountKubeconfig(path, {
        context: contextName,
        name: serviceAccount,
        expirationSeconds: tokenDays * 86_400,
      });
      ({ yaml, context, caPem } = sa);
      console.log(
        `created ServiceAccount ${sa.namespace}/${sa.serviceAccount} (Secrets in ${sa.namespace} only); its token expires ${sa.expiresAt ?? "when the cluster says"}`,
      );
    } catch (error) {
      fail((error as Error).message);
    }
  } else {
    ({ yaml, context, caPem } = flattenContext(
      readFileSync(path, "utf8"),
      dirname(path),
      contextName,
    ));
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
  const body = (await res.json()) as Obj;
  if (!res.ok) {
    const hint =
      body.code === "invalid_kubeconfig" && !serviceAccount
        ? "\nTip: add --service-account to register a ServiceAccount token made with this context instead (for client certificates and exec plugins such as EKS, GKE, kind, minikube)."
        : "";
    fail(`HTTP ${res.status}: ${String(body.detail ?? JSON.stringify(body))}${hint}`);
  }
  console.log(
    `registered cluster "${name}" (context ${context}): ${String(body.server)}, namespace ${String(body.namespace)}`,
  );

  if (caPem) {
    const existing = existsSync(DEV_CA_FILE) ? readFileSync(DEV_CA_FILE, "utf8") : "";
    if (!existing.includes(caPem.trim())) {
      mkdirSync(dirname(DEV_CA_FILE), { recursive: true });
      writeFileSync(
        DEV_CA_FILE,
        `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}${caPem.trim()}\n`,
      );
      console.log(
        `added the cluster's CA to ${DEV_CA_FILE}: restart \`npm run dev\` so workerd trusts it`,
      );
    }
  }
  const health = await fetch(`${url}/v1/clusters/${encodeURIComponent(name)}/health`, { headers });
  const h = (await health.json()) as Obj;
  console.log(
    h.ok
      ? `health: reachable, ${String(h.version)}, may get/list/create/update/patch/delete Secrets in ${String(h.namespace)}`
      : `health: ${h.reachable ? "reachable" : "NOT reachable"}${h.version ? `, ${String(h.version)}` : ""}; ${
          (h.error as Obj | undefined)?.message ?? `may not: ${(h.missing as string[]).join(", ")}`
        }`,
  );
}

if (import.meta.filename === resolve(process.argv[1] ?? "")) await main();
