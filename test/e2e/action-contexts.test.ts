// The bundled Action (run as the runner runs it) in kubeconfig mode against real kube-apiservers:
// $KUBECONFIG with two files and no input, the namespace input, an http:// broker refused before
// any request, a hanging context that fails alone at its deadline while the healthy one is
// written, the deleted git-ssh secret named, and the run's URL in the provenance annotations.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import { kubeconfigFor, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { maskLinesFirst, runAction, visibleOutput } from "../support/action-runner.ts";
import { newOwner, readSecret } from "./support.ts";

const clusters = inject("clusters");
const [alpha, beta] = clusters as [(typeof clusters)[0], (typeof clusters)[0]];
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const dir = mkdtempSync(join(tmpdir(), "action-contexts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const errors = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("::error"));

/** A server that accepts connections and never answers; calls `onClose` as each one closes. */
async function hangingServer(onClose: () => void) {
  const sockets: Socket[] = [];
  const closed: Promise<void>[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.resume(); // read (and drop) what comes, so the peer's close is seen
    socket.on("error", () => undefined);
    closed.push(
      new Promise((resolve) =>
        socket.on("close", () => {
          onClose();
          resolve();
        }),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    port,
    connections: () => sockets.length,
    /** resolves when every connection so far has closed */
    allClosed: async () => {
      await Promise.all(closed);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A one-context kubeconfig named `name` pointing at a server that never answers. */
function hangingKubeconfig(name: string, port: number): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: `https://127.0.0.1:${port}` } }],
    users: [{ name, user: { token: `${CANARY}-hang-token` } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: TEST_NAMESPACE } }],
    "current-context": name,
  });
}

function merge(...configs: string[]): string {
  const docs = configs.map((c) => parse(c) as Record<string, unknown[]>);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: docs.flatMap((d) => d.clusters),
    users: docs.flatMap((d) => d.users),
    contexts: docs.flatMap((d) => d.contexts),
  });
}

