/**
 * OIDC bindings, one record per binding in the control shard (`oidc-binding:<id>`): a PUT of one
 * binding and a DELETE of another never touch the same record, so neither can undo the other.
 */
import type { OidcBinding, OidcBindingInput } from "../auth/oidc-bindings.ts";
import { keys } from "./keys.ts";
import { type RecordStore, updateRecord } from "./records.ts";

export class OidcBindingStore {
  private readonly shard: RecordStore;
  /** `shard`: the control shard */
  constructor(shard: RecordStore) {
    this.shard = shard;
  }

  /** Every binding, by id (one list of the control shard per OIDC request). */
  async list(): Promise<OidcBinding[]> {
    return (await this.shard.list(keys.oidcBindingPrefix)).map(
      (r) => JSON.parse(r.value) as OidcBinding,
    );
  }

  async get(id: string): Promise<OidcBinding | undefined> {
    const record = await this.shard.get(keys.oidcBinding(id));
    return record ? (JSON.parse(record.value) as OidcBinding) : undefined;
  }

  /** Creates or replaces; returns the stored binding and whether it was new. */
  async put(
    input: OidcBindingInput,
    now = new Date(),
  ): Promise<{ binding: OidcBinding; created: boolean }> {
    const at = now.toISOString();
    let created = false;
    const binding = await updateRecord<OidcBinding>(
      this.shard,
      keys.oidcBinding(input.id),
      (existing) => {
        created = existing === null;
        return { ...input, createdAt: existing?.createdAt ?? at, updatedAt: at };
      },
    );
    return { binding: binding as OidcBinding, created };
  }

  /** Deletes one binding; false when there was none. */
  async delete(id: string): Promise<boolean> {
    let existed = false;
    await updateRecord<OidcBinding>(this.shard, keys.oidcBinding(id), (existing) => {
      existed = existing !== null;
      return existing === null ? undefined : null;
    });
    return existed;
  }
}
