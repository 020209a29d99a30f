// API access inside a Konduktor job, in real workerd against three real kube-apiservers: the job
// secret `konduktor-broker-<owner>` (kind env: KSB_URL, KSB_TOKEN) appears on every cluster of the
// owner, the bundled `ksb` works with it as a job's environment (no login, no config file), the
// cron's scheduled handler replaces a short-lived token once half its lifetime passed, a cluster
// that is down is named and caught up by the next run (its old token works until then), and a
// revocation removes the secret from every cluster. No answer and no log line holds a token.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApiserver, stopApiserver } from "../cluster/control.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { newOwner, readSecret, registerClusters } from "./support.ts";

const clusters = inject("clusters");
const byName = Object.fromEntries(clusters.map((c) => [c.name, c]));
const ROOT = join(import.meta.dirname, "../..");
const NAMES = ["alpha", "beta", "gamma"];

interface JobLine {
  owners: {
    owner: string;
    action: string;
    reason?: string;
    tokenId: string;
    written?: string[];
    failed?: { cluster: string; code: string }[];
    pending?: string[];
    revoked?: string[];
  }[];
}

describe("job tokens: a Konduktor env secret per owner, rotated by the cron", () => {
  let broker: RunningBroker;
  const owner = newOwner();
  const secretName = `konduktor-broker-${owner}`;
  const answers: string[] = [];
  const tokens: string[] = [];
  const home = mkdtempSync(join(tmpdir(), "ksb-job-"));

  const call = async (method: string, path: string, json?: unknown) => {
    const res = await broker.request(method, path, {
      token: broker.adminToken,
      ...(json === undefined ? {} : { json }),
    });
    answers.push(res.text);
    return res;
  };
  const status = async (token: string) =>
    (await broker.request("GET", "/v1/whoami", { token })).status;
  /** the job secret's env on each cluster (null: absent) */
  const envOn = async (name: string) => {
    const s = await readSecret(byName[name]!, secretName);
    if (!s) return null;
    const env = Object.fromEntries(
      Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
    );
    if (env.KSB_TOKEN) tokens.push(env.KSB_TOKEN);
    return env;
  };
  const jobLines = (): JobLine[] =>
    broker
      .logs()
      .split("\n")
      .filter((l) => l.includes('"type":"job-tokens"'))
      .map((l) => JSON.parse(l.slice(l.indexOf("{"))) as JobLine);
  const cron = async () => {
    const before = jobLines().length;
    const res = await broker.scheduled("*/15 * * * *");
    expect(res.status, res.text).toBe(200);
    while (jobLines().length === before) await new Promise((r) => setTimeout(r, 20));
    return (jobLines().at(-1) as JobLine).owners.find((o) => o.owner === owner);
  };
  /** ksb as a job runs it: the secret's env only, a fresh HOME, no config file */
  const ksbInJob = (env: Record<string, string>, args: string[]) =>
    new Promise<{ code: number; stdout: string }>((done) => {
      const child = spawn(process.execPath, [join(ROOT, "cli/dist/ksb.js"), ...args], {
        env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.on("close", (code) => done({ code: code ?? -1, stdout }));
    });

  beforeAll(async () => {
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { CLUSTER_TIMEOUT_MS: "4000", CLUSTER_RETRIES: "1" },
      testScheduled: true,
    });
    await registerClusters(broker, clusters);
  });

  afterAll(async () => {
    await startApiserver("gamma").catch(() => {});
    if (broker) {
      const logs = broker.logs();
      await broker.stop();
      // three tokens were written: the first, the rotated one, the one of the second PUT
      expect(new Set(tokens).size).toBe(3);
      for (const t of tokens) {
        expect(logs).not.toContain(t);
        for (const text of answers) expect(text).not.toContain(t);
      }
    }
    rmSync(home, { recursive: true, force: true });
  });

  let first: Record<string, string>;

  it("appears on every cluster of the owner, and ksb works with it inside a job", async () => {
    const put = await call("PUT", `/v1/job-tokens/${owner}`, { lifetimeSeconds: 10 });
    expect(put.status, put.text).toBe(201);
    expect(
      put.body.results.map((r: { cluster: string; status: string }) => [r.cluster, r.status]),
    ).toEqual(NAMES.map((n) => [n, "created"]));
    first = (await envOn("alpha"))!;
    expect(Object.keys(first).sort()).toEqual(["KSB_TOKEN", "KSB_URL"]);
    expect(first.KSB_URL).toBe(broker.url);
    expect(first.KSB_TOKEN).toMatch(new RegExp(`^kbt_${put.body.tokenId}_`));
    expect([await envOn("beta"), await envOn("gamma")]).toEqual([first, first]);
    const onAlpha = await readSecret(byName.alpha!, secretName);
    expect([onAlpha?.type, onAlpha?.metadata.labels]).toEqual([
      "Opaque",
      expect.objectContaining({
        parent: "konduktor",
        "trainy.ai/secret-owner": owner,
        "trainy.ai/secret-basename": "konduktor-broker",
        "trainy.ai/secret-kind": "env",
      }),
    ]);

    const me = await ksbInJob(first, ["whoami", "-o", "json"]);
    expect(me.code).toBe(0);
    expect(JSON.parse(me.stdout)).toMatchObject({
      url: broker.url,
      urlFrom: "KSB_URL",
      credentialFrom: "KSB_TOKEN",
      whoami: { kind: "token", owners: [owner], label: `jobs:${owner}` },
    });
    const list = await ksbInJob(first, ["-o", "json", "secret", "list"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).secrets.map((s: { name: string }) => s.name)).toEqual([
      "konduktor-broker",
    ]);
  });

  let second: Record<string, string>;

  it("is replaced by the scheduled handler once half its lifetime passed; the old token stops", async () => {
    const before = await cron();
    expect(before).toMatchObject({ action: "none" });
    const listed = await call("GET", "/v1/job-tokens");
    const wait = Date.parse(listed.body.jobTokens[0].rotateAt) - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, wait) + 200));
    const run = await cron();
    second = (await envOn("alpha"))!;
    expect(second.KSB_TOKEN).not.toBe(first.KSB_TOKEN);
    expect(run).toEqual({
      owner,
      action: "rotated",
      reason: "due",
      tokenId: second.KSB_TOKEN!.slice(4, 20),
      expiresAt: expect.any(String),
      written: NAMES,
      failed: [],
      pending: [],
      revoked: [first.KSB_TOKEN!.slice(4, 20)],
    });
    expect([await envOn("beta"), await envOn("gamma")]).toEqual([second, second]);
    expect([await status(first.KSB_TOKEN!), await status(second.KSB_TOKEN!)]).toEqual([401, 200]);
  });

  it("with one cluster down: the others get the new token, the answer and the log name it", async () => {
    await stopApiserver("gamma");
    const put = await call("PUT", `/v1/job-tokens/${owner}`, { lifetimeSeconds: 3600 });
    expect(put.status, put.text).toBe(207);
    expect(put.body.pending).toEqual(["gamma"]);
    expect(
      put.body.results.map((r: { cluster: string; status: string; code?: string }) => [
        r.cluster,
        r.status,
        r.code ?? null,
      ]),
    ).toEqual([
      ["alpha", "updated", null],
      ["beta", "updated", null],
      ["gamma", "error", "unreachable"],
    ]);
    const third = (await envOn("alpha"))!;
    expect(third.KSB_TOKEN).toMatch(new RegExp(`^kbt_${put.body.tokenId}_`));
    expect(await envOn("beta")).toEqual(third);
    // gamma's jobs keep a working token until gamma holds the new one
    expect(await status(second.KSB_TOKEN!)).toBe(200);
    const down = await cron();
    expect(down).toMatchObject({
      action: "written",
      reason: "pending",
      tokenId: put.body.tokenId,
      written: [],
      failed: [{ cluster: "gamma", code: "unreachable" }],
      pending: ["gamma"],
      revoked: [],
    });

    await startApiserver("gamma");
    const back = await cron();
    expect(back).toMatchObject({
      action: "written",
      tokenId: put.body.tokenId,
      written: ["gamma"],
      failed: [],
      pending: [],
      revoked: [second.KSB_TOKEN!.slice(4, 20)],
    });
    expect(await envOn("gamma")).toEqual(third);
    expect([await status(second.KSB_TOKEN!), await status(third.KSB_TOKEN!)]).toEqual([401, 200]);
  });

  it("disappears from every cluster on revoke, and its token stops at once", async () => {
    const current = (await envOn("alpha"))!;
    const del = await call("DELETE", `/v1/job-tokens/${owner}`);
    expect(del.status, del.text).toBe(200);
    expect(
      del.body.results.map((r: { cluster: string; status: string }) => [r.cluster, r.status]),
    ).toEqual(NAMES.map((n) => [n, "deleted"]));
    expect(await Promise.all(NAMES.map(envOn))).toEqual([null, null, null]);
    expect(await status(current.KSB_TOKEN!)).toBe(401);
    expect((await call("GET", "/v1/job-tokens")).body).toEqual({ jobTokens: [] });
    expect((await call("DELETE", `/v1/job-tokens/${owner}`)).status).toBe(404);
  });
});
