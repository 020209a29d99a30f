/**
 * The broker's fan-out settings (concurrency, per-cluster timeout, retries from the config) and
 * its error classification, shared by the secret routes and sync runs. An error that is neither a
 * KubeError nor a coded error (ValidationError, the registry's own) is logged by name and message
 * and answered as `internal_error`, so its message never reaches a caller.
 */
import type { FanoutOptions } from "../konduktor/fanout.ts";
import { isKubeError } from "../konduktor/kube/errors.ts";
import type { Services } from "./context.ts";

/**
 * @param where names the operation in the error log line
 * @param logFields more fields of that log line (placed before `where`), e.g. the request id
 */
export function brokerFanoutOptions(
  services: Pick<Services, "config" | "log">,
  where: string,
  logFields: Record<string, unknown> = {},
): FanoutOptions {
  const { config, log } = services;
  return {
    concurrency: config.fanoutConcurrency,
    timeoutMs: config.clusterTimeoutMs,
    retries: config.clusterRetries,
    classify: (error) => {
      if (isKubeError(error)) {
        return {
          code: error.code,
          message: error.message,
          retryable: error.retryable,
          ...(error.retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds: error.retryAfterSeconds }),
        };
      }
      const e = error as { code?: unknown; message?: unknown; retryable?: unknown };
      if (e && typeof e.code === "string" && typeof e.message === "string") {
        // ValidationError (invalid_input) and the registry's own errors: messages without values
        return { code: e.code, message: e.message, retryable: e.retryable === true };
      }
      log({
        type: "error",
        ...logFields,
        where,
        error: error instanceof Error ? `${error.name}: ${error.message}` : "non-error thrown",
      });
      return { code: "internal_error", message: "unexpected error", retryable: false };
    },
  };
}
