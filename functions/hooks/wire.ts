/**
 * The webhooks API on the wire: creating a hook, what the API shows of one, and the two kinds of
 * delivery body (a secret set, a sync request).
 */
import { z } from "@hono/zod-openapi";
import { HOOK_ID_RE } from "../registry/hooks.ts";
import { ClusterName, NamePattern, OwnerHash } from "../schemas.ts";
import { PutSecretBody } from "../secrets/wire.ts";
import { SyncRequestBody } from "../sync/request.ts";

export const CreateHookBody = z
  .strictObject({
    label: z.string().max(100).optional().openapi({ example: "vault-rotation" }),
    owners: z
      .array(OwnerHash)
      .min(1, "owners needs at least one owner hash")
      .max(50)
      .openapi({ description: "the owners whose secrets deliveries may set or sync" }),
    clusters: z
      .union([
        z.literal("all"),
        z.array(ClusterName).min(1, 'clusters needs at least one cluster, or use "all"'),
      ])
      .default("all")
      .openapi({ description: 'the clusters deliveries may write, or "all" (default)' }),
    names: z
      .array(NamePattern)
      .min(1, 'names needs at least one secret name or pattern ("*" for any)')
      .max(200)
      .openapi({
        description:
          'the secret names (basenames) deliveries may touch; "prefix*" patterns allowed',
        example: ["db-password", "rotated-*"],
      }),
    allowSync: z.boolean().default(true).openapi({
      description: "whether a delivery may be a sync request (a secret set is always allowed)",
    }),
  })
  .openapi("CreateHook");

const hookInfoShape = {
  id: z.string().openapi({ example: "wh_3f2a9c0d1e4b5a67" }),
  label: z.string().nullable(),
  owners: z.array(z.string()),
  clusters: z.union([z.literal("all"), z.array(z.string())]),
  names: z.array(z.string()),
  allowSync: z.boolean(),
  createdAt: z.string(),
  keyId: z.string(),
};

export const HookInfoSchema = z.object(hookInfoShape).openapi("Hook");

export const CreatedHookSchema = z
  .object({
    ...hookInfoShape,
    secret: z.string().openapi({
      description: "the signing secret (`whsec_…`): shown once, keep it in the sender",
    }),
    url: z.string().openapi({ description: "the delivery path" }),
  })
  .openapi("CreatedHook");

export const HookIdParam = z.object({
  id: z
    .string()
    .regex(HOOK_ID_RE, "a hook id looks like wh_ followed by 16 hex characters")
    .openapi({ param: { name: "id", in: "path" }, example: "wh_3f2a9c0d1e4b5a67" }),
});

/**
 * A delivery's hook id is not checked by pattern: any id that is not a hook's is answered 404
 * `unknown_hook`, the same as an id that looks right but is unknown.
 */
export const DeliveryIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "wh_3f2a9c0d1e4b5a67" }),
});

/** A secret set: the body of PUT /v1/secrets/{name} and the secret's `name` (one closed object). */
export const SecretSetDelivery = z
  .strictObject({
    ...PutSecretBody.shape,
    name: z.string().openapi({ description: "the secret's basename" }),
  })
  .openapi("HookSecretSet");

export type SecretSet = z.infer<typeof SecretSetDelivery>;

export const SyncDelivery = z.strictObject({ sync: SyncRequestBody }).openapi("HookSyncRequest");

/** The answer to a delivery seen before: what it was answered then, nothing written again. */
export const ReplayAnswer = z
  .object({
    hook: z.string(),
    deliveryId: z.string(),
    replay: z.literal(true),
    firstSeenAt: z.string(),
    firstStatus: z.number().nullable(),
    firstOutcome: z.string().nullable(),
    firstRequestId: z.string(),
    message: z.string(),
  })
  .openapi("HookReplay");

/** What leads a delivery's answer: which hook, which delivery, not a replay. */
export const DeliveryFields = {
  hook: z.string(),
  deliveryId: z.string(),
  replay: z.literal(false),
};
