/**
 * Konduktor secret operations on ONE cluster, through the KubeSecrets port.
 *
 * - applySecret: create-or-merge (Konduktor's `secret create`) or replace; git-ssh is one per owner;
 *   no write when nothing changed (values compared key by key); optimistic concurrency with
 *   resourceVersion; with `seal` (the broker) the copy is signed with its ledger version and a
 *   newer signed copy is never overwritten by an older version.
 * - deleteOwn (and, in ./describe.ts, listOwn / listAll / describe).
 *
 * The annotations, the placement codec, digests and signatures are the format's (./format.ts).
 * Results and errors hold key names, digests and names only, never a value.
 */
import { applyKnown } from "./apply-known.ts";
import { checkAnnotationSize, type Identity, identityOfDesired, plan } from "./apply-plan.ts";
import { findOwn } from "./describe.ts";
import {
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_PLACEMENT,
  ANNOTATION_UPDATED_AT,
  ANNOTATION_UPDATED_BY,
  ANNOTATION_UPDATED_VIA,
  checkSeal,
  type Keyring,
  LEGACY_ANNOTATION_CONTENT_DIGEST,
  parsePlacement,
} from "./format.ts";
import { KubeError } from "./kube/errors.ts";
import type { KubeSecrets } from "./kube/port.ts";
import {
  isSecretKind,
  LABEL_BASENAME,
  LABEL_KIND,
  LABEL_OWNER,
  secretLabels,
  secretName,
} from "./secret.ts";
import type { ApplyOptions, ApplyResult, KubeSecret, Provenance } from "./types.ts";

export {
  describe,
  describeListing,
  describeSecret,
  findOwn,
  listAll,
  listOwn,
  toListing,
} from "./describe.ts";

/** How often a merge re-reads and retries after a conflict (replace never retries). */
export const DEFAULT_CONFLICT_RETRIES = 12;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function provenanceAnnotations(p: Provenance, at: string): Record<string, string> {
  return {
    [ANNOTATION_UPDATED_BY]: p.actor,
    [ANNOTATION_UPDATED_VIA]: p.via,
    [ANNOTATION_UPDATED_AT]: at,
  };
}

/**
 * Writes `desired` (built by `buildSecret`) to the cluster.
 * - merge: new keys added, same keys overwritten, others kept (`prune` also removes keys this
 *   project wrote earlier and `desired` no longer has); conflicts are retried on fresh reads;
 * - replace: exactly `desired`'s data; a concurrent change makes it fail with `conflict`;
 * - 0 writes when data, labels and managed keys are already as wanted;
 * - git-ssh: the owner's other git-ssh secrets are deleted after the write;
 * - a Secret of that name owned by someone else (or no one) is never touched (`not_owner`).
 */
