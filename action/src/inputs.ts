/**
 * The Action's inputs, read with `@actions/core` (`getInput`, `getMultilineInput`,
 * `getBooleanInput`; no output happens here); ./config.ts checks them. The inputs
 * that may hold a secret are read first and apart (`readSecretInputs`), so they are masked before
 * anything else can fail or print. Messages name the input, never its value.
 */
import * as core from "@actions/core";
import { InputError, splitList } from "./values.ts";

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
  "namespace",
  "timeout-seconds",
] as const;
export type InputName = (typeof INPUT_NAMES)[number];

/** The inputs that may hold a secret: read untrimmed, masked before anything else happens. */
export interface SecretInputs {
  values: string;
  "git-ssh-key": string;
  "api-token": string;
  kubeconfig: string;
}

/** Every other input, as the runner gives it (action.yml defaults applied by the runner). */
export interface ActionInputs {
  name: string;
  kind: string;
  include: string[];
  exclude: string[];
  files: string[];
  directory: string;
  clusters: string[];
  mode: string;
  prune: boolean;
  dryRun: boolean;
  failOnPartial: boolean;
  brokerUrl: string;
  audience: string;
  owner: string;
  context: string[];
  namespace: string;
  timeoutSeconds: string;
}

export function readSecretInputs(): SecretInputs {
  const raw = (name: keyof SecretInputs) => core.getInput(name, { trimWhitespace: false });
  return {
    values: raw("values"),
    "git-ssh-key": raw("git-ssh-key"),
    "api-token": raw("api-token"),
    kubeconfig: raw("kubeconfig"),
  };
}

/** `getBooleanInput`, with an empty input meaning the default and a message naming the input. */
function booleanInput(name: InputName, fallback: boolean): boolean {
  if (core.getInput(name) === "") return fallback;
  try {
    return core.getBooleanInput(name);
  } catch {
    throw new InputError(`invalid input: ${name}: must be true or false`);
  }
}

/** Reads every non-secret input. Throws `InputError` for a boolean that is not true/false. */
export function readInputs(): ActionInputs {
  const text = (name: InputName) => core.getInput(name);
  return {
    name: text("name"),
    kind: text("kind"),
    include: splitList(text("include")),
    exclude: splitList(text("exclude")),
    files: core.getMultilineInput("files"),
    directory: text("directory"),
    clusters: splitList(text("clusters")),
    mode: text("mode"),
    prune: booleanInput("prune", false),
    dryRun: booleanInput("dry-run", false),
    failOnPartial: booleanInput("fail-on-partial", true),
    brokerUrl: text("broker-url"),
    audience: text("audience"),
    owner: text("owner"),
    context: splitList(text("context")),
    namespace: text("namespace"),
    timeoutSeconds: text("timeout-seconds"),
  };
}
