// Webhook delivery claims as leases, and the newest-delivery-wins record per secret
// (functions/store/deliveries.ts), on the in-memory record store with a fixed clock.
import { describe, expect, it } from "vitest";
import { DeliveryStore, deliveryLeaseMs } from "../../functions/store/deliveries.ts";
import { MemoryShardedStore } from "../../functions/store/records.ts";

const T0 = new Date("2030-01-01T00:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const claimInput = (over: object = {}) => ({
  hookId: "wh_0123456789abcdef",
  deliveryId: "msg_1",
  timestamp: 1_893_456_000,
  now: T0,
  leaseMs: 10_000,
  requestId: "req-1",
  ...over,
});

describe("delivery claims", () => {
  it("a claim holds until its lease ends; then a retry takes it over, keeping the first timestamp", async () => {
    const store = new DeliveryStore(new MemoryShardedStore(() => T0.getTime()));
    const first = await store.claim(claimInput());
    expect(first).toEqual({
      claimed: {
        hookId: "wh_0123456789abcdef",
        deliveryId: "msg_1",
        state: "processing",
        timestamp: 1_893_456_000,
        firstSeenAt: T0.toISOString(),
        leaseUntil: T0.getTime() + 10_000,
        requestId: "req-1",
      },
    });
    const during = await store.claim(
      claimInput({ now: at(9_999), requestId: "req-2", timestamp: 1_893_456_009 }),
    );
    expect(during).toEqual({ inProgress: (first as { claimed: object }).claimed });
    const after = await store.claim(
      claimInput({ now: at(10_000), requestId: "req-3", timestamp: 1_893_456_010 }),
    );
    expect(after).toEqual({
      claimed: {
        hookId: "wh_0123456789abcdef",
        deliveryId: "msg_1",
        state: "processing",
        timestamp: 1_893_456_000,
        firstSeenAt: T0.toISOString(),
        leaseUntil: T0.getTime() + 20_000,
        requestId: "req-3",
      },
    });
  });

  it("a completed delivery is answered as done; a released one is claimed again at once", async () => {
    const store = new DeliveryStore(new MemoryShardedStore(() => T0.getTime()));
    const a = await store.claim(claimInput());
    if (!("claimed" in a)) throw new Error("not claimed");
    await store.release(a.claimed);
    const b = await store.claim(claimInput({ requestId: "req-2", now: at(1) }));
    if (!("claimed" in b)) throw new Error("a released delivery was not claimed again");
    expect(b.claimed.requestId).toBe("req-2");
    await store.complete(b.claimed, 207, "partial");
    expect(await store.claim(claimInput({ requestId: "req-3", now: at(2) }))).toEqual({
      done: {
        hookId: "wh_0123456789abcdef",
        deliveryId: "msg_1",
        state: "done",
        timestamp: 1_893_456_000,
        firstSeenAt: T0.toISOString(),
        status: 207,
        outcome: "partial",
        requestId: "req-2",
      },
    });
  });

  it("an attempt whose lease was taken over does not release the new claim", async () => {
    const store = new DeliveryStore(new MemoryShardedStore(() => T0.getTime()));
    const old = await store.claim(claimInput());
    const taken = await store.claim(claimInput({ requestId: "req-2", now: at(10_001) }));
    if (!("claimed" in old) || !("claimed" in taken)) throw new Error("not claimed");
    await store.release(old.claimed);
    expect(await store.claim(claimInput({ requestId: "req-3", now: at(10_002) }))).toEqual({
      inProgress: taken.claimed,
    });
  });

  it("a delivery id is remembered 72 h", async () => {
    let now = T0.getTime();
    const store = new DeliveryStore(new MemoryShardedStore(() => now));
    const a = await store.claim(claimInput());
    if (!("claimed" in a)) throw new Error("not claimed");
    await store.complete(a.claimed, 200, "ok");
    now += 72 * 3600 * 1000 - 1;
    expect(Object.keys(await store.claim(claimInput({ now: new Date(now) })))).toEqual(["done"]);
    now += 1;
    expect(Object.keys(await store.claim(claimInput({ now: new Date(now) })))).toEqual(["claimed"]);
  });

  it("the lease covers two fan-outs of every round of clusters, plus a margin", () => {
    const config = { clusterTimeoutMs: 3_000, fanoutConcurrency: 8 };
    expect(deliveryLeaseMs(0, config)).toBe(2 * 3_000 + 5_000);
    expect(deliveryLeaseMs(8, config)).toBe(2 * 3_000 + 5_000);
    expect(deliveryLeaseMs(9, config)).toBe(4 * 3_000 + 5_000);
  });
});

describe("the newest delivery per secret", () => {
  it("an older delivery is refused with the newer one named; an equal or newer one is accepted", async () => {
    const records = new MemoryShardedStore();
    const store = new DeliveryStore(records);
    const d = (timestamp: number, deliveryId: string) => ({
      timestamp,
      deliveryId,
      hookId: "wh_0123456789abcdef",
    });
    expect(await store.acceptNewest("0a1b2c3d", "db", d(100, "m2"))).toBeNull();
    expect(await store.acceptNewest("0a1b2c3d", "db", d(99, "m1"))).toEqual(d(100, "m2"));
    expect(await store.acceptNewest("0a1b2c3d", "db", d(100, "m2"))).toBeNull();
    expect(await store.acceptNewest("0a1b2c3d", "other", d(50, "m0"))).toBeNull();
    expect(await store.acceptNewest("1b2c3d4e", "db", d(10, "m9"))).toBeNull();
    expect(await store.acceptNewest("0a1b2c3d", "db", d(101, "m3"))).toBeNull();
    expect(await store.acceptNewest("0a1b2c3d", "db", d(100, "m2"))).toEqual(d(101, "m3"));
    // kept in the owner's shard, one record per secret
    expect((await records.shard("owner:0a1b2c3d").list("")).map((r) => r.key)).toEqual([
      "hook-applied:db",
      "hook-applied:other",
    ]);
  });
});
