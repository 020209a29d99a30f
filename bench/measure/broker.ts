/**
 * The broker (real workerd, `wrangler dev`) against the same work done directly:
 * - PUT, one cluster, changed value ÷ a direct client-node `applySecret` (both through one
 *   counting proxy: requests per PUT, and the writes etcd stored; then one unchanged PUT);
 * - GET /v1/secrets ÷ a direct `listOwn` on the listing rows' data (10,000 foreign secrets);
 * - fan-out: PUT (changed value) to N = 1, 3, 10, 30 virtual clusters, each behind a 50 ms link,
 *   with at most 6 requests in flight as on deployed Workers; N ÷ 1, requests per cluster.
 */
import { randomBytes } from "node:crypto";
import { newOwner, outcomes } from "../lib/broker.ts";
import { countingProxyFor, editorEntry, ensureNamespace, kubeconfigOf } from "../lib/clusters.ts";
import {
  type BenchContext,
  FANOUT_SIZES,
  LINK_DELAY_MS,
  type Measured,
  WORKERS_CONNECTION_CAP,
} from "../lib/context.ts";
import { applyEnv, clientNodePort, fetchPort, listOwnOn } from "../lib/direct.ts";
import { listFixture } from "../lib/list-fixture.ts";
import { msList, type Row, ratioList, within } from "../lib/report.ts";
import { watchStoredWrites } from "../lib/stored-writes.ts";
import { interleave, ratio, summarize, time } from "../lib/timing.ts";
import { type CountingProxy, countRequests } from "../proxy/counting-proxy.ts";

const describeCounts = (proxy: CountingProxy) => {
  const c = countRequests(proxy.requests);
  return `${c.total} req (${c.get} GET, ${c.list} LIST, ${c.writes} writes)`;
};

export async function measureBrokerOverhead(ctx: BenchContext): Promise<Measured> {
  const broker = await ctx.broker();
  const alpha = ctx.clusters[0]!.info;
  const namespace = "bench-put";
  await ensureNamespace(alpha, namespace);
  const proxy = await countingProxyFor(alpha, ctx.closer);
  const kubeconfig = kubeconfigOf([editorEntry(alpha, "put", proxy.url, namespace)]);
  await broker.register("put", kubeconfig);
  const owner = newOwner();
  const token = await broker.token([owner], ["put"]);
  const direct = clientNodePort(kubeconfig, "put");
  const writes = await watchStoredWrites(alpha, namespace);
  ctx.closer.add({ close: () => writes.close() });
  const tag = randomBytes(2).toString("hex");
  const counted: Record<string, string> = {};
  const countedRun = (name: string, op: () => Promise<unknown>) => async () => {
    proxy.reset();
    const { writes: stored, value: ms } = await writes.count(() => time(op));
    counted[name] = `${describeCounts(proxy)}, ${stored} stored`;
    return ms;
  };
  const samples = await interleave(
    [
      {
        name: "broker",
        run: (round) =>
          countedRun("broker changed", async () => {
            const res = await broker.put(token, `bp-${tag}`, { A: String(round) });
            if (res.status !== 200) throw new Error(`bench: broker PUT ${res.status}: ${res.text}`);
          })(),
      },
      {
        name: "direct",
        run: (round) =>
          countedRun("direct changed", () =>
            applyEnv(direct, owner, `dp-${tag}`, { A: String(round) }),
          )(),
      },
    ],
    ctx.rounds,
  );
  await countedRun("broker unchanged", () =>
    broker.put(token, `bp-${tag}`, { A: String(ctx.rounds - 1) }),
  )();
  await countedRun("direct unchanged", () =>
    applyEnv(direct, owner, `dp-${tag}`, { A: String(ctx.rounds - 1) }),
  )();
  const put = summarize(samples.broker!);
  const applied = summarize(samples.direct!);
  const putRatio = ratio(put, applied);

  const fixture = await listFixture(ctx);
  await broker.register("list", fixture.kubeconfig);
  const listToken = await broker.token([fixture.owner], ["list"]);
  const listPort = await fetchPort(fixture.kubeconfig, "list");
  const listSamples = await interleave(
    [
      {
        name: "broker",
        run: async () => {
          fixture.proxy.reset();
          const ms = await time(() => broker.list(listToken));
          counted["broker list"] = describeCounts(fixture.proxy);
          return ms;
        },
      },
      {
        name: "direct",
        run: async () => {
          fixture.proxy.reset();
          const ms = await time(() => listOwnOn(listPort, fixture.owner));
          counted["direct list"] = describeCounts(fixture.proxy);
          return ms;
        },
      },
    ],
    ctx.rounds,
  );
  const listed = summarize(listSamples.broker!);
  const listedDirect = summarize(listSamples.direct!);
  const listRatio = ratio(listed, listedDirect);
  const rows: Row[] = [
    {
      measurement: "broker PUT, 1 cluster, changed value",
      ours: `\`wrangler dev\`: ${msList([put.p50_ms])}`,
      alternative: `direct client-node \`applySecret\`: ${msList([applied.p50_ms])}`,
      ratio: `ours ÷ direct: ${ratioList([putRatio])}`,
      target: "≤ 1.3",
      meets: within([putRatio], 1.3),
      counts: `broker: changed ${counted["broker changed"]}; unchanged ${counted["broker unchanged"]}. direct: changed ${counted["direct changed"]}; unchanged ${counted["direct unchanged"]}`,
    },
    {
      measurement: "broker GET /v1/secrets, 1 cluster (the listing rows' data)",
      ours: `\`wrangler dev\`: ${msList([listed.p50_ms])}`,
      alternative: `direct \`listOwn\`: ${msList([listedDirect.p50_ms])}`,
      ratio: `ours ÷ direct: ${ratioList([listRatio])}`,
      target: "",
      meets: null,
      counts: `broker: ${counted["broker list"]}; direct: ${counted["direct list"]}`,
    },
  ];
  return {
    rows,
    data: { put, applied, list: listed, listOwn: listedDirect, counted },
  };
}

