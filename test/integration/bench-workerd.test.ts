// The bench's broker in workerd as deployed (bench/lib/workerd.ts): the bundle `wrangler deploy`
// would upload, run by the workerd binary from a config of its own, writes a secret to a real
// apiserver. What the bench's broker-overhead rows time has to work on a fresh clone; the bench
// itself runs no test.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type BenchBroker, newOwner, startBenchBroker } from "../../bench/lib/broker.ts";
import { editorEntry, kubeconfigOf } from "../../bench/lib/clusters.ts";
import { TMPFS } from "../../bench/lib/workerd.ts";
import { TEST_NAMESPACE } from "../cluster/cluster.ts";

const alpha = inject("clusters")[0]!;
const ROOT = resolve(import.meta.dirname, "../..");

describe("the bench's broker in workerd", () => {
  const started: BenchBroker[] = [];
  afterAll(async () => {
    for (const b of started) await b.stop();
  });

  for (const runtime of ["workerd", "workerd-tmpfs"] as const) {
    // the probe's objects live on Linux's tmpfs (the bench leaves the probe out without it)
    const where = runtime === "workerd-tmpfs" && !existsSync(TMPFS) ? it.skip : it;
    where(
      `${runtime}: registers a cluster and writes a secret there through its own socket`,
      async () => {
        const broker = await startBenchBroker([alpha], { CLUSTER_RETRIES: "0" }, runtime);
        started.push(broker);
        await broker.register(
          "alpha",
          kubeconfigOf([editorEntry(alpha, "alpha", alpha.server, TEST_NAMESPACE)]),
        );
        const owner = newOwner();
        const token = await broker.token([owner], ["alpha"]);
        const put = await broker.put(token, `bench-${runtime}`, { A: "1" });
        expect(put.status, put.text).toBe(200);
        expect(put.body).toMatchObject({
          version: 1,
          results: [{ cluster: "alpha", status: "created" }],
        });
      },
    );
  }

  it("pins the workerd binary that wrangler runs", () => {
    const ours = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const wrangler = JSON.parse(
      readFileSync(join(ROOT, "node_modules", "wrangler", "package.json"), "utf8"),
    );
    expect(ours.devDependencies.workerd).toBe(wrangler.dependencies.workerd);
    expect(existsSync(join(ROOT, "node_modules", "workerd", "package.json"))).toBe(true);
  });
});
