/**
 * The broker's fan-out settings (concurrency, per-cluster timeout, retries from the config), shared
 * by the secret routes, sync runs and the cluster health check. Errors are read by the core's safe
 * `classifyError` (konduktor/errors.ts): the project's own errors keep their code and message;
 * anything else is answered as `internal_error` and logged here by name and code (never its
 * message, which could hold anything).
 */
import { classifyError, KonduktorError } from "../konduktor/errors.ts";
import type { FanoutErrorInfo, FanoutOptions } from "../konduktor/fanout.ts";
import type { Services } from "./context.ts";

/**
 * `classifyError`, logging an error that is not the project's own.
 * @param where names the operation in the error log line
 * @param logFields more fields of that log line (placed before `where`), e.g. the request id
 */
export function brokerClassify(
  log: Services["log"],
  where: string,
  logFields: Record<string, unknown> = {},
): (error: unknown) => FanoutErrorInfo {
  return (error) => {
    if (!(error instanceof KonduktorError)) {
      const code = (error as { code?: unknown } | null)?.code;
      log({
        type: "error",
        ...logFields,
        where,
        error: error instanceof Error ? error.name : "non-error thrown",
        ...(typeof code === "string" ? { code } : {}),
      });
    }
    return classifyError(error);
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
