// An API token's check that also reads the registry (functions/store/token-steps.ts): one step at
// the control shard, which lists the clusters only for a valid token; the routes that authorize on
// the registry get them from the guard, every other route and credential reads as before.
import { describe, expect, it, vi } from "vitest";
import type { ResolverContext } from "../../functions/auth/caller.ts";
import { credentialHash } from "../../functions/auth/constant-time.ts";
import { apiTokenResolver } from "../../functions/auth/tokens.ts";
import { loadConfig } from "../../functions/config.ts";
import {
  MemoryRecordStore,
  MemoryShardedStore,
  type ShardView,
  type StoredRecord,
} from "../../functions/store/records.ts";
import { createStores } from "../../functions/store/stores.ts";
import { tokenWithClustersStep } from "../../functions/store/token-steps.ts";
import { TokenStore } from "../../functions/store/tokens.ts";
import { ADMIN, inProcessBroker } from "../support/in-process-broker.ts";
import { at, TOKEN_EXPIRES_AT, TOKEN_INPUT, TOKEN_NOW } from "../support/token-fixtures.ts";

const now = TOKEN_NOW;
const expiresAt = TOKEN_EXPIRES_AT;
const input = TOKEN_INPUT;
const cluster = (name: string) => ({ name, server: `https://${name}.example:6443` });

/** A control shard with a token and two cluster records (the registry's keys). */
async function control() {
  const shard = new MemoryRecordStore(() => now.getTime());
  const tokens = new TokenStore(shard);
  const issued = await tokens.issue(input, now);
  for (const c of [cluster("beta"), cluster("alpha")]) {
    await shard.commit([{ key: `cluster:${c.name}`, value: JSON.stringify(c) }]);
  }
  const calls = {
    get: vi.spyOn(shard, "get"),
    list: vi.spyOn(shard, "list"),
    step: vi.spyOn(shard, "step"),
  };
  return { shard, tokens, ...issued, calls };
}

