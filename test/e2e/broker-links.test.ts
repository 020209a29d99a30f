// A fan-out wider than one Worker invocation's 6 connections (functions/cluster-link.ts), in real
// workerd: with 7 target clusters every request to a cluster leaves from a Durable Object
// invocation of its own (named by NAME_INVOCATIONS, counted by a connection-cap proxy per name),
// so none waits for a slot; with 6 the Worker sends them itself, from the one invocation.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  Closer,
  editorEntry,
  ensureNamespace,
  kubeconfigOf,
  servingCert,
} from "../../bench/lib/clusters.ts";
import { type CountingProxy, startCountingProxy } from "../../bench/proxy/counting-proxy.ts";
import { createLimiter } from "../../bench/proxy/limiter.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { type StallProxy, startStallProxy } from "../support/stall-proxy.ts";
import { issueToken, newOwner, readSecret } from "./support.ts";

const clusters = inject("clusters");
const WIDE = 7;

describe("a fan-out wider than 6 clusters goes through one link invocation per request", () => {
  let broker: RunningBroker;
  const closer = new Closer();
  const limiter = createLimiter(6);
  const proxies: CountingProxy[] = [];
  const names = Array.from({ length: WIDE }, (_, i) => `link${i}`);
  const run = randomBytes(3).toString("hex");
  const namespaces = names.map((n) => `e2e-${n}-${run}`);
  const owner = newOwner();
  let wideToken: string;
  let narrowToken: string;
  let stall: StallProxy | undefined;
  const alpha = () => clusters[0]!;

  beforeAll(async () => {
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { NAME_INVOCATIONS: "1", CLUSTER_RETRIES: "0", CLUSTER_TIMEOUT_MS: "3000" },
    });
    for (const [i, name] of names.entries()) {
      await ensureNamespace(alpha(), namespaces[i]!);
      const proxy = closer.add(
        await startCountingProxy({
          upstream: alpha().server,
          upstreamCa: alpha().caPem,
          tls: servingCert(alpha()),
          limiter,
        }),
      );
      proxies.push(proxy);
      const res = await broker.request("PUT", `/v1/clusters/${name}`, {
        token: broker.adminToken,
        json: {
          kubeconfig: kubeconfigOf([editorEntry(alpha(), name, proxy.url, namespaces[i]!)]),
        },
      });
      expect(res.status, res.text).toBe(201);
    }
    ({ token: wideToken } = await issueToken(broker, { owners: [owner], clusters: names }));
    ({ token: narrowToken } = await issueToken(broker, {
      owners: [owner],
      clusters: names.slice(0, 6),
    }));
  });

  afterAll(async () => {
    await stall?.close();
    await closer.closeAll();
    await broker?.stop();
  });

  const reset = () => {
    for (const p of proxies) p.reset();
    limiter.resetStats();
  };

  it("7 clusters: each request from its own link invocation, none waits for a slot", async () => {
    reset();
    const res = await broker.request("PUT", `/v1/secrets/wide-${run}`, {
      token: wideToken,
      json: { kind: "env", source: { type: "inline", pairs: { A: "1" } } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.results.map((r: { cluster: string; status: string }) => r.status)).toEqual(
      names.map(() => "created"),
    );
    const requests = proxies.flatMap((p) => p.requests);
    // a new secret: the read, then the create, on each cluster
    expect(proxies.map((p) => p.requests.map((r) => r.method))).toEqual(
      names.map(() => ["GET", "POST"]),
    );
    expect(requests.every((r) => /^link-[0-9a-f-]{36}$/.test(r.invocation))).toBe(true);
    expect(new Set(requests.map((r) => r.invocation)).size).toBe(2 * WIDE);
    expect(limiter.maxInFlight).toBe(1);
    expect(limiter.queued).toBe(0);
    for (const ns of namespaces) {
      const copy = await readSecret(alpha(), `wide-${run}-${owner}`, ns);
      expect(copy?.data).toEqual({ A: Buffer.from("1").toString("base64") });
    }
  });

  it("6 clusters: the Worker sends every request itself, from one invocation", async () => {
    reset();
    const res = await broker.request("PUT", `/v1/secrets/narrow-${run}`, {
      token: narrowToken,
      json: { kind: "env", source: { type: "inline", pairs: { A: "1" } } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.results).toHaveLength(6);
    const requests = proxies.slice(0, 6).flatMap((p) => p.requests);
    expect(requests).toHaveLength(12);
    expect(requests.map((r) => r.invocation)).toEqual(requests.map(() => ""));
    expect(proxies[6]!.requests).toEqual([]);
  });

  it("a sync's writes: more than 6 in flight leave from link invocations; its LISTs from the Worker", async () => {
    // two clusters; the secrets are on link0 only (link1 was down while they were written), so a
    // sync writes each of them to link1: 7 writes may be in flight at once, 6 may go directly
    for (const [count, viaLinks] of [
      [6, false],
      [7, true],
    ] as const) {
      const syncOwner = newOwner();
      const { token } = await issueToken(broker, {
        owners: [syncOwner],
        clusters: names.slice(0, 2),
      });
      proxies[1]!.setDown(true);
      try {
        for (let i = 0; i < count; i++) {
          const put = await broker.request("PUT", `/v1/secrets/sync${i}-${run}`, {
            token,
            json: { kind: "env", source: { type: "inline", pairs: { A: String(i) } } },
          });
          expect(put.status, put.text).toBe(207);
        }
      } finally {
        proxies[1]!.setDown(false);
      }
      reset();
      const sync = await broker.request("POST", "/v1/sync", { token, json: {} });
      expect(sync.status, sync.text).toBe(200);
      expect(sync.body.summary).toMatchObject({ planned: count, done: count, failed: 0 });
      expect(proxies[0]!.requests.map((r) => [r.method, r.invocation])).toEqual([["GET", ""]]);
      const toBeta = proxies[1]!.requests;
      expect(toBeta.map((r) => r.method)).toEqual(["GET", ...Array(count).fill("POST")]);
      expect(toBeta[0]!.invocation).toBe("");
      const writes = toBeta.slice(1).map((r) => r.invocation);
      if (viaLinks) {
        expect(writes.every((i) => /^link-[0-9a-f-]{36}$/.test(i))).toBe(true);
        expect(new Set(writes).size).toBe(count);
      } else {
        expect(writes).toEqual(Array(count).fill(""));
      }
      expect(limiter.queued).toBe(0);
      const copy = await readSecret(alpha(), `sync0-${run}-${syncOwner}`, namespaces[1]!);
      expect(copy?.data).toEqual({ A: Buffer.from("0").toString("base64") });
    }
  });

  it("a cluster that never answers through its link costs its deadline; nothing lands after", async () => {
    const ns = `e2e-linkstall-${run}`;
    await ensureNamespace(alpha(), ns);
    stall = await startStallProxy(Number(new URL(alpha().server).port));
    const res = await broker.request("PUT", "/v1/clusters/linkstall", {
      token: broker.adminToken,
      json: { kubeconfig: kubeconfigOf([editorEntry(alpha(), "linkstall", stall.server, ns)]) },
    });
    expect(res.status, res.text).toBe(201);
    const { token } = await issueToken(broker, {
      owners: [owner],
      clusters: [...names, "linkstall"],
    });
    stall.stall(true);
    const put = await broker.request("PUT", `/v1/secrets/stalled-${run}`, {
      token,
      json: { kind: "env", source: { type: "inline", pairs: { A: "1" } } },
    });
    expect(put.status, put.text).toBe(207);
    const rows = put.body.results.map((r: { cluster: string; status: string; code?: string }) => [
      r.cluster,
      r.status === "error" ? r.code : r.status,
    ]);
    expect(rows).toEqual([...names.map((n) => [n, "created"]), ["linkstall", "timeout"]]);
    // the held bytes flow now; the write after the read was never sent (its deadline passed)
    stall.stall(false);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await readSecret(alpha(), `stalled-${run}-${owner}`, ns)).toBeNull();
  });
});
