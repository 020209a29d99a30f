/**
 * The Action's entry (bundled to action/dist/index.js). Order matters:
 *  1. read the inputs and parse the values — no output;
 *  2. `::add-mask::` every secret value and every line of a multi-line value — the first output;
 *  3. check the inputs, read files, then write on the clusters (broker or kubeconfig mode);
 *  4. outputs `results` / `changed` / `clusters` / `failed`, the job summary, the verdict.
 */
import * as core from "@actions/core";
import {
  type BrokerCredential,
  brokerCredential,
  runBrokerMode,
  StepError,
} from "./broker-mode.ts";
import { parseConfig, parseValuesInput, readRawInputs } from "./inputs.ts";
import { logResult, readKubeconfig, runKubeconfigMode } from "./kubeconfig-mode.ts";
import { secretsToMask } from "./mask.ts";
import { type ClusterResult, outputsFor, summaryMarkdown, verdict } from "./report.ts";
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

export async function run(): Promise<void> {
  const raw = readRawInputs();
  const values = parseValuesInput(raw);
  for (const secret of secretsToMask(raw, values)) core.setSecret(secret);

  let results: ClusterResult[];
  let config: ReturnType<typeof parseConfig> | undefined;
  try {
    config = parseConfig(raw, values);
    const source = await buildSource(config);
    for (const secret of sourceSecrets(source)) core.setSecret(secret);
    // the OIDC token is masked by core.getIDToken: fetch it before the step prints anything
    const auth: BrokerCredential | null =
      config.target.type === "broker" ? await brokerCredential(config.target) : null;
    // a kubeconfig given as a path: read (and its credentials masked) before the step prints
    const kubeconfig =
      config.target.type === "kubeconfig" ? await readKubeconfig(config.target.kubeconfig) : "";

    const count = Object.keys(config.values).length;
    core.info(
      `Konduktor secret ${config.name} (kind ${config.kind}, mode ${config.mode}${config.prune ? ", prune" : ""}${config.dryRun ? ", dry run" : ""}): ${
        source.type === "inline"
          ? `${count} key${count === 1 ? "" : "s"}${config.filteredOut.length ? ` (${config.filteredOut.length} filtered out by include/exclude)` : ""}`
          : source.type === "files"
            ? `${source.files.length} file${source.files.length === 1 ? "" : "s"}`
            : `directory ${source.name} (${source.entries.length} files)`
      }`,
    );
    if (auth) {
      results = await runBrokerMode(config, source, auth);
      for (const r of results) {
        core.startGroup(`cluster ${r.cluster}`);
        logResult(r);
        core.endGroup();
      }
    } else {
      results = await runKubeconfigMode(config, source, kubeconfig);
    }
  } catch (error) {
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
      `clusters failed: ${outputs.failed} (fail-on-partial is false, so the step passes)`,
    );
  }
}

run().catch((error: unknown) => {
  core.setFailed(messageOf(error));
});
