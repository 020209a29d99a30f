// The bench's counting proxy (plain HTTP here; TLS against a real apiserver in
// test/integration/bench-proxy.test.ts): it counts exactly what passes through, passes bodies and
// statuses unchanged, refuses connections while down, and its shared cap holds requests in flight.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { countRequests, isList, startCountingProxy } from "../../bench/proxy/counting-proxy.ts";
import { createLimiter } from "../../bench/proxy/limiter.ts";
import { INVOCATION_HEADER } from "../../functions/workers-limits.ts";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function upstream(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server };
}

const echo: Handler = (req, body, res) => {
  const status = req.url?.includes("missing") ? 404 : req.method === "POST" ? 201 : 200;
  res.writeHead(status, { "content-type": "application/json", "x-upstream": "yes" });
  res.end(JSON.stringify({ method: req.method, url: req.url, body }));
};

const opened: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function proxyTo(handler: Handler, limiter?: ReturnType<typeof createLimiter>) {
  const up = await upstream(handler);
  opened.push({ close: () => new Promise<void>((r) => up.server.close(() => r())) });
  const proxy = await startCountingProxy({
    upstream: up.url,
    ...(limiter ? { limiter } : {}),
  });
  opened.push(proxy);
  return proxy;
}

const ns = "/api/v1/namespaces/team";

