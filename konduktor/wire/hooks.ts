/**
 * A signed webhook delivery on the wire (`POST /v1/hooks/{id}`): its body, a secret set (the PUT
 * body and `name`, ./secrets.ts `SecretSetBody`) or a sync request, and its answer: the PUT or sync
 * answer led by the hook and delivery id, or the replay of a delivery seen before.
 */
import { z } from "zod";
import { PutAnswer, SecretSetBody } from "./secrets.ts";
import { SyncAnswer, SyncRequestBody } from "./sync.ts";

export const SyncDelivery = z
  .strictObject({ sync: SyncRequestBody })
  .meta({ id: "HookSyncRequest" });

export const DeliveryBody = z.union([SecretSetBody, SyncDelivery]);

/** What leads a delivery's answer: which hook, which delivery, not a replay. */
const delivered = {
  hook: z.string(),
  deliveryId: z.string(),
  replay: z.literal(false),
};

export const SecretSetAnswer = z
  .object({ ...delivered, ...PutAnswer.shape })
  .meta({ id: "HookSecretSetAnswer" });

export const SyncDeliveryAnswer = z
  .object({ ...delivered, ...SyncAnswer.shape })
  .meta({ id: "HookSyncAnswer" });

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
  .meta({ id: "HookReplay" });

export const DeliveryAnswer = z.union([SecretSetAnswer, SyncDeliveryAnswer, ReplayAnswer]);
