/**
 * Test only: `POST /` `{ shard, op, args, objects? }` runs one RecordStore call on the Durable
 * Object store (functions/store/durable-records.ts) and answers `{ result }` or `{ error }`
 * (test/support/records-remote.ts). A `step` call names its step (`args[0].name`): the worker
 * hands the store the step of that name, and the object knows the broker's steps and the
 * contract's test steps (../test-steps.ts). `objects: "legacy"` calls objects of the class as it
 * was before steps (get, getMany, list, commit only), as a Worker finds them during a deploy.
 */
import { DurableObject } from "cloudflare:workers";
import {
  RecordShard as BrokerRecordShard,
  DurableShardedStore,
  objectSqlPort,
} from "../../../functions/store/durable-records.ts";
import type { CommitResult, RecordWrite, StoredRecord } from "../../../functions/store/records.ts";
import { SHARD_STEPS, stepsByName } from "../../../functions/store/shard-steps.ts";
import { SqlRecords } from "../../../functions/store/sql-records.ts";
import { TEST_STEPS } from "../test-steps.ts";

const STEPS = stepsByName([...SHARD_STEPS.values(), ...TEST_STEPS]);

export class RecordShard extends BrokerRecordShard {
  static override readonly steps = STEPS;
}

/** The record shard of the version before steps: its RPC methods, and no `step`. */
export class LegacyRecordShard extends DurableObject {
  private readonly records: SqlRecords;
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.records = new SqlRecords(objectSqlPort(ctx));
  }
  get(key: string): StoredRecord | null {
    return this.records.get("", key);
  }
  getMany(keys: string[]): StoredRecord[] {
    return this.records.getMany("", keys);
  }
  list(prefix: string, options?: { after?: string; limit?: number }): StoredRecord[] {
    return this.records.list("", prefix, options);
  }
  commit(writes: RecordWrite[]): CommitResult {
    return this.records.commit("", writes);
  }
}

interface Call {
  shard: string;
  op: "get" | "getMany" | "list" | "commit" | "step";
  args: unknown[];
  objects?: "legacy";
}

interface Env {
  RECORDS: DurableObjectNamespace;
  LEGACY_RECORDS: DurableObjectNamespace;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === "/healthz") return new Response("ok");
    const { shard, op, args, objects } = (await request.json()) as Call;
    const namespace = objects === "legacy" ? env.LEGACY_RECORDS : env.RECORDS;
    const store = new DurableShardedStore(namespace).shard(shard);
    if (op === "step") {
      // the step itself (its code), found by the name the test sent; an unlisted name stays a
      // bare name, which only the object can refuse
      const named = args[0] as { name: string };
      args[0] = STEPS.get(named.name) ?? named;
    }
    try {
      // biome-ignore lint/suspicious/noExplicitAny: a test front passes the arguments through
      const result = await (store[op] as (...a: any[]) => Promise<unknown>)(...args);
      return Response.json({ result: result instanceof Map ? [...result.values()] : result });
    } catch (error) {
      return Response.json({ error: error instanceof Error ? error.message : String(error) });
    }
  },
};
