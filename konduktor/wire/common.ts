/**
 * The shared input shapes on the wire: owner hashes, cluster names, secret-name patterns, base64
 * contents, rights. One definition each, in plain zod (no OpenAPI import), so that the broker
 * (functions/), the Action and the CLI read and write the same format. `.meta()` carries the
 * OpenAPI descriptions (@hono/zod-openapi reads them; `id` names the component). The owner and
 * DNS-label patterns are the format's own (../validate.ts).
 */
import { z } from "zod";
import { isBase64 } from "../encoding.ts";
import { SECRET_KINDS } from "../types.ts";
import { DNS_LABEL_RE, OWNER_RE } from "../validate.ts";

/** A registered cluster's name: a DNS label. */
export const CLUSTER_NAME_RE = DNS_LABEL_RE;

/** The prefix of a `prefix*` name pattern: the start of a valid basename, or empty (`*`). */
export const NAME_PREFIX_RE = /^([a-z0-9][-a-z0-9]*)?$/;

/** A secret name (a basename) or a `prefix*` pattern whose prefix is the start of a basename. */
export const NAME_PATTERN_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?|([a-z0-9][-a-z0-9]*)?\*)$/;

/** An owner: Konduktor's user hash (8 hexadecimal characters; upper case is kept as given). */
export const OWNER_HASH_RE = OWNER_RE;

export const OwnerHash = z
  .string()
  .regex(
    OWNER_HASH_RE,
    "an owner is a user hash: 8 hexadecimal characters, e.g. 0a1b2c3d (upper case is kept as given, as Konduktor does)",
  )
  .meta({ example: "0a1b2c3d" });

export const ClusterName = z
  .string()
  .max(63, "a cluster name has at most 63 characters")
  .regex(
    CLUSTER_NAME_RE,
    "a cluster name is lowercase letters, digits and '-', starting and ending with a letter or digit",
  )
  .meta({ example: "gpu-east" });

export const NamePattern = z
  .string()
  .max(63)
  .regex(
    NAME_PATTERN_RE,
    'a secret name (a basename like "db-password") or a prefix pattern ending in * (like "db-*", or "*" for any)',
  );

export const SecretKindSchema = z.enum(SECRET_KINDS, {
  error: `kind must be one of ${SECRET_KINDS.join(", ")}`,
});

export const Base64 = z
  .string()
  .refine(isBase64, "must be standard base64 (RFC 4648) of the file's bytes")
  .meta({ description: "standard base64 (RFC 4648) of the bytes", format: "byte" });

/** Clusters one request, token, hook or binding may name. */
export const MAX_CLUSTERS = 100;

/**
 * One rule for a list of cluster names, wherever it comes from: a JSON body, a query
 * (`?clusters=a,b`) or a credential's `"all"`-or-list. Messages name the position, never echo
 * the input.
 */
const clusterNames = z
  .array(ClusterName)
  .min(1, "clusters, when given, names at least one cluster")
  .max(MAX_CLUSTERS, `clusters names at most ${MAX_CLUSTERS} clusters: leave it out for all`);

/** `clusters` of a request body: the target clusters, default every cluster the caller may use. */
export const ClusterList = clusterNames.optional().meta({
  description: "target clusters (default: every registered cluster the caller may use)",
});

/** A credential's or hook's clusters in a request body: `"all"` (default) or a list. */
export const ClustersOrAll = z
  .union([z.literal("all"), clusterNames], {
    error: `clusters must be "all" or a list of 1 to ${MAX_CLUSTERS} cluster names, like ["gpu-east"]`,
  })
  .default("all")
  .meta({ description: 'cluster names, or "all" (default)' });

function splitNames(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `clusters=a,b` in a query string: the body's rule on the comma-separated names. */
export const CommaList = z
  .string()
  .optional()
  .superRefine((value, ctx) => {
    if (value === undefined) return;
    const list = splitNames(value);
    if (list.length === 0) return;
    const parsed = clusterNames.safeParse(list);
    if (parsed.success) return;
    // the first few problems: a long list of bad names would make a long answer
    for (const issue of parsed.error.issues.slice(0, 5)) {
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    }
  })
  .transform((value) => {
    const list = value === undefined ? [] : splitNames(value);
    return list.length ? list : undefined;
  })
  .meta({
    description: `comma-separated cluster names, at most ${MAX_CLUSTERS} (default: all the caller may use)`,
  });

/** Clusters a credential is bound to: names, or every registered cluster. */
export const ClusterScope = z.union([z.literal("all"), z.array(z.string())]);

/** What a credential may do (API tokens, OIDC bindings). */
export const RightsSchema = z.object({
  write: z.boolean(),
  read: z.boolean(),
  listAllUsers: z.boolean(),
});

/** Rights in a request body (API tokens, OIDC bindings): write and read unless said otherwise. */
export const RightsInput = z
  .strictObject({
    write: z.boolean().default(true),
    read: z.boolean().default(true),
    listAllUsers: z.boolean().default(false),
  })
  .default({ write: true, read: true, listAllUsers: false });
