// The Action's run() in-process, as actions/typescript-action tests it: typed input fixtures read by
// the real @actions/core, the runner's command files, and fake clusters (the KubeSecrets fake that
// passes the same contract suite as the real apiserver) behind run()'s connector.
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { EOL } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import type { ConnectOptions } from "../../action/src/kubeconfig-mode.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import { actionSandbox } from "../support/action-fixtures.ts";
import { maskLinesFirst } from "../support/action-runner.ts";
import { createFakeKube, type FakeKube } from "../support/fake-kube.ts";

const OWNER = "0a1b2c3d";
const CANARY = "canary-5e1d-main-test";

/** A kubeconfig with one token user per context (servers are never contacted: fakes answer). */
function kubeconfig(contexts: string[], token = `${CANARY}-tok`, current = contexts[0]) {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: contexts.map((c) => ({ name: c, cluster: { server: `https://${c}.invalid:6443` } })),
    users: contexts.map((c) => ({ name: c, user: { token: `${token}-${c}` } })),
    contexts: contexts.map((c) => ({ name: c, context: { cluster: c, user: c, namespace: "ns" } })),
    ...(current ? { "current-context": current } : {}),
  });
}

const { step, dir } = actionSandbox();

const fake = (cluster: string, namespace = "ns") => createFakeKube({ cluster, namespace });

