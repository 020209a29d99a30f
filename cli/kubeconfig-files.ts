/**
 * Kubeconfig files as kubectl reads them, for direct mode and `cluster add`: the files of
 * `--kubeconfig` (or `$KUBECONFIG`, a path list; else ~/.kube/config) merged the kubectl way (the
 * first file to name a cluster, user or context, or to set current-context, wins), file paths made
 * absolute relative to the file that names them; and one context flattened into a self-contained
 * kubeconfig (files read into `*-data`), which is all `cluster add` sends to the broker.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { allowedContextsIn } from "../konduktor/kube/konduktor-config.ts";
import { KubeconfigError } from "../konduktor/kube/kubeconfig.ts";
import { chooseContext } from "../konduktor/kube/kubeconfig-context.ts";
import { mergeKubeconfigFiles } from "../konduktor/kube/kubeconfig-merge.ts";
import type { Env } from "./config.ts";
import { CliError, usage } from "./errors.ts";

type Obj = Record<string, unknown>;

function byName(list: unknown, name: string): Obj | undefined {
  return Array.isArray(list)
    ? (list as Obj[]).find((e) => e && typeof e === "object" && e.name === name)
    : undefined;
}

/** The kubeconfig files to read: `--kubeconfig` (a path list), else $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPaths(flag: string | undefined, env: Env = process.env): string[] {
  const listed = (flag ?? env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  if (listed.length === 0) {
    const path = resolve(env.HOME ?? homedir(), ".kube/config");
    if (!existsSync(path)) {
      throw usage(`no kubeconfig: ${path} does not exist (set KUBECONFIG or pass --kubeconfig)`);
    }
    return [path];
  }
  const paths = [...new Set(listed.map((p) => resolve(p)))];
  if (flag !== undefined) {
    const missing = paths.filter((p) => !existsSync(p));
    if (missing.length) throw usage(`--kubeconfig: ${missing.join(", ")} does not exist`);
  }
  const found = paths.filter((p) => existsSync(p));
  if (found.length === 0) throw usage(`no kubeconfig: none of ${paths.join(", ")} exists`);
  return found;
}

/** The merged kubeconfig YAML of `paths`, as kubectl merges them (konduktor/kube/kubeconfig-merge.ts). */
export function mergeKubeconfigs(paths: readonly string[]): string {
  const files = paths.map((path) => {
    try {
      return { path, text: readFileSync(path, "utf8") };
    } catch {
      throw usage(`${path} cannot be read: check the path and its permissions`);
    }
  });
  try {
    return mergeKubeconfigFiles(files, (file, p) =>
      isAbsolute(p) ? p : resolve(dirname(file), p),
    );
  } catch (error) {
    if (error instanceof KubeconfigError) throw usage(error.message);
    throw error;
  }
}

function fileToData(entry: Obj, fileKey: string, dataKey: string): void {
  const path = entry[fileKey];
  if (typeof path === "string" && !entry[dataKey]) {
    try {
      entry[dataKey] = readFileSync(path).toString("base64");
    } catch {
      throw new CliError(`the kubeconfig names ${fileKey} ${path}, which cannot be read`);
    }
    delete entry[fileKey];
  }
}

/**
 * The context to use when none is named, by Konduktor's rule (the first of
 * `kubernetes.allowed_contexts` in ~/.konduktor/config.yaml, else current-context).
 */
export function defaultContext(kubeconfig: string, env: Env): string {
  try {
    return chooseContext(kubeconfig, { allowedContexts: allowedContextsIn(env.HOME) }).context;
  } catch (error) {
    if (error instanceof KubeconfigError) throw usage(error.message);
    throw error;
  }
}

/**
 * One context of a merged kubeconfig as a self-contained kubeconfig (like `kubectl config view
 * --minify --flatten --raw`), with its CA as PEM when it has one.
 */
export function flattenContext(
  text: string,
  contextName?: string,
): { yaml: string; context: string; namespace: string; caPem: string | null } {
  const doc = parse(text) as Obj;
  const name = contextName ?? defaultContext(text, process.env);
  const ctx = byName(doc.contexts, name);
  if (!ctx) throw usage(`context "${name}" is not in the kubeconfig`);
  const c = (ctx.context ?? {}) as Obj;
  const cluster = structuredClone(byName(doc.clusters, String(c.cluster))) as Obj | undefined;
  if (!cluster) {
    throw usage(`cluster "${String(c.cluster)}" of context "${name}" is not in the kubeconfig`);
  }
  const user = c.user ? (structuredClone(byName(doc.users, String(c.user))) as Obj) : undefined;
  const clusterBody = (cluster.cluster ?? {}) as Obj;
  fileToData(clusterBody, "certificate-authority", "certificate-authority-data");
  if (user?.user) {
    const u = user.user as Obj;
    fileToData(u, "client-certificate", "client-certificate-data");
    fileToData(u, "client-key", "client-key-data");
    const tokenFile = u.tokenFile ?? u["token-file"];
    if (typeof tokenFile === "string" && !u.token) {
      try {
        u.token = readFileSync(tokenFile, "utf8").trim();
      } catch {
        throw new CliError(`the kubeconfig names tokenFile ${tokenFile}, which cannot be read`);
      }
      delete u.tokenFile;
      delete u["token-file"];
    }
  }
  const ca = clusterBody["certificate-authority-data"];
  return {
    context: name,
    namespace: typeof c.namespace === "string" && c.namespace ? c.namespace : "default",
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
