// Opened clusters kept between requests (functions/registry/opened.ts, decision 0023): a
// kubeconfig is decrypted and parsed once per sealing; a cluster registered again, by this app
// or by another isolate on the same store, is opened anew; a removed cluster is never opened; a
// failed decryption is not kept; the idle, count and byte bounds hold, and past them a request
// still opens each of its clusters once.
import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type { Envelope } from "../../functions/registry/envelope.ts";
import { OpenedClusters } from "../../functions/registry/opened.ts";
import { CountingShardedStore } from "../support/counting-records.ts";
import { ADMIN, inProcessBroker } from "../support/in-process-broker.ts";

const envelope = (iv: string, kid = "k1"): Envelope => ({
  alg: "A256GCM",
  v: 2,
  kid,
  iv,
  ct: "Y3Q=",
});

describe("OpenedClusters", () => {
  const counting = () => {
    const calls: string[] = [];
    return {
      calls,
      decrypt: (text: string) => () => {
        calls.push(text);
        return Promise.resolve(text);
      },
    };
  };

  it("opens a sealing once; another IV, key id or context is opened anew", async () => {
    const opened = new OpenedClusters();
    const d = counting();
    const a = { context: "x", kubeconfig: envelope("aXYx") };
    const first = opened.get("one", a, d.decrypt("a"));
    const again = opened.get("one", { ...a }, d.decrypt("a-again"));
    expect(again).toBe(first);
    expect(await again.kubeconfig).toBe("a");
    expect(d.calls).toEqual(["a"]);

    expect(
      await opened.get("one", { ...a, kubeconfig: envelope("aXYy") }, d.decrypt("b")).kubeconfig,
    ).toBe("b");
    expect(
      await opened.get("one", { ...a, kubeconfig: envelope("aXYy", "k2") }, d.decrypt("c"))
        .kubeconfig,
    ).toBe("c");
    expect(
      await opened.get("one", { context: "y", kubeconfig: envelope("aXYy", "k2") }, d.decrypt("d"))
        .kubeconfig,
    ).toBe("d");
    expect(d.calls).toEqual(["a", "b", "c", "d"]);
    // one entry per cluster name: a new sealing replaces the old one
    expect(opened.size).toBe(1);
    // the parse memo goes with the sealing
    const memo = opened.get(
      "one",
      { context: "y", kubeconfig: envelope("aXYy", "k2") },
      d.decrypt("e"),
    ).memo;
    memo.set("edge:one", 1);
    expect(opened.get("one", a, d.decrypt("f")).memo.size).toBe(0);
  });

  it("does not keep a decryption that failed", async () => {
    const opened = new OpenedClusters();
    const record = { context: "x", kubeconfig: envelope("aXYx") };
    let attempts = 0;
    const failing = () => {
      attempts++;
      return Promise.reject(new Error("cannot decrypt"));
    };
    await expect(opened.get("one", record, failing).kubeconfig).rejects.toThrow("cannot decrypt");
    expect({ size: opened.size, weight: opened.weight }).toEqual({ size: 0, weight: 0 });
    await expect(opened.get("one", record, failing).kubeconfig).rejects.toThrow("cannot decrypt");
    expect(attempts).toBe(2);
    expect(await opened.get("one", record, () => Promise.resolve("ok")).kubeconfig).toBe("ok");
    expect(opened.size).toBe(1);
  });

  it("drops an entry unused for idleMs, and not one used a millisecond before", async () => {
    let now = 1_000;
    const opened = new OpenedClusters({ idleMs: 100, now: () => now });
    const d = counting();
    const record = { context: "x", kubeconfig: envelope("aXYx") };
    opened.get("one", record, d.decrypt("1"));
    now += 99;
    opened.get("one", record, d.decrypt("2"));
    expect(d.calls).toEqual(["1"]);
    now += 99; // 99 since its last use
    opened.get("one", record, d.decrypt("3"));
    expect(d.calls).toEqual(["1"]);
    now += 100; // 100 since its last use: dropped before it is looked up
    opened.get("one", record, d.decrypt("4"));
    expect(d.calls).toEqual(["1", "4"]);
    // another cluster's lookup drops it too
    now += 100;
    opened.get("two", record, d.decrypt("5"));
    expect(opened.size).toBe(1);
  });

  it("keeps at most max entries, dropping the least recently used", async () => {
    const opened = new OpenedClusters({ max: 2 });
    const d = counting();
    const record = { context: "x", kubeconfig: envelope("aXYx") };
    opened.get("a", record, d.decrypt("a1"));
    opened.get("b", record, d.decrypt("b1"));
    opened.get("a", record, d.decrypt("a2")); // a used last: b is the oldest use
    opened.get("c", record, d.decrypt("c1"));
    expect(opened.size).toBe(2);
    opened.get("a", record, d.decrypt("a3"));
    opened.get("b", record, d.decrypt("b2"));
    expect(d.calls).toEqual(["a1", "b1", "c1", "b2"]);
  });

  /** lets pending decryptions settle (their weight is added when they resolve) */
  const settled = () => new Promise((r) => setTimeout(r, 0));

  it("weighs an entry as its sealing, then its decrypted text too", async () => {
    const record = { context: "x", kubeconfig: envelope("aXYx") };
    const opened = new OpenedClusters();
    const entry = opened.get("a", record, () => Promise.resolve("0123456789"));
    const sealing = opened.weight;
    expect(sealing).toBe("x\n2\nk1\naXYx\nY3Q=".length);
    await entry.kubeconfig;
    await settled();
    expect(opened.weight).toBe(sealing + 10);
    opened.forget("a");
    expect({ size: opened.size, weight: opened.weight }).toEqual({ size: 0, weight: 0 });
  });

  it("keeps at most maxBytes, dropping the least recently used; the newest always stays", async () => {
    const record = { context: "x", kubeconfig: envelope("aXYx") };
    const per = "x\n2\nk1\naXYx\nY3Q=".length + 2; // a sealing and a 2-character text
    const opened = new OpenedClusters({ maxBytes: 2 * per });
    const d = counting();
    opened.get("a", record, d.decrypt("a1"));
    opened.get("b", record, d.decrypt("b1"));
    await settled();
    expect({ size: opened.size, weight: opened.weight }).toEqual({ size: 2, weight: 2 * per });
    opened.get("c", record, d.decrypt("c1")); // over: a (the oldest use) goes
    await settled();
    expect({ size: opened.size, weight: opened.weight }).toEqual({ size: 2, weight: 2 * per });
    opened.get("b", record, d.decrypt("b2"));
    opened.get("a", record, d.decrypt("a2"));
    await settled();
    expect(d.calls).toEqual(["a1", "b1", "c1", "a2"]);
    // a new sealing of a kept cluster replaces it: its weight is not counted twice
    opened.get("a", { ...record, kubeconfig: envelope("aXYy") }, d.decrypt("a3"));
    await settled();
    expect({ size: opened.size, weight: opened.weight }).toEqual({ size: 2, weight: 2 * per });

    // a decrypted text that takes it over the bound drops the others when it arrives
    opened.get("big", record, () => Promise.resolve("x".repeat(3 * per)));
    expect(opened.size).toBe(2);
    await settled();
    expect(opened.size).toBe(1);
    expect(opened.weight).toBe(per - 2 + 3 * per);

    const small = new OpenedClusters({ maxBytes: 1 });
    small.get("a", record, d.decrypt("a4"));
    small.get("b", record, d.decrypt("b3"));
    await settled();
    expect(small.size).toBe(1);
    small.get("b", record, d.decrypt("b4"));
    expect(d.calls.at(-1)).toBe("b3");
  });

  it("a decryption of an older sealing that fails late leaves the newer entry alone", async () => {
    const opened = new OpenedClusters();
    let fail: (e: Error) => void = () => {};
    const first = opened.get(
      "a",
      { context: "x", kubeconfig: envelope("aXYx") },
      () => new Promise<string>((_, reject) => (fail = reject)),
    );
    const newer = { context: "x", kubeconfig: envelope("aXYy") };
    opened.get("a", newer, () => Promise.resolve("new"));
    const weight = opened.weight;
    fail(new Error("late"));
    await expect(first.kubeconfig).rejects.toThrow("late");
    await settled();
    expect({ size: opened.size, weight: opened.weight }).toEqual({ size: 1, weight: weight + 3 });
    let again = 0;
    opened.get("a", newer, () => {
      again++;
      return Promise.resolve("other");
    });
    expect(again).toBe(0);
  });

  it("a sealing that differs only in its ciphertext is opened anew", () => {
    const opened = new OpenedClusters();
    const d = counting();
    const record = { context: "x", kubeconfig: envelope("aXYx") };
    opened.get("a", record, d.decrypt("1"));
    opened.get("a", { ...record, kubeconfig: { ...envelope("aXYx"), ct: "Y3Q9" } }, d.decrypt("2"));
    expect(d.calls).toEqual(["1", "2"]);
  });

  it("sweep drops what was unused for idleMs without a lookup", () => {
    let now = 0;
    const opened = new OpenedClusters({ idleMs: 100, now: () => now });
    const record = { context: "x", kubeconfig: envelope("aXYx") };
    opened.get("a", record, () => Promise.resolve("a"));
    now = 50;
    opened.get("b", record, () => Promise.resolve("b"));
    now = 100;
    opened.sweep();
    expect(opened.size).toBe(1);
    now = 149;
    opened.sweep();
    expect(opened.size).toBe(1);
    now = 150;
    opened.sweep();
    expect(opened.size).toBe(0);
  });

  it("forgets a cluster", () => {
    const opened = new OpenedClusters();
    const d = counting();
    const record = { context: "x", kubeconfig: envelope("aXYx") };
    opened.get("a", record, d.decrypt("a1"));
    opened.forget("a");
    opened.get("a", record, d.decrypt("a2"));
    expect(d.calls).toEqual(["a1", "a2"]);
  });
});

