/**
 * Webhooks, one record per hook in the control shard (`hook:<id>`), each with its signing secret
 * sealed (AES-256-GCM under the KEK, `hook:<id>` as additional data): the broker needs it again to
 * check signatures. Delivery claims live in ./deliveries.ts.
 */
import { bytesToBase64, toHex } from "../../konduktor/encoding.ts";
import type { BrokerConfig } from "../config.ts";
import { open, seal } from "../registry/envelope.ts";
import { HOOK_ID_RE, type HookRecord } from "../registry/hooks.ts";
import { keys } from "./keys.ts";
import { type RecordStore, updateRecord } from "./records.ts";

/** The additional data a signing secret is sealed with (unchanged since the first broker). */
const aad = (id: string) => `hook:${id}`;

export class HookStore {
  private readonly shard: RecordStore;
  private readonly config: BrokerConfig;
  /** `shard`: the control shard */
  constructor(shard: RecordStore, config: BrokerConfig) {
    this.shard = shard;
    this.config = config;
  }

  async create(
    input: Omit<HookRecord, "id" | "createdAt" | "secret">,
    now: Date,
  ): Promise<{ record: HookRecord; secret: string }> {
    for (;;) {
      const id = `wh_${toHex(crypto.getRandomValues(new Uint8Array(8)))}`;
      const secret = `whsec_${bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))}`;
      const record: HookRecord = {
        ...input,
        id,
        createdAt: now.toISOString(),
        secret: await seal(secret, aad(id), this.config.kek),
      };
      const result = await this.shard.commit([
        { key: keys.hook(id), value: JSON.stringify(record), ifRev: 0 },
      ]);
      if (result.ok) return { record, secret };
    }
  }

  async get(id: string): Promise<HookRecord | null> {
    if (!HOOK_ID_RE.test(id)) return null;
    const record = await this.shard.get(keys.hook(id));
    return record ? (JSON.parse(record.value) as HookRecord) : null;
  }

  async list(): Promise<HookRecord[]> {
    return (await this.shard.list(keys.hookPrefix)).map((r) => JSON.parse(r.value) as HookRecord);
  }

  /** Deletes a hook; false when there was none. */
  async remove(id: string): Promise<boolean> {
    if (!HOOK_ID_RE.test(id)) return false;
    let existed = false;
    await updateRecord<HookRecord>(this.shard, keys.hook(id), (existing) => {
      existed = existing !== null;
      return existing === null ? undefined : null;
    });
    return existed;
  }

  /** The signing secret (for verification only; never answered or logged). */
  async signingSecret(record: HookRecord): Promise<string> {
    return await open(record.secret, aad(record.id), [
      this.config.kek,
      ...this.config.previousKeks,
    ]);
  }
}
