#!/usr/bin/env node
import {
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_PLACEMENT,
  ANNOTATION_SIGNATURE,
  ANNOTATION_UPDATED_AT,
  ANNOTATION_UPDATED_BY,
  ANNOTATION_UPDATED_VIA,
  KonduktorError,
  KubeconfigError,
  LABEL_BASENAME,
  LABEL_KIND,
  LABEL_OWNER,
  LABEL_PARENT,
  LEGACY_ANNOTATION_CONTENT_DIGEST,
  MAX_ANNOTATION_BYTES,
  MAX_SECRET_BYTES,
  OWNER_HASH_RE,
  PARENT_VALUE,
  ValidationError,
  checkSeal,
  checkSecretInput,
  classifyError,
  decodedSize,
  defaultContext,
  digestValues,
  digestsOf,
  formatPlacement,
  isSecretKind,
  konduktorIdentity,
  kubeconfigContexts,
  kubeconfigPaths,
  mergeKubeconfigs,
  parseKubeconfig,
  parsePlacement,
  sealAnnotations,
  secretLabels,
  secretName,
  usage,
  validateBasename,
  validateOwner
} from "./chunk-W5365QQY.js";

// cli/direct.ts
import pLimit2 from "p-limit";

// konduktor/fanout.ts
import pLimit from "p-limit";
function isFailure(result) {
  return result.status === "error";
}
var DeadlineExceeded = class extends Error {
};
function backoffDelay(attempt, base, max, random, retryAfterSeconds) {
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const floor = retryAfterSeconds !== void 0 ? retryAfterSeconds * 1e3 : 0;
  return Math.max(jittered, floor);
}
var now = () => performance.now();
var tookMs = (started) => Math.round(now() - started);
var Deadlines = class {
  timeoutMs;
  queue = [];
  head = 0;
  running = 0;
  timer;
  constructor(timeoutMs) {
    this.timeoutMs = timeoutMs;
  }
  /** Starts a cluster's deadline; `expire` runs when it passes before `end` is called. */
  watch(expire) {
    const w = { deadline: now() + this.timeoutMs, expire, done: false };
    this.queue.push(w);
    this.running++;
    if (this.timer === void 0) this.arm();
    return {
      deadline: w.deadline,
      end: () => {
        if (w.done) return;
        w.done = true;
        this.ended();
      }
    };
  }
  ended() {
    if (--this.running > 0) return;
    clearTimeout(this.timer);
    this.arm();
  }
  /** The first cluster still running (the ended ones before it are dropped), if any. */
  first() {
    while (this.queue[this.head]?.done) this.head++;
    return this.queue[this.head];
  }
  /** A timer for the first deadline still running; none, and the queue emptied, when none runs. */
  arm() {
    const next = this.first();
    if (next === void 0) {
      this.timer = void 0;
      this.queue = [];
      this.head = 0;
      return;
    }
    this.timer = setTimeout(() => this.fire(), next.deadline - now());
  }
  fire() {
    const at = now();
    for (let w = this.first(); w !== void 0 && w.deadline <= at; w = this.first()) {
      w.done = true;
      this.running--;
      w.expire();
    }
    this.arm();
  }
};
async function oneCluster(cluster, op, o, deadlines) {
  const started = now();
  const controller = new AbortController();
  let expire = () => {
  };
  const expired = new Promise((_, reject) => {
    expire = reject;
  });
  expired.catch(() => {
  });
  const { deadline, end } = deadlines.watch(() => {
    controller.abort(new DeadlineExceeded("deadline"));
    expire(new DeadlineExceeded("deadline"));
  });
  let attempts = 0;
  let last;
  const failedWith = (info) => ({
    cluster,
    status: "error",
    code: info.code,
    message: info.message,
    retryable: info.retryable,
    attempts,
    durationMs: tookMs(started)
  });
  try {
    for (; ; ) {
      attempts++;
      try {
        const value = await Promise.race([op(cluster, controller.signal), expired]);
        return { ...value, cluster, attempts, durationMs: tookMs(started) };
      } catch (error) {
        if (error instanceof DeadlineExceeded) throw error;
        last = o.classify(error);
        if (!last.retryable || attempts > o.retries) return failedWith(last);
        const delay = backoffDelay(
          attempts,
          o.baseDelayMs,
          o.maxDelayMs,
          o.random,
          last.retryAfterSeconds
        );
        if (now() + delay >= deadline) return failedWith(last);
        await Promise.race([new Promise((r) => setTimeout(r, delay)), expired]);
      }
    }
  } catch (error) {
    if (!(error instanceof DeadlineExceeded)) throw error;
    const message = last ? `no answer within ${o.timeoutMs} ms after ${attempts} attempt(s); last error: ${last.message}` : `no answer within ${o.timeoutMs} ms`;
    return failedWith({ code: "timeout", message, retryable: true });
  } finally {
    end();
  }
}
async function fanout(clusters, op, options = {}) {
  const o = {
    timeoutMs: options.timeoutMs ?? 1e4,
    retries: options.retries ?? 3,
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 2e3,
    classify: options.classify ?? classifyError,
    random: options.random ?? Math.random
  };
  const limit2 = pLimit(Math.max(1, options.concurrency ?? 8));
  const deadlines = new Deadlines(o.timeoutMs);
  return await Promise.all(
    clusters.map((cluster) => limit2(() => oneCluster(cluster, op, o, deadlines)))
  );
}

// konduktor/kube/client-node-adapter.ts
import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  PatchStrategy,
  VersionApi
} from "@kubernetes/client-node";

