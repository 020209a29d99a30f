/** The JSON state file of earlier Node brokers, read (never written) as a migration source. */
import { existsSync, readFileSync } from "node:fs";
import { MemoryStore } from "./memory-store.ts";
import type { KeyValueStore } from "./store.ts";

/** The file's keys and values, or null when there is no such file. */
export function readLegacyStateFile(path: string): KeyValueStore | null {
  if (!existsSync(path)) return null;
  const doc = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
  const store = new MemoryStore();
  for (const [key, value] of Object.entries(doc)) void store.put(key, value);
  return store;
}
