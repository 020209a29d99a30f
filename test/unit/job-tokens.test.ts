// Job access (docs/decisions/0016-job-tokens.md): the rotation rules as a pure decision, and the
// routes and the cron in-process over fake clusters: the secret on every cluster of the owner, a
// rotation once half the lifetime passed, a cluster down (the others get it, the log names it,
// the old token lives until every cluster holds the new one), revocation everywhere, and the
// token never in an answer or a log line.
import { describe, expect, it } from "vitest";
import { afterWrite, planJobToken, rotateAt } from "../../functions/jobs/plan.ts";
import { scheduledJobTokens } from "../../functions/jobs/service.ts";
import { runScheduled, SCHEDULED_RUNS } from "../../functions/scheduled.ts";
import type { JobTokenRecord } from "../../functions/store/job-tokens.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import type { FakeKube } from "../support/fake-kube.ts";
import { ADMIN, inProcessBroker } from "../support/in-process-broker.ts";

const OWNER = "0a1b2c3d";
const T0 = Date.parse("2026-11-30T12:00:00.000Z");

const record = (over: Partial<JobTokenRecord> = {}): JobTokenRecord => ({
  owner: OWNER,
  url: "https://broker.example.com",
  clusters: "all",
  rights: { write: true, read: true, listAllUsers: false },
  lifetimeSeconds: 3600,
  tokenId: "1111111111111111",
  issuedAt: new Date(T0).toISOString(),
  expiresAt: new Date(T0 + 3600_000).toISOString(),
  sealed: { alg: "A256GCM", v: 2, kid: "k1", iv: "", ct: "" },
  createdAt: new Date(T0).toISOString(),
  rotatedAt: new Date(T0).toISOString(),
  holding: ["alpha", "beta"],
  retiring: [],
  ...over,
});

describe("the rotation rules", () => {
  const at = (seconds: number) => new Date(T0 + seconds * 1000);

  it("nothing to do while the token is young and every cluster holds it", () => {
    expect(planJobToken(record(), ["beta", "alpha"], true, at(1799))).toEqual({
      rotate: false,
      reason: "none",
      targets: ["alpha", "beta"],
      write: [],
    });
    expect(rotateAt(record()).toISOString()).toBe("2026-11-30T12:30:00.000Z");
  });

  it("rotates once half the lifetime passed, onto every cluster", () => {
    expect(planJobToken(record(), ["alpha", "beta"], true, at(1800))).toEqual({
      rotate: true,
      reason: "due",
      targets: ["alpha", "beta"],
      write: ["alpha", "beta"],
    });
  });

  it("rotates at once when the token no longer works (revoked or expired)", () => {
    expect(planJobToken(record(), ["alpha", "beta"], false, at(1))).toMatchObject({
      rotate: true,
      reason: "invalid",
      write: ["alpha", "beta"],
    });
  });

  it("writes the same token where it is missing: a failed cluster, one registered since", () => {
    expect(
      planJobToken(record({ holding: ["alpha"] }), ["alpha", "beta", "gamma"], true, at(60)),
    ).toEqual({
      rotate: false,
      reason: "pending",
      targets: ["alpha", "beta", "gamma"],
      write: ["beta", "gamma"],
    });
  });

  it("named clusters: only those registered; the others are not targets", () => {
    const named = record({ clusters: ["beta", "gone"], holding: [] });
    expect(planJobToken(named, ["alpha", "beta"], true, at(60))).toEqual({
      rotate: false,
      reason: "pending",
      targets: ["beta"],
      write: ["beta"],
    });
  });

  it("earlier tokens retire only when every cluster holds the current one", () => {
    const due = planJobToken(record(), ["alpha", "beta"], true, at(1800));
    expect(afterWrite(due, ["alpha", "beta"], ["alpha"])).toEqual({
      holding: ["alpha"],
      retire: false,
    });
    expect(afterWrite(due, ["alpha", "beta"], ["beta", "alpha"])).toEqual({
      holding: ["alpha", "beta"],
      retire: true,
    });
    const pending = planJobToken(record({ holding: ["alpha"] }), ["alpha", "beta"], true, at(60));
    expect(afterWrite(pending, ["alpha"], ["beta"])).toEqual({
      holding: ["alpha", "beta"],
      retire: true,
    });
    expect(afterWrite(pending, ["alpha"], [])).toEqual({ holding: ["alpha"], retire: false });
  });
});

const SECRET = `konduktor-broker-${OWNER}`;

