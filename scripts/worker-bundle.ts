/**
 * The Worker bundle `wrangler deploy` would upload, written to a folder without uploading
 * (`wrangler deploy --dry-run --outdir`). Used by the bench (bench/lib/workerd.ts runs it in
 * workerd as deployed) and by the deploy tests (its size).
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

/** Writes the bundle of `wrangler.jsonc`'s Worker to `dir`; answers its main module's name. */
export function bundleWorker(dir: string): string {
  execFileSync(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    ["deploy", "--dry-run", "--outdir", dir, "--config", join(ROOT, "wrangler.jsonc")],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
    },
  );
  return "worker.js";
}
