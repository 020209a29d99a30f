/**
 * Where the CLI keeps its broker profiles: `$XDG_CONFIG_HOME/ksb/config.json` (default
 * `~/.config/ksb/config.json`), the directory mode 0700 and the file 0600, written atomically.
 * Several named profiles (`login --profile NAME`), one current. Environment overrides:
 * `KSB_PROFILE` picks a profile, `KSB_URL` and `KSB_TOKEN` replace its URL and token (for CI and
 * Konduktor jobs, with no file at all). The token is only ever read from a prompt, stdin or
 * `KSB_TOKEN`: never from the command line.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { brokerUrlProblem } from "../konduktor/wire/client.ts";
import { CliError, usage } from "./errors.ts";

export const CLI_NAME = "ksb";
export const ENV_PREFIX = "KSB";
export const DEFAULT_PROFILE = "default";
const PROFILE_RE = /^[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

const Profile = z.object({ url: z.string(), token: z.string() });
const ConfigFile = z.object({
  current: z.string().default(DEFAULT_PROFILE),
  profiles: z.record(z.string(), Profile).default({}),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

export interface Env {
  [key: string]: string | undefined;
}

export function configPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME?.startsWith("/")
    ? env.XDG_CONFIG_HOME
    : join(env.HOME ?? homedir(), ".config");
  return join(base, CLI_NAME, "config.json");
}

export function readConfig(env: Env = process.env): ConfigFile {
  const path = configPath(env);
  if (!existsSync(path)) return { current: DEFAULT_PROFILE, profiles: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new CliError(`${path} is not valid JSON: fix it, or remove it and log in again`);
  }
  const r = ConfigFile.safeParse(parsed);
  if (!r.success) {
    throw new CliError(`${path} is not a ${CLI_NAME} config: remove it and log in again`);
  }
  return r.data;
}

export function writeConfig(config: ConfigFile, env: Env = process.env): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

export function checkProfileName(name: string): string {
  if (!PROFILE_RE.test(name) || name.length > 63) {
    throw usage(
      `profile "${name.slice(0, 70)}": a profile name is lowercase letters, digits, '-' and '_' (at most 63)`,
    );
  }
  return name;
}

/** The broker URL, checked (https, or http to this machine only); no trailing slash. */
export function checkUrl(url: string): string {
  const problem = brokerUrlProblem(url);
  if (problem) throw usage(problem);
  return url.replace(/\/+$/, "");
}

export interface BrokerTarget {
  url: string;
  token: string;
  profile: string;
  /** where each part came from, for `whoami` */
  from: { url: string; token: string };
}

/**
 * The broker to talk to: `--url` or `KSB_URL` or the profile's URL; `KSB_TOKEN` or the profile's
 * token. The profile: `--profile`, else `KSB_PROFILE`, else the current one.
 */
export function brokerTarget(
  flags: { profile?: string | undefined; url?: string | undefined },
  env: Env = process.env,
): BrokerTarget {
  const config = readConfig(env);
  const profile = checkProfileName(flags.profile ?? env[`${ENV_PREFIX}_PROFILE`] ?? config.current);
  const saved = config.profiles[profile];
  const envUrl = env[`${ENV_PREFIX}_URL`];
  const envToken = env[`${ENV_PREFIX}_TOKEN`];
  const url = flags.url ?? envUrl ?? saved?.url;
  const token = envToken ?? saved?.token;
  if (url) checkUrl(url);
  if (!url || !token) {
    throw usage(
      `no broker ${!url ? "URL" : "token"} for profile "${profile}": run \`${CLI_NAME} login --url https://… ${profile === DEFAULT_PROFILE ? "" : `--profile ${profile}`}\` (or set ${ENV_PREFIX}_URL and ${ENV_PREFIX}_TOKEN), or write straight to clusters with --kubeconfig / --contexts`.replace(
        "  ",
        " ",
      ),
    );
  }
  return {
    url: checkUrl(url),
    token,
    profile,
    from: {
      url: flags.url ? "--url" : envUrl ? `${ENV_PREFIX}_URL` : `profile ${profile}`,
      token: envToken ? `${ENV_PREFIX}_TOKEN` : `profile ${profile}`,
    },
  };
}
