import type { KeyValueStore } from "./store.ts";

/** Workers KV. Note: KV is eventually consistent across locations (up to ~60 s). */
export class KvStore implements KeyValueStore {
  private readonly kv: KVNamespace;
  constructor(kv: KVNamespace) {
    this.kv = kv;
  }

  async get(key: string): Promise<string | null> {
    return await this.kv.get(key, "text");
  }
  async put(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void> {
    await this.kv.put(
      key,
      value,
      options?.ttlSeconds ? { expirationTtl: Math.max(60, Math.ceil(options.ttlSeconds)) } : {},
    );
  }
  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
  }
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.kv.list({ prefix, ...(cursor ? { cursor } : {}) });
      keys.push(...page.keys.map((k) => k.name));
      if (page.list_complete || !page.cursor) break;
      cursor = page.cursor;
    }
    return keys.sort();
  }
}
