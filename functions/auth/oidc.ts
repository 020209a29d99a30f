/**
 * GitHub Actions OIDC for the broker: verifies a workflow's ID token (issuer, audience, expiry,
 * not-before, RS256 signature against the issuer's JWKS, cached per isolate) with jose, then maps
 * its claims to owners, clusters and rights through admin-managed bindings (./oidc-bindings.ts).
 *
 * Every failure is an `OidcError` whose `check` says which check failed; messages quote claims
 * (repository, ref, …), never the token.
 */

import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import { ERROR_STATUS, KonduktorError } from "../../konduktor/errors.ts";

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
export const DEFAULT_OIDC_AUDIENCE = "konduktor-broker";

/** Allowed clock skew for exp/nbf/iat, seconds. */
const CLOCK_TOLERANCE_SECONDS = 60;

export interface GithubOidcSettings {
  /** expected `iss`, e.g. https://token.actions.githubusercontent.com (tests: a local issuer) */
  issuer: string;
  /** accepted `aud` value(s); the Action's `audience` input must be one of them */
  audience: string | string[];
  /** for tests and runtimes without a global fetch */
  fetch?: typeof fetch;
}

export type OidcCheck =
  | "malformed"
  | "issuer"
  | "audience"
  | "expiry"
  | "not_before"
  | "issued_at"
  | "signature"
  | "claims"
  | "jwks"
  | "binding";

export class OidcError extends KonduktorError {
  override readonly name = "OidcError";
  declare readonly code: "unauthorized" | "forbidden" | "oidc_unavailable";
  /** 401 for a token that is not valid, 403 for a valid token without a binding, 503 for JWKS trouble */
  readonly status: 401 | 403 | 503;
  readonly check: OidcCheck;
  constructor(check: OidcCheck, message: string) {
    const code =
      check === "binding" ? "forbidden" : check === "jwks" ? "oidc_unavailable" : "unauthorized";
    super(code, message, { retryable: check === "jwks" });
    this.check = check;
    this.status = ERROR_STATUS[code];
  }
}

/** The claims of a GitHub Actions ID token that bindings use (others are kept as they come). */
export interface GithubClaims extends JWTPayload {
  iss: string;
  sub: string;
  repository: string;
  repository_owner: string;
  repository_id?: string;
  repository_owner_id?: string;
  ref?: string;
  ref_type?: string;
  environment?: string;
  workflow?: string;
  workflow_ref?: string;
  job_workflow_ref?: string;
  event_name?: string;
  actor?: string;
  sha?: string;
  run_id?: string;
}

/** Three base64url parts whose header is JSON: worth trying as an OIDC token. */
export function looksLikeJwt(token: string): boolean {
  if (!/^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return false;
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}

type Jwks = ReturnType<typeof createRemoteJWKSet>;
const jwksCache = new Map<string, Jwks>();
const discoveryCache = new Map<string, { jwksUri: string; expires: number }>();
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

async function jwksUrlFor(settings: GithubOidcSettings): Promise<string> {
  const issuer = trimSlash(settings.issuer);
  const cached = discoveryCache.get(issuer);
  if (cached && cached.expires > Date.now()) return cached.jwksUri;
  const doFetch = settings.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(`${issuer}/.well-known/openid-configuration`, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    throw new OidcError(
      "jwks",
      `cannot reach the OIDC issuer ${issuer} for its configuration; retry later (broker setting GITHUB_OIDC_ISSUER)`,
    );
  }
  if (!response.ok) {
    throw new OidcError(
      "jwks",
      `the OIDC issuer ${issuer} answered ${response.status} for its openid-configuration; retry later`,
    );
  }
  const config = (await response.json().catch(() => ({}))) as {
    issuer?: unknown;
    jwks_uri?: unknown;
  };
  if (typeof config.jwks_uri !== "string" || trimSlash(String(config.issuer)) !== issuer) {
    throw new OidcError(
      "jwks",
      `the OIDC issuer ${issuer} published a configuration without a matching issuer and jwks_uri`,
    );
  }
  discoveryCache.set(issuer, { jwksUri: config.jwks_uri, expires: Date.now() + DISCOVERY_TTL_MS });
  return config.jwks_uri;
}

function jwksFor(url: string, settings: GithubOidcSettings): Jwks {
  let jwks = jwksCache.get(url);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(url), {
      cacheMaxAge: 10 * 60 * 1000,
      cooldownDuration: 30 * 1000,
      timeoutDuration: 5000,
      ...(settings.fetch ? { [customFetch]: settings.fetch } : {}),
    });
    jwksCache.set(url, jwks);
  }
  return jwks;
}