describe("TokenStore.verifyWithClusters", () => {
  it("a valid token: its record and every cluster record, in one step and no other read", async () => {
    const { tokens, token, record, calls } = await control();
    expect(await tokens.verifyWithClusters(token, now)).toEqual({
      record,
      clusters: [cluster("alpha"), cluster("beta")],
    });
    expect(calls.step).toHaveBeenCalledTimes(1);
    expect(calls.get).not.toHaveBeenCalled();
    expect(calls.list).not.toHaveBeenCalled();
  });

  it("valid until 1 ms before expiresAt; at it, revoked, wrong or unknown: no record, no clusters", async () => {
    const { tokens, token, record } = await control();
    expect((await tokens.verifyWithClusters(token, at(expiresAt.getTime() - 1))).record).toEqual(
      record,
    );
    expect(await tokens.verifyWithClusters(token, expiresAt)).toEqual({ record: null });
    expect(await tokens.verifyWithClusters(token, at(expiresAt.getTime() + 1))).toEqual({
      record: null,
    });
    const [, id, secret] = /^kbt_([0-9a-f]{16})_(.+)$/.exec(token) as unknown as string[];
    const wrong = `kbt_${id}_${secret?.slice(0, -1)}${secret?.endsWith("A") ? "B" : "A"}`;
    expect(await tokens.verifyWithClusters(wrong, now)).toEqual({ record: null });
    const unknown = `kbt_${"0".repeat(16)}_${secret}`;
    expect(await tokens.verifyWithClusters(unknown, now)).toEqual({ record: null });
    await tokens.revoke(record.id, now);
    expect(await tokens.verifyWithClusters(token, now)).toEqual({ record: null });
  });

  it("a credential that is not exactly a token reads nothing", async () => {
    const { tokens, token, calls } = await control();
    for (const bad of [`x${token}`, `${token}x`, ` ${token}`, "kbt_"]) {
      expect(await tokens.verifyWithClusters(bad, now)).toEqual({ record: null });
    }
    expect(calls.step).not.toHaveBeenCalled();
    expect(calls.get).not.toHaveBeenCalled();
  });

  it("the step decides on the token before it lists: no listing for any refused token", async () => {
    const { shard, token, record } = await control();
    const stored = (await shard.get(`token:${record.id}`)) as StoredRecord;
    const hash = await credentialHash(token);
    const listed: string[] = [];
    const view = (value: string | null): ShardView => ({
      get: (key) => (key === `token:${record.id}` && value ? { ...stored, value } : null),
      getMany: () => [],
      list: (prefix) => {
        listed.push(prefix);
        return [];
      },
    });
    const run = (value: string | null, args: { id?: string; hash?: string; at?: number } = {}) =>
      tokenWithClustersStep.run(view(value), {
        id: record.id,
        hash,
        at: now.getTime(),
        ...args,
      }).result;
    expect(run(stored.value, { hash: hash.replace(/^./, (c) => (c === "0" ? "1" : "0")) })).toBe(
      null,
    );
    expect(run(null)).toBe(null);
    expect(run(JSON.stringify({ ...record, revokedAt: now.toISOString() }))).toBe(null);
    expect(run(stored.value, { at: expiresAt.getTime() })).toBe(null);
    expect(listed).toEqual([]);
    expect(run(stored.value)).toEqual({ token: record, clusters: [] });
    expect(listed).toEqual(["cluster:"]);
  });

  it("an object of a version without the step (a deploy): verify's read, no clusters", async () => {
    const { shard, tokens, token, record, calls } = await control();
    calls.step.mockRejectedValueOnce(
      new TypeError('The RPC receiver does not implement the method "step".'),
    );
    const lines: unknown[] = [];
    const logged = new TokenStore(shard, (line) => lines.push(line));
    expect(await logged.verifyWithClusters(token, now)).toEqual({ record });
    expect(lines).toEqual([
      {
        type: "store",
        event: "token-check-by-reads",
        step: "tokens.verify-with-clusters",
        reason: 'The RPC receiver does not implement the method "step".',
      },
    ]);
    expect(calls.get.mock.calls).toEqual([[`token:${record.id}`]]);
    expect(calls.list).not.toHaveBeenCalled();
    // any other failure is the caller's to see
    calls.step.mockRejectedValueOnce(new Error("storage reset"));
    await expect(tokens.verifyWithClusters(token, now)).rejects.toThrow("storage reset");
    expect(shard).toBeDefined();
  });
});

describe("the API token resolver with a registry slot", () => {
  const config = loadConfig({
    ADMIN_TOKEN: "a".repeat(40),
    KEK: Buffer.alloc(32).toString("base64"),
  });

  it("leaves the clusters in the slot for a valid token only; without a slot it does not list", async () => {
    const records = new MemoryShardedStore(() => now.getTime());
    const stores = createStores(records, config);
    const { token, record } = await stores.tokens.issue(input, now);
    await records
      .shard("control")
      .commit([{ key: "cluster:alpha", value: JSON.stringify(cluster("alpha")) }]);
    const ctx = (ms: number, slot?: ResolverContext["registry"]): ResolverContext => ({
      config,
      stores,
      now: () => at(ms),
      ...(slot ? { registry: slot } : {}),
    });
    const slot: NonNullable<ResolverContext["registry"]> = {};
    expect((await apiTokenResolver(token, ctx(now.getTime(), slot)))?.id).toBe(
      `token:${record.id}`,
    );
    expect(slot.records).toEqual([cluster("alpha")]);
    const expired: NonNullable<ResolverContext["registry"]> = {};
    expect(await apiTokenResolver(token, ctx(expiresAt.getTime(), expired))).toBeNull();
    expect(expired).toEqual({});
    const step = vi.spyOn(stores.tokens, "verifyWithClusters");
    expect((await apiTokenResolver(token, ctx(now.getTime())))?.id).toBe(`token:${record.id}`);
    expect(step).not.toHaveBeenCalled();
  });
});

