/**
 * Node only: a `fetch` that trusts a given CA, presents a client certificate or skips TLS
 * verification, and a fetch adapter built from a kubeconfig with its file paths read. Kept apart
 * from ./fetch-adapter.ts so that file stays workerd-safe.
 *
 * The `fetch` is Node's own `https` (an `Agent` per TLS setting, keep-alive: one connection pool
 * per setting, reused): it is already in the runtime, where undici
 * (the npm package, for its `Agent`) cost the Action ~750 KB and tens of milliseconds to load on
 * every run. docs/decisions/0017-action-start-up.md.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Agent as HttpAgent, IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { KubeError } from "./errors.ts";
import {
  type FetchAdapterOptions,
  fetchKubeSecretsFromKubeconfig,
  type KubeAnswer,
  type KubeFetch,
} from "./fetch-adapter.ts";
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
const agents = new Map<string, HttpsAgent>();
/** Beyond this many distinct settings the oldest Agent is dropped (its idle sockets closed). */
const MAX_AGENTS = 256;
/**
 * For a kubeconfig whose server is plain http:// (no TLS settings apply). Loaded on first use:
 * importing `node:http` as an ES module reads all its exports, and some of them (WebSocket, …)
 * load Node's whole fetch implementation, ~10 ms of every Action run that never needs it.
 */
let plain: Promise<{ request: typeof import("node:http").request; agent: HttpAgent }> | undefined;
const plainHttp = () => {
  plain ??= import("node:http").then((http) => ({
    request: http.request,
    agent: new http.Agent({ keepAlive: true }),
  }));
  return plain;
};

function agentFor(tls: NodeTlsOptions): HttpsAgent {
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
    agent = new HttpsAgent({
      keepAlive: true,
      ...(tls.caPem ? { ca: tls.caPem } : {}),
      ...(tls.clientCert ? { cert: tls.clientCert.certPem, key: tls.clientCert.keyPem } : {}),
      ...(tls.insecure ? { rejectUnauthorized: false } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
    });
    if (agents.size >= MAX_AGENTS) {
      const oldest = agents.keys().next().value as string;
      agents.get(oldest)?.destroy();
      agents.delete(oldest);
    }
    agents.set(key, agent);
  }
  return agent;
}

/** An answer read whole: what the fetch adapter reads (status, a header, the text). */
class NodeAnswer implements KubeAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  private readonly body: Buffer;
  constructor(res: IncomingMessage, body: Buffer) {
    this.status = res.statusCode ?? 0;
    const raw = res.headers;
    this.headers = {
      get: (name) => {
        const value = raw[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    };
    this.body = body;
  }
  async text(): Promise<string> {
    return this.body.toString("utf8");
  }
}

/**
 * The fetch adapter's `fetch` (a `KubeFetch`) with these TLS settings; the connection pool is
 * shared by same settings. Method, headers, a string body, a signal (abort destroys the socket:
 * nothing more is sent), no redirect followed; the answer is read whole. It answers with a small
 * object of its own rather than a Web `Response`: building the first `Response` or `Headers`
 * loads Node's fetch implementation, ~25 ms of every Action run. Network errors are Node's own
 * (`code` ECONNREFUSED, a TLS code, …), an abort is the signal's reason (a `TimeoutError` at the
 * deadline): ./network-errors.ts reads both.
 */
export function nodeFetchFor(tls: NodeTlsOptions): KubeFetch {
  const agent = agentFor(tls);
  return async (input, init) => {
    const url = new URL(input);
    const https = url.protocol === "https:";
    const transport = https ? { request: httpsRequest, agent } : await plainHttp();
    return await new Promise<KubeAnswer>((resolve, reject) => {
      const { signal, body } = init;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const headers = { ...init.headers };
      // always framed: Node sends a DELETE's body unframed otherwise, and the bytes left on a
      // kept-alive connection would be read as the start of the next request
      if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
      const req = transport.request(url, {
        method: init.method,
        headers,
        agent: transport.agent,
      });
      const onAbort = () => req.destroy(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      const fail = (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      };
      req.on("error", fail);
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", fail);
        // destroyed mid-answer (the deadline, a reset): never a truncated body
        res.on("close", () => {
          if (!res.complete) {
            fail(
              signal.aborted
                ? signal.reason
                : Object.assign(new Error("the connection closed before the answer ended"), {
                    code: "ECONNRESET",
                  }),
            );
          }
        });
        res.on("end", () => {
          signal.removeEventListener("abort", onAbort);
          resolve(new NodeAnswer(res, Buffer.concat(chunks)));
        });
      });
      req.end(body);
    });
  };
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

/**
 * A kubeconfig parsed for the fetch adapter on Node (its context, the checks of `origin`); refused
 * when its cluster needs a proxy, which only the client-node adapter supports.
 */
export function parseForNode(
  kubeconfigYaml: string,
  options: Pick<NodeKubeSecretsOptions, "context" | "origin" | "cluster"> = {},
): ParsedKubeconfig {
  const parsed = parseKubeconfig(kubeconfigYaml, {
    context: options.context,
    runtime: "node",
    ...(options.origin ? { origin: options.origin } : {}),
  });
  if (parsed.proxyUrl) {
    throw new KubeError({
      code: "unsupported",
      cluster: options.cluster ?? parsed.clusterName,
      message: `the kubeconfig's cluster "${parsed.clusterName}" uses proxy-url, which the fetch adapter does not support: use the client-node adapter`,
    });
  }
  return parsed;
}

/** The fetch adapter on Node from a parsed kubeconfig (its files read now, when it names any). */
export async function nodeKubeSecretsFromParsed(
  parsed: ParsedKubeconfig,
  options: Omit<NodeKubeSecretsOptions, "context" | "origin"> = {},
): Promise<KubeSecrets> {
  const config = await resolveKubeconfigFiles(parsed);
  return fetchKubeSecretsFromKubeconfig(config, {
    ...options,
    fetch: nodeFetchFor({
      caPem: config.caPem,
      clientCert: config.clientCert,
      insecure: config.insecureSkipTlsVerify,
      servername: config.tlsServerName,
    }),
  });
}

/** The fetch adapter on Node from a kubeconfig YAML (CA, client certificates, files, insecure). */
export async function nodeKubeSecrets(
  kubeconfigYaml: string,
  options: NodeKubeSecretsOptions = {},
): Promise<KubeSecrets> {
  const { origin, context, ...adapterOptions } = options;
  return await nodeKubeSecretsFromParsed(parseForNode(kubeconfigYaml, options), adapterOptions);
}