describe("counting proxy", () => {
  it("counts every request that passes, with its method, path, query and status, and passes bodies unchanged", async () => {
    const proxy = await proxyTo(echo);
    const calls: [string, string, string?][] = [
      ["GET", `${ns}/secrets/missing-0a1b2c3d`],
      ["POST", `${ns}/secrets`, '{"metadata":{"name":"a"}}'],
      ["GET", `${ns}/secrets/a`],
      ["PATCH", `${ns}/secrets/a`, '{"data":{"K":"dg=="}}'],
      ["GET", `${ns}/secrets?labelSelector=trainy.ai%2Fsecret-owner%3D0a1b2c3d`],
      ["DELETE", `${ns}/secrets/a`],
      ["GET", "/version"],
    ];
    const answers = [];
    for (const [method, path, body] of calls) {
      // the PATCH names its sender's invocation (as a link of the broker does)
      const headers: Record<string, string> =
        method === "PATCH" ? { "x-konduktor-invocation": "link-1" } : {};
      const res = await fetch(proxy.url + path, { method, headers, ...(body ? { body } : {}) });
      answers.push({
        status: res.status,
        header: res.headers.get("x-upstream"),
        ...(await res.json()),
      });
    }
    expect(answers).toEqual(
      calls.map(([method, path, body]) => ({
        status: path.includes("missing") ? 404 : method === "POST" ? 201 : 200,
        header: "yes",
        method,
        url: path,
        body: body ?? "",
      })),
    );
    expect(proxy.requests).toEqual([
      {
        method: "GET",
        path: `${ns}/secrets/missing-0a1b2c3d`,
        query: "",
        status: 404,
        invocation: "",
      },
      { method: "POST", path: `${ns}/secrets`, query: "", status: 201, invocation: "" },
      { method: "GET", path: `${ns}/secrets/a`, query: "", status: 200, invocation: "" },
      { method: "PATCH", path: `${ns}/secrets/a`, query: "", status: 200, invocation: "link-1" },
      {
        method: "GET",
        path: `${ns}/secrets`,
        query: "labelSelector=trainy.ai%2Fsecret-owner%3D0a1b2c3d",
        status: 200,
        invocation: "",
      },
      { method: "DELETE", path: `${ns}/secrets/a`, query: "", status: 200, invocation: "" },
      { method: "GET", path: "/version", query: "", status: 200, invocation: "" },
    ]);
    expect(proxy.counts()).toEqual({
      total: 7,
      get: 2,
      list: 1,
      writes: 3,
      byMethod: { GET: 4, POST: 1, PATCH: 1, DELETE: 1 },
    });
    proxy.reset();
    expect(proxy.requests).toEqual([]);
    expect(proxy.counts().total).toBe(0);
  });

  it("counts 502 when the upstream cannot be reached", async () => {
    const up = await upstream(echo);
    await new Promise<void>((r) => up.server.close(() => r()));
    const proxy = await startCountingProxy({ upstream: up.url });
    opened.push(proxy);
    const res = await fetch(`${proxy.url}${ns}/secrets/a`);
    expect(res.status).toBe(502);
    expect(proxy.requests).toEqual([
      { method: "GET", path: `${ns}/secrets/a`, query: "", status: 502, invocation: "" },
    ]);
  });

  it("while down, refuses connections and counts nothing; back up, it forwards again", async () => {
    const proxy = await proxyTo(echo);
    proxy.setDown(true);
    await expect(fetch(`${proxy.url}${ns}/secrets/a`)).rejects.toThrow("fetch failed");
    expect(proxy.requests).toEqual([]);
    proxy.setDown(false);
    expect((await fetch(`${proxy.url}${ns}/secrets/a`)).status).toBe(200);
    expect(proxy.requests.length).toBe(1);
  });

  it("a shared cap holds at most `limit` requests in flight across proxies; the rest wait", async () => {
    const limiter = createLimiter(3);
    let inUpstream = 0;
    let maxInUpstream = 0;
    const held: (() => void)[] = [];
    const slow: Handler = (_req, _body, res) => {
      inUpstream++;
      maxInUpstream = Math.max(maxInUpstream, inUpstream);
      held.push(() => {
        inUpstream--;
        res.end("ok");
      });
    };
    const a = await proxyTo(slow, limiter);
    const b = await proxyTo(slow, limiter);
    const requests = Array.from({ length: 10 }, (_, i) =>
      fetch(`${(i % 2 ? a : b).url}${ns}/secrets/s${i}`).then((r) => r.text()),
    );
    // release held answers one by one until all ten have passed
    let released = 0;
    while (released < 10) {
      await new Promise((r) => setTimeout(r, 5));
      const next = held.shift();
      if (next) {
        next();
        released++;
      }
    }
    expect(await Promise.all(requests)).toEqual(Array(10).fill("ok"));
    expect(maxInUpstream).toBe(3);
    expect(limiter.maxInFlight).toBe(3);
    expect(limiter.queued).toBe(7);
    expect(a.requests.length + b.requests.length).toBe(10);
  });

  it("requests naming different invocations have a cap each", async () => {
    const limiter = createLimiter(2);
    let inUpstream = 0;
    let maxInUpstream = 0;
    const held: (() => void)[] = [];
    const proxy = await proxyTo((_req, _body, res) => {
      inUpstream++;
      maxInUpstream = Math.max(maxInUpstream, inUpstream);
      held.push(() => {
        inUpstream--;
        res.end("ok");
      });
    }, limiter);
    const requests = Array.from({ length: 6 }, (_, i) =>
      fetch(`${proxy.url}${ns}/secrets/s${i}`, {
        headers: { [INVOCATION_HEADER]: `inv-${i % 2}` },
      }).then((r) => r.text()),
    );
    while (held.length < 4) await new Promise((r) => setTimeout(r, 5));
    expect(maxInUpstream).toBe(4);
    for (let released = 0; released < 6; ) {
      const next = held.shift();
      if (next) {
        next();
        released++;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    expect(await Promise.all(requests)).toEqual(Array(6).fill("ok"));
    expect(limiter.maxInFlight).toBe(2);
    expect(limiter.queued).toBe(2);
  });
});

describe("request kinds", () => {
  it("tells a LIST from a GET of one object", () => {
    expect(isList("/api/v1/namespaces/team/secrets")).toBe(true);
    expect(isList("/api/v1/secrets")).toBe(true);
    expect(isList("/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles")).toBe(true);
    expect(isList("/api/v1/namespaces/team/secrets/a")).toBe(false);
    expect(isList("/api/v1/namespaces/team")).toBe(false);
  });

  it("sums only the requests the filter keeps", () => {
    const requests = [
      { method: "GET", path: "/api", query: "", status: 200, invocation: "" },
      { method: "GET", path: `${ns}/secrets/a`, query: "", status: 404, invocation: "" },
      { method: "DELETE", path: `${ns}/secrets/a`, query: "", status: 404, invocation: "" },
    ];
    expect(countRequests(requests, (r) => r.path.includes("/secrets"))).toEqual({
      total: 2,
      get: 1,
      list: 0,
      writes: 1,
      byMethod: { GET: 1, DELETE: 1 },
    });
  });
});