describe("the routes that authorize on the registry", () => {
  const OWNER = "0a1b2c3d";
  /** what a request asked of the control shard: `steps` steps, `reads` reads of one record each */
  const control = (steps: number, reads = 0) => ({
    reads,
    recordsRead: reads,
    commits: 0,
    steps,
  });
  const put = { source: { type: "inline", pairs: { A: "1" } } };

  it("an API token's PUT, list, describe and DELETE each make one call to the control shard", async () => {
    const b = await inProcessBroker(["alpha", "beta"]);
    const t = await b.token([OWNER]);
    for (const [method, path, body] of [
      ["PUT", "/v1/secrets/db", put],
      ["GET", "/v1/secrets", undefined],
      ["GET", "/v1/secrets/db", undefined],
      ["DELETE", "/v1/secrets/db", undefined],
    ] as const) {
      b.records.reset();
      const r = await b.call(method, path, t, body);
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(200);
      expect(b.records.countsFor("control"), `${method} ${path}`).toEqual(control(1));
    }
  });

  it("the clusters it reads are the registry of that moment: one registered meanwhile is a target", async () => {
    const b = await inProcessBroker(["alpha"]);
    const t = await b.token([OWNER]);
    expect((await b.call("PUT", "/v1/secrets/db", t, put)).body.results).toEqual([
      expect.objectContaining({ cluster: "alpha", status: "created" }),
    ]);
    await b.register("beta");
    expect((await b.call("PUT", "/v1/secrets/db", t, put)).body.results).toEqual([
      expect.objectContaining({ cluster: "alpha", status: "unchanged" }),
      expect.objectContaining({ cluster: "beta", status: "created" }),
    ]);
    const removed = await b.call("DELETE", "/v1/clusters/alpha", ADMIN);
    expect(removed.status).toBe(204);
    expect(
      (await b.call("GET", "/v1/secrets/db", t)).body.drift.clusters.map(
        (c: { cluster: string }) => c.cluster,
      ),
    ).toEqual(["beta"]);
  });

  it("a body refused after the token's check costs that one call and nothing else", async () => {
    const b = await inProcessBroker(["alpha"]);
    const t = await b.token([OWNER]);
    b.records.reset();
    const bad = await b.call("PUT", "/v1/secrets/Not_Valid", t, put);
    expect(bad.status, bad.text).toBe(400);
    expect(b.records.countsFor("control")).toEqual(control(1));
    expect(b.records.countsFor("owner:")).toEqual(control(0));
    expect(b.clusterWrites()).toBe(0);
  });

  it("a refused token lists no cluster; the admin token and other routes read no registry", async () => {
    const b = await inProcessBroker(["alpha"]);
    const t = await b.token([OWNER]);
    b.records.reset();
    const wrong = `${t.slice(0, -1)}${t.endsWith("A") ? "B" : "A"}`;
    expect((await b.call("PUT", "/v1/secrets/db", wrong, put)).status).toBe(401);
    expect(b.records.countsFor("control")).toEqual(control(1));
    // the admin token is not in the store (and may not work with secrets): nothing read there
    b.records.reset();
    expect((await b.call("PUT", "/v1/secrets/db", ADMIN, put)).status).toBe(403);
    expect(b.records.countsFor("control")).toEqual(control(0));
    // a route that does not authorize on the registry: the token's record only
    b.records.reset();
    expect((await b.call("GET", "/v1/whoami", t)).status).toBe(200);
    expect(b.records.countsFor("control")).toEqual(control(0, 1));
  });

  it("an API token is hashed once per request; the admin token still resolves", async () => {
    const b = await inProcessBroker(["alpha"]);
    const t = await b.token([OWNER]);
    const digest = vi.spyOn(crypto.subtle, "digest");
    try {
      expect((await b.call("GET", "/v1/whoami", t)).body.kind).toBe("token");
      expect(digest).toHaveBeenCalledTimes(1);
      digest.mockClear();
      expect((await b.call("GET", "/v1/whoami", ADMIN)).body.kind).toBe("admin");
    } finally {
      digest.mockRestore();
    }
  });
});