describe("run(): kubeconfig mode", () => {
  it("masks first, writes every context, sets outputs, summary and the closing line", async () => {
    const a = fake("a");
    const b = fake("b");
    const s = await step(
      {
        name: "train",
        values: `A=${CANARY}\nB=2`,
        owner: OWNER,
        kubeconfig: kubeconfig(["a", "b"]),
        context: "a,b",
      },
      { kubes: { a, b } },
    );
    expect(s.exitCode).toBeUndefined();
    const { masks, lastMaskLine, firstOtherLine } = maskLinesFirst(s.stdout);
    expect(masks).toEqual(expect.arrayContaining([CANARY, `${CANARY}-tok-a`, `${CANARY}-tok-b`]));
    expect(lastMaskLine).toBeLessThan(firstOtherLine);
    expect(JSON.parse(s.outputs.results ?? "")).toEqual(
      ["a", "b"].map((cluster) => ({
        cluster,
        outcome: "created",
        secret: `train-${OWNER}`,
        namespace: "ns",
        added: ["A", "B"],
        changed: [],
        removed: [],
        writes: 1,
        dryRun: false,
        durationMs: expect.any(Number),
      })),
    );
    expect(s.outputs).toMatchObject({ changed: "true", clusters: "a,b", failed: "" });
    expect(s.stdout).toContain("kubeconfig: the kubeconfig input");
    expect(s.stdout).toContain(`Konduktor secret train: created on a, b${EOL}`);
    expect(s.summary).toContain("| a | ✅ created | 2: `A`, `B` | – | – |");
    expect(a.calls.map((c) => c.method)).toEqual(["get", "create"]);
    expect(s.stdout).not.toContain(`=${CANARY}`);
  });

  it("the namespace input goes to every context", async () => {
    const s = await step(
      {
        name: "train",
        values: "A=1",
        owner: OWNER,
        kubeconfig: kubeconfig(["a", "b"]),
        context: "a\nb",
        namespace: "team-x",
      },
      { kubes: { a: fake("a", "team-x"), b: fake("b", "team-x") } },
    );
    expect(s.exitCode).toBeUndefined();
    expect(s.connected.map((o) => [o.context, o.namespace])).toEqual([
      ["a", "team-x"],
      ["b", "team-x"],
    ]);
    expect(s.stdout).toContain("; namespace team-x for every context");
  });

  it("a bad namespace fails before any cluster is touched", async () => {
    const s = await step(
      {
        name: "train",
        values: "A=1",
        owner: OWNER,
        kubeconfig: kubeconfig(["a"]),
        namespace: "Team_X",
      },
      { kubes: { a: fake("a") } },
    );
    expect(s.exitCode).toBe(1);
    expect(s.errors).toEqual([
      expect.stringMatching(/^::error::invalid input: namespace must be a Kubernetes name/),
    ]);
    expect(s.connected).toEqual([]);
  });

  it("exact words per outcome: one failed, one unchanged — never 'the others were written'", async () => {
    const a = fake("a");
    await applySecret(
      a,
      buildSecret({
        owner: OWNER,
        basename: "train",
        kind: "env",
        source: { type: "inline", pairs: { A: "1" } },
      }),
      {
        mode: "merge",
        provenance: { actor: "t", via: "t" },
      },
    );
    const forbidden = new KubeError({
      code: "forbidden",
      cluster: "b",
      namespace: "ns",
      verb: "get",
      message: 'not allowed to get secrets in namespace "ns" on cluster "b"',
    });
    const s = await step(
      {
        name: "train",
        values: "A=1",
        owner: OWNER,
        kubeconfig: kubeconfig(["a", "b"]),
        context: "a,b",
      },
      { kubes: { a, b: async () => Promise.reject(forbidden) } },
    );
    expect(s.exitCode).toBe(1);
    expect(s.errors).toEqual([
      `::error title=Konduktor secret on b::cluster b: not allowed to get secrets in namespace "ns" on cluster "b"`,
      "::error::1 of 2 clusters failed (b); the others: unchanged on a (already up to date, nothing written). Fix the cause and re-run (the step is idempotent), or set fail-on-partial: false to accept partial results",
    ]);
    expect(s.stdout).toContain(
      `unchanged (already up to date, nothing written): ns/train-${OWNER}`,
    );
    expect(s.outputs).toMatchObject({ changed: "false", clusters: "a", failed: "b" });
  });

  it("git-ssh: the owner's other git-ssh secret it deletes is named in the log, results and summary", async () => {
    const a = fake("a");
    const old = buildSecret({
      owner: OWNER,
      basename: "old-key",
      kind: "git-ssh",
      source: {
        type: "files",
        files: [{ name: "gitkey", content: new TextEncoder().encode("old\n") }],
      },
    });
    await applySecret(a, old, { mode: "merge", provenance: { actor: "t", via: "t" } });
    const s = await step(
      {
        name: "new-key",
        kind: "git-ssh",
        "git-ssh-key": `-----BEGIN KEY-----\n${CANARY}\n-----END KEY-----`,
        owner: OWNER,
        kubeconfig: kubeconfig(["a"]),
      },
      { kubes: { a } },
    );
    expect(s.exitCode).toBeUndefined();
    expect(JSON.parse(s.outputs.results ?? "")[0]).toMatchObject({
      outcome: "created",
      writes: 2,
      replacedGitSsh: [`old-key-${OWNER}`],
    });
    expect(s.stdout).toContain(
      `  deleted the owner's other git-ssh secret old-key-${OWNER} (Konduktor keeps one git-ssh secret per owner)${EOL}`,
    );
    expect(s.stdout).toContain(
      `  writes: 2 (1 to new-key-${OWNER}, 1 delete of replaced git-ssh secrets)${EOL}`,
    );
    expect(s.summary).toContain(
      `| a | ✅ created; deleted the owner's other git-ssh secret \`old-key-${OWNER}\` |`,
    );
    expect([...a.store.keys()]).toEqual([`new-key-${OWNER}`]);
  });

  it("a hanging context fails alone at its deadline; the other is written before that", async () => {
    const events: string[] = [];
    const healthy = fake("fast");
    const hanging = (o: ConnectOptions): Promise<KubeSecrets> =>
      new Promise((_resolve, reject) => {
        o.signal.addEventListener("abort", () => {
          events.push("slow: aborted at its deadline");
          reject(o.signal.reason);
        });
      });
    const watched: FakeKube = Object.assign(healthy, {
      before: (method: string) => {
        if (method === "create") events.push("fast: written");
      },
    });
    const s = await step(
      {
        name: "train",
        values: "A=1",
        owner: OWNER,
        kubeconfig: kubeconfig(["slow", "fast"]),
        context: "slow,fast",
        "timeout-seconds": "1",
      },
      { kubes: { slow: hanging, fast: watched } },
    );
    expect(events).toEqual(["fast: written", "slow: aborted at its deadline"]);
    expect(s.exitCode).toBe(1);
    expect(JSON.parse(s.outputs.results ?? "")).toEqual([
      expect.objectContaining({
        cluster: "slow",
        outcome: "failed",
        error: {
          code: "timeout",
          message:
            "no answer within 1 s (timeout-seconds; 1 attempt): check that the API server is reachable from the runner, or raise timeout-seconds",
        },
      }),
      expect.objectContaining({ cluster: "fast", outcome: "created", writes: 1 }),
    ]);
  });

  it("$KUBECONFIG with two files and no kubeconfig input: merged as kubectl does, masked first", async () => {
    writeFileSync(join(dir(), "one"), kubeconfig(["a"], `${CANARY}-one`));
    writeFileSync(join(dir(), "two"), kubeconfig(["b"], `${CANARY}-two`, "b"));
    const s = await step(
      { name: "train", values: "A=1", owner: OWNER, context: "a,b" },
      {
        kubes: { a: fake("a"), b: fake("b") },
        env: {
          KUBECONFIG: `${join(dir(), "one")}:${join(dir(), "missing")}:${join(dir(), "two")}`,
        },
      },
    );
    expect(s.exitCode).toBeUndefined();
    const { masks, lastMaskLine, firstOtherLine } = maskLinesFirst(s.stdout);
    expect(masks).toEqual(expect.arrayContaining([`${CANARY}-one-a`, `${CANARY}-two-b`]));
    expect(lastMaskLine).toBeLessThan(firstOtherLine);
    expect(s.stdout).toContain("kubeconfig: $KUBECONFIG (3 files)");
    expect(s.outputs.clusters).toBe("a,b");
  });

  it("no broker-url, no kubeconfig input, no $KUBECONFIG, no ~/.kube/config: says what to give", async () => {
    const s = await step({ name: "train", values: "A=1", owner: OWNER });
    expect(s.errors).toEqual([
      "::error::give broker-url (broker mode) or a kubeconfig (kubeconfig mode, no broker): the kubeconfig input, or $KUBECONFIG / ~/.kube/config set up by an earlier step (e.g. azure/k8s-set-context, aws eks update-kubeconfig, google-github-actions/get-gke-credentials)",
    ]);
  });
});

describe("run(): broker mode", () => {
  it("an http:// broker URL to another machine is refused before any request or token", async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    try {
      const s = await step(
        { name: "train", values: `A=${CANARY}`, "broker-url": "http://broker.example.com" },
        {
          env: {
            ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token`,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token",
          },
        },
      );
      expect(s.errors).toEqual([
        "::error::invalid input: broker-url: http://broker.example.com is plain http to another machine, which would send the token unencrypted: use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and ::1); nothing was sent",
      ]);
      expect(s.outputs).toEqual({ results: "[]", changed: "false", clusters: "", failed: "" });
      expect(requests).toEqual([]);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
