/**
 * The errors of every KubeSecrets adapter (KonduktorErrors, ../errors.ts), built from a Kubernetes
 * `Status` object (or just an HTTP status) or from a network error. Messages are written here: a raw API body, a token or a
 * secret value never reaches them. Server-side `causes` keep their field and a cleaned message with
 * every quoted value hidden.
 */

import { KonduktorError } from "../errors.ts";

export const KUBE_ERROR_CODES = [
  "not_found",
  "conflict",
  "already_exists",
  "forbidden",
  "unauthorized",
  "invalid",
  "too_large",
  "throttled",
  "unreachable",
  "timeout",
  "server_error",
  "unsupported",
  /** a Secret of that name exists but belongs to another owner (or to no Konduktor owner) */
  "not_owner",
  /** more than one Secret matched where one was expected */
  "ambiguous",
  /** the kubeconfig context's namespace does not exist on the cluster */
  "namespace_not_found",
] as const;
export type KubeErrorCode = (typeof KUBE_ERROR_CODES)[number];

export interface KubeErrorCause {
  field: string;
  /** the server's reason type, e.g. `FieldValueInvalid` */
  reason?: string;
  /** cleaned: quoted values replaced by `"…"` */
  message: string;
}

/** What was being done when the error happened (for the message). */
export interface KubeErrorContext {
  cluster?: string;
  namespace?: string;
  /** Kubernetes verb: get, list, create, patch, update, delete, … */
  verb?: string;
  /** e.g. `secrets` */
  resource?: string;
  /** object name (never a value) */
  name?: string;
  /** server URL, for unreachable/timeout messages (never includes credentials) */
  server?: string;
}

export interface KubeErrorInit extends KubeErrorContext {
  code: KubeErrorCode;
  message: string;
  httpStatus?: number;
  retryable?: boolean;
  retryAfterSeconds?: number;
  causes?: KubeErrorCause[];
}

/** A cluster's refusal or failure, read from its answer (or from the network error). */
export class KubeError extends KonduktorError {
  override readonly name = "KubeError";
  declare readonly code: KubeErrorCode;
  readonly httpStatus: number | undefined;
  readonly cluster: string | undefined;
  readonly namespace: string | undefined;
  readonly verb: string | undefined;
  readonly resource: string | undefined;
  readonly objectName: string | undefined;
  readonly causes: readonly KubeErrorCause[];

  constructor(init: KubeErrorInit) {
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
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.httpStatus === undefined ? {} : { httpStatus: this.httpStatus }),
      retryable: this.retryable,
      ...(this.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: this.retryAfterSeconds }),
      ...(this.cluster === undefined ? {} : { cluster: this.cluster }),
      ...(this.causes.length ? { causes: this.causes } : {}),
    };
  }
}

export function isKubeError(error: unknown): error is KubeError {
  return error instanceof KubeError;
}

/** The parts of a Kubernetes `metav1.Status` we read. */
interface StatusLike {
  kind?: unknown;
  status?: unknown;
  reason?: unknown;
  message?: unknown;
  code?: unknown;
  details?: {
    name?: unknown;
    kind?: unknown;
    causes?: { field?: unknown; reason?: unknown; message?: unknown }[];
    retryAfterSeconds?: unknown;
  };
}

function asStatus(body: unknown): StatusLike | undefined {
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (body && typeof body === "object" && (body as StatusLike).kind === "Status") {
    return body as StatusLike;
  }
  return undefined;
}

/** Hides every quoted part of a server message (values appear quoted in Kubernetes messages). */
export function cleanServerText(text: string, max = 200): string {
  const cleaned = text
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/`(?:[^`\\]|\\.)*`/g, "`…`")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

function causesOf(status: StatusLike | undefined): KubeErrorCause[] {
  const raw = status?.details?.causes;
  if (!Array.isArray(raw)) return [];
  return raw.slice(0, 20).map((c) => ({
    field: typeof c.field === "string" ? cleanServerText(c.field, 120) : "",
    ...(typeof c.reason === "string" ? { reason: c.reason } : {}),
    message: typeof c.message === "string" ? cleanServerText(c.message) : "",
  }));
}

function where(ctx: KubeErrorContext): string {
  const parts: string[] = [];
  if (ctx.namespace) parts.push(`in namespace "${ctx.namespace}"`);
  if (ctx.cluster) parts.push(`on cluster "${ctx.cluster}"`);
  return parts.length ? ` ${parts.join(" ")}` : "";
}

function what(ctx: KubeErrorContext): string {
  const resource = singular(ctx.resource ?? "secrets");
  return ctx.name ? `${resource} "${ctx.name}"` : resource;
}

function singular(resource: string): string {
  return resource.endsWith("s") ? resource.slice(0, -1) : resource;
}

function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}

/** The kubeconfig context's namespace does not exist on the cluster: say so, and how to fix it. */
export function namespaceNotFound(ctx: KubeErrorContext & { httpStatus?: number }): KubeError {
  const ns = ctx.namespace ?? "";
  return new KubeError({
    ...ctx,
    resource: "namespaces",
    code: "namespace_not_found",
    message: `namespace "${ns}" does not exist${ctx.cluster ? ` on cluster "${ctx.cluster}"` : ""}: create it (\`kubectl create namespace ${ns}\`) or register the cluster with a context whose namespace exists`,
  });
}

