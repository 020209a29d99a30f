/**
 * POST /v1/sync: bring the caller's secrets in line across the clusters it may use, by the ledger:
 * each secret's copies of the ledger's version are copied where the secret is placed and missing
 * or stale; copies changed or deleted outside the broker are reported, and secrets the ledger does
 * not know are left alone (docs/sync.md). `dryRun` answers the plan and writes nothing.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { audit } from "../audit.ts";
import { requireRight } from "../auth/policy.ts";
import type { AppEnv } from "../context.ts";
import { problemResponses } from "../problem.ts";
import {
  nameMatcher,
  SyncAnswer,
  SyncRequestBody,
  syncOutcomeOf,
  syncScopeFor,
  syncStatus,
} from "../sync/request.ts";
import { runSync, syncLogFields } from "../sync/service.ts";

export function syncRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/sync",
      tags: ["sync"],
      summary: "Bring the caller's secrets in line on every cluster (or plan it)",
      description:
        "For the owners the credential acts for, by the broker's ledger: each secret's copy signed at the ledger's version (or the named `source`) is copied to the clusters of its placement that never confirmed that version or hold an older one. A copy changed outside the broker is reported (`editedOutsideBroker`) and never used unless it is the named source; a copy deleted outside the broker is reported (`deletedOutsideBroker`) and created again only for a secret named in `names`; secrets the ledger does not know are listed in `unledgered` and left alone (a named source adopts them). Secrets deleted through the broker are not copied back (older copies are deleted). `dryRun` answers the plan and writes nothing. 207 when some cluster or copy failed.",
      request: {
        body: { content: { "application/json": { schema: SyncRequestBody } }, required: true },
      },
      responses: {
        200: {
          description: "Every cluster was read and every planned change made",
          content: { "application/json": { schema: SyncAnswer } },
        },
        207: {
          description: "Some cluster could not be read or some change failed",
          content: { "application/json": { schema: SyncAnswer } },
        },
        ...problemResponses(400, 401, 403, 404, 413, 415, 502),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      const body = c.req.valid("json");
      requireRight(caller, body.dryRun ? "read" : "write");
      const scope = await syncScopeFor(c, caller, body);
      const outcome = await runSync(c.get("services"), {
        ...scope,
        ...(body.names ? { names: nameMatcher(body.names) } : {}),
        dryRun: body.dryRun,
        via: "sync",
      });
      audit(c, {
        action: body.dryRun ? "sync.plan" : "sync",
        outcome: syncOutcomeOf(outcome),
        ...syncLogFields(outcome),
      });
      return c.json(outcome, syncStatus(outcome));
    },
  );
}
