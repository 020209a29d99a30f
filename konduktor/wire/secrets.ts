/**
 * The secrets API on the wire: `PUT /v1/secrets/{name}` (body and answer), `GET /v1/secrets`
 * (query and answer), `GET /v1/secrets/{name}` and `DELETE /v1/secrets/{name}` (query and
 * answers), the per-cluster result shapes and drift. Plain zod: the broker validates with these, the
 * Action and the CLI build requests and read answers with them.
 *
 * Answers are `z.object` (unknown fields pass), request bodies `z.strictObject` (unknown fields are
 * refused with their names). Values only ever appear in a request's `source`, never in an answer.
 */
import { z } from "zod";
import { SECRET_KINDS } from "../types.ts";
import { Base64, ClusterList, CommaList, OwnerHash, SecretKindSchema } from "./common.ts";

// ---------- requests ----------

export const InlineSource = z.strictObject({
  type: z.literal("inline"),
  pairs: z
    .record(z.string(), z.string())
    .meta({ description: "KEY → value (UTF-8)", example: { API_KEY: "…" } }),
});

export const FilesSource = z.strictObject({
  type: z.literal("files"),
  files: z
    .array(z.strictObject({ name: z.string().min(1), content: Base64 }))
    .min(1, "files needs at least one file"),
});

export const DirectorySource = z.strictObject({
  type: z.literal("directory"),
  name: z.string().min(1).meta({ description: "the directory's own name (top folder)" }),
  entries: z
    .array(z.strictObject({ path: z.string().min(1), content: Base64 }))
    .min(1, "a directory needs at least one file"),
});

export const SourceSchema = z
  .discriminatedUnion("type", [InlineSource, FilesSource, DirectorySource], {
    error: 'source.type must be "inline", "files" or "directory"',
  })
  .meta({
    id: "SecretSource",
    description:
      "Exactly one source: inline KEY=VALUE pairs, files (key = file name; `gitkey` for git-ssh), or a directory (one payload.zip).",
  });

export type WireSource = z.infer<typeof SourceSchema>;

const putFields = {
  kind: SecretKindSchema.default("default"),
  source: SourceSchema,
  owner: OwnerHash.optional().meta({
    description: "required only when the credential acts for several owners",
  }),
  clusters: ClusterList,
  mode: z
    .enum(["merge", "replace"], { error: 'mode must be "merge" or "replace"' })
    .default("merge")
    .meta({
      description:
        "merge (Konduktor's `secret create`: add and overwrite keys, keep others) or replace (exactly these keys)",
    }),
  prune: z.boolean().default(false).meta({
    description: "merge only: remove keys this broker wrote before and this call lacks",
  }),
  immutable: z.boolean().default(false),
  dryRun: z.boolean().default(false).meta({
    description: "report the plan per cluster (key names and digests), write nothing",
  }),
};

export const PutSecretBody = z.strictObject(putFields).meta({ id: "PutSecret" });

/** A PUT body as sent (defaults may be left out) and as the broker reads it (defaults filled). */
export type PutSecretRequest = z.input<typeof PutSecretBody>;
export type PutSecret = z.infer<typeof PutSecretBody>;

/** A webhook's secret set: the PUT body and the secret's `name`, one closed object. */
export const SecretSetBody = z
  .strictObject({ ...putFields, name: z.string().meta({ description: "the secret's basename" }) })
  .meta({ id: "HookSecretSet" });

export type SecretSet = z.infer<typeof SecretSetBody>;

export const SecretNameParam = z.object({
  name: z.string().meta({ example: "wandb", description: "the basename" }),
});

const OwnerQuery = OwnerHash.optional().meta({
  description: "required only when the credential acts for several owners",
});

export const ListSecretsQuery = z.strictObject({
  owner: OwnerQuery,
  all: z
    .enum(["true", "false"], { error: 'all must be "true" or "false"' })
    .optional()
    .meta({ description: "every user's secrets (needs the listAllUsers right)" }),
  clusters: CommaList,
});

/** The query of GET and DELETE /v1/secrets/{name}. */
export const SecretQuery = z.strictObject({ owner: OwnerQuery, clusters: CommaList });

export type ListSecretsRequest = z.input<typeof ListSecretsQuery>;
export type SecretRequest = z.input<typeof SecretQuery>;

// ---------- per-cluster results ----------

