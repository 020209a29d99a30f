// The credential checks at their exact edges: the constant-time compare reads every character of
// both inputs wherever they differ (no early exit) and counts a length difference; an API token
// works until the millisecond before its expiry and not at the expiry instant.
import { describe, expect, it } from "vitest";
import type { ResolverContext } from "../../functions/auth/caller.ts";
import {
  configuredSecretEquals,
  constantTimeEqual,
  credentialHash,
} from "../../functions/auth/constant-time.ts";
import { apiTokenResolver, looksLikeApiToken } from "../../functions/auth/tokens.ts";
import { loadConfig } from "../../functions/config.ts";
import { keys } from "../../functions/store/keys.ts";
import { MemoryRecordStore, MemoryShardedStore } from "../../functions/store/records.ts";
import { createStores } from "../../functions/store/stores.ts";
import { TokenStore } from "../../functions/store/tokens.ts";
import { at, TOKEN_EXPIRES_AT, TOKEN_INPUT, TOKEN_NOW } from "../support/token-fixtures.ts";

/**
 * A string stand-in that records which positions were read (by index or charCodeAt/codePointAt/
 * charAt/at), so a test can tell a full scan from an early exit without timing anything.
 */
function recording(text: string): { value: string; reads: number[] } {
  const reads: number[] = [];
  const target = new String(text);
  const read = (i: number) => {
    reads.push(i);
  };
  const proxy = new Proxy(target, {
    get(t, prop) {
      if (prop === "length") return text.length;
      if (typeof prop === "string" && /^\d+$/.test(prop)) {
        read(Number(prop));
        return text[Number(prop)];
      }
      if (prop === "charCodeAt" || prop === "codePointAt" || prop === "charAt" || prop === "at") {
        return (i: number) => {
          read(i);
          return (text[prop] as (n: number) => unknown).call(text, i);
        };
      }
      const v = Reflect.get(t, prop, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  return { value: proxy as unknown as string, reads };
}

const every = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("constantTimeEqual", () => {
  it("is true for equal strings and false for any single differing character", () => {
    const hex = "0123456789abcdef".repeat(4);
    expect(constantTimeEqual(hex, hex)).toBe(true);
    expect(constantTimeEqual("", "")).toBe(true);
    for (let i = 0; i < hex.length; i++) {
      const other = `${hex.slice(0, i)}${hex[i] === "0" ? "1" : "0"}${hex.slice(i + 1)}`;
      expect(constantTimeEqual(hex, other), `position ${i}`).toBe(false);
    }
  });

  it("reads every position of both inputs when they differ at the first character", () => {
    const a = recording("a".repeat(64));
    const b = recording(`b${"a".repeat(63)}`);
    expect(constantTimeEqual(a.value, b.value)).toBe(false);
    expect([...new Set(a.reads)].sort((x, y) => x - y)).toEqual(every(64));
    expect([...new Set(b.reads)].sort((x, y) => x - y)).toEqual(every(64));
  });

  it("reads as many positions for a mismatch at the start as for a match", () => {
    const same = [recording("f".repeat(64)), recording("f".repeat(64))] as const;
    const differ = [recording("f".repeat(64)), recording(`0${"f".repeat(63)}`)] as const;
    expect(constantTimeEqual(same[0].value, same[1].value)).toBe(true);
    expect(constantTimeEqual(differ[0].value, differ[1].value)).toBe(false);
    expect(differ[0].reads).toEqual(same[0].reads);
    expect(differ[1].reads).toEqual(same[1].reads);
  });

  it("counts a length difference, even when the extra characters read as zero", () => {
    // charCodeAt past the end is NaN, and NaN | 0 is 0: only the length term tells these apart
    expect(constantTimeEqual("ab", "ab\u0000")).toBe(false);
    expect(constantTimeEqual("ab\u0000", "ab")).toBe(false);
    expect(constantTimeEqual("", "\u0000")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("abcd", "abc")).toBe(false);
  });

  it("scans the longer input to its end when the lengths differ", () => {
    const short = recording("abc");
    const long = recording("abcdef");
    expect(constantTimeEqual(short.value, long.value)).toBe(false);
    expect([...new Set(long.reads)].sort((x, y) => x - y)).toEqual(every(6));
  });
});

describe("configured secrets", () => {
  it("compare the SHA-256 of the presented credential with the configured one's", async () => {
    const owner = {};
    expect(await configuredSecretEquals("s3cret-admin", owner, "s3cret-admin")).toBe(true);
    expect(await configuredSecretEquals("s3cret-admiN", owner, "s3cret-admin")).toBe(false);
    expect(await configuredSecretEquals("", owner, "s3cret-admin")).toBe(false);
    expect(await credentialHash("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});

describe("API token expiry, at the exact instant", () => {
  const now = TOKEN_NOW;
  const expiresAt = TOKEN_EXPIRES_AT;
  const input = { ...TOKEN_INPUT, label: "ci" };

  it("verifies until 1 ms before expiresAt, and not at expiresAt or after", async () => {
    const tokens = new TokenStore(new MemoryRecordStore());
    const { token, record } = await tokens.issue(input, now);
    expect(record).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      label: "ci",
      hash: await credentialHash(token),
      owners: ["0a1b2c3d"],
      clusters: ["alpha"],
      rights: { write: true, read: true, listAllUsers: false },
      createdAt: "2030-01-01T00:00:00.000Z",
      expiresAt: "2030-01-01T00:01:00.000Z",
      revokedAt: null,
    });
    expect((await tokens.verify(token, now))?.id).toBe(record.id);
    expect((await tokens.verify(token, at(expiresAt.getTime() - 1)))?.id).toBe(record.id);
    expect(await tokens.verify(token, at(expiresAt.getTime()))).toBeNull();
    expect(await tokens.verify(token, at(expiresAt.getTime() + 1))).toBeNull();
  });

  it("the resolver gives the token's caller until expiry, then nothing", async () => {
    const config = loadConfig({
      ADMIN_TOKEN: "a".repeat(40),
      KEK: Buffer.alloc(32).toString("base64"),
    });
    const stores = createStores(new MemoryShardedStore(), config);
    const { token, record } = await stores.tokens.issue(input, now);
    const ctx = (ms: number): ResolverContext => ({ config, stores, now: () => at(ms) });
    expect(await apiTokenResolver(token, ctx(expiresAt.getTime() - 1))).toEqual({
      id: `token:${record.id}`,
      kind: "token",
      owners: ["0a1b2c3d"],
      clusters: ["alpha"],
      rights: { write: true, read: true, listAllUsers: false },
      expiresAt: expiresAt.toISOString(),
      label: "ci",
    });
    expect(await apiTokenResolver(token, ctx(expiresAt.getTime()))).toBeNull();
    expect(await apiTokenResolver("not-a-token", ctx(now.getTime()))).toBeNull();
    expect(looksLikeApiToken("kbt_x")).toBe(true);
    expect(looksLikeApiToken("Kbt_x")).toBe(false);
  });

  it("refuses a revoked token, a wrong secret and an unknown id; revoking twice keeps the first time", async () => {
    const tokens = new TokenStore(new MemoryRecordStore());
    const { token, record } = await tokens.issue(input, now);
    const [, id, secret] = /^kbt_([0-9a-f]{16})_(.+)$/.exec(token) as unknown as string[];
    const other = `kbt_${id}_${secret?.slice(0, -1)}${secret?.endsWith("A") ? "B" : "A"}`;
    expect(await tokens.verify(other, now)).toBeNull();
    expect(await tokens.verify(`kbt_${"0".repeat(16)}_${secret}`, now)).toBeNull();
    expect(await tokens.verify(`${token}x`, now)).toBeNull();
    const first = await tokens.revoke(record.id, at(now.getTime() + 5));
    expect(first?.revokedAt).toBe("2030-01-01T00:00:00.005Z");
    const second = await tokens.revoke(record.id, at(now.getTime() + 9));
    expect(second?.revokedAt).toBe("2030-01-01T00:00:00.005Z");
    expect((await tokens.get(record.id))?.revokedAt).toBe("2030-01-01T00:00:00.005Z");
    expect(await tokens.verify(token, now)).toBeNull();
    expect(await tokens.revoke("0".repeat(16), now)).toBeNull();
    expect((await tokens.list()).map((r) => r.id)).toEqual([record.id]);
  });

  it("stores owners and clusters deduplicated and sorted", async () => {
    const tokens = new TokenStore(new MemoryRecordStore());
    const { record } = await tokens.issue(
      {
        ...input,
        owners: ["ffffffff", "0a1b2c3d", "ffffffff"],
        clusters: ["beta", "alpha", "beta"],
      },
      now,
    );
    expect([record.owners, record.clusters]).toEqual([
      ["0a1b2c3d", "ffffffff"],
      ["alpha", "beta"],
    ]);
    const all = await tokens.issue({ ...input, clusters: "all" }, now);
    expect(all.record.clusters).toBe("all");
    expect(all.record.label).toBe("ci");
    expect((await tokens.issue({ ...input, label: undefined }, now)).record.label).toBeNull();
  });

  it("lists every token record of the shard, revoked ones too, and nothing else", async () => {
    const shard = new MemoryRecordStore();
    const tokens = new TokenStore(shard);
    const a = await tokens.issue(input, now);
    const b = await tokens.issue({ ...input, label: "other" }, now);
    await tokens.revoke(b.record.id, now);
    // another entity in the same (control) shard is not a token
    expect((await shard.commit([{ key: "tokenx", value: "{}" }])).ok).toBe(true);
    expect((await tokens.list()).map((r) => [r.id, r.label, r.revokedAt]).sort()).toEqual(
      [
        [a.record.id, "ci", null],
        [b.record.id, "other", "2030-01-01T00:00:00.000Z"],
      ].sort(),
    );
    expect(keys.tokenPrefix).toBe("token:");
  });
});
