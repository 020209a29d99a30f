/**
 * One HTTP exchange with the broker, for the typed client (./client.ts): JSON in, JSON out, a
 * deadline over every attempt, and retries only where nothing can have been written twice — no
 * answer at all (network error, timeout) or a gateway's 502/503/504 (one without per-cluster
 * `results`: a broker's own 502 with results is its answer and is never repeated). Runtime-neutral
 * (fetch, AbortSignal): Node, workerd, the Action.
 */
import pRetry from "p-retry";

export interface HttpOptions {
  /** the broker's base URL, e.g. https://broker.example.com (a trailing / is ignored) */
  url: string;
  /** bearer credential: an API token, the admin token or an OIDC JWT */
  token?: string;
  /** default: the global fetch */
  fetch?: typeof fetch;
  /** `user-agent` of every request */
  userAgent?: string;
  /** attempts per call when there is no answer or a gateway's answer (default 3) */
  attempts?: number;
  /** deadline per call over every attempt and backoff, in ms (default 60 000) */
  timeoutMs?: number;
  /** first backoff in ms (default 500), doubling per attempt */
  backoffMs?: number;
  /** told before each retry: the attempt about to start, of how many, and why */
  onRetry?: (info: { attempt: number; of: number; reason: string }) => void;
}

export interface RawReply {
  status: number;
  headers: Headers;
  /** the JSON body as the broker sent it (undefined when the body is empty or not JSON) */
  body: unknown;
}

/** No HTTP answer from the broker within the deadline, after every attempt. */
export class BrokerUnreachable extends Error {
  override readonly name = "BrokerUnreachable";
  /** a short reason without any value: `ECONNREFUSED`, `no answer within 60 s`, … */
  readonly reason: string;
  /** the broker's origin (scheme, host, port) */
  readonly origin: string;
  constructor(origin: string, reason: string) {
    super(`cannot reach the broker at ${origin} (${reason})`);
    this.origin = origin;
    this.reason = reason;
  }
}

const RETRY_STATUS = new Set([502, 503, 504]);

/** The first `code` (ECONNREFUSED, ENOTFOUND, …) in an error's cause chain (fetch wraps it). */
export function networkCode(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== "object" || depth > 5) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string" && /^[A-Z_]+$/.test(e.code)) return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = networkCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return networkCode(e.cause, depth + 1);
}

/** fetch's own short reason (e.g. "bad port"): undici's text, never a body or header. */
function causeText(error: unknown): string | undefined {
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  return typeof cause?.message === "string" && cause.message.length <= 80
    ? cause.message
    : undefined;
}

class NoAnswer extends Error {
  override name = "NoAnswer";
}

class GatewayAnswer extends Error {
  override name = "GatewayAnswer";
  readonly reply: RawReply;
  constructor(reply: RawReply) {
    super(`HTTP ${reply.status}`);
    this.reply = reply;
  }
}

function hasResults(body: unknown): boolean {
  return (
    !!body && typeof body === "object" && Array.isArray((body as { results?: unknown }).results)
  );
}

/** The base URL without trailing slashes. */
export function baseUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

/**
 * Sends one request (`json` as the body) and reads the answer as JSON, retrying as the module
 * comment says. Throws `BrokerUnreachable` when no attempt got an answer.
 */
export async function exchange(
  options: HttpOptions,
  method: string,
  path: string,
  json?: unknown,
): Promise<RawReply> {
  const doFetch = options.fetch ?? fetch;
  const attempts = Math.max(1, options.attempts ?? 3);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const backoff = options.backoffMs ?? 500;
  const url = `${baseUrl(options.url)}${path}`;
  const origin = new URL(options.url).origin;
  const deadline = Date.now() + timeoutMs;
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.userAgent) headers["user-agent"] = options.userAgent;
  if (json !== undefined) headers["content-type"] = "application/json";
  const body = json === undefined ? undefined : JSON.stringify(json);

  const attempt = async (): Promise<RawReply> => {
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
      });
    } catch (error) {
      throw new NoAnswer(
        (error as Error).name === "TimeoutError"
          ? `no answer within ${timeoutMs / 1000} s`
          : (networkCode(error) ?? causeText(error) ?? "network error"),
      );
    }
    let parsed: unknown;
    try {
      const text = await response.text();
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const reply = { status: response.status, headers: response.headers, body: parsed };
    if (RETRY_STATUS.has(response.status) && !hasResults(parsed)) throw new GatewayAnswer(reply);
    return reply;
  };

  try {
    return await pRetry(attempt, {
      retries: attempts - 1,
      minTimeout: backoff,
      factor: 2,
      randomize: false,
      shouldRetry: ({ error, attemptNumber }) => {
        const retry =
          (error instanceof NoAnswer || error instanceof GatewayAnswer) &&
          Date.now() + backoff * 2 ** (attemptNumber - 1) < deadline;
        if (retry) {
          options.onRetry?.({ attempt: attemptNumber + 1, of: attempts, reason: error.message });
        }
        return retry;
      },
    });
  } catch (error) {
    if (error instanceof GatewayAnswer) return error.reply;
    if (error instanceof NoAnswer) throw new BrokerUnreachable(origin, error.message);
    throw error;
  }
}

/** Whether a URL's host is this machine (localhost, 127.x.y.z, ::1). */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * A broker URL a credential may be sent to: http(s), and https unless the host is this machine
 * (a token in clear text to another machine is refused). Returns the problem, or null.
 */
export function brokerUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${raw} is not a URL: give the broker's base URL, like https://broker.example.com`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `the broker URL must be http(s): ${url.protocol} is not`;
  }
  if (url.protocol === "http:" && !isLoopback(url)) {
    return `refusing to send a token in clear text to ${url.host}: use https:// (http: only for this machine: localhost, 127.0.0.1, ::1)`;
  }
  if (url.username || url.password) {
    return "the broker URL must not hold a user name or password: give the token with login";
  }
  return null;
}
