// Proves the test clusters are real kube-apiservers: Secrets round-trip through etcd, label
// selectors are evaluated by the server, RBAC denies what it should, client certificates work.
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { TEST_NAMESPACE } from "../cluster/cluster.ts";
import { clusterFetch } from "../support/cluster-fetch.ts";

const clusters = inject("clusters");
const ns = TEST_NAMESPACE;

describe("test clusters", () => {
  it("are three distinct real kube-apiservers", async () => {
    expect(clusters.map((c) => c.name)).toEqual(["alpha", "beta", "gamma"]);
    expect(new Set(clusters.map((c) => c.server)).size).toBe(3);
    for (const c of clusters) {
      const res = await clusterFetch(c)(`${c.server}/version`, {
        headers: { authorization: `Bearer ${c.tokens.admin}` },
      });
      expect(res.status).toBe(200);
      const version = (await res.json()) as { gitVersion: string; platform: string };
      console.log(`cluster ${c.name}: kube-apiserver ${version.gitVersion} (${version.platform})`);
      expect(version.gitVersion).toBe("v1.36.3");
    }
  });

  it("stores a Secret, reads it back, and lists it by label selector", async () => {
    const c = clusters[0]!;
    const f = clusterFetch(c);
    const auth = { authorization: `Bearer ${c.tokens["secrets-editor"]}` };
    const name = `probe-${randomUUID().slice(0, 8)}`;
    const run = randomUUID();
    const created = await f(`${c.server}/api/v1/namespaces/${ns}/secrets`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, labels: { "probe-run": run, parent: "konduktor" } },
        type: "Opaque",
        data: { FOO: Buffer.from("bar").toString("base64") },
      }),
    });
    expect(created.status).toBe(201);
    const got = await f(`${c.server}/api/v1/namespaces/${ns}/secrets/${name}`, { headers: auth });
    expect(got.status).toBe(200);
    const body = (await got.json()) as {
      metadata: { uid: string; resourceVersion: string };
      data: Record<string, string>;
    };
    expect(Buffer.from(body.data.FOO!, "base64").toString()).toBe("bar");
    expect(body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);

    const list = await f(
      `${c.server}/api/v1/namespaces/${ns}/secrets?labelSelector=${encodeURIComponent(`probe-run=${run}`)}`,
      { headers: auth },
    );
    const items = ((await list.json()) as { items: { metadata: { name: string } }[] }).items;
    expect(items.map((i) => i.metadata.name)).toEqual([name]);
    const none = await f(
      `${c.server}/api/v1/namespaces/${ns}/secrets?labelSelector=${encodeURIComponent("probe-run=other")}`,
      { headers: auth },
    );
    expect(((await none.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("enforces RBAC: a reader cannot create, a user without rights cannot list", async () => {
    const c = clusters[1]!;
    const f = clusterFetch(c);
    const denied = await f(`${c.server}/api/v1/namespaces/${ns}/secrets`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${c.tokens["secrets-reader"]}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ metadata: { name: "not-allowed" }, data: {} }),
    });
    expect(denied.status).toBe(403);
    const status = (await denied.json()) as { reason: string; details: { kind: string } };
    expect(status.reason).toBe("Forbidden");
    expect(status.details.kind).toBe("secrets");
    console.log(`RBAC: secrets-reader create secrets → ${denied.status} ${status.reason}`);

    const nobody = await f(`${c.server}/api/v1/namespaces/${ns}/secrets`, {
      headers: { authorization: `Bearer ${c.tokens.nobody}` },
    });
    expect(nobody.status).toBe(403);
    const other = await f(`${c.server}/api/v1/namespaces/default/secrets`, {
      headers: { authorization: `Bearer ${c.tokens["secrets-editor"]}` },
    });
    expect(other.status).toBe(403);
    const badToken = await f(`${c.server}/api/v1/namespaces/${ns}/secrets`, {
      headers: { authorization: "Bearer not-a-token" },
    });
    expect(badToken.status).toBe(401);
  });

  it("accepts a client certificate signed by the cluster CA", async () => {
    const c = clusters[2]!;
    const res = await clusterFetch(c, c.clientCert)(`${c.server}/api/v1/namespaces/${ns}/secrets`);
    expect(res.status).toBe(200);
    const forbidden = await clusterFetch(
      c,
      c.clientCert,
    )(`${c.server}/api/v1/namespaces/default/secrets`);
    expect(forbidden.status).toBe(403);
    const body = (await forbidden.json()) as { message: string };
    expect(body.message).toContain('User "cert-user"');
  });
});
