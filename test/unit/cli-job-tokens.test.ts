// `ksb token create|list|revoke --for-jobs` in-process against a loopback server answering the
// broker's wire contract (every canned answer parsed with konduktor/wire/job-tokens.ts first): the
// request sent, a line per cluster and the summary, exit 0 and 3, `-o json`, usage errors.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Ctx } from "../../cli/context.ts";
import { run } from "../../cli/main.ts";
import type { OutputFormat } from "../../cli/output.ts";
import {
  JobTokenAnswer,
  JobTokenListAnswer,
  JobTokenRevokedAnswer,
} from "../../konduktor/wire/job-tokens.ts";

const ADMIN = `adm_${"f".repeat(40)}`;
const OWNER = "0a1b2c3d";
const info = {
  owner: OWNER,
  secretName: `konduktor-broker-${OWNER}`,
  url: "https://broker.example.com",
  clusters: "all" as const,
  rights: { write: true, read: true, listAllUsers: false },
  lifetimeSeconds: 43200,
  tokenId: "3f2a9c0d1e4b5a67",
  expiresAt: "2026-12-01T00:00:00.000Z",
  rotateAt: "2026-11-30T18:00:00.000Z",
  createdAt: "2026-11-30T12:00:00.000Z",
  rotatedAt: "2026-11-30T12:00:00.000Z",
  pending: ["gamma"],
};
const created = (cluster: string) => ({
  cluster,
  status: "created",
  secretName: info.secretName,
  namespace: "konduktor",
  added: ["KSB_TOKEN", "KSB_URL"],
  changed: [],
  removed: [],
  writes: 1,
  dryRun: false,
  attempts: 1,
  durationMs: 5,
});
const down = {
  cluster: "gamma",
  status: "error",
  code: "unreachable",
  message: "cannot reach gamma: check that it is up",
  retryable: true,
  attempts: 2,
  durationMs: 900,
};
const PUT = JobTokenAnswer.parse({ ...info, results: [created("alpha"), down] });
const LIST = JobTokenListAnswer.parse({ jobTokens: [info] });
const deleted = (cluster: string) => ({
  cluster,
  status: "deleted",
  secretName: info.secretName,
  namespace: "konduktor",
});
const REVOKED = JobTokenRevokedAnswer.parse({
  owner: OWNER,
  secretName: info.secretName,
  revokedTokens: [info.tokenId],
  results: [deleted("alpha"), deleted("gamma")],
});

const requests: { method: string; url: string; body: string }[] = [];
let server: Server;
let url = "";
const home = mkdtempSync(join(tmpdir(), "ksb-jobs-"));

async function bodyOf(req: IncomingMessage): Promise<string> {
  let s = "";
  for await (const c of req) s += c;
  return s;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    requests.push({ method: req.method ?? "", url: req.url ?? "", body });
    const send = (status: number, json: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    if (req.method === "PUT" && req.url === `/v1/job-tokens/${OWNER}`) return send(207, PUT);
    if (req.method === "GET" && req.url === "/v1/job-tokens") return send(200, LIST);
    if (req.method === "DELETE" && req.url === `/v1/job-tokens/${OWNER}`) return send(200, REVOKED);
    send(404, { code: "not_found" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(home, { recursive: true, force: true });
});

async function ksb(args: string[]) {
  const printed: string[] = [];
  const notes: string[] = [];
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, "config"), KSB_URL: url, KSB_TOKEN: ADMIN };
  const makeCtx = (format: OutputFormat): Ctx => ({
    out: { format, tty: false, print: (l) => printed.push(l), note: (l) => notes.push(l) },
    env,
    version: "test",
    io: {
      env,
      interactive: false,
      readStdin: async () => new Uint8Array(),
      prompt: async () => {
        throw new Error("no prompt in this test");
      },
      warn: (l) => notes.push(l),
    },
  });
  const code = await run(args, makeCtx);
  return { code, stdout: printed.join("\n"), stderr: notes.join("\n") };
}

