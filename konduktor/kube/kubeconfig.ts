/**
 * Kubeconfig parsing (runtime-neutral: no filesystem, no Node imports). Picks a context and
 * returns what a KubeSecrets adapter needs. `runtime` says what the caller can do:
 *  - "edge" (workerd): only data embedded in the kubeconfig; no exec plugins, auth providers,
 *    file paths, client certificates or skipping TLS verification;
 *  - "node": everything a fetch adapter on Node can do (file paths are returned for the caller to
 *    read); exec plugins and auth providers are returned as `needsClientNode` (they work with the
 *    client-node adapter only).
 * Errors name the kubeconfig field and say how to fix it; they never echo a token, key or data.
 */
import { parse, parseDocument } from "yaml";
import { base64ToBytes } from "../encoding.ts";
import { KonduktorError } from "../errors.ts";
import { validateNamespace } from "../secret.ts";
import { checkServer } from "./server-address.ts";

export type KubeRuntime = "edge" | "node";

export interface ParseKubeconfigOptions {
  /** the context to use (default: current-context) */
  context?: string;
  /** default "node" */
  runtime?: KubeRuntime;
  /**
   * "remote": the kubeconfig came from a network caller (the broker's registration API), not
   * from this machine's user. Then nothing on this host is read or run for it (file paths, exec
   * plugins and auth providers are refused on every runtime) and the server URL may not carry a
   * path. Default "local" (the Action, the CLI, scripts).
   */
  origin?: "local" | "remote";
  /**
   * Private and loopback server addresses (10/8, 172.16/12, 192.168/16, 100.64/10, 127/8,
   * localhost, fc00::/7, ::1): "allow" (default) or "refuse" (a hosted broker that must reach
   * only public API servers). Link-local and cloud metadata addresses are always refused.
   */
  privateAddresses?: "allow" | "refuse";
}

export interface ParsedKubeconfig {
  contextName: string;
  clusterName: string;
  userName: string;
  /** https://host:port (no trailing slash) */
  server: string;
  /** the context's namespace, `default` when it names none */
  namespace: string;
  /** PEM of the cluster CA (from certificate-authority-data) */
  caPem?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  /** bearer token (from `token`) */
  token?: string;
  /** client certificate and key PEM (from client-certificate-data / client-key-data) */
  clientCert?: { certPem: string; keyPem: string };
  /** node only: file paths the caller must read */
  files: {
    certificateAuthority?: string;
    clientCertificate?: string;
    clientKey?: string;
    tokenFile?: string;
  };
  proxyUrl?: string;
  /** node only: the user authenticates with an exec plugin or auth provider (client-node adapter only) */
  needsClientNode?: "exec" | "auth-provider";
}

export class KubeconfigError extends KonduktorError {
  override readonly name = "KubeconfigError";
  declare readonly code: "invalid_kubeconfig";
  /** the kubeconfig field at fault, e.g. `users[ci].user.exec` */
  readonly field: string;
  constructor(field: string, message: string) {
    super("invalid_kubeconfig", message);
    this.field = field;
  }
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function named(list: unknown, listName: string, name: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const item of list) {
    if (isObj(item) && item.name === name) {
      const inner = item[listName];
      return isObj(inner) ? inner : {};
    }
  }
  return undefined;
}

/** The cluster or user entry a context names; a KubeconfigError when the kubeconfig lacks it. */
function referenced(doc: Obj, kind: "cluster" | "user", name: string, contextName: string): Obj {
  const entry = named(doc[`${kind}s`], kind, name);
  if (!entry) {
    throw new KubeconfigError(
      `${kind}s`,
      `${kind} "${name}" (used by context "${contextName}") is not in the kubeconfig's ${kind}s: add it or fix the context`,
    );
  }
  return entry;
}

function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((i) => (isObj(i) && typeof i.name === "string" ? [i.name] : []));
}

const FLATTEN = "embed it with `kubectl config view --raw --minify --flatten --context <name>`";

function decodePem(value: string, field: string, what: string): string {
  let text: string;
  try {
    // line breaks are ignored as kubectl (Go's StdEncoding) ignores them; anything else is strict
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      base64ToBytes(value, { ignoreLineBreaks: true }),
    );
  } catch {
    throw new KubeconfigError(field, `${field} is not base64-encoded PEM: ${FLATTEN}`);
  }
  if (!text.includes("-----BEGIN ")) {
    throw new KubeconfigError(
      field,
      `${field} does not decode to a PEM ${what} (no "-----BEGIN" line): ${FLATTEN}`,
    );
  }
  return text;
}

