// One request per cluster against the real kube-apiserver: the jsonPatch contract through both
// adapters (the same suite passes on the in-memory fake), and the broker (in-process on Node, its
// real fetch adapter) behind one counting proxy per cluster (bench/proxy/counting-proxy.ts): the
// requests each PUT sends are counted as they pass, stored writes read off the resourceVersion.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { servingCert } from "../../bench/lib/clusters.ts";
import { type CountingProxy, startCountingProxy } from "../../bench/proxy/counting-proxy.ts";
import { createApp } from "../../functions/app.ts";
import { loadConfig } from "../../functions/config.ts";
import { brokerKeyring } from "../../functions/ledger/keys.ts";
import { nodeConnector } from "../../functions/node.ts";
import { checkSeal } from "../../konduktor/format.ts";
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import { nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import { type ClusterInfo, kubeconfigFor } from "../cluster/cluster.ts";
import { CountingShardedStore } from "../support/counting-records.ts";
import { jsonPatchContract } from "../support/json-patch-contract.ts";
import { b64 } from "../support/kube-contract.ts";

const clusters = inject("clusters");
const [alpha, beta] = [clusters[0]!, clusters[1]!];

jsonPatchContract("fetch adapter (alpha)", () =>
  nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor")),
);
jsonPatchContract("client-node adapter (beta)", () =>
  createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(beta, "secrets-editor") }),
);

