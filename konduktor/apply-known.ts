/**
 * One request per cluster (docs/decisions/0015-one-request-per-cluster.md): when the broker's
 * ledger knows the copy on a cluster (`KnownCopy`: the resourceVersion its own write left and what
 * that copy was signed with), a PUT sends ONE JSON patch whose `test` operations hold only while
 * the copy is exactly that one, followed by the changes. The server applies it whole or not at all.
 *
 * - the copy changed since (outside the broker, or a newer version), or is gone: the server
 *   refuses (422, 404), nothing is written, and ./ops.ts reads and writes as without the ledger;
 * - nothing to change: the patch holds only its `test` operations, a check that stores nothing
 *   (the resourceVersion stays), so an edit made outside the broker is never answered `unchanged`.
 *
 * What the result says (added / changed / removed, digests) comes from the ledger's keyed digests
 * and the request's, never from a value read back.
 */
import { checkAnnotationSize, type Identity } from "./apply-plan.ts";
import {
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_SIGNATURE,
  ANNOTATION_UPDATED_AT,
  ANNOTATION_UPDATED_BY,
  ANNOTATION_UPDATED_VIA,
  digestsOf,
  digestValues,
  parsePlacement,
  sealAnnotations,
} from "./format.ts";
import { KubeError } from "./kube/errors.ts";
import { type JsonPatchOp, jsonPointer, type KubeSecrets } from "./kube/port.ts";
import { decodedSize, MAX_SECRET_BYTES, secretLabels } from "./secret.ts";
import type { ApplyOptions, ApplyResult, KubeSecret } from "./types.ts";

/** The refusals after which the write reads the copy and tries again the ordinary way. */
const FALL_BACK = new Set(["invalid", "conflict", "not_found", "forbidden"]);

const sameDigests = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(a).every(([k, d]) => b[k] === d);

/**
 * The write as one conditional JSON patch, or null when it cannot be one (no ledger knowledge, a
 * dry run, an immutable copy whose data changes, another key id) or the cluster refused it: then
 * the caller reads and writes.
 */
export async function applyKnown(
  kube: KubeSecrets,
  id: Identity,
  desired: KubeSecret,
  options: ApplyOptions,
  at: string,
): Promise<ApplyResult | null> {
  const known = options.known;
  const seal = options.seal;
  if (!known || !seal || options.dryRun || !kube.jsonPatch || options.placement === undefined) {
    return null;
  }
  const want = desired.data ?? {};
  if (decodedSize(want) > MAX_SECRET_BYTES) return null; // the read path says what is too large
  const keys = seal.keyring.current;
  const before = await digestsOf(keys, id.owner, id.basename, known.digests);
  if (!before) return null;
  const requested = await digestValues(keys, id.owner, id.basename, want);
  const merge = options.mode === "merge";
  const after: Record<string, string> = merge
    ? { ...known.digests, ...requested.digests }
    : { ...requested.digests };
  if (merge && options.prune) {
    for (const k of Object.keys(known.digests)) if (!(k in want)) delete after[k];
  }
  const digests = (await digestsOf(keys, id.owner, id.basename, after)) as NonNullable<
    Awaited<ReturnType<typeof digestsOf>>
  >;
  const dataChanged = !sameDigests(known.digests, after);
  if (known.immutable && dataChanged) return null; // delete and create: the read path does it
  const oldSeal = await sealAnnotations(keys, {
    owner: id.owner,
    basename: id.basename,
    kind: known.kind,
    version: known.version,
    contentDigest: before.contentDigest,
    placement: known.placement,
  });
  const newSeal = await sealAnnotations(keys, {
    owner: id.owner,
    basename: id.basename,
    kind: id.kind,
    version: seal.version,
    contentDigest: digests.contentDigest,
    placement: options.placement,
  });
  const oldManaged = Object.keys(known.digests).sort().join(",");
  const managed = Object.keys(after).sort().join(",");
  const annotation = (name: string) => jsonPointer("metadata", "annotations", name);
  // the copy is exactly the one the broker's write left (nothing changed it since) ...
  const tests: JsonPatchOp[] = [
    { op: "test", path: "/metadata/resourceVersion", value: known.resourceVersion },
    {
      op: "test",
      path: annotation(ANNOTATION_SIGNATURE),
      value: oldSeal[ANNOTATION_SIGNATURE],
    },
    // a merge keeps keys the broker did not write: that copy must have none
    ...(merge
      ? [{ op: "test" as const, path: annotation(ANNOTATION_MANAGED_KEYS), value: oldManaged }]
      : []),
  ];
  const unchanged =
    !dataChanged &&
    oldSeal[ANNOTATION_SIGNATURE] === newSeal[ANNOTATION_SIGNATURE] &&
    oldManaged === managed &&
    (!options.immutable || known.immutable);
  const changes: JsonPatchOp[] = [];
  if (!unchanged) {
    if (merge) {
      for (const [k, v] of Object.entries(want)) {
        changes.push({ op: "add", path: jsonPointer("data", k), value: v });
      }
      for (const k of Object.keys(known.digests)) {
        if (!(k in after)) changes.push({ op: "remove", path: jsonPointer("data", k) });
      }
    } else {
      changes.push({ op: "add", path: "/data", value: { ...want } });
    }
    const labels = secretLabels(id.owner, id.basename, id.kind);
    for (const [k, v] of Object.entries(labels)) {
      changes.push({ op: "add", path: jsonPointer("metadata", "labels", k), value: v });
    }
    const annotations: Record<string, string> = {
      [ANNOTATION_MANAGED_KEYS]: managed,
      [ANNOTATION_UPDATED_BY]: options.provenance.actor,
      [ANNOTATION_UPDATED_VIA]: options.provenance.via,
      [ANNOTATION_UPDATED_AT]: at,
      ...newSeal,
    };
    checkAnnotationSize(kube, id.name, annotations);
    for (const [k, v] of Object.entries(annotations)) {
      changes.push({ op: "add", path: annotation(k), value: v });
    }
    if (options.immutable && !known.immutable) {
      changes.push({ op: "add", path: "/immutable", value: true });
    }
  }
  let stored: KubeSecret;
  try {
    stored = await kube.jsonPatch(id.name, [...tests, ...changes]);
  } catch (error) {
    if (error instanceof KubeError && FALL_BACK.has(error.code)) return null;
    throw error;
  }
  const keysOf = (r: Record<string, string>) => Object.keys(r).sort();
  const base = {
    name: id.name,
    namespace: kube.namespace,
    dryRun: false,
    previousPlacement: parsePlacement(known.placement),
    digests,
    ...(stored.metadata.resourceVersion
      ? { resourceVersion: stored.metadata.resourceVersion }
      : {}),
  };
  if (unchanged) {
    return { ...base, added: [], changed: [], removed: [], outcome: "unchanged", writes: 0 };
  }
  return {
    ...base,
    added: keysOf(after).filter((k) => !(k in known.digests)),
    changed: keysOf(after).filter((k) => k in known.digests && known.digests[k] !== after[k]),
    removed: keysOf(known.digests).filter((k) => !(k in after)),
    outcome: "updated",
    writes: 1,
  };
}
