/**
 * One error model for the whole project. Every error the code makes itself is a `KonduktorError`:
 * a stable `code`, a message that says what to fix and never holds a value, a token or a
 * kubeconfig, and whether trying again may help. The subclasses only add context (KubeError: the
 * cluster's answer; KubeconfigError and ValidationError: the field; ApiError: the HTTP answer).
 *
 * The catalogue below is every code an answer can carry, with its HTTP status: the broker's own
 * (problem details) and `cluster_<code>`, the answer when every target cluster failed the same
 * way. The broker, the Action and the CLI read the same codes.
 *
 * `classifyError` is the safe reading of any thrown value, the default of every fan-out
 * (./fanout.ts): a KonduktorError keeps its code and message; anything else (a library's error,
 * a plain object with a `code`) is `internal_error` with a fixed text, because its message could
 * hold anything.
 */

export interface ErrorInit {
  retryable?: boolean | undefined;
  retryAfterSeconds?: number | undefined;
  cause?: unknown;
}

export class KonduktorError extends Error {
  override readonly name: string = "KonduktorError";
  readonly code: string;
  /** worth retrying with backoff (429, 5xx, network, timeout) */
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  constructor(code: string, message: string, init: ErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.retryable = init.retryable ?? false;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** The HTTP status of every code an answer can carry (problem details `code`). */
export const ERROR_STATUS = {
  // a request the broker refuses
  malformed_json: 400,
  invalid_input: 400,
  invalid_kubeconfig: 400,
  unauthorized: 401,
  webhook_unsigned: 401,
  webhook_timestamp_out_of_range: 401,
  webhook_signature_invalid: 401,
  forbidden: 403,
  not_found: 404,
  unknown_hook: 404,
  method_not_allowed: 405,
  conflict: 409,
  webhook_in_progress: 409,
  webhook_stale: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  // the broker's own failure
  internal_error: 500,
  broker_misconfigured: 500,
  // GitHub's OIDC keys could not be fetched: not the token's fault, try again
  oidc_unavailable: 503,
  // every target cluster failed: differently, or each the same way (`cluster_<code>`)
  clusters_failed: 502,
  cluster_conflict: 409,
  cluster_already_exists: 409,
  cluster_not_owner: 409,
  cluster_ambiguous: 409,
  cluster_too_large: 413,
  cluster_invalid: 422,
  cluster_forbidden: 502,
  cluster_unauthorized: 502,
  cluster_unreachable: 502,
  cluster_server_error: 502,
  cluster_unsupported: 502,
  cluster_namespace_not_found: 502,
  cluster_invalid_input: 502,
  cluster_invalid_kubeconfig: 502,
  cluster_broker_key_error: 502,
  cluster_internal_error: 502,
  cluster_throttled: 503,
  cluster_timeout: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

const TITLES: Partial<Record<ErrorCode, string>> = {
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  payload_too_large: "Request body too large",
  unsupported_media_type: "Unsupported media type",
  malformed_json: "Malformed JSON",
  invalid_input: "Invalid input",
  invalid_kubeconfig: "Invalid kubeconfig",
  internal_error: "Internal error",
  broker_misconfigured: "Broker misconfigured",
  clusters_failed: "Every cluster failed",
};

/** A problem's title: the catalogue's, or the code in words (`cluster timeout`). */
export function titleOf(code: string): string {
  return TITLES[code as ErrorCode] ?? code.replaceAll("_", " ");
}

/**
 * The answer when every target cluster failed with the same per-cluster `code`: `not_found` stays
 * `not_found` (404); any other becomes `cluster_<code>` with its status (502 when not listed).
 */
export function clusterProblem(code: string): { code: string; status: number } {
  if (code === "not_found") return { code, status: 404 };
  const problem = `cluster_${code}`;
  return { code: problem, status: ERROR_STATUS[problem as ErrorCode] ?? 502 };
}

/** What a fan-out keeps of a failure: safe to answer as it is. */
export interface ErrorInfo {
  code: string;
  message: string;
  retryable: boolean;
  retryAfterSeconds?: number;
}

/** The safe reading of a thrown value (see the module comment). */
/**
 * An error as a log line may show it: the project's own errors by code and message (never a
 * value), anything else by its class name only (its message may hold anything).
 */
export function errorForLog(error: unknown): string {
  if (error instanceof KonduktorError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.name : "non-error thrown";
}

export function classifyError(error: unknown): ErrorInfo {
  if (error instanceof KonduktorError) {
    return {
      code: error.code,
      message: error.message || error.code,
      retryable: error.retryable,
      ...(error.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: error.retryAfterSeconds }),
    };
  }
  return { code: "internal_error", message: "unexpected error", retryable: false };
}
