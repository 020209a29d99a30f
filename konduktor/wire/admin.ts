/**
 * The admin API on the wire (the admin token only): the cluster registry, API tokens, webhooks and
 * GitHub OIDC bindings, plus `whoami`. Request bodies mirror what the routes accept today; answers
 * never hold a kubeconfig, a token (except once, when issued) or a signing secret (once, when made).
 */
import { z } from "zod";
import { DNS_LABEL_RE } from "../validate.ts";
import {
  ClusterName,
  ClusterScope,
  ClustersOrAll,
  NamePattern,
  OwnerHash,
  RightsInput,
  RightsSchema,
} from "./common.ts";
import { SyncAnswer } from "./sync.ts";

// ---------- clusters ----------

export const RegisterClusterBody = z
  .strictObject({
    kubeconfig: z
      .string({ error: "kubeconfig is required: the kubeconfig YAML (as a string)" })
      .min(1, "kubeconfig is empty")
      .max(256 * 1024, "kubeconfig is larger than 256 KiB")
      .meta({
        description:
          "The kubeconfig YAML. On workerd it must embed everything: server, certificate-authority-data (or a publicly trusted server certificate) and a bearer token (e.g. a ServiceAccount token); no exec plugins, files or client certificates.",
      }),
    context: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "the context to use (default: current-context)" }),
    sync: z.boolean().default(false).meta({
      description:
        "after registering, copy every owner's secrets placed on all clusters (or naming this one) onto this cluster, from the newest copy on the other clusters; the answer's `sync` says what was copied",
    }),
  })
  .meta({ id: "RegisterCluster" });

export type RegisterClusterRequest = z.input<typeof RegisterClusterBody>;

export const ClusterInfoSchema = z
  .object({
    name: z.string(),
    server: z.string().meta({ example: "https://10.0.0.1:6443" }),
    namespace: z.string().meta({ example: "default" }),
    context: z.string(),
    addedAt: z.string(),
    updatedAt: z.string(),
    keyId: z.string().meta({ description: "id of the key the kubeconfig is encrypted with" }),
    sync: SyncAnswer.optional().meta({
      description: "registered with `sync`: what was copied onto the cluster",
    }),
  })
  .meta({ id: "Cluster" });

export type ClusterInfo = z.infer<typeof ClusterInfoSchema>;

export const ClusterNameParam = z.object({ name: ClusterName });

export const ClusterListAnswer = z.object({ clusters: z.array(ClusterInfoSchema) });

export const HealthSchema = z
  .object({
    cluster: z.string(),
    server: z.string(),
    namespace: z.string(),
    reachable: z.boolean(),
    version: z.string().nullable(),
    access: z
      .record(z.string(), z.boolean())
      .nullable()
      .meta({
        description:
          "per verb on Secrets in the namespace, from a SelfSubjectAccessReview (null when unreachable)",
        example: { get: true, list: true, create: true, patch: true, delete: false },
      }),
    missing: z.array(z.string()).meta({ description: "verbs the credential may not use" }),
    ok: z.boolean().meta({ description: "reachable and every verb allowed" }),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: "ClusterHealth" });

export type ClusterHealth = z.infer<typeof HealthSchema>;

// ---------- API tokens ----------

export const MAX_TOKEN_TTL_SECONDS = 366 * 24 * 3600;

export const IssueTokenBody = z
  .strictObject({
    label: z.string().max(100).optional().meta({ example: "ci-deploy" }),
    owners: z
      .array(OwnerHash)
      .min(1, "owners needs at least one owner hash")
      .max(50)
      .meta({ description: "the owner hashes the token acts as" }),
    clusters: ClustersOrAll,
    rights: RightsInput,
    expiresInSeconds: z
      .number({ error: "expiresInSeconds must be a number of seconds" })
      .int("expiresInSeconds must be a whole number of seconds, like 2592000 (30 days)")
      .min(1, "expiresInSeconds must be at least 1")
      .max(MAX_TOKEN_TTL_SECONDS, "a token lives at most 366 days")
      .default(30 * 24 * 3600)
      .meta({ description: "lifetime in seconds (default 30 days, at most 366 days)" }),
  })
  .meta({ id: "IssueToken" });

export type IssueTokenRequest = z.input<typeof IssueTokenBody>;

export const TokenInfoSchema = z
  .object({
    id: z.string().meta({ example: "3f2a9c0d1e4b5a67" }),
    label: z.string().nullable(),
    owners: z.array(z.string()),
    clusters: ClusterScope,
    rights: RightsSchema,
    createdAt: z.string(),
    expiresAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "Token" });

export type TokenInfo = z.infer<typeof TokenInfoSchema>;

export const IssuedTokenSchema = TokenInfoSchema.extend({
  token: z.string().meta({
    description: "the token itself: shown once, stored only as a hash",
    example: "kbt_3f2a9c0d1e4b5a67_…",
  }),
}).meta({ id: "IssuedToken" });

export const TokenListAnswer = z.object({ tokens: z.array(TokenInfoSchema) });

export const TOKEN_ID_RE = /^[0-9a-f]{16}$/;

export const TokenIdParam = z.object({
  id: z.string().regex(TOKEN_ID_RE, "a token id is 16 lowercase hex characters"),
});

// ---------- webhooks ----------

export const HOOK_ID_RE = /^wh_[0-9a-f]{16}$/;

export const HookIdParam = z.object({
  id: z
    .string()
    .regex(HOOK_ID_RE, "a hook id looks like wh_ followed by 16 hex characters")
    .meta({ example: "wh_3f2a9c0d1e4b5a67" }),
});

