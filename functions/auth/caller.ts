/**
 * Who is calling, and what they may do. Every credential (the admin token: ./admin.ts, an API
 * token: ./tokens.ts, a GitHub OIDC JWT: ./oidc-resolver.ts) resolves to one `Caller` here, in
 * `resolveCaller`, run by each route's guard (functions/http/guard.ts); what a request may then
 * touch is decided by `authorize` (./authorize.ts), from the `Caller` alone.
 *
 * To add a credential type, write a `CallerResolver` and add it to the list the app is built with
 * (`createApp({ resolvers })`, see functions/app.ts): a resolver returns `null` when the credential
 * is not its kind (so the next one is tried), a `Caller` when it is valid, and throws
 * `ApiError("unauthorized", …)` when it is its kind but not valid.
 */
import type { BrokerConfig } from "../config.ts";
import { ApiError } from "../problem.ts";
import type { ClusterRecord } from "../registry/clusters.ts";
import type { Stores } from "../store/stores.ts";

export interface Rights {
  /** create, merge, replace and delete the owners' secrets */
  write: boolean;
  /** list and describe the owners' secrets */
  read: boolean;
  /** list every user's secrets (names, kinds, owners; never values) */
  listAllUsers: boolean;
}

/** One indivisible permission: these owners, on these clusters, with these rights. */
export interface Grant {
  owners: string[];
  clusters: string[] | "all";
  rights: Rights;
}

export interface Caller {
  /** stable id for audit lines: `admin`, `token:<id>`, `oidc:<repo>@<ref>`, … */
  id: string;
  kind: "admin" | "token" | "oidc";
  /** owner hashes this caller acts as (8 lowercase hex each); empty for admin */
  owners: string[];
  /** registered cluster names it may use, or all */
  clusters: string[] | "all";
  rights: Rights;
  /**
   * Set when the caller holds several separate permissions (one per matching OIDC binding): a
   * request is then allowed only if ONE grant covers its owner, its right and every target
   * cluster (./authorize.ts decides this). `owners`, `clusters` and `rights`
   * are then the union of the grants, for display only.
   */
  grants?: Grant[];
  /** a label for logs (never a credential) */
  label?: string;
  /** when the credential stops working (ISO time): an API token's expiry, an OIDC token's `exp` */
  expiresAt?: string;
}

/** What a resolver may use. */
export interface ResolverContext {
  config: BrokerConfig;
  stores: Pick<Stores, "tokens" | "oidcBindings">;
  /** for time-bound credentials (tests may fix it) */
  now: () => Date;
  /**
   * Given when the route authorizes on the registered clusters (`RouteRules.registry`): a
   * resolver that reads them with its check in one call (an API token: both are in the control
   * shard, functions/store/token-steps.ts) leaves them in `records`; else the route reads them.
   */
  registry?: { records?: ClusterRecord[] };
}

export type CallerResolver = (credential: string, ctx: ResolverContext) => Promise<Caller | null>;

/** The bearer credential of a request (`Authorization: Bearer <credential>`), or null. */
export function bearerCredential(header: string | undefined | null): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

/** Runs the resolvers in order; the first that recognises the credential decides. */
export async function resolveCaller(
  credential: string | null,
  resolvers: readonly CallerResolver[],
  ctx: ResolverContext,
): Promise<Caller> {
  if (!credential) {
    throw new ApiError(
      "unauthorized",
      "no credential: send `Authorization: Bearer <token>` (an API token, the admin token, or a GitHub OIDC token)",
    );
  }
  for (const resolve of resolvers) {
    const caller = await resolve(credential, ctx);
    if (caller) return caller;
  }
  throw new ApiError("unauthorized", "the credential is not valid (unknown, revoked or expired)");
}

export const NO_RIGHTS: Rights = { write: false, read: false, listAllUsers: false };
