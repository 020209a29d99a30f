// `ksb` end to end in-process against a loopback HTTP server that answers the broker's wire
// contract (every canned answer is checked against konduktor/wire first): exit codes 0/1/2/3,
// the per-cluster lines and the summary, `-o json`, login and profiles (mode 0600, the token never
// printed). --help of every command: cli-help.test.ts.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Ctx } from "../../cli/context.ts";
import { run } from "../../cli/main.ts";
import type { OutputFormat } from "../../cli/output.ts";
import { ProblemSchema } from "../../konduktor/wire/problem.ts";
import { ListAnswer, PutAnswer } from "../../konduktor/wire/secrets.ts";

const TOKEN = "kbt_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const CANARY = "canary-cli-run-7f3a";

const ok = (cluster: string) => ({
  cluster,
  status: "created",
  secretName: "wandb-0a1b2c3d",
  namespace: "ml",
  added: ["API_KEY"],
  changed: [],
  removed: [],
  writes: 1,
  dryRun: false,
  attempts: 1,
  durationMs: 5,
});
const failed = (cluster: string) => ({
  cluster,
  status: "error",
  code: "unreachable",
  message: `cannot reach ${cluster}: check that it is up`,
  retryable: true,
  attempts: 3,
  durationMs: 900,
});
const put = (results: object[]) =>
  PutAnswer.parse({
    name: "wandb",
    owner: "0a1b2c3d",
    kind: "env",
    secretName: "wandb-0a1b2c3d",
    mode: "merge",
    dryRun: false,
    keys: ["API_KEY"],
    digests: { API_KEY: `hmac-sha256:k1:${"0".repeat(64)}` },
    contentDigest: `hmac-sha256:k1:${"1".repeat(64)}`,
    version: 7,
    results,
  });
const problem = (status: number, code: string, detail: string, extra: object = {}) =>
  ProblemSchema.parse({
    type: `https://konduktor-broker.invalid/problems/${code}`,
    title: code,
    status,
    detail,
    code,
    requestId: "r-1",
    ...extra,
  });

const drift = {
  ledger: "current",
  version: 7,
  reference: "alpha",
  inLine: false,
  clusters: [
    { cluster: "alpha", state: "in-line" },
    { cluster: "gamma", state: "unknown" },
  ],
};
const LIST = ListAnswer.parse({
  scope: "own",
  owner: "0a1b2c3d",
  secrets: [
    {
      name: "wandb",
      secretName: "wandb-0a1b2c3d",
      kind: "env",
      owner: "0a1b2c3d",
      keys: ["API_KEY"],
      clusters: ["alpha"],
      drift,
    },
  ],
  results: [{ cluster: "alpha", status: "ok", count: 1 }, failed("gamma")],
});

/** What the fake broker answers for `PUT /v1/secrets/wandb`, set per test. */
let putAnswer: { status: number; body: unknown } = { status: 200, body: put([ok("alpha")]) };
/** What the fake broker answers for `GET /v1/whoami`, set per test (404: a broker before it). */
let whoamiAnswer: { status: number; body: unknown } = {
  status: 404,
  body: problem(404, "not_found", "no route GET /v1/whoami: see /docs"),
};
const requests: { method: string; url: string; body: string }[] = [];
let server: Server;
let url = "";
const home = mkdtempSync(join(tmpdir(), "ksb-run-"));

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
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return send(401, problem(401, "unauthorized", "the token is not valid"));
    }
    if (req.url === "/v1/whoami") return send(whoamiAnswer.status, whoamiAnswer.body);
    if (req.method === "PUT" && req.url === "/v1/secrets/wandb")
      return send(putAnswer.status, putAnswer.body);
    if (req.method === "GET" && req.url === "/v1/secrets") return send(207, LIST);
    send(404, problem(404, "not_found", `no route ${req.method} ${req.url}`));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(home, { recursive: true, force: true });
});

