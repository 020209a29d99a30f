/**
 * An in-line sync of 300 secrets across 3 clusters, by the intent ledger, against its floor.
 * - ours: the broker app in-process on Node (node:sqlite records, the Node connector, real
 *   apiservers): an owner's 300 secrets PUT to all 3 clusters, then `runSync` of that owner, with
 *   everything in line. Counted: what it asked of the ledger (reads, records read, commits, steps) and
 *   the writes it sent to the clusters (0 expected).
 * - the floor: the least an in-line check can do without a ledger: one LIST of the owner's
 *   secrets on each of the 3 clusters, in parallel.
 */
import { randomBytes } from "node:crypto";
import { createApp } from "../../functions/app.ts";
import { loadConfig } from "../../functions/config.ts";
import { nodeConnector } from "../../functions/node.ts";
import { SqliteShardedStore } from "../../functions/store/sqlite-records.ts";
import { runSync } from "../../functions/sync/service.ts";
import { nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import { LABEL_OWNER } from "../../konduktor/secret.ts";
import { kubeconfigFor } from "../../test/cluster/cluster.ts";
import { CountingShardedStore } from "../../test/support/counting-records.ts";
import type { BenchContext, Measured } from "../lib/context.ts";
import { msList, ratioList } from "../lib/report.ts";
import { interleave, ratio, summarize, time } from "../lib/timing.ts";

export const INLINE_SECRETS = 300;

export async function measureInlineSync(ctx: BenchContext): Promise<Measured> {
  const infos = ctx.clusters.map((c) => c.info);
  const records = new CountingShardedStore(new SqliteShardedStore(":memory:"));
  const admin = `adm_${randomBytes(16).toString("hex")}`;
  const app = createApp({
    config: loadConfig({ ADMIN_TOKEN: admin, KEK: randomBytes(32).toString("base64") }),
    records,
    runtime: "node",
    connector: nodeConnector,
    log: () => {},
  });
  const call = async (method: string, path: string, token: string, json: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(json),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  for (const info of infos) {
    await call("PUT", `/v1/clusters/${info.name}`, admin, {
      kubeconfig: kubeconfigFor(info, "secrets-editor"),
    });
  }
  const owner = randomBytes(4).toString("hex");
  const token = (await call("POST", "/v1/tokens", admin, { owners: [owner] })).token as string;
  for (let i = 0; i < INLINE_SECRETS; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        call("PUT", `/v1/secrets/inline-${i + j}`, token, {
          source: { type: "inline", pairs: { V: `v${i + j}` } },
        }),
      ),
    );
  }
  const ports = await Promise.all(
    infos.map((info) =>
      nodeKubeSecrets(kubeconfigFor(info, "secrets-editor"), { cluster: info.name }),
    ),
  );
  const names = infos.map((i) => i.name);
  let last: Awaited<ReturnType<typeof runSync>> | null = null;
  records.reset();
  const samples = await interleave(
    [
      {
        name: "ours",
        run: () =>
          time(async () => {
            last = await runSync(app.services, {
              owners: [owner],
              clusters: names,
              dryRun: false,
              via: "sync",
              by: "bench",
            });
          }),
      },
      {
        name: "floor",
        run: () => time(() => Promise.all(ports.map((p) => p.list(`${LABEL_OWNER}=${owner}`)))),
      },
    ],
    ctx.slowRounds,
    0,
  );
  const runs = samples.ours!.length;
  const ledger = records.countsFor("owner:");
  const outcome = last as Awaited<ReturnType<typeof runSync>> | null;
  const per = {
    ledger_reads: ledger.reads / runs,
    ledger_records_read: ledger.recordsRead / runs,
    ledger_commits: ledger.commits / runs,
    ledger_steps: ledger.steps / runs,
    planned: outcome?.summary.planned ?? null,
    in_line: outcome?.summary.inLine ?? null,
  };
  const ours = summarize(samples.ours!);
  const floor = summarize(samples.floor!);
  const r = ratio(ours, floor);
  return {
    rows: [
      {
        measurement: `in-line sync, ${INLINE_SECRETS} secrets × ${names.length} clusters`,
        ours: `sync by the ledger (Node, node:sqlite): ${msList([ours.p50_ms])}`,
        alternative: `floor (1 LIST per cluster, in parallel): ${msList([floor.p50_ms])}`,
        ratio: `ours ÷ floor: ${ratioList([r])}`,
        target: "",
        meets: null,
        counts: `per sync: ledger ${per.ledger_reads} read(s), ${per.ledger_records_read} records, ${per.ledger_commits} commits, ${per.ledger_steps} steps; ${per.planned} cluster writes planned (${per.in_line} in line)`,
      },
    ],
    data: { ours, floor, per },
  };
}
