/**
 * Node only: a `fetch` that trusts a given CA, presents a client certificate or skips TLS
 * verification (undici `Agent`), and a fetch adapter built from a kubeconfig with its file paths
 * read. Kept apart from ./fetch-adapter.ts so that file stays workerd-safe.
 */
import { readFile } from "node:fs/promises";
import { Agent, fetch as undiciFetch } from "undici";
import { KubeError } from "./errors.ts";
import { createFetchKubeSecrets, type FetchAdapterOptions } from "./fetch-adapter.ts";
import { KubeconfigError, type ParsedKubeconfig, parseKubeconfig } from "./kubeconfig.ts";
import type { KubeSecrets } from "./port.ts";

export interface NodeTlsOptions {
  /** PEM of the CA(s) to trust instead of the system roots */
  caPem?: string;
  clientCert?: { certPem: string; keyPem: string };
  insecure?: boolean;
  /** SNI / certificate host name override (kubeconfig `tls-server-name`) */
  servername?: string;
}

/** A Web-compatible `fetch` with these TLS settings (one connection pool per call of this function). */
export function nodeFetchFor(tls: NodeTlsOptions): typeof fetch {
  const dispatcher = new Agent({
    connect: {
      ...(tls.caPem ? { ca: tls.caPem } : {}),
      ...(tls.clientCert ? { cert: tls.clientCert.certPem, key: tls.clientCert.keyPem } : {}),
      ...(tls.insecure ? { rejectUnauthorized: false } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
    },
  });
  return ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as string, {
      ...(init as object),
      dispatcher,
    })) as unknown as typeof fetch;
}

async function readText(path: string, field: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    throw new KubeconfigError(
      field,
      `${field}: the file it names cannot be read: check the path and its permissions`,
    );
  }
}

/** Reads the files a parsed kubeconfig names (CA, client certificate/key, token file). */
export async function resolveKubeconfigFiles(config: ParsedKubeconfig): Promise<ParsedKubeconfig> {
  const out: ParsedKubeconfig = { ...config, files: {} };
  const cField = `clusters[${config.clusterName}].cluster`;
  const uField = `users[${config.userName}].user`;
  if (config.files.certificateAuthority) {
    out.caPem = await readText(
      config.files.certificateAuthority,
      `${cField}.certificate-authority`,
    );
  }
  if (config.files.tokenFile) {
    out.token = (await readText(config.files.tokenFile, `${uField}.tokenFile`)).trim();
  }
  if (config.files.clientCertificate || config.files.clientKey) {
    out.clientCert = {
      certPem: config.files.clientCertificate
        ? await readText(config.files.clientCertificate, `${uField}.client-certificate`)
        : (config.clientCert?.certPem ?? ""),
      keyPem: config.files.clientKey
        ? await readText(config.files.clientKey, `${uField}.client-key`)
        : (config.clientCert?.keyPem ?? ""),
    };
  }
  return out;
}

export interface NodeKubeSecretsOptions
  extends Omit<FetchAdapterOptions, "server" | "namespace" | "token" | "fetch"> {
  context?: string;
  /** override the context's namespace */
  namespace?: string;
}

/** The fetch adapter on Node from a kubeconfig YAML (CA, client certificates, files, insecure). */
export async function nodeKubeSecrets(
  kubeconfigYaml: string,
  options: NodeKubeSecretsOptions = {},
): Promise<KubeSecrets> {
  const parsed = parseKubeconfig(kubeconfigYaml, { context: options.context, runtime: "node" });
  const cluster = options.cluster ?? parsed.clusterName;
  if (parsed.needsClientNode) {
    throw new KubeError({
      code: "unsupported",
      cluster,
      message: `the kubeconfig's user "${parsed.userName}" authenticates with ${parsed.needsClientNode === "exec" ? "an exec plugin" : "an auth provider"}, which the fetch adapter cannot run: use the client-node adapter`,
    });
  }
  if (parsed.proxyUrl) {
    throw new KubeError({
      code: "unsupported",
      cluster,
      message: `the kubeconfig's cluster "${parsed.clusterName}" uses proxy-url, which the fetch adapter does not support: use the client-node adapter`,
    });
  }
  const config = await resolveKubeconfigFiles(parsed);
  return createFetchKubeSecrets({
    ...options,
    cluster,
    server: config.server,
    namespace: options.namespace ?? config.namespace,
    token: config.token,
    fetch: nodeFetchFor({
      caPem: config.caPem,
      clientCert: config.clientCert,
      insecure: config.insecureSkipTlsVerify,
      servername: config.tlsServerName,
    }),
  });
}