/**
 * A cluster that failed: a stable code, a message that says what to fix (never a value). The one
 * per-cluster failure shape (konduktor/fanout.ts `FanoutFailure` is this type).
 */
export const ErrorResult = z.object({
  cluster: z.string(),
  status: z.literal("error"),
  code: z.string().meta({ example: "unreachable" }),
  message: z.string(),
  retryable: z.boolean(),
  attempts: z.number(),
  durationMs: z.number(),
});

export type ErrorResultT = z.infer<typeof ErrorResult>;

const supersededBy = (description: string) => z.number().optional().meta({ description });

export const ApplyOkResult = z.object({
  cluster: z.string(),
  status: z.enum(["created", "updated", "unchanged"]),
  secretName: z.string(),
  namespace: z.string(),
  added: z.array(z.string()),
  changed: z.array(z.string()),
  removed: z.array(z.string()),
  writes: z.number(),
  dryRun: z.boolean(),
  replacedGitSsh: z.array(z.string()).optional(),
  supersededBy: supersededBy(
    "the copy already held this newer version (a later request wrote it first): nothing was written",
  ),
  changedOutside: z.boolean().optional().meta({
    description:
      "true: the copy had been changed or deleted outside the broker since the broker last wrote it, and was written back whole (added / changed / removed then compare with the version the broker had written there)",
  }),
  attempts: z.number(),
  durationMs: z.number(),
});

export const ApplyResultSchema = z.union([ApplyOkResult, ErrorResult]).meta({ id: "ApplyResult" });

export type ApplyResultT = z.infer<typeof ApplyResultSchema>;

// ---------- drift ----------

export const DriftSchema = z
  .object({
    ledger: z.enum(["current", "deleted", "unledgered"]).meta({
      description:
        "`current`: the broker's ledger knows the secret and which version belongs where; `deleted`: deleted through the broker; `unledgered`: not made through the broker (Konduktor's CLI, the Action's kubeconfig mode, ksb's direct mode, a broker before the ledger): left where it is, never copied, until a sync that names a `source` adopts it",
    }),
    version: z
      .number()
      .nullable()
      .meta({ description: "the ledger's version of the content (null: unledgered)" }),
    reference: z.string().nullable().meta({
      description:
        "the cluster whose copy the others are compared with: a copy signed by the broker at the ledger's version (the one a sync copies from); null when there is none",
    }),
    inLine: z.boolean().meta({
      description:
        "every cluster of the placement holds the ledger's version (unledgered: every cluster holds the same content)",
    }),
    clusters: z.array(
      z.object({
        cluster: z.string(),
        state: z
          .enum([
            "in-line",
            "missing",
            "different",
            "not-placed",
            "deleted",
            "unknown",
            "unledgered",
          ])
          .meta({
            description:
              "`not-placed`: the secret's placement leaves this cluster out; `deleted`: deleted there through the broker (a sync does not restore it). Neither is a disagreement. `unledgered`: a copy of a secret the ledger does not know",
          }),
        keys: z
          .object({
            missing: z.array(z.string()),
            extra: z.array(z.string()),
            changed: z.array(z.string()),
          })
          .optional()
          .meta({ description: "for `different`: which keys differ from the reference" }),
        editedOutsideBroker: z.literal(true).optional().meta({
          description:
            "this copy was changed outside the broker (its signature does not match): never a source, and a sync leaves it alone unless a source is named",
        }),
        deletedOutsideBroker: z.literal(true).optional().meta({
          description:
            "the broker wrote this copy and it was deleted outside the broker (kubectl, `konduktor secret delete`): the cron does not bring it back; a sync that names the secret does",
        }),
        stale: z.literal(true).optional().meta({
          description: "a copy the broker wrote at an older version: the next sync updates it",
        }),
      }),
    ),
  })
  .meta({ id: "Drift" });

export type Drift = z.infer<typeof DriftSchema>;

// ---------- answers ----------

