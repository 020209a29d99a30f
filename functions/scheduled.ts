/**
 * What the cron runs (the Worker's `scheduled`, functions/worker.ts): the job tokens' rotation
 * (functions/jobs/service.ts), then the sync of every owner's secrets (functions/sync/service.ts),
 * one after the other so that the sync sees the rotated secret, and each even when the other
 * fails: a failure is logged as `{"type":"error","where":…}` (never a value) and the first one is
 * thrown once both have run.
 */
import { errorForLog } from "../konduktor/errors.ts";
import type { Services } from "./context.ts";
import { scheduledJobTokens } from "./jobs/service.ts";
import { scheduledSync } from "./sync/service.ts";

export type ScheduledRun = (
  services: Services,
  trigger: { cron: string; scheduledTime: number },
) => Promise<unknown>;

export const SCHEDULED_RUNS: readonly (readonly [string, ScheduledRun])[] = [
  ["scheduled job tokens", scheduledJobTokens],
  ["scheduled sync", scheduledSync],
];

export async function runScheduled(
  services: Services,
  trigger: { cron: string; scheduledTime: number },
  runs: readonly (readonly [string, ScheduledRun])[] = SCHEDULED_RUNS,
): Promise<void> {
  let failure: unknown = null;
  for (const [where, run] of runs) {
    try {
      await run(services, trigger);
    } catch (error) {
      failure ??= error;
      services.log({
        type: "error",
        where,
        error: errorForLog(error),
      });
    }
  }
  if (failure !== null) throw failure;
}
