// Issue 13 on the broker, in-process over fake clusters: every refused input is a 400/403/413
// problem+json naming the field, with 0 cluster writes; bodies are read strictly; one clusters
// rule for query and body; registrations read no host file and name no metadata address; the
// answers and documents say what the issue asked for. The same behaviours run against real
// workerd and kube-apiservers in test/e2e/broker-hardening.test.ts.
import { describe, expect, it } from "vitest";
import { closeAfterRefusedBody } from "../../functions/node.ts";
import { kubeErrorFromResponse } from "../../konduktor/kube/errors.ts";
import { ADMIN, fakeKubeconfig, inProcessBroker } from "../support/hardening-broker.ts";

const OWNER = "0a1b2c3d";
const inline = { type: "inline", pairs: { A: "1" } };

async function brokerWithToken(env: Record<string, string> = {}) {
  const broker = await inProcessBroker({ clusters: ["alpha", "beta", "gamma"], env });
  const issued = await broker.request("POST", "/v1/tokens", {
    token: ADMIN,
    json: { owners: [OWNER, "ABCDEF12"] },
  });
  return { broker, token: issued.body.token as string };
}

interface Case {
  what: string;
  method: string;
  path: string;
  /** raw body text (sent as application/json) */
  raw?: string;
  json?: unknown;
  bytes?: Uint8Array<ArrayBuffer>;
  admin?: boolean;
  status: number;
  code: string;
  /** exact `errors` of the answer, when it has them */
  errors?: { field: string; message: string }[];
  detail?: string;
}