// konduktor/kube/errors.ts
var KubeError = class extends KonduktorError {
  name = "KubeError";
  httpStatus;
  cluster;
  namespace;
  verb;
  resource;
  objectName;
  causes;
  constructor(init) {
    super(init.code, init.message, init);
    this.httpStatus = init.httpStatus;
    this.cluster = init.cluster;
    this.namespace = init.namespace;
    this.verb = init.verb;
    this.resource = init.resource;
    this.objectName = init.name;
    this.causes = init.causes ?? [];
  }
  /** A plain object for JSON answers and logs (no stack, no values). */
  toJSON() {
    return {
      code: this.code,
      message: this.message,
      ...this.httpStatus === void 0 ? {} : { httpStatus: this.httpStatus },
      retryable: this.retryable,
      ...this.retryAfterSeconds === void 0 ? {} : { retryAfterSeconds: this.retryAfterSeconds },
      ...this.cluster === void 0 ? {} : { cluster: this.cluster },
      ...this.causes.length ? { causes: this.causes } : {}
    };
  }
};
function asStatus(body) {
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return void 0;
    }
  }
  if (body && typeof body === "object" && body.kind === "Status") {
    return body;
  }
  return void 0;
}
function cleanServerText(text, max = 200) {
  const cleaned = text.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/`(?:[^`\\]|\\.)*`/g, "`…`").replace(/\s+/g, " ").trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}
function causesOf(status) {
  const raw = status?.details?.causes;
  if (!Array.isArray(raw)) return [];
  return raw.slice(0, 20).map((c) => ({
    field: typeof c.field === "string" ? cleanServerText(c.field, 120) : "",
    ...typeof c.reason === "string" ? { reason: c.reason } : {},
    message: typeof c.message === "string" ? cleanServerText(c.message) : ""
  }));
}
function where(ctx) {
  const parts = [];
  if (ctx.namespace) parts.push(`in namespace "${ctx.namespace}"`);
  if (ctx.cluster) parts.push(`on cluster "${ctx.cluster}"`);
  return parts.length ? ` ${parts.join(" ")}` : "";
}
function what(ctx) {
  const resource = singular(ctx.resource ?? "secrets");
  return ctx.name ? `${resource} "${ctx.name}"` : resource;
}
function singular(resource) {
  return resource.endsWith("s") ? resource.slice(0, -1) : resource;
}
function parseRetryAfter(value) {
  if (!value) return void 0;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1e3));
  return void 0;
}
function namespaceNotFound(ctx) {
  const ns = ctx.namespace ?? "";
  return new KubeError({
    ...ctx,
    resource: "namespaces",
    code: "namespace_not_found",
    message: `namespace "${ns}" does not exist${ctx.cluster ? ` on cluster "${ctx.cluster}"` : ""}: create it (\`kubectl create namespace ${ns}\`) or register the cluster with a context whose namespace exists`
  });
}
function kubeErrorFromResponse(httpStatus, body, ctx) {
  const status = asStatus(body);
  const reason = typeof status?.reason === "string" ? status.reason : "";
  const detailsKind = typeof status?.details?.kind === "string" ? status.details.kind : void 0;
  const serverMessage = typeof status?.message === "string" ? status.message : "";
  const causes = causesOf(status);
  const retryAfterSeconds = parseRetryAfter(ctx.retryAfterHeader) ?? (typeof status?.details?.retryAfterSeconds === "number" ? status.details.retryAfterSeconds : void 0);
  const base = {
    httpStatus,
    cluster: ctx.cluster,
    namespace: ctx.namespace,
    verb: ctx.verb,
    resource: ctx.resource ?? detailsKind,
    name: ctx.name,
    server: ctx.server
  };
  const w = where(ctx);
  if (httpStatus === 401) {
    return new KubeError({
      ...base,
      code: "unauthorized",
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} did not accept the credentials (401 Unauthorized): the token or client certificate in the kubeconfig is wrong or expired; renew it`
    });
  }
  if (httpStatus === 403) {
    const m = /cannot (\w+) resource "([^"]*)"/.exec(serverMessage);
    const verb = m?.[1] ?? ctx.verb ?? "access";
    const resource = m?.[2] || ctx.resource || detailsKind || "secrets";
    return new KubeError({
      ...base,
      verb,
      resource,
      code: "forbidden",
      message: `not allowed to ${verb} ${resource}${w} (403 Forbidden): grant the kubeconfig's user the RBAC verb "${verb}" on "${resource}" in that namespace`
    });
  }
  if (httpStatus === 404 && detailsKind === "namespaces") {
    const ns = ctx.namespace ?? (typeof status?.details?.name === "string" ? status.details.name : "");
    return namespaceNotFound({ ...base, namespace: ns });
  }
  if (httpStatus === 404) {
    return new KubeError({
      ...base,
      code: "not_found",
      message: `${what(ctx)} not found${w}`
    });
  }
  if (httpStatus === 409) {
    if (reason === "AlreadyExists") {
      return new KubeError({
        ...base,
        code: "already_exists",
        message: `${what(ctx)} already exists${w}`
      });
    }
    return new KubeError({
      ...base,
      code: "conflict",
      message: `${what(ctx)} was changed by someone else while this operation ran${w} (409 Conflict): read it again and retry`
    });
  }
  if (httpStatus === 413 || causes.some((c) => c.reason === "FieldValueTooLong" && /^data/.test(c.field))) {
    return new KubeError({
      ...base,
      code: "too_large",
      causes,
      message: `${what(ctx)} is too large for the cluster${w}: Kubernetes allows at most 1 MiB of values per secret`
    });
  }
  if (httpStatus === 422 || httpStatus === 400) {
    const detail = causes.length ? `: ${causes.map((c) => c.field ? `${c.field}: ${c.message}` : c.message).join("; ")}` : "";
    return new KubeError({
      ...base,
      code: "invalid",
      causes,
      message: `the cluster rejected ${what(ctx)} as invalid${w}${detail}`
    });
  }
  if (httpStatus === 429) {
    return new KubeError({
      ...base,
      code: "throttled",
      retryable: true,
      retryAfterSeconds,
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} asked to slow down (429 Too Many Requests)${retryAfterSeconds === void 0 ? "" : `; retry after ${retryAfterSeconds} s`}`
    });
  }
  if (httpStatus === 405 || httpStatus === 415 || httpStatus === 406 || httpStatus === 501) {
    return new KubeError({
      ...base,
      code: "unsupported",
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} does not support this request (HTTP ${httpStatus})`
    });
  }
  if (httpStatus === 504 || reason === "Timeout" || reason === "ServerTimeout") {
    return new KubeError({
      ...base,
      code: "timeout",
      retryable: true,
      retryAfterSeconds,
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} timed out (HTTP ${httpStatus}); retry later`
    });
  }
  if (httpStatus >= 500) {
    return new KubeError({
      ...base,
      code: "server_error",
      retryable: true,
      retryAfterSeconds,
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} answered with a server error (HTTP ${httpStatus}); retry later`
    });
  }
  return new KubeError({
    ...base,
    code: "unsupported",
    message: `unexpected answer from the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} (HTTP ${httpStatus})`
  });
}

// konduktor/kube/network-errors.ts
var TLS_CODES = /* @__PURE__ */ new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_SSL_WRONG_VERSION_NUMBER"
]);
function errorChain(error) {
  const chain = [];
  let current = error;
  for (let i = 0; i < 5 && current && typeof current === "object"; i++) {
    const e = current;
    chain.push({
      name: typeof e.name === "string" ? e.name : void 0,
      code: typeof e.code === "string" ? e.code : void 0
    });
    current = e.cause;
  }
  return chain;
}
function kubeErrorFromNetwork(error, ctx) {
  if (error instanceof KubeError) return error;
  const chain = errorChain(error);
  const at = ctx.server ? ` at ${safeOrigin(ctx.server)}` : "";
  const cluster = ctx.cluster ? `cluster "${ctx.cluster}"` : "the cluster";
  const base = {
    cluster: ctx.cluster,
    namespace: ctx.namespace,
    verb: ctx.verb,
    resource: ctx.resource,
    name: ctx.name,
    server: ctx.server
  };
  if (chain.some(
    (e) => e.name === "TimeoutError" || e.code === "UND_ERR_CONNECT_TIMEOUT" || e.code === "UND_ERR_HEADERS_TIMEOUT" || e.code === "UND_ERR_BODY_TIMEOUT" || e.code === "ETIMEDOUT"
  )) {
    return new KubeError({
      ...base,
      code: "timeout",
      retryable: true,
      message: `${cluster}${at} did not answer in time${ctx.timeoutMs ? ` (${ctx.timeoutMs} ms)` : ""}`
    });
  }
  const tls = chain.find(
    (e) => e.code && (TLS_CODES.has(e.code) || e.code.startsWith("ERR_TLS") || e.code.startsWith("ERR_SSL"))
  );
  if (tls) {
    return new KubeError({
      ...base,
      code: "unreachable",
      retryable: false,
      message: `the TLS connection to ${cluster}${at} failed (${tls.code}): check the kubeconfig's certificate-authority-data, server name and client certificate`
    });
  }
  if (chain.some((e) => e.name === "AbortError")) {
    return new KubeError({
      ...base,
      code: "timeout",
      retryable: true,
      message: `the request to ${cluster}${at} was aborted`
    });
  }
  const code = chain.find((e) => e.code)?.code;
  const hint = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host name not found",
    EAI_AGAIN: "host name lookup failed",
    ECONNRESET: "connection reset",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    UND_ERR_SOCKET: "connection closed"
  };
  const detail = code ? hint[code] ?? code : "network error";
  return new KubeError({
    ...base,
    code: "unreachable",
    retryable: true,
    message: `cannot reach ${cluster}${at} (${detail}): check the kubeconfig's server address and the network`
  });
}
function safeOrigin(server) {
  try {
    return new URL(server).origin;
  } catch {
    return "(invalid server URL)";
  }
}

// konduktor/kube/adapter-common.ts
var DEFAULT_TIMEOUT_MS = 1e4;
function callSignal(timeoutMs, outer) {
  const timeout = AbortSignal.timeout(timeoutMs);
  if (!outer) return timeout;
  if (typeof AbortSignal.any === "function") return AbortSignal.any([outer, timeout]);
  const controller = new AbortController();
  const abort = (s) => () => controller.abort(s.reason);
  outer.addEventListener("abort", abort(outer), { once: true });
  timeout.addEventListener("abort", abort(timeout), { once: true });
  if (outer.aborted) controller.abort(outer.reason);
  return controller.signal;
}
function noAnswerError(error, ctx, timeoutMs, signal) {
  if (signal?.aborted) {
    return new KubeError({
      ...ctx,
      code: "timeout",
      retryable: true,
      message: `the request to cluster "${ctx.cluster}" was cancelled (deadline reached)`
    });
  }
  return kubeErrorFromNetwork(error, { ...ctx, timeoutMs });
}
function patchWithResourceVersion(patch, resourceVersion) {
  if (resourceVersion === void 0) return patch;
  const p = patch ?? {};
  return { ...p, metadata: { ...p.metadata ?? {}, resourceVersion } };
}
function deletePreconditions(precondition) {
  return precondition && (precondition.uid || precondition.resourceVersion) ? {
    ...precondition.uid ? { uid: precondition.uid } : {},
    ...precondition.resourceVersion ? { resourceVersion: precondition.resourceVersion } : {}
  } : void 0;
}
function requireResourceVersion(secret, cluster, namespace) {
  const name = secret.metadata.name;
  if (!secret.metadata.resourceVersion) {
    throw new KubeError({
      code: "invalid",
      cluster,
      namespace,
      name,
      verb: "update",
      message: `replacing secret "${name}" needs the resourceVersion it was read at (metadata.resourceVersion)`
    });
  }
}

