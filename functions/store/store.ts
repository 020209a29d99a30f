/**
 * The key-value interface of earlier brokers' state. Now only a migration source (Workers KV:
 * ./kv-store.ts; the Node JSON file: ./legacy-file.ts) and the view tombstones use until the intent
 * ledger replaces them (./record-kv.ts). The broker's state is the record store (./records.ts).
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** `ttlSeconds`: the store may drop the key after that long (Workers KV: at least 60 s) */
  put(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** every key starting with `prefix`, sorted */
  list(prefix: string): Promise<string[]>;
}

/** A JSON document under a key, or null. */
export async function getJson<T>(store: KeyValueStore, key: string): Promise<T | null> {
  const text = await store.get(key);
  return text === null ? null : (JSON.parse(text) as T);
}

export async function putJson(store: KeyValueStore, key: string, value: unknown): Promise<void> {
  await store.put(key, JSON.stringify(value));
}
