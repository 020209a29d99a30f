/**
 * KubeSecrets on `@kubernetes/client-node` v2 (Node only: it loads undici and Node TLS). Gets every
 * auth method a kubeconfig can hold (exec plugins, auth providers, files, client certificates,
 * proxies). Its `ApiException` (whose message holds the raw body) is mapped to `KubeError`.
 */
import {
  ApiException,
  AuthorizationV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  Observable,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
  type V1Secret,
  VersionApi,
} from "@kubernetes/client-node";
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
import { KubeconfigError, parseKubeconfig } from "./kubeconfig.ts";
import type { DeletePrecondition, KubeSecrets } from "./port.ts";

export interface ClientNodeAdapterOptions {
  /** kubeconfig YAML, or a loaded KubeConfig */
  kubeconfig: string | KubeConfig;
  /** default: current-context */
  context?: string;
  /** override the context's namespace */
  namespace?: string;
  /** label for messages (default: the kubeconfig's cluster name) */
  cluster?: string;
  /** per-call timeout (default 10 s) */
  timeoutMs?: number;
  /** cancels every call of this adapter (e.g. fanout's per-cluster deadline) */
  signal?: AbortSignal;
}

/** A plain JSON object from the client's model classes (Dates become ISO strings). */
function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value ?? null), (key, v) =>
    key === "creationTimestamp" && typeof v === "string" ? v.replace(/\.000Z$/, "Z") : v,
  ) as T;
}

/** What we send: no read-only fields the client's serializer could trip on. */
function outgoing(secret: KubeSecret, namespace: string): V1Secret {
  // client-node's types want a Date where the wire has a string: the one such field is left out,
  // as are managedFields (the apiserver owns both)
  const {
    creationTimestamp: _c,
    managedFields: _m,
    ...metadata
  } = secret.metadata as KubeSecret["metadata"] & { managedFields?: unknown };
  return { ...secret, apiVersion: "v1", kind: "Secret", metadata: { ...metadata, namespace } };
}