// konduktor/kube/client-node-adapter.ts
function plain(value) {
  return JSON.parse(
    JSON.stringify(value ?? null),
    (key, v) => key === "creationTimestamp" && typeof v === "string" ? v.replace(/\.000Z$/, "Z") : v
  );
}
function outgoing(secret, namespace) {
  const {
    creationTimestamp: _c,
    managedFields: _m,
    ...metadata
  } = secret.metadata;
  return { ...secret, apiVersion: "v1", kind: "Secret", metadata: { ...metadata, namespace } };
}
function createClientNodeKubeSecrets(options) {
  let kc;
  if (typeof options.kubeconfig === "string") {
    parseKubeconfig(options.kubeconfig, { context: options.context, runtime: "node" });
    kc = new KubeConfig();
    try {
      kc.loadFromString(options.kubeconfig);
    } catch {
      throw new KubeconfigError(
        "kubeconfig",
        "the kubeconfig could not be loaded by @kubernetes/client-node: check it with `kubectl config view`"
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
      "the kubeconfig has no usable current context: set current-context or name a context"
    );
  }
  const namespace = options.namespace ?? contextObject?.namespace ?? "default";
  const cluster = options.cluster ?? kcCluster.name;
  const server = kcCluster.server;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const core = kc.makeApiClient(CoreV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const versionApi = kc.makeApiClient(VersionApi);
  let pooled;
  const timeoutMiddleware = {
    pre: (ctx) => {
      ctx.setSignal(callSignal(timeoutMs, options.signal));
      const fresh = ctx.getDispatcher();
      if (fresh !== void 0) {
        pooled ??= fresh;
        ctx.setDispatcher(pooled);
      }
      return new Observable(Promise.resolve(ctx));
    },
    post: (resp) => new Observable(Promise.resolve(resp))
  };
  const callOptions = {
    middleware: [timeoutMiddleware],
    middlewareMergeStrategy: "append"
  };
  const patchOptionsOf = (strategy) => ({
    middleware: [
      timeoutMiddleware,
      {
        pre: (ctx) => {
          ctx.setHeaderParam("Content-Type", strategy);
          return new Observable(Promise.resolve(ctx));
        },
        post: (resp) => new Observable(Promise.resolve(resp))
      }
    ],
    middlewareMergeStrategy: "append"
  });
  const patchOptions = patchOptionsOf(PatchStrategy.MergePatch);
  const jsonPatchOptions = patchOptionsOf(PatchStrategy.JsonPatch);
  async function run(ctx, fn) {
    const full = {
      resource: "secrets",
      ...ctx,
      cluster,
      namespace,
      server
    };
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ApiException) {
        const headers = error.headers ?? {};
        throw kubeErrorFromResponse(error.code, error.body, {
          ...full,
          retryAfterHeader: headers["retry-after"] ?? null
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
        return await run(
          { verb: "get", name },
          async () => plain(await core.readNamespacedSecret({ name, namespace }, callOptions))
        );
      } catch (error) {
        if (error instanceof KubeError && error.code === "not_found") return null;
        throw error;
      }
    },
    async list(labelSelector) {
      return await run({ verb: "list" }, async () => {
        const items = [];
        let cont;
        for (let page = 0; page < 1e3; page++) {
          const result = await core.listNamespacedSecret(
            {
              namespace,
              ...labelSelector ? { labelSelector } : {},
              limit: 500,
              ...cont ? { _continue: cont } : {}
            },
            callOptions
          );
          items.push(...plain(result.items ?? []));
          cont = result.metadata?._continue || void 0;
          if (!cont) break;
        }
        return items;
      });
    },
    async create(secret) {
      return await run(
        { verb: "create", name: secret.metadata.name },
        async () => plain(
          await core.createNamespacedSecret(
            { namespace, body: outgoing(secret, namespace) },
            callOptions
          )
        )
      );
    },
    async mergePatch(name, patch, resourceVersion) {
      const body = patchWithResourceVersion(patch, resourceVersion);
      return await run(
        { verb: "patch", name },
        async () => plain(
          await core.patchNamespacedSecret({ name, namespace, body }, patchOptions)
        )
      );
    },
    async jsonPatch(name, ops) {
      return await run(
        { verb: "patch", name },
        async () => plain(
          await core.patchNamespacedSecret(
            { name, namespace, body: [...ops] },
            jsonPatchOptions
          )
        )
      );
    },
    async replace(secret) {
      const name = secret.metadata.name;
      requireResourceVersion(secret, cluster, namespace);
      return await run(
        { verb: "update", name },
        async () => plain(
          await core.replaceNamespacedSecret(
            { name, namespace, body: outgoing(secret, namespace) },
            callOptions
          )
        )
      );
    },
    async delete(name, precondition) {
      const preconditions = deletePreconditions(precondition);
      await run({ verb: "delete", name }, async () => {
        await core.deleteNamespacedSecret(
          { name, namespace, ...preconditions ? { body: { preconditions } } : {} },
          callOptions
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
            async () => await authz.createSelfSubjectAccessReview(
              {
                body: {
                  apiVersion: "authorization.k8s.io/v1",
                  kind: "SelfSubjectAccessReview",
                  spec: { resourceAttributes: { namespace, verb, resource: "secrets" } }
                }
              },
              callOptions
            )
          );
          return [verb, review.status?.allowed === true];
        })
      );
      return Object.fromEntries(answers);
    }
  };
}

// konduktor/describe.ts
function toListing(secret) {
  const labels = secret.metadata.labels ?? {};
  return {
    name: secret.metadata.name,
    basename: labels[LABEL_BASENAME] || secret.metadata.name,
    kind: labels[LABEL_KIND] || "(none)",
    owner: labels[LABEL_OWNER] || null,
    keys: Object.keys(secret.data ?? {}).sort(),
    updatedAt: secret.metadata.annotations?.[ANNOTATION_UPDATED_AT] ?? secret.metadata.creationTimestamp ?? null
  };
}
function ownerOrThrow(owner) {
  const problems = validateOwner(owner);
  if (problems.length) throw ValidationError.of(problems);
}
async function findOwn(kube, owner, basename) {
  const problems = [...validateOwner(owner), ...validateBasename(basename)];
  if (problems.length) throw ValidationError.of(problems);
  const items = (await kube.list(`${LABEL_OWNER}=${owner},${LABEL_BASENAME}=${basename}`)).filter(
    (s) => s.metadata.labels?.[LABEL_OWNER] === owner
  );
  if (items.length === 0) {
    throw new KubeError({
      code: "not_found",
      cluster: kube.cluster,
      namespace: kube.namespace,
      name: basename,
      message: `owner ${owner} has no secret "${basename}" in namespace "${kube.namespace}" on cluster "${kube.cluster}"`
    });
  }
  if (items.length > 1) {
    throw new KubeError({
      code: "ambiguous",
      cluster: kube.cluster,
      namespace: kube.namespace,
      name: basename,
      message: `owner ${owner} has ${items.length} secrets with basename "${basename}" in namespace "${kube.namespace}" on cluster "${kube.cluster}" (${items.map((s) => s.metadata.name).sort().join(", ")}): remove the extra ones with kubectl`
    });
  }
  return items[0];
}
async function describeSecret(kube, secret, keyring2) {
  const listing = toListing(secret);
  const labels = secret.metadata.labels ?? {};
  const digested = await digestValues(
    keyring2.current,
    labels[LABEL_OWNER] ?? "",
    labels[LABEL_BASENAME] ?? "",
    secret.data
  );
  const a = secret.metadata.annotations ?? {};
  const by = a[ANNOTATION_UPDATED_BY];
  const via = a[ANNOTATION_UPDATED_VIA];
  return {
    ...listing,
    namespace: secret.metadata.namespace ?? kube.namespace,
    digests: digested.digests,
    contentDigest: digested.contentDigest,
    immutable: secret.immutable === true,
    managedKeys: parseManagedKeys(secret).sort(),
    provenance: by || via ? {
      actor: by ?? "",
      via: via ?? "",
      ...a[ANNOTATION_UPDATED_AT] ? { at: a[ANNOTATION_UPDATED_AT] } : {}
    } : null,
    placement: parsePlacement(a[ANNOTATION_PLACEMENT]),
    signature: await checkSeal(keyring2, secret, digested)
  };
}
async function describe(kube, owner, basename, keyring2) {
  return await describeSecret(kube, await findOwn(kube, owner, basename), keyring2);
}
async function describeListing(kube, owner, keyring2) {
  if (owner !== null) ownerOrThrow(owner);
  const items = await kube.list(owner === null ? "" : `${LABEL_OWNER}=${owner}`);
  const described = await Promise.all(items.map((s) => describeSecret(kube, s, keyring2)));
  return described.sort(
    (a, b) => owner === null ? a.name.localeCompare(b.name) : a.basename.localeCompare(b.basename) || a.name.localeCompare(b.name)
  );
}
function parseManagedKeys(secret) {
  const raw = secret?.metadata.annotations?.[ANNOTATION_MANAGED_KEYS];
  if (!raw) return [];
  return raw.split(",").map((k) => k.trim()).filter((k) => k.length > 0);
}

// konduktor/apply-plan.ts
function sameLabels(existing, wanted) {
  return Object.entries(wanted).every(([k, v]) => existing?.[k] === v);
}
function identityOfDesired(desired) {
  const labels = desired?.metadata?.labels ?? {};
  const owner = labels[LABEL_OWNER];
  const basename = labels[LABEL_BASENAME];
  const kind = labels[LABEL_KIND] ?? "default";
  const problems = [
    ...validateOwner(owner, `metadata.labels["${LABEL_OWNER}"]`),
    ...validateBasename(basename, `metadata.labels["${LABEL_BASENAME}"]`)
  ];
  if (!isSecretKind(kind)) {
    problems.push(
      new ValidationError(
        `metadata.labels["${LABEL_KIND}"]`,
        `metadata.labels["${LABEL_KIND}"] must be default, env or git-ssh: build the secret with buildSecret()`
      )
    );
  }
  if (problems.length === 0 && desired.metadata.name !== secretName(basename, owner)) {
    problems.push(
      new ValidationError(
        "metadata.name",
        "metadata.name must be <basename>-<owner>: build the secret with buildSecret()"
      )
    );
  }
  if (problems.length > 0) throw ValidationError.of(problems);
  return {
    owner,
    basename,
    kind,
    name: desired.metadata.name
  };
}
function notOwner(kube, name, owner, existing) {
  const other = existing.metadata.labels?.[LABEL_OWNER];
  return new KubeError({
    code: "not_owner",
    cluster: kube.cluster,
    namespace: kube.namespace,
    name,
    message: other ? `secret "${name}" in namespace "${kube.namespace}" on cluster "${kube.cluster}" belongs to another owner: it is left untouched; choose another name` : `a Secret named "${name}" exists in namespace "${kube.namespace}" on cluster "${kube.cluster}" but is not a Konduktor secret of owner ${owner}: it is left untouched; choose another name`
  });
}
async function plan(kube, id, desired, options) {
  const existing = options.existing === void 0 ? await kube.get(id.name) : options.existing;
  if (existing && existing.metadata.labels?.[LABEL_OWNER] !== id.owner) {
    throw notOwner(kube, id.name, id.owner, existing);
  }
  const oldData = existing?.data ?? {};
  const want = desired.data ?? {};
  const wantKeys = Object.keys(want);
  const oldManaged = parseManagedKeys(existing);
  let data;
  let managed;
  if (options.mode === "replace") {
    data = { ...want };
    managed = new Set(wantKeys);
  } else {
    data = { ...oldData, ...want };
    managed = /* @__PURE__ */ new Set([...oldManaged.filter((k) => k in oldData), ...wantKeys]);
    if (options.prune) {
      for (const key of oldManaged) {
        if (!(key in want)) {
          delete data[key];
          managed.delete(key);
        }
      }
    }
  }
  const added = Object.keys(data).filter((k) => !(k in oldData)).sort();
  const changed = Object.keys(data).filter((k) => k in oldData && oldData[k] !== data[k]).sort();
  const removed = Object.keys(oldData).filter((k) => !(k in data)).sort();
  const size = decodedSize(data);
  if (size > MAX_SECRET_BYTES) {
    throw new KubeError({
      code: "too_large",
      cluster: kube.cluster,
      namespace: kube.namespace,
      name: id.name,
      message: `secret "${id.name}" would hold ${size.toLocaleString("en-US")} bytes of values after this change; Kubernetes allows at most ${MAX_SECRET_BYTES.toLocaleString("en-US")} bytes (1 MiB): remove keys or split the secret`
    });
  }
  const managedSorted = [...managed].sort();
  const dataChanged = !existing || added.length + changed.length + removed.length > 0;
  const seal = options.seal ? await sealFor(options.seal.keyring, id, data, options) : void 0;
  let supersededBy;
  if (existing && options.seal) {
    const held = await checkSeal(options.seal.keyring, existing);
    if (held.state === "valid" && held.version > options.seal.version) supersededBy = held.version;
  }
  const existingAnnotations = existing?.metadata.annotations ?? {};
  let unchanged = false;
  if (existing) {
    unchanged = !dataChanged && existingAnnotations[LEGACY_ANNOTATION_CONTENT_DIGEST] === void 0 && Object.entries(seal?.sealed ?? {}).every(([k, v]) => existingAnnotations[k] === v) && sameLabels(existing.metadata.labels, secretLabels(id.owner, id.basename, id.kind)) && [...oldManaged].sort().join(",") === managedSorted.join(",") && (!options.immutable || existing.immutable === true) && (options.placement === void 0 || (existing.metadata.annotations?.[ANNOTATION_PLACEMENT] ?? "all") === options.placement);
  }
  return {
    existing,
    data,
    managed: managedSorted,
    added,
    changed,
    removed,
    unchanged,
    dataChanged,
    ...seal ?? {},
    ...supersededBy === void 0 ? {} : { supersededBy }
  };
}
function sameDigestsShape(d, keyId, data) {
  const keys = Object.keys(data);
  return d.keyId === keyId && keys.length === Object.keys(d.digests).length && keys.every((k) => d.digests[k] !== void 0);
}
async function sealFor(keyring2, id, data, options) {
  const keys = keyring2.current;
  const given = options.seal?.digests;
  const digests = given && options.mode === "replace" && sameDigestsShape(given, keys.keyId, data) ? given : await digestValues(keys, id.owner, id.basename, data);
  const sealed = await sealAnnotations(keys, {
    owner: id.owner,
    basename: id.basename,
    kind: id.kind,
    version: options.seal?.version ?? 0,
    contentDigest: digests.contentDigest,
    placement: options.placement ?? "all"
  });
  return { digests, sealed };
}
function checkAnnotationSize(kube, name, annotations) {
  let chars = 0;
  for (const [k, v] of Object.entries(annotations)) chars += k.length + v.length;
  if (chars * 3 <= MAX_ANNOTATION_BYTES) return;
  const encoder = new TextEncoder();
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations)) {
    bytes += encoder.encode(k).length + encoder.encode(v).length;
  }
  if (bytes <= MAX_ANNOTATION_BYTES) return;
  const keys = (annotations[ANNOTATION_MANAGED_KEYS] ?? "").split(",").length;
  throw new KubeError({
    code: "too_large",
    cluster: kube.cluster,
    namespace: kube.namespace,
    name,
    message: `secret "${name}" on cluster "${kube.cluster}" would carry ${bytes.toLocaleString("en-US")} bytes of annotations (${keys.toLocaleString("en-US")} key names in ${ANNOTATION_MANAGED_KEYS}); Kubernetes allows at most ${MAX_ANNOTATION_BYTES.toLocaleString("en-US")}: nothing was written; use fewer or shorter keys (mode replace or prune drops old ones)`
  });
}

