/**
 * A loopback TCP proxy that adds a one-way delay to every byte in both directions, as a link with
 * a round trip of 2 × `delayMs` would: TLS passes through untouched, so each new connection pays
 * its TCP and TLS handshakes in round trips, and a reused connection pays one round trip per
 * request. Bandwidth is not limited; order is kept (equal delays fire in the order scheduled).
 *
 * TCP's own handshake cannot be delayed by a user-space proxy (the client's connect() succeeds
 * locally); it is modelled by holding the client's first bytes until one round trip after accept.
 */
import { connect, createServer, type Socket } from "node:net";

export interface DelayProxy {
  readonly port: number;
  /** `host:port` to put in a kubeconfig `server:` (with the upstream's scheme) */
  readonly address: string;
  /** connections accepted so far */
  readonly connections: number;
  close(): Promise<void>;
}

export interface DelayProxyOptions {
  /** the upstream's TCP port on 127.0.0.1 */
  targetPort: number;
  /** one-way delay in ms */
  delayMs: number;
}

/**
 * Forwards `from`'s bytes (and its end) to `to`, each `delayMs` after it arrived and never before
 * `notBefore() + delayMs`, strictly in order (one queue, one timer at a time).
 */
function delayedPipe(from: Socket, to: Socket, delayMs: number, notBefore: () => number): void {
  const queue: { due: number; chunk: Buffer | null }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const drain = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now + 0.5) {
      const { chunk } = queue.shift()!;
      if (to.destroyed) return;
      if (chunk === null) to.end();
      else to.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(drain, queue[0]!.due - now);
  };
  const push = (chunk: Buffer | null) => {
    const now = performance.now();
    const last = queue.at(-1)?.due ?? 0;
    const due = Math.max(now + delayMs, notBefore() + delayMs, last);
    queue.push({ due, chunk });
    if (timer === undefined) timer = setTimeout(drain, due - now);
  };
  from.on("data", (chunk: Buffer) => push(chunk));
  from.on("end", () => push(null));
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer({ allowHalfOpen: true }, (client) => {
    connections++;
    const acceptedAt = performance.now();
    const upstream = connect({ port: options.targetPort, host: "127.0.0.1", allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on("close", () => sockets.delete(s));
    }
    const handshakeDone = acceptedAt + 2 * options.delayMs;
    // client → server: nothing before the modelled TCP handshake's round trip
    delayedPipe(client, upstream, options.delayMs, () => handshakeDone);
    delayedPipe(upstream, client, options.delayMs, () => 0);
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", destroyBoth);
    upstream.on("error", destroyBoth);
    // a close reaches the other side after the bytes before it (they are due within delayMs)
    const later = options.delayMs + 20;
    client.on("close", () => setTimeout(() => upstream.destroy(), later));
    upstream.on("close", () => setTimeout(() => client.destroy(), later));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    address: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
