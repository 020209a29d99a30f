/**
 * The broker's fan-out settings (concurrency, per-cluster timeout, retries from the config) and
 * its error classification, shared by the secret routes, sync runs and the cluster health check.
 * Only the broker's known error types (KubeError, KubeconfigError, ValidationError, ApiError and
 * the registry's BrokerKeyError) are answered with their own code and message, read by
 * `classifyByShape`; anything else is logged by name and code (never its message) and answered
 * as `internal_error`, so its message never reaches a caller.
 */
import { classifyByShape, type FanoutErrorInfo, type FanoutOptions } from "../konduktor/fanout.ts";
import { isKubeError } from "../konduktor/kube/errors.ts";
import { KubeconfigError } from "../konduktor/kube/kubeconfig.ts";
import { ValidationError } from "../konduktor/secret.ts";
import type { Services } from "./context.ts";
import { ApiError } from "./problem.ts";
import { BrokerKeyError } from "./registry/clusters.ts";

/** An error whose code and message the broker made itself, safe to answer as they are. */
function isKnownError(error: unknown): boolean {
  return (
    isKubeError(error) ||
    error instanceof KubeconfigError ||
    (error instanceof ValidationError && error.code === "invalid_input") ||
    error instanceof ApiError ||
    error instanceof BrokerKeyError
  );
}

/**
 * Classifies an operation's error for a per-cluster result; an unknown error is logged (by name
 * and code, never its message) and answered as `internal_error`.
 * @param where names the operation in the error log line
 * @param logFields more fields of that log line (placed before `where`), e.g. the request id
 */
export function brokerClassify(
  log: Services["log"],
  where: string,
  logFields: Record<string, unknown> = {},
): (error: unknown) => FanoutErrorInfo {
  return (error) => {
    if (isKnownError(error)) return classifyByShape(error);
    const code = (error as { code?: unknown } | null)?.code;
    log({
      type: "error",
      ...logFields,
      where,
      error: error instanceof Error ? error.name : "non-error thrown",
      ...(typeof code === "string" ? { code } : {}),
    });
    return { code: "internal_error", message: "unexpected error", retryable: false };
  };
}

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
    classify: brokerClassify(log, where, logFields),
  };
}
