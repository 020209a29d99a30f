/**
 * Reading Konduktor secrets on ONE cluster, through the KubeSecrets port: `konduktor secret list`
 * (own and all users), find one, and describe it (key names, keyed digests, provenance, placement
 * and the copy's signature, checked). Never a value, never a plain hash of one.
 */
import {
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_PLACEMENT,
  ANNOTATION_UPDATED_AT,
  ANNOTATION_UPDATED_BY,
  ANNOTATION_UPDATED_VIA,
  checkSeal,
  digestValues,
  type Keyring,
  parsePlacement,
} from "./format.ts";
import { KubeError } from "./kube/errors.ts";
import type { KubeSecrets } from "./kube/port.ts";
import {
  LABEL_BASENAME,
  LABEL_KIND,
  LABEL_OWNER,
  ValidationError,
  validateBasename,
  validateOwner,
} from "./secret.ts";
import type { KubeSecret, SecretDescription, SecretListing } from "./types.ts";

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

/** A description of a Secret: names, keyed digests, provenance, signature; never a value. */
export async function describeSecret(
  kube: KubeSecrets,
  secret: KubeSecret,
  keyring: Keyring,
): Promise<SecretDescription> {
  const listing = toListing(secret);
  const labels = secret.metadata.labels ?? {};
  const digested = await digestValues(
    keyring.current,
    labels[LABEL_OWNER] ?? "",
    labels[LABEL_BASENAME] ?? "",
    secret.data,
  );
  const a = secret.metadata.annotations ?? {};
  const by = a[ANNOTATION_UPDATED_BY];
  const via = a[ANNOTATION_UPDATED_VIA];
  return {
    ...listing,
    namespace: secret.metadata.namespace ?? kube.namespace,
    digests: digested.digests,
    contentDigest: digested.contentDigest,
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
    signature: await checkSeal(keyring, secret, digested),
  };
}

/** `describe`: kind, owner, keys, per-key keyed digests, provenance of the owner's secret. */
export async function describe(
  kube: KubeSecrets,
  owner: string,
  basename: string,
  keyring: Keyring,
): Promise<SecretDescription> {
  return await describeSecret(kube, await findOwn(kube, owner, basename), keyring);
}

/**
 * Descriptions (digests, provenance; never values) of the owner's secrets, or of every Secret in
 * the namespace when `owner` is null: `listOwn` / `listAll` with digests, in the same order.
 */
export async function describeListing(
  kube: KubeSecrets,
  owner: string | null,
  keyring: Keyring,
): Promise<SecretDescription[]> {
  if (owner !== null) ownerOrThrow(owner);
  const items = await kube.list(owner === null ? "" : `${LABEL_OWNER}=${owner}`);
  const described = await Promise.all(items.map((s) => describeSecret(kube, s, keyring)));
  return described.sort((a, b) =>
    owner === null
      ? a.name.localeCompare(b.name)
      : a.basename.localeCompare(b.basename) || a.name.localeCompare(b.name),
  );
}

/** The key names this project wrote, from the annotation (for `prune`). */
export function parseManagedKeys(secret: KubeSecret | null): string[] {
  const raw = secret?.metadata.annotations?.[ANNOTATION_MANAGED_KEYS];
  if (!raw) return [];
  return raw
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}
