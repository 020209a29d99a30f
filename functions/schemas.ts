/**
 * The broker's shared input shapes: owner hashes, cluster names and secret-name patterns, one
 * definition each, used by every route and the OIDC bindings (so that what one accepts, another
 * does not refuse).
 */
import { z } from "@hono/zod-openapi";

/** A DNS label (RFC 1123): a registered cluster's name, an OIDC binding's id. */
export const CLUSTER_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The prefix of a `prefix*` name pattern: the start of a valid basename, or empty (`*`). */
export const NAME_PREFIX_RE = /^([a-z0-9][-a-z0-9]*)?$/;

/** A secret name (a basename) or a `prefix*` pattern whose prefix is the start of a basename. */
export const NAME_PATTERN_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?|([a-z0-9][-a-z0-9]*)?\*)$/;

export const OwnerHash = z
  .string()
  .regex(/^[0-9a-f]{8}$/, "an owner is a user hash: 8 lowercase hex characters, e.g. 0a1b2c3d")
  .openapi({ example: "0a1b2c3d" });

export const ClusterName = z
  .string()
  .max(63, "a cluster name has at most 63 characters")
  .regex(
    CLUSTER_NAME_RE,
    "a cluster name is lowercase letters, digits and '-', starting and ending with a letter or digit",
  )
  .openapi({ example: "gpu-east" });

export const NamePattern = z
  .string()
  .max(63)
  .regex(
    NAME_PATTERN_RE,
    'a secret name (a basename like "db-password") or a prefix pattern ending in * (like "db-*", or "*" for any)',
  );

export const BindingId = z
  .string()
  .max(63, "a binding id has at most 63 characters")
  .regex(
    CLUSTER_NAME_RE,
    "a binding id is lowercase letters, digits and '-', starting and ending with a letter or digit",
  )
  .openapi({ example: "train-main" });
