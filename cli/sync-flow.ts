/** `sync`: bring the owner's secrets in line across the clusters (broker) or contexts (direct). */
import { NamePattern } from "../konduktor/wire/common.ts";
import { nameMatcher, type SyncAnswerT } from "../konduktor/wire/sync.ts";
import {
  brokerClient,
  type Ctx,
  call,
  type GlobalArgs,
  isDirect,
  mismatch,
  refusal,
} from "./context.ts";
import { EXIT, type ExitCode, usage } from "./errors.ts";
import { json, showClusters, withSpinner } from "./output.ts";
import { syncLines } from "./render.ts";

export interface SyncArgs extends GlobalArgs {
  names: string[];
  dryRun: boolean;
  source?: string | undefined;
  clusters?: string[] | undefined;
  owner?: string | undefined;
}

export function syncSummary(a: SyncAnswerT): string {
  const s = a.summary;
  const unread =
    (s.unreadableClusters ? `; ${s.unreadableClusters} cluster(s) could not be read` : "") +
    (s.unledgered
      ? `; ${s.unledgered} secret(s) not in the broker's ledger, left where they are`
      : "");
  if (a.dryRun) {
    return `${s.unreadableClusters ? "✖" : "✔"} Plan: ${s.planned} change(s) over ${a.results.length} clusters, ${s.inLine} of ${s.secrets} secret(s) already in line (dry run: nothing written)${unread}`;
  }
  if (s.failed || s.unreadableClusters) {
    return `✖ ${s.failed} of ${s.planned} change(s) failed, ${s.done} done${unread}`;
  }
  return `✔ Synced: ${s.done} change(s) over ${a.results.length} clusters, ${s.inLine} of ${s.secrets} secret(s) already in line`;
}

export async function runSync(ctx: Ctx, args: SyncArgs): Promise<ExitCode> {
  for (const n of args.names) {
    if (!NamePattern.safeParse(n).success) {
      throw usage(
        `"${n.slice(0, 70)}" is not a secret name or a prefix pattern (like db-*, or * for any)`,
      );
    }
  }
  let answer: SyncAnswerT;
  let raw: unknown;
  if (isDirect(args)) {
    if (args.clusters?.length)
      throw usage("--clusters names broker clusters; in direct mode use --contexts");
    const { resolveDirect, syncDirect } = await import("./direct.ts");
    const target = resolveDirect(
      {
        kubeconfig: args.kubeconfig,
        contexts: args.contexts,
        owner: args.owner,
        timeoutMs: args.timeout * 1000,
      },
      ctx.env,
    );
    ctx.out.note(
      `direct mode: owner ${target.owner.owner} (from ${target.owner.from}); no ledger: a secret deleted on one context alone is copied back from the others`,
    );
    answer = await withSpinner(
      ctx.out,
      "syncing",
      syncDirect(target, {
        ...(args.names.length ? { names: nameMatcher(args.names) } : {}),
        source: args.source ?? null,
        dryRun: args.dryRun,
      }),
    );
    raw = answer;
  } else {
    const client = brokerClient(ctx, args);
    const reply = await withSpinner(
      ctx.out,
      "syncing",
      call(client, (c) =>
        c.sync({
          dryRun: args.dryRun,
          ...(args.names.length ? { names: args.names } : {}),
          ...(args.source ? { source: args.source } : {}),
          ...(args.clusters?.length ? { clusters: args.clusters } : {}),
          ...(args.owner ? { owners: [args.owner] } : {}),
        }),
      ),
    );
    if (!reply.ok) throw refusal(reply, "sync failed");
    if (!reply.answer) throw mismatch(reply, "sync");
    answer = reply.answer;
    raw = reply.raw;
  }
  if (ctx.out.format === "json") json(ctx.out, raw);
  else {
    const { lines, plan, skipped } = syncLines(answer);
    await showClusters(ctx.out, new Map(lines.map((l) => [l.cluster, Promise.resolve(l)])));
    for (const p of plan) ctx.out.print(p);
    for (const s of skipped) ctx.out.print(s);
    ctx.out.print(syncSummary(answer));
  }
  const { failed, done, unreadableClusters } = answer.summary;
  const read = answer.results.length - unreadableClusters;
  if (read === 0) return EXIT.failed;
  if (failed === 0 && unreadableClusters === 0) return EXIT.ok;
  return done > 0 || read > 0 ? EXIT.partial : EXIT.failed;
}
