/**
 * The inputs (./inputs.ts) checked into one `ActionConfig`: one source for the secret, broker mode
 * or kubeconfig mode, and every value in range. Pure: no environment, no output. Messages name the
 * input, never its value.
 */
import {
  isEnvVarName,
  type ValidationError,
  validateBasename,
  validateNamespace,
  validateOwner,
} from "../../konduktor/secret.ts";
import type { ApplyOptions } from "../../konduktor/types.ts";
import { DNS_LABEL_RE, isSecretKind } from "../../konduktor/validate.ts";
import type { ActionInputs, SecretInputs } from "./inputs.ts";
import { filterKeys, InputError } from "./values.ts";

export const DEFAULT_AUDIENCE = "konduktor-broker";
/** Always excluded unless `include` names it exactly (case-insensitive): the workflow's token. */
export const ALWAYS_EXCLUDE = "github_token";
const TIMEOUT_MESSAGE =
  "timeout-seconds: must be a whole number of seconds from 1 to 3600 (default 60); give e.g. timeout-seconds: 120, or leave it out";

/** `localhost`, 127.0.0.0/8 or ::1 (a WHATWG URL's `hostname`: IPv6 in brackets). */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The broker's base URL: https://, or http:// to this machine only (the token would otherwise
 * cross the network in clear text). Checked before any request or token is made.
 */
export function checkBrokerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(
      "invalid input: broker-url: not a URL; give the broker's base URL, e.g. https://konduktor-broker.example.com",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InputError("invalid input: broker-url: must be an https:// URL");
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new InputError(
      `invalid input: broker-url: http://${url.host} is plain http to another machine, which would send the token unencrypted: use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and ::1); nothing was sent`,
    );
  }
  if (url.username || url.password) {
    throw new InputError(
      "invalid input: broker-url: must not contain a user name or password: authenticate with the OIDC token or api-token",
    );
  }
  return raw.replace(/\/+$/, "");
}

const MODES: readonly string[] = ["merge", "replace"] satisfies ApplyOptions["mode"][];
const isMode = (s: string): s is ApplyOptions["mode"] => MODES.includes(s);

interface CheckedInputs {
  name: string;
  kind: SecretKindInput;
  mode: "merge" | "replace";
  owner: string;
  namespace: string;
  timeoutSeconds: number;
}

/**
 * The single-valued inputs, checked: every problem's message (naming its input), or the values
 * with their defaults. A few fixed rules over konduktor/'s own validations: no schema library
 * here, because loading one (zod, ~540 KB) was the largest part of the Action's start-up.
 */
function checkInputs(inputs: ActionInputs): CheckedInputs | { problems: string[] } {
  const problems: string[] = [];
  const own = (found: ValidationError[]) => {
    for (const p of found) problems.push(p.message);
  };
  own(validateBasename(inputs.name, "name"));
  const kind = inputs.kind || "env";
  if (!isSecretKind(kind)) problems.push("kind: must be env, default or git-ssh");
  const mode = inputs.mode || "merge";
  if (!isMode(mode)) problems.push("mode: must be merge or replace");
  if (inputs.owner !== "") own(validateOwner(inputs.owner, "owner"));
  if (inputs.namespace !== "") own(validateNamespace(inputs.namespace, "namespace"));
  const timeoutSeconds = Number(inputs.timeoutSeconds || "60");
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600) {
    problems.push(TIMEOUT_MESSAGE);
  }
  if (problems.length > 0 || !isSecretKind(kind) || !isMode(mode)) return { problems };
  return {
    name: inputs.name,
    kind,
    mode,
    owner: inputs.owner,
    namespace: inputs.namespace,
    timeoutSeconds,
  };
}

export type SecretKindInput = "env" | "default" | "git-ssh";

/** Where kubeconfig mode reads its kubeconfig when no kubeconfig input is given (as kubectl). */
export type AmbientKubeconfig =
  | { type: "env"; paths: string[] }
  | { type: "home"; path: string }
  | null;

export type KubeconfigSource = { type: "input"; text: string } | Exclude<AmbientKubeconfig, null>;

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
    | {
        type: "kubeconfig";
        kubeconfig: KubeconfigSource;
        contexts: string[];
        owner: string;
        /** empty: each context's own namespace */
        namespace: string;
      };
}

/** Which single source the secret's data comes from; throws when none or several are given. */
function pickSource(
  kind: SecretKindInput,
  inputs: ActionInputs,
  secrets: SecretInputs,
  hasValues: boolean,
): "values" | "files" | "directory" | "git-ssh-key" {
  const sources = [
    hasValues && "values",
    inputs.files.length > 0 && "files",
    inputs.directory !== "" && "directory",
    secrets["git-ssh-key"].trim() !== "" && "git-ssh-key",
  ].filter((s): s is "values" | "files" | "directory" | "git-ssh-key" => typeof s === "string");
  const [source] = sources;
  if (source === undefined) {
    throw new InputError(
      kind === "git-ssh"
        ? "nothing to write: give the private key in git-ssh-key (or one path in files)"
        : "nothing to write: give values (KEY=value lines or a JSON/YAML map), files or directory",
    );
  }
  if (sources.length > 1) {
    throw new InputError(
      `give exactly one source for the secret, not ${sources.join(" and ")} (a Konduktor secret has one source)`,
    );
  }
  if (kind !== "git-ssh" && source === "git-ssh-key") {
    throw new InputError("git-ssh-key is for kind git-ssh: set kind: git-ssh");
  }
  if (kind === "env" && source !== "values") {
    throw new InputError(
      `kind env takes only values (KEY=value); ${source} needs kind default (or git-ssh for an ssh key)`,
    );
  }
  if (
    kind === "git-ssh" &&
    source !== "git-ssh-key" &&
    !(source === "files" && inputs.files.length === 1)
  ) {
    throw new InputError(
      "kind git-ssh takes the private key in git-ssh-key or exactly one path in files",
    );
  }
  return source;
}

