// The bundled Action in kubeconfig mode (no broker): @kubernetes/client-node and the konduktor/
// operations against real kube-apiservers, with a bearer-token kubeconfig and a client-certificate
// kubeconfig, several contexts, every kind, merge / replace / prune / dry run, partial failure.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import { kubeconfigFor, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { maskLinesFirst, runAction, visibleOutput } from "../support/action-runner.ts";
import { watchWrites } from "../support/secret-watch.ts";
import { newOwner, readSecret } from "./support.ts";

const clusters = inject("clusters");
const [alpha, beta] = clusters as [(typeof clusters)[0], (typeof clusters)[0]];
const CANARY = `canary-${randomBytes(12).toString("hex")}`;

/** One kubeconfig with several contexts (like `kubectl config view --flatten` of many). */
function merged(...configs: string[]): string {
  const docs = configs.map((c) => parse(c) as Record<string, unknown[]>);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: docs.flatMap((d) => d.clusters),
    users: docs.flatMap((d) => d.users),
    contexts: docs.flatMap((d) => d.contexts),
    "current-context": (parse(configs[0] ?? "") as Record<string, string>)["current-context"],
  });
}

describe("the Action in kubeconfig mode (no broker)", () => {
  const owner = newOwner();

  it("writes an env secret with a client-certificate kubeconfig, one write; then merges, prunes, replaces", async () => {
    const basename = `kc-env-${randomBytes(3).toString("hex")}`;
    const name = `${basename}-${owner}`;
    const kubeconfig = kubeconfigFor(alpha, "cert-user");
    const counter = await watchWrites(alpha, name);
    const run = await runAction({ name: basename, values: `A=${CANARY}\nB=2`, kubeconfig, owner });
    expect(await counter.stop()).toBe(1);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const { lastMaskLine, firstOtherLine, masks } = maskLinesFirst(run.stdout);
    expect(lastMaskLine).toBeLessThan(firstOtherLine);
    expect(masks).toContain(CANARY);
    expect(masks).toContain(Buffer.from(alpha.clientCert.keyPem).toString("base64"));
    expect(visibleOutput(run)).not.toContain(CANARY);
    const s = await readSecret(alpha, name);
    expect(s?.metadata.labels).toMatchObject({
      parent: "konduktor",
      "trainy.ai/secret-owner": owner,
      "trainy.ai/secret-basename": basename,
      "trainy.ai/secret-kind": "env",
    });
    expect(s?.type).toBe("Opaque");
    expect(Buffer.from(s?.data?.A ?? "", "base64").toString()).toBe(CANARY);
    const context = `${alpha.name}-cert-user`;
    expect(JSON.parse(run.outputs.results ?? "[]")).toEqual([
      expect.objectContaining({
        cluster: context,
        outcome: "created",
        secret: name,
        namespace: TEST_NAMESPACE,
        added: ["A", "B"],
        writes: 1,
      }),
    ]);
    expect(run.outputs).toMatchObject({ changed: "true", clusters: context });
    expect(run.stdout).toContain(`::group::cluster ${context}`);

    const merge = await runAction({
      name: basename,
      values: "B=3\nC=4",
      kubeconfig,
      owner,
      prune: "true",
    });
    expect(merge.code, merge.stdout).toBe(0);
    expect(JSON.parse(merge.outputs.results ?? "[]")[0]).toMatchObject({
      outcome: "updated",
      added: ["C"],
      changed: ["B"],
      removed: ["A"],
    });
    const replace = await runAction({
      name: basename,
      values: "Z=9",
      kubeconfig,
      owner,
      mode: "replace",
    });
    expect(replace.code, replace.stdout).toBe(0);
    expect(Object.keys((await readSecret(alpha, name))?.data ?? {})).toEqual(["Z"]);
    const dry = await runAction({
      name: basename,
      values: "Y=1",
      kubeconfig,
      owner,
      "dry-run": "true",
    });
    expect(dry.code).toBe(0);
    // nothing was written: no cluster "holds the secret after the step" because of this run
    expect(dry.outputs).toMatchObject({ changed: "true", clusters: "", failed: "" });
    expect(JSON.parse(dry.outputs.results ?? "[]")[0]).toMatchObject({
      dryRun: true,
      added: ["Y"],
      writes: 0,
    });
    expect(Object.keys((await readSecret(alpha, name))?.data ?? {})).toEqual(["Z"]);
  });

  it("writes to several contexts of one kubeconfig (token users), files and a directory for kind default", async () => {
    const kubeconfig = merged(
      kubeconfigFor(alpha, "secrets-editor"),
      kubeconfigFor(beta, "secrets-editor"),
    );
    const contexts = `${alpha.name}-secrets-editor,${beta.name}-secrets-editor`;
    const workspace = join(process.env.TMPDIR ?? "/tmp", `ws-${randomBytes(4).toString("hex")}`);
    mkdirSync(join(workspace, "conf/sub"), { recursive: true });
    writeFileSync(join(workspace, "conf/a.json"), '{"k": 1}\n');
    writeFileSync(join(workspace, "conf/sub/b.txt"), "bee\n");
    const files = `files-${randomBytes(3).toString("hex")}`;
    const fromFiles = await runAction(
      {
        name: files,
        kind: "default",
        files: "conf/a.json\nconf/sub/b.txt",
        kubeconfig,
        owner,
        context: contexts,
      },
      { env: { GITHUB_WORKSPACE: workspace } },
    );
    expect(fromFiles.code, fromFiles.stdout).toBe(0);
    expect(fromFiles.outputs.clusters).toBe(contexts);
    for (const c of [alpha, beta]) {
      const s = await readSecret(c, `${files}-${owner}`);
      expect(s?.metadata.labels?.["trainy.ai/secret-kind"]).toBe("default");
      expect(Object.keys(s?.data ?? {}).sort()).toEqual(["a.json", "b.txt"]);
    }
    const dir = `dir-${randomBytes(3).toString("hex")}`;
    const fromDir = await runAction(
      { name: dir, kind: "default", directory: "conf", kubeconfig, owner, context: contexts },
      { env: { GITHUB_WORKSPACE: workspace } },
    );
    expect(fromDir.code, fromDir.stdout).toBe(0);
    const s = await readSecret(beta, `${dir}-${owner}`);
    const zip = unzipSync(new Uint8Array(Buffer.from(s?.data?.["payload.zip"] ?? "", "base64")));
    expect(
      Object.keys(zip)
        .filter((p) => !p.endsWith("/"))
        .sort(),
    ).toEqual(["conf/a.json", "conf/sub/b.txt"]);
    expect(strFromU8(zip["conf/sub/b.txt"] as Uint8Array)).toBe("bee\n");
  });

  it("partial failure: a context without rights fails with the cluster, cause and fix; fail-on-partial decides", async () => {
    const kubeconfig = merged(
      kubeconfigFor(alpha, "secrets-editor"),
      kubeconfigFor(beta, "secrets-reader"),
    );
    const contexts = `${alpha.name}-secrets-editor,${beta.name}-secrets-reader`;
    const basename = `partial-${randomBytes(3).toString("hex")}`;
    const strict = await runAction({
      name: basename,
      values: `A=${CANARY}`,
      kubeconfig,
      owner,
      context: contexts,
    });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(
      /::error title=Konduktor secret on beta-secrets-reader::cluster beta-secrets-reader: not allowed to create secrets .*grant the kubeconfig's user/,
    );
    expect(strict.stdout).toMatch(/::error::1 of 2 clusters failed \(beta-secrets-reader\)/);
    expect(strict.outputs).toMatchObject({
      clusters: "alpha-secrets-editor",
      failed: "beta-secrets-reader",
    });
    expect(strict.summary).toMatch(
      /\| beta-secrets-reader \| ❌ failed: not allowed to create secrets/,
    );
    expect(visibleOutput(strict)).not.toContain(CANARY);
    const lenient = await runAction({
      name: basename,
      values: `A=${CANARY}`,
      kubeconfig,
      owner,
      context: contexts,
      "fail-on-partial": "false",
    });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/::warning::clusters failed: beta-secrets-reader/);
  });
});
