// The bench's proxies in front of a real kube-apiserver: the counting proxy terminates TLS with
// the apiserver's own certificate (a kubeconfig that trusts the cluster CA works unchanged) and
// counts exactly the requests that pass; the delay proxy passes TLS through untouched.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { servingCert } from "../../bench/lib/clusters.ts";
import { type CountingProxy, startCountingProxy } from "../../bench/proxy/counting-proxy.ts";
import { type DelayProxy, startDelayProxy } from "../../bench/proxy/delay-proxy.ts";
import { adminRequest, TEST_NAMESPACE } from "../cluster/cluster.ts";

const alpha = inject("clusters")[0]!;
const path = `/api/v1/namespaces/${TEST_NAMESPACE}/secrets`;

describe("bench proxies against a real apiserver", () => {
  let counting: CountingProxy;
  let delay: DelayProxy;
  beforeAll(async () => {
    counting = await startCountingProxy({
      upstream: alpha.server,
      upstreamCa: alpha.caPem,
      tls: servingCert(alpha),
    });
    delay = await startDelayProxy({ targetPort: Number(new URL(alpha.server).port), delayMs: 5 });
  });
  afterAll(async () => {
    await counting?.close();
    await delay?.close();
  });

  it("the counting proxy forwards TLS requests and counts each with its answer's status", async () => {
    const name = `bench-proxy-${randomBytes(3).toString("hex")}`;
    const via = { ...alpha, server: counting.url };
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name }, data: { K: "dg==" } };
    expect((await adminRequest(via, "GET", `${path}/${name}`)).status).toBe(404);
    expect((await adminRequest(via, "POST", path, secret)).status).toBe(201);
    const read = await adminRequest(via, "GET", `${path}/${name}`);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body).data).toEqual({ K: "dg==" });
    expect(
      (await adminRequest(via, "GET", `${path}?fieldSelector=metadata.name%3D${name}`)).status,
    ).toBe(200);
    expect((await adminRequest(via, "DELETE", `${path}/${name}`)).status).toBe(200);
    // unauthenticated: the apiserver's 401 passes through and is counted
    expect(
      (await adminRequest(via, "GET", `${path}/${name}`, undefined, "wrong-token")).status,
    ).toBe(401);

    expect(counting.requests).toEqual([
      { method: "GET", path: `${path}/${name}`, query: "", status: 404, invocation: "" },
      { method: "POST", path, query: "", status: 201, invocation: "" },
      { method: "GET", path: `${path}/${name}`, query: "", status: 200, invocation: "" },
      {
        method: "GET",
        path,
        query: `fieldSelector=metadata.name%3D${name}`,
        status: 200,
        invocation: "",
      },
      { method: "DELETE", path: `${path}/${name}`, query: "", status: 200, invocation: "" },
      { method: "GET", path: `${path}/${name}`, query: "", status: 401, invocation: "" },
    ]);
    expect(counting.counts()).toEqual({
      total: 6,
      get: 3,
      list: 1,
      writes: 2,
      byMethod: { GET: 4, POST: 1, DELETE: 1 },
    });
    // what the proxy reported is what the cluster holds: the secret is gone
    expect((await adminRequest(alpha, "GET", `${path}/${name}`)).status).toBe(404);
  });

  it("the delay proxy passes the apiserver's TLS through, one connection per client connection", async () => {
    const before = delay.connections;
    const via = { ...alpha, server: `https://${delay.address}` };
    const version = await adminRequest(via, "GET", "/version");
    expect(version.status).toBe(200);
    expect(JSON.parse(version.body).gitVersion).toBe("v1.36.3");
    expect(delay.connections - before).toBe(1);
  });
});
