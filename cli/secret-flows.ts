/**
 * The secret operations end to end, broker or direct mode alike: build the request, run it, show
 * a line per cluster and the summary (or the answer as JSON), and return the exit code.
 */
import type { SecretKind } from "../konduktor/types.ts";
import type { Reply } from "../konduktor/wire/client.ts";
import type { DescribeSecretAnswer, ListSecretsAnswer } from "../konduktor/wire/secrets.ts";
import { toWireSource } from "../konduktor/wire/source.ts";
import {
  brokerClient,
  type Ctx,
  call,
  type GlobalArgs,
  isDirect,
  mismatch,
  refusal,
} from "./context.ts";
import type { DirectTarget } from "./direct.ts";

/** Direct mode's code (and @kubernetes/client-node) loads only when direct mode is used. */
const direct = () => import("./direct.ts");

import { CliError, EXIT, type ExitCode, exitFor, usage } from "./errors.ts";
import { type ClusterLine, json, lineText, showClusters, summary, withSpinner } from "./output.ts";
import { applyLine, deleteLine, describeText, listTable, readLines } from "./render.ts";
import { buildSource } from "./source.ts";

export interface CreateArgs extends GlobalArgs {
  name: string;
  kind: SecretKind;
  inline: string[];
  fromEnvFile: string[];
  fromFile: string[];
  fromDirectory?: string | undefined;
  clusters?: string[] | undefined;
  mode: "merge" | "replace";
  prune: boolean;
  immutable: boolean;
  dryRun: boolean;
  owner?: string | undefined;
}

export interface ScopeArgs extends GlobalArgs {
  clusters?: string[] | undefined;
  owner?: string | undefined;
}

function noBrokerFlagsInDirect(args: ScopeArgs): void {
  if (isDirect(args) && args.clusters?.length) {
    throw usage(
      "--clusters names broker clusters; in direct mode name kubeconfig contexts with --contexts",
    );
  }
}

async function directTarget(ctx: Ctx, args: ScopeArgs): Promise<DirectTarget> {
  return (await direct()).resolveDirect(
    {
      kubeconfig: args.kubeconfig,
      contexts: args.contexts,
      owner: args.owner,
      timeoutMs: args.timeout * 1000,
    },
    ctx.env,
  );
}

/**
 * The lines of a broker fan-out reply. With `--clusters` the lines are live (spinners until the
 * answer); without, one spinner while the broker works.
 */
async function brokerLines<T, R>(
  ctx: Ctx,
  pending: Promise<Reply<T, R>>,
  named: readonly string[] | undefined,
  line: (r: R) => ClusterLine,
  what: string,
): Promise<{ reply: Reply<T, R>; lines: ClusterLine[] }> {
  if (ctx.out.format === "text" && named?.length) {
    // live: a spinner per named cluster until the broker answers
    const settled = pending.then(
      (reply) => reply,
      () => null,
    );
    const lines = new Map(
      named.map((cluster) => [
        cluster,
        settled.then((reply): ClusterLine => {
          const r = reply?.results?.map(line).find((l) => l.cluster === cluster);
          if (r) return r;
          const why = reply
            ? (reply.problem?.code ?? `HTTP ${reply.status}`)
            : "no answer from the broker";
          return { cluster, ok: false, text: `not written (${why})` };
        }),
      ]),
    );
    const shown = await showClusters(ctx.out, lines);
    const reply = await pending; // rethrows when there was no answer
    return { reply, lines: reply.results?.length ? shown : [] };
  }
  const reply = await withSpinner(ctx.out, what, pending);
  const lines = (reply.results ?? []).map(line);
  return {
    reply,
    lines: await showClusters(ctx.out, new Map(lines.map((l) => [l.cluster, Promise.resolve(l)]))),
  };
}

function finish(ctx: Ctx, lines: ClusterLine[], verb: string, raw: unknown): ExitCode {
  if (ctx.out.format === "json") json(ctx.out, raw);
  else ctx.out.print(summary(verb, lines));
  return exitFor(lines.filter((l) => l.ok).length, lines.filter((l) => !l.ok).length);
}

export async function createSecret(ctx: Ctx, args: CreateArgs): Promise<ExitCode> {
  noBrokerFlagsInDirect(args);
  const source = await buildSource(
    {
      kind: args.kind,
      inline: args.inline ?? [],
      fromEnvFile: args.fromEnvFile ?? [],
      fromFile: args.fromFile ?? [],
      fromDirectory: args.fromDirectory,
    },
    ctx.io,
  );
  const verb = args.dryRun ? "Planned for" : "Synced to";
  if (isDirect(args)) {
    const target = await directTarget(ctx, args);
    ctx.out.note(
      `direct mode: owner ${target.owner.owner} (from ${target.owner.from}), contexts ${target.contexts.join(", ")}`,
    );
    const run = (await direct()).putDirect(target, args.name, { ...args, source });
    const lines = new Map([...run.results].map(([c, p]) => [c, p.then(applyLine)]));
    const shown = await showClusters(ctx.out, lines);
    return finish(ctx, shown, verb, await run.answer);
  }
  const client = brokerClient(ctx, args);
  const pending = call(client, (c) =>
    c.putSecret(args.name, {
      kind: args.kind,
      source: toWireSource(source),
      mode: args.mode,
      prune: args.prune,
      immutable: args.immutable,
      dryRun: args.dryRun,
      ...(args.clusters?.length ? { clusters: args.clusters } : {}),
      ...(args.owner ? { owner: args.owner } : {}),
    }),
  );
  const { reply, lines } = await brokerLines(
    ctx,
    pending,
    args.clusters,
    applyLine,
    `writing ${args.name} on every cluster you may use`,
  );
  if (lines.length === 0) {
    if (reply.ok) throw new CliError(summary(verb, []));
    throw refusal(reply, `secret ${args.name} not written`);
  }
  if (reply.answer?.notice) ctx.out.note(`note: ${reply.answer.notice}`);
  return finish(ctx, lines, verb, reply.raw);
}

