/**
 * The HTTP side of the secrets service, shared by the routes (functions/routes/secrets.ts) and the
 * webhook deliveries (functions/hooks/): what the request may touch, the per-cluster answer with
 * its status (./outcome.ts, the one 200/207 rule) and its audit line.
 */
import { type FanoutResult, isFailure, summarize } from "../../konduktor/fanout.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import { type AuditEntry, audit, auditResults } from "../audit.ts";
import type { AccessRequest, Scope } from "../auth/authorize.ts";
import type { AppContext } from "../context.ts";
import { ApiError, allClustersFailedProblem } from "../problem.ts";
import type { PutSecret } from "./input.ts";
import { partialStatus } from "./outcome.ts";
import { authorizeOnClusters, putSecret, runOnClusters, type Targets } from "./service.ts";

/** What the request's caller may touch (its scope), with the target clusters' records. */
export async function authorized(
  c: AppContext,
  request: AccessRequest,
): Promise<{ scope: Scope; clusters: Targets }> {
  return await authorizeOnClusters(
    c.get("services"),
    c.get("caller"),
    request,
    c.get("registered"),
  );
}

/** The one owner of a scope that was authorized for one owner. */
export function ownerOf(scope: Scope): string {
  if (scope.owners === "every" || scope.owners.length !== 1) {
    throw new Error("the scope was not authorized for one owner");
  }
  return scope.owners[0] as string;
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
  auditEntry: Omit<AuditEntry, "outcome"> | null,
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

/** A PUT on its authorized target clusters (the secret built once from the body). */
export interface PutOnClusters {
  owner: string;
  name: string;
  body: PutSecret;
  secret: KubeSecret;
  clusters: Targets;
  placement: readonly string[] | "all";
  via?: string;
  mayDelete?: (basename: string) => boolean;
}

/**
 * The PUT semantics on the target clusters (./service.ts `putSecret`): the answer's body and status,
 * audited. `via` names the channel when it is not a direct call (provenance and audit, e.g.
 * `webhook:<id>`; default `broker`); `mayDelete` limits which other git-ssh secrets a git-ssh write
 * may delete.
 */
export async function putAnswer(c: AppContext, put: PutOnClusters) {
  const { owner, name, body, clusters, via } = put;
  const placement = put.placement === "all" ? "all" : [...put.placement];
  const outcome = await putSecret(c.get("services"), {
    ...put,
    placement,
    by: c.get("caller").id,
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