describe("the Action in kubeconfig mode, issue 9", () => {
  const owner = newOwner();

  it("$KUBECONFIG with two files and no kubeconfig input: both contexts, paths relative to their file", async () => {
    const one = join(dir, "one.yaml");
    writeFileSync(one, kubeconfigFor(alpha, "secrets-editor"));
    // the second file names its CA by a path relative to itself, as kubectl allows
    const other = mkdtempSync(join(dir, "other-"));
    writeFileSync(join(other, "ca.crt"), beta.caPem);
    const two = parse(kubeconfigFor(beta, "secrets-editor")) as {
      clusters: { cluster: Record<string, string> }[];
    };
    const cluster = two.clusters[0]?.cluster ?? {};
    delete cluster["certificate-authority-data"];
    cluster["certificate-authority"] = "ca.crt";
    writeFileSync(join(other, "config"), stringify(two));
    const basename = `kcenv-${randomBytes(3).toString("hex")}`;
    const run = await runAction(
      {
        name: basename,
        values: `A=${CANARY}`,
        owner,
        context: "alpha-secrets-editor, beta-secrets-editor",
      },
      { env: { KUBECONFIG: `${one}:${join(other, "config")}` } },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain("kubeconfig: $KUBECONFIG (2 files)");
    expect(run.outputs.clusters).toBe("alpha-secrets-editor,beta-secrets-editor");
    for (const c of [alpha, beta]) {
      const s = await readSecret(c, `${basename}-${owner}`);
      expect(Buffer.from(s?.data?.A ?? "", "base64").toString()).toBe(CANARY);
    }
    const { masks, lastMaskLine, firstOtherLine } = maskLinesFirst(run.stdout);
    expect(masks).toEqual(expect.arrayContaining([alpha.tokens["secrets-editor"], CANARY]));
    expect(lastMaskLine).toBeLessThan(firstOtherLine);
    expect(visibleOutput(run)).not.toContain(CANARY);
  });

  it("namespace: overrides the context's (here none, so `default`, where the user may not write)", async () => {
    const basename = `ns-${randomBytes(3).toString("hex")}`;
    const kubeconfig = kubeconfigFor(alpha, "secrets-editor", null);
    const without = await runAction({ name: basename, values: "A=1", owner, kubeconfig });
    expect(without.code).toBe(1);
    expect(without.stdout).toMatch(/cluster alpha-secrets-editor: not allowed to get secrets/);
    const run = await runAction({
      name: basename,
      values: "A=1",
      owner,
      kubeconfig,
      namespace: TEST_NAMESPACE,
    });
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.results ?? "")[0]).toMatchObject({
      outcome: "created",
      namespace: TEST_NAMESPACE,
    });
    expect((await readSecret(alpha, `${basename}-${owner}`))?.metadata.namespace).toBe(
      TEST_NAMESPACE,
    );
  });

  it("an http:// broker-url to another machine is refused before any request (no OIDC token either)", async () => {
    const requests: string[] = [];
    const tokenServer = createHttpServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => tokenServer.listen(0, "127.0.0.1", r));
    const { port } = tokenServer.address() as { port: number };
    try {
      const run = await runAction(
        { name: "train", values: `A=${CANARY}`, "broker-url": "http://broker.example.com:8787" },
        {
          env: {
            ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token`,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token",
          },
        },
      );
      expect(run.code).toBe(1);
      expect(errors(run.stdout)).toEqual([
        "::error::invalid input: broker-url: http://broker.example.com:8787 is plain http to another machine, which would send the token unencrypted: use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and ::1); nothing was sent",
      ]);
      expect(requests).toEqual([]);
    } finally {
      await new Promise<void>((r) => tokenServer.close(() => r()));
    }
  });

  it("timeout-seconds 5, two contexts, one hanging: it fails alone at its deadline; the healthy one is written before that", async () => {
    const basename = `hang-${randomBytes(3).toString("hex")}`;
    const name = `${basename}-${owner}`;
    // when the hanging connection is closed (its deadline), is the healthy copy already there?
    const atClose: Promise<boolean>[] = [];
    const hang = await hangingServer(() => {
      atClose.push(readSecret(alpha, name).then((s) => s !== null));
    });
    try {
      const kubeconfig = merge(
        hangingKubeconfig("hanging", hang.port),
        kubeconfigFor(alpha, "secrets-editor"),
      );
      const run = await runAction({
        name: basename,
        values: "A=1",
        owner,
        kubeconfig,
        context: "hanging,alpha-secrets-editor",
        "timeout-seconds": "5",
        "fail-on-partial": "false",
      });
      console.log(
        `two contexts, one hanging, timeout-seconds 5: the step took ${run.durationMs} ms`,
      );
      expect(run.code, run.stdout).toBe(0);
      const results = JSON.parse(run.outputs.results ?? "");
      expect(
        results.map((r: { cluster: string; outcome: string }) => [r.cluster, r.outcome]),
      ).toEqual([
        ["hanging", "failed"],
        ["alpha-secrets-editor", "created"],
      ]);
      expect(results[0].error).toEqual({
        code: "timeout",
        message: expect.stringMatching(
          /^no answer within 5 s \(timeout-seconds; 1 attempt\): check that the API server is reachable from the runner, or raise timeout-seconds$/,
        ),
      });
      expect(hang.connections()).toBe(1);
      await hang.allClosed();
      expect(await Promise.all(atClose)).toEqual([true]);
      expect(run.stdout).toMatch(
        /::warning::clusters failed: hanging \(fail-on-partial is false, so the step passes\); the others: created on alpha-secrets-editor/,
      );
    } finally {
      await hang.close();
    }
  });

  it("timeout-seconds 5 and a server that never answers: one deadline, not two", async () => {
    let closed = 0;
    const hang = await hangingServer(() => {
      closed++;
    });
    try {
      const run = await runAction({
        name: "train",
        values: "A=1",
        owner,
        kubeconfig: hangingKubeconfig("hanging", hang.port),
        "timeout-seconds": "5",
      });
      console.log(`one hanging context, timeout-seconds 5: the step took ${run.durationMs} ms`);
      expect(run.code).toBe(1);
      expect(errors(run.stdout)).toEqual([
        "::error title=Konduktor secret on hanging::cluster hanging: no answer within 5 s (timeout-seconds; 1 attempt): check that the API server is reachable from the runner, or raise timeout-seconds",
        "::error::every cluster failed (hanging); see the message per cluster above",
      ]);
      // one connection, closed at the deadline: no second attempt started after it
      await hang.allClosed();
      expect([hang.connections(), closed]).toEqual([1, 1]);
    } finally {
      await hang.close();
    }
  });

  it("git-ssh: the owner's previous git-ssh secret it deletes is named; the run's URL is in the annotations", async () => {
    const kubeconfig = kubeconfigFor(alpha, "secrets-editor");
    const oldName = `old-${randomBytes(3).toString("hex")}`;
    const newName = `new-${randomBytes(3).toString("hex")}`;
    const key = (n: string) =>
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${n}-${CANARY}\n-----END OPENSSH PRIVATE KEY-----`;
    const first = await runAction({
      name: oldName,
      kind: "git-ssh",
      "git-ssh-key": key("a"),
      owner,
      kubeconfig,
    });
    expect(first.code, first.stdout).toBe(0);
    const run = await runAction({
      name: newName,
      kind: "git-ssh",
      "git-ssh-key": key("b"),
      owner,
      kubeconfig,
    });
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.results ?? "")[0]).toMatchObject({
      outcome: "created",
      writes: 2,
      replacedGitSsh: [`${oldName}-${owner}`],
    });
    expect(run.stdout).toContain(
      `  deleted the owner's other git-ssh secret ${oldName}-${owner} (Konduktor keeps one git-ssh secret per owner)\n`,
    );
    expect(run.stdout).toContain(
      `  writes: 2 (1 to ${newName}-${owner}, 1 delete of replaced git-ssh secrets)\n`,
    );
    expect(run.summary).toContain(
      `deleted the owner's other git-ssh secret \`${oldName}-${owner}\``,
    );
    expect(await readSecret(alpha, `${oldName}-${owner}`)).toBeNull();
    const written = await readSecret(alpha, `${newName}-${owner}`);
    expect(written?.metadata.annotations).toMatchObject({
      "konduktor-broker/updated-by":
        'github:acme/train@refs/heads/main (workflow "Deploy", sha 0123456789ab)',
      "konduktor-broker/updated-via":
        "github-action:kubeconfig https://github.com/acme/train/actions/runs/4242/attempts/1",
    });
    expect(visibleOutput(run)).not.toContain(CANARY);
  });
});
