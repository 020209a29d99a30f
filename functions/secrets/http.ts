/**
 * The HTTP side of the secrets service, shared by the routes (functions/routes/secrets.ts) and the
 * webhook deliveries (functions/routes/hooks.ts): the request's services and id, the per-cluster
 * answer with its status (./outcome.ts) and audit line.
 */
import { type FanoutResult, isFailure, summarize } from "../../konduktor/fanout.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import { type AuditEntry, audit, auditResults } from "../audit.ts";
import type { Caller } from "../auth/caller.ts";
import type { AppContext } from "../context.ts";
import { ApiError, allClustersFailedProblem } from "../problem.ts";
import { partialStatus } from "./outcome.ts";
import { placementFor, putSecret, runOnClusters, type Targets, targetsFor } from "./service.ts";
import type { PutSecret } from "./wire.ts";

/** The registered target clusters for this caller and request, with their records. */
export async function targets(
  c: AppContext,
  caller: Caller,
  requested: string[] | undefined,
): Promise<Targets> {
  return await targetsFor(c.get("services"), caller, requested);
}

/** Runs `op` on the clusters through their KubeSecrets, with the broker's fan-out settings. */
export async function onClusters<T extends object>(
  c: AppContext,
  clusters: Targets,
  op: (kube: KubeSecrets, cluster: string) => Promise<T>,
): Promise<FanoutResult<T>[]> {
  return await runOnClusters(c.get("services"), clusters, op, c.get("requestId"));
}

/**
 * The status of a fan-out answer (the one rule, ./outcome.ts): 200 all ok, 207 some failed; when
 * all failed it throws the common error (with the body), or 502 `clusters_failed` when they failed
 * differently. With `auditEntry`, the request's audit line is written first.
 */
export function settle<T>(
  c: AppContext,
  body: Record<string, unknown>,
  results: FanoutResult<T>[],
  auditEntry: (Omit<AuditEntry, "outcome" | "action"> & { action: string }) | null,
): 200 | 207 {
  const s = summarize(results);
  const status = partialStatus(s.ok, s.failed);
  if (auditEntry) {
    audit(c, {
      ...auditEntry,
      outcome: status === 200 ? "ok" : status === 207 ? "partial" : "failed",
      results: auditResults(results as { cluster: string; status: string; code?: string }[]),
    });
  }
  if (status !== null) return status;
  if (s.allFailedWith) {
    const { code, status: problemStatus } = allClustersFailedProblem(s.allFailedWith);
    const first = results.find(isFailure);
    throw new ApiError(
      "clusters_failed",
      `every target cluster failed: ${first?.message ?? s.allFailedWith}`,
      { ...body, code },
      problemStatus,
    );
  }
  throw new ApiError(
    "clusters_failed",
    `every target cluster failed (${results
      .filter(isFailure)
      .map((r) => `${r.cluster}: ${r.code}`)
      .join(", ")})`,
    body,
  );
}

/** A PUT for a caller on its target clusters (the secret built once from the body). */
export interface PutOnClusters {
  owner: string;
  name: string;
  body: PutSecret;
  secret: KubeSecret;
  clusters: Targets;
  via?: string;
  mayDelete?: (basename: string) => boolean;
}

/**
 * The PUT semantics on the target clusters (./service.ts `putSecret`): the answer's body and status,
 * audited. `via` names the channel when it is not a direct call (provenance and audit, e.g.
 * `webhook:<id>`; default `broker`); `mayDelete` limits which other git-ssh secrets a git-ssh write
 * may delete.
 */
export async function putAnswer(c: AppContext, caller: Caller, put: PutOnClusters) {
  const { owner, name, body, clusters, via } = put;
  const placement = placementFor(caller, body.clusters, clusters);
  const outcome = await putSecret(c.get("services"), {
    ...put,
    placement,
    by: caller.id,
    requestId: c.get("requestId"),
  });
  const status = settle(c, outcome.body, outcome.results, {
    action: body.dryRun ? "secret.plan" : "secret.put",
    ...(via === undefined ? {} : { via }),
    owner,
    name,
    kind: body.kind,
    mode: body.mode,
    dryRun: body.dryRun,
    clusters: [...clusters.keys()],
    placement,
    keys: outcome.body.keys,
    ...(outcome.body.version === null ? {} : { version: outcome.body.version }),
  });
  return { body: outcome.body, status };
}

/** The same, answered (webhook deliveries): `answerPrefix` leads the answer body. */
export async function putOnClusters(
  c: AppContext,
  caller: Caller,
  put: PutOnClusters & { answerPrefix?: Record<string, unknown> },
): Promise<Response> {
  const { answerPrefix, ...rest } = put;
  const r = await putAnswer(c, caller, rest);
  return c.json({ ...answerPrefix, ...r.body }, r.status);
}
