// Unit tests of the broker's parts that need no cluster and no workerd: settings, the kubeconfig
// envelope, API tokens. The app in-process over fake clusters: broker-app.test.ts. The same app
// runs in workerd in test/e2e.
import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { adminResolver } from "../../functions/auth/admin.ts";
import { configuredHash, constantTimeEqual } from "../../functions/auth/constant-time.ts";
import { ConfigError, loadConfig } from "../../functions/config.ts";
import { EnvelopeError, open, seal } from "../../functions/registry/envelope.ts";
import { MemoryRecordStore, MemoryShardedStore } from "../../functions/store/records.ts";
import { createStores } from "../../functions/store/stores.ts";
import { TokenStore } from "../../functions/store/tokens.ts";

const KEK = randomBytes(32).toString("base64");
const ADMIN = "a".repeat(40);
const env = { ADMIN_TOKEN: ADMIN, KEK };

describe("config", () => {
  it("reads the settings with defaults", () => {
    const c = loadConfig(env);
    expect(c.kek.id).toBe("k1");
    expect(c.kek.bytes).toHaveLength(32);
    expect(c.clusterTimeoutMs).toBe(10_000);
    expect(c.maxBodyBytes).toBe(2_000_000);
  });

  it("names every missing or bad setting, never its value", () => {
    const bad = {
      ADMIN_TOKEN: "short-secret-value",
      KEK: "bm90LTMyLWJ5dGVz",
      CLUSTER_TIMEOUT_MS: "soon",
    };
    try {
      loadConfig(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.problems.map((p) => p.setting).sort()).toEqual([
        "ADMIN_TOKEN",
        "CLUSTER_TIMEOUT_MS",
        "KEK",
      ]);
      expect(e.message).toContain("openssl rand -base64 32");
      expect(e.message).not.toContain("short-secret-value");
      expect(e.message).not.toContain("bm90LTMyLWJ5dGVz");
    }
    expect(() => loadConfig({})).toThrow(/ADMIN_TOKEN is missing[\s\S]*KEK is missing/);
  });

  it("accepts previous keys for rotation", () => {
    const old = randomBytes(32).toString("base64");
    const c = loadConfig({ ...env, KEK_ID: "k2", KEK_PREVIOUS: `k1:${old}` });
    expect(c.previousKeks.map((k) => k.id)).toEqual(["k1"]);
    expect(() => loadConfig({ ...env, KEK_PREVIOUS: "k1:short" })).toThrow(/KEK_PREVIOUS/);
  });
});

describe("kubeconfig envelope", () => {
  const k1 = { id: "k1", bytes: new Uint8Array(randomBytes(32)) };
  const k2 = { id: "k2", bytes: new Uint8Array(randomBytes(32)) };

  it("round-trips, and never stores the plaintext", async () => {
    const env1 = await seal("kubeconfig: secret-token", "cluster:alpha", k1);
    expect(JSON.stringify(env1)).not.toContain("secret-token");
    expect(env1.kid).toBe("k1");
    expect(await open(env1, "cluster:alpha", [k1])).toBe("kubeconfig: secret-token");
  });

  it("binds the cluster name (AAD): a record copied under another name does not open", async () => {
    const e = await seal("x", "cluster:alpha", k1);
    await expect(open(e, "cluster:beta", [k1])).rejects.toBeInstanceOf(EnvelopeError);
  });

  it("detects tampering and a missing key; opens with a previous key after rotation", async () => {
    const e = await seal("x", "cluster:alpha", k1);
    // change the first character whatever it is (a fixed "A" is a no-op 1 time in 64)
    const tampered = { ...e, ct: `${e.ct[0] === "A" ? "B" : "A"}${e.ct.slice(1)}` };
    await expect(open(tampered, "cluster:alpha", [k1])).rejects.toThrow(/tampered/);
    await expect(open(e, "cluster:alpha", [k2])).rejects.toThrow(/"k1", which is not configured/);
    expect(await open(e, "cluster:alpha", [k2, k1])).toBe("x");
  });

  it("binds the key id (AAD): a record relabelled with another key id does not open; older records still do", async () => {
    const e = await seal("x", "cluster:alpha", k1);
    expect(e.v).toBe(2);
    // the same key under another id: the key id is authenticated, so it does not decrypt
    const k1b = { id: "k1b", bytes: k1.bytes };
    await expect(open({ ...e, kid: "k1b" }, "cluster:alpha", [k1, k1b])).rejects.toThrow(
      /cannot decrypt with key "k1b"/,
    );
    // a record sealed before the key id was bound (name only as AAD, no `v`)
    const iv = new Uint8Array(randomBytes(12));
    const key = await crypto.subtle.importKey("raw", k1.bytes, "AES-GCM", false, ["encrypt"]);
    const ct = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode("cluster:alpha") },
      key,
      new TextEncoder().encode("legacy"),
    );
    const legacy = {
      alg: "A256GCM" as const,
      kid: "k1",
      iv: Buffer.from(iv).toString("base64"),
      ct: Buffer.from(ct).toString("base64"),
    };
    expect(await open(legacy, "cluster:alpha", [k1])).toBe("legacy");
    await expect(open({ ...legacy, v: 2 as const }, "cluster:alpha", [k1])).rejects.toThrow(
      EnvelopeError,
    );
  });
});

describe("API tokens", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  const input = {
    owners: ["0a1b2c3d"],
    clusters: "all" as const,
    rights: { write: true, read: true, listAllUsers: false },
    expiresAt: new Date(now.getTime() + 60_000),
  };

  it("stores only a hash; verifies the token, not a near miss", async () => {
    const store = new MemoryRecordStore();
    const tokens = new TokenStore(store);
    const { token, record } = await tokens.issue(input, now);
    expect(token).toMatch(/^kbt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const stored = (await store.get(`token:${record.id}`))?.value;
    expect(stored).not.toContain(token.slice(22));
    expect((await tokens.verify(token, now))?.id).toBe(record.id);
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    expect(await tokens.verify(flipped, now)).toBeNull();
  });

  it("stops working when expired or revoked", async () => {
    const tokens = new TokenStore(new MemoryRecordStore());
    const { token, record } = await tokens.issue(input, now);
    expect(await tokens.verify(token, new Date(now.getTime() + 61_000))).toBeNull();
    await tokens.revoke(record.id, now);
    expect(await tokens.verify(token, now)).toBeNull();
  });

  // reading every position (no early exit) and the exact expiry instant: auth-boundaries.test.ts
  it("compares equal and unequal hashes", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
  });

  it("hashes the admin token once per config, not per request", async () => {
    const config = loadConfig(env);
    const digest = vi.spyOn(crypto.subtle, "digest");
    try {
      const ctx = {
        config,
        stores: createStores(new MemoryShardedStore(), config),
        now: () => new Date(),
      };
      expect(await adminResolver(ADMIN, ctx)).toMatchObject({ kind: "admin" });
      expect(await adminResolver("b".repeat(40), ctx)).toBeNull();
      expect(await adminResolver(ADMIN, ctx)).toMatchObject({ kind: "admin" });
      // one digest per presented credential, and one for the configured token
      expect(digest).toHaveBeenCalledTimes(4);
      expect(configuredHash(config, config.adminToken)).toBe(
        configuredHash(config, config.adminToken),
      );
    } finally {
      digest.mockRestore();
    }
  });
});