export async function deleteSecret(
  ctx: Ctx,
  args: ScopeArgs & { name: string },
): Promise<ExitCode> {
  noBrokerFlagsInDirect(args);
  if (isDirect(args)) {
    const run = (await direct()).deleteDirect(await directTarget(ctx, args), args.name);
    const lines = new Map([...run.results].map(([c, p]) => [c, p.then(deleteLine)]));
    const shown = await showClusters(ctx.out, lines);
    return finish(ctx, shown, "Deleted from", await run.answer);
  }
  const client = brokerClient(ctx, args);
  const pending = call(client, (c) =>
    c.deleteSecret(args.name, {
      ...(args.owner ? { owner: args.owner } : {}),
      ...(args.clusters?.length ? { clusters: args.clusters } : {}),
    }),
  );
  const { reply, lines } = await brokerLines(
    ctx,
    pending,
    args.clusters,
    deleteLine,
    `deleting ${args.name}`,
  );
  if (lines.length === 0) {
    if (reply.ok) throw new CliError(summary("Deleted from", []));
    throw refusal(reply, `secret ${args.name} not deleted`);
  }
  return finish(ctx, lines, "Deleted from", reply.raw);
}

export async function listSecrets(
  ctx: Ctx,
  args: ScopeArgs & { allUsers: boolean },
): Promise<ExitCode> {
  noBrokerFlagsInDirect(args);
  let answer: ListSecretsAnswer;
  let raw: unknown;
  if (isDirect(args)) {
    answer = await withSpinner(
      ctx.out,
      "listing",
      (await direct()).listDirect(await directTarget(ctx, args), args.allUsers),
    );
    raw = answer;
  } else {
    const client = brokerClient(ctx, args);
    const reply = await withSpinner(
      ctx.out,
      "listing",
      call(client, (c) =>
        c.listSecrets({
          all: args.allUsers,
          ...(args.owner ? { owner: args.owner } : {}),
          ...(args.clusters?.length ? { clusters: args.clusters } : {}),
        }),
      ),
    );
    if (!reply.ok) throw refusal(reply, "cannot list");
    if (!reply.answer) throw mismatch(reply, "cannot list");
    answer = reply.answer;
    raw = reply.raw;
  }
  const lines = readLines(answer);
  const failed = lines.filter((l) => !l.ok);
  if (ctx.out.format === "json") json(ctx.out, raw);
  else {
    ctx.out.print(listTable(answer));
    // the table misses what an unreadable cluster holds: say which, and why
    if (failed.length) {
      for (const f of failed) ctx.out.print(lineText(f));
      ctx.out.print(summary("Listed", lines));
    }
  }
  return exitFor(lines.length - failed.length, failed.length);
}

export async function describeSecret(
  ctx: Ctx,
  args: ScopeArgs & { name: string },
): Promise<ExitCode> {
  noBrokerFlagsInDirect(args);
  let answer: DescribeSecretAnswer;
  let raw: unknown;
  if (isDirect(args)) {
    answer = await withSpinner(
      ctx.out,
      `describing ${args.name}`,
      (await direct()).describeDirect(await directTarget(ctx, args), args.name),
    );
    raw = answer;
    if (answer.results.every((r) => r.status === "missing")) {
      throw new CliError(
        `owner ${answer.owner} has no secret "${args.name}" on ${answer.results.map((r) => r.cluster).join(", ")}`,
      );
    }
  } else {
    const client = brokerClient(ctx, args);
    const reply = await withSpinner(
      ctx.out,
      `describing ${args.name}`,
      call(client, (c) =>
        c.describeSecret(args.name, {
          ...(args.owner ? { owner: args.owner } : {}),
          ...(args.clusters?.length ? { clusters: args.clusters } : {}),
        }),
      ),
    );
    if (!reply.ok) throw refusal(reply, `cannot describe ${args.name}`);
    if (!reply.answer) throw mismatch(reply, `cannot describe ${args.name}`);
    answer = reply.answer;
    raw = reply.raw;
  }
  const failed = answer.results.filter((r) => r.status === "error").length;
  if (ctx.out.format === "json") json(ctx.out, raw);
  else ctx.out.print(describeText(answer));
  return failed === 0 ? EXIT.ok : exitFor(answer.results.length - failed, failed);
}
