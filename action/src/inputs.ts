/**
 * The Action's inputs: read raw from the runner's `INPUT_*` variables (no output happens here),
 * then checked with zod into one `ActionConfig`. Messages name the input, never its value.
 */
import { z } from "zod";
import {
  isEnvVarName,
  type ValidationError,
  validateBasename,
  validateOwner,
} from "../../konduktor/secret.ts";
import { filterKeys, InputError, parseValues, splitList } from "./values.ts";

/** Every input of action.yml, in its exact spelling. */
export const INPUT_NAMES = [
  "name",
  "kind",
  "values",
  "include",
  "exclude",
  "files",
  "directory",
  "git-ssh-key",
  "clusters",
  "mode",
  "prune",
  "dry-run",
  "fail-on-partial",
  "broker-url",
  "audience",
  "api-token",
  "owner",
  "kubeconfig",
  "context",
  "timeout-seconds",
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
export type RawInputs = Record<InputName, string>;

/** Same lookup as `core.getInput` (spaces → `_`, upper-cased, dashes kept), without trimming. */
export function readRawInputs(env: NodeJS.ProcessEnv = process.env): RawInputs {
  const raw = {} as RawInputs;
  for (const name of INPUT_NAMES) {
    raw[name] = env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "";
  }
  return raw;
}

export const DEFAULT_AUDIENCE = "konduktor-broker";
/** Always excluded unless `include` names it exactly (case-insensitive): the workflow's token. */
export const ALWAYS_EXCLUDE = "github_token";
const TIMEOUT_MESSAGE =
  "timeout-seconds: must be a whole number of seconds from 1 to 3600 (default 60); give e.g. timeout-seconds: 120, or leave it out";

/** A zod check that reports a konduktor/ validation's own message (it names the input). */
const checkedBy = (validate: (value: string) => ValidationError[]) =>
  z.string().superRefine((value, ctx) => {
    for (const problem of validate(value))
      ctx.addIssue({ code: "custom", message: problem.message });
  });

const bool = (input: string) =>
  z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .pipe(
      z.enum(["", "true", "false"], {
        error: () => `${input}: must be true or false`,
      }),
    );

const rawSchema = z.object({
  name: checkedBy((s) => validateBasename(s, "name")),
  kind: z
    .string()
    .transform((s) => s.trim() || "env")
    .pipe(
      z.enum(["env", "default", "git-ssh"], { error: () => "must be env, default or git-ssh" }),
    ),
  mode: z
    .string()
    .transform((s) => s.trim() || "merge")
    .pipe(z.enum(["merge", "replace"], { error: () => "must be merge or replace" })),
  prune: bool("prune"),
  "dry-run": bool("dry-run"),
  "fail-on-partial": bool("fail-on-partial"),
  "broker-url": z
    .string()
    .transform((s) => s.trim())
    .refine((s) => s === "" || /^https?:\/\/[^\s]+$/.test(s), "must be an http(s) URL"),
  owner: z
    .string()
    .transform((s) => s.trim())
    .pipe(checkedBy((s) => (s === "" ? [] : validateOwner(s, "owner")))),
  "timeout-seconds": z
    .string()
    .transform((s) => Number(s.trim() || "60"))
    .pipe(
      z
        .number({ error: () => TIMEOUT_MESSAGE })
        .int({ error: () => TIMEOUT_MESSAGE })
        .min(1, { error: () => TIMEOUT_MESSAGE })
        .max(3600, { error: () => TIMEOUT_MESSAGE }),
    ),
});

export type SecretKindInput = "env" | "default" | "git-ssh";

export interface ActionConfig {
  name: string;
  kind: SecretKindInput;
  /** after the include/exclude filters */
  values: Record<string, string>;
  /** keys dropped by the filters (names only) */
  filteredOut: string[];
  files: string[];
  directory: string;
  gitSshKey: string;
  /** empty = every cluster the caller may use */
  clusters: string[];
  mode: "merge" | "replace";
  prune: boolean;
  dryRun: boolean;
  failOnPartial: boolean;
  timeoutMs: number;
  target:
    | { type: "broker"; url: string; audience: string; apiToken: string; owner: string }
    | { type: "kubeconfig"; kubeconfig: string; contexts: string[]; owner: string };
}

/** The values input parsed, or the error (kept so masking can run before any message). */
export function parseValuesInput(raw: RawInputs): Record<string, string> | InputError {
  try {
    return parseValues(raw.values);
  } catch (error) {
    if (error instanceof InputError) return error;
    return new InputError("values: could not be read");
  }
}

export function parseConfig(
  raw: RawInputs,
  parsedValues: Record<string, string> | InputError,
): ActionConfig {
  if (parsedValues instanceof InputError) throw parsedValues;
  const checked = rawSchema.safeParse(raw);
  if (!checked.success) {
    const messages = checked.error.issues.map((i) => {
      const where = String(i.path[0] ?? "input");
      // konduktor/ messages start with the input's name already
      return i.message.startsWith(`${where}:`) || i.message.startsWith(`${where} `)
        ? i.message
        : `${where}: ${i.message}`;
    });
    throw new InputError(`invalid input: ${messages.join("; ")}`);
  }
  const c = checked.data;
  const include = splitList(raw.include);
  // toJSON(secrets) carries the workflow's GITHUB_TOKEN: dropped even when exclude is set,
  // unless include names it on purpose (a glob like `*` or `GITHUB_*` does not count).
  const exclude = splitList(raw.exclude);
  if (!include.some((i) => i.toLowerCase() === ALWAYS_EXCLUDE)) exclude.push(ALWAYS_EXCLUDE);
  const { kept, dropped } = filterKeys(parsedValues, include, exclude);
  const files = raw.files
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const directory = raw.directory.trim();
  const gitSshKey = raw["git-ssh-key"];
  const hasValues = Object.keys(parsedValues).length > 0;

  const sources = [
    hasValues && "values",
    files.length > 0 && "files",
    directory !== "" && "directory",
    gitSshKey.trim() !== "" && "git-ssh-key",
  ].filter((s): s is string => typeof s === "string");
  if (sources.length === 0) {
    throw new InputError(
      c.kind === "git-ssh"
        ? "nothing to write: give the private key in git-ssh-key (or one path in files)"
        : "nothing to write: give values (KEY=value lines or a JSON/YAML map), files or directory",
    );
  }
  if (sources.length > 1) {
    throw new InputError(
      `give exactly one source for the secret, not ${sources.join(" and ")} (a Konduktor secret has one source)`,
    );
  }
  const source = sources[0];
  if (c.kind !== "git-ssh" && source === "git-ssh-key") {
    throw new InputError("git-ssh-key is for kind git-ssh: set kind: git-ssh");
  }
  if (c.kind === "env" && source !== "values") {
    throw new InputError(
      `kind env takes only values (KEY=value); ${source} needs kind default (or git-ssh for an ssh key)`,
    );
  }
  if (
    c.kind === "git-ssh" &&
    source !== "git-ssh-key" &&
    !(source === "files" && files.length === 1)
  ) {
    throw new InputError(
      "kind git-ssh takes the private key in git-ssh-key or exactly one path in files",
    );
  }
  if (source === "values" && Object.keys(kept).length === 0) {
    throw new InputError(
      `values: every key was filtered out by include/exclude (${dropped.length} dropped); check the include and exclude globs`,
    );
  }
  if (c.kind === "env") {
    const bad = Object.keys(kept).filter((k) => !isEnvVarName(k));
    if (bad.length > 0) {
      throw new InputError(
        `kind env: keys become environment variables, so these keys are not allowed: ${bad.join(", ")} (letters, digits and _ only, not starting with a digit); rename them or filter them out with exclude`,
      );
    }
  }
  if (c.prune === "true" && c.mode === "replace") {
    throw new InputError("prune applies to mode merge only (replace already removes other keys)");
  }

  const brokerUrl = c["broker-url"];
  const kubeconfig = raw.kubeconfig.trim();
  if ((brokerUrl === "") === (kubeconfig === "")) {
    throw new InputError(
      "give exactly one of broker-url (broker mode) or kubeconfig (kubeconfig mode, no broker)",
    );
  }
  const clusters = splitList(raw.clusters);
  const clusterList = clusters.length === 1 && clusters[0] === "all" ? [] : clusters;
  for (const name of clusterList) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
      throw new InputError(`clusters: ${JSON.stringify(name)} is not a cluster name (or use all)`);
    }
  }
  const target: ActionConfig["target"] =
    brokerUrl !== ""
      ? {
          type: "broker",
          url: brokerUrl.replace(/\/+$/, ""),
          audience: raw.audience.trim() || DEFAULT_AUDIENCE,
          apiToken: raw["api-token"].trim(),
          owner: c.owner,
        }
      : {
          type: "kubeconfig",
          kubeconfig: raw.kubeconfig,
          contexts: splitList(raw.context),
          owner: c.owner,
        };
  if (target.type === "kubeconfig") {
    if (target.owner === "") {
      throw new InputError(
        "owner is required in kubeconfig mode: the 8-hex Konduktor user hash (see ~/.konduktor/user_hash) the secret belongs to",
      );
    }
    if (clusterList.length > 0) {
      throw new InputError(
        "clusters is for broker mode; in kubeconfig mode name kubeconfig contexts in context",
      );
    }
  }

  return {
    name: c.name,
    kind: c.kind,
    values: source === "values" ? kept : {},
    filteredOut: dropped,
    files,
    directory,
    gitSshKey,
    clusters: clusterList,
    mode: c.mode,
    prune: c.prune === "true",
    dryRun: c["dry-run"] === "true",
    failOnPartial: c["fail-on-partial"] !== "false",
    timeoutMs: c["timeout-seconds"] * 1000,
    target,
  };
}