// konduktor/kube/port.ts
function jsonPointer(...segments) {
  return segments.map((s) => `/${s.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

// konduktor/apply-known.ts
var REFUSALS = ["invalid", "conflict", "not_found", "forbidden"];
var FALL_BACK = new Set(REFUSALS);
async function patchOr(jsonPatch, name, ops) {
  try {
    return await jsonPatch(name, ops);
  } catch (error) {
    if (error instanceof KubeError && FALL_BACK.has(error.code)) return error.code;
    throw error;
  }
}
var sameDigests = (a, b) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, d]) => b[k] === d);
async function applyKnown(kube, id, desired, options, at) {
  const known = options.known;
  const seal = options.seal;
  if (!known || !seal || options.dryRun || !kube.jsonPatch || options.placement === void 0) {
    return null;
  }
  const jsonPatch = kube.jsonPatch.bind(kube);
  const patch = (ops) => patchOr(jsonPatch, id.name, ops);
  const want = desired.data ?? {};
  if (decodedSize(want) > MAX_SECRET_BYTES) return null;
  const keys = seal.keyring.current;
  const before = await digestsOf(keys, id.owner, id.basename, known.digests);
  if (!before) return null;
  const given = seal.digests;
  const requested = given && sameDigestsShape(given, keys.keyId, want) ? given : await digestValues(keys, id.owner, id.basename, want);
  const merge = options.mode === "merge";
  const after = merge ? { ...known.digests, ...requested.digests } : { ...requested.digests };
  if (merge && options.prune) {
    for (const k of Object.keys(known.digests)) if (!(k in want)) delete after[k];
  }
  const digests = await digestsOf(keys, id.owner, id.basename, after);
  const dataChanged = !sameDigests(known.digests, after);
  if (known.immutable && dataChanged) return null;
  const oldSeal = await sealAnnotations(keys, {
    owner: id.owner,
    basename: id.basename,
    kind: known.kind,
    version: known.version,
    contentDigest: before.contentDigest,
    placement: known.placement
  });
  const newSeal = await sealAnnotations(keys, {
    owner: id.owner,
    basename: id.basename,
    kind: id.kind,
    version: seal.version,
    contentDigest: digests.contentDigest,
    placement: options.placement
  });
  const oldManaged = Object.keys(known.digests).sort().join(",");
  const managed = Object.keys(after).sort().join(",");
  const annotation = (name) => jsonPointer("metadata", "annotations", name);
  const adds = (field, entries) => Object.entries(entries).map(([k, v]) => ({
    op: "add",
    path: jsonPointer("metadata", field, k),
    value: v
  }));
  const tests = [
    { op: "test", path: "/metadata/resourceVersion", value: known.resourceVersion },
    {
      op: "test",
      path: annotation(ANNOTATION_SIGNATURE),
      value: oldSeal[ANNOTATION_SIGNATURE]
    },
    // a merge keeps keys the broker did not write: that copy must have none
    ...merge ? [{ op: "test", path: annotation(ANNOTATION_MANAGED_KEYS), value: oldManaged }] : []
  ];
  const unchanged = !dataChanged && oldSeal[ANNOTATION_SIGNATURE] === newSeal[ANNOTATION_SIGNATURE] && (!options.immutable || known.immutable);
  const changes = [];
  if (merge) {
    for (const [k, v] of Object.entries(want)) {
      changes.push({ op: "add", path: jsonPointer("data", k), value: v });
    }
    for (const k of Object.keys(known.digests)) {
      if (!(k in after)) changes.push({ op: "remove", path: jsonPointer("data", k) });
    }
  } else {
    changes.push({ op: "add", path: "/data", value: { ...want } });
  }
  changes.push(...adds("labels", secretLabels(id.owner, id.basename, id.kind)));
  const annotations = {
    [ANNOTATION_MANAGED_KEYS]: managed,
    [ANNOTATION_UPDATED_BY]: options.provenance.actor,
    [ANNOTATION_UPDATED_VIA]: options.provenance.via,
    [ANNOTATION_UPDATED_AT]: at,
    ...newSeal
  };
  checkAnnotationSize(kube, id.name, annotations);
  changes.push(...adds("annotations", annotations));
  if (options.immutable && !known.immutable) {
    changes.push({ op: "add", path: "/immutable", value: true });
  }
  let stored = await patch(unchanged ? tests : [...tests, ...changes]);
  if (stored === "not_found") return { existing: null, writes: 0 };
  if (stored === "conflict" || stored === "forbidden") return null;
  let outside = false;
  let final = digests;
  let writes = unchanged ? 0 : 1;
  if (stored === "invalid") {
    stored = await patch([...tests.slice(1), ...changes]);
    if (typeof stored === "string") return null;
    outside = true;
    writes = 1;
    final = await digestValues(keys, id.owner, id.basename, stored.data ?? {});
    if (final.contentDigest !== digests.contentDigest) {
      const held = Object.keys(after).filter((k) => k in final.digests).sort().join(",");
      const resealed = await sealAnnotations(keys, {
        owner: id.owner,
        basename: id.basename,
        kind: id.kind,
        version: seal.version,
        contentDigest: final.contentDigest,
        placement: options.placement
      });
      stored = await patch([
        { op: "test", path: "/metadata/resourceVersion", value: stored.metadata.resourceVersion },
        ...adds("annotations", { [ANNOTATION_MANAGED_KEYS]: held, ...resealed })
      ]);
      if (typeof stored === "string") return { writes: 1 };
      writes = 2;
    }
  }
  const keysOf = (r) => Object.keys(r).sort();
  const now2 = final.digests;
  const base = {
    name: id.name,
    namespace: kube.namespace,
    dryRun: false,
    previousPlacement: parsePlacement(known.placement),
    digests: final,
    ...stored.metadata.resourceVersion ? { resourceVersion: stored.metadata.resourceVersion } : {},
    ...outside ? { changedOutside: true } : {}
  };
  if (unchanged && !outside) {
    return { ...base, added: [], changed: [], removed: [], outcome: "unchanged", writes: 0 };
  }
  return {
    ...base,
    added: keysOf(now2).filter((k) => !(k in known.digests)),
    changed: keysOf(now2).filter((k) => k in known.digests && known.digests[k] !== now2[k]),
    removed: keysOf(known.digests).filter((k) => !(k in now2)),
    outcome: "updated",
    writes
  };
}

// konduktor/ops.ts
var DEFAULT_CONFLICT_RETRIES = 12;
function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
function provenanceAnnotations(p, at) {
  return {
    [ANNOTATION_UPDATED_BY]: p.actor,
    [ANNOTATION_UPDATED_VIA]: p.via,
    [ANNOTATION_UPDATED_AT]: at
  };
}
async function applySecret(kube, desired, options) {
  const id = identityOfDesired(desired);
  const at = options.provenance.at ?? (/* @__PURE__ */ new Date()).toISOString();
  const retries = options.mode === "replace" ? 0 : DEFAULT_CONFLICT_RETRIES;
  const otherGitSsh = async () => (await kube.list(`${LABEL_OWNER}=${id.owner},${LABEL_KIND}=git-ssh`)).filter(
    (s) => s.metadata.name !== id.name && s.metadata.labels?.[LABEL_OWNER] === id.owner
  );
  const mayDelete = (s) => !options.mayDelete || options.mayDelete(s.metadata.labels?.[LABEL_BASENAME] ?? "");
  if (id.kind === "git-ssh" && options.mayDelete) {
    const blocked = (await otherGitSsh()).filter((s) => !mayDelete(s));
    if (blocked.length > 0) {
      throw new KubeError({
        code: "forbidden",
        cluster: kube.cluster,
        namespace: kube.namespace,
        name: id.name,
        message: `owner ${id.owner} has the git-ssh secret ${blocked.map((s) => `"${s.metadata.labels?.[LABEL_BASENAME] ?? s.metadata.name}"`).sort().join(
          ", "
        )} on cluster "${kube.cluster}", which this write would delete (git-ssh is one per owner) and may not touch: nothing was written`
      });
    }
  }
  const known = await applyKnown(kube, id, desired, options, at);
  let result = known && "outcome" in known ? known : void 0;
  const left = known && !("outcome" in known) ? known : void 0;
  const first = left?.existing === null ? { ...options, existing: null } : options;
  for (let attempt = 0; !result; attempt++) {
    try {
      const { existing, ...rest } = first;
      result = await applyOnce(kube, id, desired, attempt === 0 ? first : rest, at);
      if (left) {
        result.writes += left.writes;
        result.changedOutside = true;
      }
      break;
    } catch (error) {
      const raced = error instanceof KubeError && (error.code === "conflict" || error.code === "already_exists" || error.code === "not_found");
      if (!raced) throw error;
      if (attempt === 0 && first.existing !== void 0) continue;
      const conflict = (retryable, what2) => new KubeError({
        code: "conflict",
        httpStatus: error.httpStatus,
        cluster: kube.cluster,
        namespace: kube.namespace,
        name: id.name,
        retryable,
        message: `secret "${id.name}" in namespace "${kube.namespace}" on cluster "${kube.cluster}" ${what2}`
      });
      if (options.mode === "replace") {
        throw conflict(
          false,
          "was changed by someone else during the replace: nothing was overwritten; read it and try again"
        );
      }
      if (attempt >= retries) {
        throw conflict(false, `kept changing under ${attempt + 1} attempts to merge: try again`);
      }
      await sleep(Math.random() * Math.min(1e3, 20 * 2 ** attempt));
    }
  }
  if (id.kind === "git-ssh") {
    const others = (await otherGitSsh()).filter(mayDelete);
    const replaced = [];
    for (const other of others) {
      if (!options.dryRun) {
        try {
          await kube.delete(other.metadata.name, { uid: other.metadata.uid });
          result.writes++;
        } catch (error) {
          if (!(error instanceof KubeError && error.code === "not_found")) throw error;
          continue;
        }
      }
      replaced.push(other.metadata.name);
    }
    result.replacedGitSsh = replaced.sort();
  }
  return result;
}
async function applyOnce(kube, id, desired, options, at) {
  const p = await plan(kube, id, desired, options);
  const base = {
    name: id.name,
    namespace: kube.namespace,
    added: p.added,
    changed: p.changed,
    removed: p.removed,
    dryRun: options.dryRun === true,
    ...p.existing ? {
      previousPlacement: parsePlacement(
        p.existing.metadata.annotations?.[ANNOTATION_PLACEMENT]
      )
    } : {}
  };
  const digests = p.digests ? { digests: p.digests } : {};
  if (p.supersededBy !== void 0) {
    return {
      ...base,
      added: [],
      changed: [],
      removed: [],
      outcome: "unchanged",
      writes: 0,
      supersededBy: p.supersededBy
    };
  }
  const rv = (s) => s?.metadata.resourceVersion ? { resourceVersion: s.metadata.resourceVersion } : {};
  if (p.unchanged)
    return { ...base, ...digests, ...rv(p.existing), outcome: "unchanged", writes: 0 };
  const outcome = p.existing ? "updated" : "created";
  const labels = secretLabels(id.owner, id.basename, id.kind);
  const placement = options.placement ?? p.existing?.metadata.annotations?.[ANNOTATION_PLACEMENT];
  const annotations = {
    [ANNOTATION_MANAGED_KEYS]: p.managed.join(","),
    ...provenanceAnnotations(options.provenance, at),
    ...placement === void 0 ? {} : { [ANNOTATION_PLACEMENT]: placement },
    ...p.sealed ?? {}
  };
  checkAnnotationSize(kube, id.name, { ...p.existing?.metadata.annotations, ...annotations });
  if (options.dryRun) return { ...base, ...digests, outcome, writes: 0 };
  const fresh = () => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: id.name, labels, annotations },
    type: "Opaque",
    ...options.immutable ? { immutable: true } : {},
    data: p.data
  });
  const existing = p.existing;
  if (!existing) {
    const created = await kube.create(fresh());
    return { ...base, ...digests, ...rv(created), outcome, writes: 1 };
  }
  if (existing.immutable && p.dataChanged) {
    await kube.delete(id.name, {
      uid: existing.metadata.uid,
      resourceVersion: existing.metadata.resourceVersion
    });
    const created = await kube.create(fresh());
    return { ...base, ...digests, ...rv(created), outcome, writes: 2 };
  }
  if (options.mode === "replace") {
    const { managedFields: _m, ...metadata } = existing.metadata;
    const replaced = await kube.replace({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        ...metadata,
        labels: { ...existing.metadata.labels ?? {}, ...labels },
        annotations: withoutLegacy({ ...existing.metadata.annotations ?? {}, ...annotations })
      },
      type: existing.type ?? "Opaque",
      ...options.immutable || existing.immutable ? { immutable: true } : {},
      data: p.data
    });
    return { ...base, ...digests, ...rv(replaced), outcome, writes: 1 };
  }
  const dataPatch = {};
  for (const key of [...p.added, ...p.changed]) dataPatch[key] = p.data[key];
  for (const key of p.removed) dataPatch[key] = null;
  const patched = await kube.mergePatch(
    id.name,
    {
      // the legacy plain digest goes (null removes an annotation in a merge patch)
      metadata: {
        labels,
        annotations: { ...annotations, [LEGACY_ANNOTATION_CONTENT_DIGEST]: null }
      },
      ...Object.keys(dataPatch).length ? { data: dataPatch } : {},
      ...options.immutable && !existing.immutable ? { immutable: true } : {}
    },
    existing.metadata.resourceVersion
  );
  return { ...base, ...digests, ...rv(patched), outcome, writes: 1 };
}
function withoutLegacy(annotations) {
  const { [LEGACY_ANNOTATION_CONTENT_DIGEST]: _legacy, ...rest } = annotations;
  return rest;
}
async function deleteOwn(kube, owner, basename, order) {
  const absent = (name) => ({
    outcome: "absent",
    name,
    namespace: kube.namespace,
    writes: 0
  });
  const notFound = (error) => error instanceof KubeError && error.code === "not_found";
  for (let attempt = 0; ; attempt++) {
    let secret;
    try {
      secret = await findOwn(kube, owner, basename);
    } catch (error) {
      if (notFound(error)) return absent(secretName(basename, owner));
      throw error;
    }
    const done = {
      outcome: "deleted",
      name: secret.metadata.name,
      namespace: kube.namespace
    };
    if (!order) {
      try {
        await kube.delete(secret.metadata.name, { uid: secret.metadata.uid });
      } catch (error) {
        if (notFound(error)) return absent(secret.metadata.name);
        throw error;
      }
      return { ...done, writes: 1 };
    }
    const held = await checkSeal(order.keyring, secret);
    if (held.state === "valid" && held.version > order.version) {
      return { ...done, writes: 0, supersededBy: held.version };
    }
    try {
      await kube.delete(secret.metadata.name, {
        uid: secret.metadata.uid,
        resourceVersion: secret.metadata.resourceVersion
      });
      return { ...done, writes: 1 };
    } catch (error) {
      if (notFound(error)) return absent(secret.metadata.name);
      const raced = error instanceof KubeError && error.code === "conflict";
      if (!raced || attempt >= 3) throw error;
    }
  }
}
function desiredCopy(secret, owner, basename) {
  const kind = secret.metadata.labels?.[LABEL_KIND];
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secretName(basename, owner),
      labels: secretLabels(owner, basename, isSecretKind(kind) ? kind : "default")
    },
    type: "Opaque",
    data: { ...secret.data ?? {} }
  };
}

// konduktor/sync.ts
var intentKey = (owner, basename) => `${owner}/${basename}`;
function compareKeys(reference, copy) {
  const ref = reference.digests;
  const got = copy.digests;
  return {
    missing: Object.keys(ref).filter((k) => !(k in got)).sort(),
    extra: Object.keys(got).filter((k) => !(k in ref)).sort(),
    changed: Object.keys(ref).filter((k) => k in got && got[k] !== ref[k]).sort()
  };
}
async function readCopies(kube, cluster, owners, keyring2) {
  const lists = owners === "all" ? [await kube.list(`${LABEL_PARENT}=${PARENT_VALUE}`)] : await Promise.all(owners.map((o) => kube.list(`${LABEL_OWNER}=${o}`)));
  const wanted = owners === "all" ? null : new Set(owners);
  const out = [];
  for (const secret of lists.flat()) {
    const id = konduktorIdentity(secret);
    if (!id) continue;
    if (wanted && !wanted.has(id.owner)) continue;
    if (validateOwner(id.owner).length || validateBasename(id.basename).length) continue;
    if (secret.metadata.name !== secretName(id.basename, id.owner)) continue;
    out.push({ cluster, secret, description: await describeSecret(kube, secret, keyring2) });
  }
  return out;
}
var collator;
function byOwnerThenBasename(a, b) {
  collator ??= new Intl.Collator();
  return collator.compare(a.owner, b.owner) || collator.compare(a.basename, b.basename);
}
function groupCopies(copies) {
  const bySecret = /* @__PURE__ */ new Map();
  for (const copy of copies) {
    const d = copy.description;
    const owner = d.owner;
    const key = intentKey(owner, d.basename);
    let entry = bySecret.get(key);
    if (!entry) {
      entry = { owner, basename: d.basename, secretName: d.name, kind: d.kind, copies: /* @__PURE__ */ new Map() };
      bySecret.set(key, entry);
    }
    entry.copies.set(copy.cluster, copy);
  }
  return [...bySecret.values()].sort(byOwnerThenBasename);
}

// konduktor/wire/answers.ts
function applyRowOf(r) {
  return {
    status: r.outcome,
    secretName: r.name,
    namespace: r.namespace,
    added: r.added,
    changed: r.changed,
    removed: r.removed,
    writes: r.writes,
    dryRun: r.dryRun,
    ...r.replacedGitSsh?.length ? { replacedGitSsh: r.replacedGitSsh } : {},
    ...r.supersededBy === void 0 ? {} : { supersededBy: r.supersededBy },
    ...r.changedOutside ? { changedOutside: true } : {}
  };
}
function writtenAt(d) {
  const t = Date.parse(d.provenance?.at ?? d.updatedAt ?? "");
  return Number.isNaN(t) ? 0 : t;
}
function isPlacedOn(d, cluster) {
  const placement = d?.placement ?? "all";
  return placement === "all" || placement.includes(cluster);
}
function chooseSource(candidates, named) {
  if (named) return candidates.has(named) ? named : null;
  const count = /* @__PURE__ */ new Map();
  for (const d of candidates.values()) {
    count.set(d.contentDigest, (count.get(d.contentDigest) ?? 0) + 1);
  }
  let best = null;
  let bestRank = [];
  for (const [cluster, d] of candidates) {
    const rank = [writtenAt(d), count.get(d.contentDigest) ?? 0];
    const i = rank.findIndex((v, j) => v !== bestRank[j]);
    if (best === null || i >= 0 && rank[i] > bestRank[i]) {
      best = cluster;
      bestRank = rank;
    }
  }
  return best;
}
function ledgerFreeDrift(clusters, found, failed) {
  const candidates = new Map(
    clusters.filter((c) => found.has(c)).map((c) => [c, found.get(c)])
  );
  const reference = chooseSource(candidates);
  const ref = reference ? candidates.get(reference) : void 0;
  const rows = clusters.map((cluster) => {
    if (failed.has(cluster)) return { cluster, state: "unknown" };
    const d = found.get(cluster);
    if (!d) return { cluster, state: isPlacedOn(ref, cluster) ? "missing" : "not-placed" };
    if (!ref || d.contentDigest === ref.contentDigest) return { cluster, state: "in-line" };
    return { cluster, state: "different", keys: compareKeys(ref, d) };
  });
  return {
    ledger: "unledgered",
    version: null,
    reference,
    inLine: rows.every((r) => r.state === "in-line" || r.state === "not-placed"),
    clusters: rows
  };
}
function mergeListings(clusters, listings, results) {
  const failed = new Set(results.filter((r) => r.status === "error").map((r) => r.cluster));
  const merged = /* @__PURE__ */ new Map();
  for (const cluster of clusters) {
    for (const item of listings.get(cluster) ?? []) {
      const row = merged.get(item.name) ?? { first: item, found: /* @__PURE__ */ new Map(), keys: /* @__PURE__ */ new Set() };
      row.found.set(cluster, item);
      for (const k of item.keys) row.keys.add(k);
      merged.set(item.name, row);
    }
  }
  return [...merged.values()].sort(
    (a, b) => a.first.basename.localeCompare(b.first.basename) || a.first.name.localeCompare(b.first.name)
  ).map(({ first, found, keys }) => ({
    name: first.basename,
    secretName: first.name,
    kind: first.kind,
    owner: first.owner,
    keys: [...keys].sort(),
    clusters: clusters.filter((c) => found.has(c)),
    drift: ledgerFreeDrift(clusters, found, failed)
  }));
}
function describeAnswerOf(name, owner, results) {
  const found = /* @__PURE__ */ new Map();
  const failed = /* @__PURE__ */ new Set();
  for (const r of results) {
    if (r.status === "found") {
      found.set(r.cluster, r.secret);
    } else if (r.status !== "missing") failed.add(r.cluster);
  }
  const drift = ledgerFreeDrift(
    results.map((r) => r.cluster),
    found,
    failed
  );
  const agree = found.size > 0 && drift.inLine;
  const reference = drift.reference ? found.get(drift.reference) : void 0;
  return {
    name,
    owner,
    agree,
    contentDigest: agree && reference ? reference.contentDigest : null,
    drift,
    results
  };
}

// cli/direct-sync.ts
async function localKeyring() {
  const key = () => crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 256 }, false, [
    "sign",
    "verify"
  ]);
  const current = { keyId: "ksb-local", digest: await key(), mac: await key() };
  return { current, byId: (id) => id === current.keyId ? current : void 0 };
}
var diffText = (keys) => [
  keys.missing.length ? `missing ${keys.missing.join(", ")}` : "",
  keys.changed.length ? `changed ${keys.changed.join(", ")}` : "",
  keys.extra.length ? `extra ${keys.extra.join(", ")}` : ""
].filter(Boolean).join("; ");
function planDirectSync(input) {
  const plan2 = { secrets: 0, inLine: 0, entries: [], skipped: [] };
  const gitSshWinner = /* @__PURE__ */ new Map();
  for (const s of input.secrets) {
    if (s.kind !== "git-ssh") continue;
    const at = Math.max(...[...s.copies.values()].map((c) => writtenAt(c.description)));
    const best = gitSshWinner.get(s.owner);
    if (!best || at > best.at) gitSshWinner.set(s.owner, { basename: s.basename, at });
  }
  for (const s of input.secrets) {
    if (input.names && !input.names(s.basename)) continue;
    plan2.secrets++;
    const base = { owner: s.owner, secret: s.basename, secretName: s.secretName };
    const winner = gitSshWinner.get(s.owner)?.basename;
    if (s.kind === "git-ssh" && winner !== s.basename) {
      plan2.skipped.push({
        ...base,
        reason: `git-ssh is one per owner and "${winner}" is newer: not copied (writing it would delete the newer one)`
      });
      continue;
    }
    const blockerOn = (cluster) => s.kind !== "git-ssh" || !input.names ? void 0 : input.secrets.find(
      (o) => o.owner === s.owner && o.kind === "git-ssh" && o.basename !== s.basename && o.copies.has(cluster) && !input.names?.(o.basename)
    );
    const candidates = /* @__PURE__ */ new Map();
    for (const cluster of input.clusters) {
      const copy = s.copies.get(cluster);
      if (copy) candidates.set(cluster, copy.description);
    }
    const source = chooseSource(candidates, input.source);
    const ref = source ? candidates.get(source) : void 0;
    if (!ref) {
      plan2.skipped.push({ ...base, reason: `not on the source context ${input.source}` });
      continue;
    }
    const before = [plan2.entries.length, plan2.skipped.length];
    for (const cluster of input.clusters) {
      if (cluster === source || !isPlacedOn(ref, cluster)) continue;
      const copy = s.copies.get(cluster);
      if (copy && copy.description.contentDigest === ref.contentDigest) continue;
      const blocker = blockerOn(cluster);
      if (blocker) {
        plan2.skipped.push({
          ...base,
          cluster,
          reason: `git-ssh is one per owner: writing it on ${cluster} would delete "${blocker.basename}", which is outside the names of this sync`
        });
        continue;
      }
      const entry = { ...base, cluster, source, version: null };
      if (!copy) {
        plan2.entries.push({
          ...entry,
          action: "create",
          keys: Object.keys(ref.digests).sort(),
          reason: `missing on ${cluster}`
        });
        continue;
      }
      const diff = compareKeys(ref, copy.description);
      plan2.entries.push({
        ...entry,
        action: "update",
        keys: [...diff.missing, ...diff.changed, ...diff.extra].sort(),
        reason: `differs from ${source} (${diffText(diff)})`
      });
    }
    if (plan2.entries.length === before[0] && plan2.skipped.length === before[1]) plan2.inLine++;
  }
  return plan2;
}
async function executeDirectPlan(input) {
  const bySecret = new Map(input.secrets.map((s) => [intentKey(s.owner, s.basename), s]));
  const entries = input.plan.entries;
  const results = await fanout(
    entries.map((_, i) => String(i)),
    async (id, signal) => {
      const entry = entries[Number(id)];
      const secret = bySecret.get(intentKey(entry.owner, entry.secret));
      const from = secret.copies.get(entry.source);
      if (!from) throw new Error(`no copy on ${entry.source}`);
      const prov = from.description.provenance;
      const r = await applySecret(
        input.open(entry.cluster, signal),
        desiredCopy(from.secret, entry.owner, entry.secret),
        {
          mode: "replace",
          immutable: from.description.immutable,
          placement: formatPlacement(from.description.placement),
          ...input.mayDelete ? { mayDelete: input.mayDelete } : {},
          provenance: {
            actor: prov?.actor || "unknown",
            via: input.via,
            at: prov?.at ?? from.description.updatedAt ?? (/* @__PURE__ */ new Date()).toISOString()
          }
        }
      );
      return { writes: r.writes };
    },
    input.fanout
  );
  return results.map((r, i) => {
    const entry = entries[i];
    return isFailure(r) ? { ...entry, status: "error", code: r.code, message: r.message } : { ...entry, status: "done", writes: r.writes };
  });
}

// cli/owner.ts
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, hostname, userInfo } from "node:os";
import { join } from "node:path";
var md5 = (text) => createHash("md5").update(text).digest("hex");
function getpassUser(env = process.env) {
  for (const key of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const v = env[key];
    if (v) return v;
  }
  return userInfo().username;
}
function userAndHostHash(user, host) {
  return md5(`${user}-${md5(host).slice(-4)}`).slice(0, 8);
}
function konduktorOwner(explicit, env = process.env) {
  if (explicit !== void 0) {
    if (!OWNER_HASH_RE.test(explicit)) {
      throw usage(
        `--owner "${explicit.slice(0, 40)}": an owner is 8 hexadecimal characters, like 0a1b2c3d`
      );
    }
    return { owner: explicit, from: "--owner" };
  }
  const fromEnv = env.KONDUKTOR_USER_ID;
  if (fromEnv !== void 0 && OWNER_HASH_RE.test(fromEnv)) {
    return { owner: fromEnv, from: "KONDUKTOR_USER_ID" };
  }
  const home = env.HOME ?? homedir();
  const file = join(home, ".konduktor", "user_hash");
  if (existsSync(file)) {
    const cached = readFileSync(file, "utf8").trim();
    if (OWNER_HASH_RE.test(cached)) {
      return { owner: cached, from: "~/.konduktor/user_hash" };
    }
  }
  const owner = userAndHostHash(getpassUser(env), hostname());
  mkdirSync(join(home, ".konduktor"), { recursive: true });
  writeFileSync(file, owner);
  return { owner, from: "user and host hash" };
}

// cli/direct.ts
function resolveDirect(flags, env = process.env) {
  const kubeconfig = mergeKubeconfigs(kubeconfigPaths(flags.kubeconfig, env));
  const { names } = kubeconfigContexts(kubeconfig);
  let contexts;
  if (flags.contexts === void 0 || flags.contexts === "") {
    contexts = [defaultContext(kubeconfig, env)];
  } else if (flags.contexts === "all") {
    contexts = names;
  } else {
    contexts = [
      ...new Set(
        flags.contexts.split(",").map((c) => c.trim()).filter(Boolean)
      )
    ];
    const unknown = contexts.filter((c) => !names.includes(c));
    if (unknown.length) {
      throw usage(
        `--contexts: ${unknown.join(", ")} not in the kubeconfig (it has ${names.join(", ") || "no contexts"})`
      );
    }
  }
  if (contexts.length === 0) throw usage("the kubeconfig has no contexts");
  return {
    kubeconfig,
    contexts,
    timeoutMs: flags.timeoutMs,
    owner: konduktorOwner(flags.owner, env)
  };
}
function open(target, context, signal) {
  return createClientNodeKubeSecrets({
    kubeconfig: target.kubeconfig,
    context,
    cluster: context,
    timeoutMs: target.timeoutMs,
    signal
  });
}
var limit = pLimit2(8);
var keyring = localKeyring();
function perContext(target, op, contexts = target.contexts) {
  return new Map(
    contexts.map((context) => [
      context,
      limit(
        () => fanout([context], (c, signal) => op(open(target, c, signal), c), {
          timeoutMs: target.timeoutMs,
          retries: 2
        })
      ).then((r) => r[0])
    ])
  );
}
var all = (m) => Promise.all([...m.values()]);
function putDirect(target, name, req) {
  if (req.prune && req.mode !== "merge") throw usage("--prune applies to --mode merge only");
  const owner = target.owner.owner;
  const { problems, secret } = checkSecretInput({
    owner,
    basename: name,
    kind: req.kind,
    source: req.source
  });
  if (!secret) throw usage(`the secret is not valid: ${ValidationError.of(problems).message}`);
  const provenance = { actor: `ksb:${getpassUser()}`, via: "ksb:direct" };
  const runs = perContext(target, async (kube) => {
    const r = await applySecret(kube, secret, {
      mode: req.mode,
      prune: req.prune,
      immutable: req.immutable,
      dryRun: req.dryRun,
      provenance
    });
    return applyRowOf(r);
  });
  const results = runs;
  const answer = (async () => {
    const { digests, contentDigest } = await digestValues(
      (await keyring).current,
      owner,
      name,
      secret.data
    );
    return {
      name,
      owner,
      kind: req.kind,
      secretName: secret.metadata.name,
      mode: req.mode,
      dryRun: req.dryRun,
      keys: Object.keys(digests),
      digests,
      contentDigest,
      version: null,
      results: await all(results)
    };
  })();
  return { results, answer };
}
async function listDirect(target, allUsers) {
  const owner = allUsers ? null : target.owner.owner;
  const listings = /* @__PURE__ */ new Map();
  const results = await all(
    perContext(target, async (kube, context) => {
      const items = await describeListing(kube, owner, await keyring);
      listings.set(context, items);
      return { status: "ok", count: items.length };
    })
  );
  return {
    scope: allUsers ? "all" : "own",
    owner,
    secrets: mergeListings(target.contexts, listings, results),
    results
  };
}
async function describeDirect(target, name) {
  const owner = target.owner.owner;
  const results = await all(
    perContext(target, async (kube) => {
      try {
        return {
          status: "found",
          secret: await describe(kube, owner, name, await keyring)
        };
      } catch (error) {
        if (error.code === "not_found")
          return { status: "missing" };
        throw error;
      }
    })
  );
  return describeAnswerOf(name, owner, results);
}
function deleteDirect(target, name) {
  const owner = target.owner.owner;
  const results = perContext(target, async (kube) => {
    const r = await deleteOwn(kube, owner, name);
    return { status: "deleted", secretName: r.name, namespace: r.namespace };
  });
  return { results, answer: all(results).then((r) => ({ name, owner, results: r })) };
}
async function syncDirect(target, options) {
  const started = Date.now();
  const owners = [target.owner.owner];
  if (options.source !== null && !target.contexts.includes(options.source)) {
    throw usage(
      `--source ${options.source} is not one of the contexts (${target.contexts.join(", ")})`
    );
  }
  const copies = [];
  const reads = await all(
    perContext(target, async (kube, context) => {
      const found = await readCopies(kube, context, owners, await keyring);
      copies.push(...found);
      return { status: "read", secrets: found.length };
    })
  );
  const results = reads.map(
    (r) => isFailure(r) ? { cluster: r.cluster, status: "error", code: r.code, message: r.message } : { cluster: r.cluster, status: "read", secrets: r.secrets }
  );
  const readable = results.filter((r) => r.status === "read").map((r) => r.cluster);
  const secrets = groupCopies(copies.filter((c) => readable.includes(c.cluster)));
  const plan2 = planDirectSync({
    clusters: readable,
    secrets,
    source: options.source,
    ...options.names ? { names: options.names } : {}
  });
  const entries = options.dryRun ? plan2.entries.map((e) => ({ ...e, status: "planned" })) : await executeDirectPlan({
    plan: plan2,
    secrets,
    open: (cluster, signal) => open(target, cluster, signal),
    fanout: { timeoutMs: target.timeoutMs, retries: 2 },
    via: "ksb:direct:sync",
    ...options.names ? { mayDelete: options.names } : {}
  });
  return {
    dryRun: options.dryRun,
    owners,
    clusters: target.contexts,
    targets: target.contexts,
    source: options.source,
    results,
    plan: entries,
    skipped: plan2.skipped,
    unledgered: [],
    summary: {
      secrets: plan2.secrets,
      inLine: plan2.inLine,
      planned: plan2.entries.length,
      done: entries.filter((e) => e.status === "done").length,
      failed: entries.filter((e) => e.status === "error").length,
      unreadableClusters: results.length - readable.length,
      unledgered: 0
    },
    durationMs: Date.now() - started
  };
}
export {
  deleteDirect,
  describeDirect,
  listDirect,
  perContext,
  putDirect,
  resolveDirect,
  syncDirect
};
