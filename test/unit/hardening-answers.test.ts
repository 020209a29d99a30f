// Issue 13 on the broker, in-process over fake clusters: the answers and documents say what the
// issue asked for (warnings, absent deletes, label case, OpenAPI servers, favicon, 413 on Node,
// a missing namespace). Split from hardening-broker.test.ts (refused inputs).
import { describe, expect, it } from "vitest";
import { closeAfterRefusedBody } from "../../functions/node.ts";
import { kubeErrorFromResponse } from "../../konduktor/kube/errors.ts";
import { brokerWithToken, inline, inProcessBroker, OWNER } from "../support/hardening-broker.ts";

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
