// On the real kube-apiserver, both adapters (fetch and @kubernetes/client-node): the namespace
// `default` when the context names none, and the error model (forbidden with verb and resource,
// unauthorized, refusals, unreachable, timeout). Split from konduktor-format.test.ts.
import { randomBytes } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import { nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret, listOwn } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import type { ApplyOptions } from "../../konduktor/types.ts";
import { type ClusterInfo, freePort, kubeconfigFor, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { clusterFetch } from "../support/cluster-fetch.ts";
import { b64 } from "../support/kube-contract.ts";
import { newOwner } from "../support/ops-contract.ts";

const clusters = inject("clusters");
const alpha = clusters[0] as ClusterInfo;
const beta = clusters[1] as ClusterInfo;

const merge: ApplyOptions = {
  mode: "merge",
  provenance: { actor: "token:it", via: "integration" },
};

const adapters: [string, (kubeconfig: string) => Promise<KubeSecrets> | KubeSecrets][] = [
  ["fetch", (k) => nodeKubeSecrets(k)],
  ["client-node", (k) => createClientNodeKubeSecrets({ kubeconfig: k })],
];

describe("namespace `default` when the context names none, both adapters", () => {
  it.each(adapters)("%s: the Secret lands in default", async (_n, make) => {
    const kubeconfig = kubeconfigFor(alpha, "admin", null);
    expect(kubeconfig).not.toContain("namespace");
    const kube = await make(kubeconfig);
    expect(kube.namespace).toBe("default");
    const owner = newOwner();
    const name = `nons-${owner}`;
    await applySecret(
      kube,
      buildSecret({ owner, basename: "nons", source: { type: "inline", pairs: { A: "1" } } }),
      merge,
    );
    try {
      // read back with plain undici and the admin token, in default and not in the test namespace
      const at = async (ns: string) =>
        (
          await clusterFetch(alpha)(`${alpha.server}/api/v1/namespaces/${ns}/secrets/${name}`, {
            headers: { authorization: `Bearer ${alpha.tokens.admin}` },
          })
        ).status;
      expect(await at("default")).toBe(200);
      expect(await at(TEST_NAMESPACE)).toBe(404);
    } finally {
      await kube.delete(name);
    }
  });
});

describe("errors from the real server, both adapters", () => {
  it.each(adapters)("%s: forbidden (with verb and resource), unauthorized", async (_n, make) => {
    const reader = await make(kubeconfigFor(beta, "secrets-reader"));
    const owner = newOwner();
    const e = (await applySecret(
      reader,
      buildSecret({ owner, basename: "ro", source: { type: "inline", pairs: { A: "1" } } }),
      merge,
    ).catch((x) => x)) as KubeError;
    expect(e).toBeInstanceOf(KubeError);
    expect([e.code, e.verb, e.resource, e.retryable]).toEqual([
      "forbidden",
      "create",
      "secrets",
      false,
    ]);
    expect(e.message).toBe(
      `not allowed to create secrets in namespace "${TEST_NAMESPACE}" on cluster "beta" (403 Forbidden): grant the kubeconfig's user the RBAC verb "create" on "secrets" in that namespace`,
    );
    const nobody = await make(kubeconfigFor(beta, "nobody"));
    const e2 = (await listOwn(nobody, owner).catch((x) => x)) as KubeError;
    expect([e2.code, e2.verb, e2.resource]).toEqual(["forbidden", "list", "secrets"]);
    expect(await reader.canI(["get", "create"])).toEqual({ get: true, create: false });
    const bad = kubeconfigFor(beta, "nobody").replace(beta.tokens.nobody, "not-a-token");
    const e3 = (await (await make(bad)).get("x").catch((x) => x)) as KubeError;
    expect(e3.code).toBe("unauthorized");
    expect(e3.message).not.toContain("not-a-token");
  });

  it.each(adapters)(
    "%s: too_large from the server itself (1 MiB + 1 byte straight to kube.create), no value in it",
    async (_n, make) => {
      // kube.create bypasses ops' local 1 MiB check: this is the kube-apiserver's own answer
      // (422 Invalid, cause FieldValueTooLong on `data`) through the adapter's error mapping
      const kube = await make(kubeconfigFor(alpha, "secrets-editor"));
      const owner = newOwner();
      const canary = `CANARY-${randomBytes(12).toString("hex")}`;
      const MiB = 1024 * 1024;
      const data = (total: number) => ({
        CANARY: b64(canary),
        BIG: b64(`${canary}${"x".repeat(total - 2 * canary.length)}`),
      });
      const e = (await kube
        .create({ metadata: { name: `big-${owner}` }, type: "Opaque", data: data(MiB + 1) })
        .catch((x) => x)) as KubeError;
      expect(e).toBeInstanceOf(KubeError);
      expect([e.code, e.httpStatus, e.retryable]).toEqual(["too_large", 422, false]);
      expect(e.message).toBe(
        `secret "big-${owner}" is too large for the cluster in namespace "${TEST_NAMESPACE}" on cluster "alpha": Kubernetes allows at most 1 MiB of values per secret`,
      );
      const text = JSON.stringify([e.message, e.toJSON(), String(e), e.stack, e.causes]);
      for (const form of [canary, b64(canary), Buffer.from(canary).toString("hex")]) {
        expect(text).not.toContain(form);
      }
      expect(text).not.toContain("xxxxxxxx");
      // the boundary: exactly 1 MiB is accepted
      await kube.create({
        metadata: { name: `big-${owner}` },
        type: "Opaque",
        data: data(MiB),
      });
      await kube.delete(`big-${owner}`);
    },
  );

  it.each(adapters)("%s: unreachable and timeout", async (name, make) => {
    const closed = await freePort();
    const down = kubeconfigFor(beta, "secrets-editor").replace(
      beta.server,
      `https://127.0.0.1:${closed}`,
    );
    const e = (await (await make(down)).get("x").catch((x) => x)) as KubeError;
    expect([e.code, e.retryable]).toEqual(["unreachable", true]);
    expect(e.message).toBe(
      `cannot reach cluster "beta" at https://127.0.0.1:${closed} (connection refused): check the kubeconfig's server address and the network`,
    );
    // a server that accepts connections and never answers (not even the TLS handshake)
    const sockets: Socket[] = [];
    const silentServer = createServer((socket) => {
      sockets.push(socket);
    }).listen(0, "127.0.0.1");
    try {
      await new Promise((r) => silentServer.once("listening", r));
      const port = (silentServer.address() as { port: number }).port;
      const silent = kubeconfigFor(beta, "secrets-editor").replace(
        beta.server,
        `https://127.0.0.1:${port}`,
      );
      const kube =
        name === "fetch"
          ? await nodeKubeSecrets(silent, { timeoutMs: 300 })
          : createClientNodeKubeSecrets({ kubeconfig: silent, timeoutMs: 300 });
      const started = performance.now();
      const t = (await kube.get("x").catch((x) => x)) as KubeError;
      // the adapter waited for its own deadline (a timer never fires early), then answered timeout
      expect(performance.now() - started).toBeGreaterThanOrEqual(299);
      expect([t.code, t.retryable, t.message]).toEqual([
        "timeout",
        true,
        `cluster "beta" at https://127.0.0.1:${port} did not answer in time (300 ms)`,
      ]);
      // one connection: the adapter does not retry on its own (retries belong to the fan-out)
      expect(sockets).toHaveLength(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silentServer.close(r));
    }
  });
});
