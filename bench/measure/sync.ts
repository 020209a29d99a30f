/**
 * Sync of 300 secrets to 2 clusters, against its floor.
 * - ours: an owner's 300 secrets were PUT through the broker while clusters b and c were
 *   unreachable (their proxies refused connections), so they are on a only; then `POST /v1/sync`
 *   copies them: 600 writes. Then a second sync, with everything in line (0 writes expected).
 *   Timed on the Worker's own socket (as deployed, ../lib/workerd.ts, decision 0019) and under
 *   `wrangler dev` beside it, each with its own owners and registry, interleaved. Their proxies
 *   hold each Worker invocation to 6 requests in flight, as deployed Workers do (../proxy/
 *   limiter.ts; link invocations are named by NAME_INVOCATIONS and each get their own 6).
 * - the floor: the same copy done directly, the least it can take: 1 LIST on a, then the 600
 *   creates on b and c, 8 at a time (32 at a time took the same here: 945 vs 882 ms, one run
 *   each; the broker runs up to FANOUT_CONCURRENCY = 32), through proxies of its own without a cap.
 * Each round uses fresh owners (a copy deleted outside the broker is not something a sync should
 * re-create). Requests are counted by the counting proxies, stored writes by watches on b, c, on
 * one round of each after the timed rounds.
 */
import pLimit from "p-limit";
import { newOwner } from "../lib/broker.ts";
import { countingProxyFor, editorEntry, ensureNamespace, kubeconfigOf } from "../lib/clusters.ts";
import type { BenchContext, Measured } from "../lib/context.ts";
import { applyEnv, copyOf, fetchPort, LABEL_OWNER } from "../lib/direct.ts";
import { msList, ratioList, within } from "../lib/report.ts";
import { type StoredWriteCounter, watchStoredWrites } from "../lib/stored-writes.ts";
import { type Contender, interleave, ratio, summarize, time } from "../lib/timing.ts";
import { type CountingProxy, countRequests } from "../proxy/counting-proxy.ts";

export const SYNC_SECRETS = 300;
const NAMESPACE = "bench-sync";
const NAMES = ["sa", "sb", "sc"] as const;

