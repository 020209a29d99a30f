/**
 * The one-time migration of the key-value state of earlier brokers (Workers KV, or the Node
 * entry's JSON file) into the record store. It runs on the first request after an upgrade
 * (functions/app.ts) and is idempotent: every record is created only where none exists
 * (`ifRev: 0`: what the new store already holds wins), and a marker in the control shard stops
 * it from running again (the old state is never written, so a second copy would resurrect
 * deletions made since).
 *
 * Kept: clusters (their sealed kubeconfigs as they are: same key, same additional data), API
 * tokens, OIDC bindings (one document becomes one record each), hooks, delivery ids still
 * remembered (a delivery stuck "processing" becomes a released one: a retry applies it), and
 * tombstones. A key of no known kind is counted in `skipped`.
 */
import type { OidcBinding } from "../auth/oidc-bindings.ts";
import { DELIVERY_TTL_SECONDS, type DeliveryRecord } from "./deliveries.ts";
import { CONTROL_SHARD, hookShard, keys, legacyKeys } from "./keys.ts";
import type { RecordWrite, ShardedStore } from "./records.ts";
import type { KeyValueStore } from "./store.ts";

export interface MigrationReport {
  clusters: number;
  tokens: number;
  oidcBindings: number;
  hooks: number;
  deliveries: number;
  tombstones: number;
  /** records the new store already had (kept as they are) */
  present: number;
  /** keys of no known kind, or expired */
  skipped: number;
}

interface LegacyDelivery {
  hookId: string;
  deliveryId: string;
  state: "processing" | "done";
  firstSeenAt: string;
  expiresAt: string;
  status?: number;
  outcome?: string;
  requestId: string;
}

/** Migrates once; null when it ran before (the marker is there). */
export async function migrateKeyValueState(
  source: KeyValueStore,
  records: ShardedStore,
  now: Date,
): Promise<MigrationReport | null> {
  const control = records.shard(CONTROL_SHARD);
  if (await control.get(keys.migrated)) return null;
  const report: MigrationReport = {
    clusters: 0,
    tokens: 0,
    oidcBindings: 0,
    hooks: 0,
    deliveries: 0,
    tombstones: 0,
    present: 0,
    skipped: 0,
  };
  const create = async (
    shard: string,
    write: RecordWrite,
    kind: Exclude<keyof MigrationReport, "present" | "skipped">,
  ) => {
    const result = await records.shard(shard).commit([{ ...write, ifRev: 0 }]);
    if (result.ok) report[kind] += 1;
    else report.present += 1;
  };

  for (const key of await source.list("")) {
    const value = await source.get(key);
    if (value === null) continue;
    if (key === legacyKeys.oidcBindings) {
      const doc = JSON.parse(value) as { bindings?: OidcBinding[] };
      for (const b of Array.isArray(doc.bindings) ? doc.bindings : []) {
        await create(
          CONTROL_SHARD,
          { key: keys.oidcBinding(b.id), value: JSON.stringify(b) },
          "oidcBindings",
        );
      }
    } else if (key.startsWith(legacyKeys.clusterPrefix)) {
      await create(CONTROL_SHARD, { key, value }, "clusters");
    } else if (key.startsWith(legacyKeys.tokenPrefix)) {
      await create(CONTROL_SHARD, { key, value }, "tokens");
    } else if (key.startsWith(legacyKeys.hookPrefix)) {
      await create(CONTROL_SHARD, { key, value }, "hooks");
    } else if (key.startsWith(legacyKeys.tombstonePrefix)) {
      await create(CONTROL_SHARD, { key, value }, "tombstones");
    } else if (key.startsWith(legacyKeys.deliveryPrefix)) {
      const old = JSON.parse(value) as LegacyDelivery;
      const left = Math.floor((Date.parse(old.expiresAt) - now.getTime()) / 1000);
      if (!(left > 0)) {
        report.skipped += 1;
        continue;
      }
      const record: DeliveryRecord = {
        hookId: old.hookId,
        deliveryId: old.deliveryId,
        state: old.state === "done" ? "done" : "released",
        timestamp: Math.floor(Date.parse(old.firstSeenAt) / 1000),
        firstSeenAt: old.firstSeenAt,
        ...(old.status !== undefined ? { status: old.status } : {}),
        ...(old.outcome !== undefined ? { outcome: old.outcome } : {}),
        requestId: old.requestId,
      };
      await create(
        hookShard(old.hookId),
        {
          key: keys.delivery(old.deliveryId),
          value: JSON.stringify(record),
          ttlSeconds: Math.min(left, DELIVERY_TTL_SECONDS),
        },
        "deliveries",
      );
    } else {
      report.skipped += 1;
    }
  }
  await control.commit([
    { key: keys.migrated, value: JSON.stringify({ at: now.toISOString(), ...report }) },
  ]);
  return report;
}
