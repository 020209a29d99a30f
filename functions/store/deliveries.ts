/**
 * Webhook deliveries: who is applying a delivery now, what it was answered, and the newest
 * secret-set delivery applied to each secret.
 *
 * - A claim is a lease (shard `hook:<id>`, key `delivery:<webhook-id>`): it holds until the
 *   delivery's deadline, and a retry after that takes the delivery over. A broker that died while
 *   applying a delivery so blocks its retries only until then, never for the whole 72 h.
 * - A delivery keeps the `webhook-timestamp` of the first attempt the broker saw: its time, for
 *   ordering (senders re-sign every attempt with the time of that attempt).
 * - Per secret (shard `owner:<hash>`, key `hook-applied:<basename>`): the newest delivery time
 *   accepted for it. An older secret-set delivery is refused (`webhook_stale`), so a redelivery
 *   of an old value can never roll back a newer one.
 */
import { hookShard, keys, ownerShard } from "./keys.ts";
import { type ShardedStore, updateRecord } from "./records.ts";

/** How long a delivery id is remembered (senders retry the same id over hours). */
export const DELIVERY_TTL_SECONDS = 72 * 3600;

export interface DeliveryRecord {
  hookId: string;
  deliveryId: string;
  /** `released`: a failed attempt that wrote nothing; a retry applies the delivery */
  state: "processing" | "done" | "released";
  /** the delivery's time: `webhook-timestamp` (s) of the first attempt the broker saw */
  timestamp: number;
  firstSeenAt: string;
  /** processing: the claim holds until then (ms since the epoch) */
  leaseUntil?: number;
  /** done: the HTTP status the delivery was answered with */
  status?: number;
  outcome?: string;
  requestId: string;
}

export type ClaimResult =
  | { claimed: DeliveryRecord }
  | { inProgress: DeliveryRecord }
  | { done: DeliveryRecord };

/** The newest secret-set delivery accepted for one secret. */
export interface AppliedDelivery {
  timestamp: number;
  hookId: string;
  deliveryId: string;
}

/** Room for the store calls of a delivery beyond its fan-outs. */
const LEASE_MARGIN_MS = 5_000;

/**
 * A delivery's deadline, the length of its claim: a secret set makes at most two fan-outs (the
 * git-ssh check, the write), each at most `ceil(clusters / concurrency)` rounds of the per-cluster
 * deadline. A sync delivery that runs longer may be run again by a retry after it (a sync is
 * idempotent: it copies what is missing or different).
 */
export function deliveryLeaseMs(
  clusters: number,
  config: { clusterTimeoutMs: number; fanoutConcurrency: number },
): number {
  const rounds = Math.max(1, Math.ceil(clusters / config.fanoutConcurrency));
  return 2 * rounds * config.clusterTimeoutMs + LEASE_MARGIN_MS;
}

export class DeliveryStore {
  private readonly records: ShardedStore;
  constructor(records: ShardedStore) {
    this.records = records;
  }

  /**
   * Claims a delivery for `leaseMs`, unless it is done (a replay) or another attempt holds an
   * unexpired claim. A claim taken over after its lease keeps the delivery's first timestamp.
   */
  async claim(input: {
    hookId: string;
    deliveryId: string;
    timestamp: number;
    now: Date;
    leaseMs: number;
    requestId: string;
  }): Promise<ClaimResult> {
    let result: ClaimResult | undefined;
    await updateRecord<DeliveryRecord>(
      this.records.shard(hookShard(input.hookId)),
      keys.delivery(input.deliveryId),
      (current) => {
        if (current?.state === "done") {
          result = { done: current };
          return undefined;
        }
        if (current?.state === "processing" && (current.leaseUntil ?? 0) > input.now.getTime()) {
          result = { inProgress: current };
          return undefined;
        }
        const claimed: DeliveryRecord = {
          hookId: input.hookId,
          deliveryId: input.deliveryId,
          state: "processing",
          timestamp: current?.timestamp ?? input.timestamp,
          firstSeenAt: current?.firstSeenAt ?? input.now.toISOString(),
          leaseUntil: input.now.getTime() + input.leaseMs,
          requestId: input.requestId,
        };
        result = { claimed };
        return claimed;
      },
      { ttlSeconds: DELIVERY_TTL_SECONDS },
    );
    return result as ClaimResult;
  }

  /** The delivery was answered (200 or 207): later copies are replays. */
  async complete(claim: DeliveryRecord, status: number, outcome: string): Promise<void> {
    const { leaseUntil: _lease, ...rest } = claim;
    await this.settle(claim, { ...rest, state: "done", status, outcome }, true);
  }

  /**
   * The attempt wrote nothing (refused, or every cluster failed): a retry may apply it. Left as
   * it is when another attempt took the delivery over after this one's lease.
   */
  async release(claim: DeliveryRecord): Promise<void> {
    const { leaseUntil: _lease, ...rest } = claim;
    await this.settle(claim, { ...rest, state: "released" }, false);
  }

  private async settle(claim: DeliveryRecord, next: DeliveryRecord, always: boolean) {
    await updateRecord<DeliveryRecord>(
      this.records.shard(hookShard(claim.hookId)),
      keys.delivery(claim.deliveryId),
      (current) =>
        always || (current?.state === "processing" && current.requestId === claim.requestId)
          ? next
          : undefined,
      { ttlSeconds: DELIVERY_TTL_SECONDS },
    );
  }

  /**
   * Accepts a secret-set delivery for `owner`/`basename` when no newer one was accepted before:
   * records its time (atomically) and returns null, or returns the newer one and changes nothing.
   */
  async acceptNewest(
    owner: string,
    basename: string,
    delivery: AppliedDelivery,
  ): Promise<AppliedDelivery | null> {
    let newer: AppliedDelivery | null = null;
    await updateRecord<AppliedDelivery>(
      this.records.shard(ownerShard(owner)),
      keys.hookApplied(basename),
      (current) => {
        if (current && current.timestamp > delivery.timestamp) {
          newer = current;
          return undefined;
        }
        if (current && current.timestamp === delivery.timestamp) return undefined;
        return delivery;
      },
    );
    return newer;
  }
}
