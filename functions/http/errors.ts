/**
 * Every failure of a request becomes one problem-details answer here (`app.onError`): a broker
 * error with its code and status, Hono's 413 / 415 / 400 (body too large, not JSON, malformed
 * JSON) with a message that says what to fix, anything else a generic 500 logged with the request
 * id (its message never reaches the caller). A refused mutating call gets its audit line here
 * unless its route wrote one.
 */
import { HTTPException } from "hono/http-exception";
import { audit } from "../audit.ts";
import type { AppContext } from "../context.ts";
import { ApiError, problemResponse } from "../problem.ts";

const HONO_PROBLEMS: Record<number, { code: string; detail: (maxBodyBytes: number) => string }> = {
  413: {
    code: "payload_too_large",
    detail: (max) =>
      `the request body is larger than ${max} bytes: send less (a secret holds at most 1 MiB of values)`,
  },
  415: {
    code: "unsupported_media_type",
    detail: () => "send the body as JSON with `Content-Type: application/json`",
  },
  400: {
    code: "malformed_json",
    detail: () => "the request body is not valid JSON: check quotes, commas and brackets",
  },
};

export function requestIdOf(c: AppContext): string {
  return c.get("requestId") ?? "unknown";
}

/** Audits a refused mutating call (4xx) that its route did not audit: no body, no value. */
function auditRefusal(c: AppContext, error: unknown): void {
  const status =
    error instanceof ApiError ? error.status : error instanceof HTTPException ? error.status : 0;
  const mutating = c.req.method !== "GET" && c.req.method !== "HEAD";
  if (!mutating || status < 400 || status >= 500 || c.get("audited") || !c.get("services")) return;
  const code =
    error instanceof ApiError ? error.code : (HONO_PROBLEMS[status]?.code ?? `http_${status}`);
  audit(c, { outcome: status === 401 || status === 403 ? "denied" : "invalid", code, status });
}

export function errorAnswer(error: Error, c: AppContext): Response {
  const requestId = requestIdOf(c);
  const path = new URL(c.req.url).pathname;
  auditRefusal(c, error);
  if (error instanceof ApiError) {
    // every cluster failed the same way: `type` and `title` follow that code (cluster_timeout, …)
    const code = typeof error.extra.code === "string" ? error.extra.code : error.code;
    return problemResponse(code, error.status, error.message, requestId, path, error.extra);
  }
  const known = error instanceof HTTPException ? HONO_PROBLEMS[error.status] : undefined;
  const services = c.get("services");
  if (known) {
    const detail = known.detail(services.config.maxBodyBytes);
    return problemResponse(known.code, (error as HTTPException).status, detail, requestId, path);
  }
  // unknown: logged here with the request id; the answer says nothing about it
  services?.log({
    type: "error",
    requestId,
    method: c.req.method,
    path,
    error: `${error.name}: ${error.message}`,
    stack: error.stack?.split("\n").slice(0, 6).join(" | "),
  });
  return problemResponse(
    "internal_error",
    500,
    `internal error: the broker logged it with request id ${requestId}`,
    requestId,
    path,
  );
}

/** 405 `method_not_allowed` with `Allow`, for a path that exists under other methods only. */
export function methodNotAllowed(c: AppContext, allow: readonly string[]): Response {
  const path = new URL(c.req.url).pathname;
  return problemResponse(
    "method_not_allowed",
    405,
    `${c.req.method} is not allowed on ${path}: use ${allow.join(", ")} (see /docs)`,
    requestIdOf(c),
    path,
    {},
    { allow: allow.join(", ") },
  );
}
