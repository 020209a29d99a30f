/**
 * API access inside a Konduktor job on the wire (admin only): `/v1/job-tokens/{owner}`. The broker
 * keeps a Konduktor env secret (basename `konduktor-broker`, so `konduktor-broker-<owner>`) on
 * every cluster of the owner's job access, holding `KSB_URL` and a short-lived API token for that
 * owner in `KSB_TOKEN`, and rotates the token from the cron (docs/decisions/0016-job-tokens.md).
 * No answer ever holds the token: only its public id.
 */
import { z } from "zod";
import { ClusterScope, ClustersOrAll, OwnerHash, RightsInput, RightsSchema } from "./common.ts";
import { ApplyResultSchema, DeletedResult, ErrorResult } from "./secrets.ts";

/** The basename of the job secret: Kubernetes name `konduktor-broker-<owner>`. */
export const JOB_SECRET_BASENAME = "konduktor-broker";
/** The env keys of the job secret: what `ksb` reads as its environment override (cli/config.ts). */
export const JOB_URL_KEY = "KSB_URL";
export const JOB_TOKEN_KEY = "KSB_TOKEN";

export const MIN_JOB_TOKEN_SECONDS = 10;
export const MAX_JOB_TOKEN_SECONDS = 30 * 24 * 3600;
export const DEFAULT_JOB_TOKEN_SECONDS = 24 * 3600;

export const JobTokenOwnerParam = z.object({ owner: OwnerHash });

export const JobTokenBody = z
  .strictObject({
    clusters: ClustersOrAll.meta({
      description:
        'the clusters that hold the job secret and that the job token may use, or "all" (default: every registered cluster, those registered later too)',
    }),
    rights: RightsInput.meta({
      description: "what a job may do with the token (default: write and read the owner's secrets)",
    }),
    lifetimeSeconds: z
      .number({ error: "lifetimeSeconds must be a number of seconds" })
      .int("lifetimeSeconds must be a whole number of seconds, like 86400 (one day)")
      .min(MIN_JOB_TOKEN_SECONDS, `lifetimeSeconds must be at least ${MIN_JOB_TOKEN_SECONDS}`)
      .max(MAX_JOB_TOKEN_SECONDS, "a job token lives at most 30 days")
      .default(DEFAULT_JOB_TOKEN_SECONDS)
      .meta({
        description:
          "each job token's lifetime (default one day); the cron replaces it once half of it has passed, so make it at least twice the cron's interval",
      }),
    url: z
      .url({
        protocol: /^https?$/,
        error: "url must be the broker's http(s) URL, like https://broker.example.com",
      })
      .max(2000)
      .optional()
      .meta({
        description:
          "the broker URL jobs call (`KSB_URL`), default: the URL this request was sent to",
      }),
  })
  .meta({ id: "JobTokenBody" });

export type JobTokenRequest = z.input<typeof JobTokenBody>;

export const JobTokenInfoSchema = z
  .object({
    owner: z.string(),
    secretName: z.string().meta({ example: "konduktor-broker-0a1b2c3d" }),
    url: z.string().meta({ description: "the broker URL in the secret (`KSB_URL`)" }),
    clusters: ClusterScope,
    rights: RightsSchema,
    lifetimeSeconds: z.number(),
    tokenId: z.string().meta({
      description: "the public id of the current job token (never the token itself)",
      example: "3f2a9c0d1e4b5a67",
    }),
    expiresAt: z.string().meta({ description: "when the current job token expires" }),
    rotateAt: z.string().meta({ description: "when the cron replaces it (half its lifetime)" }),
    createdAt: z.string(),
    rotatedAt: z.string(),
    pending: z.array(z.string()).meta({
      description:
        "clusters that do not hold the current token yet (they failed, or were registered since): the cron writes it there",
    }),
  })
  .meta({ id: "JobToken" });

export type JobTokenInfo = z.infer<typeof JobTokenInfoSchema>;

export const JobTokenAnswer = JobTokenInfoSchema.extend({
  results: z.array(ApplyResultSchema).meta({
    description: "the job secret's write on each cluster (key names only, never a value)",
  }),
}).meta({ id: "JobTokenAnswer" });

export type JobTokenAnswerT = z.infer<typeof JobTokenAnswer>;

export const JobTokenListAnswer = z.object({ jobTokens: z.array(JobTokenInfoSchema) });

export const JobTokenRevokedAnswer = z
  .object({
    owner: z.string(),
    secretName: z.string(),
    revokedTokens: z.array(z.string()).meta({ description: "the job token ids revoked" }),
    results: z.array(z.union([DeletedResult, ErrorResult])),
  })
  .meta({ id: "JobTokenRevoked" });

export type JobTokenRevokedAnswerT = z.infer<typeof JobTokenRevokedAnswer>;
