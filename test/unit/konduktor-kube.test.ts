// The error model and the fetch adapter's requests (a recording fetch). Kubeconfig parsing:
// konduktor-kubeconfig.test.ts.
import { describe, expect, it } from "vitest";
import { deadlineOptions } from "../../functions/registry/clusters.ts";
import { KubeError, kubeErrorFromResponse } from "../../konduktor/kube/errors.ts";
import { createFetchKubeSecrets } from "../../konduktor/kube/fetch-adapter.ts";
import { kubeErrorFromNetwork } from "../../konduktor/kube/network-errors.ts";

const CANARY = "CANARY-c0ffee-s3cr3t";
const ctx = {
  cluster: "alpha",
  namespace: "team",
  verb: "create",
  resource: "secrets",
  name: "db-0a1b2c3d",
};
const status = (code: number, reason: string, message: string, details: object = {}) => ({
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  code,
  reason,
  message,
  details,
});

describe("KubeError from Kubernetes Status objects", () => {
  const cases: [number, unknown, string, string, boolean][] = [
    [
      404,
      status(404, "NotFound", `secrets "${CANARY}" not found`),
      "not_found",
      'secret "db-0a1b2c3d" not found in namespace "team" on cluster "alpha"',
      false,
    ],
    [
      409,
      status(409, "AlreadyExists", `secrets "x" already exists ${CANARY}`),
      "already_exists",
      'secret "db-0a1b2c3d" already exists in namespace "team" on cluster "alpha"',
      false,
    ],
    [
      409,
      status(409, "Conflict", `the object has been modified ${CANARY}`),
      "conflict",
      'secret "db-0a1b2c3d" was changed by someone else while this operation ran in namespace "team" on cluster "alpha" (409 Conflict): read it again and retry',
      false,
    ],
    [
      403,
      status(
        403,
        "Forbidden",
        `secrets is forbidden: User "ci" cannot patch resource "secrets" in API group "" in the namespace "team" ${CANARY}`,
        { kind: "secrets" },
      ),
      "forbidden",
      'not allowed to patch secrets in namespace "team" on cluster "alpha" (403 Forbidden): grant the kubeconfig\'s user the RBAC verb "patch" on "secrets" in that namespace',
      false,
    ],
    [
      401,
      status(401, "Unauthorized", "Unauthorized"),
      "unauthorized",
      'the cluster "alpha" did not accept the credentials (401 Unauthorized): the token or client certificate in the kubeconfig is wrong or expired; renew it',
      false,
    ],
    [
      422,
      status(
        422,
        "Invalid",
        `Secret "x" is invalid: data[a b]: Invalid value: "${CANARY}": a valid config key must consist of alphanumeric characters`,
        {
          causes: [
            {
              reason: "FieldValueInvalid",
              field: "data[a b]",
              message: `Invalid value: "${CANARY}": a valid config key must consist of alphanumeric characters`,
            },
          ],
        },
      ),
      "invalid",
      'the cluster rejected secret "db-0a1b2c3d" as invalid in namespace "team" on cluster "alpha": data[a b]: Invalid value: "…": a valid config key must consist of alphanumeric characters',
      false,
    ],
    [
      422,
      status(422, "Invalid", "Secret is invalid: data: Too long", {
        causes: [
          {
            reason: "FieldValueTooLong",
            field: "data",
            message: "Too long: must have at most 1048576 bytes",
          },
        ],
      }),
      "too_large",
      'secret "db-0a1b2c3d" is too large for the cluster in namespace "team" on cluster "alpha": Kubernetes allows at most 1 MiB of values per secret',
      false,
    ],
    [
      413,
      { raw: CANARY },
      "too_large",
      'secret "db-0a1b2c3d" is too large for the cluster in namespace "team" on cluster "alpha": Kubernetes allows at most 1 MiB of values per secret',
      false,
    ],
    [
      429,
      status(429, "TooManyRequests", "slow down", { retryAfterSeconds: 3 }),
      "throttled",
      'the cluster "alpha" asked to slow down (429 Too Many Requests); retry after 3 s',
      true,
    ],
    [
      500,
      `<html>${CANARY}</html>`,
      "server_error",
      'the cluster "alpha" answered with a server error (HTTP 500); retry later',
      true,
    ],
    [
      504,
      status(504, "Timeout", CANARY),
      "timeout",
      'the cluster "alpha" timed out (HTTP 504); retry later',
      true,
    ],
    [
      415,
      status(415, "UnsupportedMediaType", CANARY),
      "unsupported",
      'the cluster "alpha" does not support this request (HTTP 415)',
      false,
    ],
  ];
  it.each(cases)("HTTP %i → %s", (http, body, code, message, retryable) => {
    for (const b of [body, JSON.stringify(body)]) {
      const e = kubeErrorFromResponse(http, b, ctx);
      expect(e).toBeInstanceOf(KubeError);
      expect(e.code).toBe(code);
      expect(e.message).toBe(message);
      expect(e.retryable).toBe(retryable);
      expect(e.httpStatus).toBe(http);
      expect(JSON.stringify(e.toJSON())).not.toContain(CANARY);
    }
  });

  it("keeps verb and resource of a Forbidden, and Retry-After from the header", () => {
    const f = kubeErrorFromResponse(
      403,
      status(403, "Forbidden", 'User "x" cannot delete resource "secrets"'),
      ctx,
    );
    expect([f.verb, f.resource]).toEqual(["delete", "secrets"]);
    const t = kubeErrorFromResponse(429, "", { ...ctx, retryAfterHeader: "7" });
    expect(t.retryAfterSeconds).toBe(7);
  });

  it("maps network failures without copying their text", () => {
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error(`connect ECONNREFUSED ${CANARY}`), { code: "ECONNREFUSED" }),
    });
    const e1 = kubeErrorFromNetwork(refused, {
      ...ctx,
      server: "https://user:pw@10.0.0.1:6443/x?y",
    });
    expect(e1.code).toBe("unreachable");
    expect(e1.retryable).toBe(true);
    expect(e1.message).toBe(
      `cannot reach cluster "alpha" at https://10.0.0.1:6443 (connection refused): check the kubeconfig's server address and the network`,
    );
    const tls = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error(CANARY), { code: "SELF_SIGNED_CERT_IN_CHAIN" }),
    });
    const e2 = kubeErrorFromNetwork(tls, { ...ctx, server: "https://k:6443" });
    expect([e2.code, e2.retryable]).toEqual(["unreachable", false]);
    expect(e2.message).toContain("certificate-authority-data");
    const timeout = new DOMException(CANARY, "TimeoutError");
    const e3 = kubeErrorFromNetwork(timeout, { ...ctx, server: "https://k:6443", timeoutMs: 250 });
    expect([e3.code, e3.retryable, e3.message]).toEqual([
      "timeout",
      true,
      'cluster "alpha" at https://k:6443 did not answer in time (250 ms)',
    ]);
    for (const e of [e1, e2, e3]) expect(e.message).not.toContain(CANARY);
  });
});

