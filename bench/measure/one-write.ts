/**
 * One write as a whole process, as a CI step pays it (new / changed / unchanged), three ways:
 * - ours: the Action in kubeconfig mode, the committed bundle run as the runner runs it;
 * - the Konduktor CLI's way: bench/alt/konduktor_way.py (load kubeconfig, GET, PATCH or CREATE);
 * - the Azure/k8s-create-secret way: `kubectl delete`, `kubectl create secret generic`,
 *   `kubectl label` (the Konduktor labels), three processes with a fresh HOME (a fresh runner:
 *   no discovery cache).
 * All three reach the cluster through one counting proxy (requests per operation) and a watch
 * counts the writes etcd stored. Rounds are interleaved; each round rotates who goes first.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_NAMESPACE } from "../../test/cluster/cluster.ts";
import { REPO_ROOT } from "../../test/support/action-runner.ts";
import { newOwner } from "../lib/broker.ts";
import { countingProxyFor, editorEntry, kubeconfigOf } from "../lib/clusters.ts";
import type { BenchContext, Measured } from "../lib/context.ts";
import { runActionTimed, spawnTimed } from "../lib/processes.ts";
import { msList, type Row, ratioList, within } from "../lib/report.ts";
import { watchStoredWrites } from "../lib/stored-writes.ts";
import { interleave, ratio, record, summarize } from "../lib/timing.ts";
import { countRequests } from "../proxy/counting-proxy.ts";

const OPS = ["new", "changed", "unchanged"] as const;
type Op = (typeof OPS)[number];
const valueFor = (op: Op, round: number) => `v${op === "new" ? 1 : 2}-${round}`;

interface Way {
  name: string;
  /** runs one whole write; answers its ms; throws when the tool failed */
  write(basename: string, secretName: string, value: string): Promise<number>;
}

