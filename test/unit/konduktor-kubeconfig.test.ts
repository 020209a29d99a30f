// Kubeconfig parsing: contexts, namespaces, credentials, runtimes (edge / node), and errors that
// never quote a value. Split from konduktor-kube.test.ts (error model, fetch adapter).
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { fetchKubeSecretsFromKubeconfig } from "../../konduktor/kube/fetch-adapter.ts";
import { KubeconfigError, parseKubeconfig } from "../../konduktor/kube/kubeconfig.ts";

const CANARY = "CANARY-c0ffee-s3cr3t";

const kubeconfig = (user: object, cluster: object = {}, extra: object = {}) =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "prod",
        cluster: {
          server: "https://k.example:6443/",
          "certificate-authority-data": Buffer.from("-----BEGIN CERTIFICATE-----\nx\n").toString(
            "base64",
          ),
          ...cluster,
        },
      },
    ],
    users: [{ name: "ci", user }],
    contexts: [
      { name: "main", context: { cluster: "prod", user: "ci", namespace: "ml" } },
      { name: "nons", context: { cluster: "prod", user: "ci" } },
    ],
    "current-context": "main",
    ...extra,
  });

describe("kubeconfig parsing", () => {
  it("picks the current context, its namespace, server, CA and token", () => {
    const p = parseKubeconfig(kubeconfig({ token: CANARY }), { runtime: "edge" });
    expect(p).toMatchObject({
      contextName: "main",
      clusterName: "prod",
      userName: "ci",
      server: "https://k.example:6443",
      namespace: "ml",
      token: CANARY,
      insecureSkipTlsVerify: false,
    });
    expect(p.caPem).toContain("BEGIN CERTIFICATE");
    expect(parseKubeconfig(kubeconfig({ token: "t" }), { context: "nons" }).namespace).toBe(
      "default",
    );
  });

  const rejects: [string, string, object, object, object, "edge" | "node", string][] = [
    [
      "exec plugin on edge",
      "users[ci].user.exec",
      { exec: { command: "aws", args: [CANARY] } },
      {},
      {},
      "edge",
      "users[ci].user.exec runs a program to get credentials, which the edge runtime cannot do: use a ServiceAccount token (`kubectl create token <sa>`) in users[ci].user.token",
    ],
    [
      "auth-provider on edge",
      "users[ci].user.auth-provider",
      { "auth-provider": { name: "gcp" } },
      {},
      {},
      "edge",
      "users[ci].user.auth-provider is not supported on the edge runtime: use a ServiceAccount token in users[ci].user.token",
    ],
    [
      "CA file on edge",
      "clusters[prod].cluster.certificate-authority",
      { token: CANARY },
      { "certificate-authority-data": undefined, "certificate-authority": "/etc/ca.crt" },
      {},
      "edge",
      "clusters[prod].cluster.certificate-authority is a file path, and the edge runtime has no filesystem: use certificate-authority-data instead (embed it with `kubectl config view --raw --minify --flatten --context <name>`)",
    ],
    [
      "tokenFile on edge",
      "users[ci].user.tokenFile",
      { tokenFile: "/var/run/token" },
      {},
      {},
      "edge",
      "users[ci].user.tokenFile is a file path, and the edge runtime has no filesystem: put the token itself in users[ci].user.token",
    ],
    [
      "client certificate on edge",
      "users[ci].user.client-certificate-data",
      { "client-certificate-data": "eA==", "client-key-data": "eA==" },
      {},
      {},
      "edge",
      "users[ci].user.client-certificate-data: the edge runtime's fetch cannot present a client certificate: use a ServiceAccount token in users[ci].user.token, or run on Node",
    ],
    [
      "insecure on edge",
      "clusters[prod].cluster.insecure-skip-tls-verify",
      { token: CANARY },
      { "insecure-skip-tls-verify": true },
      {},
      "edge",
      "clusters[prod].cluster.insecure-skip-tls-verify cannot be honoured on the edge runtime (fetch always verifies TLS): give the cluster's CA in certificate-authority-data or use a publicly trusted certificate",
    ],
    [
      "unknown context",
      "contexts",
      { token: CANARY },
      {},
      { "current-context": "gone" },
      "node",
      'context "gone" is not in the kubeconfig (available: main, nons): pick one of those',
    ],
    [
      "no current context",
      "current-context",
      { token: CANARY },
      {},
      { "current-context": undefined },
      "node",
      "current-context is not set and no context was given: set it (`kubectl config use-context <name>`) or name a context (available: main, nons)",
    ],
    [
      "CA data that is not PEM",
      "clusters[prod].cluster.certificate-authority-data",
      { token: CANARY },
      { "certificate-authority-data": Buffer.from(CANARY).toString("base64") },
      {},
      "node",
      'clusters[prod].cluster.certificate-authority-data does not decode to a PEM certificate (no "-----BEGIN" line): embed it with `kubectl config view --raw --minify --flatten --context <name>`',
    ],
    [
      "basic auth",
      "users[ci].user.username",
      { username: "u", password: CANARY },
      {},
      {},
      "node",
      "users[ci].user.username/password (basic auth) was removed from Kubernetes: use a token or a client certificate",
    ],
    [
      "server missing",
      "clusters[prod].cluster.server",
      { token: CANARY },
      { server: undefined },
      {},
      "node",
      "clusters[prod].cluster.server is missing: give the API server's https:// URL",
    ],
  ];
  it.each(rejects)("rejects %s", (_what, field, user, cluster, extra, runtime, message) => {
    let thrown: unknown;
    try {
      parseKubeconfig(kubeconfig(user, cluster, extra), { runtime });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KubeconfigError);
    expect((thrown as KubeconfigError).field).toBe(field);
    expect((thrown as KubeconfigError).message).toBe(message);
    expect((thrown as KubeconfigError).message).not.toContain(CANARY);
  });

  it("edge refuses http:// servers except loopback; node accepts them (as kubectl does)", () => {
    const msg =
      "clusters[prod].cluster.server is plain http:// to a host that is not this machine, which would send the credentials unencrypted: use the API server's https:// URL (http:// is allowed only for localhost, 127.0.0.0/8 and ::1)";
    for (const server of [
      "http://k.example:8080",
      "http://10.0.0.1:8080",
      "http://128.0.0.1",
      "http://[::2]:80",
      "http://localhost.example.com",
      "http://[::ffff:127.0.0.1]",
    ]) {
      let thrown: unknown;
      try {
        parseKubeconfig(kubeconfig({ token: CANARY }, { server }), { runtime: "edge" });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, server).toBeInstanceOf(KubeconfigError);
      expect((thrown as KubeconfigError).field).toBe("clusters[prod].cluster.server");
      expect((thrown as KubeconfigError).message).toBe(msg);
      expect(
        parseKubeconfig(kubeconfig({ token: CANARY }, { server }), { runtime: "node" }).server,
      ).toBe(new URL(server).href.replace(/\/+$/, ""));
    }
    for (const server of [
      "http://127.0.0.1:8001",
      "http://127.3.2.1",
      "http://localhost:8080",
      "http://LOCALHOST.:8080",
      "http://[::1]:8080",
    ]) {
      expect(
        parseKubeconfig(kubeconfig({ token: "t" }, { server }), { runtime: "edge" }).server,
      ).toBe(new URL(server).href.replace(/\/+$/, ""));
    }
  });

  it("on node, exec plugins are accepted for the client-node adapter but refused by the fetch adapter", () => {
    const p = parseKubeconfig(kubeconfig({ exec: { command: "aws" } }), { runtime: "node" });
    expect(p.needsClientNode).toBe("exec");
    expect(() => fetchKubeSecretsFromKubeconfig(p)).toThrow(
      'the kubeconfig\'s user "ci" authenticates with an exec plugin, which the fetch adapter cannot run: use the client-node adapter, or a token',
    );
  });

  it("invalid YAML names only the line, never its text", () => {
    const text = `apiVersion: v1\nusers:\n- name: ci\n  user:\n    token: "${CANARY}\n   bad: [`;
    let thrown: unknown;
    try {
      parseKubeconfig(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KubeconfigError);
    expect((thrown as Error).message).toBe(
      "the kubeconfig is not valid YAML (near line 6): check its indentation and quoting",
    );
  });
});
