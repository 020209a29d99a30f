// The README's quick start on a fresh clone, the way a developer meets it:
// `npm install && npm run dev` starts the broker on workerd, creates .dev.vars and prints how to
// register a cluster; `npm run register-cluster` registers the current context and adds the
// cluster's private CA, which workerd trusts after `npm run dev` restarts; a context that uses an
// exec plugin (EKS, GKE) is refused with a tip, and `--service-account` registers a
// ServiceAccount token made with that context instead; then the README's ksb session.
// It clones git HEAD: uncommitted work is not what it tests (commit first).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, kubeconfigFor, kubeconfigYaml, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { jsonRequest, type RunningService, spawnService } from "../support/service.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const clusters = inject("clusters");

// biome-ignore lint/suspicious/noExplicitAny: the test reads JSON answers freely
type Json = any;

describe("quick start on a fresh clone", () => {
  const dir = mkdtempSync(join(tmpdir(), "konduktor-clone-"));
  const clone = join(dir, "repo");
  const alpha = clusters[0]!;
  let dev: RunningService | undefined;
  let port = 0;
  let url = "";
  let adminToken = "";

  /** everything the running `npm run dev` printed */
  const devLogs = () => dev?.logs() ?? "";

  async function stopDev(): Promise<void> {
    await dev?.stop();
    dev = undefined;
  }

  /** `npm run dev` in the clone, as the README says; NODE_EXTRA_CA_CERTS only when given. */
  async function startDev(extraCaCerts?: string): Promise<number> {
    const started = Date.now();
    const env: NodeJS.ProcessEnv = { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" };
    delete env.NODE_EXTRA_CA_CERTS;
    if (extraCaCerts) env.NODE_EXTRA_CA_CERTS = extraCaCerts;
    dev = await spawnService(
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
      { cwd: clone, env, healthUrl: `${url}/healthz`, timeoutMs: 90_000 },
    );
    return Date.now() - started;
  }

  /**
   * Runs register-cluster without blocking the event loop: a pooled keep-alive connection the
   * broker closes meanwhile is then seen closed before the next request, not reused half-dead.
   */
  async function registerCluster(
    args: string[],
    kubeconfig: string,
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<{ status: number | null; out: string }> {
    const file = join(dir, `kubeconfig-${args[0]}`);
    writeFileSync(file, kubeconfig);
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: file, ...extraEnv };
    delete env.ADMIN_TOKEN;
    const child = spawn(
      "npm",
      ["run", "--silent", "register-cluster", "--", ...args, "--url", url],
      {
        cwd: clone,
        env,
      },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
    });
    child.stderr.on("data", (d) => {
      out += String(d);
    });
    const [status] = (await once(child, "close")) as [number | null];
    return { status, out };
  }

  const api = (method: string, path: string, token: string, json?: unknown) =>
    jsonRequest(url, method, path, { token, json });

  beforeAll(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await stopDev();
    rmSync(dir, { recursive: true, force: true });
  });

  it("npm install && npm run dev on a fresh clone creates .dev.vars and says what to do next", async () => {
    execFileSync("git", ["clone", "--quiet", ROOT, clone]);
    expect(existsSync(join(clone, ".dev.vars"))).toBe(false);
    const installStarted = Date.now();
    const install = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: clone,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (install.status !== 0) {
      throw new Error(
        `npm install in the fresh clone failed (${install.status ?? install.signal}):\n${install.stderr.slice(-3000)}`,
      );
    }
    console.log(`npm install in the fresh clone: ${Date.now() - installStarted} ms`);
    const readyMs = await startDev();
    console.log(`npm run dev on a fresh clone: ready in ${readyMs} ms`);
    expect(devLogs()).toContain("Created .dev.vars");
    expect(devLogs()).toContain("npm run register-cluster -- <name>");
    const vars = readFileSync(join(clone, ".dev.vars"), "utf8");
    expect(vars).toMatch(/^ADMIN_TOKEN=adm_/m);
    expect(vars).toMatch(/^KEK=[A-Za-z0-9+/]{43}=$/m);
    adminToken = /^ADMIN_TOKEN=(.*)$/m.exec(vars)?.[1] ?? "";
    // the admin token stays in .dev.vars: never printed
    expect(devLogs()).toContain("The admin token is not printed");
    expect(devLogs()).not.toContain(adminToken);
    // .dev.vars and node_modules are git-ignored: the clone is still clean
    const status = execFileSync("git", ["status", "--porcelain"], { cwd: clone }).toString();
    expect(status).toBe("");
  });

  it("register-cluster adds the private CA and exits 1 naming the TLS cause; after restarting npm run dev (NODE_EXTRA_CA_CERTS set too) the cluster is reachable", async () => {
    const first = await registerCluster(["local"], kubeconfigFor(alpha, "secrets-editor"));
    // workerd does not trust the cluster's CA yet: not usable, said with its cause
    expect(first.status).toBe(1);
    expect(first.out).toContain(
      `registered cluster "local" (context alpha-secrets-editor (the kubeconfig's current-context)): ${alpha.server}, namespace ${TEST_NAMESPACE}`,
    );
    expect(first.out).toContain("added the cluster's CA to");
    expect(first.out).toMatch(
      /register-cluster: health: NOT reachable: cannot reach cluster "local" at https:\/\/127\.0\.0\.1:\d+ \(network error\)/,
    );
    expect(first.out).toMatch(
      /Cause: the TLS handshake with 127\.0\.0\.1:\d+ fails without the cluster's CA \([A-Z_]+\)\. The cluster's CA is in .*dev-extra-ca\.pem \(added now\): restart `npm run dev`/,
    );
    expect(readFileSync(join(clone, ".wrangler", "dev-extra-ca.pem"), "utf8")).toContain(
      alpha.caPem.trim(),
    );

    // a developer whose environment already sets NODE_EXTRA_CA_CERTS (another cluster's CA):
    // npm run dev combines both files instead of ignoring the dev CA file
    const ownCa = join(dir, "own-ca.pem");
    writeFileSync(ownCa, clusters[1]!.caPem);
    await stopDev();
    await startDev(ownCa);
    expect(devLogs()).toContain(`Trusting the CAs of NODE_EXTRA_CA_CERTS (${ownCa}) and of`);
    const health = await api("GET", "/v1/clusters/local/health", adminToken);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      cluster: "local",
      reachable: true,
      version: "v1.36.3",
      namespace: TEST_NAMESPACE,
      missing: [],
      ok: true,
    });
  });

  it("an exec-plugin context is refused with a tip; --service-account registers a token made with it", async () => {
    // like EKS/GKE: the credential comes from a command (here: one that prints the admin token)
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: alpha.tokens.admin },
    });
    const execKubeconfig = kubeconfigYaml(
      alpha,
      "alpha-exec",
      {
        exec: {
          apiVersion: "client.authentication.k8s.io/v1",
          command: process.execPath,
          args: ["-e", `process.stdout.write(${JSON.stringify(credential)})`],
          interactiveMode: "Never",
        },
      },
      // another namespace than "local" uses, so the two registrations are two targets
      "default",
    );
    const refused = await registerCluster(["exec-cluster"], execKubeconfig);
    expect(refused.status).toBe(1);
    expect(refused.out).toContain("HTTP 400");
    expect(refused.out).toMatch(/exec/);
    expect(refused.out).toContain("Tip: add --service-account");
    expect(refused.out).not.toContain(alpha.tokens.admin);

    const viaSa = await registerCluster(
      ["exec-cluster", "--service-account", "--sa-name", "broker-e2e"],
      execKubeconfig,
    );
    expect(viaSa.status).toBe(0);
    expect(viaSa.out).toContain(
      "created ServiceAccount default/broker-e2e (Secrets in default only)",
    );
    expect(viaSa.out).toContain('registered cluster "exec-cluster"');
    expect(viaSa.out).toContain(
      "health: reachable, v1.36.3, may get/list/create/update/patch/delete Secrets in default",
    );
    expect(viaSa.out).not.toContain(alpha.tokens.admin);
    const clustersList = await api("GET", "/v1/clusters", adminToken);
    expect(clustersList.body.clusters.map((c: Json) => c.name).sort()).toEqual([
      "exec-cluster",
      "local",
    ]);
  });

  it("the README's ksb session: login, a token as a profile, one create to every cluster, list, describe, delete", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, "config"),
      WANDB_API_KEY: "quick-start-value",
    };
    for (const k of ["KSB_URL", "KSB_TOKEN", "KSB_PROFILE"]) delete env[k];
    const ksb = (args: string[], input?: string) => {
      const r = spawnSync("npx", ["ksb", ...args], { cwd: clone, env, input, encoding: "utf8" });
      return { status: r.status, out: r.stdout.trimEnd(), err: r.stderr.trimEnd() };
    };
    const login = ksb(["login", "--url", url, "--profile", "admin"], `${adminToken}\n`);
    expect(login.status, login.err).toBe(0);
    expect(login.err).toContain(`✔ Logged in to ${url} with an admin token as profile "admin"`);
    const health = ksb(["--profile", "admin", "cluster", "health", "local"]);
    expect(health.status, health.err).toBe(0);
    expect(health.out).toBe(
      `✔ local: reachable, v1.36.3, namespace ${TEST_NAMESPACE}, may get/list/create/update/patch/delete Secrets`,
    );
    const token = ksb([
      "--profile",
      "admin",
      "token",
      "create",
      "--owner",
      "0a1b2c3d",
      "--label",
      "alice",
      "--save-profile",
      "alice",
    ]);
    expect(token.status, token.err).toBe(0);
    expect(token.err).toContain('saved as profile "alice" (not printed)');
    expect(ksb(["profile", "use", "alice"]).status).toBe(0);
    const created = ksb([
      "secret",
      "create",
      "--kind",
      "env",
      "--inline",
      "WANDB_API_KEY",
      "wandb",
    ]);
    expect(created.status, created.err).toBe(0);
    const lines = created.out.split("\n");
    expect(lines.slice(0, 2).sort()).toEqual([
      "✔ exec-cluster  created: added WANDB_API_KEY",
      "✔ local  created: added WANDB_API_KEY",
    ]);
    expect(lines[2]).toBe("✔ Synced to 2 of 2 clusters");
    const list = ksb(["secret", "list"]);
    expect(list.status, list.err).toBe(0);
    expect(list.out.split("\n").map((l) => l.split(/\s{2,}/).slice(0, 4))).toEqual([
      ["NAME", "KIND", "OWNER", "KEYS"],
      ["wandb", "env", "0a1b2c3d", "WANDB_API_KEY"],
    ]);
    const describe = ksb(["secret", "describe", "wandb"]);
    expect(describe.status, describe.err).toBe(0);
    expect(describe.out.split("\n")[0]).toMatch(
      /^secret wandb \(owner 0a1b2c3d\): the clusters agree/,
    );
    const removed = ksb(["secret", "delete", "wandb", "--clusters", "local"]);
    expect([removed.status, removed.out]).toEqual([
      0,
      `✔ local  deleted ${TEST_NAMESPACE}/wandb-0a1b2c3d\n✔ Deleted from 1 of 1 cluster`,
    ]);
    for (const r of [login, health, token, created, list, describe, removed]) {
      expect(r.out + r.err).not.toContain("quick-start-value");
      expect(r.out + r.err).not.toContain(adminToken);
    }
  });

  it("without --context, register-cluster follows Konduktor: kubernetes.allowed_contexts[0] before current-context, and says so", async () => {
    const home = join(dir, "home");
    execFileSync("mkdir", ["-p", join(home, ".konduktor")]);
    writeFileSync(
      join(home, ".konduktor", "config.yaml"),
      "kubernetes:\n  allowed_contexts:\n    - konduktor-ctx\n",
    );
    // two contexts: current-context is "default-ctx" (namespace default), Konduktor's is
    // "konduktor-ctx" (the test namespace)
    const base = kubeconfigFor(alpha, "secrets-editor");
    const two = base
      .replace("current-context: alpha-secrets-editor", "current-context: default-ctx")
      .replace(
        "contexts:\n",
        `contexts:\n  - name: default-ctx\n    context:\n      cluster: alpha\n      user: alpha-secrets-editor\n      namespace: default\n  - name: konduktor-ctx\n    context:\n      cluster: alpha\n      user: alpha-secrets-editor\n      namespace: ${TEST_NAMESPACE}\n`,
      );
    const picked = await registerCluster(["picked"], two, { HOME: home });
    expect(picked.out).toContain(
      `registered cluster "picked" (context konduktor-ctx (the first of kubernetes.allowed_contexts in Konduktor's config)): ${alpha.server}, namespace ${TEST_NAMESPACE}`,
    );
    expect(picked.status).toBe(0);
    const shown = await api("GET", "/v1/clusters/picked", adminToken);
    expect([shown.body.context, shown.body.namespace]).toEqual(["konduktor-ctx", TEST_NAMESPACE]);
    // a Konduktor config naming a context the kubeconfig lacks: refused, nothing registered
    writeFileSync(
      join(home, ".konduktor", "config.yaml"),
      "kubernetes:\n  allowed_contexts: [gone-ctx]\n",
    );
    const missing = await registerCluster(["missing"], two, { HOME: home });
    expect(missing.status).toBe(1);
    expect(missing.out).toContain(
      `register-cluster: Konduktor's config names "gone-ctx" first in kubernetes.allowed_contexts, which is not a context of the kubeconfig (available: default-ctx, konduktor-ctx, alpha-secrets-editor): fix the config or name a context`,
    );
    expect((await api("GET", "/v1/clusters/missing", adminToken)).status).toBe(404);
    await api("DELETE", "/v1/clusters/picked", adminToken);
  });
});
