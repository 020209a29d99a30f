/**
 * The scope of a sync request (POST /v1/sync, and a webhook's `{ "sync": … }`): its names checked,
 * what the caller may sync (owners, clusters, source), and the answer's status. The schemas are
 * the wire contract (konduktor/wire/sync.ts); the work is ./service.ts.
 */
import { validateBasename } from "../../konduktor/secret.ts";
import { NAME_PREFIX_RE } from "../../konduktor/wire/common.ts";
import {
  nameMatcher,
  SyncAnswer,
  type SyncRequest,
  SyncRequestBody,
} from "../../konduktor/wire/sync.ts";
import { authorize } from "../auth/authorize.ts";
import type { Caller } from "../auth/caller.ts";
import type { Services } from "../context.ts";
import { ApiError, invalidInput } from "../problem.ts";
import type { ClusterRecord } from "../registry/clusters.ts";
import { type SyncOutcome, syncHttpStatus } from "./service.ts";

export { nameMatcher, SyncAnswer, type SyncRequest, SyncRequestBody };

function checkNames(names: readonly string[], field: string): void {
  // a pattern `prefix*`: the prefix must be the start of a valid basename (or empty: "*")
  const problems = names.flatMap((n, i) =>
    n.endsWith("*")
      ? NAME_PREFIX_RE.test(n.slice(0, -1))
        ? []
        : [
            {
              field: `${field}.${i}`,
              message: `${field}.${i} "${n.slice(0, 60)}" is not a valid pattern: lowercase letters, digits and '-', starting with a letter or digit, then one trailing *`,
            },
          ]
      : validateBasename(n, `${field}.${i}`),
  );
  if (problems.length) {
    throw invalidInput(problems);
  }
}

/**
 * The scope of a sync request for a caller (a token, or a webhook's bound caller): its names
 * checked (400), then what it may sync (functions/auth/authorize.ts: owners, clusters, a source one
 * grant covers with them). Throws before any cluster is touched. Answers the scope and the
 * registry's records, read once here after the names are checked: pass them on to `runSync`.
 */
export async function syncScopeFor(
  services: Services,
  caller: Caller,
  body: SyncRequest,
): Promise<{ scope: ReturnType<typeof scopeOf>; registered: ClusterRecord[] }> {
  if (body.names) checkNames(body.names, "names");
  const registered = await services.registry.list();
  return { scope: scopeOf(caller, body, registered), registered };
}

function scopeOf(caller: Caller, body: SyncRequest, registered: readonly ClusterRecord[]) {
  const scope = authorize(
    caller,
    {
      right: body.dryRun ? "read" : "write",
      owners: { several: body.owners },
      clusters: body.clusters,
      source: body.source,
    },
    registered.map((r) => r.name),
  );
  const targets = [...scope.clusters];
  const { source } = scope;
  // named exactly (not by a pattern): a copy deleted outside the broker is created again
  const exact = new Set((body.names ?? []).filter((n) => !n.endsWith("*")));
  return {
    owners: scope.owners === "every" ? [] : [...scope.owners],
    clusters: source !== null && !targets.includes(source) ? [...targets, source] : targets,
    targets,
    source,
    restore: (basename: string) => exact.has(basename),
    adoptPlacement: scope.placement === "all" ? ("all" as const) : [...scope.placement],
    by: caller.id,
  };
}

/** A sync outcome's status: 200, 207, or (thrown) 502 `clusters_failed` when no cluster was read. */
export function syncStatus(
  outcome: SyncOutcome,
  body: Record<string, unknown> = { ...outcome },
): 200 | 207 {
  const status = syncHttpStatus(outcome);
  if (status === null) {
    throw new ApiError(
      "clusters_failed",
      `no cluster could be read (${outcome.results
        .map((r) => `${r.cluster}: ${"code" in r ? r.code : r.status}`)
        .join(", ")}): nothing was changed; check GET /v1/clusters/{name}/health and try again`,
      body,
    );
  }
  return status;
}

export function syncOutcomeOf(outcome: SyncOutcome): "ok" | "partial" | "failed" {
  const status = syncHttpStatus(outcome);
  return status === 200 ? "ok" : status === 207 ? "partial" : "failed";
}
