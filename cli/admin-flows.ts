/**
 * The admin commands (the broker's admin token): the cluster registry, API tokens, webhooks and
 * GitHub OIDC bindings, through the typed client. What `npm run register-cluster` does, as
 * `cluster add`: one context of the kubeconfig, flattened, or a ServiceAccount token made with it.
 * A token or a signing secret is printed once, when it is made (or saved straight into a profile
 * with `token create --save-profile`); nothing else ever prints one.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reply } from "../konduktor/wire/client.ts";
import { checkProfileName, readConfig, writeConfig } from "./config.ts";
import { brokerClient, type Ctx, call, type GlobalArgs, mismatch, refusal } from "./context.ts";
import { CliError, EXIT, type ExitCode, usage } from "./errors.ts";
import { flattenContext, kubeconfigPaths, mergeKubeconfigs } from "./kubeconfig-files.ts";
import { json, table } from "./output.ts";
import { syncSummary } from "./sync-flow.ts";

export function answerOf<T>(reply: Reply<T, unknown>, what: string): T {
  if (!reply.ok) throw refusal(reply, what);
  if (reply.answer === null) throw mismatch(reply, what);
  return reply.answer;
}

export const scope = (c: "all" | string[]) => (c === "all" ? "all" : c.join(", "));
export const rights = (r: { write: boolean; read: boolean; listAllUsers: boolean }) =>
  Object.entries(r)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .join(", ") || "none";

// ---------- clusters ----------

export interface ClusterAddArgs extends GlobalArgs {
  name: string;
  context?: string | undefined;
  serviceAccount: boolean;
  saName?: string | undefined;
  tokenDays: number;
  sync: boolean;
}

export async function clusterAdd(ctx: Ctx, args: ClusterAddArgs): Promise<ExitCode> {
  if (!Number.isInteger(args.tokenDays) || args.tokenDays < 1 || args.tokenDays > 3650) {
    throw usage("--token-days must be a whole number of days from 1 to 3650");
  }
  const client = brokerClient(ctx, args);
  const paths = kubeconfigPaths(args.kubeconfig, ctx.env);
  let yaml: string;
  let context: string;
  if (args.serviceAccount || args.saName) {
    const dir = mkdtempSync(join(tmpdir(), "ksb-cluster-add-"));
    const file = join(dir, "kubeconfig");
    writeFileSync(file, mergeKubeconfigs(paths), { mode: 0o600 });
    try {
      // @kubernetes/client-node loads only for this
      const { serviceAccountKubeconfig } = await import("../scripts/service-account.ts");
      const sa = await serviceAccountKubeconfig(file, {
        ...(args.context ? { context: args.context } : {}),
        name: args.saName ?? "konduktor-broker",
        expirationSeconds: args.tokenDays * 86_400,
      });
      ({ yaml, context } = sa);
      ctx.out.note(
        `created ServiceAccount ${sa.namespace}/${sa.serviceAccount} (Secrets in ${sa.namespace} only); its token expires ${sa.expiresAt ?? "when the cluster says"}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    ({ yaml, context } = flattenContext(mergeKubeconfigs(paths), args.context));
  }
  const reply = await call(client, (c) =>
    c.registerCluster(args.name, { kubeconfig: yaml, context, sync: args.sync }),
  );
  if (!reply.ok && reply.problem?.code === "invalid_kubeconfig" && !args.serviceAccount) {
    const e = refusal(reply, `cluster ${args.name} not registered`);
    throw new CliError(
      `${e.message}\nTip: add --service-account to register a ServiceAccount token made with this context instead (for client certificates and exec plugins: EKS, GKE, kind, minikube).`,
      e.exitCode,
    );
  }
  // 207: registered, but the catch-up sync (--sync) failed somewhere
  const info = answerOf(reply, `cluster ${args.name} not registered`);
  const health = await call(client, (c) => c.clusterHealth(args.name));
  if (ctx.out.format === "json") {
    json(ctx.out, { cluster: reply.raw, health: health.raw });
  } else {
    ctx.out.print(
      `✔ registered cluster "${args.name}" (context ${context}): ${info.server}, namespace ${info.namespace}`,
    );
    const h = health.answer;
    if (h?.ok)
      ctx.out.print(
        `✔ health: reachable, ${h.version}, may ${Object.keys(h.access ?? {}).join("/")} Secrets in ${h.namespace}`,
      );
    else if (h) {
      ctx.out.print(
        `✖ health: ${h.reachable ? "reachable" : "NOT reachable"}${h.version ? `, ${h.version}` : ""}; ${h.error?.message ?? `may not: ${h.missing.join(", ")}`}`,
      );
    }
    if (info.sync) ctx.out.print(syncSummary(info.sync));
  }
  return reply.status === 207 || !health.answer?.ok ? EXIT.partial : EXIT.ok;
}

export async function clusterList(ctx: Ctx, args: GlobalArgs): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.listClusters());
  const { clusters } = answerOf(reply, "cannot list clusters");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else if (clusters.length === 0) ctx.out.print("no cluster is registered: ksb cluster add NAME");
  else {
    ctx.out.print(
      table(
        ["NAME", "SERVER", "NAMESPACE", "CONTEXT", "UPDATED"],
        clusters.map((c) => [c.name, c.server, c.namespace, c.context, c.updatedAt]),
      ),
    );
  }
  return EXIT.ok;
}

export async function clusterHealth(
  ctx: Ctx,
  args: GlobalArgs & { name: string },
): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.clusterHealth(args.name));
  const h = answerOf(reply, `cannot check cluster ${args.name}`);
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else if (h.ok) {
    ctx.out.print(
      `✔ ${h.cluster}: reachable, ${h.version}, namespace ${h.namespace}, may ${Object.keys(h.access ?? {}).join("/")} Secrets`,
    );
  } else {
    ctx.out.print(
      `✖ ${h.cluster}: ${h.reachable ? "reachable" : "NOT reachable"}${h.version ? `, ${h.version}` : ""}; ${h.error ? `${h.error.code}: ${h.error.message}` : `may not: ${h.missing.join(", ")}`}`,
    );
  }
  return h.ok ? EXIT.ok : EXIT.failed;
}

export async function clusterRemove(
  ctx: Ctx,
  args: GlobalArgs & { name: string },
): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.removeCluster(args.name));
  if (!reply.ok) throw refusal(reply, `cluster ${args.name} not removed`);
  ctx.out.note(
    `✔ removed cluster "${args.name}" from the registry (its secrets stay on the cluster)`,
  );
  return EXIT.ok;
}

// ---------- tokens ----------

export interface TokenCreateArgs extends GlobalArgs {
  owner: string[];
  clusters?: string[] | undefined;
  label?: string | undefined;
  readOnly: boolean;
  listAllUsers: boolean;
  days: number;
  saveProfile?: string | undefined;
}

export async function tokenCreate(ctx: Ctx, args: TokenCreateArgs): Promise<ExitCode> {
  if (args.owner.length === 0)
    throw usage("name the owner(s) the token acts for: --owner 0a1b2c3d");
  const save = args.saveProfile === undefined ? undefined : checkProfileName(args.saveProfile);
  const client = brokerClient(ctx, args);
  const reply = await call(client, (c) =>
    c.issueToken({
      owners: args.owner,
      clusters: args.clusters?.length ? args.clusters : "all",
      rights: { write: !args.readOnly, read: true, listAllUsers: args.listAllUsers },
      expiresInSeconds: Math.round(args.days * 86_400),
      ...(args.label ? { label: args.label } : {}),
    }),
  );
  const issued = answerOf(reply, "token not issued");
  const about = `token ${issued.id} for owner ${issued.owners.join(", ")} on ${scope(issued.clusters)} (${rights(issued.rights)}), expires ${issued.expiresAt}`;
  if (save) {
    const config = readConfig(ctx.env);
    config.profiles[save] = { url: client.options.url, token: issued.token };
    writeConfig(config, ctx.env);
    ctx.out.note(`✔ ${about}; saved as profile "${save}" (not printed): ksb --profile ${save} …`);
    if (ctx.out.format === "json") json(ctx.out, { ...(reply.raw as object), token: undefined });
    return EXIT.ok;
  }
  ctx.out.note(`✔ ${about}. It is shown once, below: keep it now (e.g. pipe it to \`ksb login\`).`);
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else ctx.out.print(issued.token);
  return EXIT.ok;
}

export async function tokenList(ctx: Ctx, args: GlobalArgs): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.listTokens());
  const { tokens } = answerOf(reply, "cannot list tokens");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      table(
        ["ID", "LABEL", "OWNERS", "CLUSTERS", "RIGHTS", "EXPIRES", "REVOKED"],
        tokens.map((t) => [
          t.id,
          t.label ?? "–",
          t.owners.join(", "),
          scope(t.clusters),
          rights(t.rights),
          t.expiresAt,
          t.revokedAt ?? "–",
        ]),
      ),
    );
  }
  return EXIT.ok;
}

export async function tokenRevoke(ctx: Ctx, args: GlobalArgs & { id: string }): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.revokeToken(args.id));
  const t = answerOf(reply, `token ${args.id} not revoked`);
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else ctx.out.print(`✔ revoked token ${t.id} (${t.label ?? "no label"}) at ${t.revokedAt}`);
  return EXIT.ok;
}

// ---------- webhooks ----------

export interface HookCreateArgs extends GlobalArgs {
  owner: string[];
  names: string[];
  clusters?: string[] | undefined;
  label?: string | undefined;
  sync: boolean;
}

export async function hookCreate(ctx: Ctx, args: HookCreateArgs): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) =>
    c.createHook({
      owners: args.owner,
      names: args.names,
      clusters: args.clusters?.length ? args.clusters : "all",
      allowSync: args.sync,
      ...(args.label ? { label: args.label } : {}),
    }),
  );
  const hook = answerOf(reply, "webhook not created");
  ctx.out.note(
    `✔ webhook ${hook.id}: deliveries to POST ${hook.url} for owner ${hook.owners.join(", ")}, names ${hook.names.join(", ")}, clusters ${scope(hook.clusters)}. Its signing secret is shown once, below.`,
  );
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else ctx.out.print(hook.secret);
  return EXIT.ok;
}

export async function hookList(ctx: Ctx, args: GlobalArgs): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.listHooks());
  const { hooks } = answerOf(reply, "cannot list webhooks");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      table(
        ["ID", "LABEL", "OWNERS", "NAMES", "CLUSTERS", "SYNC", "CREATED"],
        hooks.map((h) => [
          h.id,
          h.label ?? "–",
          h.owners.join(", "),
          h.names.join(", "),
          scope(h.clusters),
          h.allowSync ? "yes" : "no",
          h.createdAt,
        ]),
      ),
    );
  }
  return EXIT.ok;
}

export async function hookDelete(ctx: Ctx, args: GlobalArgs & { id: string }): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.deleteHook(args.id));
  if (!reply.ok) throw refusal(reply, `webhook ${args.id} not deleted`);
  ctx.out.note(`✔ deleted webhook ${args.id}: its deliveries are refused from now on`);
  return EXIT.ok;
}

// ---------- GitHub OIDC bindings ----------

export interface BindingPutArgs extends GlobalArgs {
  id: string;
  repository: string;
  ref?: string | undefined;
  environment?: string | undefined;
  workflow?: string | undefined;
  eventName?: string | undefined;
  owner: string[];
  clusters?: string[] | undefined;
  readOnly: boolean;
  listAllUsers: boolean;
  description?: string | undefined;
}

export async function bindingPut(ctx: Ctx, args: BindingPutArgs): Promise<ExitCode> {
  const match = {
    repository: args.repository,
    ...(args.ref ? { ref: args.ref } : {}),
    ...(args.environment ? { environment: args.environment } : {}),
    ...(args.workflow ? { workflow: args.workflow } : {}),
    ...(args.eventName ? { event_name: args.eventName } : {}),
  };
  const reply = await call(brokerClient(ctx, args), (c) =>
    c.putOidcBinding(args.id, {
      match,
      owners: args.owner,
      clusters: args.clusters?.length ? args.clusters : "all",
      rights: { write: !args.readOnly, read: true, listAllUsers: args.listAllUsers },
      ...(args.description ? { description: args.description } : {}),
    }),
  );
  const b = answerOf(reply, `OIDC binding ${args.id} not saved`);
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      `✔ ${reply.status === 201 ? "created" : "replaced"} OIDC binding ${b.id}: workflows matching ${Object.entries(
        b.match,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")} act as ${b.owners.join(", ")} on ${scope(b.clusters)} (${rights(b.rights)})`,
    );
  }
  return EXIT.ok;
}

export async function bindingList(ctx: Ctx, args: GlobalArgs): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.listOidcBindings());
  const { bindings } = answerOf(reply, "cannot list OIDC bindings");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      table(
        ["ID", "MATCH", "OWNERS", "CLUSTERS", "RIGHTS"],
        bindings.map((b) => [
          b.id,
          Object.entries(b.match)
            .map(([k, v]) => `${k}=${v}`)
            .join(" "),
          b.owners.join(", "),
          scope(b.clusters),
          rights(b.rights),
        ]),
      ),
    );
  }
  return EXIT.ok;
}

export async function bindingDelete(
  ctx: Ctx,
  args: GlobalArgs & { id: string },
): Promise<ExitCode> {
  const reply = await call(brokerClient(ctx, args), (c) => c.deleteOidcBinding(args.id));
  if (!reply.ok) throw refusal(reply, `OIDC binding ${args.id} not deleted`);
  ctx.out.note(`✔ deleted OIDC binding ${args.id}`);
  return EXIT.ok;
}
