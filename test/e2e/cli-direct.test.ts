// ksb in direct mode, no broker: one kubeconfig with three contexts (three real kube-apiservers),
// written in parallel with the konduktor/ operations through the client-node adapter. The owner
// comes from KONDUKTOR_USER_ID, else ~/.konduktor/user_hash (a temporary HOME), as Konduktor
// takes it. Not on a terminal, the lines are plain; `-o json` parses with the wire schemas.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import { DescribeAnswer, ListAnswer, PutAnswer } from "../../konduktor/wire/secrets.ts";
import { SyncAnswer } from "../../konduktor/wire/sync.ts";
import { kubeconfigFor } from "../cluster/cluster.ts";
import { b64, newOwner, readSecret } from "./support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const clusters = inject("clusters");
const CANARY = `canary-direct-${randomBytes(8).toString("hex")}`;

/** One kubeconfig whose contexts are the clusters' names. */
function threeContexts(): string {
  const docs = clusters.map((c) => parse(kubeconfigFor(c, "secrets-editor")));
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: docs.flatMap((d) => d.clusters),
    users: docs.flatMap((d) => d.users),
    contexts: docs.map((d, i) => ({ ...d.contexts[0], name: clusters[i]!.name })),
    "current-context": clusters[0]!.name,
  });
}

function ksb(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, "cli/dist/ksb.js"), ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) =>
      done({ code: code ?? -1, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() }),
    );
  });
}

describe("ksb direct mode: three contexts of one kubeconfig, no broker", () => {
  const dir = mkdtempSync(join(tmpdir(), "ksb-direct-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, threeContexts());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sorted = (text: string) => text.split("\n").slice(0, 3).sort();

  it("writes to every context in parallel as KONDUKTOR_USER_ID", async () => {
    const owner = newOwner();
    const home = join(dir, "home-env");
    mkdirSync(home);
    const env = { HOME: home, KONDUKTOR_USER_ID: owner, API_KEY: CANARY };
    const r = await ksb(
      [
        "--kubeconfig",
        kubeconfig,
        "--contexts",
        "all",
        "secret",
        "create",
        "--kind",
        "env",
        "--inline",
        "API_KEY",
        "direct-env",
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `direct mode: owner ${owner} (from KONDUKTOR_USER_ID), contexts alpha, beta, gamma`,
    );
    // plain lines in the order the clusters finished, then the summary
    expect(sorted(r.stdout)).toEqual([
      "✔ alpha  created: added API_KEY",
      "✔ beta  created: added API_KEY",
      "✔ gamma  created: added API_KEY",
    ]);
    expect(r.stdout.split("\n")[3]).toBe("✔ Synced to 3 of 3 clusters");
    for (const c of clusters) {
      const s = await readSecret(c, `direct-env-${owner}`);
      expect(s?.metadata.labels).toEqual({
        parent: "konduktor",
        "trainy.ai/secret-owner": owner,
        "trainy.ai/secret-basename": "direct-env",
        "trainy.ai/secret-kind": "env",
      });
      expect(s?.data).toEqual({ API_KEY: b64(CANARY) });
      expect(s?.metadata.annotations?.["konduktor-broker/updated-via"]).toBe("ksb:direct");
    }
    const json = await ksb(
      [
        "-o",
        "json",
        "--kubeconfig",
        kubeconfig,
        "--contexts",
        "all",
        "secret",
        "create",
        "--kind",
        "env",
        "--inline",
        "API_KEY",
        "direct-env",
      ],
      env,
    );
    expect(json.code).toBe(0);
    const answer = PutAnswer.parse(JSON.parse(json.stdout));
    expect(answer.results.map((x) => [x.cluster, x.status])).toEqual([
      ["alpha", "unchanged"],
      ["beta", "unchanged"],
      ["gamma", "unchanged"],
    ]);
    expect(`${r.stdout}${r.stderr}${json.stdout}${json.stderr}`).not.toContain(CANARY);
  });

  it("takes the owner from ~/.konduktor/user_hash in a temporary HOME; lists, describes, syncs, deletes", async () => {
    const owner = newOwner();
    const home = join(dir, "home-file");
    mkdirSync(join(home, ".konduktor"), { recursive: true });
    writeFileSync(join(home, ".konduktor", "user_hash"), `${owner}\n`);
    const env = { HOME: home, TOKEN: CANARY };
    const base = ["--kubeconfig", kubeconfig, "--contexts", "alpha,beta,gamma"];
    const created = await ksb(
      [...base, "secret", "create", "--kind", "env", "--inline", "TOKEN", "from-file-owner"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toBe(
      `direct mode: owner ${owner} (from ~/.konduktor/user_hash), contexts alpha, beta, gamma`,
    );
    for (const c of clusters) {
      expect(
        (await readSecret(c, `from-file-owner-${owner}`))?.metadata.labels?.[
          "trainy.ai/secret-owner"
        ],
      ).toBe(owner);
    }
    const list = await ksb(["-o", "json", ...base, "secret", "list"], env);
    const listed = ListAnswer.parse(JSON.parse(list.stdout));
    expect(listed.secrets.map((s) => [s.name, s.owner, s.clusters, s.drift.inLine])).toEqual([
      ["from-file-owner", owner, ["alpha", "beta", "gamma"], true],
    ]);
    // gone from gamma alone: describe and list show it; sync --dry-run plans it; sync restores it
    const gone = await ksb(
      ["--kubeconfig", kubeconfig, "--contexts", "gamma", "secret", "delete", "from-file-owner"],
      env,
    );
    expect(gone.stdout).toBe(
      `✔ gamma  deleted konduktor/from-file-owner-${owner}\n✔ Deleted from 1 of 1 cluster`,
    );
    const described = DescribeAnswer.parse(
      JSON.parse(
        (await ksb(["-o", "json", ...base, "secret", "describe", "from-file-owner"], env)).stdout,
      ),
    );
    expect([described.agree, described.results.map((x) => x.status)]).toEqual([
      false,
      ["found", "found", "missing"],
    ]);
    const plan = SyncAnswer.parse(
      JSON.parse((await ksb(["-o", "json", ...base, "sync", "--dry-run"], env)).stdout),
    );
    expect(plan.plan.map((e) => [e.secret, e.cluster, e.action, e.status])).toEqual([
      ["from-file-owner", "gamma", "create", "planned"],
    ]);
    const synced = await ksb([...base, "sync"], env);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout.split("\n").at(-1)).toBe(
      "✔ Synced: 1 change(s) over 3 clusters, 0 of 1 secret(s) already in line",
    );
    expect((await readSecret(clusters[2]!, `from-file-owner-${owner}`))?.data).toEqual({
      TOKEN: b64(CANARY),
    });
    const deleted = await ksb([...base, "secret", "delete", "from-file-owner"], env);
    expect(deleted.code).toBe(0);
    for (const c of clusters) expect(await readSecret(c, `from-file-owner-${owner}`)).toBeNull();
  });

  it("a context that does not exist is a usage error before any cluster is touched", async () => {
    const r = await ksb(
      ["--kubeconfig", kubeconfig, "--contexts", "alpha,nope", "secret", "list"],
      { HOME: dir, KONDUKTOR_USER_ID: newOwner() },
    );
    expect([r.code, r.stderr]).toEqual([
      2,
      "✖ --contexts: nope not in the kubeconfig (it has alpha, beta, gamma)",
    ]);
  });
});
