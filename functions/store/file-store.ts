/** A JSON file as the store (Node entry only: one process; writes are atomic renames). */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { MemoryStore } from "./memory-store.ts";

export class FileStore extends MemoryStore {
  private readonly path: string;
  constructor(path: string) {
    super();
    this.path = path;
    if (existsSync(path)) {
      const doc = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
      for (const [k, v] of Object.entries(doc)) this.data.set(k, v);
    }
  }
  private flush(): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.data), null, 1), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
  override async put(key: string, value: string): Promise<void> {
    await super.put(key, value);
    this.flush();
  }
  override async delete(key: string): Promise<void> {
    await super.delete(key);
    this.flush();
  }
}
