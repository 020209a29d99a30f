/**
 * Bench: an in-line sync of 300 secrets across 3 real clusters, through the broker app in-process
 * on Node (node:sqlite records, the Node connector). Measures the sync's time and what it asked of
 * the ledger (reads, records read, commits) and of the clusters (writes): it should write nothing.
 */
import { randomBytes } from "node:crypto";
import { createApp } from "../functions/app.ts";
import { loadConfig } from "../functions/config.ts";
import { nodeConnector } from "../functions/node.ts";
import { SqliteShardedStore } from "../functions/store/sqlite-records.ts";
import { runSync } from "../functions/sync/service.ts";
import { kubeconfigFor, type TestCluster } from "../test/cluster/cluster.ts";
import { CountingShardedStore } from "../test/support/counting-records.ts";

const SECRETS = 300;

export async function inLineSync(clusters: TestCluster[], rounds: number) {
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
  for (const c of clusters) {
    await call("PUT", `/v1/clusters/${c.info.name}`, admin, {
      kubeconfig: kubeconfigFor(c.info, "secrets-editor"),
    });
  }
  const owner = randomBytes(4).toString("hex");
  const token = (await call("POST", "/v1/tokens", admin, { owners: [owner] })).token as string;
  for (let i = 0; i < SECRETS; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        call("PUT", `/v1/secrets/inline-${i + j}`, token, {
          source: { type: "inline", pairs: { V: `v${i + j}` } },
        }),
      ),
    );
  }
  const names = clusters.map((c) => c.info.name);
  const samples: number[] = [];
  let last: Awaited<ReturnType<typeof runSync>> | null = null;
  records.reset();
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    last = await runSync(app.services, {
      owners: [owner],
      clusters: names,
      dryRun: false,
      via: "sync",
      by: "bench",
    });
    samples.push(performance.now() - t);
  }
  const ledger = records.countsFor("owner:");
  return {
    samples,
    secrets: SECRETS,
    clusters: names.length,
    in_line: last?.summary.inLine,
    planned: last?.summary.planned,
    per_sync_ledger: {
      reads: ledger.reads / rounds,
      records_read: ledger.recordsRead / rounds,
      commits: ledger.commits / rounds,
    },
  };
}
