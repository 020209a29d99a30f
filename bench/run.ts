/**
 * `npm run bench`: timings of the real parts, written to bench/results/<timestamp>.json and printed.
 * Nothing here asserts a time; tests assert behaviour. Needs the cluster binaries
 * (`npm run cluster:build`).
 *
 * Measures: one cluster's start-to-ready; create / merge / unchanged on one cluster through the
 * fetch adapter and the client-node adapter; a 3-cluster fan-out; the same fan-out with one
 * apiserver stopped (bounded by the per-cluster deadline); an in-line sync of 300 secrets across
 * the 3 clusters through the broker (its time, and the ledger reads and commits it made).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fanout } from "../konduktor/fanout.ts";
import { createClientNodeKubeSecrets } from "../konduktor/kube/client-node-adapter.ts";
import { nodeKubeSecrets } from "../konduktor/kube/node-fetch.ts";
import type { KubeSecrets } from "../konduktor/kube/port.ts";
import { applySecret } from "../konduktor/ops.ts";
import { buildSecret } from "../konduktor/secret.ts";
import { repoRoot } from "../test/cluster/binaries.ts";
import { kubeconfigFor, TestCluster } from "../test/cluster/cluster.ts";
import { inLineSync } from "./inline-sync.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
/** a fixed owner hash for the benchmark's secrets (clusters are fresh each run) */
const owner = "be0c00a1";

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    n: sorted.length,
    p50_ms: +at(0.5).toFixed(2),
    p90_ms: +at(0.9).toFixed(2),
    max_ms: +(sorted.at(-1) ?? 0).toFixed(2),
  };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const provenance = { actor: "bench", via: "bench" };
const envSecret = (basename: string, pairs: Record<string, string>) =>
  buildSecret({ owner, basename, kind: "env", source: { type: "inline", pairs } });

async function adapterRounds(kube: KubeSecrets, label: string) {
  const create: number[] = [];
  const merge: number[] = [];
  const unchanged: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const basename = `bench-${label}-${i}`;
    create.push(
      await time(() =>
        applySecret(kube, envSecret(basename, { A: "1" }), { mode: "merge", provenance }),
      ),
    );
    merge.push(
      await time(() =>
        applySecret(kube, envSecret(basename, { B: "2" }), { mode: "merge", provenance }),
      ),
    );
    unchanged.push(
      await time(() =>
        applySecret(kube, envSecret(basename, { B: "2" }), { mode: "merge", provenance }),
      ),
    );
  }
  return { create: stats(create), merge: stats(merge), unchanged: stats(unchanged) };
}

async function main() {
  const results: Record<string, unknown> = { rounds: ROUNDS, node: process.version };
  const clusters: TestCluster[] = [];
  try {
    for (const name of ["alpha", "beta", "gamma"]) {
      clusters.push(await TestCluster.start({ name }));
    }
    results.cluster_ready_ms = clusters.map((c) => c.readyMs);
    const kubeconfigs = clusters.map((c) => kubeconfigFor(c.info, "secrets-editor"));
    const fetchPorts = await Promise.all(
      clusters.map((c, i) => nodeKubeSecrets(kubeconfigs[i]!, { cluster: c.info.name })),
    );
    results.fetch_adapter = await adapterRounds(fetchPorts[0]!, "fetch");
    results.client_node_adapter = await adapterRounds(
      createClientNodeKubeSecrets({ kubeconfig: kubeconfigs[0]!, cluster: "alpha" }),
      "cn",
    );

    const names = clusters.map((c) => c.info.name);
    const byName = new Map(names.map((n, i) => [n, fetchPorts[i]!]));
    const fan: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const secret = envSecret(`bench-fan-${i}`, { A: String(i) });
      fan.push(
        await time(() =>
          fanout(names, (cluster) =>
            applySecret(byName.get(cluster)!, secret, { mode: "merge", provenance }),
          ),
        ),
      );
    }
    results.fanout_3_clusters = stats(fan);

    const inline = await inLineSync(clusters, Math.min(ROUNDS, 5));
    results.in_line_sync_300x3 = {
      ...stats(inline.samples),
      ...inline,
      samples: inline.samples.map((ms) => +ms.toFixed(1)),
    };

    await clusters[2]!.stopApiserver();
    const down: number[] = [];
    for (let i = 0; i < Math.min(ROUNDS, 5); i++) {
      const secret = envSecret(`bench-down-${i}`, { A: String(i) });
      down.push(
        await time(() =>
          fanout(
            names,
            (cluster) => applySecret(byName.get(cluster)!, secret, { mode: "merge", provenance }),
            {
              timeoutMs: 5_000,
            },
          ),
        ),
      );
    }
    results.fanout_one_down_timeout_5s = stats(down);
  } finally {
    await Promise.all(clusters.map((c) => c.stop()));
  }
  const dir = join(repoRoot, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  console.log(`bench: written to ${file}`);
}

await main();
