/**
 * Webhooks: each bound to owners, clusters and the secret names it may touch, with a signing secret
 * (Standard Webhooks `whsec_<base64>`) shown once at creation and stored sealed (AES-256-GCM under
 * the KEK, `hook:<id>` as additional data): the broker needs it again to check signatures.
 *
 * Deliveries: every accepted `webhook-id` is kept (with a TTL) so that a replay is answered as one
 * without a second write. Keys: `hook:<id>`, `hookdelivery:<id>:<webhook-id>`.
 */
import { bytesToBase64, toHex } from "../../konduktor/encoding.ts";
import type { BrokerConfig } from "../config.ts";
import { getJson, type KeyValueStore, putJson } from "../store/store.ts";
import { type Envelope, open, seal } from "./envelope.ts";

const PREFIX = "hook:";
const DELIVERY_PREFIX = "hookdelivery:";
export const HOOK_ID_RE = /^wh_[0-9a-f]{16}$/;
/** How long a delivery id is remembered (senders retry the same id over hours). */
export const DELIVERY_TTL_SECONDS = 72 * 3600;

export interface HookRecord {
  id: string;
  label: string | null;
  owners: string[];
  clusters: string[] | "all";
  /** basenames it may touch: exact names, or `prefix*` */
  names: string[];
  /** whether a delivery may be a sync request (a secret set is always allowed) */
  allowSync: boolean;
  createdAt: string;
  /** the signing secret, sealed; AAD = `hook:<id>` */
  secret: Envelope;
}

/** What the API shows of a hook (never its secret). */
export type HookInfo = Omit<HookRecord, "secret"> & { keyId: string };

export function hookInfo(r: HookRecord): HookInfo {
  const { secret, ...rest } = r;
  return { ...rest, keyId: secret.kid };
}

export interface DeliveryRecord {
  hookId: string;
  deliveryId: string;
  state: "processing" | "done";
  firstSeenAt: string;
  expiresAt: string;
  /** the HTTP status the first delivery was answered with */
  status?: number;
  outcome?: string;
  requestId: string;
}

export class HookStore {
  private readonly store: KeyValueStore;
  private readonly config: BrokerConfig;
  constructor(store: KeyValueStore, config: BrokerConfig) {
    this.store = store;
    this.config = config;
  }

  async create(
    input: Omit<HookRecord, "id" | "createdAt" | "secret">,
    now: Date,
  ): Promise<{ record: HookRecord; secret: string }> {
    const id = `wh_${toHex(crypto.getRandomValues(new Uint8Array(8)))}`;
    const secret = `whsec_${bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))}`;
    const record: HookRecord = {
      ...input,
      id,
      createdAt: now.toISOString(),
      secret: await seal(secret, PREFIX + id, this.config.kek),
    };
    await putJson(this.store, PREFIX + id, record);
    return { record, secret };
  }

  async get(id: string): Promise<HookRecord | null> {
    if (!HOOK_ID_RE.test(id)) return null;
    return await getJson<HookRecord>(this.store, PREFIX + id);
  }

  async list(): Promise<HookRecord[]> {
    const keys = await this.store.list(PREFIX);
    const records = await Promise.all(keys.map((k) => getJson<HookRecord>(this.store, k)));
    return records.filter((r): r is HookRecord => r !== null);
  }

  async remove(id: string): Promise<boolean> {
    if (!(await this.get(id))) return false;
    await this.store.delete(PREFIX + id);
    return true;
  }

  /** The signing secret (for verification only; never answered or logged). */
  async signingSecret(record: HookRecord): Promise<string> {
    return await open(record.secret, PREFIX + record.id, [
      this.config.kek,
      ...this.config.previousKeks,
    ]);
  }

  // ---------- deliveries ----------

  private deliveryKey(hookId: string, deliveryId: string): string {
    return `${DELIVERY_PREFIX}${hookId}:${deliveryId}`;
  }

  /** The record of a delivery id seen before (null when new or expired). */
  async seen(hookId: string, deliveryId: string, now: Date): Promise<DeliveryRecord | null> {
    const r = await getJson<DeliveryRecord>(this.store, this.deliveryKey(hookId, deliveryId));
    if (!r || Date.parse(r.expiresAt) <= now.getTime()) return null;
    return r;
  }

  async mark(record: DeliveryRecord): Promise<void> {
    await this.store.put(
      this.deliveryKey(record.hookId, record.deliveryId),
      JSON.stringify(record),
      { ttlSeconds: DELIVERY_TTL_SECONDS },
    );
  }

  /** Forgets a delivery that failed before writing anything, so the sender's retry is applied. */
  async forget(hookId: string, deliveryId: string): Promise<void> {
    await this.store.delete(this.deliveryKey(hookId, deliveryId));
  }
}
