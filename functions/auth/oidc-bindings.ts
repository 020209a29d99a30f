/**
 * Admin-managed OIDC bindings: which GitHub workflows (by claims: repository, ref, environment,
 * workflow, …; exact or glob) act as which Konduktor owners on which clusters with which rights.
 *
 * Globs follow GitHub's branch-filter rules: `*` matches within one `/`-separated segment, `**`
 * matches across segments, `?` one character. Repository, owner and environment names compare
 * case-insensitively (GitHub treats them so); refs and workflow names exactly.
 */

import { z } from "@hono/zod-openapi";
import { BindingId, ClusterName, OwnerHash } from "../schemas.ts";
import { type Grant, type Rights, RightsInput } from "./caller.ts";
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

const pattern = z.string().min(1).max(300);

/** A repository pattern must name an owner: `*`, `*\/*`, `**` would bind every repository on GitHub. */
export function repositoryPatternProblem(p: string): string | null {
  const [owner = "", repo, ...rest] = p.split("/");
  if (repo === undefined || rest.length > 0) return "must be owner/repo (globs allowed: owner/*)";
  if (owner === "" || /[*?]/.test(owner)) {
    return "must name the owner literally: owner/repo or owner/* (a binding for every owner on GitHub is refused)";
  }
  if (repo === "") return "must be owner/repo (globs allowed: owner/*)";
  return null;
}

export const oidcBindingInputSchema = z
  .strictObject({
    id: BindingId,
    description: z.string().max(500).optional(),
    match: z
      .strictObject({
        repository: pattern
          .superRefine((p, ctx) => {
            const problem = repositoryPatternProblem(p);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
          })
          .openapi({ example: "acme/train", description: "owner/repo; globs: acme/*" }),
        repository_owner: pattern.optional(),
        repository_id: pattern.optional(),
        ref: pattern
          .optional()
          .openapi({ example: "refs/heads/main", description: "e.g. refs/heads/*, refs/tags/v*" }),
        ref_type: pattern.optional(),
        environment: pattern.optional().openapi({ example: "production" }),
        workflow: pattern.optional().openapi({ description: "the workflow's name" }),
        workflow_ref: pattern.optional(),
        job_workflow_ref: pattern.optional(),
        event_name: pattern.optional().openapi({ example: "push" }),
        sub: pattern.optional(),
      })
      .openapi({
        description:
          "claims of the GitHub OIDC token; every given field must match (exact, or a glob: * within a path segment, ** across, ?). repository, repository_owner and environment compare case-insensitively.",
      }),
    owners: z.array(OwnerHash).min(1, "owners needs at least one owner hash").max(50),
    clusters: z.union([z.literal("all"), z.array(ClusterName).min(1)]).default("all"),
    rights: RightsInput,
  })
  .openapi("OidcBindingInput");
export type OidcBindingInput = z.infer<typeof oidcBindingInputSchema>;
export interface OidcBinding extends OidcBindingInput {
  createdAt: string;
  updatedAt: string;
}

const regexCache = new Map<string, RegExp>();

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
