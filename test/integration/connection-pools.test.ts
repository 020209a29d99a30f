// One connection pool per adapter: requests of one adapter reuse its connection (counted by a TCP
// proxy in front of the real apiserver), for the client-node adapter (which would otherwise make a
// new TLS connection per request) and for the fetch adapter on node:https.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type DelayProxy, startDelayProxy } from "../../bench/proxy/delay-proxy.ts";
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import { nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { kubeconfigFor, TEST_NAMESPACE } from "../cluster/cluster.ts";

const clusters = inject("clusters");

describe("connections per adapter", () => {
  let proxy: DelayProxy;
  const alpha = () => clusters[0]!;
  const kubeconfig = () =>
    kubeconfigFor(alpha(), "secrets-editor").replace(alpha().server, `https://${proxy.address}`);
  beforeAll(async () => {
    proxy = await startDelayProxy({ targetPort: Number(new URL(alpha().server).port), delayMs: 0 });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  const fourCalls = async (kube: KubeSecrets) => {
    const before = proxy.connections;
    await kube.get("pool-missing-1");
    await kube.list("trainy.ai/secret-owner=0a1b2c3d");
    await kube.get("pool-missing-2");
    await kube.get("pool-missing-3");
    return proxy.connections - before;
  };

  it("client-node adapter: four requests, one connection", async () => {
    const kube = createClientNodeKubeSecrets({ kubeconfig: kubeconfig(), cluster: "alpha" });
    expect(kube.namespace).toBe(TEST_NAMESPACE);
    expect(await fourCalls(kube)).toBe(1);
  });

  it("fetch adapter (node:https): four requests, one connection", async () => {
    const kube = await nodeKubeSecrets(kubeconfig(), { cluster: "alpha" });
    expect(await fourCalls(kube)).toBe(1);
  });
});