/** Forget cached discovery documents and key sets (tests; key rotation is handled by jose). */
export function clearOidcCaches(): void {
  jwksCache.clear();
  discoveryCache.clear();
}

/** An unverified claim for a message: JSON, cut to ~100 characters (the token is not verified yet). */
export function quoteClaim(value: unknown): string {
  const text = JSON.stringify(value ?? null) ?? "null";
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

function audiences(settings: GithubOidcSettings): string[] {
  return Array.isArray(settings.audience) ? settings.audience : [settings.audience];
}

/** Verifies a GitHub Actions ID token; throws `OidcError` naming the failed check. */
export async function verifyGithubToken(
  token: string,
  settings: GithubOidcSettings,
): Promise<GithubClaims> {
  let unverified: JWTPayload;
  try {
    decodeProtectedHeader(token);
    unverified = decodeJwt(token);
  } catch {
    throw new OidcError("malformed", "the OIDC token is not a well-formed JWT");
  }
  const issuer = trimSlash(settings.issuer);
  // Checked before the JWKS is fetched: a foreign issuer's token would otherwise read as a bad
  // signature. The signature check below still binds `iss` to the key.
  if (typeof unverified.iss !== "string" || trimSlash(unverified.iss) !== issuer) {
    throw new OidcError(
      "issuer",
      `issuer check failed: the token was issued by ${quoteClaim(unverified.iss)}, this broker accepts ${issuer} (broker setting GITHUB_OIDC_ISSUER)`,
    );
  }
  const accepted = audiences(settings);
  const jwks = jwksFor(await jwksUrlFor(settings), settings);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwks, {
      issuer: unverified.iss,
      audience: accepted,
      algorithms: ["RS256", "RS384", "RS512", "ES256", "ES384"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "iat", "sub"],
    }));
  } catch (error) {
    throw mapJoseError(error, unverified, accepted, issuer);
  }
  const claims = payload as GithubClaims;
  if (typeof claims.repository !== "string" || typeof claims.repository_owner !== "string") {
    throw new OidcError(
      "claims",
      "claims check failed: the token has no repository / repository_owner claim (is it a GitHub Actions token?)",
    );
  }
  return claims;
}

function mapJoseError(
  error: unknown,
  unverified: JWTPayload,
  accepted: string[],
  issuer: string,
): OidcError {
  if (error instanceof OidcError) return error;
  if (error instanceof joseErrors.JWTExpired) {
    const exp =
      typeof unverified.exp === "number" ? new Date(unverified.exp * 1000).toISOString() : "?";
    return new OidcError(
      "expiry",
      `expiry check failed: the token expired at ${exp}; request a fresh one (core.getIDToken) right before calling the broker`,
    );
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "aud":
        return new OidcError(
          "audience",
          `audience check failed: the token is for ${quoteClaim(unverified.aud)}, this broker accepts ${accepted.map((a) => JSON.stringify(a)).join(" or ")}; set the Action's audience input to match (broker setting GITHUB_OIDC_AUDIENCE)`,
        );
      case "iss":
        return new OidcError("issuer", `issuer check failed: this broker accepts ${issuer}`);
      case "nbf":
        return new OidcError(
          "not_before",
          "not-before check failed: the token is not valid yet (check the clocks)",
        );
      case "iat":
        return new OidcError(
          "issued_at",
          "issued-at check failed: the token's iat is in the future",
        );
      case "exp":
        return new OidcError("expiry", "expiry check failed: the token has no valid exp claim");
      default:
        return new OidcError(
          "claims",
          `claims check failed: ${error.claim} ${error.reason === "missing" ? "is missing" : "is invalid"}`,
        );
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new OidcError(
      "signature",
      "signature check failed: the token's signature does not verify against the issuer's published keys",
    );
  }
  if (
    error instanceof joseErrors.JWKSNoMatchingKey ||
    error instanceof joseErrors.JWKSMultipleMatchingKeys
  ) {
    return new OidcError(
      "signature",
      "signature check failed: the token was signed with a key the issuer does not publish in its JWKS",
    );
  }
  if (
    error instanceof joseErrors.JOSEAlgNotAllowed ||
    error instanceof joseErrors.JOSENotSupported
  ) {
    return new OidcError(
      "signature",
      "signature check failed: the token's algorithm is not accepted",
    );
  }
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return new OidcError("jwks", "cannot load the issuer's JWKS (timeout or invalid); retry later");
  }
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) {
    return new OidcError("malformed", "the OIDC token is not a well-formed JWT");
  }
  if (error instanceof TypeError || (error as { name?: string })?.name === "TypeError") {
    return new OidcError("jwks", "cannot reach the issuer's JWKS; retry later");
  }
  return new OidcError("signature", "the OIDC token could not be verified");
}
