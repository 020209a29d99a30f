/** What a caller may touch: which owner it acts as, which clusters, which right. */
import { ApiError } from "../problem.ts";
import type { Caller, Rights } from "./caller.ts";

export function requireAdmin(caller: Caller): void {
  if (caller.kind !== "admin") {
    throw new ApiError("forbidden", "only the admin token may manage clusters and API tokens");
  }
}

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
}

/** The owner a call acts as: the one asked for (if the caller may act for it), or its only one. */
export function pickOwner(caller: Caller, requested: string | undefined): string {
  if (requested !== undefined) {
    if (!caller.owners.includes(requested)) {
      throw new ApiError("forbidden", `this credential may not act for owner ${requested}`);
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
 * registered cluster the caller may use.
 */
export function pickClusters(
  caller: Caller,
  registered: readonly string[],
  requested: readonly string[] | undefined,
): string[] {
  const allowed = (name: string) => caller.clusters === "all" || caller.clusters.includes(name);
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
