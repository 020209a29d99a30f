/**
 * Node only: reads Konduktor's own config (`~/.konduktor/config.yaml`) for the context rule of
 * ./kubeconfig-context.ts. Konduktor's config file is never written here.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { konduktorAllowedContexts } from "./kubeconfig-context.ts";

/** Konduktor's config YAML, or null when there is none. `home` defaults to `$HOME`. */
export function readKonduktorConfig(home: string = process.env.HOME || homedir()): string | null {
  const path = join(home, ".konduktor", "config.yaml");
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

/** `kubernetes.allowed_contexts` of Konduktor's config in `home` (empty when there is none). */
export function allowedContextsIn(home?: string): string[] {
  return konduktorAllowedContexts(readKonduktorConfig(home));
}
