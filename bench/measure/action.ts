/**
 * The Action as a process:
 * - start to first output: spawn to the first stdout byte, the Action (kubeconfig mode, a real
 *   cluster) vs `node -e` printing one line: what loading the bundle costs;
 * - N contexts of one kubeconfig over a 50 ms link (each context its own virtual cluster: own
 *   port, own namespace), a changed value each round: N = 1, 3, 10, 30, ratio N ÷ 1.
 */
import { randomBytes } from "node:crypto";
import { TEST_NAMESPACE } from "../../test/cluster/cluster.ts";
import { newOwner } from "../lib/broker.ts";
import { editorEntry, kubeconfigOf } from "../lib/clusters.ts";
import { type BenchContext, FANOUT_SIZES, LINK_DELAY_MS, type Measured } from "../lib/context.ts";
import { runActionTimed, spawnTimed } from "../lib/processes.ts";
import { msList, ratioList, within } from "../lib/report.ts";
import { interleave, ratio, summarize } from "../lib/timing.ts";

export async function measureStartup(ctx: BenchContext): Promise<Measured> {
  const alpha = ctx.clusters[0]!.info;
  const kubeconfig = kubeconfigOf([editorEntry(alpha, "alpha", alpha.server, TEST_NAMESPACE)]);
  const owner = newOwner();
  const tag = randomBytes(2).toString("hex");
  const samples = await interleave(
    [
      {
        name: "action",
        run: async (round) => {
          const run = await runActionTimed({
            name: `start-${tag}-${round + 1}`,
            values: "A=1",
            kubeconfig,
            owner,
          });
          if (run.code !== 0)
            throw new Error(`bench: the Action exited ${run.code}: ${run.stdout}`);
          return run.firstOutputMs;
        },
      },
      {
        name: "node",
        run: async () =>
          (await spawnTimed(process.execPath, ["-e", 'console.log("x")'])).firstOutputMs,
      },
    ],
    ctx.rounds,
  );
  const ours = summarize(samples.action!);
  const node = summarize(samples.node!);
  const r = ratio(ours, node);
  return {
    rows: [
      {
        measurement: "the Action, start to first output",
        ours: `the Action: ${msList([ours.p50_ms])}`,
        alternative: `\`node -e\`: ${msList([node.p50_ms])}`,
        ratio: `ours ÷ node -e: ${ratioList([r])}`,
        target: "≤ 3",
        meets: within([r], 3),
        counts: "",
      },
    ],
    data: { action: ours, node },
  };
}

export async function measureActionContexts(ctx: BenchContext): Promise<Measured> {
  const virtual = await ctx.virtualClusters();
  const owner = newOwner();
  const tag = randomBytes(2).toString("hex");
  const contenders = FANOUT_SIZES.map((n) => {
    const vcs = virtual.slice(0, n);
    const kubeconfig = kubeconfigOf(
      vcs.map((vc) => editorEntry(vc.info, vc.name, `https://${vc.delay.address}`, vc.namespace)),
    );
    return {
      name: String(n),
      run: async (round: number) => {
        const run = await runActionTimed({
          name: `ctx${n}-${tag}`,
          values: `A=${round}`,
          kubeconfig,
          owner,
          context: vcs.map((vc) => vc.name).join(","),
        });
        if (run.code !== 0) {
          throw new Error(
            `bench: the Action (${n} contexts) exited ${run.code}: ${run.stdout.slice(-800)}`,
          );
        }
        return run.totalMs;
      },
    };
  });
  const samples = await interleave(contenders, ctx.slowRounds);
  const s = FANOUT_SIZES.map((n) => summarize(samples[String(n)]!));
  const ratios = s.slice(1).map((x) => ratio(x, s[0]!));
  const at10 = ratios[FANOUT_SIZES.indexOf(10) - 1] ?? null;
  return {
    rows: [
      {
        measurement: `the Action, N contexts of one kubeconfig (${LINK_DELAY_MS} ms each way), N = ${FANOUT_SIZES.join(", ")}`,
        ours: `${msList(s.map((x) => x.p50_ms))}`,
        alternative: "N = 1",
        ratio: `N ÷ 1 (N = ${FANOUT_SIZES.slice(1).join(", ")}): ${ratioList(ratios)}`,
        target: "N=10 ≤ 1.3",
        meets: within([at10], 1.3),
        counts: "",
      },
    ],
    data: Object.fromEntries(FANOUT_SIZES.map((n, i) => [`n${n}`, s[i]])),
  };
}