/** Broker mode or kubeconfig mode, and where the kubeconfig comes from. */
function pickTarget(
  inputs: ActionInputs,
  secrets: SecretInputs,
  owner: string,
  namespace: string,
  ambient: AmbientKubeconfig,
): ActionConfig["target"] {
  const kubeconfigInput = secrets.kubeconfig.trim() !== "";
  if (inputs.brokerUrl !== "" && kubeconfigInput) {
    throw new InputError(
      "give exactly one of broker-url (broker mode) or kubeconfig (kubeconfig mode, no broker), not both",
    );
  }
  const clusters =
    inputs.clusters.length === 1 && inputs.clusters[0] === "all" ? [] : inputs.clusters;
  if (inputs.brokerUrl !== "") {
    if (namespace !== "") {
      throw new InputError(
        "namespace is for kubeconfig mode; in broker mode each registered cluster's namespace is used",
      );
    }
    return {
      type: "broker",
      url: checkBrokerUrl(inputs.brokerUrl),
      audience: inputs.audience || DEFAULT_AUDIENCE,
      apiToken: secrets["api-token"].trim(),
      owner,
    };
  }
  const kubeconfig: KubeconfigSource | null = kubeconfigInput
    ? { type: "input", text: secrets.kubeconfig }
    : ambient;
  if (!kubeconfig) {
    throw new InputError(
      "give broker-url (broker mode) or a kubeconfig (kubeconfig mode, no broker): the kubeconfig input, or $KUBECONFIG / ~/.kube/config set up by an earlier step (e.g. azure/k8s-set-context, aws eks update-kubeconfig, google-github-actions/get-gke-credentials)",
    );
  }
  if (owner === "") {
    throw new InputError(
      "owner is required in kubeconfig mode: the 8-hex Konduktor user hash (see ~/.konduktor/user_hash) the secret belongs to",
    );
  }
  if (clusters.length > 0) {
    throw new InputError(
      "clusters is for broker mode; in kubeconfig mode name kubeconfig contexts in context",
    );
  }
  return { type: "kubeconfig", kubeconfig, contexts: inputs.context, owner, namespace };
}

/**
 * The checked configuration. `ambient` is the kubeconfig kubectl would use (`$KUBECONFIG`, else
 * ~/.kube/config), taken when there is neither a broker-url nor a kubeconfig input.
 */
export function parseConfig(
  inputs: ActionInputs,
  secrets: SecretInputs,
  parsedValues: Record<string, string> | InputError,
  ambient: AmbientKubeconfig = null,
): ActionConfig {
  if (parsedValues instanceof InputError) throw parsedValues;
  const c = checkInputs(inputs);
  if ("problems" in c) throw new InputError(`invalid input: ${c.problems.join("; ")}`);
  // toJSON(secrets) carries the workflow's GITHUB_TOKEN: dropped even when exclude is set,
  // unless include names it on purpose (a glob like `*` or `GITHUB_*` does not count).
  const exclude = [...inputs.exclude];
  if (!inputs.include.some((i) => i.toLowerCase() === ALWAYS_EXCLUDE)) exclude.push(ALWAYS_EXCLUDE);
  const { kept, dropped } = filterKeys(parsedValues, inputs.include, exclude);
  const source = pickSource(c.kind, inputs, secrets, Object.keys(parsedValues).length > 0);
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
  if (inputs.prune && c.mode === "replace") {
    throw new InputError("prune applies to mode merge only (replace already removes other keys)");
  }
  const clusterList =
    inputs.clusters.length === 1 && inputs.clusters[0] === "all" ? [] : inputs.clusters;
  for (const name of clusterList) {
    if (!DNS_LABEL_RE.test(name) || name.length > 63) {
      throw new InputError(`clusters: ${JSON.stringify(name)} is not a cluster name (or use all)`);
    }
  }
  return {
    name: c.name,
    kind: c.kind,
    values: source === "values" ? kept : {},
    filteredOut: dropped,
    files: inputs.files,
    directory: inputs.directory,
    gitSshKey: secrets["git-ssh-key"],
    clusters: clusterList,
    mode: c.mode,
    prune: inputs.prune,
    dryRun: inputs.dryRun,
    failOnPartial: inputs.failOnPartial,
    timeoutMs: c.timeoutSeconds * 1000,
    target: pickTarget(inputs, secrets, c.owner, c.namespace, ambient),
  };
}
