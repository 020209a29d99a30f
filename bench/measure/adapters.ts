/**
 * The bench's first measurements, kept: create / merge / unchanged on one cluster through the
 * fetch adapter and the client-node adapter (interleaved); a 3-cluster fan-out; the same fan-out
 * with one apiserver stopped (bounded by the per-cluster deadline; it restarts the apiserver after).
 * Cluster start-to-ready is read from the clusters the run started.
 */
import { randomBytes } from "node:crypto";
import { kubeconfigFor } from "../../test/cluster/cluster.ts";
import { newOwner } from "../lib/broker.ts";
import type { BenchContext, Measured } from "../lib/context.ts";
import { applyEnv, clientNodePort, fanout, fetchPort, type KubeSecrets } from "../lib/direct.ts";
import { msList, type Row, ratioList } from "../lib/report.ts";
import { interleave, ratio, record, summarize, time } from "../lib/timing.ts";

export async function measureAdapters(ctx: BenchContext): Promise<Measured> {
  const infos = ctx.clusters.map((c) => c.info);
  const kubeconfigs = infos.map((c) => kubeconfigFor(c, "secrets-editor"));
  const fetchPorts = await Promise.all(infos.map((c, i) => fetchPort(kubeconfigs[i]!, c.name)));
  const clientNode = clientNodePort(kubeconfigs[0]!, infos[0]!.name);
  const owner = newOwner();
  const tag = randomBytes(2).toString("hex");
  const samples: Record<string, number[]> = {};
  const adapterRun = (name: string, kube: KubeSecrets) => ({
    name,
    run: async (round: number) => {
      const basename = `bench-${name}-${tag}-${round + 1}`;
      const steps: [string, Record<string, string>][] = [
        ["create", { A: "1" }],
        ["merge", { B: "2" }],
        ["unchanged", { B: "2" }],
      ];
      let total = 0;
      for (const [step, pairs] of steps) {
        const ms = await time(() => applyEnv(kube, owner, basename, pairs));
        if (round >= 0) record(samples, `${name}:${step}`, ms);
        total += ms;
      }
      return total;
    },
  });
  await interleave(
    [adapterRun("fetch", fetchPorts[0]!), adapterRun("client-node", clientNode)],
    ctx.rounds,
  );
  const steps = ["create", "merge", "unchanged"];
  const fetchS = steps.map((s) => summarize(samples[`fetch:${s}`] ?? []));
  const cnS = steps.map((s) => summarize(samples[`client-node:${s}`] ?? []));

  const names = infos.map((c) => c.name);
  const byName = new Map(names.map((n, i) => [n, fetchPorts[i]!]));
  const fanAll = (basename: string, value: string, timeoutMs?: number) =>
    fanout(names, (cluster) => applyEnv(byName.get(cluster)!, owner, basename, { A: value }), {
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  const fan: number[] = [];
  for (let i = 0; i < ctx.rounds; i++) {
    fan.push(await time(() => fanAll(`bench-fan-${tag}-${i}`, String(i))));
  }
  const gamma = ctx.clusters[2]!;
  await gamma.stopApiserver();
  const down: number[] = [];
  try {
    for (let i = 0; i < Math.min(ctx.rounds, 5); i++) {
      down.push(await time(() => fanAll(`bench-down-${tag}-${i}`, String(i), 5_000)));
    }
  } finally {
    await gamma.startApiserver();
  }
  const rows: Row[] = [
    {
      measurement: "one cluster, in-process (create / merge / unchanged)",
      ours: `fetch adapter: ${msList(fetchS.map((s) => s.p50_ms))}`,
      alternative: `client-node adapter: ${msList(cnS.map((s) => s.p50_ms))}`,
      ratio: `fetch ÷ client-node: ${steps.map((_, i) => ratio(fetchS[i]!, cnS[i]!)?.toFixed(2) ?? "–").join(" / ")}`,
      target: "",
      meets: null,
      counts: "",
    },
    {
      measurement: "fan-out to 3 clusters, in-process (fetch adapter), changed value",
      ours: `all up: ${msList([summarize(fan).p50_ms])}`,
      alternative: `one apiserver stopped (5 s deadline): ${msList([summarize(down).p50_ms])}`,
      ratio: `one down ÷ all up: ${ratioList([ratio(summarize(down), summarize(fan))])}`,
      target: "",
      meets: null,
      counts: "",
    },
  ];
  return {
    rows,
    data: {
      cluster_ready_ms: ctx.clusters.map((c) => c.readyMs),
      fetch_adapter: Object.fromEntries(steps.map((s, i) => [s, fetchS[i]])),
      client_node_adapter: Object.fromEntries(steps.map((s, i) => [s, cnS[i]])),
      fanout_3_clusters: summarize(fan),
      fanout_one_down_timeout_5s: summarize(down),
    },
  };
}
