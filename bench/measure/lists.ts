/**
 * Listing the owner's secrets among 10,000 foreign ones (./lib/list-fixture.ts):
 * - ours: `listOwn`, a label selector, so the server sends only the owner's 20;
 * - list all and filter on the client (the fetch adapter, in-process);
 * - the Konduktor CLI's way: Python lists the whole namespace and filters, a whole process.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../test/support/action-runner.ts";
import type { BenchContext, Measured } from "../lib/context.ts";
import { fetchPort, listAllThenFilter, listOwnOn } from "../lib/direct.ts";
import { FOREIGN_SECRETS, listFixture, OWN_SECRETS } from "../lib/list-fixture.ts";
import { spawnTimed } from "../lib/processes.ts";
import { msList, type Row, ratioList } from "../lib/report.ts";
import { type Contender, interleave, ratio, summarize, time } from "../lib/timing.ts";

export async function measureLists(ctx: BenchContext): Promise<Measured> {
  const fixture = await listFixture(ctx);
  const kube = await fetchPort(fixture.kubeconfig, "list");
  const found: Record<string, number> = {};
  const contenders: Contender[] = [
    {
      name: "own",
      run: () =>
        time(async () => {
          found.own = await listOwnOn(kube, fixture.owner);
        }),
    },
    {
      name: "all",
      run: () =>
        time(async () => {
          found.all = await listAllThenFilter(kube, fixture.owner);
        }),
    },
  ];
  if (ctx.tools.python) {
    const python = ctx.tools.python;
    const dir = mkdtempSync(join(tmpdir(), "bench-lists-"));
    ctx.closer.add({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const file = join(dir, "kubeconfig");
    writeFileSync(file, fixture.kubeconfig, { mode: 0o600 });
    const script = join(REPO_ROOT, "bench/alt/konduktor_way.py");
    contenders.push({
      name: "konduktor",
      run: async () => {
        const run = await spawnTimed(python, [script, "list", file, "list", fixture.owner]);
        if (run.code !== 0) throw new Error(`bench: python list exited ${run.code}: ${run.stderr}`);
        found.konduktor = Number(run.stdout.trim());
        return run.totalMs;
      },
    });
  }
  const samples = await interleave(contenders, ctx.rounds);
  const own = summarize(samples.own!);
  const rows: Row[] = [];
  const alternatives = [
    ["all", "list all, filter on the client (in-process)"],
    ["konduktor", "the Konduktor CLI's way: Python lists all and filters (whole process)"],
  ] as const;
  for (const [name, label] of alternatives) {
    if (!samples[name]) continue;
    const alt = summarize(samples[name]);
    rows.push({
      measurement: `list own among ${FOREIGN_SECRETS.toLocaleString("en-US")} foreign secrets`,
      ours: `label selector (\`listOwn\`): ${msList([own.p50_ms])}`,
      alternative: `${label}: ${msList([alt.p50_ms])}`,
      ratio: `${name} ÷ ours: ${ratioList([ratio(alt, own)])}`,
      target: "",
      meets: null,
      counts: `found ${found.own} / ${found[name]} of ${OWN_SECRETS}`,
    });
  }
  return {
    rows,
    data: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)])),
  };
}
