/**
 * `token create|list|revoke --for-jobs`: API access inside Konduktor jobs (admin). The broker keeps
 * the env secret `konduktor-broker-<owner>` (KSB_URL, KSB_TOKEN) on every cluster of the owner's
 * job access and rotates its token (docs/decisions/0016-job-tokens.md); a job runs `ksb` with no
 * login. The token is never printed: only its id.
 */
import { answerOf, rights, scope } from "./admin-flows.ts";
import { brokerClient, type Ctx, call, type GlobalArgs } from "./context.ts";
import { type ExitCode, exitFor, usage } from "./errors.ts";
import { type ClusterLine, json, showClusters, summary, table, withSpinner } from "./output.ts";
import { applyLine, deleteLine } from "./render.ts";

export interface JobTokenCreateArgs extends GlobalArgs {
  owner: string[];
  clusters?: string[] | undefined;
  readOnly: boolean;
  listAllUsers: boolean;
  hours: number;
  url?: string | undefined;
}

function oneOwner(owners: readonly string[], verb: string): string {
  if (owners.length !== 1) {
    throw usage(`--for-jobs ${verb} one owner's job access: give exactly one --owner`);
  }
  return owners[0] as string;
}

async function lines(ctx: Ctx, rows: ClusterLine[]): Promise<ClusterLine[]> {
  return await showClusters(ctx.out, new Map(rows.map((l) => [l.cluster, Promise.resolve(l)])));
}

export async function jobTokenCreate(ctx: Ctx, args: JobTokenCreateArgs): Promise<ExitCode> {
  const owner = oneOwner(args.owner, "creates");
  if (!(args.hours > 0)) throw usage("--hours must be a positive number of hours, like 24");
  const reply = await withSpinner(
    ctx.out,
    `Writing konduktor-broker-${owner}`,
    call(brokerClient(ctx, args), (c) =>
      c.putJobToken(owner, {
        clusters: args.clusters?.length ? args.clusters : "all",
        rights: { write: !args.readOnly, read: true, listAllUsers: args.listAllUsers },
        lifetimeSeconds: Math.round(args.hours * 3600),
        ...(args.url ? { url: args.url } : {}),
      }),
    ),
  );
  const job = answerOf(reply, `job access for ${owner} not set`);
  const shown = await lines(ctx, job.results.map(applyLine));
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.note(
      `job token ${job.tokenId} for owner ${owner} on ${scope(job.clusters)} (${rights(job.rights)}), expires ${job.expiresAt}, replaced by the broker's cron after ${job.rotateAt}`,
    );
    ctx.out.note(
      `jobs read KSB_URL (${job.url}) and KSB_TOKEN from the env secret ${job.secretName}: \`ksb\` works inside them with no login`,
    );
    ctx.out.print(summary(`Wrote ${job.secretName} to`, shown));
  }
  return exitFor(shown.filter((l) => l.ok).length, shown.filter((l) => !l.ok).length);
}

export async function jobTokenList(ctx: Ctx, args: GlobalArgs): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.listJobTokens());
  const { jobTokens } = answerOf(reply, "cannot list job tokens");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      table(
        ["OWNER", "SECRET", "CLUSTERS", "RIGHTS", "TOKEN", "EXPIRES", "ROTATES", "PENDING"],
        jobTokens.map((j) => [
          j.owner,
          j.secretName,
          scope(j.clusters),
          rights(j.rights),
          j.tokenId,
          j.expiresAt,
          j.rotateAt,
          j.pending.join(", ") || "–",
        ]),
      ),
    );
  }
  return 0;
}

export async function jobTokenRevoke(
  ctx: Ctx,
  args: GlobalArgs & { owner: string[] },
): Promise<ExitCode> {
  const owner = oneOwner(args.owner, "revokes");
  const reply = await withSpinner(
    ctx.out,
    `Revoking job access for ${owner}`,
    call(brokerClient(ctx, args), (c) => c.revokeJobToken(owner)),
  );
  const done = answerOf(reply, `job access for ${owner} not revoked`);
  const shown = await lines(ctx, done.results.map(deleteLine));
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.note(`revoked job token ${done.revokedTokens.join(", ")} for owner ${owner}`);
    ctx.out.print(summary(`Deleted ${done.secretName} from`, shown));
  }
  return exitFor(shown.filter((l) => l.ok).length, shown.filter((l) => !l.ok).length);
}