export const CreateHookBody = z
  .strictObject({
    label: z.string().max(100).optional().meta({ example: "vault-rotation" }),
    owners: z
      .array(OwnerHash)
      .min(1, "owners needs at least one owner hash")
      .max(50)
      .meta({ description: "the owners whose secrets deliveries may set or sync" }),
    clusters: ClustersOrAll.meta({
      description: 'the clusters deliveries may write, or "all" (default)',
    }),
    names: z
      .array(NamePattern)
      .min(1, 'names needs at least one secret name or pattern ("*" for any)')
      .max(200)
      .meta({
        description:
          'the secret names (basenames) deliveries may touch; "prefix*" patterns allowed',
        example: ["db-password", "rotated-*"],
      }),
    allowSync: z.boolean().default(true).meta({
      description: "whether a delivery may be a sync request (a secret set is always allowed)",
    }),
  })
  .meta({ id: "CreateHook" });

export type CreateHookRequest = z.input<typeof CreateHookBody>;

export const HookInfoSchema = z
  .object({
    id: z.string().meta({ example: "wh_3f2a9c0d1e4b5a67" }),
    label: z.string().nullable(),
    owners: z.array(z.string()),
    clusters: ClusterScope,
    names: z.array(z.string()),
    allowSync: z.boolean(),
    createdAt: z.string(),
    keyId: z.string(),
  })
  .meta({ id: "Hook" });

export type HookInfo = z.infer<typeof HookInfoSchema>;

export const CreatedHookSchema = HookInfoSchema.extend({
  secret: z.string().meta({
    description: "the signing secret (`whsec_…`): shown once, keep it in the sender",
  }),
  url: z.string().meta({ description: "the delivery path" }),
}).meta({ id: "CreatedHook" });

export const HookListAnswer = z.object({ hooks: z.array(HookInfoSchema) });

// ---------- GitHub OIDC bindings ----------

/** An OIDC binding's id: a DNS label. */
export const BINDING_ID_RE = DNS_LABEL_RE;

export const BindingId = z
  .string()
  .max(63, "a binding id has at most 63 characters")
  .regex(
    BINDING_ID_RE,
    "a binding id is lowercase letters, digits and '-', starting and ending with a letter or digit",
  )
  .meta({ example: "train-main" });

export const BindingIdParam = z.object({ id: BindingId });

const claimPattern = z.string().min(1).max(300);

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

export const OidcBindingMatch = z
  .strictObject({
    repository: claimPattern
      .superRefine((p, ctx) => {
        const problem = repositoryPatternProblem(p);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .meta({ example: "acme/train", description: "owner/repo; globs: acme/*" }),
    repository_owner: claimPattern.optional(),
    repository_id: claimPattern.optional(),
    ref: claimPattern
      .optional()
      .meta({ example: "refs/heads/main", description: "e.g. refs/heads/*, refs/tags/v*" }),
    ref_type: claimPattern.optional(),
    environment: claimPattern.optional().meta({ example: "production" }),
    workflow: claimPattern.optional().meta({ description: "the workflow's name" }),
    workflow_ref: claimPattern.optional(),
    job_workflow_ref: claimPattern.optional(),
    event_name: claimPattern.optional().meta({ example: "push" }),
    sub: claimPattern.optional(),
  })
  .meta({
    description:
      "claims of the GitHub OIDC token; every given field must match (exact, or a glob: * within a path segment, ** across, ?). repository, repository_owner and environment compare case-insensitively.",
  });

/** The body of `PUT /v1/oidc-bindings/{id}` (the id is in the path). */
export const OidcBindingBody = z
  .strictObject({
    description: z.string().max(500).optional(),
    match: OidcBindingMatch,
    owners: z.array(OwnerHash).min(1, "owners needs at least one owner hash").max(50),
    clusters: ClustersOrAll,
    rights: RightsInput,
  })
  .meta({ id: "OidcBindingBody" });

export type OidcBindingRequest = z.input<typeof OidcBindingBody>;

export const OidcBindingSchema = z
  .object({
    id: z.string(),
    description: z.string().optional(),
    match: z.record(z.string(), z.string()),
    owners: z.array(z.string()),
    clusters: ClusterScope,
    rights: RightsSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "OidcBinding" });

export type OidcBinding = z.infer<typeof OidcBindingSchema>;

export const OidcBindingListAnswer = z.object({ bindings: z.array(OidcBindingSchema) });

// ---------- whoami ----------

/**
 * `GET /v1/whoami` (any credential, the admin token too): who the credential is, the owners and
 * clusters it may use, its rights and when it expires (null: the admin token, which does not).
 */
export const WhoamiAnswer = z
  .object({
    id: z.string().meta({
      description: "the caller's id in audit lines: admin, token:<id>, oidc:<repo>@<ref>",
      example: "token:3f2a9c0d1e4b5a67",
    }),
    kind: z.enum(["admin", "token", "oidc"]),
    label: z.string().nullable().meta({ description: "the token's label, the workflow for OIDC" }),
    owners: z.array(z.string()).meta({ description: "owner hashes it acts as (none: admin)" }),
    clusters: ClusterScope,
    rights: RightsSchema,
    expiresAt: z.string().nullable().meta({
      description:
        "when the credential stops working: an API token's expiry, a GitHub OIDC token's `exp`; null for the admin token",
      example: "2026-12-30T12:00:00.000Z",
    }),
  })
  .meta({ id: "Whoami" });

export type Whoami = z.infer<typeof WhoamiAnswer>;
