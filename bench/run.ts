/**
 * `npm run bench`: timings of the real parts, written to bench/results/<timestamp>.json and printed.
 * Nothing here asserts a time; tests assert behaviour. Needs the cluster binaries
 * (`npm run cluster:build`).
 *
 * Measures: one cluster's start-to-ready; create / merge / unchanged on one cluster through the
 * fetch adapter and the client-node adapter; a 3-cluster fan-out; the CLI's direct mode writing
 * to three contexts of one kubeconfig in parallel, against each context alone (the total should be
 * close to the slowest context, not the sum); the same fan-out with one apiserver stopped (bounded
 * by the per-cluster deadline).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { putDirect, resolveDirect } from "../cli/direct.ts";
import { fanout } from "../konduktor/fanout.ts";
import { createClientNodeKubeSecrets } from "../konduktor/kube/client-node-adapter.ts";
import { nodeKubeSecrets } from "../konduktor/kube/node-fetch.ts";
import type { KubeSecrets } from "../konduktor/kube/port.ts";
import { applySecret } from "../konduktor/ops.ts";
import { buildSecret } from "../konduktor/secret.ts";
import { repoRoot } from "../test/cluster/binaries.ts";
import { kubeconfigFor, TestCluster } from "../test/cluster/cluster.ts";

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

/** A TCP proxy to `server` that holds every chunk the server sends for `delayMs` (a far cluster). */
async function slowProxy(
  server: string,
  delayMs: number,
): Promise<{ url: string; close: () => void }> {
  const target = new URL(server);
  const proxy = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d) => setTimeout(() => client.writable && client.write(d), delayMs));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", () => setTimeout(end, delayMs));
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const { port } = proxy.address() as { port: number };
  return { url: `https://127.0.0.1:${port}`, close: () => proxy.close() };
}

/**
 * `ksb --contexts …` in-process (cli/direct.ts, the client-node adapter): each context alone,
 * then all three at once; `ratio_to_slowest` = all three / the slowest context alone (1 = the
 * contexts cost no more together than the slowest alone; 3 = one after the other). Twice: as the
 * clusters are (three loopback apiservers sharing this machine's cores: the work is CPU-bound and
 * cannot overlap much), and with every context behind a proxy that adds 100 ms per server chunk
 * (far clusters: the waits overlap).
 */
async function directModeRounds(clusters: TestCluster[]) {
  const dir = mkdtempSync(join(tmpdir(), "bench-direct-"));
  const proxies = await Promise.all(clusters.map((c) => slowProxy(c.info.server, 100)));
  try {
    const docs = clusters.map((c) => parse(kubeconfigFor(c.info, "secrets-editor")));
    const kubeconfig = (far: boolean) => {
      const file = join(dir, far ? "kubeconfig-far" : "kubeconfig");
      const clusterEntries = docs.flatMap((d) => d.clusters);
      if (far) {
        for (const [i, e] of clusterEntries.entries()) e.cluster.server = proxies[i]!.url;
      }
      writeFileSync(
        file,
        stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: clusterEntries,
          users: docs.flatMap((d) => d.users),
          contexts: docs.map((d, i) => ({ ...d.contexts[0], name: clusters[i]!.info.name })),
          "current-context": clusters[0]!.info.name,
        }),
      );
      return file;
    };
    const names = clusters.map((c) => c.info.name);
    const measure = async (file: string, label: string) => {
      const write = async (contexts: string, basename: string, value: string) => {
        const target = resolveDirect({ kubeconfig: file, contexts, owner, timeoutMs: 10_000 });
        const req = {
          kind: "env" as const,
          source: { type: "inline" as const, pairs: { A: value } },
          mode: "merge" as const,
          prune: false,
          immutable: false,
          dryRun: false,
        };
        return await time(() => putDirect(target, basename, req).answer);
      };
      const single: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
      const all: number[] = [];
      const ratios: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const alone = [];
        for (const n of names) {
          const ms = await write(n, `bench-${label}-${i}`, "1");
          single[n]!.push(ms);
          alone.push(ms);
        }
        all.push(await write("all", `bench-${label}-${i}`, "2"));
        ratios.push((all.at(-1) as number) / Math.max(...alone));
      }
      const sorted = [...ratios].sort((a, b) => a - b);
      return {
        one_context: Object.fromEntries(names.map((n) => [n, stats(single[n]!)])),
        three_contexts: stats(all),
        ratio_to_slowest_p50: +(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(2),
      };
    };
    return {
      local: await measure(kubeconfig(false), "direct"),
      far_100ms: await measure(kubeconfig(true), "direct-far"),
    };
  } finally {
    for (const p of proxies) p.close();
    rmSync(dir, { recursive: true, force: true });
  }
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
    results.cli_direct_mode = await directModeRounds(clusters);

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