describe("the broker keeps opened clusters between requests", () => {
  const kubeconfig = (token: string) =>
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: c, cluster: {server: https://one.example:6443}}]",
      `users: [{name: u, user: {token: ${token}}}]`,
      "contexts: [{name: x, context: {cluster: c, user: u}}]",
      "current-context: x",
    ].join("\n");

  /** two apps (two isolates) on one store; each records the kubeconfigs its connector gets */
  async function isolates() {
    const records = new CountingShardedStore();
    const vars = { KEK: randomBytes(32).toString("base64") };
    const app = async () => {
      const seen: string[] = [];
      const parsed: string[] = [];
      const broker = await inProcessBroker([], {
        records,
        vars,
        onConnect: (cluster, _width, { kubeconfig: text, memo }) => {
          seen.push(text);
          if (!memo?.has(cluster)) {
            parsed.push(text);
            memo?.set(cluster, true);
          }
        },
      });
      return { call: broker.call, seen, parsed };
    };
    return { a: await app(), b: await app() };
  }

  const put = (value: string) => ({ source: { type: "inline", pairs: { A: value } } });

  it("decrypts and parses a kubeconfig once for many PUTs, and anew after another isolate registers it again", async () => {
    const { a, b } = await isolates();
    expect(
      (await a.call("PUT", "/v1/clusters/one", ADMIN, { kubeconfig: kubeconfig("first") })).status,
    ).toBe(201);
    const token = (await a.call("POST", "/v1/tokens", ADMIN, { owners: ["0a1b2c3d"] })).body.token;
    for (const v of ["1", "2", "3"]) {
      const r = await a.call("PUT", "/v1/secrets/db", token, put(v));
      expect(r.status).toBe(200);
      expect(r.body.results).toEqual([
        expect.objectContaining({ cluster: "one", status: v === "1" ? "created" : "updated" }),
      ]);
    }
    expect(a.parsed).toEqual([kubeconfig("first")]);
    expect(a.seen.length).toBeGreaterThanOrEqual(3);

    // registered again through the other isolate: this one's next PUT uses the new kubeconfig
    expect(
      (await b.call("PUT", "/v1/clusters/one", ADMIN, { kubeconfig: kubeconfig("second") })).status,
    ).toBe(200);
    expect((await a.call("PUT", "/v1/secrets/db", token, put("4"))).status).toBe(200);
    expect(a.parsed).toEqual([kubeconfig("first"), kubeconfig("second")]);
    expect(new Set(a.seen.slice(a.seen.indexOf(kubeconfig("second"))))).toEqual(
      new Set([kubeconfig("second")]),
    );
  });

  it("never opens a cluster removed through another isolate (the request reads the registry)", async () => {
    const { a, b } = await isolates();
    for (const [name, token] of [
      ["one", "first"],
      ["two", "other"],
    ] as const) {
      const r = await a.call("PUT", `/v1/clusters/${name}`, ADMIN, {
        kubeconfig: kubeconfig(token),
      });
      expect(r.status).toBe(201);
    }
    const token = (await a.call("POST", "/v1/tokens", ADMIN, { owners: ["0a1b2c3d"] })).body.token;
    expect((await a.call("PUT", "/v1/secrets/db", token, put("1"))).status).toBe(200);
    expect(new Set(a.seen)).toEqual(new Set([kubeconfig("first"), kubeconfig("other")]));
    const seen = a.seen.length;
    expect((await b.call("DELETE", "/v1/clusters/one", ADMIN)).status).toBe(204);
    const r = await a.call("PUT", "/v1/secrets/db", token, put("2"));
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { cluster: string }) => x.cluster)).toEqual(["two"]);
    expect(a.seen.slice(seen)).toEqual([kubeconfig("other"), kubeconfig("other")]);
  });

  it("over its bounds, a PUT still opens each of its clusters once", async () => {
    const opened = new OpenedClusters({ max: 1 });
    const broker = await inProcessBroker(["one", "two", "three"], { opened });
    const token = await broker.token(["0a1b2c3d"]);
    const decrypt = vi.spyOn(crypto.subtle, "decrypt");
    try {
      const r = await broker.call("PUT", "/v1/secrets/db", token, put("1"));
      expect(r.status).toBe(200);
      expect(r.body.results.map((x: { status: string }) => x.status)).toEqual([
        "created",
        "created",
        "created",
      ]);
      // opened early (during the ledger's start) and by the fan-out: once each
      expect(decrypt).toHaveBeenCalledTimes(3);
      expect(opened.size).toBe(1);
    } finally {
      decrypt.mockRestore();
    }
  });

  it("registering a cluster again or removing it through this isolate drops what it kept", async () => {
    const opened = new OpenedClusters();
    const broker = await inProcessBroker(["one", "two"], { opened });
    const token = await broker.token(["0a1b2c3d"]);
    expect((await broker.call("PUT", "/v1/secrets/db", token, put("1"))).status).toBe(200);
    expect(opened.size).toBe(2);
    const again = await broker.call("PUT", "/v1/clusters/one", ADMIN, {
      kubeconfig: kubeconfig("second"),
    });
    expect(again.status).toBe(200);
    expect(opened.size).toBe(1);
    expect((await broker.call("DELETE", "/v1/clusters/two", ADMIN)).status).toBe(204);
    expect(opened.size).toBe(0);
  });
});
