/**
 * Test only: `POST /` `{ shard, op, args }` runs one RecordStore call on the Durable Object store
 * (functions/store/durable-records.ts) and answers `{ result }` or `{ error }`
 * (test/support/records-remote.ts). A `step` call names its step (`args[0].name`); the object
 * knows the broker's steps and the contract's test steps (../test-steps.ts).
 */
import {
  RecordShard as BrokerRecordShard,
  DurableShardedStore,
} from "../../../functions/store/durable-records.ts";
import { SHARD_STEPS, stepsByName } from "../../../functions/store/shard-steps.ts";
import { TEST_STEPS } from "../test-steps.ts";

export class RecordShard extends BrokerRecordShard {
  static override readonly steps = stepsByName([...SHARD_STEPS.values(), ...TEST_STEPS]);
}

interface Call {
  shard: string;
  op: "get" | "getMany" | "list" | "commit" | "step";
  args: unknown[];
}

export default {
  async fetch(request: Request, env: { RECORDS: DurableObjectNamespace }): Promise<Response> {
    if (new URL(request.url).pathname === "/healthz") return new Response("ok");
    const { shard, op, args } = (await request.json()) as Call;
    const store = new DurableShardedStore(env.RECORDS).shard(shard);
    try {
      // biome-ignore lint/suspicious/noExplicitAny: a test front passes the arguments through
      const result = await (store[op] as (...a: any[]) => Promise<unknown>)(...args);
      return Response.json({ result: result instanceof Map ? [...result.values()] : result });
    } catch (error) {
      return Response.json({ error: error instanceof Error ? error.message : String(error) });
    }
  },
};