export function createClientNodeKubeSecrets(options: ClientNodeAdapterOptions): KubeSecrets {
  let kc: KubeConfig;
  if (typeof options.kubeconfig === "string") {
    // our own parse first: clear, value-free messages for broken kubeconfigs
    parseKubeconfig(options.kubeconfig, { context: options.context, runtime: "node" });
    kc = new KubeConfig();
    try {
      kc.loadFromString(options.kubeconfig);
    } catch {
      throw new KubeconfigError(
        "kubeconfig",
        "the kubeconfig could not be loaded by @kubernetes/client-node: check it with `kubectl config view`",
      );
    }
  } else {
    kc = options.kubeconfig;
  }
  if (options.context) kc.setCurrentContext(options.context);
  const contextObject = kc.getContextObject(kc.getCurrentContext());
  const kcCluster = kc.getCurrentCluster();
  if (!kcCluster) {
    throw new KubeconfigError(
      "current-context",
      "the kubeconfig has no usable current context: set current-context or name a context",
    );
  }
  const namespace = options.namespace ?? contextObject?.namespace ?? "default";
  const cluster = options.cluster ?? kcCluster.name;
  const server = kcCluster.server;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const core = kc.makeApiClient(CoreV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const versionApi = kc.makeApiClient(VersionApi);

  // client-node makes a new undici Agent (a new TCP+TLS connection) for every request: the first
  // one is kept and given to every later request of this adapter, one connection pool per adapter
  let pooled: ReturnType<RequestContext["getDispatcher"]>;
  // the object API takes Observable middleware (the client's own tiny Observable)
  const timeoutMiddleware = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(callSignal(timeoutMs, options.signal));
      const fresh = ctx.getDispatcher();
      if (fresh !== undefined) {
        pooled ??= fresh;
        ctx.setDispatcher(pooled);
      }
      return new Observable(Promise.resolve(ctx));
    },
    post: (resp: ResponseContext) => new Observable(Promise.resolve(resp)),
  };
  const callOptions: ConfigurationOptions = {
    middleware: [timeoutMiddleware],
    middlewareMergeStrategy: "append",
  };
  const patchOptionsOf = (strategy: PatchStrategy): ConfigurationOptions => ({
    middleware: [
      timeoutMiddleware,
      {
        pre: (ctx: RequestContext) => {
          ctx.setHeaderParam("Content-Type", strategy);
          return new Observable(Promise.resolve(ctx));
        },
        post: (resp: ResponseContext) => new Observable(Promise.resolve(resp)),
      },
    ],
    middlewareMergeStrategy: "append",
  });
  const patchOptions = patchOptionsOf(PatchStrategy.MergePatch);
  const jsonPatchOptions = patchOptionsOf(PatchStrategy.JsonPatch);

  async function run<T>(
    ctx: Omit<KubeErrorContext, "cluster" | "namespace" | "server">,
    fn: () => Promise<T>,
  ): Promise<T> {
    const full: KubeErrorContext & { cluster: string } = {
      resource: "secrets",
      ...ctx,
      cluster,
      namespace,
      server,
    };
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ApiException) {
        const headers = (error.headers ?? {}) as Record<string, string>;
        throw kubeErrorFromResponse(error.code, error.body, {
          ...full,
          retryAfterHeader: headers["retry-after"] ?? null,
        });
      }
      if (error instanceof KubeError) throw error;
      throw noAnswerError(error, full, timeoutMs, options.signal);
    }
  }

  return {
    namespace,
    cluster,

    async get(name) {
      try {
        return await run({ verb: "get", name }, async () =>
          plain<KubeSecret>(await core.readNamespacedSecret({ name, namespace }, callOptions)),
        );
      } catch (error) {
        if (error instanceof KubeError && error.code === "not_found") return null;
        throw error;
      }
    },

    async list(labelSelector) {
      return await run({ verb: "list" }, async () => {
        const items: KubeSecret[] = [];
        let cont: string | undefined;
        for (let page = 0; page < 1000; page++) {
          const result = await core.listNamespacedSecret(
            {
              namespace,
              ...(labelSelector ? { labelSelector } : {}),
              limit: 500,
              ...(cont ? { _continue: cont } : {}),
            },
            callOptions,
          );
          items.push(...plain<KubeSecret[]>(result.items ?? []));
          cont = result.metadata?._continue || undefined;
          if (!cont) break;
        }
        return items;
      });
    },

    async create(secret) {
      return await run({ verb: "create", name: secret.metadata.name }, async () =>
        plain<KubeSecret>(
          await core.createNamespacedSecret(
            { namespace, body: outgoing(secret, namespace) },
            callOptions,
          ),
        ),
      );
    },

    async mergePatch(name, patch, resourceVersion) {
      const body = patchWithResourceVersion(patch, resourceVersion);
      return await run({ verb: "patch", name }, async () =>
        plain<KubeSecret>(
          await core.patchNamespacedSecret({ name, namespace, body: body as object }, patchOptions),
        ),
      );
    },

    async jsonPatch(name, ops) {
      return await run({ verb: "patch", name }, async () =>
        plain<KubeSecret>(
          await core.patchNamespacedSecret(
            { name, namespace, body: [...ops] as object },
            jsonPatchOptions,
          ),
        ),
      );
    },

    async replace(secret) {
      const name = secret.metadata.name;
      requireResourceVersion(secret, cluster, namespace);
      return await run({ verb: "update", name }, async () =>
        plain<KubeSecret>(
          await core.replaceNamespacedSecret(
            { name, namespace, body: outgoing(secret, namespace) },
            callOptions,
          ),
        ),
      );
    },

    async delete(name, precondition?: DeletePrecondition) {
      const preconditions = deletePreconditions(precondition);
      await run({ verb: "delete", name }, async () => {
        await core.deleteNamespacedSecret(
          { name, namespace, ...(preconditions ? { body: { preconditions } } : {}) },
          callOptions,
        );
      });
    },

    async version() {
      return await run({ verb: "get", resource: "version" }, async () => {
        const v = await versionApi.getCode({}, callOptions);
        return v.gitVersion ?? "unknown";
      });
    },

    async canI(verbs) {
      const answers = await Promise.all(
        verbs.map(async (verb) => {
          const review = await run(
            { verb: "create", resource: "selfsubjectaccessreviews" },
            async () =>
              await authz.createSelfSubjectAccessReview(
                {
                  body: {
                    apiVersion: "authorization.k8s.io/v1",
                    kind: "SelfSubjectAccessReview",
                    spec: { resourceAttributes: { namespace, verb, resource: "secrets" } },
                  },
                },
                callOptions,
              ),
          );
          return [verb, review.status?.allowed === true] as const;
        }),
      );
      return Object.fromEntries(answers);
    },
  };
}
