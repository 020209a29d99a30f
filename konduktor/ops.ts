/**
 * Konduktor secret operations on ONE cluster, through the KubeSecrets port.
 *
 * - applySecret: create-or-merge (Konduktor's `secret create`) or replace; git-ssh is one per owner;
 *   no write when nothing changed (values compared key by key); optimistic concurrency with resourceVersion.
 * - listOwn / listAll / describe / deleteOwn.
 *
 * Results and errors hold key names, digests and names only, never a value.
 */
import { base64ToBytes, sha256Hex, utf8 } from "./encoding.ts";
import { KubeError } from "./kube/errors.ts";
import type { KubeSecrets } from "./kube/port.ts";
import {
  decodedSize,
  isSecretKind,
  LABEL_BASENAME,
  LABEL_KIND,
  LABEL_OWNER,
  MAX_ANNOTATION_BYTES,
  MAX_SECRET_BYTES,
  secretLabels,
  secretName,
  ValidationError,
  validateBasename,
  validateOwner,
} from "./secret.ts";
import type {
  ApplyOptions,
  ApplyResult,
  KubeSecret,
  Provenance,
  SecretDescription,
  SecretKind,
  SecretListing,
} from "./types.ts";

/** comma-separated sorted key names this project wrote (for `prune`) */
export const ANNOTATION_MANAGED_KEYS = "konduktor-broker/managed-keys";
export const ANNOTATION_UPDATED_BY = "konduktor-broker/updated-by";
export const ANNOTATION_UPDATED_VIA = "konduktor-broker/updated-via";
export const ANNOTATION_UPDATED_AT = "konduktor-broker/updated-at";
/** `sha256:<hex>` over all keys and values (see digestValues) */
export const ANNOTATION_CONTENT_DIGEST = "konduktor-broker/content-digest";
/** where the secret is meant to be: `all` or comma-separated sorted cluster names (sync honours it) */
export const ANNOTATION_PLACEMENT = "konduktor-broker/placement";

