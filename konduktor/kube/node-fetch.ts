/**
 * Node only: a `fetch` that trusts a given CA, presents a client certificate or skips TLS
 * verification (undici `Agent`), and a fetch adapter built from a kubeconfig with its file paths
 * read. Kept apart from ./fetch-adapter.ts so that file stays workerd-safe.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Agent, fetch as undiciFetch } from "undici";
import { KubeError } from "./errors.ts";
import { type FetchAdapterOptions, fetchKubeSecretsFromKubeconfig } from "./fetch-adapter.ts";
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

/** Agents by a digest of their TLS settings: one connection pool per distinct setting, reused. */
const agents = new Map<string, Agent>();
/** Beyond this many distinct settings the oldest Agent is dropped (its idle sockets time out). */
const MAX_AGENTS = 256;

function agentFor(tls: NodeTlsOptions): Agent {
  // a digest, so the key material itself is never a Map key
  const key = createHash("sha256")
    .update(
      JSON.stringify([
        tls.caPem ?? null,
        tls.clientCert?.certPem ?? null,
        tls.clientCert?.keyPem ?? null,
        tls.insecure === true,
        tls.servername ?? null,
      ]),
    )
    .digest("hex");
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      connect: {
        ...(tls.caPem ? { ca: tls.caPem } : {}),
        ...(tls.clientCert ? { cert: tls.clientCert.certPem, key: tls.clientCert.keyPem } : {}),
        ...(tls.insecure ? { rejectUnauthorized: false } : {}),
        ...(tls.servername ? { servername: tls.servername } : {}),
      },
    });
    if (agents.size >= MAX_AGENTS) agents.delete(agents.keys().next().value as string);
    agents.set(key, agent);
  }
  return agent;
}

/** A Web-compatible `fetch` with these TLS settings (the connection pool is shared by same settings). */
export function nodeFetchFor(tls: NodeTlsOptions): typeof fetch {
  const dispatcher = agentFor(tls);
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
  /** "remote": a kubeconfig from a network caller (the broker's registry): no host files read */
  origin?: "local" | "remote";
  /** override the context's namespace */
  namespace?: string;
}

/** The fetch adapter on Node from a kubeconfig YAML (CA, client certificates, files, insecure). */
export async function nodeKubeSecrets(
  kubeconfigYaml: string,
  options: NodeKubeSecretsOptions = {},
): Promise<KubeSecrets> {
  const { origin, ...adapterOptions } = options;
  const parsed = parseKubeconfig(kubeconfigYaml, {
    context: options.context,
    runtime: "node",
    ...(origin ? { origin } : {}),
  });
  if (parsed.proxyUrl) {
    throw new KubeError({
      code: "unsupported",
      cluster: options.cluster ?? parsed.clusterName,
      message: `the kubeconfig's cluster "${parsed.clusterName}" uses proxy-url, which the fetch adapter does not support: use the client-node adapter`,
    });
  }
  const config = await resolveKubeconfigFiles(parsed);
  return fetchKubeSecretsFromKubeconfig(config, {
    ...adapterOptions,
    fetch: nodeFetchFor({
      caPem: config.caPem,
      clientCert: config.clientCert,
      insecure: config.insecureSkipTlsVerify,
      servername: config.tlsServerName,
    }),
  });
}
