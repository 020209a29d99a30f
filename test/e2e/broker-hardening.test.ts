// Issue 13 against real workerd and real kube-apiservers: bodies read strictly, one clusters rule,
// bounded directories and key names, no metadata or path in a cluster server, a missing namespace
// said at once (PUT and health), idempotent delete, the immutable warning, upper-case owners and
// .DS_Store as Konduktor has them, the OpenAPI servers, /favicon.ico. A tripwire cluster (a local
// HTTP server counting requests) is registered next to the real ones: refusals never reach it.
import { createServer, type Server } from "node:http";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { kubeconfigFor, kubeconfigYaml } from "../cluster/cluster.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { issueToken, newOwner, readSecret, registerClusters } from "./support.ts";

const clusters = inject("clusters");

describe("issue 13 on workerd with real clusters", () => {
  let broker: RunningBroker;
  let token: string;
  let tripwire: Server;
  let hits = 0;
  const owner = newOwner();
  const names = clusters.map((c) => c.name);

  beforeAll(async () => {
    tripwire = createServer((_req, res) => {
      hits++;
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => tripwire.listen(0, "127.0.0.1", r));
    const address = tripwire.address();
    const port = typeof address === "object" && address ? address.port : 0;
    broker = await startBroker({ caPems: clusters.map((c) => c.caPem) });
    await registerClusters(broker, clusters);
    const reg = await broker.request("PUT", "/v1/clusters/tripwire", {
      token: broker.adminToken,
      json: {
        kubeconfig: stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: "t", cluster: { server: `http://127.0.0.1:${port}` } }],
          users: [{ name: "t", user: { token: "tripwire-token" } }],
          contexts: [{ name: "t", context: { cluster: "t", user: "t", namespace: "konduktor" } }],
          "current-context": "t",
        }),
      },
    });
    expect(reg.status, reg.text).toBe(201);
    ({ token } = await issueToken(broker, { owners: [owner, "ABCDEF12"] }));
  });

  afterAll(async () => {
    tripwire?.close();
    await broker?.stop();
  });

  const refusals: {
    what: string;
    method: string;
    path: string;
    raw?: string;
    json?: unknown;
    admin?: boolean;
    status: number;
    code: string;
    field: string;
    message: string;
  }[] = [
    {
      what: "duplicate dryRun (true, then false) writes nothing anywhere",
      method: "PUT",
      path: "/v1/secrets/dup",
      raw: `{"dryRun":true,"dryRun":false,"owner":"${owner}","source":{"type":"inline","pairs":{"A":"1"}}}`,
      status: 400,
      code: "invalid_input",
      field: "dryRun",
      message: 'the key "dryRun" is given more than once in the same object: give each field once',
    },
    {
      what: "a lone surrogate is refused, naming the key",
      method: "PUT",
      path: "/v1/secrets/sur",
      raw: `{"owner":"${owner}","source":{"type":"inline","pairs":{"A":"\\ud800"}}}`,
      status: 400,
      code: "invalid_input",
      field: "source.pairs.A",
      message:
        "contains a lone UTF-16 surrogate (like \\ud800 without its pair), which is not text: send valid Unicode",
    },
    {
      what: "?clusters= with 5,000 names",
      method: "GET",
      path: `/v1/secrets?clusters=${Array.from({ length: 5000 }, (_, i) => `n${i}`).join(",")}`,
      status: 400,
      code: "invalid_input",
      field: "query: clusters",
      message: "clusters names at most 100 clusters: leave it out for all",
    },
    {
      what: "?clusters= with a NUL byte",
      method: "GET",
      path: "/v1/secrets/x?clusters=alpha%00",
      status: 400,
      code: "invalid_input",
      field: "query: clusters.0",
      message:
        "a cluster name is lowercase letters, digits and '-', starting and ending with a letter or digit",
    },
    {
      what: "a directory path 5,000 folders deep (was a 500)",
      method: "PUT",
      path: "/v1/secrets/deep",
      json: {
        owner,
        dryRun: true,
        source: {
          type: "directory",
          name: "d",
          entries: [{ path: `${"a/".repeat(5000)}f`, content: "QQ==" }],
        },
      },
      status: 400,
      code: "invalid_input",
      field: "source.entries[0].path",
      message:
        "source.entries[0].path is 10,001 characters long; a path may have at most 1,024: shorten it",
    },
    {
      what: "one 70,000-character path (was a 500)",
      method: "PUT",
      path: "/v1/secrets/long",
      json: {
        owner,
        source: {
          type: "directory",
          name: "d",
          entries: [{ path: "p".repeat(70_000), content: "QQ==" }],
        },
      },
      status: 400,
      code: "invalid_input",
      field: "source.entries[0].path",
      message:
        "source.entries[0].path is 70,000 characters long; a path may have at most 1,024: shorten it",
    },
    {
      what: "1,100 keys of 253 characters (were a 422 from every cluster)",
      method: "PUT",
      path: "/v1/secrets/wide",
      json: {
        owner,
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
      field: "source",
      message:
        "source: the 1,100 key names add up to 279,399 characters; the broker records them in an annotation and Kubernetes allows 262,144 bytes of annotations per secret, so at most 196,608 characters of key names fit: use fewer or shorter keys, or split the secret",
    },
    {
      what: 'clusters:"some" on POST /v1/tokens',
      method: "POST",
      path: "/v1/tokens",
      admin: true,
      json: { owners: [owner], clusters: "some" },
      status: 400,
      code: "invalid_input",
      field: "clusters",
      message: 'clusters must be "all" or a list of 1 to 100 cluster names, like ["gpu-east"]',
    },
    {
      what: "expiresInSeconds 1.5",
      method: "POST",
      path: "/v1/tokens",
      admin: true,
      json: { owners: [owner], expiresInSeconds: 1.5 },
      status: 400,
      code: "invalid_input",
      field: "expiresInSeconds",
      message: "expiresInSeconds must be a whole number of seconds, like 2592000 (30 days)",
    },
    ...[
      ["http://127.0.0.1:8787/v1/secrets/x?", "query"],
      ["https://169.254.169.254", "metadata"],
      ["https://metadata.google.internal", "metadata"],
      ["https://[fd00:ec2::254]", "metadata"],
      ["https://10.0.0.1:6443/k8s/clusters/c-1", "path"],
    ].map(([server, why]) => ({
      what: `a cluster server ${server} (${why})`,
      method: "PUT",
      path: "/v1/clusters/bad",
      admin: true,
      json: {
        kubeconfig: kubeconfigYaml(
          { ...clusters[0]!, server: server as string },
          "u",
          { token: "t" },
          null,
        ),
      },
      status: 400,
      code: "invalid_kubeconfig",
      field: `kubeconfig: clusters[${clusters[0]!.name}].cluster.server`,
      message:
        why === "query"
          ? `clusters[${clusters[0]!.name}].cluster.server must not have a query or fragment ("?" or "#"): give the API server's URL, like https://10.0.0.1:6443`
          : why === "path"
            ? `clusters[${clusters[0]!.name}].cluster.server has a path (17 characters after the host); the broker sends its requests to the API server itself: give its URL without a path, like https://10.0.0.1:6443 (behind Rancher: the cluster's authorized endpoint)`
            : `clusters[${clusters[0]!.name}].cluster.server is a link-local or cloud metadata address (${new URL(server as string).hostname}), never a Kubernetes API server: give the API server's URL`,
    })),
  ];

  it.each(refusals)("$what", async (c) => {
    const res = await broker.request(c.method, c.path, {
      token: c.admin ? broker.adminToken : token,
      ...(c.raw !== undefined
        ? { body: c.raw, headers: { "content-type": "application/json" } }
        : {}),
      ...(c.json !== undefined ? { json: c.json } : {}),
    });
    expect([res.status, res.body?.code], res.text.slice(0, 500)).toEqual([c.status, c.code]);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.errors).toEqual([{ field: c.field, message: c.message }]);
    expect(res.text).not.toContain("n4999");
    expect(hits).toBe(0);
    for (const cl of clusters) {
      for (const name of ["dup", "sur", "deep", "long", "wide"]) {
        expect(await readSecret(cl, `${name}-${owner}`)).toBeNull();
      }
    }
    expect(
      (await broker.request("GET", "/v1/clusters/bad", { token: broker.adminToken })).status,
    ).toBe(404);
  });

  it("a context whose namespace does not exist: PUT says so at once (1 attempt), and so does health", async () => {
    const missingNs = "no-such-namespace-13";
    const reg = await broker.request("PUT", "/v1/clusters/nons", {
      token: broker.adminToken,
      json: { kubeconfig: kubeconfigFor(clusters[0]!, "admin", missingNs) },
    });
    expect(reg.status, reg.text).toBe(201);
    const { token: nsToken } = await issueToken(broker, { owners: [owner], clusters: ["nons"] });
    const started = Date.now();
    const put = await broker.request("PUT", "/v1/secrets/ns-check", {
      token: nsToken,
      json: { source: { type: "inline", pairs: { A: "1" } } },
    });
    const tookMs = Date.now() - started;
    const message = `namespace "${missingNs}" does not exist on cluster "nons": create it (\`kubectl create namespace ${missingNs}\`) or register the cluster with a context whose namespace exists`;
    expect([put.status, put.body.code]).toEqual([502, "cluster_namespace_not_found"]);
    expect(put.body.results).toEqual([
      expect.objectContaining({
        cluster: "nons",
        status: "error",
        code: "namespace_not_found",
        message,
        retryable: false,
        attempts: 1,
      }),
    ]);
    console.log(`PUT into a missing namespace answered in ${tookMs} ms`);
    const health = await broker.request("GET", "/v1/clusters/nons/health", {
      token: broker.adminToken,
    });
    expect(health.body).toMatchObject({
      cluster: "nons",
      reachable: true,
      ok: false,
      error: { code: "namespace_not_found", message },
    });
    const good = await broker.request("GET", `/v1/clusters/${names[0]}/health`, {
      token: broker.adminToken,
    });
    expect(good.body.ok).toBe(true);
    await broker.request("DELETE", "/v1/clusters/nons", { token: broker.adminToken });
  });

  it("an immutable write warns; an upper-case owner keeps its label; .DS_Store stays out of the zip", async () => {
    const { token: realToken } = await issueToken(broker, {
      owners: [owner, "ABCDEF12"],
      clusters: names,
    });
    const frozen = await broker.request("PUT", "/v1/secrets/frozen", {
      token: realToken,
      json: { owner, immutable: true, source: { type: "inline", pairs: { A: "1" } } },
    });
    expect(frozen.status, frozen.text).toBe(200);
    expect(frozen.body.warning).toBe(
      'immutable: Kubernetes refuses any change to these copies, so `konduktor secret create frozen` (which patches) fails on them with 422 "field is immutable"; change the secret through the broker (it deletes and re-creates it) or delete it first (`konduktor secret delete frozen`)',
    );
    const upper = await broker.request("PUT", "/v1/secrets/upper", {
      token: realToken,
      json: {
        owner: "ABCDEF12",
        source: {
          type: "directory",
          name: "conf",
          entries: [
            { path: ".DS_Store", content: "AAAA" },
            { path: "sub/.DS_Store", content: "AAAA" },
            { path: "sub/a.yaml", content: Buffer.from("a: 1").toString("base64") },
          ],
        },
      },
    });
    expect([upper.status, upper.body.secretName], upper.text).toEqual([200, "upper-abcdef12"]);
    for (const cl of clusters) {
      const s = await readSecret(cl, "upper-abcdef12");
      expect(s?.metadata.labels?.["trainy.ai/secret-owner"]).toBe("ABCDEF12");
      const zip = unzipSync(Buffer.from(s?.data?.["payload.zip"] ?? "", "base64"));
      expect(Object.keys(zip).sort()).toEqual(["conf/", "conf/sub/", "conf/sub/a.yaml"]);
    }
    for (const [name, o] of [
      ["frozen", owner],
      ["upper", "ABCDEF12"],
    ] as const) {
      const del = await broker.request("DELETE", `/v1/secrets/${name}?owner=${o}`, {
        token: realToken,
      });
      expect(del.body.results.map((r: { status: string }) => r.status)).toEqual(
        names.map(() => "deleted"),
      );
      const again = await broker.request("DELETE", `/v1/secrets/${name}?owner=${o}`, {
        token: realToken,
      });
      expect([
        again.status,
        ...again.body.results.map((r: { status: string }) => r.status),
      ]).toEqual([200, ...names.map(() => "absent")]);
    }
  });

  it("the OpenAPI document names this broker; /favicon.ico is 204; a method the path lacks is problem+json", async () => {
    const doc = await broker.request("GET", "/v1/openapi.json");
    expect(doc.body.servers).toEqual([{ url: broker.url, description: "this broker" }]);
    expect(doc.body.paths["/v1/oidc-bindings/{id}"].put.description).toContain(
      "bindings never combine into a permission none of them grants",
    );
    const icon = await broker.request("GET", "/favicon.ico");
    expect([icon.status, icon.text]).toEqual([204, ""]);
    const propfind = await broker.request("PROPFIND", "/v1/secrets/x", { token });
    expect([propfind.status, propfind.headers.get("content-type")]).toEqual([
      405,
      "application/problem+json",
    ]);
  });
});