describe("the broker's PUT, counted at the apiserver's door", () => {
  const ADMIN = "a".repeat(40);
  const owner = randomBytes(4).toString("hex");
  const secretName = `one-${owner}`;
  const proxies = new Map<string, CountingProxy>();
  const app = createApp({
    config: loadConfig({
      ADMIN_TOKEN: ADMIN,
      KEK: randomBytes(32).toString("base64"),
      KEK_ID: "k1",
      CLUSTER_RETRIES: "0",
    }),
    records: new CountingShardedStore(),
    runtime: "node",
    connector: nodeConnector,
    log: () => {},
  });
  const call = async (method: string, path: string, token: string, json?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
  };
  let token = "";
  /** the requests each cluster received since the last look: "METHOD status" */
  const seen = () =>
    Object.fromEntries(
      [...proxies].map(([name, p]) => {
        const got = p.requests.map((r) => `${r.method} ${r.status}`);
        p.reset();
        return [name, got];
      }),
    );
  /** the copy as the apiserver holds it, read past the proxies (as the admin) */
  const direct = (c: ClusterInfo) => nodeKubeSecrets(kubeconfigFor(c, "admin"));
  const rv = async (c: ClusterInfo) =>
    (await (await direct(c)).get(secretName))?.metadata.resourceVersion as string;
  const put = async (body: Record<string, unknown>) => {
    const r = await call("PUT", `/v1/secrets/one`, token, body);
    expect(r.status, r.text).toBe(200);
    return r.body.results.map((x: { cluster: string; status: string; writes: number }) => [
      x.cluster,
      x.status,
      x.writes,
    ]);
  };

  beforeAll(async () => {
    for (const c of [alpha, beta]) {
      const proxy = await startCountingProxy({
        upstream: c.server,
        upstreamCa: c.caPem,
        tls: servingCert(c),
      });
      proxies.set(c.name, proxy);
      const r = await call("PUT", `/v1/clusters/${c.name}`, ADMIN, {
        kubeconfig: kubeconfigFor({ ...c, server: proxy.url }, "secrets-editor"),
      });
      expect(r.status, r.text).toBe(201);
    }
    const t = await call("POST", "/v1/tokens", ADMIN, { owners: [owner] });
    expect(t.status, t.text).toBe(201);
    token = t.body.token;
    seen();
  });
  afterAll(async () => {
    for (const c of [alpha, beta]) await (await direct(c)).delete(secretName).catch(() => {});
    for (const p of proxies.values()) await p.close();
  });

  it("1 request per cluster when the ledger's copy is there, 2 (refused patch, write back) when it was changed outside the broker", async () => {
    // new: nothing known yet, read then create
    expect(await put({ source: { type: "inline", pairs: { A: "1" } } })).toEqual([
      [alpha.name, "created", 1],
      [beta.name, "created", 1],
    ]);
    expect(seen()).toEqual({
      [alpha.name]: ["GET 404", "POST 201"],
      [beta.name]: ["GET 404", "POST 201"],
    });

    // changed: ONE conditional patch per cluster, one stored write each
    const before = [await rv(alpha), await rv(beta)];
    expect(await put({ source: { type: "inline", pairs: { A: "2" } } })).toEqual([
      [alpha.name, "updated", 1],
      [beta.name, "updated", 1],
    ]);
    expect(seen()).toEqual({ [alpha.name]: ["PATCH 200"], [beta.name]: ["PATCH 200"] });
    const changed = [await rv(alpha), await rv(beta)];
    expect(changed[0]).not.toBe(before[0]);
    expect(changed[1]).not.toBe(before[1]);

    // unchanged: ONE check per cluster (tests only), nothing stored (same resourceVersion)
    expect(await put({ source: { type: "inline", pairs: { A: "2" } } })).toEqual([
      [alpha.name, "unchanged", 0],
      [beta.name, "unchanged", 0],
    ]);
    expect(seen()).toEqual({ [alpha.name]: ["PATCH 200"], [beta.name]: ["PATCH 200"] });
    expect([await rv(alpha), await rv(beta)]).toEqual(changed);

    // changed outside the broker on alpha (as with kubectl): the patch is refused there (422,
    // nothing written), then a second one, conditional on the ledger's signature only, writes the
    // secret back without reading it; beta still takes one request
    await (await direct(alpha)).mergePatch(secretName, { data: { A: b64("edited") } });
    expect(await put({ source: { type: "inline", pairs: { A: "3" } } })).toEqual([
      [alpha.name, "updated", 1],
      [beta.name, "updated", 1],
    ]);
    expect(seen()).toEqual({
      [alpha.name]: ["PATCH 422", "PATCH 200"],
      [beta.name]: ["PATCH 200"],
    });
    expect((await (await direct(alpha)).get(secretName))?.data).toEqual({ A: b64("3") });

    // the same value after an edit outside the broker is written back, never `unchanged`
    await (await direct(beta)).mergePatch(secretName, { data: { A: b64("edited") } });
    expect(await put({ source: { type: "inline", pairs: { A: "3" } } })).toEqual([
      [alpha.name, "unchanged", 0],
      [beta.name, "updated", 1],
    ]);
    expect(seen()).toEqual({
      [alpha.name]: ["PATCH 200"],
      [beta.name]: ["PATCH 422", "PATCH 200"],
    });
    expect((await (await direct(beta)).get(secretName))?.data).toEqual({ A: b64("3") });

    // deleted outside the broker on alpha: the patch finds nothing (404), the copy is created
    // again without a read
    await (await direct(alpha)).delete(secretName);
    expect(await put({ source: { type: "inline", pairs: { A: "3" } } })).toEqual([
      [alpha.name, "created", 1],
      [beta.name, "unchanged", 0],
    ]);
    expect(seen()).toEqual({
      [alpha.name]: ["PATCH 404", "POST 201"],
      [beta.name]: ["PATCH 200"],
    });

    // a key added outside the broker on beta (a merge keeps it): refused, written back, and
    // signed as the copy holds it (the key it did not write included)
    await (await direct(beta)).mergePatch(secretName, { data: { X: b64("x") } });
    expect(await put({ source: { type: "inline", pairs: { A: "4" } } })).toEqual([
      [alpha.name, "updated", 1],
      [beta.name, "updated", 2],
    ]);
    expect(seen()).toEqual({
      [alpha.name]: ["PATCH 200"],
      [beta.name]: ["PATCH 422", "PATCH 200", "PATCH 200"],
    });
    const held = (await (await direct(beta)).get(secretName)) as KubeSecret;
    expect(held.data).toEqual({ A: b64("4"), X: b64("x") });
    // signed as it holds both keys; X is not the broker's own
    expect(await checkSeal(await brokerKeyring(app.services.config), held)).toMatchObject({
      state: "valid",
    });
    expect(held.metadata.annotations?.["konduktor-broker/managed-keys"]).toBe("A");
  });
});
