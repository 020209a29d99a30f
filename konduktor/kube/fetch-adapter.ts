/**
 * KubeSecrets over the Web-standard `fetch` (workerd, Node, Deno, Bun). No Node imports here:
 * TLS settings that fetch cannot express (custom CA, client certificate) come in through a
 * provided `fetch` (on Node: ./node-fetch.ts; in wrangler dev: NODE_EXTRA_CA_CERTS).
 */
import type { KubeSecret } from "../types.ts";
import {
  callSignal,
  DEFAULT_TIMEOUT_MS,
  deletePreconditions,
  noAnswerError,
  patchWithResourceVersion,
  requireResourceVersion,
} from "./adapter-common.ts";
import { KubeError, type KubeErrorContext, kubeErrorFromResponse } from "./errors.ts";
import type { ParsedKubeconfig } from "./kubeconfig.ts";
import type { DeletePrecondition, KubeSecrets } from "./port.ts";

/** What the adapter reads of an answer: a Web `Response` is one. */
export interface KubeAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/**
 * The one call the adapter makes: the Web `fetch` fits it (workerd, Node's global), and so does
 * the lighter one on node:https (./node-fetch.ts), which need not build a Web `Response`.
 */
export type KubeFetch = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string | undefined;
    signal: AbortSignal;
    redirect: "manual";
  },
) => Promise<KubeAnswer>;

export interface FetchAdapterOptions {
  /** API server URL, e.g. `https://10.0.0.1:6443` */
  server: string;
  namespace: string;
  /** bearer token; omitted when the fetch authenticates otherwise (client certificate) */
  token?: string;
  /** label for messages (default: the server's host) */
  cluster?: string;
  /** default `globalThis.fetch` */
  fetch?: KubeFetch;
  /** per-call timeout (default 10 s) */
  timeoutMs?: number;
  /** cancels every call of this adapter (e.g. fanout's per-cluster deadline) */
  signal?: AbortSignal;
  /**
   * `signal` is a deadline that passes no later than `timeoutMs` after any call of this adapter
   * starts (a fan-out's per-cluster deadline of the same length, started before its first call):
   * the calls then take it as it is, without a timer and a combined signal of their own each
   * (a sync sends hundreds; in workerd they were ~5 % of its CPU)
   */
  signalBoundsCalls?: boolean;
  userAgent?: string;
}

interface Call {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  verb: string;
  resource?: string;
  name?: string;
}

