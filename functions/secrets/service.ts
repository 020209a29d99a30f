/**
 * The secrets service: PUT, DELETE, list and describe of one owner's Konduktor secrets on every
 * target cluster at once, with the intent ledger (functions/ledger): a write or a deletion gets its
 * version when it starts, each copy is signed as that version, and the clusters that confirmed it
 * are recorded when it ends. Called by the routes (functions/routes/secrets.ts) and by webhook
 * deliveries; answers per cluster, never a value.
 */
import { type FanoutResult, fanout, isFailure } from "../../konduktor/fanout.ts";
import { digestValues, formatPlacement, type Keyring } from "../../konduktor/format.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret, deleteOwn } from "../../konduktor/ops.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import { applyRowOf } from "../../konduktor/wire/answers.ts";
import { type AccessRequest, authorize, type Scope } from "../auth/authorize.ts";
import type { Caller } from "../auth/caller.ts";
import type { Services } from "../context.ts";
import { brokerFanoutOptions } from "../fanout-options.ts";
import { knownCopy } from "../ledger/entry.ts";
import { brokerKeyring } from "../ledger/keys.ts";
import { Ledger, type Written } from "../ledger/ledger.ts";
import { immutableWarning } from "../notices.ts";
import type { ClusterRecord } from "../registry/clusters.ts";
import type { PutSecret } from "./input.ts";

export type Targets = Map<string, ClusterRecord>;

/**
 * What a request may touch (functions/auth/authorize.ts: owners, clusters, placement), with the
 * registered records of its target clusters. Throws the refusal before any cluster is touched.
 * `registered`: the registry as the credential's check read it (else it is read here).
 */
export async function authorizeOnClusters(
  services: Services,
  caller: Caller,
  request: AccessRequest,
  registered?: ClusterRecord[],
): Promise<{ scope: Scope; clusters: Targets }> {
  const records = registered ?? (await services.registry.list());
  const byName = new Map(records.map((r) => [r.name, r]));
  const scope = authorize(caller, request, [...byName.keys()]);
  const clusters = new Map(scope.clusters.map((n) => [n, byName.get(n) as ClusterRecord]));
  return { scope, clusters };
}

/**
 * The opener of a `targets` answer: several fan-outs over the same clusters in one request (e.g.
 * a git-ssh delivery's listing, then its write, or `openEarly` and the fan-out) open each cluster
 * once, also when the isolate keeps more clusters than its bounds (functions/registry/opened.ts).
 */
const openers = new WeakMap<
  Targets,
  (cluster: string, signal?: AbortSignal) => Promise<KubeSecrets>
>();

/** The request's opener of these clusters (made on first use). */
function openerOf(services: Services, clusters: Targets) {
  let open = openers.get(clusters);
  if (!open) {
    open = services.registry.opener(clusters);
    openers.set(clusters, open);
  }
  return open;
}

/**
 * Starts opening the clusters without waiting: work for the isolate while it waits on something
 * else (the ledger's commit). What the fan-out then finds ready is each cluster's decrypted
 * kubeconfig and its parse, which the registry keeps per sealing (functions/registry/opened.ts:
 * only a cluster's first request, or its first after it was registered again, does this work);
 * the port made here is dropped, since each fan-out call connects with its own deadline signal,
 * and making one is cheap. A failure is not lost: the fan-out's own call gets it again, as that
 * cluster's error.
 */
export function openEarly(services: Services, clusters: Targets): void {
  const open = openerOf(services, clusters);
  for (const cluster of clusters.keys()) open(cluster).catch(() => {});
}

/** Runs `op` on the clusters through their KubeSecrets, with the broker's fan-out settings. */
export async function runOnClusters<T extends object>(
  services: Services,
  clusters: Targets,
  op: (kube: KubeSecrets, cluster: string) => Promise<T>,
  requestId?: string,
): Promise<FanoutResult<T>[]> {
  const openCluster = openerOf(services, clusters);
  return await fanout(
    [...clusters.keys()],
    // the deadline's signal goes into the port: after a `timeout` answer nothing more is sent
    async (cluster, signal) => op(await openCluster(cluster, signal), cluster),
    brokerFanoutOptions(services, "cluster operation", requestId ? { requestId } : {}),
  );
}

export interface PutRequest {
  owner: string;
  name: string;
  body: PutSecret;
  /** built once from the body (`secretFromBody`) */
  secret: KubeSecret;
  clusters: Targets;
  placement: string[] | "all";
  /** the caller's id (provenance, the ledger's `updatedBy`) */
  by: string;
  /** the channel when it is not a direct call (provenance), e.g. `webhook:<id>` */
  via?: string;
  /** git-ssh: which of the owner's other git-ssh secrets a write may delete */
  mayDelete?: (basename: string) => boolean;
  requestId?: string;
}

/**
 * The PUT: the ledger assigns the version (or keeps the current one when nothing changes), every
 * target cluster gets the secret signed as it, and the clusters that hold it are confirmed. A
 * write that wrote nowhere for sure gives the previous content back (its version stays used).
 */