/** The placement annotation's value as a list, or `all` (also when absent or empty). */
export function parsePlacement(raw: string | undefined): string[] | "all" {
  const names = (raw ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  if (names.length === 0 || names.includes("all")) return "all";
  return [...new Set(names)].sort();
}

/** The placement annotation's value for `all` or a cluster list (sorted, comma-separated). */
export function formatPlacement(placement: readonly string[] | "all"): string {
  return placement === "all" ? "all" : [...new Set(placement)].sort().join(",");
}

/** How often a merge re-reads and retries after a conflict (replace never retries). */
export const DEFAULT_CONFLICT_RETRIES = 12;

export interface ValueDigests {
  /** key → `sha256:<hex>` of the decoded value */
  digests: Record<string, string>;
  /** `sha256:<hex>` of the sorted lines `<key>\0<value digest hex>\n`; same data ⇔ same digest */
  contentDigest: string;
}

/** Digests of a Secret's base64 `data` (never the values themselves). */
export async function digestValues(
  data: Record<string, string> | undefined,
): Promise<ValueDigests> {
  const keys = Object.keys(data ?? {}).sort();
  const digests: Record<string, string> = {};
  let lines = "";
  for (const key of keys) {
    const hex = await sha256Hex(base64ToBytes((data as Record<string, string>)[key] ?? ""));
    digests[key] = `sha256:${hex}`;
    lines += `${key}\0${hex}\n`;
  }
  return { digests, contentDigest: `sha256:${await sha256Hex(utf8(lines))}` };
}

function parseManagedKeys(secret: KubeSecret | null): string[] {
  const raw = secret?.metadata.annotations?.[ANNOTATION_MANAGED_KEYS];
  if (!raw) return [];
  return raw
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}

function sameLabels(existing: Record<string, string> | undefined, wanted: Record<string, string>) {
  return Object.entries(wanted).every(([k, v]) => existing?.[k] === v);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface Identity {
  owner: string;
  basename: string;
  kind: SecretKind;
  name: string;
}

function identityOfDesired(desired: KubeSecret): Identity {
  const labels = desired?.metadata?.labels ?? {};
  const owner = labels[LABEL_OWNER];
  const basename = labels[LABEL_BASENAME];
  const kind = labels[LABEL_KIND] ?? "default";
  const problems = [
    ...validateOwner(owner, `metadata.labels["${LABEL_OWNER}"]`),
    ...validateBasename(basename, `metadata.labels["${LABEL_BASENAME}"]`),
  ];
  if (!isSecretKind(kind)) {
    problems.push(
      new ValidationError(
        `metadata.labels["${LABEL_KIND}"]`,
        `metadata.labels["${LABEL_KIND}"] must be default, env or git-ssh: build the secret with buildSecret()`,
      ),
    );
  }
  if (
    problems.length === 0 &&
    desired.metadata.name !== secretName(basename as string, owner as string)
  ) {
    problems.push(
      new ValidationError(
        "metadata.name",
        "metadata.name must be <basename>-<owner>: build the secret with buildSecret()",
      ),
    );
  }
  if (problems.length > 0) throw ValidationError.of(problems);
  return {
    owner: owner as string,
    basename: basename as string,
    kind: kind as SecretKind,
    name: desired.metadata.name,
  };
}

function notOwner(kube: KubeSecrets, name: string, owner: string, existing: KubeSecret): KubeError {
  const other = existing.metadata.labels?.[LABEL_OWNER];
  return new KubeError({
    code: "not_owner",
    cluster: kube.cluster,
    namespace: kube.namespace,
    name,
    message: other
      ? `secret "${name}" in namespace "${kube.namespace}" on cluster "${kube.cluster}" belongs to another owner: it is left untouched; choose another name`
      : `a Secret named "${name}" exists in namespace "${kube.namespace}" on cluster "${kube.cluster}" but is not a Konduktor secret of owner ${owner}: it is left untouched; choose another name`,
  });
}

interface Plan {
  existing: KubeSecret | null;
  data: Record<string, string>;
  managed: string[];
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: boolean;
  dataChanged: boolean;
}

async function plan(
  kube: KubeSecrets,
  id: Identity,
  desired: KubeSecret,
  options: ApplyOptions,
): Promise<Plan> {
  const existing = await kube.get(id.name);
  if (existing && existing.metadata.labels?.[LABEL_OWNER] !== id.owner) {
    throw notOwner(kube, id.name, id.owner, existing);
  }
  const oldData = existing?.data ?? {};
  const want = desired.data ?? {};
  const wantKeys = Object.keys(want);
  const oldManaged = parseManagedKeys(existing);
  let data: Record<string, string>;
  let managed: Set<string>;
  if (options.mode === "replace") {
    data = { ...want };
    managed = new Set(wantKeys);
  } else {
    data = { ...oldData, ...want };
    managed = new Set([...oldManaged.filter((k) => k in oldData), ...wantKeys]);
    if (options.prune) {
      for (const key of oldManaged) {
        if (!(key in want)) {
          delete data[key];
          managed.delete(key);
        }
      }
    }
  }
  const added = Object.keys(data)
    .filter((k) => !(k in oldData))
    .sort();
  const changed = Object.keys(data)
    .filter((k) => k in oldData && oldData[k] !== data[k])
    .sort();
  const removed = Object.keys(oldData)
    .filter((k) => !(k in data))
    .sort();
  const size = decodedSize(data);
  if (size > MAX_SECRET_BYTES) {
    throw new KubeError({
      code: "too_large",
      cluster: kube.cluster,
      namespace: kube.namespace,
      name: id.name,
      message: `secret "${id.name}" would hold ${size.toLocaleString("en-US")} bytes of values after this change; Kubernetes allows at most ${MAX_SECRET_BYTES.toLocaleString("en-US")} bytes (1 MiB): remove keys or split the secret`,
    });
  }
  const managedSorted = [...managed].sort();
  // both sides are canonical base64 (the API server's and buildSecret's), so comparing the strings
  // (added/changed/removed above) decides whether the data changes
  const dataChanged = !existing || added.length + changed.length + removed.length > 0;
  let unchanged = false;
  if (existing) {
    unchanged =
      !dataChanged &&
      sameLabels(existing.metadata.labels, secretLabels(id.owner, id.basename, id.kind)) &&
      [...oldManaged].sort().join(",") === managedSorted.join(",") &&
      (!options.immutable || existing.immutable === true) &&
      (options.placement === undefined ||
        (existing.metadata.annotations?.[ANNOTATION_PLACEMENT] ?? "all") === options.placement);
  }
  return {
    existing,
    data,
    managed: managedSorted,
    added,
    changed,
    removed,
    unchanged,
    dataChanged,
  };
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
  let result: ApplyResult | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      result = await applyOnce(kube, id, desired, options, at);
      break;
    } catch (error) {
      const raced =
        error instanceof KubeError &&
        (error.code === "conflict" ||
          error.code === "already_exists" ||
          error.code === "not_found");
      if (!raced) throw error;
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
      if (attempt >= retries) {
        throw conflict(true, `kept changing under ${attempt + 1} attempts to merge: try again`);
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

/**
 * Kubernetes refuses an object whose annotations add up to more than 256 KiB: said here, before
 * any write (and in a dry run), naming the annotation that grows with the key names.
 */
function checkAnnotationSize(
  kube: KubeSecrets,
  name: string,
  annotations: Record<string, string>,
): void {
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations)) bytes += utf8(k).length + utf8(v).length;
  if (bytes <= MAX_ANNOTATION_BYTES) return;
  const keys = (annotations[ANNOTATION_MANAGED_KEYS] ?? "").split(",").length;
  throw new KubeError({
    code: "too_large",
    cluster: kube.cluster,
    namespace: kube.namespace,
    name,
    message: `secret "${name}" on cluster "${kube.cluster}" would carry ${bytes.toLocaleString("en-US")} bytes of annotations (${keys.toLocaleString("en-US")} key names in ${ANNOTATION_MANAGED_KEYS}); Kubernetes allows at most ${MAX_ANNOTATION_BYTES.toLocaleString("en-US")}: nothing was written; use fewer or shorter keys (mode replace or prune drops old ones)`,
  });
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
  if (p.unchanged) return { ...base, outcome: "unchanged", writes: 0 };
  const outcome = p.existing ? "updated" : "created";

  const labels = secretLabels(id.owner, id.basename, id.kind);
  // without a placement (the Action in kubeconfig mode) the existing one stays, also when an
  // immutable Secret is deleted and created again
  const placement = options.placement ?? p.existing?.metadata.annotations?.[ANNOTATION_PLACEMENT];
  const annotations = {
    [ANNOTATION_MANAGED_KEYS]: p.managed.join(","),
    [ANNOTATION_CONTENT_DIGEST]: (await digestValues(p.data)).contentDigest,
    ...provenanceAnnotations(options.provenance, at),
    ...(placement === undefined ? {} : { [ANNOTATION_PLACEMENT]: placement }),
  };
  checkAnnotationSize(kube, id.name, { ...p.existing?.metadata.annotations, ...annotations });
  if (options.dryRun) return { ...base, outcome, writes: 0 };
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
    await kube.create(fresh());
    return { ...base, outcome, writes: 1 };
  }
  if (existing.immutable && p.dataChanged) {
    // an immutable Secret's data cannot change: delete exactly the one we read, then create
    await kube.delete(id.name, {
      uid: existing.metadata.uid,
      resourceVersion: existing.metadata.resourceVersion,
    });
    try {
      await kube.create(fresh());
    } catch (error) {
      if (error instanceof KubeError && error.code === "already_exists") {
        throw new KubeError({
          code: "conflict",
          cluster: kube.cluster,
          namespace: kube.namespace,
          name: id.name,
          message: `secret "${id.name}" was recreated by someone else while it was being replaced: read it and try again`,
        });
      }
      throw error;
    }
    return { ...base, outcome, writes: 2 };
  }
  if (options.mode === "replace") {
    const { managedFields: _m, ...metadata } = existing.metadata as KubeSecret["metadata"] & {
      managedFields?: unknown;
    };
    await kube.replace({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        ...metadata,
        labels: { ...(existing.metadata.labels ?? {}), ...labels },
        annotations: { ...(existing.metadata.annotations ?? {}), ...annotations },
      },
      type: existing.type ?? "Opaque",
      ...(options.immutable || existing.immutable ? { immutable: true } : {}),
      data: p.data,
    });
    return { ...base, outcome, writes: 1 };
  }
  const dataPatch: Record<string, string | null> = {};
  for (const key of [...p.added, ...p.changed]) dataPatch[key] = p.data[key] as string;
  for (const key of p.removed) dataPatch[key] = null;
  await kube.mergePatch(
    id.name,
    {
      metadata: { labels, annotations },
      ...(Object.keys(dataPatch).length ? { data: dataPatch } : {}),
      ...(options.immutable && !existing.immutable ? { immutable: true } : {}),
    },
    existing.metadata.resourceVersion,
  );
  return { ...base, outcome, writes: 1 };
}