export async function measureBrokerFanout(ctx: BenchContext): Promise<Measured> {
  const broker = await ctx.broker();
  const virtual = await ctx.virtualClusters();
  for (const vc of virtual) {
    await broker.register(
      vc.name,
      kubeconfigOf([editorEntry(vc.info, vc.name, vc.edge.url, vc.namespace)]),
    );
  }
  const owner = newOwner();
  const tag = randomBytes(2).toString("hex");
  const counted: Record<string, string> = {};
  const contenders = await Promise.all(
    FANOUT_SIZES.map(async (n) => {
      const vcs = virtual.slice(0, n);
      const token = await broker.token(
        [owner],
        vcs.map((vc) => vc.name),
      );
      return {
        name: String(n),
        run: async (round: number) => {
          for (const vc of vcs) vc.edge.reset();
          ctx.limiter.resetStats();
          const connectionsBefore = vcs.reduce((sum, vc) => sum + vc.delay.connections, 0);
          let res: Awaited<ReturnType<typeof broker.put>> | undefined;
          const ms = await time(async () => {
            res = await broker.put(token, `fan${n}-${tag}`, { A: String(round) });
          });
          const perCluster = vcs.map((vc) => vc.edge.requests.length);
          const connections =
            vcs.reduce((sum, vc) => sum + vc.delay.connections, 0) - connectionsBefore;
          counted[String(n)] =
            `${Math.min(...perCluster)}–${Math.max(...perCluster)} req per cluster, ` +
            `${connections} new connections over the link, ` +
            `${ctx.limiter.maxInFlight} in flight at most, ${ctx.limiter.queued} waited; ` +
            `${JSON.stringify(outcomes(res!))}`;
          return ms;
        },
      };
    }),
  );
  const samples = await interleave(contenders, ctx.slowRounds);
  const s = FANOUT_SIZES.map((n) => summarize(samples[String(n)]!));
  const ratios = s.slice(1).map((x) => ratio(x, s[0]!));
  const at10 = ratios[FANOUT_SIZES.indexOf(10) - 1] ?? null;
  return {
    rows: [
      {
        measurement: `broker fan-out, changed value, ${LINK_DELAY_MS} ms each way, ${WORKERS_CONNECTION_CAP} connections, N = ${FANOUT_SIZES.join(", ")}`,
        ours: msList(s.map((x) => x.p50_ms)),
        alternative: "N = 1",
        ratio: `N ÷ 1 (N = ${FANOUT_SIZES.slice(1).join(", ")}): ${ratioList(ratios)}`,
        target: "N=10 ≤ 1.2",
        meets: within([at10], 1.2),
        counts: FANOUT_SIZES.map((n) => `N=${n}: ${counted[String(n)]}`).join("; "),
      },
    ],
    data: { ...Object.fromEntries(FANOUT_SIZES.map((n, i) => [`n${n}`, s[i]])), counted },
  };
}
