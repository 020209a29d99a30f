/**
 * A loopback HTTP(S) proxy that forwards every request to one upstream (a kube-apiserver, or a
 * delay proxy in front of one) and counts what passes through: method, path, status, per request.
 *
 * - TLS: given the upstream's own serving certificate and key (the test clusters' server.crt covers
 *   127.0.0.1), the proxy is a drop-in `server:` for any kubeconfig that trusts the cluster CA;
 *   bearer tokens pass through (client certificates cannot: use token kubeconfigs).
 * - `limiter`: a shared cap on requests in flight (see ./limiter.ts), held from the request's
 *   arrival to the end of its answer, as a deployed Worker counts an open connection.
 * - `down`: while set, every incoming connection is destroyed at once (an unreachable cluster).
 *
 * The proxy itself never reads a body beyond passing it on; it records no header and no body.
 */
import {
  createServer as createHttpServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import {
  createServer as createHttpsServer,
  Agent as HttpsAgent,
  request as httpsRequest,
} from "node:https";
import type { Socket } from "node:net";
import { invocationOf, type Limiter } from "./limiter.ts";

export interface CountedRequest {
  method: string;
  /** the path without the query */
  path: string;
  /** the query string without `?` ("" when none) */
  query: string;
  /** the upstream's status; 502 when the upstream could not be reached */
  status: number;
  /** the sender's `x-konduktor-invocation` header ("" when none): which invocation sent it */
  invocation: string;
}

export interface RequestCounts {
  total: number;
  /** GET of one object */
  get: number;
  /** GET of a collection (a LIST) */
  list: number;
  /** POST, PUT, PATCH, DELETE */
  writes: number;
  /** other requests (discovery, /version, …), counted in total and byMethod too */
  byMethod: Record<string, number>;
}

export interface CountingProxyOptions {
  /** e.g. `https://127.0.0.1:6443` */
  upstream: string;
  /** PEM CA for an https upstream */
  upstreamCa?: string;
  /** serve HTTPS with this certificate; plain HTTP when absent */
  tls?: { cert: string; key: string };
  /** a shared cap on requests in flight; none when absent */
  limiter?: Limiter;
  /** reuse upstream connections (default true) */
  keepAlive?: boolean;
}

export interface CountingProxy {
  readonly url: string;
  readonly port: number;
  /** every finished request, in the order its answer ended */
  readonly requests: readonly CountedRequest[];
  /** requests arrived and not finished yet */
  readonly inFlight: number;
  counts(): RequestCounts;
  /** forgets the requests counted so far */
  reset(): void;
  /** while true, every new and open client connection is destroyed */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host",
]);

/** A LIST: a GET whose path ends at a collection (`/secrets`), not at one object. */
export function isList(path: string): boolean {
  return /\/(api\/v1|apis\/[^/]+\/[^/]+)(\/namespaces\/[^/]+)?\/[a-z]+$/.test(path);
}

/** Sums requests by kind; `filter` keeps some of them (e.g. only `/secrets` paths). */
export function countRequests(
  requests: readonly CountedRequest[],
  filter: (r: CountedRequest) => boolean = () => true,
): RequestCounts {
  const out: RequestCounts = { total: 0, get: 0, list: 0, writes: 0, byMethod: {} };
  for (const r of requests) {
    if (!filter(r)) continue;
    out.total++;
    out.byMethod[r.method] = (out.byMethod[r.method] ?? 0) + 1;
    if (WRITE_METHODS.has(r.method)) out.writes++;
    else if (r.method === "GET" && r.path.includes("/secrets")) {
      if (isList(r.path)) out.list++;
      else out.get++;
    }
  }
  return out;
}

export async function startCountingProxy(options: CountingProxyOptions): Promise<CountingProxy> {
  const upstream = new URL(options.upstream);
  const secure = upstream.protocol === "https:";
  const keepAlive = options.keepAlive ?? true;
  const agent = secure
    ? new HttpsAgent({ keepAlive, ...(options.upstreamCa ? { ca: options.upstreamCa } : {}) })
    : new HttpAgent({ keepAlive });
  const requests: CountedRequest[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let down = false;

  const forward = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolveForward) => {
      const target = new URL(req.url ?? "/", upstream);
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      let status = 502;
      const done = () => {
        requests.push({
          method: req.method ?? "GET",
          path: target.pathname,
          query: target.search.slice(1),
          status,
          invocation: invocationOf(req),
        });
        resolveForward();
      };
      const send = secure ? httpsRequest : httpRequest;
      const up = send(target, { method: req.method, headers, agent }, (answer) => {
        status = answer.statusCode ?? 502;
        const answerHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) answerHeaders[name] = value;
        }
        res.writeHead(status, answerHeaders);
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      });
      up.on("error", () => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end("counting proxy: upstream unreachable");
      });
      res.on("close", done);
      req.pipe(up);
    });

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    const run = () => forward(req, res);
    const finished = options.limiter ? options.limiter.run(req, run) : run();
    void finished.finally(() => {
      inFlight--;
    });
  };

  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  server.keepAliveTimeout = 30_000;
  const onConnection = (socket: Socket) => {
    if (down) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  // a TLS server's "connection" event carries the raw TCP socket, before the handshake
  server.on("connection", onConnection);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    requests,
    get inFlight() {
      return inFlight;
    },
    counts: () => countRequests(requests),
    reset() {
      requests.length = 0;
    },
    setDown(value) {
      down = value;
      if (down) for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