/**
 * One row of `konduktor secret list` for a Secret read from the cluster. The kind is the label's
 * raw value, as Konduktor shows it (also one this project does not know, e.g. from a newer CLI);
 * `(none)` only when the label is missing or empty.
 */
export function toListing(secret: KubeSecret): SecretListing {
  const labels = secret.metadata.labels ?? {};
  return {
    name: secret.metadata.name,
    basename: labels[LABEL_BASENAME] || secret.metadata.name,
    kind: labels[LABEL_KIND] || "(none)",
    owner: labels[LABEL_OWNER] || null,
    keys: Object.keys(secret.data ?? {}).sort(),
    updatedAt:
      secret.metadata.annotations?.[ANNOTATION_UPDATED_AT] ??
      secret.metadata.creationTimestamp ??
      null,
  };
}

function ownerOrThrow(owner: string): void {
  const problems = validateOwner(owner);
  if (problems.length) throw ValidationError.of(problems);
}

/** The owner's secrets (server-side label selector), by basename. */
export async function listOwn(kube: KubeSecrets, owner: string): Promise<SecretListing[]> {
  ownerOrThrow(owner);
  const items = await kube.list(`${LABEL_OWNER}=${owner}`);
  return items
    .map(toListing)
    .sort((a, b) => a.basename.localeCompare(b.basename) || a.name.localeCompare(b.name));
}