describe("fetch adapter requests", () => {
  function recorder(answer: (url: string, init: RequestInit) => Response) {
    const calls: { url: string; method: string; headers: Record<string, string>; body: unknown }[] =
      [];
    const f = (async (url: string, init: RequestInit) => {
      calls.push({
        url,
        method: init.method ?? "GET",
        headers: init.headers as Record<string, string>,
        body: init.body ? JSON.parse(init.body as string) : undefined,
      });
      expect(init.signal).toBeInstanceOf(AbortSignal);
      return answer(url, init);
    }) as unknown as typeof fetch;
    return { calls, f };
  }
  const json = (body: unknown, s = 200) =>
    new Response(JSON.stringify(body), {
      status: s,
      headers: { "content-type": "application/json" },
    });

  it("sends merge patches with the resourceVersion precondition, DELETE with preconditions, PUT, POST", async () => {
    const { calls, f } = recorder(() => json({ metadata: { name: "n" } }));
    const kube = createFetchKubeSecrets({
      server: "https://k:6443/",
      namespace: "ml",
      token: "tok",
      fetch: f,
      cluster: "prod",
    });
    await kube.mergePatch("db-1", { data: { A: "QQ==" } }, "42");
    await kube.delete("db-1", { uid: "u-1" });
    await kube.replace({ metadata: { name: "db-1", resourceVersion: "43" }, data: {} });
    await kube.create({ metadata: { name: "db-2" } });
    await kube.list("trainy.ai/secret-owner=0a1b2c3d");
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ["PATCH", "https://k:6443/api/v1/namespaces/ml/secrets/db-1"],
      ["DELETE", "https://k:6443/api/v1/namespaces/ml/secrets/db-1"],
      ["PUT", "https://k:6443/api/v1/namespaces/ml/secrets/db-1"],
      ["POST", "https://k:6443/api/v1/namespaces/ml/secrets"],
      [
        "GET",
        "https://k:6443/api/v1/namespaces/ml/secrets?labelSelector=trainy.ai%2Fsecret-owner%3D0a1b2c3d&limit=500",
      ],
    ]);
    expect(calls[0]?.headers).toMatchObject({
      authorization: "Bearer tok",
      "content-type": "application/merge-patch+json",
    });
    expect(calls[0]?.body).toEqual({ data: { A: "QQ==" }, metadata: { resourceVersion: "42" } });
    expect(calls[1]?.body).toEqual({
      apiVersion: "v1",
      kind: "DeleteOptions",
      preconditions: { uid: "u-1" },
    });
    expect(calls[3]?.body).toMatchObject({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db-2", namespace: "ml" },
    });
  });

  it("follows list pages, returns null for a missing Secret, times out per call", async () => {
    let page = 0;
    const { f } = recorder((url) => {
      if (url.includes("/secrets/gone")) return json(status(404, "NotFound", "x"), 404);
      page++;
      return json({
        items: [{ metadata: { name: `s${page}` } }],
        metadata: page === 1 ? { continue: "c1" } : {},
      });
    });
    const kube = createFetchKubeSecrets({ server: "https://k", namespace: "ml", fetch: f });
    expect((await kube.list("")).map((s) => s.metadata.name)).toEqual(["s1", "s2"]);
    expect(await kube.get("gone")).toBeNull();
    const slow = createFetchKubeSecrets({
      server: "https://k",
      namespace: "ml",
      timeoutMs: 50,
      cluster: "slow",
      fetch: ((_u: string, init: RequestInit) =>
        new Promise((_r, reject) =>
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
        )) as unknown as typeof fetch,
    });
    await expect(slow.get("x")).rejects.toMatchObject({ code: "timeout", retryable: true });
  });

  it("a deadline signal that bounds every call is the calls' signal; otherwise each adds its timer", async () => {
    const seen: (AbortSignal | null | undefined)[] = [];
    const f = (async (_u: string, init: RequestInit) => {
      seen.push(init.signal);
      return json({ metadata: { name: "n" } });
    }) as unknown as typeof fetch;
    const deadline = new AbortController();
    const options = { server: "https://k", namespace: "ml", fetch: f, signal: deadline.signal };
    await createFetchKubeSecrets({ ...options, signalBoundsCalls: true }).get("a");
    await createFetchKubeSecrets(options).get("b");
    expect(seen[0]).toBe(deadline.signal);
    expect(seen[1]).not.toBe(deadline.signal);
    // the deadline passed: the call is refused as a timeout, with the deadline named
    deadline.abort();
    const hung = createFetchKubeSecrets({
      ...options,
      signalBoundsCalls: true,
      cluster: "late",
      fetch: ((_u: string, init: RequestInit) =>
        init.signal?.aborted
          ? Promise.reject(init.signal.reason)
          : new Promise(() => {})) as unknown as typeof fetch,
    });
    await expect(hung.get("x")).rejects.toMatchObject({
      code: "timeout",
      message: 'the request to cluster "late" was cancelled (deadline reached)',
    });
  });

  it("the broker's connectors give a fan-out's deadline as the signal that bounds every call", () => {
    const deadline = new AbortController().signal;
    expect(deadlineOptions(deadline)).toEqual({ signal: deadline, signalBoundsCalls: true });
    expect(deadlineOptions(undefined)).toEqual({});
  });

  it("never puts an error body in a message", async () => {
    const { f } = recorder(() => new Response(`oops ${CANARY}`, { status: 500 }));
    const kube = createFetchKubeSecrets({
      server: "https://k",
      namespace: "ml",
      fetch: f,
      cluster: "c",
    });
    const e = (await kube
      .create({ metadata: { name: "x" }, data: { A: CANARY } })
      .catch((x: unknown) => x as KubeError)) as KubeError;
    expect(e).toBeInstanceOf(KubeError);
    expect(e.code).toBe("server_error");
    expect(JSON.stringify({ m: e.message, j: e.toJSON(), s: String(e) })).not.toContain(CANARY);
  });
});
