/**
 * GitHub Actions OIDC tokens as a `CallerResolver`: a JWT is verified (./oidc.ts) against the
 * broker's issuer and audience settings (GITHUB_OIDC_ISSUER, GITHUB_OIDC_AUDIENCE), then its claims
 * pick the admin-managed bindings (./oidc-bindings.ts) that say which owners, clusters and rights
 * the workflow gets. Every refusal names the check that failed.
 */
import { ApiError } from "../problem.ts";
import type { Caller, CallerResolver } from "./caller.ts";
import { type GithubOidcSettings, looksLikeJwt, OidcError, verifyGithubToken } from "./oidc.ts";
import { grantFor } from "./oidc-bindings.ts";

export function oidcApiError(error: OidcError): ApiError {
  return new ApiError(error.code, error.message, { check: error.check });
}

/** The resolver, with the broker's OIDC settings (config `githubOidc`; null = switched off). */
export const githubOidcResolver: CallerResolver = async (credential, { config, stores }) => {
  if (!looksLikeJwt(credential)) return null;
  const oidc = config.githubOidc;
  if (!oidc) {
    throw new ApiError(
      "unauthorized",
      "GitHub OIDC is switched off on this broker (GITHUB_OIDC_ISSUER=off): use an API token",
      { check: "issuer" },
    );
  }
  const settings: GithubOidcSettings = {
    issuer: oidc.issuer,
    audience: oidc.audiences,
  };
  try {
    const claims = await verifyGithubToken(credential, settings);
    const grant = grantFor(claims, await stores.oidcBindings.list());
    const caller: Caller = {
      id: grant.id,
      kind: "oidc",
      owners: grant.owners,
      clusters: grant.clusters,
      rights: grant.rights,
      grants: grant.grants,
      ...(typeof claims.exp === "number"
        ? { expiresAt: new Date(claims.exp * 1000).toISOString() }
        : {}),
      label:
        `github ${claims.repository} ${claims.ref ?? ""} (bindings ${grant.bindings.join(", ")})`.trim(),
    };
    return caller;
  } catch (error) {
    if (error instanceof OidcError) throw oidcApiError(error);
    throw error;
  }
};
