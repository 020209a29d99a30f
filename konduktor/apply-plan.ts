/**
 * The plan of one apply on one cluster (./ops.ts `applySecret`): read the existing copy, check
 * ownership, compute the data after merge / replace / prune, the key changes, the size, whether
 * anything changes at all and, with `seal`, the digests and signature of the result and whether a
 * newer signed version is already there. Reads only; never writes.
 */
import { parseManagedKeys } from "./describe.ts";
import {
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_PLACEMENT,
  checkSeal,
  digestValues,
  type Keyring,
  LEGACY_ANNOTATION_CONTENT_DIGEST,
  sealAnnotations,
  type ValueDigests,
} from "./format.ts";
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
import type { ApplyOptions, KubeSecret, SecretKind } from "./types.ts";

function sameLabels(existing: Record<string, string> | undefined, wanted: Record<string, string>) {
  return Object.entries(wanted).every(([k, v]) => existing?.[k] === v);
}

export interface Identity {
  owner: string;
  basename: string;
  kind: SecretKind;
  name: string;
}

export function identityOfDesired(desired: KubeSecret): Identity {
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

export interface Plan {
  existing: KubeSecret | null;
  data: Record<string, string>;
  managed: string[];
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: boolean;
  dataChanged: boolean;
  /** with `seal`: the keyed digests of `data` and the annotations that sign it */
  digests?: ValueDigests;
  sealed?: Record<string, string>;
  /** with `seal`: the existing copy holds a validly signed newer version (write nothing) */
  supersededBy?: number;
}

export async function plan(
  kube: KubeSecrets,
  id: Identity,
  desired: KubeSecret,
  options: ApplyOptions,
): Promise<Plan> {
  const existing = options.existing === undefined ? await kube.get(id.name) : options.existing;
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
  const seal = options.seal ? await sealFor(options.seal.keyring, id, data, options) : undefined;
  let supersededBy: number | undefined;
  if (existing && options.seal) {
    const held = await checkSeal(options.seal.keyring, existing);
    if (held.state === "valid" && held.version > options.seal.version) supersededBy = held.version;
  }
  const existingAnnotations = existing?.metadata.annotations ?? {};
  let unchanged = false;
  if (existing) {
    unchanged =
      !dataChanged &&
      existingAnnotations[LEGACY_ANNOTATION_CONTENT_DIGEST] === undefined &&
      Object.entries(seal?.sealed ?? {}).every(([k, v]) => existingAnnotations[k] === v) &&
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
    ...(seal ?? {}),
    ...(supersededBy === undefined ? {} : { supersededBy }),
  };
}

/** Digests made under `keyId` for exactly the key names of `data` (their values are trusted). */
export function sameDigestsShape(
  d: ValueDigests,
  keyId: string,
  data: Record<string, string>,
): boolean {
  const keys = Object.keys(data);
  return (
    d.keyId === keyId &&
    keys.length === Object.keys(d.digests).length &&
    keys.every((k) => d.digests[k] !== undefined)
  );
}

/** The keyed digests of the data to write and the annotations that sign it as the ledger version. */
async function sealFor(
  keyring: Keyring,
  id: Identity,
  data: Record<string, string>,
  options: ApplyOptions,
): Promise<{ digests: ValueDigests; sealed: Record<string, string> }> {
  const keys = keyring.current;
  const given = options.seal?.digests;
  const digests =
    given && options.mode === "replace" && sameDigestsShape(given, keys.keyId, data)
      ? given
      : await digestValues(keys, id.owner, id.basename, data);
  const sealed = await sealAnnotations(keys, {
    owner: id.owner,
    basename: id.basename,
    kind: id.kind,
    version: options.seal?.version ?? 0,
    contentDigest: digests.contentDigest,
    placement: options.placement ?? "all",
  });
  return { digests, sealed };
}

/**
 * Kubernetes refuses an object whose annotations add up to more than 256 KiB: said here, before
 * any write (and in a dry run), naming the annotation that grows with the key names.
 */
export function checkAnnotationSize(
  kube: KubeSecrets,
  name: string,
  annotations: Record<string, string>,
): void {
  let chars = 0;
  for (const [k, v] of Object.entries(annotations)) chars += k.length + v.length;
  // a UTF-16 code unit is at most 3 bytes of UTF-8: a copy's annotations are far below the bound,
  // and encoding them for every write of a sync was measurable (~5 % of its CPU in workerd)
  if (chars * 3 <= MAX_ANNOTATION_BYTES) return;
  const encoder = new TextEncoder();
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations)) {
    bytes += encoder.encode(k).length + encoder.encode(v).length;
  }
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
