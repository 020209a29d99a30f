/**
 * One error shape for every failure: RFC 9457 problem details (`application/problem+json`) with a
 * stable machine `code` and the request id. Messages say what to fix and never hold a value,
 * a token or a kubeconfig.
 */
import type { ZodError } from "zod";
import {
  clusterProblem,
  ERROR_STATUS,
  type ErrorCode,
  KonduktorError,
  titleOf,
} from "../konduktor/errors.ts";
import { fieldPath } from "../konduktor/validate.ts";
import {
  type FieldProblem,
  PROBLEM_TYPE_BASE,
  type Problem,
  ProblemSchema,
} from "../konduktor/wire/problem.ts";

export type { FieldProblem, Problem };

/** The broker's codes and their statuses: konduktor/errors.ts, one table for every answer. */
export const PROBLEM_STATUS = ERROR_STATUS;
export type ProblemCode = ErrorCode;

/** TRANSITIONAL name of `clusterProblem` (konduktor/errors.ts), for the routes not moved yet. */
export const allClustersFailedProblem = clusterProblem;

/**
 * A request the broker answers with a problem: a code of the catalogue (konduktor/errors.ts), its
 * status (the catalogue's, or the common failure's when every cluster failed alike), and `extra`
 * fields of the problem (`errors`, `results`, …).
 */
export class ApiError extends KonduktorError {
  override readonly name = "ApiError";
  declare readonly code: ProblemCode;
  readonly extra: { errors?: FieldProblem[]; [key: string]: unknown };
  readonly status: number;
  constructor(
    code: ProblemCode,
    message: string,
    extra: { errors?: FieldProblem[]; [key: string]: unknown } = {},
    status: number = ERROR_STATUS[code],
  ) {
    super(code, message);
    this.extra = extra;
    this.status = status;
  }
}

/** Zod issues as field problems: the path and the message, never the input. */
export function fieldProblems(error: ZodError, prefix = ""): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = fieldPath(issue.path);
    let message = issue.message;
    if (issue.code === "unrecognized_keys") {
      message = `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}: remove them (see /v1/openapi.json)`;
    }
    return { field: prefix + (path || "(body)"), message };
  });
}

/**
 * A 400 `invalid_input` listing every problem (field and message, never a value). Its detail is
 * the messages joined with "; ", after `lead` when given; `fieldsInDetail` names each field there.
 */
export function invalidInput(
  problems: readonly FieldProblem[],
  options: { lead?: string; fieldsInDetail?: boolean } = {},
): ApiError {
  const errors = problems.map(({ field, message }) => ({ field, message }));
  const summary = errors
    .map((e) => (options.fieldsInDetail ? `${e.field}: ${e.message}` : e.message))
    .join("; ");
  return new ApiError("invalid_input", options.lead ? `${options.lead}: ${summary}` : summary, {
    errors,
  });
}

export function problemBody(
  code: string,
  status: number,
  detail: string,
  requestId: string,
  instance: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: titleOf(code),
    status,
    detail,
    code,
    requestId,
    instance,
    ...extra,
  };
}

export function problemResponse(
  code: string,
  status: number,
  detail: string,
  requestId: string,
  instance: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return new Response(
    JSON.stringify(problemBody(code, status, detail, requestId, instance, extra)),
    {
      status,
      headers: {
        "content-type": "application/problem+json",
        "x-request-id": requestId,
        ...headers,
      },
    },
  );
}

type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 500 | 502 | 503 | 504;

/** What each status means on this API; the problem's `code` says which case it is. */
const DESCRIBED: Record<ProblemStatus, string> = {
  400: "Invalid input (malformed JSON, unknown or bad fields, a bad path or query parameter); `errors` lists each field",
  401: "No credential, or one that is wrong, revoked or expired",
  403: "The credential may not do this",
  404: "Not found: an unknown name or cluster (`not_found` also when every cluster lacks the secret)",
  405: "The path has no such method: `Allow` lists the methods it has",
  409: "Conflict: the `code` says which (e.g. `cluster_not_owner`, `webhook_in_progress`, `webhook_stale`)",
  413: "Too large: the request body (`payload_too_large`), or the secret for every cluster (`cluster_too_large`)",
  415: "The body is not application/json",
  422: "Every cluster refused the secret as invalid (`cluster_invalid`); the results say why",
  500: "Internal error (logged with the request id)",
  502: "Every cluster failed (`clusters_failed`, or `cluster_<code>` when all alike); the results say how",
  503: "Try again later: GitHub's OIDC keys could not be fetched (`oidc_unavailable`), or every cluster asked to slow down (`cluster_throttled`)",
  504: "Every cluster timed out (`cluster_timeout`)",
};

const ALLOW_HEADER = {
  Allow: {
    required: true,
    description: "the methods the path has, e.g. `DELETE, GET, HEAD, PUT`",
    schema: { type: "string" as const },
  },
};

/**
 * Problem responses for the OpenAPI route definitions: the statuses given, and on every operation
 * 405 (another method on a known path) and 500 (an internal error), which any request may get.
 */
export function problemResponses<const S extends readonly ProblemStatus[]>(...statuses: S) {
  const content = { "application/problem+json": { schema: ProblemSchema } };
  const all = [...new Set<ProblemStatus>([...statuses, 405, 500])].sort((a, b) => a - b);
  return Object.fromEntries(
    all.map((s) => [
      s,
      { description: DESCRIBED[s], ...(s === 405 ? { headers: ALLOW_HEADER } : {}), content },
    ]),
  ) as Record<S[number] | 405 | 500, { description: string; content: typeof content }>;
}
