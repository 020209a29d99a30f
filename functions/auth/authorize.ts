/**
 * Authorization as one pure decision: `authorize(caller, request, registered)` answers the scope a
 * request may act in (its owners, target clusters, a source cluster, the placement of what it
 * writes) or throws the refusal (403, or 404 for an unknown cluster, 400 when the owner must be
 * named). Nothing changes the caller; the scope is frozen.
 *
 * A caller holds one or more grants (an API token, a hook: one; a GitHub workflow: one per
 * matching OIDC binding). A request is allowed only when ONE grant covers it all: the right, the
 * owner and every cluster it reads or writes. Two bindings never combine: a workflow matched by a
 * read-only binding for every cluster and a writing binding for cluster `a` writes on `a` only.
 */
import { ApiError } from "../problem.ts";
import type { Caller, Grant, Rights } from "./caller.ts";

/** Which owners a request acts for. */
export type OwnerChoice =
  /** one owner: the one named (the credential must act for it), or the credential's only one */
  | { one: string | undefined }
  /** several owners (a sync): those named, or every owner of the credential */
  | { several: readonly string[] | undefined }
  /** every user's (a listing with the listAllUsers right): no owner is chosen */
  | "every";

export interface AccessRequest {
  right: keyof Rights;
  owners: OwnerChoice;
  /** the clusters asked for (default: every registered cluster the grant covers) */
  clusters?: readonly string[] | undefined;
  /** a cluster read as well (a sync's source): one grant must cover it with the targets */
  source?: string | null | undefined;
}

export interface Scope {
  /** the owners the request acts for: one, several (a sync) or every user's (a listing) */
  readonly owners: readonly string[] | "every";
  /** the clusters written (or read, for a read request) */
  readonly clusters: readonly string[];
  /** a named source cluster (a sync), read and not written */
  readonly source: string | null;
  /** where what it writes is meant to be: `all` (clusters registered later too) or the targets */
  readonly placement: readonly string[] | "all";
}

const WHAT: Record<keyof Rights, string> = {
  write: "write secrets",
  read: "read secrets",
  listAllUsers: "list the secrets of all users",
};

const covers = (g: Grant, cluster: string) => g.clusters === "all" || g.clusters.includes(cluster);

const ownersOf = (grants: readonly Grant[]) => [...new Set(grants.flatMap((g) => g.owners))].sort();

/** The caller's grants: its OIDC bindings', or its one credential's. */
function grantsOf(caller: Caller): readonly Grant[] {
  return (
    caller.grants ?? [{ owners: caller.owners, clusters: caller.clusters, rights: caller.rights }]
  );
}

function chooseOwner(owners: readonly string[], requested: string | undefined): string {
  if (requested !== undefined) {
    if (!owners.includes(requested)) {
      throw new ApiError(
        "forbidden",
        owners.length
          ? `this credential may not act for owner ${requested}: it may act for ${owners.join(", ")} (give one of those as owner)`
          : `this credential may not act for owner ${requested}: it is not bound to any owner`,
      );
    }
    return requested;
  }
  if (owners.length === 1) return owners[0] as string;
  if (owners.length === 0) {
    throw new ApiError("forbidden", "this credential is not bound to any owner");
  }
  throw new ApiError(
    "invalid_input",
    `this credential acts for several owners (${owners.join(", ")}): say which with \`owner\``,
    { errors: [{ field: "owner", message: "required when the credential has several owners" }] },
  );
}

function chooseOwners(owners: readonly string[], requested: readonly string[] | undefined) {
  if (owners.length === 0) {
    throw new ApiError("forbidden", "this credential is not bound to any owner");
  }
  const chosen = requested ?? owners;
  const denied = chosen.filter((o) => !owners.includes(o));
  if (denied.length) {
    throw new ApiError(
      "forbidden",
      `this credential may not act for owner ${denied.join(", ")}: leave owners out to sync all of its owners (${owners.join(", ")})`,
    );
  }
  return [...new Set(chosen)].sort();
}

/**
 * The clusters a request goes to: the ones asked for (each registered, and ONE grant covering
 * them all for each owner), or every registered cluster some grant of each owner covers.
 */
