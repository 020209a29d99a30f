// TokenStore.issue when a drawn id is taken (functions/store/tokens.ts): it draws again and returns
// only a token whose record it stored; the existing token is never replaced.
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryRecordStore } from "../../functions/store/records.ts";
import { TokenStore } from "../../functions/store/tokens.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("TokenStore.issue on an id collision", () => {
  it("draws a new id; the first token keeps its record and both verify", async () => {
    const tokens = new TokenStore(new MemoryRecordStore());
    const now = new Date("2026-01-01T00:00:00Z");
    const input = {
      owners: ["0a1b2c3d"],
      clusters: "all" as const,
      rights: { write: true, read: true, listAllUsers: false },
      expiresAt: new Date("2026-02-01T00:00:00Z"),
    };
    const real = crypto.getRandomValues.bind(crypto);
    // the 8-byte ids drawn, in order: 0x01…, 0x01… again (taken), then 0x02…
    const ids = [1, 1, 2];
    vi.spyOn(crypto, "getRandomValues").mockImplementation(
      <T extends ArrayBufferView | null>(array: T): T => {
        if (array instanceof Uint8Array && array.length === 8) {
          array.fill(ids.shift() as number);
          return array;
        }
        return real(array as Uint8Array) as unknown as T;
      },
    );
    const first = await tokens.issue(input, now);
    const second = await tokens.issue(input, now);
    expect([first.record.id, second.record.id]).toEqual(["0101010101010101", "0202020202020202"]);
    expect(ids).toEqual([]);
    expect(first.token).toMatch(/^kbt_0101010101010101_[A-Za-z0-9_-]{43}$/);
    expect(second.token).toMatch(/^kbt_0202020202020202_[A-Za-z0-9_-]{43}$/);
    expect(await tokens.get("0101010101010101")).toEqual(first.record);
    expect(await tokens.get("0202020202020202")).toEqual(second.record);
    expect((await tokens.verify(first.token, now))?.id).toBe("0101010101010101");
    expect((await tokens.verify(second.token, now))?.id).toBe("0202020202020202");
  });
});