describe("ksb token … --for-jobs", () => {
  it("create sends the owner's job access, shows a line per cluster, exits 3 naming gamma", async () => {
    const before = requests.length;
    const r = await ksb([
      "token",
      "create",
      "--for-jobs",
      "--owner",
      OWNER,
      "--hours",
      "12",
      "--read-only",
    ]);
    expect(requests.slice(before).map((q) => [q.method, q.url, JSON.parse(q.body)])).toEqual([
      [
        "PUT",
        `/v1/job-tokens/${OWNER}`,
        {
          clusters: "all",
          rights: { write: false, read: true, listAllUsers: false },
          lifetimeSeconds: 43200,
        },
      ],
    ]);
    expect([r.code, r.stdout.split("\n"), r.stderr.split("\n")]).toEqual([
      3,
      [
        "✔ alpha  created: added KSB_TOKEN, KSB_URL",
        "✖ gamma  error unreachable: cannot reach gamma: check that it is up",
        `✖ 1 of 2 clusters failed: gamma (unreachable); wrote ${info.secretName} to the other 1`,
      ],
      [
        `job token 3f2a9c0d1e4b5a67 for owner ${OWNER} on all (write, read), expires 2026-12-01T00:00:00.000Z, replaced by the broker's cron after 2026-11-30T18:00:00.000Z`,
        `jobs read KSB_URL (https://broker.example.com) and KSB_TOKEN from the env secret ${info.secretName}: \`ksb\` works inside them with no login`,
      ],
    ]);
    const j = await ksb(["-o", "json", "token", "create", "--for-jobs", "--owner", OWNER]);
    expect([j.code, JSON.parse(j.stdout)]).toEqual([3, PUT]);
  });

  it("list shows each owner's job access; revoke deletes it everywhere", async () => {
    const list = await ksb(["token", "list", "--for-jobs"]);
    expect([list.code, list.stdout.split("\n").map((l) => l.split(/\s{2,}/))]).toEqual([
      0,
      [
        ["OWNER", "SECRET", "CLUSTERS", "RIGHTS", "TOKEN", "EXPIRES", "ROTATES", "PENDING"],
        [
          OWNER,
          info.secretName,
          "all",
          "write, read",
          info.tokenId,
          info.expiresAt,
          info.rotateAt,
          "gamma",
        ],
      ],
    ]);
    const revoke = await ksb(["token", "revoke", "--for-jobs", "--owner", OWNER]);
    expect([revoke.code, revoke.stdout.split("\n"), revoke.stderr]).toEqual([
      0,
      [
        `✔ alpha  deleted konduktor/${info.secretName}`,
        `✔ gamma  deleted konduktor/${info.secretName}`,
        `✔ Deleted ${info.secretName} from 2 of 2 clusters`,
      ],
      `revoked job token ${info.tokenId} for owner ${OWNER}`,
    ]);
  });

  it("usage: one owner for --for-jobs, an id without it; nothing sent", async () => {
    const before = requests.length;
    const two = await ksb([
      "token",
      "create",
      "--for-jobs",
      "--owner",
      OWNER,
      "--owner",
      "0a1b2c3e",
    ]);
    const none = await ksb(["token", "revoke", "--for-jobs"]);
    const noId = await ksb(["token", "revoke"]);
    const hours = await ksb(["token", "create", "--for-jobs", "--owner", OWNER, "--hours", "0"]);
    expect([two, none, noId, hours].map((r) => [r.code, r.stderr])).toEqual([
      [2, "✖ --for-jobs creates one owner's job access: give exactly one --owner"],
      [2, "✖ --for-jobs revokes one owner's job access: give exactly one --owner"],
      [2, "✖ name the token: ksb token revoke <id> (see ksb token list)"],
      [2, "✖ --hours must be a positive number of hours, like 24"],
    ]);
    expect(requests.length).toBe(before);
  });
});