export const PutAnswer = z
  .object({
    name: z.string(),
    owner: z.string(),
    kind: z.enum(SECRET_KINDS),
    secretName: z.string(),
    mode: z.enum(["merge", "replace"]),
    dryRun: z.boolean(),
    keys: z.array(z.string()),
    digests: z.record(z.string(), z.string()).meta({
      description:
        "key → keyed digest of the value (`hmac-sha256:<key id>:<hex>`, docs/security-model.md): equal values give equal digests, a guess cannot be checked against one",
    }),
    contentDigest: z.string(),
    version: z.number().nullable().meta({
      description:
        "the ledger version this write was signed as (null for a dry run, and in ksb's direct mode, which keeps no ledger): a later request always gets a larger one",
    }),
    results: z.array(ApplyResultSchema),
    warning: z.string().optional().meta({
      description:
        "set with `immutable: true`: Konduktor's `secret create` can no longer change these copies",
    }),
    notice: z.string().optional().meta({
      description:
        "set when this write narrowed the placement of an existing secret (the request was limited to fewer clusters than the copy was placed on): the other clusters keep the old value",
    }),
  })
  .meta({ id: "PutSecretAnswer" });

export type PutSecretAnswer = z.infer<typeof PutAnswer>;

export const ListOkResult = z.object({
  cluster: z.string(),
  status: z.literal("ok"),
  count: z.number(),
});

export const ListAnswer = z
  .object({
    scope: z.enum(["own", "all"]),
    owner: z.string().nullable(),
    secrets: z.array(
      z.object({
        name: z.string().meta({ description: "basename" }),
        secretName: z.string(),
        kind: z.string(),
        owner: z.string().nullable(),
        keys: z.array(z.string()),
        clusters: z.array(z.string()).meta({ description: "clusters that hold it" }),
        drift: DriftSchema,
      }),
    ),
    results: z.array(z.union([ListOkResult, ErrorResult])),
  })
  .meta({ id: "ListSecretsAnswer" });

export type ListSecretsAnswer = z.infer<typeof ListAnswer>;

/** A copy's signature, checked (konduktor/format.ts `SealCheck`). */
export const SealCheckSchema = z.union([
  z.object({
    state: z.literal("valid"),
    version: z.number(),
    keyId: z.string(),
    placement: z.string(),
  }),
  z.object({ state: z.literal("invalid"), reason: z.string() }),
  z.object({ state: z.literal("none") }),
]);

export type SealCheckT = z.infer<typeof SealCheckSchema>;

/**
 * One cluster's copy as `describe` reads it: names, keyed digests, provenance, placement and the
 * signature check, never a value (konduktor/types.ts `SecretDescription`).
 */
export const SecretDescriptionSchema = z
  .object({
    name: z.string(),
    basename: z.string(),
    kind: z.string(),
    owner: z.string().nullable(),
    keys: z.array(z.string()),
    updatedAt: z.string().nullable(),
    namespace: z.string(),
    digests: z.record(z.string(), z.string()),
    contentDigest: z.string(),
    immutable: z.boolean(),
    managedKeys: z.array(z.string()),
    provenance: z
      .object({ actor: z.string(), via: z.string(), at: z.string().optional() })
      .nullable(),
    placement: z.union([z.literal("all"), z.array(z.string())]),
    signature: SealCheckSchema,
  })
  .meta({ id: "SecretDescription" });

export const DescribeAnswer = z
  .object({
    name: z.string(),
    owner: z.string(),
    agree: z.boolean().meta({
      description:
        "every target cluster answered, and every cluster of the secret's placement holds the same content (`drift.inLine`)",
    }),
    contentDigest: z.string().nullable().meta({ description: "the common digest when they agree" }),
    drift: DriftSchema,
    results: z.array(
      z.union([
        z.object({
          cluster: z.string(),
          status: z.literal("found"),
          secret: SecretDescriptionSchema,
        }),
        z.object({ cluster: z.string(), status: z.literal("missing") }),
        ErrorResult,
      ]),
    ),
  })
  .meta({ id: "DescribeSecretAnswer" });

export type DescribeSecretAnswer = z.infer<typeof DescribeAnswer>;

export const DeletedResult = z.object({
  cluster: z.string(),
  status: z.enum(["deleted", "absent"]).meta({
    description:
      "`absent`: the owner had no such secret there; the end state is what was asked (as `kubectl delete --ignore-not-found`)",
  }),
  secretName: z.string(),
  namespace: z.string(),
  supersededBy: supersededBy(
    "the copy holds a newer version (a later write): it was left in place, not deleted",
  ),
});

export const DeleteAnswer = z
  .object({
    name: z.string(),
    owner: z.string(),
    version: z.number().meta({ description: "the ledger version of this deletion" }),
    results: z.array(z.union([DeletedResult, ErrorResult])),
  })
  .meta({ id: "DeleteSecretAnswer" });

export type DeleteSecretAnswer = z.infer<typeof DeleteAnswer>;
