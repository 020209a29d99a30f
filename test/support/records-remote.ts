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

  async function call<T>(shard: string, op: string, args: unknown[]): Promise<T> {
    const res = await fetch(url, { method: "POST", body: JSON.stringify({ shard, op, args }) });
    const body = (await res.json()) as { result?: T; error?: string };
    if (body.error !== undefined) throw new Error(body.error);
    return body.result as T;
  }

  const store: ShardedStore = {
    shard: (name): RecordStore => ({
      get: (key) => call<StoredRecord | null>(name, "get", [key]),
      getMany: async (keys) =>
        new Map((await call<StoredRecord[]>(name, "getMany", [keys])).map((r) => [r.key, r])),
      list: (prefix, options) => call<StoredRecord[]>(name, "list", [prefix, options ?? {}]),
      commit: (writes: readonly RecordWrite[]) => call<CommitResult>(name, "commit", [writes]),
      // the object runs the step it knows by this name (test/support/records-worker/worker.ts)
      step: <A, R>(step: ShardStep<A, R>, args: A) =>
        call<StepResult<R>>(name, "step", [step, args]),
    }),
  };
  return {
    store,
    stop: async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
