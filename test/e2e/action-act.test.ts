// The Action from a workflow file under a real runner implementation: nektos/act (built from its
// Go module by `npm run tools:build`; missing, this test fails saying so — it never skips), in host
// mode (`-P ubuntu-latest=-self-hosted`) with `--no-cache-server` (nothing listens beyond
// loopback), against a real kube-apiserver. act loads action.yml with GitHub's own action schema,
// which a hand-made runner environment never checks (an expression in a description fails there).
// The workflow uses only run steps and `uses: ./`; the kubeconfig comes from $KUBECONFIG.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { requireTool } from "../../scripts/ci-tools.ts";
import { kubeconfigFor, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { REPO_ROOT } from "../support/action-runner.ts";
import { newOwner, readSecret } from "./support.ts";

const [alpha] = inject("clusters") as [ReturnType<typeof inject<"clusters">>[0]];
/** A workflow expression, `${{ … }}`. */
const expr = (e: string) => `\${{ ${e} }}`;
const CANARY = `canary-act-${randomBytes(8).toString("hex")}`;
const dir = mkdtempSync(join(tmpdir(), "act-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A repository holding this project's action.yml and bundle, and one workflow. */
function repository(workflow: unknown): string {
  const repo = join(dir, "repo");
  mkdirSync(join(repo, ".github/workflows"), { recursive: true });
  cpSync(join(REPO_ROOT, "action.yml"), join(repo, "action.yml"));
  cpSync(join(REPO_ROOT, "action/dist"), join(repo, "action/dist"), { recursive: true });
  writeFileSync(join(repo, ".github/workflows/konduktor.yml"), stringify(workflow));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd: repo,
      stdio: "ignore",
    });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "workflow");
  return repo;
}

function act(repo: string, env: Record<string, string>) {
  const home = join(dir, "home");
  mkdirSync(home, { recursive: true });
  const args = [
    "push",
    "-W",
    ".github/workflows/konduktor.yml",
    "-P",
    "ubuntu-latest=-self-hosted",
    "--no-cache-server",
    ...Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
  ];
  const started = Date.now();
  return new Promise<{ code: number; log: string; ms: number }>((resolve, reject) => {
    const child = spawn(requireTool("act"), args, {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        // node for `using: node24` is the one running the tests
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        HOME: home,
        XDG_CACHE_HOME: join(home, ".cache"),
        XDG_CONFIG_HOME: join(home, ".config"),
      },
    });
    let log = "";
    child.stdout.on("data", (d: Buffer) => {
      log += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      log += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 100_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, log, ms: Date.now() - started });
    });
  });
}

describe("the Action under nektos/act (a real runner implementation)", () => {
  it("loads action.yml, writes the secret, sets the outputs; a second run writes nothing", async () => {
    const owner = newOwner();
    const name = `act-${randomBytes(3).toString("hex")}`;
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, kubeconfigFor(alpha, "secrets-editor"), { mode: 0o600 });
    // B: a value of its own (the Action masks every value, even a one-character one like "2")
    const put = { name, owner, values: `A=${expr("env.PLAIN")}\nB=b-value-in-no-name` };
    const repo = repository({
      name: "konduktor",
      on: "push",
      jobs: {
        put: {
          "runs-on": "ubuntu-latest",
          steps: [
            {
              name: "the repository in the workspace (what actions/checkout does)",
              run: 'cp -R "$ACTION_SOURCE"/. "$GITHUB_WORKSPACE"',
            },
            { id: "put", uses: "./", with: put },
            { id: "again", uses: "./", with: put },
            {
              name: "outputs",
              env: {
                FIRST: expr("steps.put.outputs.results"),
                CHANGED: expr("steps.put.outputs.changed"),
                CLUSTERS: expr("steps.put.outputs.clusters"),
                FAILED: expr("steps.put.outputs.failed"),
                SECOND: expr("steps.again.outputs.results"),
              },
              run: `node -e 'const e = process.env; require("node:fs").writeFileSync(e.OUT, JSON.stringify({ first: JSON.parse(e.FIRST), changed: e.CHANGED, clusters: e.CLUSTERS, failed: e.FAILED, second: JSON.parse(e.SECOND) }))'`,
            },
          ],
        },
      },
    });
    // the workflow itself is valid for GitHub (actionlint also reads ./action.yml for `with:`)
    execFileSync(requireTool("actionlint"), ["-no-color", ".github/workflows/konduktor.yml"], {
      cwd: repo,
    });
    const out = join(dir, "outputs.json");
    const run = await act(repo, {
      ACTION_SOURCE: repo,
      KUBECONFIG: kubeconfig,
      // a plain env value, not an act secret: only the Action's own ::add-mask:: hides it
      PLAIN: CANARY,
      OUT: out,
    });
    console.log(`act: the workflow ran in ${run.ms} ms`);
    expect(run.code, run.log).toBe(0);
    expect(run.log).toContain("🏁  Job succeeded");
    expect(run.log).not.toContain(CANARY);
    expect(run.log).toContain(`| Konduktor secret ${name}: created on alpha-secrets-editor`);
    const context = "alpha-secrets-editor";
    const outputs = JSON.parse(readFileSync(out, "utf8"));
    expect(outputs).toEqual({
      first: [
        {
          cluster: context,
          outcome: "created",
          secret: `${name}-${owner}`,
          namespace: TEST_NAMESPACE,
          added: ["A", "B"],
          changed: [],
          removed: [],
          writes: 1,
          dryRun: false,
          durationMs: expect.any(Number),
        },
      ],
      changed: "true",
      clusters: context,
      failed: "",
      second: [expect.objectContaining({ cluster: context, outcome: "unchanged", writes: 0 })],
    });
    const secret = await readSecret(alpha, `${name}-${owner}`);
    expect(Buffer.from(secret?.data?.A ?? "", "base64").toString()).toBe(CANARY);
  });
});