/** Every Secret in the namespace, as `konduktor secret list -u` shows them. */
export async function listAll(kube: KubeSecrets): Promise<SecretListing[]> {
  const items = await kube.list("");
  return items.map(toListing).sort((a, b) => a.name.localeCompare(b.name));
}

/** The owner's one Secret with this basename label (not_found / ambiguous otherwise). */
export async function findOwn(
  kube: KubeSecrets,
  owner: string,
  basename: string,
): Promise<KubeSecret> {
  const problems = [...validateOwner(owner), ...validateBasename(basename)];
  if (problems.length) throw ValidationError.of(problems);
  const items = (await kube.list(`${LABEL_OWNER}=${owner},${LABEL_BASENAME}=${basename}`)).filter(
    (s) => s.metadata.labels?.[LABEL_OWNER] === owner,
  );
  if (items.length === 0) {
    throw new KubeError({
      code: "not_found",
      cluster: kube.cluster,
      namespace: kube.namespace,
      name: basename,
      message: `owner ${owner} has no secret "${basename}" in namespace "${kube.namespace}" on cluster "${kube.cluster}"`,
    });
  }
  if (items.length > 1) {
    throw new KubeError({
      code: "ambiguous",
      cluster: kube.cluster,
      namespace: kube.namespace,
      name: basename,
      message: `owner ${owner} has ${items.length} secrets with basename "${basename}" in namespace "${kube.namespace}" on cluster "${kube.cluster}" (${items
        .map((s) => s.metadata.name)
        .sort()
        .join(", ")}): remove the extra ones with kubectl`,
    });
  }
  return items[0] as KubeSecret;
}

