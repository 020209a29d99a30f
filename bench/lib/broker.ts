/**
 * The broker for the bench: real workerd, through `wrangler dev` (test/support/broker.ts) or on the
 * Worker's own socket without wrangler's development stack (./workerd.ts), clusters
 * registered through its admin API, API tokens bound to owners and clusters, and the calls the
 * bench times. Any answer that is not what the bench needs stops the bench with the answer's text.
 */
import { randomBytes } from "node:crypto";
import type { ClusterInfo } from "../../test/cluster/cluster.ts";
import { type BrokerResponse, startBroker } from "../../test/support/broker.ts";
import { type BrokerEndpoint, startBrokerEndpoint } from "./workerd.ts";

/**
 * `wrangler dev` as a developer runs it, or workerd alone (the bundle `wrangler deploy` uploads),
 * its Durable Objects' storage on local disk, or (`workerd-tmpfs`, a probe) on tmpfs
 */
export type BrokerRuntime = "wrangler-dev" | "workerd" | "workerd-tmpfs";

export interface BenchBroker {
  readonly runtime: BrokerRuntime;
  register(name: string, kubeconfig: string): Promise<void>;
  /** an API token for `owners` on `clusters` (read + write) */
  token(owners: string[], clusters: string[]): Promise<string>;
  put(token: string, basename: string, pairs: Record<string, string>): Promise<BrokerResponse>;
  list(token: string): Promise<BrokerResponse>;
  sync(token: string, body: Record<string, unknown>): Promise<BrokerResponse>;
  stop(): Promise<void>;
}

export function newOwner(): string {
  return randomBytes(4).toString("hex");
}

function expectStatus(res: BrokerResponse, ok: number[], what: string): BrokerResponse {
  if (!ok.includes(res.status)) {
    throw new Error(`bench: ${what} answered ${res.status}: ${res.text.slice(0, 500)}`);
  }
  return res;
}

export async function startBenchBroker(
  infos: readonly ClusterInfo[],
  vars: Record<string, string> = {},
  runtime: BrokerRuntime = "wrangler-dev",
): Promise<BenchBroker> {
  const raw: BrokerEndpoint =
    runtime === "wrangler-dev"
      ? await startBroker({ caPems: infos.map((c) => c.caPem), vars })
      : await startBrokerEndpoint(infos, vars, runtime === "workerd" ? "disk" : "tmpfs");
  let tokens = 0;
  return {
    runtime,
    async register(name, kubeconfig) {
      expectStatus(
        await raw.request("PUT", `/v1/clusters/${name}`, {
          token: raw.adminToken,
          json: { kubeconfig },
        }),
        [200, 201],
        `registering cluster ${name}`,
      );
    },
    async token(owners, clusters) {
      const res = expectStatus(
        await raw.request("POST", "/v1/tokens", {
          token: raw.adminToken,
          json: {
            label: `bench-${++tokens}`,
            owners,
            clusters,
            rights: { write: true, read: true, listAllUsers: false },
            expiresInSeconds: 86_400,
          },
        }),
        [201],
        "issuing a token",
      );
      return res.body.token as string;
    },
    async put(token, basename, pairs) {
      return await raw.request("PUT", `/v1/secrets/${basename}`, {
        token,
        json: { kind: "env", source: { type: "inline", pairs } },
      });
    },
    async list(token) {
      return expectStatus(await raw.request("GET", "/v1/secrets", { token }), [200], "list");
    },
    async sync(token, body) {
      return await raw.request("POST", "/v1/sync", { token, json: body });
    },
    stop: () => raw.stop(),
  };
}

/** `created`/`updated`/… per cluster of a PUT answer, e.g. `{ updated: 10 }`; errors by code. */
export function outcomes(res: BrokerResponse): Record<string, number> {
  const out: Record<string, number> = {};
  const results = (res.body?.results ?? []) as { status: string; code?: string }[];
  for (const r of results) {
    const key = r.status === "error" ? `error:${r.code ?? "?"}` : r.status;
    out[key] = (out[key] ?? 0) + 1;
  }
  if (results.length === 0) out[`http:${res.status}`] = 1;
  return out;
}
