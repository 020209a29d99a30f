/**
 * Tombstones: a record that an owner's secret was deleted on purpose through the broker (who, when,
 * from which clusters, with a deletion time per cluster; never a value), so that a sync does not
 * copy it back. A later explicit write of the same name (PUT, or a webhook's secret set) clears it
 * on the clusters the write was placed on.
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

  /**
   * Records (or widens) the tombstone of a deletion: `coverage` is `all` (every cluster, also ones
   * registered later) or the clusters it was deleted from; `targeted` are the clusters this
   * deletion went to, whose deletion time becomes `at` (other clusters keep their own time).
   */
  async record(
    owner: string,
    basename: string,
    coverage: string[] | "all",
    targeted: readonly string[],
    at: Date,
    by: string,
  ): Promise<Tombstone> {
    const existing = await this.get(owner, basename);
    const when = at.toISOString();
    const clusters: string[] | "all" =
      coverage === "all" || existing?.clusters === "all"
        ? "all"
        : [...new Set([...(existing?.clusters ?? []), ...coverage])].sort();
    // per cluster: older records (no `at`) carried one time for all of their clusters
    const times: Record<string, string> = {};
    if (existing && existing.clusters !== "all") {
      for (const c of existing.clusters) times[c] = existing.at?.[c] ?? existing.deletedAt;
    } else if (existing?.at) {
      Object.assign(times, existing.at);
    }
    for (const c of targeted) times[c] = when;
    const except = (existing?.except ?? []).filter((c) => !targeted.includes(c));
    const tombstone: Tombstone = {
      owner,
      basename,
      // for `all`: when every cluster was covered (clusters without their own time use it)
      deletedAt: coverage !== "all" && existing?.clusters === "all" ? existing.deletedAt : when,
      clusters,
      at: times,
      ...(clusters === "all" && except.length ? { except } : {}),
      by,
    };
    await putJson(this.store, key(owner, basename), tombstone);
    return tombstone;
  }

  async get(owner: string, basename: string): Promise<Tombstone | null> {
    return await getJson<Tombstone>(this.store, key(owner, basename));
  }

  /**
   * An explicit write of the name ends the deletion where it was placed: everywhere (`all`), or
   * on those clusters only (the tombstone keeps covering the others). True when one was changed.
   */
  async clear(
    owner: string,
    basename: string,
    placement: string[] | "all" = "all",
  ): Promise<boolean> {
    const k = key(owner, basename);
    const existing = await this.get(owner, basename);
    if (existing === null) return false;
    const remaining =
      placement === "all"
        ? []
        : existing.clusters === "all"
          ? "all"
          : existing.clusters.filter((c) => !placement.includes(c));
    if (remaining !== "all" && remaining.length === 0) {
      await this.store.delete(k);
      return true;
    }
    const at = Object.fromEntries(
      Object.entries(existing.at ?? {}).filter(([c]) => !(placement as string[]).includes(c)),
    );
    const except =
      remaining === "all"
        ? [...new Set([...(existing.except ?? []), ...(placement as string[])])].sort()
        : [];
    await putJson(this.store, k, {
      ...existing,
      clusters: remaining,
      at,
      ...(except.length ? { except } : { except: undefined }),
    } satisfies Tombstone);
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
