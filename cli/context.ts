/**
 * What every command handler gets: where to print, the environment, how to ask for a value, and
 * the way to the broker (client and errors) or to the clusters (direct mode).
 */
import {
  BrokerClient,
  BrokerUnreachable,
  problemMessage,
  type Reply,
  RequestInvalid,
} from "../konduktor/wire/client.ts";
import { brokerTarget, type Env } from "./config.ts";
import { CliError, EXIT, usage } from "./errors.ts";
import type { Out } from "./output.ts";
import type { SourceIo } from "./source.ts";

export interface GlobalArgs {
  profile?: string | undefined;
  url?: string | undefined;
  output: "text" | "json";
  kubeconfig?: string | undefined;
  contexts?: string | undefined;
  timeout: number;
}

export interface Ctx {
  out: Out;
  env: Env;
  io: SourceIo;
  version: string;
}

/** Direct mode: `--kubeconfig` or `--contexts` given. */
export function isDirect(args: GlobalArgs): boolean {
  return args.kubeconfig !== undefined || args.contexts !== undefined;
}

export function brokerClient(ctx: Ctx, args: GlobalArgs, token?: string): BrokerClient {
  const target = brokerTarget(args, ctx.env);
  return new BrokerClient({
    url: target.url,
    token: token ?? target.token,
    userAgent: `ksb/${ctx.version}`,
    timeoutMs: args.timeout * 1000,
    onRetry: ({ attempt, of, reason }) =>
      ctx.out.note(`broker: ${reason}; retrying (attempt ${attempt} of ${of})`),
  });
}

/** Runs a broker call, turning "no answer" and "invalid before sending" into CLI errors. */
export async function call<T>(
  client: BrokerClient,
  run: (c: BrokerClient) => Promise<T>,
): Promise<T> {
  try {
    return await run(client);
  } catch (error) {
    if (error instanceof BrokerUnreachable) {
      throw new CliError(
        `cannot reach the broker at ${error.origin} (${error.reason}): check the URL (ksb whoami shows it) and that the broker is up`,
      );
    }
    if (error instanceof RequestInvalid) throw usage(`not sent: ${error.message}`);
    throw error;
  }
}

/** A refusal (a non-2xx answer) as a CLI error: what the broker said, and what to do. */
export function refusal(reply: Reply<unknown, unknown>, what: string): CliError {
  const detail = problemMessage(reply.problem) ?? `HTTP ${reply.status}`;
  const code = reply.problem?.code;
  const hint =
    reply.status === 401
      ? " — the token is wrong, expired or revoked: run `ksb login` again"
      : reply.status === 403
        ? " — this credential may not do this: ask the broker's admin"
        : code === "not_found" && /no route/.test(detail)
          ? " — this broker does not have this endpoint (an older version?)"
          : "";
  const exit = reply.status === 400 || reply.status === 413 ? EXIT.usage : EXIT.failed;
  return new CliError(`${what}: ${detail}${code ? ` [${code}]` : ""}${hint}`, exit);
}

/** A 2xx answer that does not match the wire contract: say which fields, never guess. */
export function mismatch(reply: Reply<unknown, unknown>, what: string): CliError {
  return new CliError(
    `${what}: the broker's answer (HTTP ${reply.status}) does not match this CLI's contract (${reply.mismatch.join(", ") || "not JSON"}): is the URL the broker's, and are the CLI and the broker the same version?`,
  );
}
