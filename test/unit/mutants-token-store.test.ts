// TokenStore.verify (functions/store/tokens.ts): a presented token that is not exactly
// `kbt_<16 hex>_<43 base64url>` (a character before or after it) is refused without a store read.
import { describe, expect, it, vi } from "vitest";
import { MemoryRecordStore } from "../../functions/store/records.ts";
import { TokenStore } from "../../functions/store/tokens.ts";

describe("TokenStore.verify on a token with text around it", () => {
  it("refuses it without reading the store; the token itself reads once and verifies", async () => {
    const shard = new MemoryRecordStore();
    const tokens = new TokenStore(shard);
    const now = new Date("2026-01-01T00:00:00Z");
    const { token, record } = await tokens.issue(
      {
        owners: ["0a1b2c3d"],
        clusters: "all",
        rights: { write: true, read: true, listAllUsers: false },
        expiresAt: new Date("2026-02-01T00:00:00Z"),
      },
      now,
    );
    const get = vi.spyOn(shard, "get");
    expect(await tokens.verify(`x${token}`, now)).toBe(null);
    expect(await tokens.verify(`${token}x`, now)).toBe(null);
    expect(await tokens.verify(` ${token}`, now)).toBe(null);
    expect(get.mock.calls).toEqual([]);
    expect(await tokens.verify(token, now)).toEqual(record);
    expect(get.mock.calls).toEqual([[`token:${record.id}`]]);
  });
});
