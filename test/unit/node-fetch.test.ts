// The node:https fetch of the fetch adapter (konduktor/kube/node-fetch.ts) against a local HTTP
// server: what it sends (method, headers, a framed body, also on DELETE), what it answers (status,
// headers by any case, several values joined, the text), and that an abort ends the call with the
// signal's reason.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeFetchFor } from "../../konduktor/kube/node-fetch.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

describe("nodeFetchFor", () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString("utf8");
      });
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        if (req.url === "/hang") return; // never answers
        res.setHeader("Retry-After", "3");
        res.setHeader("X-Many", ["a", "b"]);
        res.writeHead(req.method === "DELETE" ? 409 : 200, { "content-type": "application/json" });
        res.end(JSON.stringify({ got: body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const send = nodeFetchFor({});
  const init = (method: string, body?: string, signal = AbortSignal.timeout(5_000)) => ({
    method,
    headers: { accept: "application/json", authorization: "Bearer t" },
    body,
    signal,
    redirect: "manual" as const,
  });

  it("sends method, headers and a framed body; answers status, headers and text", async () => {
    seen.length = 0;
    const a = await send(`${base}/api/v1/x?labelSelector=a%3Db`, init("PATCH", '{"a":1}'));
    expect(a.status).toBe(200);
    expect(a.headers.get("retry-after")).toBe("3");
    expect(a.headers.get("Retry-After")).toBe("3");
    expect(a.headers.get("x-many")).toBe("a, b");
    expect(a.headers.get("x-none")).toBeNull();
    expect(await a.text()).toBe('{"got":"{\\"a\\":1}"}');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: "PATCH",
      url: "/api/v1/x?labelSelector=a%3Db",
      body: '{"a":1}',
      headers: { accept: "application/json", authorization: "Bearer t", "content-length": "7" },
    });
  });

  it("frames a DELETE's body, so the next request on the kept connection is read whole", async () => {
    seen.length = 0;
    const del = await send(`${base}/d`, init("DELETE", '{"preconditions":{"uid":"u"}}'));
    expect(del.status).toBe(409);
    const get = await send(`${base}/g`, init("GET"));
    expect(get.status).toBe(200);
    expect(seen.map((s) => [s.method, s.url, s.body, s.headers["content-length"]])).toEqual([
      ["DELETE", "/d", '{"preconditions":{"uid":"u"}}', "29"],
      ["GET", "/g", "", undefined],
    ]);
  });

  it("an abort ends the call with the signal's reason; an aborted signal sends nothing", async () => {
    seen.length = 0;
    const controller = new AbortController();
    const pending = send(`${base}/hang`, init("GET", undefined, controller.signal));
    await new Promise<void>((r) => {
      const wait = () => (seen.length > 0 ? r() : setTimeout(wait, 5));
      wait();
    });
    const reason = new DOMException("deadline", "TimeoutError");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    const before = seen.length;
    const gone = new AbortController();
    gone.abort(reason);
    await expect(send(`${base}/g`, init("GET", undefined, gone.signal))).rejects.toBe(reason);
    expect(seen).toHaveLength(before);
  });
});
