/**
 * Test only: `POST /` `{ shard, op, args }` runs one RecordStore call on the Durable Object store
 * (functions/store/durable-records.ts) and answers `{ result }` or `{ error }` (test/support/records-remote.ts).
 */
import { DurableShardedStore, RecordShard } from "../../../functions/store/durable-records.ts";

export { RecordShard };

interface Call {
  shard: string;
  op: "get" | "getMany" | "list" | "commit";
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