export async function putSecret(services: Services, put: PutRequest) {
  const { owner, name, body, secret, clusters, placement } = put;
  const keyring = await brokerKeyring(services.config);
  const requested = await digestValues(keyring.current, owner, name, secret.data);
  const ledger = new Ledger(services.stores.records, services.now);
  openEarly(services, clusters);
  const started = body.dryRun
    ? null
    : await ledger.beginWrite(owner, name, {
        kind: body.kind,
        placement,
        mode: body.mode,
        prune: body.prune,
        immutable: body.immutable,
        keyId: requested.keyId,
        digests: requested.digests,
        by: put.by,
      });
  const provenance = { actor: put.by, via: put.via ?? "broker", at: services.now().toISOString() };
  // what the ledger knows of each cluster's copy: the write is then one conditional request
  const knownOn = (cluster: string) => {
    const known = started ? knownCopy(started.before, cluster) : undefined;
    return known ? { known } : {};
  };
  /** placements the target copies had before this write that reach beyond this write's */
  const wider = new Set<string>();
  const written: Written[] = [];
  const replaced: { cluster: string; basename: string }[] = [];
  const results = await runOnClusters(
    services,
    clusters,
    async (kube, cluster) => {
      const r = await applySecret(
        kube,
        { ...secret, metadata: { ...secret.metadata, namespace: kube.namespace } },
        {
          mode: body.mode,
          prune: body.prune,
          immutable: body.immutable,
          dryRun: body.dryRun,
          provenance,
          placement: formatPlacement(placement),
          ...(started ? { seal: { keyring, version: started.version, digests: requested } } : {}),
          ...knownOn(cluster),
          ...(put.mayDelete ? { mayDelete: put.mayDelete } : {}),
        },
      );
      if (r.digests && !r.dryRun && r.supersededBy === undefined) {
        written.push({
          cluster,
          ...r.digests,
          ...(r.resourceVersion === undefined ? {} : { resourceVersion: r.resourceVersion }),
        });
      }
      for (const n of r.replacedGitSsh ?? []) {
        replaced.push({ cluster, basename: n.slice(0, -(owner.length + 1)) });
      }
      const before = r.previousPlacement;
      if (
        placement !== "all" &&
        before !== undefined &&
        (before === "all" || before.some((b) => !placement.includes(b)))
      ) {
        wider.add(formatPlacement(before));
      }
      return applyRowOf(r);
    },
    put.requestId,
  );
  if (started) {
    // rolled back only when no cluster can hold it: every one failed, none by a lost answer
    const rollback = !started.reused && results.every((r) => isFailure(r) && r.code !== "timeout");
    await ledger.finishWrite(owner, name, started.version, {
      written,
      rollback,
      before: started.before,
    });
    if (replaced.length) await ledger.replacedGitSsh(owner, replaced, started.version, put.by);
  }
  const body2 = {
    name,
    owner,
    kind: body.kind,
    secretName: secret.metadata.name,
    mode: body.mode,
    dryRun: body.dryRun,
    keys: Object.keys(requested.digests),
    digests: requested.digests,
    contentDigest: requested.contentDigest,
    version: started?.version ?? null,
    results,
    ...(body.immutable ? { warning: immutableWarning(name) } : {}),
    ...(wider.size
      ? {
          notice: `the secret was placed on ${[...wider].sort().join(" / ")}; this write is limited to ${formatPlacement(placement)} and ${body.dryRun ? "would place" : "places"} it there only: the copies on the other clusters keep their old value (drift shows them \`different\`) and a sync does not copy this value to them. To update every cluster, write it with a credential that may use every cluster and without \`clusters\``,
        }
      : {}),
  };
  return { body: body2, results };
}

export interface DeleteRequest {
  owner: string;
  name: string;
  clusters: Targets;
  /** the scope's placement: `all` when the caller may use every cluster and named none */
  coverage: string[] | "all";
  by: string;
  requestId?: string;
}

/**
 * The DELETE: the ledger records the deletion with its version when it starts; each copy is deleted
 * unless it already holds a newer version (a write that started after this deletion).
 */
export async function deleteSecret(services: Services, del: DeleteRequest) {
  const { owner, name, clusters } = del;
  const keyring: Keyring = await brokerKeyring(services.config);
  const ledger = new Ledger(services.stores.records, services.now);
  const version = await ledger.beginDelete(owner, name, {
    coverage: del.coverage,
    clusters: [...clusters.keys()],
    by: del.by,
  });
  const deleted: string[] = [];
  const results = await runOnClusters(
    services,
    clusters,
    async (kube, cluster) => {
      const r = await deleteOwn(kube, owner, name, { keyring, version });
      if (r.supersededBy === undefined) deleted.push(cluster);
      return {
        status: r.outcome,
        secretName: r.name,
        namespace: r.namespace,
        ...(r.supersededBy === undefined ? {} : { supersededBy: r.supersededBy }),
      };
    },
    del.requestId,
  );
  // a cluster that has no copy is where the deletion wants it: confirmed deleted there too
  for (const r of results) if (isFailure(r) && r.code === "not_found") deleted.push(r.cluster);
  await ledger.finishDelete(owner, name, version, deleted);
  return { body: { name, owner, version, results }, results };
}