const refusals: Case[] = [
  {
    what: "a duplicate dryRun key (true, then false) is refused, not read as false",
    method: "PUT",
    path: "/v1/secrets/dup",
    raw: `{"dryRun":true,"dryRun":false,"owner":"${OWNER}","source":{"type":"inline","pairs":{"A":"1"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "dryRun",
        message:
          'the key "dryRun" is given more than once in the same object: give each field once',
      },
    ],
  },
  {
    what: "a duplicate owner key",
    method: "PUT",
    path: "/v1/secrets/dup",
    raw: `{"owner":"${OWNER}","owner":"ABCDEF12","source":{"type":"inline","pairs":{"A":"1"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "owner",
        message: 'the key "owner" is given more than once in the same object: give each field once',
      },
    ],
  },
  {
    what: "a duplicate key deep in the body names its path",
    method: "PUT",
    path: "/v1/secrets/dup",
    raw: `{"owner":"${OWNER}","source":{"type":"inline","pairs":{"A":"1","B":"2","A":"3"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source.pairs.A",
        message: 'the key "A" is given more than once in the same object: give each field once',
      },
    ],
  },
  {
    what: "a lone surrogate in a value names the key",
    method: "PUT",
    path: "/v1/secrets/sur",
    raw: `{"owner":"${OWNER}","source":{"type":"inline","pairs":{"A":"\\ud800"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source.pairs.A",
        message:
          "contains a lone UTF-16 surrogate (like \\ud800 without its pair), which is not text: send valid Unicode",
      },
    ],
  },
  {
    what: "a lone surrogate in a key",
    method: "PUT",
    path: "/v1/secrets/sur",
    raw: `{"owner":"${OWNER}","source":{"type":"inline","pairs":{"K\\udc00":"1"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source.pairs.K\\udc00",
        message:
          "this key contains a lone UTF-16 surrogate (like \\ud800 without its pair), which is not text: send valid Unicode",
      },
    ],
  },
  {
    what: "a body that is not UTF-8",
    method: "PUT",
    path: "/v1/secrets/utf",
    bytes: new Uint8Array([0x7b, 0x22, 0x41, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    status: 400,
    code: "malformed_json",
    detail: "the request body is not valid UTF-8: send JSON text encoded as UTF-8",
  },
  {
    what: "a body nested 100 levels deep",
    method: "POST",
    path: "/v1/sync",
    raw: `{"names":${"[".repeat(100)}${"]".repeat(100)}}`,
    status: 400,
    code: "malformed_json",
    detail: `the request body is nested deeper than 64 levels (at names${".0".repeat(63)}): no request of this API needs that`,
  },
  {
    what: "a duplicate key in a token request",
    method: "POST",
    path: "/v1/tokens",
    admin: true,
    raw: `{"owners":["${OWNER}"],"clusters":"all","clusters":["alpha"]}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "clusters",
        message:
          'the key "clusters" is given more than once in the same object: give each field once',
      },
    ],
  },
  {
    what: "?clusters= with 5,000 names: the body's limit, and no name echoed",
    method: "GET",
    path: `/v1/secrets?clusters=${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(",")}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "query: clusters",
        message: "clusters names at most 100 clusters: leave it out for all",
      },
    ],
  },
  {
    what: "?clusters= with a NUL byte",
    method: "DELETE",
    path: "/v1/secrets/x?clusters=alpha,be%00ta",
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "query: clusters.1",
        message:
          "a cluster name is lowercase letters, digits and '-', starting and ending with a letter or digit",
      },
    ],
  },
  {
    what: "body clusters over 100 (the same rule)",
    method: "PUT",
    path: "/v1/secrets/many",
    json: {
      source: inline,
      owner: OWNER,
      clusters: Array.from({ length: 101 }, (_, i) => `c${i}`),
    },
    status: 400,
    code: "invalid_input",
    errors: [
      { field: "clusters", message: "clusters names at most 100 clusters: leave it out for all" },
    ],
  },
  {
    what: 'POST /v1/tokens with clusters:"some" says what to send',
    method: "POST",
    path: "/v1/tokens",
    admin: true,
    json: { owners: [OWNER], clusters: "some" },
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "clusters",
        message: 'clusters must be "all" or a list of 1 to 100 cluster names, like ["gpu-east"]',
      },
    ],
  },
  {
    what: "expiresInSeconds 1.5 says a whole number",
    method: "POST",
    path: "/v1/tokens",
    admin: true,
    json: { owners: [OWNER], expiresInSeconds: 1.5 },
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "expiresInSeconds",
        message: "expiresInSeconds must be a whole number of seconds, like 2592000 (30 days)",
      },
    ],
  },
  {
    what: "an owner the token may not act for names the ones it may",
    method: "PUT",
    path: "/v1/secrets/other",
    json: { source: inline, owner: "ffffffff" },
    status: 403,
    code: "forbidden",
    detail:
      "this credential may not act for owner ffffffff: it may act for 0a1b2c3d, ABCDEF12 (give one of those as owner)",
  },
  {
    what: "a directory path of 4,000 folders is refused before zipping",
    method: "PUT",
    path: "/v1/secrets/deep",
    json: {
      owner: OWNER,
      dryRun: true,
      source: {
        type: "directory",
        name: "d",
        entries: [{ path: `${"a/".repeat(4000)}f`, content: "QQ==" }],
      },
    },
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source.entries[0].path",
        message:
          "source.entries[0].path is 8,001 characters long; a path may have at most 1,024: shorten it",
      },
    ],
  },
  {
    what: "30,000 flat directory entries are refused while the body is read",
    method: "PUT",
    path: "/v1/secrets/flat",
    json: {
      owner: OWNER,
      dryRun: true,
      source: {
        type: "directory",
        name: "d",
        entries: Array.from({ length: 30_000 }, (_, i) => ({ path: `f${i}`, content: "QQ==" })),
      },
    },
    status: 400,
    code: "malformed_json",
    detail:
      "the request body has a list of 30,000 items at source.entries; no list of this API takes more than 10,000: send less",
  },
  {
    what: "1,100 keys of 253 characters are refused before any cluster (annotation size)",
    method: "PUT",
    path: "/v1/secrets/wide",
    json: {
      owner: OWNER,
      source: {
        type: "inline",
        pairs: Object.fromEntries(
          Array.from({ length: 1100 }, (_, i) => [
            `${String(i).padStart(4, "0")}${"k".repeat(249)}`,
            "v",
          ]),
        ),
      },
    },
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source",
        message:
          "source: the 1,100 key names add up to 279,399 characters; the broker records them in an annotation and Kubernetes allows 262,144 bytes of annotations per secret, so at most 196,608 characters of key names fit: use fewer or shorter keys, or split the secret",
      },
    ],
  },
];

describe("refused inputs: problem+json naming the field, nothing written", () => {
  it.each(refusals)("$what", async (c) => {
    const { broker, token } = await brokerWithToken();
    const storeBefore = broker.storeWrites();
    const res = await broker.request(c.method, c.path, {
      token: c.admin ? ADMIN : token,
      ...(c.raw !== undefined ? { body: c.raw } : {}),
      ...(c.bytes !== undefined ? { body: c.bytes } : {}),
      ...(c.json !== undefined ? { json: c.json } : {}),
    });
    expect([res.status, res.body?.code], res.text).toEqual([c.status, c.code]);
    expect(res.type).toBe("application/problem+json");
    if (c.errors) expect(res.body.errors).toEqual(c.errors);
    if (c.detail) expect(res.body.detail).toBe(c.detail);
    expect(res.text).not.toContain("c4999");
    expect(broker.clusterWrites()).toBe(0);
    expect(broker.storeWrites() - storeBefore).toBe(0);
  });
});

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
    for (const server of ["https://10.0.0.1:6443", "http://127.0.0.1:6443"]) {
      const res = await broker.request("PUT", "/v1/clusters/ok", {
        token: ADMIN,
        json: { kubeconfig: fakeKubeconfig(server) },
      });
      expect([res.status, res.body.server]).toEqual([res.status === 201 ? 201 : 200, server]);
    }
  });
});

describe("answers that say what happened", () => {
  it("a PUT with immutable: true warns that konduktor secret create can no longer change it", async () => {
    const { broker, token } = await brokerWithToken();
    const res = await broker.request("PUT", "/v1/secrets/frozen", {
      token,
      json: { owner: OWNER, immutable: true, source: inline },
    });
    expect(res.status).toBe(200);
    expect(res.body.warning).toBe(
      'immutable: Kubernetes refuses any change to these copies, so `konduktor secret create frozen` (which patches) fails on them with 422 "field is immutable"; change the secret through the broker (it deletes and re-creates it) or delete it first (`konduktor secret delete frozen`)',
    );
    const plain = await broker.request("PUT", "/v1/secrets/thawed", {
      token,
      json: { owner: OWNER, source: inline },
    });
    expect(Object.hasOwn(plain.body, "warning")).toBe(false);
  });

  it("deleting an absent secret is absent on every cluster, 200, no write", async () => {
    const { broker, token } = await brokerWithToken();
    const res = await broker.request("DELETE", `/v1/secrets/never?owner=${OWNER}`, { token });
    expect(res.status).toBe(200);
    expect(
      res.body.results.map((r: { cluster: string; status: string }) => [r.cluster, r.status]),
    ).toEqual([
      ["alpha", "absent"],
      ["beta", "absent"],
      ["gamma", "absent"],
    ]);
    expect(broker.clusterWrites()).toBe(0);
  });

  it("an upper-case owner is kept as given in the label; the object name is lower case", async () => {
    const { broker, token } = await brokerWithToken();
    const res = await broker.request("PUT", "/v1/secrets/upper", {
      token,
      json: { owner: "ABCDEF12", source: inline },
    });
    expect([res.status, res.body.owner, res.body.secretName]).toEqual([
      200,
      "ABCDEF12",
      "upper-abcdef12",
    ]);
    const stored = broker.kubes.get("alpha")?.store.get("upper-abcdef12");
    expect(stored?.metadata.labels?.["trainy.ai/secret-owner"]).toBe("ABCDEF12");
  });

  it("the OpenAPI document names the broker as its server and says bindings never combine", async () => {
    const broker = await inProcessBroker();
    const doc = (await broker.request("GET", "/v1/openapi.json")).body;
    expect(doc.servers).toEqual([{ url: "http://broker.test", description: "this broker" }]);
    const put = doc.paths["/v1/oidc-bindings/{id}"].put.description as string;
    expect(put).toContain(
      "When several bindings match, a request must fit ONE of them (its owner, right and every target cluster): bindings never combine into a permission none of them grants.",
    );
    expect(put).not.toContain("union");
  });

  it("/favicon.ico is 204, not a 404", async () => {
    const broker = await inProcessBroker();
    const res = await broker.request("GET", "/favicon.ico");
    expect([res.status, res.text, res.headers.get("cache-control")]).toEqual([
      204,
      "",
      "public, max-age=86400",
    ]);
  });

  it("Node entry: a 413 says Connection: close (the body was not read)", async () => {
    const fetch = closeAfterRefusedBody(
      async (req) =>
        new Response("{}", { status: new URL(req.url).pathname === "/big" ? 413 : 200 }),
    );
    const big = await fetch(new Request("http://x/big"));
    const small = await fetch(new Request("http://x/small"));
    expect([big.status, big.headers.get("connection")]).toEqual([413, "close"]);
    expect([small.status, small.headers.get("connection")]).toEqual([200, null]);
  });

  it("a create in a namespace that does not exist is namespace_not_found, not retried", () => {
    const error = kubeErrorFromResponse(
      404,
      {
        kind: "Status",
        status: "Failure",
        reason: "NotFound",
        message: 'namespaces "ml" not found',
        details: { name: "ml", kind: "namespaces" },
        code: 404,
      },
      { cluster: "gpu-east", namespace: "ml", verb: "create", resource: "secrets", name: "x" },
    );
    expect([error.code, error.retryable, error.message]).toEqual([
      "namespace_not_found",
      false,
      'namespace "ml" does not exist on cluster "gpu-east": create it (`kubectl create namespace ml`) or register the cluster with a context whose namespace exists',
    ]);
  });
});