function ksb(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}) {
  const printed: string[] = [];
  const notes: string[] = [];
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, "config"), ...opts.env };
  const makeCtx = (format: OutputFormat): Ctx => ({
    out: { format, tty: false, print: (l) => printed.push(l), note: (l) => notes.push(l) },
    env,
    version: "test",
    io: {
      env,
      interactive: false,
      readStdin: async () => new TextEncoder().encode(opts.stdin ?? ""),
      prompt: async () => {
        throw new Error("no prompt in this test");
      },
      warn: (l) => notes.push(l),
    },
  });
  return run(args, makeCtx).then((code) => ({
    code,
    stdout: printed.join("\n"),
    stderr: notes.join("\n"),
  }));
}

describe("ksb against the broker's contract", () => {
  it("login reads the token from stdin, checks it, and saves it 0600 without printing it", async () => {
    const bad = await ksb(["login", "--url", url], { stdin: "kbt_wrong\n" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("not logged in to");
    const good = await ksb(["login", "--url", url], { stdin: `${TOKEN}\n` });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stderr).toContain(
      `✔ Logged in to ${url} with API token 0123456789abcdef as profile "default"`,
    );
    const file = join(home, "config", "ksb", "config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "config", "ksb")).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      current: "default",
      profiles: { default: { url, token: TOKEN } },
    });
    const list = await ksb(["profile", "list"]);
    expect(list.stdout).toContain(`*  default  ${url}`);
    for (const r of [good, list]) expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("whoami shows the broker's answer as a table and in -o json, the token never", async () => {
    const me = {
      id: "token:0123456789abcdef",
      kind: "token",
      label: "alice",
      owners: ["0a1b2c3d", "0a1b2c3e"],
      clusters: ["alpha", "beta"],
      rights: { write: true, read: true, listAllUsers: false },
      expiresAt: "2026-12-30T12:00:00.000Z",
    };
    whoamiAnswer = { status: 200, body: me };
    try {
      const r = await ksb(["whoami"]);
      expect([r.code, r.stdout.split("\n").map((l) => l.trimEnd())]).toEqual([
        0,
        [
          `broker    ${url} (profile default; URL from profile default, token from profile default)`,
          "caller    token:0123456789abcdef (token, alice)",
          "owners    0a1b2c3d, 0a1b2c3e",
          "clusters  alpha, beta",
          "rights    write, read",
          "expires   2026-12-30T12:00:00.000Z",
        ],
      ]);
      const j = await ksb(["whoami", "-o", "json"]);
      expect(JSON.parse(j.stdout)).toEqual({
        profile: "default",
        url,
        urlFrom: "profile default",
        credential: "API token 0123456789abcdef",
        credentialFrom: "profile default",
        whoami: me,
      });
      whoamiAnswer = {
        status: 200,
        body: {
          ...me,
          id: "admin",
          kind: "admin",
          label: null,
          owners: [],
          clusters: "all",
          rights: { write: false, read: false, listAllUsers: false },
          expiresAt: null,
        },
      };
      const admin = await ksb(["whoami"]);
      expect(
        admin.stdout
          .split("\n")
          .slice(1)
          .map((l) => l.trimEnd()),
      ).toEqual([
        "caller    admin (admin)",
        "owners    –",
        "clusters  all",
        "rights    none",
        "expires   never",
      ]);
      whoamiAnswer = { status: 200, body: { ...me, rights: "all" } };
      const odd = await ksb(["whoami"]);
      expect([odd.code, odd.stderr]).toEqual([1, expect.stringContaining("whoami")]);
      for (const x of [r, j, admin, odd]) expect(x.stdout + x.stderr).not.toContain(TOKEN);
    } finally {
      whoamiAnswer = {
        status: 404,
        body: problem(404, "not_found", "no route GET /v1/whoami: see /docs"),
      };
    }
  });

  it("whoami on a broker before GET /v1/whoami names the credential and what it cannot tell", async () => {
    const r = await ksb(["whoami"]);
    expect([r.code, r.stdout.split("\n")]).toEqual([
      0,
      [
        `API token 0123456789abcdef (from profile default) at ${url} (from profile default): accepted by the broker`,
        "owners, clusters, rights and expiry: this broker is older than GET /v1/whoami (it answered 404); upgrade it to see them",
      ],
    ]);
    const fromEnv = await ksb(["whoami", "-o", "json"], {
      env: { KSB_URL: url, KSB_TOKEN: TOKEN, KSB_PROFILE: "other" },
    });
    expect(JSON.parse(fromEnv.stdout)).toEqual({
      profile: "other",
      url,
      urlFrom: "KSB_URL",
      credential: "API token 0123456789abcdef",
      credentialFrom: "KSB_TOKEN",
      whoami: null,
    });
  });

  it("refuses http:// to another machine before sending anything", async () => {
    const before = requests.length;
    const r = await ksb(["login", "--url", "http://broker.example.com"], { stdin: TOKEN });
    expect([r.code, r.stderr]).toEqual([
      2,
      "✖ refusing to send a token in clear text to broker.example.com: use https:// (http: only for this machine: localhost, 127.0.0.1, ::1)",
    ]);
    expect(requests.length).toBe(before);
  });

  it("exit 0 and the summary when every cluster succeeded; the value never printed", async () => {
    putAnswer = { status: 200, body: put([ok("alpha"), ok("beta")]) };
    const r = await ksb(["secret", "create", "--kind", "env", "--inline", "API_KEY", "wandb"], {
      env: { API_KEY: CANARY },
    });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "✔ alpha  created: added API_KEY",
      "✔ beta  created: added API_KEY",
      "✔ Synced to 2 of 2 clusters",
    ]);
    const sent = JSON.parse(requests.at(-1)?.body ?? "{}");
    expect(sent).toEqual({
      kind: "env",
      source: { type: "inline", pairs: { API_KEY: CANARY } },
      mode: "merge",
      prune: false,
      immutable: false,
      dryRun: false,
    });
    expect(r.stdout + r.stderr).not.toContain(CANARY);
  });

  it("exit 3 naming the failed cluster when some failed; -o json is the broker's answer", async () => {
    const body = put([ok("alpha"), failed("gamma")]);
    putAnswer = { status: 207, body };
    const r = await ksb(["secret", "create", "--kind", "env", "--inline", "API_KEY", "wandb"], {
      env: { API_KEY: CANARY },
    });
    expect(r.code).toBe(3);
    expect(r.stdout.split("\n")).toEqual([
      "✔ alpha  created: added API_KEY",
      "✖ gamma  error unreachable: cannot reach gamma: check that it is up",
      "✖ 1 of 2 clusters failed: gamma (unreachable); synced to the other 1",
    ]);
    const j = await ksb(
      ["-o", "json", "secret", "create", "--kind", "env", "--inline", "API_KEY", "wandb"],
      {
        env: { API_KEY: CANARY },
      },
    );
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout)).toEqual(body);
  });

  it("exit 1 when every cluster failed, 2 when the broker says the input is wrong", async () => {
    const results = [failed("alpha"), failed("beta")];
    putAnswer = {
      status: 502,
      body: problem(502, "cluster_unreachable", "every target cluster failed", { results }),
    };
    const all = await ksb(["secret", "create", "--kind", "env", "--inline", "API_KEY", "wandb"], {
      env: { API_KEY: CANARY },
    });
    expect(all.code).toBe(1);
    expect(all.stdout.split("\n").at(-1)).toBe(
      "✖ 2 of 2 clusters failed: alpha (unreachable), beta (unreachable)",
    );
    putAnswer = {
      status: 400,
      body: problem(400, "invalid_input", "the secret is not valid: key is bad", {
        errors: [{ field: "source.pairs.A-B", message: "key is bad" }],
      }),
    };
    const bad = await ksb(["secret", "create", "--kind", "env", "--inline", "API_KEY", "wandb"], {
      env: { API_KEY: CANARY },
    });
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "✖ secret wandb not written: the secret is not valid: key is bad; source.pairs.A-B: key is bad [invalid_input]",
    ]);
  });

  it("a listing that could not read a cluster: the table, the cluster and why, exit 3", async () => {
    const r = await ksb(["secret", "list"]);
    expect(r.code).toBe(3);
    expect(r.stdout.split("\n")).toEqual([
      "NAME   KIND  OWNER     KEYS     CLUSTERS  DRIFT",
      "wandb  env   0a1b2c3d  API_KEY  alpha     unknown on gamma",
      "✖ gamma  error unreachable: cannot reach gamma: check that it is up",
      "✖ 1 of 2 clusters failed: gamma (unreachable); listed the other 1",
    ]);
  });
});
