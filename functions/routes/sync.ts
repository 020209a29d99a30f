/**
 * /v1/sync: bring the caller's secrets in line across the clusters it may use, by the ledger:
 * each secret's copies of the ledger's version are copied where the secret is placed and missing
 * or stale; copies changed or deleted outside the broker are reported, and secrets the ledger does
 * not know are left alone (docs/sync.md). `dryRun` answers the plan and writes nothing.
 */
import { SyncAnswer, SyncRequestBody } from "../../konduktor/wire/sync.ts";
import { audit } from "../audit.ts";
import { fanoutJson, resource, route } from "../http/route.ts";
import { problemResponses } from "../problem.ts";
import { nameMatcher, syncOutcomeOf, syncScopeFor, syncStatus } from "../sync/request.ts";
import { runSync, syncLogFields } from "../sync/service.ts";

/** Mounted at /v1/sync. */
export function syncRoutes() {
  const app = resource();
  const content = { "application/json": { schema: SyncAnswer } };

  app.openapi(
    route({
      auth: "caller",
      audit: "sync",
      operationId: "sync",
      method: "post",
      path: "/",
      tags: ["sync"],
      summary: "Bring the caller's secrets in line on every cluster (or plan it)",
      description:
        "For the owners the credential acts for, by the broker's ledger: each secret's copy signed at the ledger's version (or the named `source`) is copied to the clusters of its placement that never confirmed that version or hold an older one. A copy changed outside the broker is reported (`editedOutsideBroker`) and never used unless it is the named source; a copy deleted outside the broker is reported (`deletedOutsideBroker`) and created again only for a secret named in `names`; secrets the ledger does not know are listed in `unledgered` and left alone (a named source adopts them). Secrets deleted through the broker are not copied back (older copies are deleted). `dryRun` answers the plan and writes nothing. 207 when some cluster or copy failed.",
      request: {
        body: { content: { "application/json": { schema: SyncRequestBody } }, required: true },
      },
      responses: {
        200: { description: "Every cluster was read and every planned change made", content },
        207: { description: "Some cluster could not be read or some change failed", content },
        ...problemResponses(400, 404, 413, 415, 502),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const services = c.get("services");
      const { scope, registered } = await syncScopeFor(services, c.get("caller"), body);
      const outcome = await runSync(
        services,
        {
          ...scope,
          ...(body.names ? { names: nameMatcher(body.names) } : {}),
          dryRun: body.dryRun,
          via: "sync",
        },
        registered,
      );
      audit(c, {
        action: body.dryRun ? "sync.plan" : "sync",
        outcome: syncOutcomeOf(outcome),
        ...syncLogFields(outcome),
      });
      return fanoutJson(c, outcome, syncStatus(outcome));
    },
  );

  return app;
}
