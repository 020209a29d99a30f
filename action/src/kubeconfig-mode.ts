/**
 * Kubeconfig mode: no broker. For each named context (default: the current one) the
 * `@kubernetes/client-node` adapter and the same konduktor/ operations the broker uses.
 */
import * as core from "@actions/core";
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import {
  KubeconfigError,
  kubeconfigContexts,
  parseKubeconfig,
} from "../../konduktor/kube/kubeconfig.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { checkSecretInput, ValidationError } from "../../konduktor/secret.ts";
import type { KubeSecret, SecretSource } from "../../konduktor/types.ts";
import { StepError } from "./broker-mode.ts";
import type { ActionConfig } from "./inputs.ts";
import { kubeconfigSecrets } from "./mask.ts";
import type { ClusterResult } from "./report.ts";
import { InputError } from "./values.ts";

type KubeconfigTarget = Extract<ActionConfig["target"], { type: "kubeconfig" }>;

/**
 * The kubeconfig text: the input itself (YAML), or the file it names (relative to the
 * workspace). A file's credentials are masked as soon as it is read, before anything is printed
 * (the input's own YAML was masked with the other inputs).
 */
export async function readKubeconfig(input: string): Promise<string> {
  const trimmed = input.trim();
  if (trimmed.includes("\n") || trimmed.includes(":")) return input;
  const { readFile } = await import("node:fs/promises");
  const { resolve } = await import("node:path");
  let text: string;
  try {
    text = await readFile(resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), trimmed), "utf8");
  } catch {
    throw new StepError(
      "kubeconfig: not kubeconfig YAML and not a readable file path: pass the kubeconfig's content (e.g. the KUBECONFIG repository secret) or a path in the workspace",
    );
  }
  for (const secret of kubeconfigSecrets(text)) core.setSecret(secret);
  return text;
}

function failure(cluster: string, error: unknown, dryRun: boolean): ClusterResult {
  let code = "error";
  let message = "unexpected error";
  if (error instanceof KubeError) {
    code = error.code;
    message = error.message;
  } else if (error instanceof KubeconfigError) {
    code = error.code;
    message = `${error.message}`;
  } else if (error instanceof ValidationError) {
    code = "invalid_input";
    message = error.message;
  }
  return {
    cluster,
    outcome: "failed",
    added: [],
    changed: [],
    removed: [],
    dryRun,
    error: { code, message },
  };
}

/**
 * Checks what needs no cluster, before any request: the kubeconfig is YAML (its parse error, with
 * the line, is reported rather than a missing context) and the secret is valid (size, keys).
 */
function checkBeforeAnyRequest(
  config: ActionConfig,
  source: SecretSource,
  text: string,
): KubeSecret {
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
  return secret;
}

export async function runKubeconfigMode(
  config: ActionConfig,
  source: SecretSource,
  text: string,
): Promise<ClusterResult[]> {
  const target = config.target as KubeconfigTarget;
  // built once: applySecret writes it in each context's namespace (desired.metadata.namespace is not used)
  const desired = checkBeforeAnyRequest(config, source, text);
  const { names, current } = kubeconfigContexts(text);
  const contexts = target.contexts.length > 0 ? target.contexts : current ? [current] : [];
  if (contexts.length === 0) {
    throw new StepError(
      "kubeconfig: no current-context and no context input: name the context(s) to use in context",
    );
  }
  const unknown = contexts.filter((c) => !names.includes(c));
  if (unknown.length > 0) {
    throw new StepError(
      `context: ${unknown.join(", ")} not in the kubeconfig (it has ${names.join(", ") || "no contexts"})`,
    );
  }
  const provenance = {
    actor: `github:${process.env.GITHUB_REPOSITORY ?? "?"}@${process.env.GITHUB_REF ?? "?"}`,
    via: "github-action:kubeconfig",
  };
  const results: ClusterResult[] = [];
  for (const context of contexts) {
    core.startGroup(`cluster ${context}`);
    try {
      const kube = createClientNodeKubeSecrets({
        kubeconfig: text,
        context,
        cluster: context,
        timeoutMs: Math.min(config.timeoutMs, 30_000),
      });
      const r = await applySecret(kube, desired, {
        mode: config.mode,
        prune: config.prune,
        dryRun: config.dryRun,
        provenance,
      });
      const result: ClusterResult = {
        cluster: context,
        outcome: r.outcome,
        secret: r.name,
        namespace: r.namespace,
        added: r.added,
        changed: r.changed,
        removed: r.removed,
        writes: r.writes,
        dryRun: r.dryRun,
      };
      results.push(result);
      logResult(result);
    } catch (error) {
      const result = failure(context, error, config.dryRun);
      results.push(result);
      logResult(result);
    } finally {
      core.endGroup();
    }
  }
  return results;
}

/** The lines inside one cluster's log group (shared with broker mode). */
export function logResult(r: ClusterResult): void {
  if (r.outcome === "failed") {
    core.error(`cluster ${r.cluster}: ${r.error?.message ?? "failed"}`, {
      title: `Konduktor secret on ${r.cluster}`,
    });
    return;
  }
  const where = r.secret ? ` ${r.namespace ?? "?"}/${r.secret}` : "";
  core.info(`${r.outcome}${r.dryRun ? " (dry run: nothing written)" : ""}:${where}`);
  core.info(`  keys added:   ${r.added.length ? r.added.join(", ") : "none"}`);
  core.info(`  keys changed: ${r.changed.length ? r.changed.join(", ") : "none"}`);
  core.info(`  keys removed: ${r.removed.length ? r.removed.join(", ") : "none"}`);
  if (r.writes !== undefined) core.info(`  writes: ${r.writes}`);
}