function chooseClusters(
  grants: readonly Grant[],
  owners: readonly string[],
  registered: readonly string[],
  requested: readonly string[] | undefined,
): string[] {
  const perOwner = owners.map((o) => grants.filter((g) => g.owners.includes(o)));
  const allowed = (name: string) =>
    perOwner.length > 0 && perOwner.every((gs) => gs.some((g) => covers(g, name)));
  if (requested && requested.length > 0) {
    const unknown = requested.filter((n) => !registered.includes(n));
    if (unknown.length) {
      throw new ApiError("not_found", `no registered cluster named ${unknown.join(", ")}`, {
        errors: unknown.map((n) => ({ field: "clusters", message: `unknown cluster ${n}` })),
      });
    }
    const denied = requested.filter((n) => !allowed(n));
    if (denied.length) {
      throw new ApiError("forbidden", `this credential may not use cluster ${denied.join(", ")}`);
    }
    const split = owners.filter(
      (_, i) => !perOwner[i]?.some((g) => requested.every((n) => covers(g, n))),
    );
    if (split.length) {
      throw new ApiError(
        "forbidden",
        `this credential may not use clusters ${[...new Set(requested)].join(", ")} in one request for owner ${split.join(", ")}: no single OIDC binding covers them all; name the clusters of one binding per request`,
      );
    }
    return [...new Set(requested)];
  }
  const usable = registered.filter(allowed);
  if (usable.length === 0) {
    throw new ApiError(
      "not_found",
      registered.length === 0
        ? "no cluster is registered yet: an admin registers one with PUT /v1/clusters/{name}"
        : "none of the registered clusters is allowed for this credential",
    );
  }
  return usable;
}

/** The right and the owners part of the decision: the grants that allow them, and the owners. */
function decideOwners(caller: Caller, request: Pick<AccessRequest, "right" | "owners">) {
  if (caller.kind === "admin") {
    throw new ApiError(
      "forbidden",
      "the admin token manages clusters and tokens only: use an API token (POST /v1/tokens) to work with secrets",
    );
  }
  const withRight = grantsOf(caller).filter((g) => g.rights[request.right]);
  if (withRight.length === 0) {
    throw new ApiError("forbidden", `this credential may not ${WHAT[request.right]}`);
  }
  const available = ownersOf(withRight);
  if (request.owners === "every") return { grants: withRight, owners: available };
  if ("one" in request.owners) {
    const owner = chooseOwner(available, request.owners.one);
    return { grants: withRight.filter((g) => g.owners.includes(owner)), owners: [owner] };
  }
  return { grants: withRight, owners: chooseOwners(available, request.owners.several) };
}

/**
 * The owner a one-owner request acts as (the right and the owner decided as `authorize` decides
 * them), for what must be checked before the clusters are: the Secret the request asks for, whose
 * name holds the owner.
 */
export function authorizeOwner(
  caller: Caller,
  request: Pick<AccessRequest, "right"> & { owner: string | undefined },
): string {
  return decideOwners(caller, { right: request.right, owners: { one: request.owner } })
    .owners[0] as string;
}

/** The scope of `request` for `caller` among the `registered` clusters (see the module comment). */
export function authorize(
  caller: Caller,
  request: AccessRequest,
  registered: readonly string[],
): Scope {
  const { grants, owners } = decideOwners(caller, request);
  const clusters = chooseClusters(grants, owners, registered, request.clusters);
  const source = request.source ?? null;
  // the source and the targets in ONE check: one grant must cover them all (a sync must not read
  // from one binding's cluster and write to another's)
  if (source !== null) {
    chooseClusters(grants, owners, registered, [...new Set([...clusters, source])]);
  }
  const everywhere = grants.some((g) => g.clusters === "all") && !request.clusters?.length;
  return Object.freeze({
    owners: request.owners === "every" ? "every" : Object.freeze([...owners]),
    clusters: Object.freeze(clusters),
    source,
    placement: everywhere ? "all" : Object.freeze([...clusters].sort()),
  });
}