/** A description of a Secret: names, digests and provenance, never a value. */
export async function describeSecret(
  kube: KubeSecrets,
  secret: KubeSecret,
): Promise<SecretDescription> {
  const { digests, contentDigest } = await digestValues(secret.data);
  const a = secret.metadata.annotations ?? {};
  const by = a[ANNOTATION_UPDATED_BY];
  const via = a[ANNOTATION_UPDATED_VIA];
  const recorded = a[ANNOTATION_CONTENT_DIGEST];
  return {
    ...toListing(secret),
    namespace: secret.metadata.namespace ?? kube.namespace,
    digests,
    contentDigest,
    immutable: secret.immutable === true,
    managedKeys: parseManagedKeys(secret).sort(),
    provenance:
      by || via
        ? {
            actor: by ?? "",
            via: via ?? "",
            ...(a[ANNOTATION_UPDATED_AT] ? { at: a[ANNOTATION_UPDATED_AT] } : {}),
          }
        : null,
    placement: parsePlacement(a[ANNOTATION_PLACEMENT]),
    editedOutsideBroker: recorded !== undefined && recorded !== contentDigest,
  };
}

/** `describe`: kind, owner, keys, per-key value digests, provenance of the owner's secret. */
export async function describe(
  kube: KubeSecrets,
  owner: string,
  basename: string,
): Promise<SecretDescription> {
  return await describeSecret(kube, await findOwn(kube, owner, basename));
}

/**
 * Deletes the owner's secret with this basename (exactly the one found: uid precondition).
 * Idempotent, as `kubectl delete --ignore-not-found`: when the owner has no such secret (or it
 * went away meanwhile) the end state is what was asked, and the outcome is `absent`.
 */
export async function deleteOwn(
  kube: KubeSecrets,
  owner: string,
  basename: string,
): Promise<{ outcome: "deleted" | "absent"; name: string; namespace: string; writes: number }> {
  const absent = {
    outcome: "absent" as const,
    name: secretName(basename, owner),
    namespace: kube.namespace,
    writes: 0,
  };
  let secret: KubeSecret;
  try {
    secret = await findOwn(kube, owner, basename);
  } catch (error) {
    if (error instanceof KubeError && error.code === "not_found") return absent;
    throw error;
  }
  try {
    await kube.delete(secret.metadata.name, { uid: secret.metadata.uid });
  } catch (error) {
    if (error instanceof KubeError && error.code === "not_found") {
      return { ...absent, name: secret.metadata.name };
    }
    throw error;
  }
  return { outcome: "deleted", name: secret.metadata.name, namespace: kube.namespace, writes: 1 };
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

/**
 * Descriptions (digests, provenance; never values) of the owner's secrets, or of every Secret in
 * the namespace when `owner` is null: `listOwn` / `listAll` with digests, in the same order.
 */
export async function describeListing(
  kube: KubeSecrets,
  owner: string | null,
): Promise<SecretDescription[]> {
  if (owner !== null) ownerOrThrow(owner);
  const items = await kube.list(owner === null ? "" : `${LABEL_OWNER}=${owner}`);
  const described = await Promise.all(items.map((s) => describeSecret(kube, s)));
  return described.sort((a, b) =>
    owner === null
      ? a.name.localeCompare(b.name)
      : a.basename.localeCompare(b.basename) || a.name.localeCompare(b.name),
  );
}
