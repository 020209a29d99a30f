/**
 * Admin-managed OIDC bindings: which GitHub workflows (by claims: repository, ref, environment,
 * workflow, …; exact or glob) act as which Konduktor owners on which clusters with which rights.
 *
 * Globs follow GitHub's branch-filter rules: `*` matches within one `/`-separated segment, `**`
 * matches across segments, `?` one character. Repository, owner and environment names compare
 * case-insensitively (GitHub treats them so); refs and workflow names exactly.
 */
import { z } from "zod";
import { BindingId, OidcBindingBody } from "../../konduktor/wire/admin.ts";
import type { Grant, Rights } from "./caller.ts";
import { type GithubClaims, OidcError } from "./oidc.ts";
import { unionOfGrants } from "./policy.ts";

export const MATCH_CLAIMS = [
  "repository",
  "repository_owner",
  "repository_id",
  "ref",
  "ref_type",
  "environment",
  "workflow",
  "workflow_ref",
  "job_workflow_ref",
  "event_name",
  "sub",
] as const;
export type MatchClaim = (typeof MATCH_CLAIMS)[number];
const CASE_INSENSITIVE = new Set<MatchClaim>(["repository", "repository_owner", "environment"]);

/** A binding as the store keeps it: the body of PUT /v1/oidc-bindings/{id} and its id. */
export const oidcBindingInputSchema = z.strictObject({ id: BindingId, ...OidcBindingBody.shape });
export type OidcBindingInput = z.infer<typeof oidcBindingInputSchema>;
export interface OidcBinding extends OidcBindingInput {
  createdAt: string;
  updatedAt: string;
}

const regexCache = new Map<string, RegExp>();
const MAX_CACHED_GLOBS = 1_000;

export function claimGlob(glob: string, caseInsensitive: boolean): RegExp {
  const cacheKey = `${caseInsensitive ? "i" : "s"}:${glob}`;
  let re = regexCache.get(cacheKey);
  if (!re) {
    let src = "";
    for (let i = 0; i < glob.length; i++) {
      const ch = glob[i] as string;
      if (ch === "*" && glob[i + 1] === "*") {
        src += ".*";
        i++;
      } else if (ch === "*") src += "[^/]*";
      else if (ch === "?") src += "[^/]";
      else src += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    re = new RegExp(`^${src}$`, caseInsensitive ? "i" : "");
    // an isolate lives for many requests: bindings replaced with new globs must not pile up
    if (regexCache.size >= MAX_CACHED_GLOBS) regexCache.clear();
    regexCache.set(cacheKey, re);
  }
  return re;
}

/** Every given match field must match its claim (an absent claim matches nothing). */
export function bindingMatches(binding: Pick<OidcBinding, "match">, claims: GithubClaims): boolean {
  for (const key of MATCH_CLAIMS) {
    const want = binding.match[key];
    if (want === undefined) continue;
    const have = claims[key];
    if (typeof have !== "string" && typeof have !== "number") return false;
    if (!claimGlob(want, CASE_INSENSITIVE.has(key)).test(String(have))) return false;
  }
  return true;
}

export interface OidcGrant {
  /** e.g. `oidc:org/repo@refs/heads/main` (+ ` env:production`) */
  id: string;
  /**
   * One grant per matching binding, never merged: a request must be covered by ONE of them
   * (owner, right and every target cluster; see ./policy.ts). Merging them would let a workflow
   * write as the owner of a read-only binding, or on another binding's clusters.
   */
  grants: Grant[];
  /** the union of the grants: for display and logs only */
  owners: string[];
  clusters: string[] | "all";
  rights: Rights;
  bindings: string[];
}

/** One grant per matching binding; `OidcError("binding")` naming the claims when none. */
export function grantFor(claims: GithubClaims, bindings: readonly OidcBinding[]): OidcGrant {
  const matched = bindings
    .filter((b) => bindingMatches(b, claims))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (matched.length === 0) {
    const parts = [`repository ${claims.repository}`];
    if (claims.ref) parts.push(`ref ${claims.ref}`);
    if (claims.environment) parts.push(`environment ${claims.environment}`);
    if (claims.workflow) parts.push(`workflow ${JSON.stringify(claims.workflow)}`);
    throw new OidcError(
      "binding",
      `binding check failed: no OIDC binding for ${parts.join(", ")}; a broker admin adds one with PUT /v1/oidc-bindings/{id}`,
    );
  }
  const grants: Grant[] = matched.map((b) => ({
    owners: [...b.owners].sort(),
    clusters: b.clusters === "all" ? "all" : [...b.clusters].sort(),
    rights: { ...b.rights },
  }));
  return {
    id: `oidc:${claims.repository}@${claims.ref ?? claims.sub}${claims.environment ? ` env:${claims.environment}` : ""}`,
    grants,
    ...unionOfGrants(grants),
    bindings: matched.map((b) => b.id),
  };
}
