// GET /v1/whoami in-process: an API token, the admin token and a refused credential get the
// answer the wire contract (WhoamiAnswer) declares; the GitHub OIDC case is in oidc-broker.test.ts.
import { describe, expect, it } from "vitest";
import { WhoamiAnswer } from "../../konduktor/wire/admin.ts";
import { ADMIN, inProcessBroker } from "../support/in-process-broker.ts";

const NOW = new Date("2026-11-30T12:00:00.000Z");

describe("GET /v1/whoami", () => {
  it("an API token: its id, label, owners, clusters, rights and expiry, never the token", async () => {
    const b = await inProcessBroker(["alpha", "beta"], { now: () => NOW });
    const issued = await b.call("POST", "/v1/tokens", ADMIN, {
      owners: ["0a1b2c3d", "0a1b2c3e"],
      clusters: ["beta"],
      rights: { write: false },
      label: "ci",
      expiresInSeconds: 3600,
    });
    const token = issued.body.token as string;
    const r = await b.call("GET", "/v1/whoami", token);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: `token:${issued.body.id}`,
      kind: "token",
      label: "ci",
      owners: ["0a1b2c3d", "0a1b2c3e"],
      clusters: ["beta"],
      rights: { write: false, read: true, listAllUsers: false },
      expiresAt: "2026-11-30T13:00:00.000Z",
    });
    expect(WhoamiAnswer.parse(r.body)).toEqual(r.body);
    expect(r.text).not.toContain(token);
    const unlabelled = await b.token(["0a1b2c3d"]);
    const plain = await b.call("GET", "/v1/whoami", unlabelled);
    expect([plain.body.label, plain.body.clusters, plain.body.expiresAt]).toEqual([
      null,
      "all",
      "2026-12-30T12:00:00.000Z",
    ]);
  });

  it("the admin token: kind admin, no owners, no secret rights, no expiry", async () => {
    const b = await inProcessBroker([]);
    const r = await b.call("GET", "/v1/whoami", ADMIN);
    expect([r.status, r.body]).toEqual([
      200,
      {
        id: "admin",
        kind: "admin",
        label: null,
        owners: [],
        clusters: "all",
        rights: { write: false, read: false, listAllUsers: false },
        expiresAt: null,
      },
    ]);
  });

  it("no credential, a revoked or an unknown one: 401, and nothing is audited", async () => {
    const b = await inProcessBroker([]);
    const issued = await b.call("POST", "/v1/tokens", ADMIN, { owners: ["0a1b2c3d"] });
    await b.call("DELETE", `/v1/tokens/${issued.body.id}`, ADMIN);
    const before = b.logs.length;
    const answers = await Promise.all(
      [undefined, issued.body.token, `kbt_${"0".repeat(16)}_${"x".repeat(43)}`].map((t) =>
        b.call("GET", "/v1/whoami", t),
      ),
    );
    expect(answers.map((a) => [a.status, a.body.code])).toEqual([
      [401, "unauthorized"],
      [401, "unauthorized"],
      [401, "unauthorized"],
    ]);
    expect(b.logs.slice(before).filter((l) => l.type === "audit")).toEqual([]);
    const post = await b.call("POST", "/v1/whoami", ADMIN);
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });
});
