/**
 * What every measurement gets: the rounds to run, the clusters, the tools, one shared broker and
 * one shared set of virtual clusters (both started on first use), and where to close things.
 */
import { WORKERS_CONNECTIONS } from "../../functions/workers-limits.ts";
import type { TestCluster } from "../../test/cluster/cluster.ts";
import { createLimiter, type Limiter } from "../proxy/limiter.ts";
import { type BenchBroker, startBenchBroker } from "./broker.ts";
import { type Closer, startVirtualClusters, type VirtualCluster } from "./clusters.ts";
import type { Row } from "./report.ts";
import type { Tools } from "./tools.ts";

/** One-way link delay of the fan-out and contexts rows (a 100 ms round trip). */
export const LINK_DELAY_MS = 50;
export const FANOUT_SIZES = [1, 3, 10, 30] as const;

export interface Measured {
  rows: Row[];
  data: Record<string, unknown>;
}

export interface BenchContext {
  /** rounds of the quick rows */
  rounds: number;
  /** rounds of the slow rows (whole processes over a delayed link, sync of 300) */
  slowRounds: number;
  clusters: TestCluster[];
  tools: Tools;
  closer: Closer;
  log(line: string): void;
  /** the Workers connection cap shared by every virtual cluster's edge proxy */
  limiter: Limiter;
  /**
   * the broker under `wrangler dev` (the fan-out rows; beside the Worker in the PUT, listing and
   * sync rows)
   */
  broker(): Promise<BenchBroker>;
  /** the broker in workerd on the Worker's own socket, without `wrangler dev`'s stack (./workerd.ts) */
  workerd(): Promise<BenchBroker>;
  /** the same with its Durable Objects' storage on tmpfs (a probe, not as deployed) */
  workerdOnTmpfs(): Promise<BenchBroker>;
  /** the virtual clusters (as many as the largest fan-out), each registered with the broker once */
  virtualClusters(): Promise<VirtualCluster[]>;
}

export function createContext(base: {
  rounds: number;
  slowRounds: number;
  clusters: TestCluster[];
  tools: Tools;
  closer: Closer;
  log(line: string): void;
}): BenchContext {
  const limiter = createLimiter(WORKERS_CONNECTIONS);
  let broker: Promise<BenchBroker> | undefined;
  let workerd: Promise<BenchBroker> | undefined;
  let virtual: Promise<VirtualCluster[]> | undefined;
  let onTmpfs: Promise<BenchBroker> | undefined;
  const infos = base.clusters.map((c) => c.info);
  const startWorkerd = async (runtime: "workerd" | "workerd-tmpfs") => {
    base.log(`bench: starting the broker in workerd (no \`wrangler dev\` stack; ${runtime})…`);
    // NAME_INVOCATIONS: as for `wrangler dev` (the sync row's cap proxies group by invocation)
    const b = await startBenchBroker(
      infos,
      { CLUSTER_RETRIES: "0", NAME_INVOCATIONS: "1" },
      runtime,
    );
    base.closer.add({ close: () => b.stop() });
    return b;
  };
  return {
    ...base,
    limiter,
    broker() {
      broker ??= (async () => {
        base.log("bench: starting the broker (wrangler dev)…");
        // no retries: the sync row makes two clusters unreachable on purpose while it sets up
        // NAME_INVOCATIONS: each link invocation names itself, and the cap proxy gives it its own 6
        const b = await startBenchBroker(infos, { CLUSTER_RETRIES: "0", NAME_INVOCATIONS: "1" });
        base.closer.add({ close: () => b.stop() });
        return b;
      })();
      return broker;
    },
    workerd() {
      workerd ??= startWorkerd("workerd");
      return workerd;
    },
    workerdOnTmpfs() {
      onTmpfs ??= startWorkerd("workerd-tmpfs");
      return onTmpfs;
    },
    virtualClusters() {
      virtual ??= startVirtualClusters(infos, Math.max(...FANOUT_SIZES), {
        delayMs: LINK_DELAY_MS,
        limiter,
        closer: base.closer,
      });
      return virtual;
    },
  };
}
