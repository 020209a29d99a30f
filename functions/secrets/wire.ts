/**
 * The wire contract of /v1/secrets: request and answer schemas (zod, published as OpenAPI), and
 * the decoding of a request into the Konduktor Secret it asks for. Values appear only in requests
 * (`source`); answers hold names, key names and keyed digests.
 */
import { z } from "@hono/zod-openapi";
import { base64ToBytes, isBase64 } from "../../konduktor/encoding.ts";
import { checkSecretInput, validateBasename } from "../../konduktor/secret.ts";
import { type KubeSecret, SECRET_KINDS, type SecretSource } from "../../konduktor/types.ts";
import { ApiError, invalidInput } from "../problem.ts";
import { ClusterName, OwnerHash } from "../schemas.ts";
import { DriftSchema } from "../sync/drift.ts";

const Base64 = z
  .string()
  .refine(isBase64, "must be standard base64 (RFC 4648) of the file's bytes")
  .openapi({ description: "standard base64 (RFC 4648) of the bytes", format: "byte" });

export const SourceSchema = z
  .discriminatedUnion(
    "type",
    [
      z.strictObject({
        type: z.literal("inline"),
        pairs: z
          .record(z.string(), z.string())
          .openapi({ description: "KEY → value (UTF-8)", example: { API_KEY: "…" } }),
      }),
      z.strictObject({
        type: z.literal("files"),
        files: z
          .array(z.strictObject({ name: z.string().min(1), content: Base64 }))
          .min(1, "files needs at least one file"),
      }),
      z.strictObject({
        type: z.literal("directory"),
        name: z.string().min(1).openapi({ description: "the directory's own name (top folder)" }),
        entries: z
          .array(z.strictObject({ path: z.string().min(1), content: Base64 }))
          .min(1, "a directory needs at least one file"),
      }),
    ],
    { error: 'source.type must be "inline", "files" or "directory"' },
  )
  .openapi("SecretSource", {
    description:
      "Exactly one source: inline KEY=VALUE pairs, files (key = file name; `gitkey` for git-ssh), or a directory (one payload.zip).",
  });

export const ClusterList = z
  .array(ClusterName)
  .min(1, "clusters, when given, names at least one cluster")
  .max(100)
  .optional()
  .openapi({
    description: "target clusters (default: every registered cluster the caller may use)",
  });

export const PutSecretBody = z
  .strictObject({
    kind: z
      .enum(SECRET_KINDS, { error: `kind must be one of ${SECRET_KINDS.join(", ")}` })
      .default("default"),
    source: SourceSchema,
    owner: OwnerHash.optional().openapi({
      description: "required only when the credential acts for several owners",
    }),
    clusters: ClusterList,
    mode: z
      .enum(["merge", "replace"], { error: 'mode must be "merge" or "replace"' })
      .default("merge")
      .openapi({
        description:
          "merge (Konduktor's `secret create`: add and overwrite keys, keep others) or replace (exactly these keys)",
      }),
    prune: z.boolean().default(false).openapi({
      description: "merge only: remove keys this broker wrote before and this call lacks",
    }),
    immutable: z.boolean().default(false),
    dryRun: z.boolean().default(false).openapi({
      description: "report the plan per cluster (key names and digests), write nothing",
    }),
  })
  .openapi("PutSecret");

export const SecretNameParam = z.object({
  name: z.string().openapi({
    param: { name: "name", in: "path" },
    example: "wandb",
    description: "the basename",
  }),
});

export const commaList = z
  .string()
  .optional()
  .transform((v) =>
    v === undefined
      ? undefined
      : v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
  )
  .openapi({ description: "comma-separated cluster names (default: all the caller may use)" });

export const OwnerQuery = OwnerHash.optional().openapi({
  description: "required only when the credential acts for several owners",
});

export const ErrorResult = z.object({
  cluster: z.string(),
  status: z.literal("error"),
  code: z.string().openapi({ example: "unreachable" }),
  message: z.string(),
  retryable: z.boolean(),
  attempts: z.number(),
  durationMs: z.number(),
});

export const ApplyResultSchema = z
  .union([
    z.object({
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
      supersededBy: z.number().optional().openapi({
        description:
          "the copy already held this newer version (a later request wrote it first): nothing was written",
      }),
      attempts: z.number(),
      durationMs: z.number(),
    }),
    ErrorResult,
  ])
  .openapi("ApplyResult");