export async function applySecret(
  kube: KubeSecrets,
  desired: KubeSecret,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const id = identityOfDesired(desired);
  const at = options.provenance.at ?? new Date().toISOString();
  const retries = options.mode === "replace" ? 0 : DEFAULT_CONFLICT_RETRIES;
  const otherGitSsh = async () =>
    (await kube.list(`${LABEL_OWNER}=${id.owner},${LABEL_KIND}=git-ssh`)).filter(
      (s) => s.metadata.name !== id.name && s.metadata.labels?.[LABEL_OWNER] === id.owner,
    );
  const mayDelete = (s: KubeSecret) =>
    !options.mayDelete || options.mayDelete(s.metadata.labels?.[LABEL_BASENAME] ?? "");
  if (id.kind === "git-ssh" && options.mayDelete) {
    // writing a git-ssh secret deletes the owner's others: refuse before writing if one is off-limits
    const blocked = (await otherGitSsh()).filter((s) => !mayDelete(s));
    if (blocked.length > 0) {
      throw new KubeError({
        code: "forbidden",
        cluster: kube.cluster,
        namespace: kube.namespace,
        name: id.name,
        message: `owner ${id.owner} has the git-ssh secret ${blocked
          .map((s) => `"${s.metadata.labels?.[LABEL_BASENAME] ?? s.metadata.name}"`)
          .sort()
          .join(
            ", ",
          )} on cluster "${kube.cluster}", which this write would delete (git-ssh is one per owner) and may not touch: nothing was written`,
      });
    }
  }
  // the ledger knows the copy: one conditional request; it reads and writes when that is refused
  const known = await applyKnown(kube, id, desired, options, at);
  let result = known && "outcome" in known ? known : undefined;
  const left = known && !("outcome" in known) ? known : undefined;
  // gone: created without reading first (a copy that appeared meanwhile is read on the retry)
  const first: ApplyOptions = left?.existing === null ? { ...options, existing: null } : options;
  for (let attempt = 0; !result; attempt++) {
    try {
      // a copy the caller listed is planned from on the first attempt only (retries read again)
      const { existing, ...rest } = first;
      result = await applyOnce(kube, id, desired, attempt === 0 ? first : rest, at);
      if (left) {
        // the one-patch write found the copy changed or gone outside the broker
        result.writes += left.writes;
        result.changedOutside = true;
      }
      break;
    } catch (error) {
      const raced =
        error instanceof KubeError &&
        (error.code === "conflict" ||
          error.code === "already_exists" ||
          error.code === "not_found");
      if (!raced) throw error;
      // the listed copy changed before the write: read it and plan again, as without the listing
      if (attempt === 0 && first.existing !== undefined) continue;
      const conflict = (retryable: boolean, what: string) =>
        new KubeError({
          code: "conflict",
          httpStatus: error.httpStatus,
          cluster: kube.cluster,
          namespace: kube.namespace,
          name: id.name,
          retryable,
          message: `secret "${id.name}" in namespace "${kube.namespace}" on cluster "${kube.cluster}" ${what}`,
        });
      if (options.mode === "replace") {
        throw conflict(
          false,
          "was changed by someone else during the replace: nothing was overwritten; read it and try again",
        );
      }
      // not retryable: this loop is the one that retries a merge's conflicts (the fan-out
      // retries transient failures: network, 429, 5xx), so they never multiply
      if (attempt >= retries) {
        throw conflict(false, `kept changing under ${attempt + 1} attempts to merge: try again`);
      }
      // full jitter backoff, so that many concurrent writers spread out
      await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
    }
  }
  if (id.kind === "git-ssh") {
    // one that appeared since the check above and may not be touched is left alone
    const others = (await otherGitSsh()).filter(mayDelete);
    const replaced: string[] = [];
    for (const other of others) {
      if (!options.dryRun) {
        try {
          await kube.delete(other.metadata.name, { uid: other.metadata.uid });
          result.writes++;
        } catch (error) {
          if (!(error instanceof KubeError && error.code === "not_found")) throw error;
          continue;
        }
      }
      replaced.push(other.metadata.name);
    }
    result.replacedGitSsh = replaced.sort();
  }
  return result;
}

async function applyOnce(
  kube: KubeSecrets,
  id: Identity,
  desired: KubeSecret,
  options: ApplyOptions,
  at: string,
): Promise<ApplyResult> {
  const p = await plan(kube, id, desired, options);
  const base = {
    name: id.name,
    namespace: kube.namespace,
    added: p.added,
    changed: p.changed,
    removed: p.removed,
    dryRun: options.dryRun === true,
    ...(p.existing
      ? {
          previousPlacement: parsePlacement(
            p.existing.metadata.annotations?.[ANNOTATION_PLACEMENT],
          ),
        }
      : {}),
  };
  const digests = p.digests ? { digests: p.digests } : {};
  if (p.supersededBy !== undefined) {
    // a newer version is already there: an older request's write must not undo it
    return {
      ...base,
      added: [],
      changed: [],
      removed: [],
      outcome: "unchanged",
      writes: 0,
      supersededBy: p.supersededBy,
    };
  }
  const rv = (s: KubeSecret | null | undefined) =>
    s?.metadata.resourceVersion ? { resourceVersion: s.metadata.resourceVersion } : {};
  if (p.unchanged)
    return { ...base, ...digests, ...rv(p.existing), outcome: "unchanged", writes: 0 };
  const outcome = p.existing ? "updated" : "created";

  const labels = secretLabels(id.owner, id.basename, id.kind);
  // without a placement (the Action in kubeconfig mode) the existing one stays, also when an
  // immutable Secret is deleted and created again
  const placement = options.placement ?? p.existing?.metadata.annotations?.[ANNOTATION_PLACEMENT];
  const annotations: Record<string, string> = {
    [ANNOTATION_MANAGED_KEYS]: p.managed.join(","),
    ...provenanceAnnotations(options.provenance, at),
    ...(placement === undefined ? {} : { [ANNOTATION_PLACEMENT]: placement }),
    ...(p.sealed ?? {}),
  };
  checkAnnotationSize(kube, id.name, { ...p.existing?.metadata.annotations, ...annotations });
  if (options.dryRun) return { ...base, ...digests, outcome, writes: 0 };
  const fresh = (): KubeSecret => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: id.name, labels, annotations },
    type: "Opaque",
    ...(options.immutable ? { immutable: true } : {}),
    data: p.data,
  });

  const existing = p.existing;
  if (!existing) {
    const created = await kube.create(fresh());
    return { ...base, ...digests, ...rv(created), outcome, writes: 1 };
  }
  if (existing.immutable && p.dataChanged) {
    // an immutable Secret's data cannot change: delete exactly the one we read, then create. One
    // recreated by someone else in between answers `already_exists`: a race, which applySecret's
    // loop reads again (merge) or answers as a conflict (replace)
    await kube.delete(id.name, {
      uid: existing.metadata.uid,
      resourceVersion: existing.metadata.resourceVersion,
    });
    const created = await kube.create(fresh());
    return { ...base, ...digests, ...rv(created), outcome, writes: 2 };
  }
  if (options.mode === "replace") {
    const { managedFields: _m, ...metadata } = existing.metadata as KubeSecret["metadata"] & {
      managedFields?: unknown;
    };
    const replaced = await kube.replace({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        ...metadata,
        labels: { ...(existing.metadata.labels ?? {}), ...labels },
        annotations: withoutLegacy({ ...(existing.metadata.annotations ?? {}), ...annotations }),
      },
      type: existing.type ?? "Opaque",
      ...(options.immutable || existing.immutable ? { immutable: true } : {}),
      data: p.data,
    });
    return { ...base, ...digests, ...rv(replaced), outcome, writes: 1 };
  }
  const dataPatch: Record<string, string | null> = {};
  for (const key of [...p.added, ...p.changed]) dataPatch[key] = p.data[key] as string;
  for (const key of p.removed) dataPatch[key] = null;
  const patched = await kube.mergePatch(
    id.name,
    {
      // the legacy plain digest goes (null removes an annotation in a merge patch)
      metadata: {
        labels,
        annotations: { ...annotations, [LEGACY_ANNOTATION_CONTENT_DIGEST]: null },
      },
      ...(Object.keys(dataPatch).length ? { data: dataPatch } : {}),
      ...(options.immutable && !existing.immutable ? { immutable: true } : {}),
    },
    existing.metadata.resourceVersion,
  );
  return { ...base, ...digests, ...rv(patched), outcome, writes: 1 };
}

