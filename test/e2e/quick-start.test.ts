// The README's quick start on a fresh clone: `npm run dev` starts the broker on workerd, creates
// .dev.vars and prints how to register a cluster; `npm run register-cluster -- <name>` registers
// the current kubeconfig context and reports its health.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort, kubeconfigFor } from "../cluster/cluster.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const clusters = inject("clusters");

describe("quick start on a fresh clone", () => {
  const dir = mkdtempSync(join(tmpdir(), "konduktor-clone-"));
  const clone = join(dir, "repo");
  let dev: ChildProcess | undefined;
  let output = "";

  afterAll(async () => {
    if (dev?.pid && dev.exitCode === null) {
      const exited = new Promise((r) => dev?.once("exit", r));
      process.kill(-dev.pid, "SIGTERM");
      const timer = setTimeout(() => dev?.pid && process.kill(-dev.pid, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("npm run dev, then npm run register-cluster", async () => {
    execFileSync("git", ["clone", "--quiet", ROOT, clone]);
    // the clone's `npm ci` is replaced by a link to the installed packages
    symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"));
    expect(existsSync(join(clone, ".dev.vars"))).toBe(false);

    const alpha = clusters[0]!;
    const caFile = join(dir, "ca.pem");
    writeFileSync(caFile, alpha.caPem);
    const port = await freePort();
    const started = Date.now();
    dev = spawn(
      "npm",
      [
        "run",
        "dev",
        "--",
        "--port",
        String(port),
        "--inspector-port",
        String(await freePort()),
        "--show-interactive-dev-session=false",
      ],
      {
        cwd: clone,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: caFile,
          CI: "1",
          WRANGLER_SEND_METRICS: "false",
        },
      },
    );
    dev.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    dev.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const url = `http://127.0.0.1:${port}`;
    for (;;) {
      if (dev.exitCode !== null) throw new Error(`npm run dev exited:\n${output}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        // not yet
      }
      if (Date.now() - started > 90_000) throw new Error(`npm run dev did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`npm run dev on a fresh clone: ready in ${Date.now() - started} ms`);
    expect(output).toContain("Created .dev.vars");
    expect(output).toContain("npm run register-cluster -- <name>");
    const vars = readFileSync(join(clone, ".dev.vars"), "utf8");
    expect(vars).toMatch(/^ADMIN_TOKEN=adm_/m);
    expect(vars).toMatch(/^KEK=[A-Za-z0-9+/]{43}=$/m);
    // .dev.vars is git-ignored (the node_modules symlink is this test's own doing)
    const status = execFileSync("git", ["status", "--porcelain"], { cwd: clone }).toString();
    expect(status.split("\n").filter((l) => l && l !== "?? node_modules")).toEqual([]);

    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, kubeconfigFor(alpha, "secrets-editor"));
    const out = execFileSync(
      "npm",
      ["run", "--silent", "register-cluster", "--", "local", "--url", url],
      {
        cwd: clone,
        env: { ...process.env, KUBECONFIG: kubeconfig },
      },
    ).toString();
    expect(out).toContain('registered cluster "local"');
    expect(out).toMatch(/health: reachable, v\d+\.\d+/);
    const token = /^ADMIN_TOKEN=(.*)$/m.exec(vars)?.[1];
    const list = await fetch(`${url}/v1/clusters`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(
      ((await list.json()) as { clusters: { name: string }[] }).clusters.map((c) => c.name),
    ).toEqual(["local"]);
  });
});