export const PutAnswer = z
  .object({
    name: z.string(),
    owner: z.string(),
    kind: z.enum(SECRET_KINDS),
    secretName: z.string(),
    mode: z.enum(["merge", "replace"]),
    dryRun: z.boolean(),
    keys: z.array(z.string()),
    digests: z.record(z.string(), z.string()).openapi({
      description:
        "key → keyed digest of the value (`hmac-sha256:<key id>:<hex>`, docs/security-model.md): equal values give equal digests, a guess cannot be checked against one",
    }),
    contentDigest: z.string(),
    version: z.number().nullable().openapi({
      description:
        "the ledger version this write was signed as (null for a dry run): a later request always gets a larger one",
    }),
    results: z.array(ApplyResultSchema),
    notice: z.string().optional().openapi({
      description:
        "set when this write narrowed the placement of an existing secret (the request was limited to fewer clusters than the copy was placed on): the other clusters keep the old value",
    }),
  })
  .openapi("PutSecretAnswer");

export const ListAnswer = z
  .object({
    scope: z.enum(["own", "all"]),
    owner: z.string().nullable(),
    secrets: z.array(
      z.object({
        name: z.string().openapi({ description: "basename" }),
        secretName: z.string(),
        kind: z.string(),
        owner: z.string().nullable(),
        keys: z.array(z.string()),
        clusters: z.array(z.string()).openapi({ description: "clusters that hold it" }),
        drift: DriftSchema,
      }),
    ),
    results: z.array(
      z.union([
        z.object({ cluster: z.string(), status: z.literal("ok"), count: z.number() }),
        ErrorResult,
      ]),
    ),
  })
  .openapi("ListSecretsAnswer");

export const DescribeAnswer = z
  .object({
    name: z.string(),
    owner: z.string(),
    agree: z.boolean().openapi({
      description:
        "every target cluster answered, and every cluster of the secret's placement holds the same content (`drift.inLine`)",
    }),
    contentDigest: z
      .string()
      .nullable()
      .openapi({ description: "the common digest when they agree" }),
    drift: DriftSchema,
    results: z.array(
      z.union([
        z.object({
          cluster: z.string(),
          status: z.literal("found"),
          secret: z.record(z.string(), z.unknown()),
        }),
        z.object({ cluster: z.string(), status: z.literal("missing") }),
        ErrorResult,
      ]),
    ),
  })
  .openapi("DescribeSecretAnswer");

export const DeleteAnswer = z
  .object({
    name: z.string(),
    owner: z.string(),
    version: z.number().openapi({ description: "the ledger version of this deletion" }),
    results: z.array(
      z.union([
        z.object({
          cluster: z.string(),
          status: z.literal("deleted"),
          secretName: z.string(),
          namespace: z.string(),
          supersededBy: z.number().optional().openapi({
            description:
              "the copy holds a newer version (a later write): it was left in place, not deleted",
          }),
        }),
        ErrorResult,
      ]),
    ),
  })
  .openapi("DeleteSecretAnswer");

// ---------- decoding ----------

function decodeBase64(value: string, field: string): Uint8Array {
  try {
    return base64ToBytes(value);
  } catch {
    throw new ApiError("invalid_input", `${field} is not valid base64`, {
      errors: [{ field, message: "not valid base64" }],
    });
  }
}

export function toSource(source: z.infer<typeof SourceSchema>): SecretSource {
  switch (source.type) {
    case "inline":
      return { type: "inline", pairs: source.pairs };
    case "files":
      return {
        type: "files",
        files: source.files.map((f, i) => ({
          name: f.name,
          content: decodeBase64(f.content, `source.files.${i}.content`),
        })),
      };
    case "directory":
      return {
        type: "directory",
        name: source.name,
        entries: source.entries.map((e, i) => ({
          path: e.path,
          content: decodeBase64(e.content, `source.entries.${i}.content`),
        })),
      };
  }
}

/** 400 unless `name` is a valid basename; `fieldPrefix` says where it came from (the path). */
export function checkBasename(name: string, fieldPrefix = "path: "): void {
  const problems = validateBasename(name, "name");
  if (problems.length) {
    throw invalidInput(
      problems.map((p) => ({ field: `${fieldPrefix}${p.field}`, message: p.message })),
    );
  }
}

export type PutSecret = z.infer<typeof PutSecretBody>;

/** Checks a PUT body for `owner` and builds the Secret `<name>-<owner>` once (400 when not valid). */
export function secretFromBody(owner: string, name: string, body: PutSecret): KubeSecret {
  if (body.prune && body.mode !== "merge") {
    throw new ApiError("invalid_input", "prune applies to mode merge only", {
      errors: [{ field: "prune", message: 'only with mode "merge"' }],
    });
  }
  const { problems, secret } = checkSecretInput({
    owner,
    basename: name,
    kind: body.kind,
    source: toSource(body.source),
  });
  if (!secret) {
    throw invalidInput(problems, { lead: "the secret is not valid" });
  }
  return secret;
}