export async function measureSync(ctx: BenchContext): Promise<Measured> {
  // the broker on the Worker's own socket (as deployed: no dev stack), and under `wrangler dev`
  const brokers = { workerd: await ctx.workerd(), wrangler: await ctx.broker() };
  const infos = ctx.clusters.map((c) => c.info);
  // the brokers reach the clusters through proxies that hold each invocation to the deployed
  // Workers' 6 connections (ctx.limiter); the floor, a direct client, through its own uncapped ones
  const proxies: CountingProxy[] = [];
  const floorProxies: CountingProxy[] = [];
  const floorKubeconfigs: string[] = [];
  for (const [i, info] of infos.entries()) {
    await ensureNamespace(info, NAMESPACE);
    const proxy = await countingProxyFor(info, ctx.closer, ctx.limiter);
    proxies.push(proxy);
    const kubeconfig = kubeconfigOf([editorEntry(info, NAMES[i]!, proxy.url, NAMESPACE)]);
    for (const broker of Object.values(brokers)) await broker.register(NAMES[i]!, kubeconfig);
    const floorProxy = await countingProxyFor(info, ctx.closer);
    floorProxies.push(floorProxy);
    floorKubeconfigs.push(kubeconfigOf([editorEntry(info, NAMES[i]!, floorProxy.url, NAMESPACE)]));
  }
  const ports = await Promise.all(floorKubeconfigs.map((k, i) => fetchPort(k, NAMES[i]!)));
  /**
   * Stored writes are counted on one round of its own after the timed ones (decision 0025): the
   * watches' sentinels and events are work in the bench's process, where the floor runs. Until
   * then `watches` is null and nothing is counted.
   */
  let watches: StoredWriteCounter[] | null = null;
  const countStored = async (fn: () => Promise<number>) => {
    if (!watches) return { stored: 0, ms: await fn() };
    const [b, c] = watches as [StoredWriteCounter, StoredWriteCounter];
    const { writes: inB, value } = await b.count(() => c.count(fn));
    return { stored: inB + value.writes, ms: value.value };
  };
  const countAll = (of: readonly CountingProxy[] = proxies) => {
    const c = countRequests(of.flatMap((p) => p.requests));
    return `${c.list} LIST + ${c.get} GET + ${c.writes} writes (${c.total} req)`;
  };
  /** the brokers' requests: how many one invocation had in flight, how many waited for a slot */
  const capped = () => {
    const invocations = new Set(proxies.flatMap((p) => p.requests.map((r) => r.invocation)));
    return `${invocations.size} invocation(s), at most ${ctx.limiter.maxInFlight} in flight in one, ${ctx.limiter.queued} waited`;
  };
  const resetAll = () => {
    for (const p of [...proxies, ...floorProxies]) p.reset();
    ctx.limiter.resetStats();
  };
  const counted: Record<string, string> = {};
  const limit = pLimit(4);
  let floorOwner = "";

  /** one broker's sync of an owner's 300 secrets that are on cluster a only, then an in-line one */
  const brokerSync = (name: keyof typeof brokers): Contender => {
    const broker = brokers[name];
    let token = "";
    return {
      name,
      prepare: async (round) => {
        const owner = newOwner();
        token = await broker.token([owner], [...NAMES]);
        proxies[1]!.setDown(true);
        proxies[2]!.setDown(true);
        try {
          await Promise.all(
            Array.from({ length: SYNC_SECRETS }, (_, i) =>
              limit(async () => {
                const res = await broker.put(token, `s${i}`, { A: `${round}-${i}` });
                if (res.status !== 207) {
                  throw new Error(`bench: sync set-up PUT answered ${res.status}: ${res.text}`);
                }
              }),
            ),
          );
        } finally {
          proxies[1]!.setDown(false);
          proxies[2]!.setDown(false);
        }
      },
      run: async () => {
        resetAll();
        let status = 0;
        const { stored, ms } = await countStored(() =>
          time(async () => {
            status = (await broker.sync(token, {})).status;
          }),
        );
        if (watches) counted[name] = `HTTP ${status}: ${countAll()}, ${stored} stored; ${capped()}`;
        resetAll();
        let again = 0;
        const inLine = await countStored(async () => {
          again = (await broker.sync(token, {})).status;
          return 0;
        });
        if (watches) {
          counted[`${name} in line`] = `HTTP ${again}: ${countAll()}, ${inLine.stored} stored`;
        }
        return ms;
      },
    };
  };

  const contenders: Contender[] = [
    brokerSync("workerd"),
    brokerSync("wrangler"),
    {
      name: "floor",
      prepare: async () => {
        floorOwner = newOwner();
        await Promise.all(
          Array.from({ length: SYNC_SECRETS }, (_, i) =>
            limit(() => applyEnv(ports[0]!, floorOwner, `s${i}`, { A: String(i) })),
          ),
        );
      },
      run: async () => {
        resetAll();
        const { stored, ms } = await countStored(() =>
          time(async () => {
            const listed = await ports[0]!.list(`${LABEL_OWNER}=${floorOwner}`);
            const eight = pLimit(8);
            await Promise.all(
              listed.flatMap((s) =>
                [ports[1]!, ports[2]!].map((port) => eight(() => port.create(copyOf(s)))),
              ),
            );
          }),
        );
        if (watches) counted.floor = `${countAll(floorProxies)}, ${stored} stored`;
        return ms;
      },
    },
  ];
  const samples = await interleave(contenders, ctx.slowRounds, 0);
  // then one round more, counted (its times are not samples)
  watches = await Promise.all(
    [infos[1]!, infos[2]!].map((info) => watchStoredWrites(info, NAMESPACE)),
  );
  for (const w of watches) ctx.closer.add({ close: () => w.close() });
  for (const c of contenders) {
    await c.prepare?.(ctx.slowRounds);
    await c.run(ctx.slowRounds);
  }
  for (const w of watches) w.close();
  const ours = summarize(samples.workerd!);
  const oursDev = summarize(samples.wrangler!);
  const floor = summarize(samples.floor!);
  const r = ratio(ours, floor);
  const rDev = ratio(oursDev, floor);
  return {
    rows: [
      {
        measurement: `sync ${SYNC_SECRETS} secrets → 2 clusters, 6 connections per invocation`,
        ours: `\`POST /v1/sync\`, the Worker in workerd: ${msList([ours.p50_ms])} (under \`wrangler dev\`: ${msList([oursDev.p50_ms])})`,
        alternative: `floor (1 LIST, ${SYNC_SECRETS * 2} creates, 8 at a time): ${msList([floor.p50_ms])}`,
        ratio: `ours ÷ floor: ${ratioList([r])} (\`wrangler dev\`: ${ratioList([rDev])})`,
        target: "≤ 1.3",
        meets: within([r], 1.3),
        counts: `ours: ${counted.workerd}; in-line sync after it: ${counted["workerd in line"]}. under \`wrangler dev\`: ${counted.wrangler}; in line: ${counted["wrangler in line"]}. floor: ${counted.floor}`,
      },
    ],
    data: { broker: ours, brokerUnderWranglerDev: oursDev, floor, counted },
  };
}