export async function measureOneWrite(ctx: BenchContext): Promise<Measured> {
  const alpha = ctx.clusters[0]!.info;
  const proxy = await countingProxyFor(alpha, ctx.closer);
  const kubeconfig = kubeconfigOf([editorEntry(alpha, "alpha", proxy.url, TEST_NAMESPACE)]);
  const dir = mkdtempSync(join(tmpdir(), "bench-one-write-"));
  ctx.closer.add({ close: () => rmSync(dir, { recursive: true, force: true }) });
  const kubeconfigFile = join(dir, "kubeconfig");
  writeFileSync(kubeconfigFile, kubeconfig, { mode: 0o600 });
  const owner = newOwner();
  const failed = (what: string, run: { code: number; stdout: string; stderr: string }) =>
    new Error(`bench: ${what} exited ${run.code}: ${(run.stderr || run.stdout).slice(-800)}`);

  const ways: Way[] = [
    {
      name: "action",
      async write(basename, _name, value) {
        const run = await runActionTimed({
          name: basename,
          values: `A=${value}`,
          kubeconfig,
          owner,
        });
        if (run.code !== 0) throw failed("the Action", run);
        return run.totalMs;
      },
    },
  ];
  if (ctx.tools.python) {
    const python = ctx.tools.python;
    const script = join(REPO_ROOT, "bench/alt/konduktor_way.py");
    ways.push({
      name: "konduktor",
      async write(basename, name, value) {
        const run = await spawnTimed(
          python,
          [script, "set", kubeconfigFile, "alpha", name, owner, basename, "env"],
          { input: JSON.stringify({ A: value }) },
        );
        if (run.code !== 0) throw failed("the Konduktor way (python)", run);
        return run.totalMs;
      },
    });
  }
  if (ctx.tools.kubectl) {
    const kubectl = ctx.tools.kubectl;
    ways.push({
      name: "kubectl",
      async write(basename, name, value) {
        const home = mkdtempSync(join(dir, "home-"));
        const valueFile = join(home, "A");
        writeFileSync(valueFile, value, { mode: 0o600 });
        const env = { PATH: process.env.PATH ?? "", HOME: home, KUBECONFIG: kubeconfigFile };
        const started = performance.now();
        // Azure/k8s-create-secret: delete (its exit code ignored), then create
        await spawnTimed(kubectl, ["delete", "secret", name, "-n", TEST_NAMESPACE], { env });
        const create = await spawnTimed(
          kubectl,
          ["create", "secret", "generic", name, `--from-file=A=${valueFile}`, "-n", TEST_NAMESPACE],
          { env },
        );
        if (create.code !== 0) throw failed("kubectl create", create);
        const label = await spawnTimed(
          kubectl,
          [
            "label",
            "secret",
            name,
            "parent=konduktor",
            `trainy.ai/secret-owner=${owner}`,
            `trainy.ai/secret-basename=${basename}`,
            "trainy.ai/secret-kind=env",
            "-n",
            TEST_NAMESPACE,
          ],
          { env },
        );
        if (label.code !== 0) throw failed("kubectl label", label);
        const ms = performance.now() - started;
        rmSync(home, { recursive: true, force: true });
        return ms;
      },
    });
  }

  const writes = await watchStoredWrites(alpha, TEST_NAMESPACE);
  ctx.closer.add({ close: () => writes.close() });
  const tag = randomBytes(2).toString("hex");
  /** per way and op: requests and stored writes of the last counted round */
  const counted: Record<
    string,
    Record<Op, { requests: number; secretRequests: string; stored: number }>
  > = {};
  const samples: Record<string, number[]> = {};
  await interleave(
    ways.map((way) => ({
      name: way.name,
      run: async (round) => {
        const basename = `w${way.name.slice(0, 3)}-${tag}-${round + 1}`;
        const name = `${basename}-${owner}`;
        let total = 0;
        for (const op of OPS) {
          proxy.reset();
          const { writes: stored, value: ms } = await writes.count(() =>
            way.write(basename, name, valueFor(op, round)),
          );
          if (round >= 0) record(samples, `${way.name}:${op}`, ms);
          const secrets = countRequests(proxy.requests, (r) => r.path.includes("/secrets"));
          const perOp = counted[way.name] ?? ({} as (typeof counted)[string]);
          counted[way.name] = perOp;
          perOp[op] = {
            requests: proxy.requests.length,
            secretRequests: `${secrets.get} GET, ${secrets.list} LIST, ${secrets.writes} writes`,
            stored,
          };
          total += ms;
        }
        return total;
      },
    })),
    ctx.slowRounds,
  );
  // its events must not reach the rows after this one, some of which write in this namespace
  writes.close();
  const per = (way: string, op: Op) => summarize(samples[`${way}:${op}`] ?? []);
  const ours = OPS.map((op) => per("action", op));
  const rows: Row[] = [];
  const countsOf = (way: string) =>
    OPS.map((op) => {
      const c = counted[way]?.[op];
      return c ? `${op}: ${c.requests} req (${c.secretRequests}), ${c.stored} stored` : "";
    }).join("; ");
  for (const [way, label, target] of [
    ["konduktor", "the Konduktor CLI's way (Python: GET, then PATCH or CREATE)", 0.5],
    ["kubectl", "the Azure/k8s-create-secret way (kubectl delete, create, label)", 1.0],
  ] as const) {
    if (!ways.some((w) => w.name === way)) continue;
    const alt = OPS.map((op) => per(way, op));
    const ratios = OPS.map((_, i) => ratio(ours[i]!, alt[i]!));
    rows.push({
      measurement: "one write, whole process (new / changed / unchanged)",
      ours: `the Action, kubeconfig mode: ${msList(ours.map((s) => s.p50_ms))}`,
      alternative: `${label}: ${msList(alt.map((s) => s.p50_ms))}`,
      ratio: `ours ÷ ${way}: ${ratioList(ratios)}`,
      target: `≤ ${target.toFixed(1)}`,
      meets: within(ratios, target),
      counts: `ours: ${countsOf("action")}. ${way}: ${countsOf(way)}`,
    });
  }
  return {
    rows,
    data: {
      samples_ms: Object.fromEntries(Object.keys(samples).map((k) => [k, summarize(samples[k]!)])),
      counted,
      ways: ways.map((w) => w.name),
    },
  };
}
