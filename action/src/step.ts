/**
 * The step after masking (./main.ts masks, then loads this module: the libraries used here — zod,
 * konduktor/, the modes — are not needed for the first output, so they are not loaded before it):
 *  3. read and check the other inputs, read files and the kubeconfig (masked as they are read),
 *     then write on the clusters (broker or kubeconfig mode, each loaded only when used);
 *  4. outputs `results` / `changed` / `clusters` / `failed`, the job summary, the verdict.
 */
import * as core from "@actions/core";
import { type ActionConfig, parseConfig } from "./config.ts";
import { StepError } from "./errors.ts";
import { readInputs, type SecretInputs } from "./inputs.ts";
import type { KubeconfigModeOptions } from "./kubeconfig-mode.ts";
import { ambientKubeconfig, describeSource, readKubeconfig } from "./kubeconfig-source.ts";
import {
  type ClusterResult,
  logResult,
  outcomesSentence,
  outputsFor,
  summaryMarkdown,
  verdict,
} from "./report.ts";
import { buildSource, sourceSecrets } from "./source.ts";
import { InputError } from "./values.ts";

function messageOf(error: unknown): string {
  if (error instanceof InputError || error instanceof StepError) return error.message;
  // Anything else may carry a library's text (a request body, a path with a value): keep its kind.
  const e = error as { name?: string; code?: string };
  return `unexpected ${e?.name ?? "error"}${e?.code ? ` (${e.code})` : ""}; re-run with ACTIONS_STEP_DEBUG for details`;
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown).write();
}

function describeConfig(config: ActionConfig, source: Awaited<ReturnType<typeof buildSource>>) {
  const count = Object.keys(config.values).length;
  const what =
    source.type === "inline"
      ? `${count} key${count === 1 ? "" : "s"}${config.filteredOut.length ? ` (${config.filteredOut.length} filtered out by include/exclude)` : ""}`
      : source.type === "files"
        ? `${source.files.length} file${source.files.length === 1 ? "" : "s"}`
        : `directory ${source.name} (${source.entries.length} files)`;
  return `Konduktor secret ${config.name} (kind ${config.kind}, mode ${config.mode}${config.prune ? ", prune" : ""}${config.dryRun ? ", dry run" : ""}): ${what}`;
}

/** Steps 3 and 4's cluster part: the per-cluster results (throws for a failure of the whole step). */
async function writeOnClusters(
  config: ActionConfig,
  options: KubeconfigModeOptions,
): Promise<ClusterResult[]> {
  const source = await buildSource(config);
  for (const secret of sourceSecrets(source)) core.setSecret(secret);
  if (config.target.type === "broker") {
    const { brokerCredential, runBrokerMode } = await import("./broker-mode.ts");
    // the OIDC token is masked by core.getIDToken: fetch it before the step prints anything
    const auth = await brokerCredential(config.target);
    core.info(describeConfig(config, source));
    const results = await runBrokerMode(config, source, auth);
    for (const r of results) {
      core.startGroup(`cluster ${r.cluster}`);
      logResult(r);
      core.endGroup();
    }
    return results;
  }
  // a kubeconfig file is read (and its credentials masked) before the step prints anything
  const kubeconfig = await readKubeconfig(config.target.kubeconfig);
  core.info(describeConfig(config, source));
  core.info(
    `kubeconfig: ${describeSource(config.target.kubeconfig)}${config.target.namespace ? `; namespace ${config.target.namespace} for every context` : ""}`,
  );
  const { runKubeconfigMode } = await import("./kubeconfig-mode.ts");
  return await runKubeconfigMode(config, source, kubeconfig, options);
}

async function fail(config: ActionConfig | undefined, error: unknown): Promise<void> {
  const message = messageOf(error);
  if (core.isDebug() && error instanceof Error && !(error instanceof InputError)) {
    // its name and code only: the message and stack may carry a library's text (see messageOf)
    const code = (error as { code?: unknown }).code;
    core.debug(`${error.name}${typeof code === "string" ? ` (${code})` : ""}`);
  }
  core.setOutput("results", "[]");
  core.setOutput("changed", "false");
  core.setOutput("clusters", "");
  core.setOutput("failed", "");
  await writeSummary(
    `### Konduktor secret${config ? ` \`${config.name}\`` : ""}\n\n❌ ${message.replace(/[<>|]/g, " ")}\n`,
  ).catch(() => undefined);
  core.setFailed(message);
}

/**
 * Steps 3 and 4, once the secret inputs are masked. Never rejects: every failure ends in
 * `core.setFailed` with a safe message.
 */
export async function runStep(
  secrets: SecretInputs,
  values: Record<string, string> | InputError,
  options: KubeconfigModeOptions = {},
): Promise<void> {
  let config: ActionConfig | undefined;
  let results: ClusterResult[];
  try {
    config = parseConfig(readInputs(), secrets, values, ambientKubeconfig());
    results = await writeOnClusters(config, options);
  } catch (error) {
    await fail(config, error);
    return;
  }

  const outputs = outputsFor(results);
  core.setOutput("results", outputs.results);
  core.setOutput("changed", outputs.changed);
  core.setOutput("clusters", outputs.clusters);
  core.setOutput("failed", outputs.failed);
  await writeSummary(summaryMarkdown(config.name, config.kind, results, config.dryRun)).catch(
    (e: Error) => core.warning(`could not write the job summary: ${e.name}`),
  );
  const failure = verdict(results, config.failOnPartial);
  if (failure) core.setFailed(failure);
  else if (outputs.failed) {
    core.warning(
      `clusters failed: ${outputs.failed} (fail-on-partial is false, so the step passes); the others: ${outcomesSentence(results)}`,
    );
  } else if (results.length > 0) {
    core.info(`Konduktor secret ${config.name}: ${outcomesSentence(results)}`);
  }
}
