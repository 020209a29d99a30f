/**
 * The CLI's direct mode (`ksb --contexts a,b,c put`): three contexts of one kubeconfig written in
 * parallel, against each context alone, a changed value each round. Ratio: all three ÷ the slowest
 * context alone (1: the contexts cost no more together than the slowest alone; 3: one after the
 * other). Twice: the three loopback apiservers as they are (CPU-bound on a shared machine: little
 * can overlap), and three virtual clusters behind the bench's link delay (far clusters: the waits
 * overlap).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_NAMESPACE } from "../../test/cluster/cluster.ts";
import { newOwner } from "../lib/broker.ts";
import { type ContextEntry, editorEntry, kubeconfigOf } from "../lib/clusters.ts";
import { type BenchContext, LINK_DELAY_MS, type Measured } from "../lib/context.ts";
import { cliDirectPut } from "../lib/direct.ts";
import { msList, type Row, ratioList } from "../lib/report.ts";
import { interleave, type Summary, summarize } from "../lib/timing.ts";

const ALL = "all three";

async function measureContexts(
  ctx: BenchContext,
  dir: string,
  label: string,
  entries: ContextEntry[],
): Promise<{ row: Row; data: Record<string, Summary | number | null> }> {
  const file = join(dir, `kubeconfig-${randomBytes(4).toString("hex")}`);
  writeFileSync(file, kubeconfigOf(entries));
  const owner = newOwner();
  const tag = randomBytes(2).toString("hex");
  const names = entries.map((e) => e.name);
  const contenders = [...names, ALL].map((name, i) => ({
    name,
    run: async (round: number) => {
      const t = performance.now();
      await cliDirectPut(
        file,
        name === ALL ? names.join(",") : name,
        owner,
        `cli-${tag}-${i}`,
        String(round),
      );
      return performance.now() - t;
    },
  }));
  const samples = await interleave(contenders, ctx.rounds);
  const alone = names.map((n) => summarize(samples[n]!));
  const together = summarize(samples[ALL]!);
  const slowest = Math.max(...alone.map((s) => s.p50_ms));
  const r = slowest > 0 ? +(together.p50_ms / slowest).toFixed(2) : null;
  return {
    row: {
      measurement: `\`ksb --contexts\` (direct mode), 3 contexts of one kubeconfig in parallel, ${label}`,
      ours: `all three: ${msList([together.p50_ms])}`,
      alternative: `each alone: ${msList(alone.map((s) => s.p50_ms))}`,
      ratio: `all three ÷ slowest alone: ${ratioList([r])}`,
      target: "",
      meets: null,
      counts: "",
    },
    data: {
      ...Object.fromEntries(names.map((n, i) => [n, alone[i]!])),
      all: together,
      ratio_to_slowest: r,
    },
  };
}

export async function measureCliDirect(ctx: BenchContext): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), "bench-cli-direct-"));
  try {
    const local = await measureContexts(
      ctx,
      dir,
      "loopback apiservers",
      ctx.clusters
        .slice(0, 3)
        .map((c) => editorEntry(c.info, c.info.name, c.info.server, TEST_NAMESPACE)),
    );
    const virtual = (await ctx.virtualClusters()).slice(0, 3);
    const far = await measureContexts(
      ctx,
      dir,
      `${LINK_DELAY_MS} ms each way`,
      virtual.map((vc) =>
        editorEntry(vc.info, vc.name, `https://${vc.delay.address}`, vc.namespace),
      ),
    );
    return { rows: [local.row, far.row], data: { local: local.data, far: far.data } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
