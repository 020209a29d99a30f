// Issue 13 on the broker, in-process over fake clusters: cluster registration reads no host file,
// names no metadata address and runs no program (test/e2e/broker-hardening.test.ts runs the same
// against real workerd). Split from hardening-broker.test.ts (refused inputs).
import { describe, expect, it } from "vitest";
import { ADMIN, fakeKubeconfig, inProcessBroker } from "../support/hardening-broker.ts";

const kubeconfigRefusals: {
  what: string;
  kubeconfig: string;
  runtime?: "edge" | "node";
  env?: Record<string, string>;
  field: string;
  message: string;
}[] = [
  ...[
    "http://127.0.0.1:8787/v1/secrets/x?",
    "https://10.0.0.1:6443/#frag",
    "https://10.0.0.1:6443?watch=1",
  ].map((server) => ({
    what: `server ${server}: a query or fragment`,
    kubeconfig: fakeKubeconfig(server),
    field: "kubeconfig: clusters[c].cluster.server",
    message:
      'clusters[c].cluster.server must not have a query or fragment ("?" or "#"): give the API server\'s URL, like https://10.0.0.1:6443',
  })),
  {
    what: "server with a path (the broker's own API)",
    kubeconfig: fakeKubeconfig("http://127.0.0.1:8787/v1/secrets/x"),
    field: "kubeconfig: clusters[c].cluster.server",
    message:
      "clusters[c].cluster.server has a path (13 characters after the host); the broker sends its requests to the API server itself: give its URL without a path, like https://10.0.0.1:6443 (behind Rancher: the cluster's authorized endpoint)",
  },
  ...[
    ["https://169.254.169.254", "169.254.169.254"],
    ["https://metadata.google.internal", "metadata.google.internal"],
    ["https://[fd00:ec2::254]", "[fd00:ec2::254]"],
    ["https://2852039166:443", "169.254.169.254"],
    ["https://[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]"],
    ["https://[fe80::1]:6443", "[fe80::1]"],
    ["https://100.100.100.200", "100.100.100.200"],
  ].map(([server, host]) => ({
    what: `a metadata address: ${server}`,
    kubeconfig: fakeKubeconfig(server),
    field: "kubeconfig: clusters[c].cluster.server",
    message: `clusters[c].cluster.server is a link-local or cloud metadata address (${host}), never a Kubernetes API server: give the API server's URL`,
  })),
  ...[
    "https://10.0.0.1:6443",
    "https://192.168.1.5",
    "https://[fd12::1]",
    "https://localhost:6443",
  ].map((server) => ({
    what: `a private address with CLUSTER_PRIVATE_ADDRESSES=refuse: ${server}`,
    kubeconfig: fakeKubeconfig(server),
    env: { CLUSTER_PRIVATE_ADDRESSES: "refuse" },
    field: "kubeconfig: clusters[c].cluster.server",
    message: `clusters[c].cluster.server is a private or loopback address (${new URL(server).hostname}), and this broker reaches public API servers only (setting CLUSTER_PRIVATE_ADDRESSES=refuse): give the API server's public URL, or ask the broker's operator`,
  })),
  {
    what: "Node entry: a tokenFile on the broker's host is not read",
    runtime: "node",
    kubeconfig: fakeKubeconfig(undefined, "{tokenFile: /etc/hostname}"),
    field: "kubeconfig: users[u].user.tokenFile",
    message:
      "users[u].user.tokenFile names a file on the broker's host, which the broker does not read for a registered kubeconfig: embed the content instead (embed it with `kubectl config view --raw --minify --flatten --context <name>`)",
  },
  {
    what: "Node entry: a certificate-authority file",
    runtime: "node",
    kubeconfig: fakeKubeconfig().replace(
      'server: "https://10.0.0.1:6443"',
      'server: "https://10.0.0.1:6443", certificate-authority: /etc/ssl/ca.pem',
    ),
    field: "kubeconfig: clusters[c].cluster.certificate-authority",
    message:
      "clusters[c].cluster.certificate-authority names a file on the broker's host, which the broker does not read for a registered kubeconfig: embed the content instead (embed it with `kubectl config view --raw --minify --flatten --context <name>`)",
  },
  {
    what: "Node entry: an exec plugin is refused, as docs/broker.md says",
    runtime: "node",
    kubeconfig: fakeKubeconfig(undefined, "{exec: {command: /bin/true, apiVersion: v1}}"),
    field: "kubeconfig: users[u].user.exec",
    message:
      "users[u].user.exec runs a program on the broker's host, which the broker does not do for a registered kubeconfig: use a ServiceAccount token in users[u].user.token (`npm run register-cluster -- --service-account` makes one)",
  },
];

describe("cluster registration refuses what the broker must not reach or read", () => {
  it.each(kubeconfigRefusals)("$what", async (c) => {
    const broker = await inProcessBroker({
      runtime: c.runtime ?? "edge",
      ...(c.env ? { env: c.env } : {}),
    });
    const res = await broker.request("PUT", "/v1/clusters/bad", {
      token: ADMIN,
      json: { kubeconfig: c.kubeconfig },
    });
    expect([res.status, res.body.code], res.text).toEqual([400, "invalid_kubeconfig"]);
    expect(res.body.errors).toEqual([{ field: c.field, message: c.message }]);
    expect(broker.storeWrites()).toBe(0);
  });

  it("private addresses are accepted by default (self-hosted clusters, local development)", async () => {
    const broker = await inProcessBroker();
    // registered (201), then replaced (200)
    for (const [server, status] of [
      ["https://10.0.0.1:6443", 201],
      ["http://127.0.0.1:6443", 200],
    ] as const) {
      const res = await broker.request("PUT", "/v1/clusters/ok", {
        token: ADMIN,
        json: { kubeconfig: fakeKubeconfig(server) },
      });
      expect([res.status, res.body.server]).toEqual([status, server]);
    }
  });
});
