/**
 * A KubeError from a thrown fetch / network / abort error: timeout, TLS, aborted, or unreachable
 * with the network code (ECONNREFUSED, …). Only names and codes along the error's `cause` chain
 * are read, never its message: it may quote anything.
 */
import { KubeError, type KubeErrorContext } from "./errors.ts";

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

/** Names and codes along an error's `cause` chain (never its message: it may quote anything). */
function errorChain(error: unknown): { name?: string; code?: string }[] {
  const chain: { name?: string; code?: string }[] = [];
  let current: unknown = error;
  for (let i = 0; i < 5 && current && typeof current === "object"; i++) {
    const e = current as { name?: unknown; code?: unknown; cause?: unknown };
    chain.push({
      name: typeof e.name === "string" ? e.name : undefined,
      code: typeof e.code === "string" ? e.code : undefined,
    });
    current = e.cause;
  }
  return chain;
}

/** A KubeError from a thrown fetch/network/abort error (its text is not copied, only its code). */
export function kubeErrorFromNetwork(
  error: unknown,
  ctx: KubeErrorContext & { timeoutMs?: number },
): KubeError {
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
    server: ctx.server,
  };
  if (
    chain.some(
      (e) =>
        e.name === "TimeoutError" ||
        e.code === "UND_ERR_CONNECT_TIMEOUT" ||
        e.code === "UND_ERR_HEADERS_TIMEOUT" ||
        e.code === "UND_ERR_BODY_TIMEOUT" ||
        e.code === "ETIMEDOUT",
    )
  ) {
    return new KubeError({
      ...base,
      code: "timeout",
      retryable: true,
      message: `${cluster}${at} did not answer in time${ctx.timeoutMs ? ` (${ctx.timeoutMs} ms)` : ""}`,
    });
  }
  const tls = chain.find(
    (e) =>
      e.code &&
      (TLS_CODES.has(e.code) || e.code.startsWith("ERR_TLS") || e.code.startsWith("ERR_SSL")),
  );
  if (tls) {
    return new KubeError({
      ...base,
      code: "unreachable",
      retryable: false,
      message: `the TLS connection to ${cluster}${at} failed (${tls.code}): check the kubeconfig's certificate-authority-data, server name and client certificate`,
    });
  }
  if (chain.some((e) => e.name === "AbortError")) {
    return new KubeError({
      ...base,
      code: "timeout",
      retryable: true,
      message: `the request to ${cluster}${at} was aborted`,
    });
  }
  const code = chain.find((e) => e.code)?.code;
  const hint: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host name not found",
    EAI_AGAIN: "host name lookup failed",
    ECONNRESET: "connection reset",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    UND_ERR_SOCKET: "connection closed",
  };
  const detail = code ? (hint[code] ?? code) : "network error";
  return new KubeError({
    ...base,
    code: "unreachable",
    retryable: true,
    message: `cannot reach ${cluster}${at} (${detail}): check the kubeconfig's server address and the network`,
  });
}

/** scheme://host:port of a URL, without user info, path or query. */
export function safeOrigin(server: string): string {
  try {
    return new URL(server).origin;
  } catch {
    return "(invalid server URL)";
  }
}