/** KubeSecrets through `fetch`. */
export function createFetchKubeSecrets(options: FetchAdapterOptions): KubeSecrets {
  const server = options.server.replace(/\/+$/, "");
  const namespace = options.namespace;
  const doFetch: KubeFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let cluster = options.cluster;
  if (!cluster) {
    try {
      cluster = new URL(server).host;
    } catch {
      cluster = "cluster";
    }
  }
  const clusterLabel = cluster;
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;

  async function call<T>(c: Call): Promise<T> {
    const ctx: KubeErrorContext = {
      cluster: clusterLabel,
      namespace,
      verb: c.verb,
      resource: c.resource ?? "secrets",
      name: c.name,
      server,
    };
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.userAgent) headers["user-agent"] = options.userAgent;
    if (c.body !== undefined) headers["content-type"] = c.contentType ?? "application/json";
    let response: KubeAnswer;
    let text: string;
    try {
      response = await doFetch(`${server}${c.path}`, {
        method: c.method,
        headers,
        body: c.body === undefined ? undefined : JSON.stringify(c.body),
        signal:
          options.signalBoundsCalls && options.signal
            ? options.signal
            : callSignal(timeoutMs, options.signal),
        redirect: "manual",
      });
      text = await response.text();
    } catch (error) {
      throw noAnswerError(error, { ...ctx, cluster: clusterLabel }, timeoutMs, options.signal);
    }
    if (response.status >= 200 && response.status < 300) {
      if (text.length === 0) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new KubeError({
          ...ctx,
          code: "unsupported",
          httpStatus: response.status,
          message: `cluster "${clusterLabel}" answered with something that is not JSON: is the kubeconfig's server a Kubernetes API server?`,
        });
      }
    }
    throw kubeErrorFromResponse(response.status, text, {
      ...ctx,
      retryAfterHeader: response.headers.get("retry-after"),
    });
  }

  const secretPath = (name: string) => `${base}/${encodeURIComponent(name)}`;

  return {
    namespace,
    cluster: clusterLabel,

    async get(name) {
      try {
        return await call<KubeSecret>({ method: "GET", path: secretPath(name), verb: "get", name });
      } catch (error) {
        if (error instanceof KubeError && error.code === "not_found") return null;
        throw error;
      }
    },

    async list(labelSelector) {
      const items: KubeSecret[] = [];
      let cont = "";
      for (let page = 0; page < 1000; page++) {
        const q = new URLSearchParams();
        if (labelSelector) q.set("labelSelector", labelSelector);
        q.set("limit", "500");
        if (cont) q.set("continue", cont);
        const result = await call<{ items?: KubeSecret[]; metadata?: { continue?: string } }>({
          method: "GET",
          path: `${base}?${q}`,
          verb: "list",
        });
        items.push(...(result?.items ?? []));
        cont = result?.metadata?.continue ?? "";
        if (!cont) break;
      }
      return items;
    },

    async create(secret) {
      return await call<KubeSecret>({
        method: "POST",
        path: base,
        body: {
          apiVersion: "v1",
          kind: "Secret",
          ...secret,
          metadata: { ...secret.metadata, namespace },
        },
        verb: "create",
        name: secret.metadata.name,
      });
    },

    async mergePatch(name, patch, resourceVersion) {
      return await call<KubeSecret>({
        method: "PATCH",
        path: secretPath(name),
        body: patchWithResourceVersion(patch, resourceVersion),
        contentType: "application/merge-patch+json",
        verb: "patch",
        name,
      });
    },

    async jsonPatch(name, ops) {
      return await call<KubeSecret>({
        method: "PATCH",
        path: secretPath(name),
        body: ops,
        contentType: "application/json-patch+json",
        verb: "patch",
        name,
      });
    },

    async replace(secret) {
      const name = secret.metadata.name;
      requireResourceVersion(secret, clusterLabel, namespace);
      return await call<KubeSecret>({
        method: "PUT",
        path: secretPath(name),
        body: {
          apiVersion: "v1",
          kind: "Secret",
          ...secret,
          metadata: { ...secret.metadata, namespace },
        },
        verb: "update",
        name,
      });
    },

    async delete(name, precondition?: DeletePrecondition) {
      const preconditions = deletePreconditions(precondition);
      await call<unknown>({
        method: "DELETE",
        path: secretPath(name),
        body: {
          apiVersion: "v1",
          kind: "DeleteOptions",
          ...(preconditions ? { preconditions } : {}),
        },
        verb: "delete",
        name,
      });
    },

    async version() {
      const v = await call<{ gitVersion?: string }>({
        method: "GET",
        path: "/version",
        verb: "get",
        resource: "version",
      });
      return v?.gitVersion ?? "unknown";
    },

    async canI(verbs) {
      const answers = await Promise.all(
        verbs.map(async (verb) => {
          const review = await call<{ status?: { allowed?: boolean } }>({
            method: "POST",
            path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            body: {
              apiVersion: "authorization.k8s.io/v1",
              kind: "SelfSubjectAccessReview",
              spec: { resourceAttributes: { namespace, verb, resource: "secrets" } },
            },
            verb: "create",
            resource: "selfsubjectaccessreviews",
          });
          return [verb, review?.status?.allowed === true] as const;
        }),
      );
      return Object.fromEntries(answers);
    },

    async namespaceExists() {
      try {
        await call<unknown>({
          method: "POST",
          path: `${base}?dryRun=All`,
          body: {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { generateName: "konduktor-broker-probe-", namespace },
          },
          verb: "create",
        });
        return true;
      } catch (error) {
        if (error instanceof KubeError && error.code === "namespace_not_found") return false;
        if (error instanceof KubeError && error.code === "already_exists") return true;
        if (
          error instanceof KubeError &&
          (error.code === "forbidden" || error.code === "invalid")
        ) {
          return null;
        }
        throw error;
      }
    },
  };
}

/**
 * A fetch adapter from a parsed kubeconfig. The `fetch` must already carry the TLS settings
 * (CA, client certificate) when they matter: this function refuses what it cannot do.
 */
export function fetchKubeSecretsFromKubeconfig(
  config: ParsedKubeconfig,
  options: Omit<FetchAdapterOptions, "server" | "namespace" | "token"> & {
    namespace?: string;
  } = {},
): KubeSecrets {
  if (config.needsClientNode) {
    throw new KubeError({
      code: "unsupported",
      cluster: options.cluster ?? config.clusterName,
      message: `the kubeconfig's user "${config.userName}" authenticates with ${config.needsClientNode === "exec" ? "an exec plugin" : "an auth provider"}, which the fetch adapter cannot run: use the client-node adapter, or a token`,
    });
  }
  if (config.files.tokenFile) {
    throw new KubeError({
      code: "unsupported",
      cluster: options.cluster ?? config.clusterName,
      message: `the kubeconfig's user "${config.userName}" reads its token from a file: read it first (nodeKubeSecrets does) or put it in users[].user.token`,
    });
  }
  return createFetchKubeSecrets({
    ...options,
    server: config.server,
    namespace: options.namespace ?? config.namespace,
    token: config.token,
    cluster: options.cluster ?? config.clusterName,
  });
}
