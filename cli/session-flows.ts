/**
 * `login`, `logout`, `whoami`, `profile list|use`. The token is read from a hidden prompt on a
 * terminal or from stdin (never argv), checked with the broker before it is saved, and kept only
 * in the config file (mode 0600).
 */
import { BrokerClient } from "../konduktor/wire/client.ts";
import {
  brokerTarget,
  checkProfileName,
  checkUrl,
  configPath,
  DEFAULT_PROFILE,
  ENV_PREFIX,
  readConfig,
  writeConfig,
} from "./config.ts";
import { brokerClient, type Ctx, call, type GlobalArgs, mismatch, refusal } from "./context.ts";
import { CliError, EXIT, type ExitCode, usage } from "./errors.ts";
import { json, table } from "./output.ts";

/** The public id of an API token (`kbt_<id>_<secret>`), or what kind of credential it is. */
export function credentialLabel(token: string): string {
  const id = /^kbt_([0-9a-f]{16})_/.exec(token)?.[1];
  if (id) return `API token ${id}`;
  if (token.startsWith("adm_")) return "an admin token";
  if (token.split(".").length === 3) return "a JWT";
  return "a token";
}

export async function login(
  ctx: Ctx,
  args: GlobalArgs & { url?: string | undefined },
): Promise<ExitCode> {
  if (!args.url) throw usage("login needs --url https://your-broker");
  const url = checkUrl(args.url);
  const profile = checkProfileName(args.profile ?? DEFAULT_PROFILE);
  const token = ctx.io.interactive
    ? await ctx.io.prompt(`Token for ${url} (hidden)`)
    : new TextDecoder().decode(await ctx.io.readStdin(64 * 1024));
  const trimmed = token.trim();
  if (!trimmed) throw usage("no token: type it at the prompt, or pipe it on stdin");
  if (/\s/.test(trimmed)) throw usage("the token has whitespace inside: give the token alone");
  const client = new BrokerClient({
    url,
    token: trimmed,
    userAgent: `ksb/${ctx.version}`,
    timeoutMs: args.timeout * 1000,
  });
  const reply = await call(client, (c) => c.whoami());
  if (reply.status === 401 || reply.status === 403) throw refusal(reply, `not logged in to ${url}`);
  if (!reply.ok && reply.status !== 404) throw refusal(reply, `not logged in to ${url}`);
  const config = readConfig(ctx.env);
  config.profiles[profile] = { url, token: trimmed };
  config.current = profile;
  const path = writeConfig(config, ctx.env);
  ctx.out.note(
    `✔ Logged in to ${url} with ${credentialLabel(trimmed)} as profile "${profile}" (saved in ${path}, mode 0600)`,
  );
  return EXIT.ok;
}

export async function logout(ctx: Ctx, args: GlobalArgs): Promise<ExitCode> {
  const config = readConfig(ctx.env);
  const profile = checkProfileName(args.profile ?? config.current);
  if (!config.profiles[profile])
    throw new CliError(`no profile "${profile}" in ${configPath(ctx.env)}`);
  delete config.profiles[profile];
  writeConfig(config, ctx.env);
  ctx.out.note(
    `✔ Logged out: profile "${profile}" and its token removed from ${configPath(ctx.env)}`,
  );
  return EXIT.ok;
}

export async function whoami(ctx: Ctx, args: GlobalArgs): Promise<ExitCode> {
  const target = brokerTarget(args, ctx.env);
  const reply = await call(brokerClient(ctx, args), (c) => c.whoami());
  const local = {
    profile: target.profile,
    url: target.url,
    urlFrom: target.from.url,
    credential: credentialLabel(target.token),
    credentialFrom: target.from.token,
  };
  if (reply.status === 404) {
    if (ctx.out.format === "json") json(ctx.out, { ...local, whoami: null });
    else {
      ctx.out.print(
        `${local.credential} (from ${local.credentialFrom}) at ${local.url} (from ${local.urlFrom}): accepted by the broker`,
      );
      ctx.out.print(
        "owners, clusters, rights and expiry: this broker is older than GET /v1/whoami (it answered 404); upgrade it to see them",
      );
    }
    return EXIT.ok;
  }
  if (!reply.ok) throw refusal(reply, "whoami");
  const me = reply.answer;
  if (!me) throw mismatch(reply, "whoami");
  if (ctx.out.format === "json") json(ctx.out, { ...local, whoami: reply.raw });
  else {
    ctx.out.print(
      table(
        ["", ""],
        [
          [
            "broker",
            `${local.url} (profile ${local.profile}; URL from ${local.urlFrom}, token from ${local.credentialFrom})`,
          ],
          ["caller", `${me.id} (${me.kind}${me.label ? `, ${me.label}` : ""})`],
          ["owners", me.owners.join(", ") || "–"],
          ["clusters", me.clusters === "all" ? "all" : me.clusters.join(", ")],
          [
            "rights",
            Object.entries(me.rights)
              .filter(([, v]) => v)
              .map(([k]) => k)
              .join(", ") || "none",
          ],
          ["expires", me.expiresAt ?? "never"],
        ],
      ),
    );
  }
  return EXIT.ok;
}

export async function profileList(ctx: Ctx): Promise<ExitCode> {
  const config = readConfig(ctx.env);
  const rows = Object.entries(config.profiles).map(([name, p]) => ({
    name,
    url: p.url,
    current: name === config.current,
  }));
  if (ctx.out.format === "json") json(ctx.out, { config: configPath(ctx.env), profiles: rows });
  else if (rows.length === 0) {
    ctx.out.print(
      `no profiles in ${configPath(ctx.env)}: run \`ksb login --url https://…\` (or set ${ENV_PREFIX}_URL and ${ENV_PREFIX}_TOKEN)`,
    );
  } else {
    ctx.out.print(
      table(
        ["", "PROFILE", "URL"],
        rows.map((r) => [r.current ? "*" : "", r.name, r.url]),
      ),
    );
  }
  return EXIT.ok;
}

export async function profileUse(ctx: Ctx, name: string): Promise<ExitCode> {
  const config = readConfig(ctx.env);
  checkProfileName(name);
  if (!config.profiles[name]) {
    throw usage(
      `no profile "${name}": the profiles are ${Object.keys(config.profiles).join(", ") || "none yet"}`,
    );
  }
  config.current = name;
  writeConfig(config, ctx.env);
  ctx.out.note(`✔ Using profile "${name}" (${config.profiles[name]?.url})`);
  return EXIT.ok;
}
