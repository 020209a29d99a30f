/**
 * The admin check of the admin routes (run by their guard, functions/http/guard.ts), and the union
 * of a workflow's grants for display. What a request on secrets may touch is decided in one place,
 * ./authorize.ts.
 */
import { ApiError } from "../problem.ts";
import type { Caller, Grant } from "./caller.ts";

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
