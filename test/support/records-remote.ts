/**
 * Test harness: the Durable Object record store in REAL workerd (`wrangler dev` on
 * test/support/records-worker, local state in a fresh `--persist-to` dir), driven over HTTP as a
 * `ShardedStore`, so that the one contract suite (./records-contract.ts) runs against it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type {
  CommitResult,
  RecordStore,
  RecordWrite,
  ShardedStore,
  ShardStep,
  StepResult,
  StoredRecord,
} from "../../functions/store/records.ts";
import { freePort } from "../cluster/cluster.ts";
import { spawnService } from "./service.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export interface RunningRecordsWorker {
  store: ShardedStore;
  /** the same store on objects of the class before steps (a deploy's older version) */
  legacyStore: ShardedStore;
  stop(): Promise<void>;
}

export async function startRecordsWorker(): Promise<RunningRecordsWorker> {
  const dir = mkdtempSync(join(tmpdir(), "konduktor-records-"));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const service = await spawnService(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      "--config",
      join(ROOT, "test/support/records-worker/wrangler.jsonc"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      join(dir, "state"),
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
      healthUrl: `${url}/healthz`,
    },
  ).catch((error: Error) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  async function call<T>(
    shard: string,
    op: string,
    args: unknown[],
    objects?: "legacy",
  ): Promise<T> {
    const res = await fetch(url, {
      method: "POST",
      body: JSON.stringify({ shard, op, args, ...(objects ? { objects } : {}) }),
    });
    const body = (await res.json()) as { result?: T; error?: string };
    if (body.error !== undefined) throw new Error(body.error);
    return body.result as T;
  }

  const storeOf = (objects?: "legacy"): ShardedStore => ({
    shard: (name): RecordStore => ({
      get: (key) => call<StoredRecord | null>(name, "get", [key], objects),
      getMany: async (keys) =>
        new Map(
          (await call<StoredRecord[]>(name, "getMany", [keys], objects)).map((r) => [r.key, r]),
        ),
      list: (prefix, options) =>
        call<StoredRecord[]>(name, "list", [prefix, options ?? {}], objects),
      commit: (writes: readonly RecordWrite[]) =>
        call<CommitResult>(name, "commit", [writes], objects),
      // the worker runs the step it knows by this name (test/support/records-worker/worker.ts)
      step: <A, R>(step: ShardStep<A, R>, args: A) =>
        call<StepResult<R>>(name, "step", [{ name: step.name }, args], objects),
    }),
  });
  const store = storeOf();
  return {
    store,
    legacyStore: storeOf("legacy"),
    stop: async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
