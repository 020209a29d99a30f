/**
 * The Action's logic, `run()` (./index.ts calls it; tests call it with fakes). Order matters:
 *  1. read the inputs that may hold a secret and parse the values — no output;
 *  2. `::add-mask::` every secret value and every line of a multi-line value — the first output,
 *     with only @actions/core and yaml loaded (start to first output stays close to `node -e`);
 *  3. the rest of the step (./step.ts, loaded now): check the other inputs, write on the
 *     clusters, outputs, job summary, verdict.
 */
import * as core from "@actions/core";
import { readSecretInputs } from "./inputs.ts";
import type { KubeconfigModeOptions } from "./kubeconfig-mode.ts";
import { secretsToMask } from "./mask.ts";
import { parseValuesInput } from "./values.ts";

/** Runs the step. Never rejects: every failure ends in `core.setFailed` with a safe message. */
export async function run(options: KubeconfigModeOptions = {}): Promise<void> {
  try {
    const secrets = readSecretInputs();
    const values = parseValuesInput(secrets.values);
    for (const secret of secretsToMask(secrets, values)) core.setSecret(secret);
    const { runStep } = await import("./step.ts");
    await runStep(secrets, values, options);
  } catch (error) {
    // only an unexpected error gets here (runStep reports its own): its kind, never its text
    core.setFailed(
      `unexpected ${(error as Error)?.name ?? "error"}; re-run with ACTIONS_STEP_DEBUG for details`,
    );
  }
}
