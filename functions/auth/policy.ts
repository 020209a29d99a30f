/**
 * What a caller may touch: which owner it acts as, which clusters, which right.
 *
 * A caller with `grants` (one per matching OIDC binding) never gets a combination that no single
 * grant allows: each check a route makes in turn narrows `caller.grants` (for this request) to
 * the grants consistent with it — `requireRight` to those with the right, `pickOwner` to those
 * with the owner — and `pickClusters` then needs ONE remaining grant covering every requested
 * cluster (without a request: every registered cluster some remaining grant covers, per owner).
 * The caller's flat `owners` / `clusters` / `rights` follow the narrowing (their union), so code
 * that reads them sees only what is still allowed.
 */
import { ApiError } from "../problem.ts";
import type { Caller, Grant, Rights } from "./caller.ts";

export function requireAdmin(caller: Caller): void {
  if (caller.kind !== "admin") {
    throw new ApiError("forbidden", "only the admin token may manage clusters and API tokens");
  }
}

/** The union of some grants, as a caller's flat fields. */
export function unionOfGrants(
  grants: readonly Grant[],
): Pick<Caller, "owners" | "clusters" | "rights"> {
  return {
    owners: [...new Set(grants.flatMap((g) => g.owners))].sort(),
    clusters: grants.some((g) => g.clusters === "all")
      ? "all"
      : [...new Set(grants.flatMap((g) => g.clusters as string[]))].sort(),
    rights: {
      write: grants.some((g) => g.rights.write),
      read: grants.some((g) => g.rights.read),
      listAllUsers: grants.some((g) => g.rights.listAllUsers),
    },
  };
}

/** Keeps the grants that pass `keep` (for the rest of this request). */
function narrow(caller: Caller, keep: (g: Grant) => boolean): void {
  if (!caller.grants) return;
  caller.grants = caller.grants.filter(keep);
  Object.assign(caller, unionOfGrants(caller.grants));
}

const covers = (g: Grant, cluster: string) => g.clusters === "all" || g.clusters.includes(cluster);

export function requireRight(caller: Caller, right: keyof Rights): void {
  if (caller.kind === "admin") {
    throw new ApiError(
      "forbidden",
      "the admin token manages clusters and tokens only: use an API token (POST /v1/tokens) to work with secrets",
    );
  }
  if (!caller.rights[right]) {
    const what: Record<keyof Rights, string> = {
      write: "write secrets",
      read: "read secrets",
      listAllUsers: "list the secrets of all users",
    };
    throw new ApiError("forbidden", `this credential may not ${what[right]}`);
  }
  narrow(caller, (g) => g.rights[right]);
}

/** The owner a call acts as: the one asked for (if the caller may act for it), or its only one. */
export function pickOwner(caller: Caller, requested: string | undefined): string {
  const owner = chooseOwner(caller, requested);
  narrow(caller, (g) => g.owners.includes(owner));
  // the call acts as this owner only: the remaining grants' other owners must not constrain
  // (or widen) which clusters it may use
  if (caller.grants) caller.owners = [owner];
  return owner;
}

function chooseOwner(caller: Caller, requested: string | undefined): string {
  if (requested !== undefined) {
    if (!caller.owners.includes(requested)) {
      throw new ApiError(
        "forbidden",
        caller.owners.length
          ? `this credential may not act for owner ${requested}: it may act for ${caller.owners.join(", ")} (give one of those as owner)`
          : `this credential may not act for owner ${requested}: it is not bound to any owner`,
      );
    }
    return requested;
  }
  if (caller.owners.length === 1) return caller.owners[0] as string;
  if (caller.owners.length === 0) {
    throw new ApiError("forbidden", "this credential is not bound to any owner");
  }
  throw new ApiError(
    "invalid_input",
    `this credential acts for several owners (${caller.owners.join(", ")}): say which with \`owner\``,
    { errors: [{ field: "owner", message: "required when the credential has several owners" }] },
  );
}

/**
 * The clusters a call goes to: the ones asked for (each registered and allowed), or every
 * registered cluster the caller may use. `owners`: the owners the call acts for (default the
 * caller's, which is the one owner after `pickOwner`); with grants, each of them needs a grant
 * covering the clusters.
 */
export function pickClusters(
  caller: Caller,
  registered: readonly string[],
  requested: readonly string[] | undefined,
  owners: readonly string[] = caller.owners,
): string[] {
  const grants = caller.grants;
  // With grants: per owner the call acts for, the grants for that owner.
  const perOwner = grants ? owners.map((o) => grants.filter((g) => g.owners.includes(o))) : [];
  const allowed = (name: string) =>
    grants
      ? perOwner.length > 0 && perOwner.every((gs) => gs.some((g) => covers(g, name)))
      : caller.clusters === "all" || caller.clusters.includes(name);
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
    if (grants) {
      const split = owners.filter(
        (_, i) => !perOwner[i]?.some((g) => requested.every((n) => covers(g, n))),
      );
      if (split.length) {
        throw new ApiError(
          "forbidden",
          `this credential may not use clusters ${[...new Set(requested)].join(", ")} in one request for owner ${split.join(", ")}: no single OIDC binding covers them all; name the clusters of one binding per request`,
        );
      }
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