function withoutLegacy(annotations: Record<string, string>): Record<string, string> {
  const { [LEGACY_ANNOTATION_CONTENT_DIGEST]: _legacy, ...rest } = annotations;
  return rest;
}

/**
 * Deletes the owner's secret with this basename (exactly the one found: uid precondition). With
 * `order` (the broker): a copy holding a validly signed version newer than `order.version` was
 * written by a later request and stays (`supersededBy`, nothing deleted); the delete is then also
 * conditional on the resourceVersion read, so a write in between is never deleted unseen.
 */
export async function deleteOwn(
  kube: KubeSecrets,
  owner: string,
  basename: string,
  order?: { keyring: Keyring; version: number },
): Promise<{
  outcome: "deleted" | "absent";
  name: string;
  namespace: string;
  writes: number;
  supersededBy?: number;
}> {
  // idempotent, as `kubectl delete --ignore-not-found`: no such secret (or gone meanwhile) is
  // the end state that was asked for
  const absent = (name: string) => ({
    outcome: "absent" as const,
    name,
    namespace: kube.namespace,
    writes: 0,
  });
  const notFound = (error: unknown) => error instanceof KubeError && error.code === "not_found";
  for (let attempt = 0; ; attempt++) {
    let secret: KubeSecret;
    try {
      secret = await findOwn(kube, owner, basename);
    } catch (error) {
      if (notFound(error)) return absent(secretName(basename, owner));
      throw error;
    }
    const done = {
      outcome: "deleted" as const,
      name: secret.metadata.name,
      namespace: kube.namespace,
    };
    if (!order) {
      try {
        await kube.delete(secret.metadata.name, { uid: secret.metadata.uid });
      } catch (error) {
        if (notFound(error)) return absent(secret.metadata.name);
        throw error;
      }
      return { ...done, writes: 1 };
    }
    const held = await checkSeal(order.keyring, secret);
    if (held.state === "valid" && held.version > order.version) {
      return { ...done, writes: 0, supersededBy: held.version };
    }
    try {
      await kube.delete(secret.metadata.name, {
        uid: secret.metadata.uid,
        resourceVersion: secret.metadata.resourceVersion,
      });
      return { ...done, writes: 1 };
    } catch (error) {
      if (notFound(error)) return absent(secret.metadata.name);
      const raced = error instanceof KubeError && error.code === "conflict";
      if (!raced || attempt >= 3) throw error;
    }
  }
}

/**
 * A Secret read from a cluster as a `desired` Secret for applySecret elsewhere: name, the four
 * labels, type and data only (no annotations, uid or resourceVersion).
 */
export function desiredCopy(secret: KubeSecret, owner: string, basename: string): KubeSecret {
  const kind = secret.metadata.labels?.[LABEL_KIND];
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secretName(basename, owner),
      labels: secretLabels(owner, basename, isSecretKind(kind) ? kind : "default"),
    },
    type: "Opaque",
    data: { ...(secret.data ?? {}) },
  };
}