function jobEnv(kube: FakeKube): Record<string, string> | null {
  const s = kube.store.get(SECRET);
  if (!s) return null;
  return Object.fromEntries(
    Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
}

const down = (kube: FakeKube) => {
  kube.before = () => {
    throw new KubeError({ code: "unreachable", message: "connect ECONNREFUSED", retryable: true });
  };
};

describe("job access in the broker", () => {
  it("puts the secret on every cluster, rotates it, survives a cluster down, and revokes it", async () => {
    let clock = T0;
    const b = await inProcessBroker(["alpha", "beta", "gamma"], { now: () => new Date(clock) });
    const kube = (n: string) => b.kubes.get(n) as FakeKube;
    const cron = () =>
      scheduledJobTokens(b.app.services, { cron: "*/15 * * * *", scheduledTime: clock });

    const put = await b.call("PUT", `/v1/job-tokens/${OWNER}`, ADMIN, { lifetimeSeconds: 600 });
    expect(put.status, put.text).toBe(201);
    expect(put.body).toMatchObject({
      owner: OWNER,
      secretName: SECRET,
      url: "http://localhost",
      clusters: "all",
      rights: { write: true, read: true, listAllUsers: false },
      lifetimeSeconds: 600,
      expiresAt: "2026-11-30T12:10:00.000Z",
      rotateAt: "2026-11-30T12:05:00.000Z",
      pending: [],
    });
    expect(
      put.body.results.map((r: { cluster: string; status: string; added: string[] }) => [
        r.cluster,
        r.status,
        r.added,
      ]),
    ).toEqual([
      ["alpha", "created", ["KSB_TOKEN", "KSB_URL"]],
      ["beta", "created", ["KSB_TOKEN", "KSB_URL"]],
      ["gamma", "created", ["KSB_TOKEN", "KSB_URL"]],
    ]);
    const first = jobEnv(kube("alpha"));
    expect(first?.KSB_URL).toBe("http://localhost");
    expect(first?.KSB_TOKEN).toMatch(new RegExp(`^kbt_${put.body.tokenId}_`));
    expect([jobEnv(kube("beta")), jobEnv(kube("gamma"))]).toEqual([first, first]);
    const labels = kube("alpha").store.get(SECRET)?.metadata.labels;
    expect(labels).toMatchObject({
      "trainy.ai/secret-owner": OWNER,
      "trainy.ai/secret-basename": "konduktor-broker",
      "trainy.ai/secret-kind": "env",
    });
    // the token is the owner's only, and works as ksb's KSB_TOKEN would
    const me = await b.call("GET", "/v1/whoami", first?.KSB_TOKEN);
    expect([me.body.kind, me.body.owners, me.body.label, me.body.expiresAt]).toEqual([
      "token",
      [OWNER],
      `jobs:${OWNER}`,
      "2026-11-30T12:10:00.000Z",
    ]);

    // before half the lifetime: the cron leaves it alone
    clock = T0 + 299_000;
    expect((await cron())[0]).toMatchObject({ owner: OWNER, action: "none" });
    expect(jobEnv(kube("alpha"))).toEqual(first);

    // half the lifetime passed, gamma down: alpha and beta get the new token, gamma is named
    clock = T0 + 300_000;
    down(kube("gamma"));
    const [rotated] = await cron();
    const second = jobEnv(kube("alpha"));
    expect(second?.KSB_TOKEN).not.toBe(first?.KSB_TOKEN);
    expect(jobEnv(kube("beta"))).toEqual(second);
    expect(jobEnv(kube("gamma"))).toEqual(first);
    expect(rotated).toEqual({
      owner: OWNER,
      action: "rotated",
      reason: "due",
      tokenId: second?.KSB_TOKEN?.slice(4, 20),
      expiresAt: "2026-11-30T12:15:00.000Z",
      written: ["alpha", "beta"],
      failed: [
        { cluster: "gamma", code: "unreachable", message: expect.stringContaining("ECONNREFUSED") },
      ],
      pending: ["gamma"],
      revoked: [],
    });
    const line = b.logs.findLast((l) => l.type === "job-tokens");
    expect(line).toMatchObject({ trigger: "cron", owners: [rotated] });
    // gamma's jobs still work with the old token until gamma holds the new one
    expect((await b.call("GET", "/v1/whoami", first?.KSB_TOKEN)).status).toBe(200);
    const listed = await b.call("GET", "/v1/job-tokens", ADMIN);
    expect(
      listed.body.jobTokens.map((j: { owner: string; pending: string[] }) => [j.owner, j.pending]),
    ).toEqual([[OWNER, ["gamma"]]]);

    // gamma back: the same token is written there (no new one) and the old one is revoked
    kube("gamma").before = undefined;
    clock = T0 + 360_000;
    const [caughtUp] = await cron();
    expect(caughtUp).toMatchObject({
      action: "written",
      reason: "pending",
      tokenId: rotated?.tokenId,
      written: ["gamma"],
      failed: [],
      pending: [],
      revoked: [put.body.tokenId],
    });
    expect(jobEnv(kube("gamma"))).toEqual(second);
    expect((await b.call("GET", "/v1/whoami", first?.KSB_TOKEN)).status).toBe(401);
    expect((await b.call("GET", "/v1/whoami", second?.KSB_TOKEN)).status).toBe(200);

    // revoke: gone from every cluster, the token refused at once
    const del = await b.call("DELETE", `/v1/job-tokens/${OWNER}`, ADMIN);
    expect(del.status, del.text).toBe(200);
    expect(del.body.revokedTokens).toEqual([rotated?.tokenId]);
    expect(
      del.body.results.map((r: { cluster: string; status: string }) => [r.cluster, r.status]),
    ).toEqual([
      ["alpha", "deleted"],
      ["beta", "deleted"],
      ["gamma", "deleted"],
    ]);
    expect(["alpha", "beta", "gamma"].map((n) => jobEnv(kube(n)))).toEqual([null, null, null]);
    expect((await b.call("GET", "/v1/whoami", second?.KSB_TOKEN)).status).toBe(401);
    expect((await b.call("GET", "/v1/job-tokens", ADMIN)).body).toEqual({ jobTokens: [] });
    expect(await cron()).toEqual([]);

    // no answer and no log line ever held a token
    const said = JSON.stringify(b.logs) + put.text + del.text + listed.text;
    for (const t of [first?.KSB_TOKEN, second?.KSB_TOKEN]) expect(said).not.toContain(t);
  });

  it("replacing it with fewer clusters takes the secret off the others; a revoked token is replaced", async () => {
    let clock = T0;
    const b = await inProcessBroker(["alpha", "beta"], { now: () => new Date(clock) });
    const kube = (n: string) => b.kubes.get(n) as FakeKube;
    await b.call("PUT", `/v1/job-tokens/${OWNER}`, ADMIN, { url: "https://broker.example.com" });
    const replaced = await b.call("PUT", `/v1/job-tokens/${OWNER}`, ADMIN, {
      clusters: ["beta"],
      rights: { write: false },
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect([replaced.body.clusters, replaced.body.rights, replaced.body.url]).toEqual([
      ["beta"],
      { write: false, read: true, listAllUsers: false },
      "http://localhost",
    ]);
    expect([jobEnv(kube("alpha")), jobEnv(kube("beta"))?.KSB_TOKEN?.slice(4, 20)]).toEqual([
      null,
      replaced.body.tokenId,
    ]);
    // an admin revokes the job token by its id: the next cron issues a new one
    await b.call("DELETE", `/v1/tokens/${replaced.body.tokenId}`, ADMIN);
    clock += 1000;
    const [again] = await scheduledJobTokens(b.app.services, { cron: "c", scheduledTime: clock });
    expect(again).toMatchObject({ action: "rotated", reason: "invalid", written: ["beta"] });
    expect(jobEnv(kube("beta"))?.KSB_TOKEN?.slice(4, 20)).toBe(again?.tokenId);
  });

  it("refuses bad input, other credentials and unknown owners, changing nothing", async () => {
    const b = await inProcessBroker(["alpha"]);
    const token = await b.token([OWNER]);
    const answers = await Promise.all([
      b.call("PUT", "/v1/job-tokens/NOTHEX!", ADMIN, {}),
      b.call("PUT", `/v1/job-tokens/${OWNER}`, ADMIN, { lifetimeSeconds: 5 }),
      b.call("PUT", `/v1/job-tokens/${OWNER}`, ADMIN, { url: "ftp://x" }),
      b.call("PUT", `/v1/job-tokens/${OWNER}`, ADMIN, { extra: 1 }),
      b.call("PUT", `/v1/job-tokens/${OWNER}`, token, {}),
      b.call("GET", "/v1/job-tokens", token),
      b.call("DELETE", `/v1/job-tokens/${OWNER}`, ADMIN),
    ]);
    expect(answers.map((a) => [a.status, a.body.code])).toEqual([
      [400, "invalid_input"],
      [400, "invalid_input"],
      [400, "invalid_input"],
      [400, "invalid_input"],
      [403, "forbidden"],
      [403, "forbidden"],
      [404, "not_found"],
    ]);
    expect(answers[1]?.body.errors).toEqual([
      { field: "lifetimeSeconds", message: "lifetimeSeconds must be at least 10" },
    ]);
    expect(b.clusterWrites()).toBe(0);
    expect((await b.call("GET", "/v1/job-tokens", ADMIN)).body).toEqual({ jobTokens: [] });
  });
});

describe("the cron's runs", () => {
  it("job tokens first, then the sync; a failure of one is logged and the other still runs", async () => {
    const b = await inProcessBroker(["alpha"]);
    const order: string[] = [];
    const trigger = { cron: "*/15 * * * *", scheduledTime: T0 };
    const failing = runScheduled(b.app.services, trigger, [
      [
        "scheduled job tokens",
        async () => {
          order.push("job tokens");
          throw new Error("records unavailable");
        },
      ],
      ["scheduled sync", async () => order.push("sync")],
    ]);
    await expect(failing).rejects.toThrow("records unavailable");
    expect(order).toEqual(["job tokens", "sync"]);
    expect(b.logs.filter((l) => l.type === "error")).toEqual([
      // an error not of the project's own is logged by its class only: its message may hold anything
      { type: "error", where: "scheduled job tokens", error: "Error" },
    ]);
    expect(SCHEDULED_RUNS.map(([where]) => where)).toEqual([
      "scheduled job tokens",
      "scheduled sync",
    ]);
    await runScheduled(b.app.services, trigger);
    expect(b.logs.filter((l) => l.type === "sync").map((l) => l.trigger)).toEqual(["cron"]);
  });
});
