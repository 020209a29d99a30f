/**
 * One request per cluster (docs/decisions/0015-one-request-per-cluster.md): when the broker's
 * ledger knows the copy on a cluster (`KnownCopy`: the resourceVersion its own write left and what
 * that copy was signed with), a PUT sends ONE JSON patch whose `test` operations hold only while
 * the copy is exactly that one, followed by the changes. The server applies it whole or not at all.
 *
 * - nothing to change: the patch holds only its `test` operations, a check that stores nothing
 *   (the resourceVersion stays), so an edit made outside the broker is never answered `unchanged`;
 * - the copy changed outside the broker since (its resourceVersion moved) but still holds the
 *   ledger's version: the server refuses (422, nothing written) and a second patch, conditional on
 *   that version's signature only, writes the whole secret back (`changedOutside`); a merge that
 *   finds other keys there signs what the copy holds in a third;
 * - the copy is gone (404): ./ops.ts creates it without reading;
 * - anything else (a newer version, another signature, no `patch` permission): ./ops.ts reads and
 *   writes as without the ledger.
 *
 * What the result says (added / changed / removed: against the version the ledger recorded there;
 * digests) comes from the ledger's keyed digests and the request's, never from a value read back
 * (a merge written back computes the keyed digests of the copy the server answered with).
 */
import { checkAnnotationSize, type Identity, sameDigestsShape } from "./apply-plan.ts";
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

/**
 * What is left to the read path once this one found the copy changed or gone outside the broker:
 * `existing: null`, the copy is gone (created without a read); `writes` already made.
 */
export interface ReadPath {
  existing?: null;
  writes: number;
}

/** The refusals after which the write reads the copy and tries again the ordinary way. */
const REFUSALS = ["invalid", "conflict", "not_found", "forbidden"] as const;
type Refusal = (typeof REFUSALS)[number];
const FALL_BACK = new Set<string>(REFUSALS);

/** The patched copy, or the refusal the read path handles; any other error is thrown on. */
async function patchOr(
  jsonPatch: NonNullable<KubeSecrets["jsonPatch"]>,
  name: string,
  ops: JsonPatchOp[],
): Promise<KubeSecret | Refusal> {
  try {
    return await jsonPatch(name, ops);
  } catch (error) {
    if (error instanceof KubeError && FALL_BACK.has(error.code)) return error.code as Refusal;
    throw error;
  }
}

const sameDigests = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(a).every(([k, d]) => b[k] === d);

/**
 * The write as one conditional JSON patch (two or three when the copy changed outside the broker);
 * a `ReadPath` when the copy is gone (the caller creates it without reading) or changed again
 * before it was signed; null when it cannot be done this way (no ledger knowledge, a dry run, an
 * immutable copy whose data changes, another key id) or the cluster refused it: then the caller
 * reads and writes.
 */
