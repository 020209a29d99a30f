/**
 * `npm run deploy [-- --config wrangler.jsonc] [--secrets-file <path>]`: the broker on Cloudflare in
 * one command, safe to re-run. With wrangler logged in (`npx wrangler login`, or CLOUDFLARE_API_TOKEN
 * and CLOUDFLARE_ACCOUNT_ID in CI):
 *  1. every KV namespace binding whose id is missing or the all-zero placeholder: found by its title
 *     `<worker name>-<binding>`, or created (`wrangler kv namespace create`), and its id written into
 *     the config (comments kept);
 *  2. every Durable Object class must have a migration (wrangler deploy creates it from there);
 *  3. ADMIN_TOKEN and KEK: set with `wrangler secret put` (value on stdin) only when the Worker does
 *     not have them yet. A value is generated unless the secrets file already holds one (a KEK lost
 *     on Cloudflare must come back as it was, or the registry cannot be decrypted); it is saved to
 *     the secrets file (mode 600, git-ignored) before it is sent. Values are never printed;
 *  4. `wrangler deploy`.
 * See docs/deploy.md.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { applyEdits, modify, type ParseError, parse, printParseErrorCode } from "jsonc-parser";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");

export const SECRETS = ["ADMIN_TOKEN", "KEK"] as const;
type SecretName = (typeof SECRETS)[number];

export class DeployError extends Error {
  override name = "DeployError";
}

export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs `wrangler <args> --config <config>`; `input` goes to its stdin. */
export type Wrangler = (args: string[], input?: string) => WranglerResult;

/** `wrangler` from PATH (npm run puts node_modules/.bin first), else this project's. */
export function wranglerAt(config: string, inherit = false): Wrangler {
  const env = {
    ...process.env,
    PATH: `${process.env.PATH ?? ""}${delimiter}${join(root, "node_modules", ".bin")}`,
  };
  return (args, input) => {
    const r = spawnSync("wrangler", [...args, "--config", config], {
      env,
      encoding: "utf8",
      input: input ?? "",
      stdio: ["pipe", inherit ? "inherit" : "pipe", inherit ? "inherit" : "pipe"],
    });
    if (r.error) {
      throw new DeployError(
        `cannot run wrangler (${(r.error as NodeJS.ErrnoException).code}): run npm install first`,
      );
    }
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
}

interface KvBinding {
  binding?: string;
  id?: string;
}
interface Config {
  name?: string;
  kv_namespaces?: KvBinding[];
  durable_objects?: { bindings?: { name?: string; class_name?: string; script_name?: string }[] };
  migrations?: { new_classes?: string[]; new_sqlite_classes?: string[] }[];
}

const PLACEHOLDER_ID = /^0*$/;

function parseConfig(text: string, path: string): Config {
  const errors: ParseError[] = [];
  const config = parse(text, errors, { allowTrailingComma: true }) as Config | undefined;
  if (errors.length > 0 || !config || typeof config !== "object") {
    const first = errors[0];
    const line = first ? text.slice(0, first.offset).split("\n").length : 1;
    throw new DeployError(
      `${path} is not valid JSONC${first ? ` (${printParseErrorCode(first.error)} at line ${line})` : ""}`,
    );
  }
  return config;
}

/** `NAME=value` lines of the secrets file. */
function readSaved(path: string): Partial<Record<SecretName, string>> {
  if (!existsSync(path)) return {};
  const out: Partial<Record<SecretName, string>> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m && (SECRETS as readonly string[]).includes(m[1] ?? "")) {
      out[m[1] as SecretName] = m[2] ?? "";
    }
  }
  return out;
}

function writeSaved(path: string, values: Partial<Record<SecretName, string>>): void {
  const lines = [
    "# The broker's secrets as set on Cloudflare by npm run deploy. Keep them in a password",
    "# manager: ADMIN_TOKEN manages clusters and tokens; KEK decrypts the cluster registry",
    "# (key rotation needs the old one, see docs/broker.md). Never commit this file.",
    ...SECRETS.flatMap((n) => (values[n] ? [`${n}=${values[n]}`] : [])),
  ];
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function generate(name: SecretName): string {
  // ADMIN_TOKEN: 256 bits, URL-safe; KEK: 32 random bytes in base64 (what functions/config.ts wants)
  return name === "KEK"
    ? randomBytes(32).toString("base64")
    : randomBytes(32).toString("base64url");
}

const worded = (r: WranglerResult) =>
  `${r.stderr}\n${r.stdout}`
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("⛅") && !/^─+$/.test(l))
    .slice(0, 12)
    .join("\n  ");

function must(r: WranglerResult, what: string): WranglerResult {
  if (r.code === 0) return r;
  const auth = /not logged in|authenticat|CLOUDFLARE_API_TOKEN|\[code: 10000\]/i.test(
    `${r.stderr}${r.stdout}`,
  );
  throw new DeployError(
    `${what} failed:\n  ${worded(r)}${auth ? "\nLog in with `npx wrangler login`, or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) in CI, then re-run npm run deploy." : ""}`,
  );
}

