// The Node entry's configuration errors give Node advice (environment variables), not the
// Worker's (`wrangler secret put`, .dev.vars).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/action-runner.ts";

describe("node functions/node.ts without its settings", () => {
  it("exits 2 naming each missing setting as an environment variable, with an example", () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "functions/node.ts")], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", KEK: "not-base64-32-bytes" },
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      "the broker is not configured correctly (the Node entry reads its settings from environment variables):",
      "  - ADMIN_TOKEN: ADMIN_TOKEN is missing: set the environment variable ADMIN_TOKEN to a random string of at least 32 characters",
      "  - KEK: KEK must be 32 random bytes in base64 (`openssl rand -base64 32`)",
      "e.g. ADMIN_TOKEN=$(openssl rand -base64 32) KEK=$(openssl rand -base64 32) npm run start:node (keep both: the KEK decrypts the registry in STATE_FILE)",
    ]);
    expect(r.stderr).not.toContain("wrangler");
    expect(r.stderr).not.toContain(".dev.vars");
  });

  it("its state (database, WAL, legacy JSON) and the secrets npm run deploy saves are git-ignored", () => {
    const files = [
      ".konduktor-state.db",
      ".konduktor-state.db-wal",
      ".konduktor-state.json",
      ".konduktor-secrets.konduktor-broker.env",
    ];
    const ignored = spawnSync("git", ["check-ignore", ...files], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(ignored.stdout.trim().split("\n")).toEqual(files);
  });
});