export async function applyKnown(
  kube: KubeSecrets,
  id: Identity,
  desired: KubeSecret,
  options: ApplyOptions,
  at: string,
): Promise<ApplyResult | ReadPath | null> {
  const known = options.known;
  const seal = options.seal;
  if (!known || !seal || options.dryRun || !kube.jsonPatch || options.placement === undefined) {
    return null;
  }
  const jsonPatch = kube.jsonPatch.bind(kube);
  const patch = (ops: JsonPatchOp[]) => patchOr(jsonPatch, id.name, ops);
  const want = desired.data ?? {};
  if (decodedSize(want) > MAX_SECRET_BYTES) return null; // the read path says what is too large
  const keys = seal.keyring.current;
  const before = await digestsOf(keys, id.owner, id.basename, known.digests);
  if (!before) return null;
  // the request's digests, when the caller has them (the broker's PUT: made once for every cluster)
  const given = seal.digests;
  const requested =
    given && sameDigestsShape(given, keys.keyId, want)
      ? given
      : await digestValues(keys, id.owner, id.basename, want);
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
  /** `add` of each label or annotation, in order */
  const adds = (field: "labels" | "annotations", entries: Record<string, string>): JsonPatchOp[] =>
    Object.entries(entries).map(([k, v]) => ({
      op: "add",
      path: jsonPointer("metadata", field, k),
      value: v,
    }));
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
  // the same data has the same key names, so the same managed keys
  const unchanged =
    !dataChanged &&
    oldSeal[ANNOTATION_SIGNATURE] === newSeal[ANNOTATION_SIGNATURE] &&
    (!options.immutable || known.immutable);
  const changes: JsonPatchOp[] = [];
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
  changes.push(...adds("labels", secretLabels(id.owner, id.basename, id.kind)));
  const annotations: Record<string, string> = {
    [ANNOTATION_MANAGED_KEYS]: managed,
    [ANNOTATION_UPDATED_BY]: options.provenance.actor,
    [ANNOTATION_UPDATED_VIA]: options.provenance.via,
    [ANNOTATION_UPDATED_AT]: at,
    ...newSeal,
  };
  checkAnnotationSize(kube, id.name, annotations);
  changes.push(...adds("annotations", annotations));
  if (options.immutable && !known.immutable) {
    changes.push({ op: "add", path: "/immutable", value: true });
  }
  let stored = await patch(unchanged ? tests : [...tests, ...changes]);
  // deleted outside the broker: created, without a read
  if (stored === "not_found") return { existing: null, writes: 0 };
  if (stored === "conflict" || stored === "forbidden") return null;
  let outside = false;
  let final = digests;
  let writes = unchanged ? 0 : 1;
  if (stored === "invalid") {
    // a `test` failed: the copy changed since the broker's write. While it still holds the
    // ledger's version (signature; a merge: no other keys taken over), it is written back whole in
    // a second request, without reading it; anything else (a newer version, another signature, a
    // key removed that a prune removes) is for the read path
    stored = await patch([...tests.slice(1), ...changes]);
    if (typeof stored === "string") return null;
    outside = true;
    writes = 1;
    // the signature must cover what the copy now holds: a merge writes only its keys (one added
    // outside stays; one it did not send may have been edited or removed there): signed again
    final = await digestValues(keys, id.owner, id.basename, stored.data ?? {});
    if (final.contentDigest !== digests.contentDigest) {
      const held = Object.keys(after)
        .filter((k) => k in final.digests)
        .sort()
        .join(",");
      const resealed = await sealAnnotations(keys, {
        owner: id.owner,
        basename: id.basename,
        kind: id.kind,
        version: seal.version,
        contentDigest: final.contentDigest,
        placement: options.placement,
      });
      stored = await patch([
        { op: "test", path: "/metadata/resourceVersion", value: stored.metadata.resourceVersion },
        ...adds("annotations", { [ANNOTATION_MANAGED_KEYS]: held, ...resealed }),
      ]);
      // changed again in between: the read path signs what it finds
      if (typeof stored === "string") return { writes: 1 };
      writes = 2;
    }
  }
  const keysOf = (r: Record<string, string>) => Object.keys(r).sort();
  const now = final.digests;
  const base = {
    name: id.name,
    namespace: kube.namespace,
    dryRun: false,
    previousPlacement: parsePlacement(known.placement),
    digests: final,
    ...(stored.metadata.resourceVersion
      ? { resourceVersion: stored.metadata.resourceVersion }
      : {}),
    ...(outside ? { changedOutside: true } : {}),
  };
  if (unchanged && !outside) {
    return { ...base, added: [], changed: [], removed: [], outcome: "unchanged", writes: 0 };
  }
  return {
    ...base,
    added: keysOf(now).filter((k) => !(k in known.digests)),
    changed: keysOf(now).filter((k) => k in known.digests && known.digests[k] !== now[k]),
    removed: keysOf(known.digests).filter((k) => !(k in now)),
    outcome: "updated",
    writes,
  };
}