function json<T>(r: WranglerResult, what: string): T {
  try {
    return JSON.parse(r.stdout.slice(r.stdout.search(/[[{]/))) as T;
  } catch {
    throw new DeployError(`${what}: wrangler's answer is not JSON:\n  ${worded(r)}`);
  }
}

export interface DeployOptions {
  /** the wrangler config (JSONC); its KV ids are written back into it */
  config: string;
  /** where generated secrets are saved (default: .konduktor-secrets.<worker name>.env beside it) */
  secretsFile?: string;
  wrangler: Wrangler;
  /** runs `wrangler deploy` (its output shown as it comes) */
  deploy?: Wrangler;
  log?: (line: string) => void;
}

/** Steps 1 and 2: KV ids in the config; Durable Object classes migrated. */
function ensureBindings(o: DeployOptions, log: (line: string) => void): Config {
  let text = readFileSync(o.config, "utf8");
  const config = parseConfig(text, o.config);
  const name = config.name;
  if (!name) throw new DeployError(`${o.config} has no "name": name the Worker`);
  const migrated = new Set(
    (config.migrations ?? []).flatMap((m) => [
      ...(m.new_classes ?? []),
      ...(m.new_sqlite_classes ?? []),
    ]),
  );
  for (const b of config.durable_objects?.bindings ?? []) {
    if (!b.script_name && b.class_name && !migrated.has(b.class_name)) {
      throw new DeployError(
        `Durable Object ${b.name ?? b.class_name}: class ${b.class_name} has no migration in ${basename(o.config)} ("migrations": [{ "tag": "v1", "new_sqlite_classes": ["${b.class_name}"] }]): wrangler deploy creates it from there`,
      );
    }
  }
  let listed: { id: string; title: string }[] | null = null;
  const list = () =>
    json<{ id: string; title: string }[]>(
      must(o.wrangler(["kv", "namespace", "list"]), "wrangler kv namespace list"),
      "wrangler kv namespace list",
    );
  for (const [i, kv] of (config.kv_namespaces ?? []).entries()) {
    if (kv.id && !PLACEHOLDER_ID.test(kv.id)) continue;
    const binding = kv.binding ?? `KV_${i}`;
    const title = `${name}-${binding}`;
    listed ??= list();
    let found = listed.find((n) => n.title === title);
    if (found) log(`deploy: KV namespace ${binding}: using the existing "${title}" (${found.id})`);
    else {
      must(
        o.wrangler(["kv", "namespace", "create", title, "--update-config=false"]),
        `wrangler kv namespace create ${title}`,
      );
      listed = list();
      found = listed.find((n) => n.title === title);
      if (!found) throw new DeployError(`KV namespace "${title}" was created but is not listed`);
      log(`deploy: KV namespace ${binding}: created "${title}" (${found.id})`);
    }
    text = applyEdits(text, modify(text, ["kv_namespaces", i, "id"], found.id, {}));
    writeFileSync(o.config, text);
    log(`deploy: wrote its id into ${basename(o.config)}`);
  }
  return config;
}

/** Step 3: the secrets the Worker lacks, set from the secrets file or generated. */
function ensureSecrets(o: DeployOptions, name: string, log: (line: string) => void): string[] {
  const secretsFile = o.secretsFile ?? join(dirname(o.config), `.konduktor-secrets.${name}.env`);
  const r = o.wrangler(["secret", "list", "--format", "json"]);
  const notFound =
    r.code !== 0 && /Worker "[^"]+"( \(env: [^)]*\))? not found/.test(`${r.stderr}${r.stdout}`);
  const set = new Set(
    notFound
      ? []
      : json<{ name: string }[]>(must(r, "wrangler secret list"), "wrangler secret list").map(
          (s) => s.name,
        ),
  );
  if (notFound) log(`deploy: Worker ${name} does not exist yet: it is created with its secrets`);
  const saved = readSaved(secretsFile);
  const put: string[] = [];
  for (const secret of SECRETS) {
    if (set.has(secret)) {
      log(`deploy: ${secret} is already set on the Worker: left as is`);
      continue;
    }
    const before = saved[secret];
    const value = before ?? generate(secret);
    if (before === undefined) {
      saved[secret] = value;
      writeSaved(secretsFile, saved); // saved before it is sent: never a set value nobody has
    }
    must(o.wrangler(["secret", "put", secret], value), `wrangler secret put ${secret}`);
    put.push(secret);
    log(
      before === undefined
        ? `deploy: ${secret} generated, saved in ${secretsFile} and set on the Worker`
        : `deploy: ${secret} set on the Worker again, with the value saved in ${secretsFile}`,
    );
  }
  if (put.includes("ADMIN_TOKEN")) {
    log(
      `deploy: the admin token is in ${secretsFile} (mode 600): put it in your password manager, then delete the file`,
    );
  }
  return put;
}

/** The whole deploy; throws DeployError with what to do. Returns the secrets it set. */
export function deploy(o: DeployOptions): string[] {
  const log = o.log ?? console.log;
  const config = ensureBindings(o, log);
  const put = ensureSecrets(o, config.name ?? "", log);
  must((o.deploy ?? o.wrangler)(["deploy"]), "wrangler deploy");
  log(
    "deploy: done. Next: register a cluster (npm run register-cluster -- <name> --url https://<your broker>), see docs/deploy.md",
  );
  return put;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  try {
    const { values } = parseArgs({
      options: { config: { type: "string" }, "secrets-file": { type: "string" } },
      strict: true,
    });
    const config = resolve(values.config ?? join(root, "wrangler.jsonc"));
    deploy({
      config,
      ...(values["secrets-file"] ? { secretsFile: resolve(values["secrets-file"]) } : {}),
      wrangler: wranglerAt(config),
      deploy: wranglerAt(config, true),
    });
  } catch (error) {
    console.error(
      error instanceof DeployError ||
        (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
        ? `deploy: ${(error as Error).message}`
        : error,
    );
    process.exit(1);
  }
}
