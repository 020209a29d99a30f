// Bad input never reaches a cluster: a "tripwire" cluster (a local HTTP server that counts every
// request) is registered next to a real one, and each bad request must answer 4xx with a message
// that says what to fix, while the tripwire stays at zero.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { issueToken, newOwner } from "./support.ts";

const clusters = inject("clusters");
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const MAX_BODY = 64 * 1024;

describe("bad input → 4xx with a clear message, and no cluster touched", () => {
  let broker: RunningBroker;
  let token: string;
  let tripwire: Server;
  let hits = 0;
  const owner = newOwner();

  beforeAll(async () => {
    tripwire = createServer((_req, res) => {
      hits++;
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => tripwire.listen(0, "127.0.0.1", r));
    const address = tripwire.address();
    const port = typeof address === "object" && address ? address.port : 0;
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { MAX_BODY_BYTES: String(MAX_BODY) },
    });
    const kubeconfig = stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "t", cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: "t", user: { token: "tripwire-token" } }],
      contexts: [{ name: "t", context: { cluster: "t", user: "t", namespace: "konduktor" } }],
      "current-context": "t",
    });
    const reg = await broker.request("PUT", "/v1/clusters/tripwire", {
      token: broker.adminToken,
      json: { kubeconfig },
    });
    expect(reg.status, reg.text).toBe(201);
    expect(hits).toBe(0);
    ({ token } = await issueToken(broker, { owners: [owner] }));
  });

  afterAll(async () => {
    tripwire?.close();
    if (broker) {
      expect(broker.logs()).not.toContain(CANARY);
      await broker.stop();
    }
  });

  const valid = { kind: "env", source: { type: "inline", pairs: { KEY: CANARY } } };

  async function expectRejected(
    res: { status: number; body: { code: string; detail: string }; text: string },
    status: number,
    code: string,
    mentions: RegExp,
  ) {
    expect(res.status, res.text).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.body.detail).toMatch(mentions);
    expect(res.text).not.toContain(CANARY);
    expect(hits).toBe(0);
  }

  it("malformed JSON", async () => {
    const res = await broker.request("PUT", "/v1/secrets/app", {
      token,
      body: `{"kind":"env","source":{"type":"inline","pairs":{"KEY":"${CANARY}"}`,
      headers: { "content-type": "application/json" },
    });
    await expectRejected(res, 400, "malformed_json", /not valid JSON/);
  });

  it("a body that is not JSON", async () => {
    const res = await broker.request("PUT", "/v1/secrets/app", {
      token,
      body: `KEY=${CANARY}`,
      headers: { "content-type": "text/plain" },
    });
    await expectRejected(res, 415, "unsupported_media_type", /Content-Type: application\/json/);
  });

  it("unknown fields", async () => {
    const res = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { ...valid, colour: "blue" },
    });
    await expectRejected(res, 400, "invalid_input", /unknown field.*"colour"/);
    expect(res.body.errors[0].field).toBe("(body)");
    const nested = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { ...valid, source: { ...valid.source, extra: 1 } },
    });
    await expectRejected(nested, 400, "invalid_input", /source.*"extra"/);
  });

  it("an oversized body, before anything reads it", async () => {
    const res = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { kind: "default", source: { type: "inline", pairs: { BIG: "x".repeat(MAX_BODY) } } },
    });
    await expectRejected(res, 413, "payload_too_large", /larger than 65536 bytes/);
  });

  it("values over Kubernetes' 1 MiB limit", async () => {
    const big = await startBroker({ caPems: [] });
    try {
      const { token: t } = await issueToken(big, { owners: [owner] });
      const res = await big.request("PUT", "/v1/secrets/app", {
        token: t,
        json: {
          kind: "default",
          source: { type: "inline", pairs: { A: "x".repeat(700_000), B: "y".repeat(400_000) } },
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/1 MiB/);
    } finally {
      await big.stop();
    }
  });

  it("invalid names", async () => {
    for (const name of ["Bad_Name", "-lead", `${"a".repeat(64)}`]) {
      const res = await broker.request("PUT", `/v1/secrets/${name}`, { token, json: valid });
      await expectRejected(res, 400, "invalid_input", /name/);
    }
    const cluster = await broker.request("PUT", "/v1/clusters/Not_Valid", {
      token: broker.adminToken,
      json: { kubeconfig: "x" },
    });
    expect(cluster.status).toBe(400);
    expect(cluster.body.errors[0].field).toBe("path: name");
  });

  it("invalid keys for the kind", async () => {
    const env = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { kind: "env", source: { type: "inline", pairs: { "1-NOT-ENV": CANARY } } },
    });
    await expectRejected(env, 400, "invalid_input", /environment variable/);
    const key = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { kind: "default", source: { type: "inline", pairs: { "bad key/..": CANARY } } },
    });
    await expectRejected(key, 400, "invalid_input", /key/);
  });

  it("invalid kinds and sources", async () => {
    const kind = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { ...valid, kind: "password" },
    });
    await expectRejected(kind, 400, "invalid_input", /kind must be one of default, env, git-ssh/);
    const source = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { kind: "env", source: { type: "url", url: "https://example.com" } },
    });
    await expectRejected(source, 400, "invalid_input", /source.type must be/);
    const gitFromInline = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { kind: "git-ssh", source: { type: "inline", pairs: { K: CANARY } } },
    });
    await expectRejected(gitFromInline, 400, "invalid_input", /git-ssh/);
    const envFromFile = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: {
        kind: "env",
        source: { type: "files", files: [{ name: "a.txt", content: "aGk=" }] },
      },
    });
    await expectRejected(envFromFile, 400, "invalid_input", /env/);
    const badBase64 = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { source: { type: "files", files: [{ name: "a.txt", content: "%%%" }] } },
    });
    await expectRejected(badBase64, 400, "invalid_input", /base64/);
    // malformed base64 that a lenient decoder would silently turn into other bytes
    for (const content of ["QUJ", "A", "QR==", "aGk=\n", "-_8="]) {
      const lenient = await broker.request("PUT", "/v1/secrets/app", {
        token,
        json: { source: { type: "files", files: [{ name: "a.txt", content }] } },
      });
      await expectRejected(
        lenient,
        400,
        "invalid_input",
        /source\.files\.0\.content: must be standard base64 \(RFC 4648\) of the file's bytes/,
      );
      expect(lenient.body.errors[0].field).toBe("source.files.0.content");
    }
    const missing = await broker.request("PUT", "/v1/secrets/app", { token, json: {} });
    await expectRejected(missing, 400, "invalid_input", /source/);
  });

  it("bad options: unknown cluster, prune with replace, a foreign owner", async () => {
    const unknown = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { ...valid, clusters: ["nowhere"] },
    });
    await expectRejected(unknown, 404, "not_found", /nowhere/);
    const prune = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { ...valid, mode: "replace", prune: true },
    });
    await expectRejected(prune, 400, "invalid_input", /prune/);
    const owner2 = await broker.request("PUT", "/v1/secrets/app", {
      token,
      json: { ...valid, owner: "NOTHEX" },
    });
    await expectRejected(owner2, 400, "invalid_input", /8 hexadecimal characters/);
    const query = await broker.request("GET", "/v1/secrets?everything=1", { token });
    await expectRejected(query, 400, "invalid_input", /everything/);
  });

  it("a broken kubeconfig says what to fix", async () => {
    const cases: [string, RegExp][] = [
      ["not: [valid", /not valid YAML/],
      ["apiVersion: v1\nkind: Config\n", /current-context/],
      [
        stringify({
          apiVersion: "v1",
          clusters: [{ name: "c", cluster: { server: "https://x:6443" } }],
          users: [{ name: "u", user: { exec: { command: "aws" } } }],
          contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
          "current-context": "x",
        }),
        /exec.*token/,
      ],
    ];
    for (const [kubeconfig, message] of cases) {
      const res = await broker.request("PUT", "/v1/clusters/broken", {
        token: broker.adminToken,
        json: { kubeconfig },
      });
      expect(res.status, res.text).toBe(400);
      expect(res.body.code).toBe("invalid_kubeconfig");
      expect(res.body.detail).toMatch(message);
    }
    const wrongContext = await broker.request("PUT", "/v1/clusters/broken", {
      token: broker.adminToken,
      json: { kubeconfig: cases[2]?.[0], context: "nope" },
    });
    expect(wrongContext.body.detail).toMatch(/context "nope" is not in the kubeconfig/);
    const list = await broker.request("GET", "/v1/clusters", { token: broker.adminToken });
    expect(list.body.clusters.map((c: { name: string }) => c.name)).toEqual(["tripwire"]);
  });

  it("unknown routes and methods answer problem details too", async () => {
    const res = await broker.request("GET", "/v1/nothing", { token });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.code).toBe("not_found");
    expect(hits).toBe(0);
  });

  it("the tripwire is a working cluster registration: a valid PUT reaches it", async () => {
    const res = await broker.request("PUT", "/v1/secrets/app", { token, json: valid });
    // its first read answers 500 (retryable): 1 + CLUSTER_RETRIES (default 2) attempts
    expect(hits).toBe(3);
    expect(res.status).toBe(502);
    expect(res.body.code).toBe("cluster_server_error");
    expect(res.text).not.toContain(CANARY);
  });
});
