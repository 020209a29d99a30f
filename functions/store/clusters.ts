/** Registered clusters, one record per cluster in the control shard (`cluster:<name>`). */
import type { ClusterRecord } from "../registry/clusters.ts";
import { keys } from "./keys.ts";
import { type RecordStore, updateRecord } from "./records.ts";

export class ClusterStore {
  private readonly shard: RecordStore;
  /** `shard`: the control shard */
  constructor(shard: RecordStore) {
    this.shard = shard;
  }

  async get(name: string): Promise<ClusterRecord | null> {
    const record = await this.shard.get(keys.cluster(name));
    return record ? (JSON.parse(record.value) as ClusterRecord) : null;
  }

  async list(): Promise<ClusterRecord[]> {
    return (await this.shard.list(keys.clusterPrefix)).map(
      (r) => JSON.parse(r.value) as ClusterRecord,
    );
  }

  async names(): Promise<string[]> {
    return (await this.list()).map((r) => r.name);
  }

  /**
   * Creates or replaces the record of `name`: `build` gets the current record (null when new) and
   * may run again if another write got there first.
   */
  async put(
    name: string,
    build: (existing: ClusterRecord | null) => ClusterRecord,
  ): Promise<{ record: ClusterRecord; created: boolean }> {
    let created = false;
    const record = await updateRecord<ClusterRecord>(this.shard, keys.cluster(name), (existing) => {
      created = existing === null;
      return build(existing);
    });
    return { record: record as ClusterRecord, created };
  }

  /** Removes a cluster; false when there was none. */
  async remove(name: string): Promise<boolean> {
    let existed = false;
    await updateRecord<ClusterRecord>(this.shard, keys.cluster(name), (existing) => {
      existed = existing !== null;
      return existing === null ? undefined : null;
    });
    return existed;
  }
}
