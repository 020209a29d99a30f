/**
 * Kubeconfig mode: no broker. The named contexts (default: the one Konduktor would use) are written in
 * parallel through konduktor's `fanout()` — one deadline per context (timeout-seconds, retries
 * included), so a hanging API server costs its own deadline and never delays the others — with the
 * same konduktor/ operations the broker uses.
 *
 * Transport per context: the fetch adapter (node:https; CA, client certificates, token files,
 * insecure-skip-tls-verify); `@kubernetes/client-node` is loaded (dynamic import) only for a
 * context that needs it: an exec plugin, an auth provider or a proxy-url.
 */
import * as core from "@actions/core";
import { context as githubContext } from "@actions/github";
import { fanout, isFailure } from "../../konduktor/fanout.ts";
import { allowedContextsIn } from "../../konduktor/kube/konduktor-config.ts";
import {
  KubeconfigError,
  kubeconfigContexts,
  parseKubeconfig,
} from "../../konduktor/kube/kubeconfig.ts";
import { chooseContext, describeChoice } from "../../konduktor/kube/kubeconfig-context.ts";
import { nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { checkSecretInput, ValidationError } from "../../konduktor/secret.ts";
import type { KubeSecret, Provenance, SecretSource } from "../../konduktor/types.ts";
import type { ActionConfig } from "./config.ts";
import { StepError } from "./errors.ts";
import { provenanceFor, workflowContext } from "./provenance.ts";
import { type ClusterResult, logResult } from "./report.ts";
import { InputError } from "./values.ts";

type KubeconfigTarget = Extract<ActionConfig["target"], { type: "kubeconfig" }>;

/** At most this many contexts in one step (each is one cluster). */
export const MAX_CONTEXTS = 64;
/** Contexts worked on at the same time. */
const CONCURRENCY = 16;
/** Attempts after the first on a retryable error (network, 429, 5xx), within the deadline. */
const RETRIES = 2;
const USER_AGENT = "konduktor-secrets-action";

export interface ConnectOptions {
  context: string;
  /** overrides the context's namespace (the namespace input) */
  namespace?: string;
  timeoutMs: number;
  /** aborted at the context's deadline */
  signal: AbortSignal;
}

/** A KubeSecrets for one context of a kubeconfig. */
export type Connector = (kubeconfig: string, options: ConnectOptions) => Promise<KubeSecrets>;

/** The fetch adapter, or client-node (loaded now) for exec plugins, auth providers and proxies. */
export const connect: Connector = async (kubeconfig, o) => {
  const parsed = parseKubeconfig(kubeconfig, { context: o.context, runtime: "node" });
  const common = {
    context: o.context,
    cluster: o.context,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    ...(o.namespace ? { namespace: o.namespace } : {}),
  };
  if (parsed.needsClientNode || parsed.proxyUrl) {
    const { createClientNodeKubeSecrets } = await import(
      "../../konduktor/kube/client-node-adapter.ts"
    );
    return createClientNodeKubeSecrets({ kubeconfig, ...common });
  }
  return await nodeKubeSecrets(kubeconfig, { ...common, userAgent: USER_AGENT });
};

/**
 * Checks what needs no cluster, before any request: the kubeconfig is YAML (its parse error, with
 * the line, is reported rather than a missing context), the contexts exist, the secret is valid.
 */
/**
 * No `context` input: the context Konduktor itself would use (the first of
 * `kubernetes.allowed_contexts` in ~/.konduktor/config.yaml, else current-context), said in the log.
 */
function defaultContext(text: string): string {
  try {
    const choice = chooseContext(text, { allowedContexts: allowedContextsIn() });
    core.info(`kubeconfig: ${describeChoice(choice)}`);
    return choice.context;
  } catch (error) {
    if (error instanceof KubeconfigError) {
      throw new StepError(`kubeconfig: ${error.message}`);
    }
    throw error;
  }
}

function checkBeforeAnyRequest(
  config: ActionConfig,
  source: SecretSource,
  text: string,
): { desired: KubeSecret; contexts: string[] } {
  const target = config.target as KubeconfigTarget;
  try {
    parseKubeconfig(text, {
      runtime: "node",
      ...(target.contexts[0] ? { context: target.contexts[0] } : {}),
    });
  } catch (error) {
    // the whole-file problems; one context's problems are reported as that cluster's failure
    if (error instanceof KubeconfigError && error.field === "kubeconfig") {
      throw new StepError(`kubeconfig: ${error.message}`);
    }
  }
  const { names } = kubeconfigContexts(text);
  const contexts = target.contexts.length > 0 ? target.contexts : [defaultContext(text)];
  if (contexts.length > MAX_CONTEXTS) {
    throw new StepError(
      `context: ${contexts.length} contexts; at most ${MAX_CONTEXTS} in one step: split them over several steps`,
    );
  }
  const unknown = contexts.filter((c) => !names.includes(c));
  if (unknown.length > 0) {
    throw new StepError(
      `context: ${unknown.join(", ")} not in the kubeconfig (it has ${names.join(", ") || "no contexts"})`,
    );
  }
  const { problems, secret } = checkSecretInput({
    owner: target.owner,
    basename: config.name,
    kind: config.kind,
    source,
  });
  if (!secret) {
    throw new InputError(
      `the secret is not valid: ${ValidationError.of(problems).message}; nothing was sent to any cluster`,
    );
  }
  return { desired: secret, contexts: [...new Set(contexts)] };
}

function failed(
  cluster: string,
  error: { code: string; message: string },
  dryRun: boolean,
): ClusterResult {
  return { cluster, outcome: "failed", added: [], changed: [], removed: [], dryRun, error };
}

export interface KubeconfigModeOptions {
  /** how a context becomes a KubeSecrets (tests give a fake) */
  connect?: Connector;
  /** default: from `@actions/github`'s workflow context */
  provenance?: Provenance;
}

export async function runKubeconfigMode(
  config: ActionConfig,
  source: SecretSource,
  text: string,
  options: KubeconfigModeOptions = {},
): Promise<ClusterResult[]> {
  const target = config.target as KubeconfigTarget;
  // built once: applySecret writes it in each context's namespace
  const { desired, contexts } = checkBeforeAnyRequest(config, source, text);
  const provenance =
    options.provenance ?? provenanceFor(workflowContext(githubContext), "kubeconfig");
  const open = options.connect ?? connect;
  const seconds = config.timeoutMs / 1000;
  const results = await fanout(
    contexts,
    async (context, signal) => {
      const kube = await open(text, {
        context,
        timeoutMs: config.timeoutMs,
        signal,
        ...(target.namespace ? { namespace: target.namespace } : {}),
      });
      const r = await applySecret(kube, desired, {
        mode: config.mode,
        prune: config.prune,
        dryRun: config.dryRun,
        provenance,
      });
      return {
        outcome: r.outcome,
        secret: r.name,
        namespace: r.namespace,
        added: r.added,
        changed: r.changed,
        removed: r.removed,
        writes: r.writes,
        ...(r.replacedGitSsh?.length ? { replacedGitSsh: r.replacedGitSsh } : {}),
        dryRun: r.dryRun,
      };
    },
    { timeoutMs: config.timeoutMs, concurrency: CONCURRENCY, retries: RETRIES },
  );
  const out: ClusterResult[] = results.map((r) => {
    if (isFailure(r)) {
      const last = r.message.split("; last error: ")[1];
      const message =
        r.code === "timeout"
          ? `no answer within ${seconds} s (timeout-seconds; ${r.attempts} attempt${r.attempts === 1 ? "" : "s"}${last ? `, last error: ${last}` : ""}): check that the API server is reachable from the runner, or raise timeout-seconds`
          : r.message;
      return {
        ...failed(r.cluster, { code: r.code, message }, config.dryRun),
        durationMs: r.durationMs,
      };
    }
    const { attempts: _attempts, cluster, ...result } = r;
    return { cluster, ...result };
  });
  for (const r of out) {
    core.startGroup(`cluster ${r.cluster}`);
    logResult(r);
    core.endGroup();
  }
  return out;
}