/** A registered kubeconfig naming a file: the broker never reads its host's files for it. */
function hostFile(field: string): KubeconfigError {
  return new KubeconfigError(
    field,
    `${field} names a file on the broker's host, which the broker does not read for a registered kubeconfig: embed the content instead (${FLATTEN})`,
  );
}

/** Parses a kubeconfig YAML and picks one context. Throws `KubeconfigError`. */
export function parseKubeconfig(
  text: string,
  options: ParseKubeconfigOptions = {},
): ParsedKubeconfig {
  const runtime = options.runtime ?? "node";
  const remote = options.origin === "remote";
  const notYaml = (line: number | undefined) =>
    new KubeconfigError(
      "kubeconfig",
      `the kubeconfig is not valid YAML${line ? ` (near line ${line})` : ""}: check its indentation and quoting`,
    );
  // the parser's messages quote the offending line (maybe a token): keep only the position
  const parsed = parseDocument(text);
  if (parsed.errors.length > 0) throw notYaml(parsed.errors[0]?.linePos?.[0]?.line);
  let doc: unknown;
  try {
    doc = parsed.toJS();
  } catch {
    throw notYaml(undefined);
  }
  if (!isObj(doc)) {
    throw new KubeconfigError(
      "kubeconfig",
      "the kubeconfig is empty or not a YAML mapping: give the whole file (apiVersion, clusters, users, contexts)",
    );
  }
  const contextName = options.context ?? str(doc["current-context"]);
  if (!contextName) {
    throw new KubeconfigError(
      "current-context",
      `current-context is not set and no context was given: set it (\`kubectl config use-context <name>\`) or name a context (available: ${names(doc.contexts).join(", ") || "none"})`,
    );
  }
  const context = named(doc.contexts, "context", contextName);
  if (!context) {
    throw new KubeconfigError(
      "contexts",
      `context "${contextName}" is not in the kubeconfig (available: ${names(doc.contexts).join(", ") || "none"}): pick one of those`,
    );
  }
  const ctxField = `contexts[${contextName}].context`;
  const clusterName = str(context.cluster);
  if (!clusterName) {
    throw new KubeconfigError(
      `${ctxField}.cluster`,
      `${ctxField}.cluster is missing: name a cluster of the kubeconfig`,
    );
  }
  const userName = str(context.user) ?? "";
  const namespace = str(context.namespace) ?? "default";
  const badNamespace = validateNamespace(namespace, `${ctxField}.namespace`)[0];
  if (badNamespace) throw new KubeconfigError(badNamespace.field, badNamespace.message);
  const cluster = referenced(doc, "cluster", clusterName, contextName);
  const cField = `clusters[${clusterName}].cluster`;
  const server = checkServer(
    str(cluster.server),
    `${cField}.server`,
    { runtime, remote, privateAddresses: options.privateAddresses ?? "allow" },
    (message) => {
      throw new KubeconfigError(`${cField}.server`, message);
    },
  );

  const out: ParsedKubeconfig = {
    contextName,
    clusterName,
    userName,
    server,
    namespace,
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    files: {},
  };
  const caData = str(cluster["certificate-authority-data"]);
  if (caData) out.caPem = decodePem(caData, `${cField}.certificate-authority-data`, "certificate");
  const caFile = str(cluster["certificate-authority"]);
  if (caFile && !caData) {
    if (remote && runtime !== "edge") throw hostFile(`${cField}.certificate-authority`);
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${cField}.certificate-authority`,
        `${cField}.certificate-authority is a file path, and the edge runtime has no filesystem: use certificate-authority-data instead (${FLATTEN})`,
      );
    }
    out.files.certificateAuthority = caFile;
  }
  if (out.insecureSkipTlsVerify && runtime === "edge") {
    throw new KubeconfigError(
      `${cField}.insecure-skip-tls-verify`,
      `${cField}.insecure-skip-tls-verify cannot be honoured on the edge runtime (fetch always verifies TLS): give the cluster's CA in certificate-authority-data or use a publicly trusted certificate`,
    );
  }
  const tlsServerName = str(cluster["tls-server-name"]);
  if (tlsServerName) {
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${cField}.tls-server-name`,
        `${cField}.tls-server-name cannot be honoured on the edge runtime: use a server URL whose host name matches the certificate`,
      );
    }
    out.tlsServerName = tlsServerName;
  }
  const proxyUrl = str(cluster["proxy-url"]);
  if (proxyUrl) {
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${cField}.proxy-url`,
        `${cField}.proxy-url cannot be used on the edge runtime: reach the API server directly (or through a tunnel)`,
      );
    }
    out.proxyUrl = proxyUrl;
  }

  if (!userName) return out; // no credentials: anonymous (rarely allowed, but valid)
  const user = referenced(doc, "user", userName, contextName);
  const uField = `users[${userName}].user`;
  if (remote && runtime !== "edge") {
    for (const [key, what] of [
      ["exec", "runs a program"],
      ["auth-provider", "runs an auth provider"],
    ] as const) {
      if (user[key] !== undefined && user[key] !== null) {
        throw new KubeconfigError(
          `${uField}.${key}`,
          `${uField}.${key} ${what} on the broker's host, which the broker does not do for a registered kubeconfig: use a ServiceAccount token in ${uField}.token (\`npm run register-cluster -- --service-account\` makes one)`,
        );
      }
    }
  }
  if (user.exec !== undefined && user.exec !== null) {
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${uField}.exec`,
        `${uField}.exec runs a program to get credentials, which the edge runtime cannot do: use a ServiceAccount token (\`kubectl create token <sa>\`) in ${uField}.token`,
      );
    }
    out.needsClientNode = "exec";
  }
  if (user["auth-provider"] !== undefined && user["auth-provider"] !== null) {
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${uField}.auth-provider`,
        `${uField}.auth-provider is not supported on the edge runtime: use a ServiceAccount token in ${uField}.token`,
      );
    }
    out.needsClientNode = "auth-provider";
  }
  if (str(user.username) || str(user.password)) {
    throw new KubeconfigError(
      `${uField}.username`,
      `${uField}.username/password (basic auth) was removed from Kubernetes: use a token or a client certificate`,
    );
  }
  const token = str(user.token);
  if (token) out.token = token.trim();
  const tokenFile = str(user.tokenFile) ?? str(user["token-file"]);
  if (tokenFile && !token) {
    if (remote && runtime !== "edge") throw hostFile(`${uField}.tokenFile`);
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${uField}.tokenFile`,
        `${uField}.tokenFile is a file path, and the edge runtime has no filesystem: put the token itself in ${uField}.token`,
      );
    }
    out.files.tokenFile = tokenFile;
  }
  const certData = str(user["client-certificate-data"]);
  const keyData = str(user["client-key-data"]);
  const certFile = str(user["client-certificate"]);
  const keyFile = str(user["client-key"]);
  if (remote && runtime !== "edge" && (certFile || keyFile)) {
    throw hostFile(`${uField}.${certFile ? "client-certificate" : "client-key"}`);
  }
  if (certData || keyData || certFile || keyFile) {
    if (runtime === "edge") {
      const field =
        certData || keyData ? `${uField}.client-certificate-data` : `${uField}.client-certificate`;
      throw new KubeconfigError(
        field,
        `${field}: the edge runtime's fetch cannot present a client certificate: use a ServiceAccount token in ${uField}.token, or run on Node`,
      );
    }
    if ((certData || certFile) && !(keyData || keyFile)) {
      throw new KubeconfigError(
        `${uField}.client-key-data`,
        `${uField} has a client certificate but no client-key-data: add the certificate's private key`,
      );
    }
    if ((keyData || keyFile) && !(certData || certFile)) {
      throw new KubeconfigError(
        `${uField}.client-certificate-data`,
        `${uField} has a client key but no client-certificate-data: add the certificate`,
      );
    }
    if (certData && keyData) {
      out.clientCert = {
        certPem: decodePem(certData, `${uField}.client-certificate-data`, "certificate"),
        keyPem: decodePem(keyData, `${uField}.client-key-data`, "private key"),
      };
    } else {
      if (certData) {
        out.clientCert = {
          certPem: decodePem(certData, `${uField}.client-certificate-data`, "certificate"),
          keyPem: "",
        };
      }
      if (certFile) out.files.clientCertificate = certFile;
      if (keyFile) out.files.clientKey = keyFile;
      if (keyData) {
        out.clientCert = {
          certPem: out.clientCert?.certPem ?? "",
          keyPem: decodePem(keyData, `${uField}.client-key-data`, "private key"),
        };
      }
    }
  }
  return out;
}

/** Context names in a kubeconfig (for pickers); empty when it does not parse. */
export function kubeconfigContexts(text: string): { names: string[]; current: string | null } {
  try {
    const doc = parse(text) as unknown;
    if (!isObj(doc)) return { names: [], current: null };
    return { names: names(doc.contexts), current: str(doc["current-context"]) ?? null };
  } catch {
    return { names: [], current: null };
  }
}
