/**
 * Who wrote a secret, for the provenance annotations on the copy (`konduktor-broker/updated-by`,
 * `-via`): the workflow context from `@actions/github` — repository, ref, workflow, sha, and the
 * URL of the run (attempt) that wrote it. Names and ids only; never an input.
 */
import type { context as githubContext } from "@actions/github";
import type { Provenance } from "../../konduktor/types.ts";

/** The fields of `@actions/github`'s context that provenance uses. */
export type WorkflowContext = Pick<
  typeof githubContext,
  "ref" | "sha" | "workflow" | "runId" | "runAttempt" | "serverUrl"
> & { repository: string };

/** `context.repo` throws without GITHUB_REPOSITORY and an event payload: "?" instead. */
export function workflowContext(ctx: typeof githubContext): WorkflowContext {
  let repository = "?";
  try {
    repository = `${ctx.repo.owner}/${ctx.repo.repo}`;
  } catch {
    // not in a workflow run (a local run of the bundle)
  }
  return {
    repository,
    ref: ctx.ref,
    sha: ctx.sha,
    workflow: ctx.workflow,
    runId: ctx.runId,
    runAttempt: ctx.runAttempt,
    serverUrl: ctx.serverUrl,
  };
}

/** `https://github.com/<repo>/actions/runs/<id>[/attempts/<n>]`, or null outside a run. */
export function runUrl(w: WorkflowContext): string | null {
  if (!Number.isInteger(w.runId) || w.repository === "?") return null;
  const attempt =
    Number.isInteger(w.runAttempt) && w.runAttempt > 0 ? `/attempts/${w.runAttempt}` : "";
  return `${w.serverUrl.replace(/\/+$/, "")}/${w.repository}/actions/runs/${w.runId}${attempt}`;
}

const short = (text: string | undefined, max: number) =>
  (text ?? "").replace(/[\r\n]+/g, " ").slice(0, max);

/**
 * `updated-by: github:<repo>@<ref> (workflow "<name>", sha <12 hex>)` and
 * `updated-via: github-action:<mode> <run URL>`.
 */
export function provenanceFor(w: WorkflowContext, mode: "kubeconfig"): Provenance {
  const details = [
    w.workflow ? `workflow "${short(w.workflow, 100)}"` : "",
    w.sha ? `sha ${short(w.sha, 12)}` : "",
  ].filter(Boolean);
  const url = runUrl(w);
  return {
    actor: `github:${w.repository}@${short(w.ref, 200) || "?"}${details.length ? ` (${details.join(", ")})` : ""}`,
    via: `github-action:${mode}${url ? ` ${url}` : ""}`,
  };
}
