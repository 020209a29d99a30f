/**
 * Test harness: a TCP proxy in front of a real kube-apiserver that can hold every byte sent to it
 * (`stall(true)`): a cluster that accepts connections and never answers, for as long as a test
 * needs. TLS passes through untouched (the apiserver's certificate names 127.0.0.1).
 *
 *   const proxy = await startStallProxy(new URL(cluster.server).port);
 *   proxy.stall(true);   // requests hang from now on
 *   proxy.stall(false);  // held bytes flow, and new ones pass at once
 *   await proxy.close();
 */
import { createConnection, createServer, type Socket } from "node:net";

export interface StallProxy {
  /** `https://127.0.0.1:<port>` */
  server: string;
  stall(on: boolean): void;
  close(): Promise<void>;
}

export async function startStallProxy(targetPort: number): Promise<StallProxy> {
  let stalled = false;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    sockets.add(client).add(upstream);
    const forward = (chunk: Buffer) => {
      if (stalled) held.push(() => upstream.write(chunk));
      else upstream.write(chunk);
    };
    client.on("data", forward);
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    server: `https://127.0.0.1:${port}`,
    stall(on) {
      stalled = on;
      if (!on) for (const write of held.splice(0)) write();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
