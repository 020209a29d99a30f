/**
 * The Workers entry (Cloudflare Workers; locally `wrangler dev` on workerd). Settings are checked
 * once per isolate, on the first request: a misconfigured broker answers every request with a
 * problem that names the settings to fix (never their values) and logs the same.
 */
import type { ExecutionContext } from "hono";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { edgeConnector } from "./connect-edge.ts";
import { problemResponse } from "./problem.ts";
import { runScheduled } from "./scheduled.ts";
import { DurableShardedStore } from "./store/durable-records.ts";
import { KvStore } from "./store/kv-store.ts";

// and the class of `LINKS`: a wide fan-out's requests leave from one invocation per cluster
export { ClusterLink } from "./cluster-link.ts";
// the Durable Object class of the `RECORDS` binding (wrangler.jsonc) is exported by the entry
export { RecordShard } from "./store/durable-records.ts";

interface ScheduledControllerLike {
  readonly scheduledTime: number;
  readonly cron: string;
}
interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

let cached:
  | { env: Env; app: ReturnType<typeof createApp> }
  | { env: Env; error: ConfigError }
  | undefined;

function appFor(env: Env) {
  if (cached?.env === env) return cached;
  try {
    const config = loadConfig(env as unknown as Record<string, unknown>);
    cached = {
      env,
      app: createApp({
        config,
        records: new DurableShardedStore(env.RECORDS, (line) => console.log(JSON.stringify(line))),
        // the state of brokers before the Durable Objects, migrated on the first request
        legacyState: new KvStore(env.KONDUKTOR_KV),
        runtime: "edge",
        connector: edgeConnector(env.LINKS),
        docsScript: () => env.ASSETS.fetch(new Request("https://assets.invalid/standalone.js")),
      }),
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(JSON.stringify({ type: "config_error", problems: error.problems }));
    cached = { env, error };
  }
  return cached;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const entry = appFor(env);
    if ("error" in entry) {
      return problemResponse(
        "broker_misconfigured",
        500,
        entry.error.message,
        crypto.randomUUID(),
        new URL(request.url).pathname,
        { errors: entry.error.problems.map((p) => ({ field: p.setting, message: p.message })) },
      );
    }
    return await entry.app.fetch(request, env, ctx);
  },

  /**
   * Cron triggers (wrangler.jsonc `triggers.crons`): the job tokens' rotation, logged as one
   * `{"type":"job-tokens"}` line, then a sync of every owner's secrets across every registered
   * cluster, one `{"type":"sync"}` line (functions/scheduled.ts). Awaited
   * here (not waitUntil) so that the run ends when the handler does.
   */
  async scheduled(controller: ScheduledControllerLike, env: Env, _ctx: ExecutionContextLike) {
    const entry = appFor(env);
    if ("error" in entry) {
      // names the settings to fix (never their values); the cron does nothing until they are fixed
      console.error(
        JSON.stringify({
          type: "sync",
          trigger: "cron",
          cron: controller.cron,
          note: "broker misconfigured: scheduled sync skipped",
          problems: entry.error.problems.map((p) => p.setting),
        }),
      );
      return;
    }
    await entry.app.ready();
    await runScheduled(entry.app.services, controller);
  },
};
