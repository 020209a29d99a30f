/**
 * Tombstones: a record that an owner's secret was deleted on purpose through the broker (who, when,
 * from which clusters; never a value), so that a sync does not copy it back. A later explicit write
 * of the same name (PUT, or a webhook's secret set) clears it.
 *
 * Key: `tombstone:<owner>:<basename>`.
 */
import type { Tombstone } from "../../konduktor/sync.ts";
import { tombstoneKey } from "../../konduktor/sync.ts";
import { getJson, type KeyValueStore, putJson } from "../store/store.ts";

const PREFIX = "tombstone:";
const key = (owner: string, basename: string) => `${PREFIX}${owner}:${basename}`;

export class TombstoneStore {
  private readonly store: KeyValueStore;
  constructor(store: KeyValueStore) {
    this.store = store;
  }

  /** Records (or widens) the tombstone of a deletion. */
  async record(
    owner: string,
    basename: string,
    clusters: string[] | "all",
    at: Date,
    by: string,
  ): Promise<Tombstone> {
    const existing = await this.get(owner, basename);
    const merged: string[] | "all" =
      clusters === "all" || existing?.clusters === "all"
        ? "all"
        : [...new Set([...(existing?.clusters ?? []), ...clusters])].sort();
    const tombstone: Tombstone = {
      owner,
      basename,
      deletedAt: at.toISOString(),
      clusters: merged,
      by,
    };
    await putJson(this.store, key(owner, basename), tombstone);
    return tombstone;
  }

  async get(owner: string, basename: string): Promise<Tombstone | null> {
    return await getJson<Tombstone>(this.store, key(owner, basename));
  }

  /** Removes the tombstone (an explicit write of the name); true when there was one. */
  async clear(owner: string, basename: string): Promise<boolean> {
    const k = key(owner, basename);
    if ((await this.store.get(k)) === null) return false;
    await this.store.delete(k);
    return true;
  }

  /** The tombstones of these owners (or all), by `<owner>/<basename>`. */
  async load(owners: readonly string[] | "all"): Promise<Map<string, Tombstone>> {
    const prefixes = owners === "all" ? [PREFIX] : owners.map((o) => `${PREFIX}${o}:`);
    const keys = (await Promise.all(prefixes.map((p) => this.store.list(p)))).flat();
    const records = await Promise.all(keys.map((k) => getJson<Tombstone>(this.store, k)));
    const out = new Map<string, Tombstone>();
    for (const t of records) if (t) out.set(tombstoneKey(t.owner, t.basename), t);
    return out;
  }
}