/**
 * A KubeError from an HTTP error answer. `body` may be the parsed or unparsed answer; only a
 * `Status` object's reason, details.kind, details.causes and retryAfterSeconds are used, and the
 * verb/resource of a Forbidden message.
 */
export function kubeErrorFromResponse(
  httpStatus: number,
  body: unknown,
  ctx: KubeErrorContext & { retryAfterHeader?: string | null },
): KubeError {
  const status = asStatus(body);
  const reason = typeof status?.reason === "string" ? status.reason : "";
  const detailsKind = typeof status?.details?.kind === "string" ? status.details.kind : undefined;
  const serverMessage = typeof status?.message === "string" ? status.message : "";
  const causes = causesOf(status);
  const retryAfterSeconds =
    parseRetryAfter(ctx.retryAfterHeader) ??
    (typeof status?.details?.retryAfterSeconds === "number"
      ? status.details.retryAfterSeconds
      : undefined);
  const base = {
    httpStatus,
    cluster: ctx.cluster,
    namespace: ctx.namespace,
    verb: ctx.verb,
    resource: ctx.resource ?? detailsKind,
    name: ctx.name,
    server: ctx.server,
  };
  const w = where(ctx);

  if (httpStatus === 401) {
    return new KubeError({
      ...base,
      code: "unauthorized",
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} did not accept the credentials (401 Unauthorized): the token or client certificate in the kubeconfig is wrong or expired; renew it`,
    });
  }
  if (httpStatus === 403) {
    // "… cannot create resource \"secrets\" in API group \"\" in the namespace \"x\"": take verb and resource.
    const m = /cannot (\w+) resource "([^"]*)"/.exec(serverMessage);
    const verb = m?.[1] ?? ctx.verb ?? "access";
    const resource = m?.[2] || ctx.resource || detailsKind || "secrets";
    return new KubeError({
      ...base,
      verb,
      resource,
      code: "forbidden",
      message: `not allowed to ${verb} ${resource}${w} (403 Forbidden): grant the kubeconfig's user the RBAC verb "${verb}" on "${resource}" in that namespace`,
    });
  }
  if (httpStatus === 404 && detailsKind === "namespaces") {
    // a create in a namespace that does not exist (the API server's NamespaceLifecycle check)
    const ns =
      ctx.namespace ?? (typeof status?.details?.name === "string" ? status.details.name : "");
    return namespaceNotFound({ ...base, namespace: ns });
  }
  if (httpStatus === 404) {
    return new KubeError({
      ...base,
      code: "not_found",
      message: `${what(ctx)} not found${w}`,
    });
  }
  if (httpStatus === 409) {
    if (reason === "AlreadyExists") {
      return new KubeError({
        ...base,
        code: "already_exists",
        message: `${what(ctx)} already exists${w}`,
      });
    }
    return new KubeError({
      ...base,
      code: "conflict",
      message: `${what(ctx)} was changed by someone else while this operation ran${w} (409 Conflict): read it again and retry`,
    });
  }
  if (
    httpStatus === 413 ||
    causes.some((c) => c.reason === "FieldValueTooLong" && /^data/.test(c.field))
  ) {
    return new KubeError({
      ...base,
      code: "too_large",
      causes,
      message: `${what(ctx)} is too large for the cluster${w}: Kubernetes allows at most 1 MiB of values per secret`,
    });
  }
  if (httpStatus === 422 || httpStatus === 400) {
    const detail = causes.length
      ? `: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join("; ")}`
      : "";
    return new KubeError({
      ...base,
      code: "invalid",
      causes,
      message: `the cluster rejected ${what(ctx)} as invalid${w}${detail}`,
    });
  }
  if (httpStatus === 429) {
    return new KubeError({
      ...base,
      code: "throttled",
      retryable: true,
      retryAfterSeconds,
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} asked to slow down (429 Too Many Requests)${retryAfterSeconds === undefined ? "" : `; retry after ${retryAfterSeconds} s`}`,
    });
  }
  if (httpStatus === 405 || httpStatus === 415 || httpStatus === 406 || httpStatus === 501) {
    return new KubeError({
      ...base,
      code: "unsupported",
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} does not support this request (HTTP ${httpStatus})`,
    });
  }
  if (httpStatus === 504 || reason === "Timeout" || reason === "ServerTimeout") {
    return new KubeError({
      ...base,
      code: "timeout",
      retryable: true,
      retryAfterSeconds,
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} timed out (HTTP ${httpStatus}); retry later`,
    });
  }
  if (httpStatus >= 500) {
    return new KubeError({
      ...base,
      code: "server_error",
      retryable: true,
      retryAfterSeconds,
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} answered with a server error (HTTP ${httpStatus}); retry later`,
    });
  }
  return new KubeError({
    ...base,
    code: "unsupported",
    message: `unexpected answer from the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} (HTTP ${httpStatus})`,
  });
}
