/**
 * The /v1/secrets routes: Konduktor secrets on every target cluster at once. Each route checks the
 * caller and the request, then calls the secrets service (functions/secrets/); answers per cluster
 * with 200 / 207 / the common error (functions/secrets/http.ts). Values go to the clusters only:
 * never into an answer, a log line or an error.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { summarize } from "../../konduktor/fanout.ts";
import { pickOwner, requireRight } from "../auth/policy.ts";
import type { AppEnv } from "../context.ts";
import { ApiError, problemResponses } from "../problem.ts";
import { putAnswer, settle, targets } from "../secrets/http.ts";
import { describeEverywhere, listSecrets } from "../secrets/read.ts";
import { deleteSecret, placementFor } from "../secrets/service.ts";
import {
  checkBasename,
  commaList,
  DeleteAnswer,
  DescribeAnswer,
  ListAnswer,
  OwnerQuery,
  PutAnswer,
  PutSecretBody,
  SecretNameParam,
  secretFromBody,
} from "../secrets/wire.ts";

// ---------- routes ----------

const tags = ["secrets"];
/** 200 and 207 answer the same shape: 207 when some clusters failed (their rows say why). */
function fanoutAnswers<S extends z.ZodType>(schema: S, ok: string) {
  const content = { "application/json": { schema } };
  return {
    200: { description: ok, content },
    207: { description: "Some clusters failed: the results say which and why", content },
  };
}

export function secretRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/secrets/{name}",
      tags,
      summary: "Create or merge a secret on every target cluster",
      description:
        "Builds the Konduktor secret `<name>-<owner>` once and applies it to every target cluster at once, signed with the ledger version this request got when it started (`version`; a write that changes nothing keeps the current one). Per cluster: created, updated, unchanged (no write; `supersededBy` when a later request already wrote a newer version there) or an error. `dryRun` reports the plan with key names and keyed digests only.",
      request: {
        params: SecretNameParam,
        body: { content: { "application/json": { schema: PutSecretBody } }, required: true },
      },
      responses: {
        ...fanoutAnswers(PutAnswer, "Every cluster succeeded"),
        ...problemResponses(400, 401, 403, 404, 413, 415, 502, 504),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireRight(caller, "write");
      const { name } = c.req.valid("param");
      checkBasename(name);
      const body = c.req.valid("json");
      const owner = pickOwner(caller, body.owner);
      const secret = secretFromBody(owner, name, body);
      const clusters = await targets(c, caller, body.clusters);
      const put = await putAnswer(c, caller, { owner, name, body, secret, clusters });
      return c.json(put.body, put.status);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/secrets",
      tags,
      summary: "List secrets (own, or all users') and which clusters hold each",
      request: {
        query: z.strictObject({
          owner: OwnerQuery,
          all: z
            .enum(["true", "false"], { error: 'all must be "true" or "false"' })
            .optional()
            .openapi({ description: "every user's secrets (needs the listAllUsers right)" }),
          clusters: commaList,
        }),
      },
      responses: {
        ...fanoutAnswers(ListAnswer, "Every cluster answered"),
        ...problemResponses(400, 401, 403, 404, 502, 504),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      const query = c.req.valid("query");
      const all = query.all === "true";
      requireRight(caller, all ? "listAllUsers" : "read");
      const owner = all ? null : pickOwner(caller, query.owner);
      const clusters = await targets(c, caller, query.clusters);
      const { body, results } = await listSecrets(c.get("services"), {
        owner,
        clusters,
        requestId: c.get("requestId"),
      });
      return c.json(body, settle(c, body, results, null));
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/secrets/{name}",
      tags,
      summary: "Describe a secret on every target cluster, and whether they agree",
      description:
        "Per cluster: kind, keys, value digests (never values), provenance; `agree` when every cluster holds the same content.",
      request: {
        params: SecretNameParam,
        query: z.strictObject({ owner: OwnerQuery, clusters: commaList }),
      },
      responses: {
        ...fanoutAnswers(DescribeAnswer, "Every cluster answered"),
        ...problemResponses(400, 401, 403, 404, 502, 504),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireRight(caller, "read");
      const { name } = c.req.valid("param");
      checkBasename(name);
      const query = c.req.valid("query");
      const owner = pickOwner(caller, query.owner);
      const clusters = await targets(c, caller, query.clusters);
      const {
        body,
        results: raw,
        found,
      } = await describeEverywhere(c.get("services"), {
        owner,
        name,
        clusters,
        requestId: c.get("requestId"),
      });
      const s = summarize(raw);
      if (s.failed === 0 && found === 0) {
        throw new ApiError(
          "not_found",
          `owner ${owner} has no secret "${name}" on ${[...clusters.keys()].join(", ")}`,
        );
      }
      return c.json(body, settle(c, body, raw, null));
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/secrets/{name}",
      tags,
      summary: "Delete a secret from the chosen (or all) clusters",
      description:
        "Recorded in the ledger with a version when it starts (`version`): deleted everywhere when it covers the secret's whole placement, else the placement shrinks. A copy that holds a newer version (a write that started after this deletion) is left in place (`supersededBy`). A sync never copies a deleted secret back (docs/sync.md).",
      request: {
        params: SecretNameParam,
        query: z.strictObject({ owner: OwnerQuery, clusters: commaList }),
      },
      responses: {
        ...fanoutAnswers(DeleteAnswer, "Deleted everywhere"),
        ...problemResponses(400, 401, 403, 404, 502, 504),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireRight(caller, "write");
      const { name } = c.req.valid("param");
      checkBasename(name);
      const query = c.req.valid("query");
      const owner = pickOwner(caller, query.owner);
      const clusters = await targets(c, caller, query.clusters);
      const { body, results } = await deleteSecret(c.get("services"), {
        owner,
        name,
        clusters,
        // `all` (also clusters registered later) only for a caller that may use every cluster
        coverage: placementFor(caller, query.clusters, clusters),
        by: caller.id,
        requestId: c.get("requestId"),
      });
      const status = settle(c, body, results, {
        action: "secret.delete",
        owner,
        name,
        clusters: [...clusters.keys()],
        version: body.version,
      });
      return c.json(body, status);
    },
  );
}
