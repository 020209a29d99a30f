/**
 * The broker (real workerd) against the same work done directly:
 * - PUT, one cluster, changed value ÷ a direct client-node `applySecret`, with the Worker on its
 *   own socket (as deployed, ../lib/workerd.ts) and under `wrangler dev`; all through one
 *   counting proxy. Requests and the writes etcd stored are counted after the timed rounds, on a
 *   changed and an unchanged PUT of their own;
 * - GET /v1/secrets ÷ a direct `listOwn` on the listing rows' data (10,000 foreign secrets), the
 *   same two ways;
 * - fan-out: PUT (changed value) to N = 1, 3, 10, 30 virtual clusters, each behind a 50 ms link,
 *   with at most 6 requests in flight as on deployed Workers; N ÷ 1, requests per cluster.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { WORKERS_CONNECTIONS } from "../../functions/workers-limits.ts";
import { type BenchBroker, newOwner, outcomes } from "../lib/broker.ts";
import { countingProxyFor, editorEntry, ensureNamespace, kubeconfigOf } from "../lib/clusters.ts";
import { type BenchContext, FANOUT_SIZES, LINK_DELAY_MS, type Measured } from "../lib/context.ts";
import { applyEnv, clientNodePort, fetchPort, listOwnOn } from "../lib/direct.ts";
import { listFixture } from "../lib/list-fixture.ts";
import { msList, type Row, ratioList, within } from "../lib/report.ts";
import { watchStoredWrites } from "../lib/stored-writes.ts";
import { interleave, ratio, summarize, time } from "../lib/timing.ts";
import { TMPFS } from "../lib/workerd.ts";
import { type CountingProxy, countRequests } from "../proxy/counting-proxy.ts";

const describeCounts = (proxy: CountingProxy) => {
  const c = countRequests(proxy.requests);
  return `${c.total} req (${c.get} GET, ${c.list} LIST, ${c.writes} writes)`;
};

export async function measureBrokerOverhead(ctx: BenchContext): Promise<Measured> {
  // the broker on the Worker's own socket (as deployed: no dev stack), and under `wrangler dev`
  const brokers = { workerd: await ctx.workerd(), wrangler: await ctx.broker() };
  // a probe of what the objects' commits weigh here: the Worker with its storage on tmpfs
  const probe = existsSync(TMPFS) ? await ctx.workerdOnTmpfs() : null;
  const alpha = ctx.clusters[0]!.info;
  const namespace = "bench-put";
  await ensureNamespace(alpha, namespace);
  const proxy = await countingProxyFor(alpha, ctx.closer);
  const kubeconfig = kubeconfigOf([editorEntry(alpha, "put", proxy.url, namespace)]);
  const owner = newOwner();
  const tokens = {
    workerd: await registerWithToken(brokers.workerd, "put", kubeconfig, owner),
    wrangler: await registerWithToken(brokers.wrangler, "put", kubeconfig, owner),
  };
  const probeToken = probe ? await registerWithToken(probe, "put", kubeconfig, owner) : "";
  const direct = clientNodePort(kubeconfig, "put");
  const tag = randomBytes(2).toString("hex");
  const counted: Record<string, string> = {};
  // each broker writes its own secret: two brokers (two keys) on one copy would each see the
  // other's write as a change made outside
  const putWith = (broker: BenchBroker, token: string, name: string, value: string) => async () => {
    const res = await broker.put(token, `bp-${name}-${tag}`, { A: value });
    if (res.status !== 200) throw new Error(`bench: broker PUT ${res.status}: ${res.text}`);
  };
  const brokerPut = (which: keyof typeof brokers, value: string) =>
    putWith(brokers[which], tokens[which], which, value);
  const probePut = (value: string) => putWith(probe!, probeToken, "tmpfs", value);
  const directPut = (value: string) => () => applyEnv(direct, owner, `dp-${tag}`, { A: value });
  // the PUT's ratio is read against a line (≤ 1.3) and its median over 10 rounds moved by 0.2
  // from run to run of the same code; so it takes 6× the quick rows' rounds
  const putRounds = ctx.rounds * 6;
  const samples = await interleave(
    [
      { name: "workerd", run: (round) => time(brokerPut("workerd", String(round))) },
      { name: "wrangler", run: (round) => time(brokerPut("wrangler", String(round))) },
      ...(probe ? [{ name: "tmpfs", run: (round: number) => time(probePut(String(round))) }] : []),
      { name: "direct", run: (round) => time(directPut(String(round))) },
    ],
    putRounds,
  );
  // then each counted once with a new value (changed), and again with the same (unchanged); the
  // watch opens only now: its sentinels and events are work in the bench's own process, where the
  // direct write runs, and they sped that write up
  const writes = await watchStoredWrites(alpha, namespace);
  ctx.closer.add({ close: () => writes.close() });
  /**
   * Requests and stored writes of one operation, on a run of its own, after the timed rounds: the
   * count keeps a watch open and settles by writing a sentinel Secret, work that must not fall
   * into a timed sample (decision 0025).
   */
  const countRun = async (name: string, op: () => Promise<unknown>) => {
    proxy.reset();
    const { writes: stored } = await writes.count(op);
    counted[name] = `${describeCounts(proxy)}, ${stored} stored`;
  };
  const next = String(putRounds);
  await countRun("workerd changed", brokerPut("workerd", next));
  await countRun("workerd unchanged", brokerPut("workerd", next));
  await countRun("wrangler changed", brokerPut("wrangler", next));
  if (probe) await countRun("tmpfs changed", probePut(next));
  await countRun("direct changed", directPut(next));
  await countRun("direct unchanged", directPut(next));
  writes.close();
  const put = summarize(samples.workerd!);
  const putDev = summarize(samples.wrangler!);
  const putTmpfs = probe ? summarize(samples.tmpfs!) : null;
  const applied = summarize(samples.direct!);
  const putRatio = ratio(put, applied);
  const putDevRatio = ratio(putDev, applied);
  const probeText = putTmpfs
    ? `; probe, the objects' storage on tmpfs: ${msList([putTmpfs.p50_ms])}, ${ratioList([ratio(putTmpfs, applied)])}`
    : "";

  const fixture = await listFixture(ctx);
  const listTokens = {
    workerd: await registerWithToken(brokers.workerd, "list", fixture.kubeconfig, fixture.owner),
    wrangler: await registerWithToken(brokers.wrangler, "list", fixture.kubeconfig, fixture.owner),
  };
  const listPort = await fetchPort(fixture.kubeconfig, "list");
  const listed = (which: keyof typeof brokers) => async () => {
    fixture.proxy.reset();
    const ms = await time(() => brokers[which].list(listTokens[which]));
    counted[`${which} list`] = describeCounts(fixture.proxy);
    return ms;
  };
  const listSamples = await interleave(
    [
      { name: "workerd", run: listed("workerd") },
      { name: "wrangler", run: listed("wrangler") },
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
  const list = summarize(listSamples.workerd!);
  const listDev = summarize(listSamples.wrangler!);
  const listedDirect = summarize(listSamples.direct!);
  const listRatio = ratio(list, listedDirect);
  const listDevRatio = ratio(listDev, listedDirect);
  const rows: Row[] = [
    {
      measurement: "broker PUT, 1 cluster, changed value",
      ours: `the Worker in workerd: ${msList([put.p50_ms])} (under \`wrangler dev\`: ${msList([putDev.p50_ms])}; p50 of ${putRounds})`,
      alternative: `direct client-node \`applySecret\`: ${msList([applied.p50_ms])}`,
      ratio: `ours ÷ direct: ${ratioList([putRatio])} (\`wrangler dev\`: ${ratioList([putDevRatio])}${probeText})`,
      target: "≤ 1.3",
      meets: within([putRatio], 1.3),
      counts: `broker: changed ${counted["workerd changed"]}; unchanged ${counted["workerd unchanged"]}. direct: changed ${counted["direct changed"]}; unchanged ${counted["direct unchanged"]}`,
    },
    {
      measurement: "broker GET /v1/secrets, 1 cluster (the listing rows' data)",
      ours: `the Worker in workerd: ${msList([list.p50_ms])} (under \`wrangler dev\`: ${msList([listDev.p50_ms])})`,
      alternative: `direct \`listOwn\`: ${msList([listedDirect.p50_ms])}`,
      ratio: `ours ÷ direct: ${ratioList([listRatio])} (\`wrangler dev\`: ${ratioList([listDevRatio])})`,
      target: "",
      meets: null,
      counts: `broker: ${counted["workerd list"]}; direct: ${counted["direct list"]}`,
    },
  ];
  return {
    rows,
    data: {
      put,
      putUnderWranglerDev: putDev,
      ...(putTmpfs ? { putWithObjectsOnTmpfs: putTmpfs } : {}),
      applied,
      list,
      listUnderWranglerDev: listDev,
      listOwn: listedDirect,
      counted,
    },
  };
}

/** Registers `cluster` with `broker` and returns a token for `owner` on it. */
async function registerWithToken(
  broker: BenchBroker,
  cluster: string,
  kubeconfig: string,
  owner: string,
): Promise<string> {
  await broker.register(cluster, kubeconfig);
  return await broker.token([owner], [cluster]);
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
        measurement: `broker fan-out, changed value, ${LINK_DELAY_MS} ms each way, ${WORKERS_CONNECTIONS} connections, N = ${FANOUT_SIZES.join(", ")}`,
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
