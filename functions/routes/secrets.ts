/**
 * /v1/secrets: Konduktor secrets on every target cluster at once. Each route checks the request,
 * asks `authorize` what the caller may touch, then calls the secrets service (functions/secrets/);
 * answers per cluster with 200 / 207 / the common error (functions/secrets/http.ts). Values go to
 * the clusters only: never into an answer, a log line or an error.
 */
import type { z } from "@hono/zod-openapi";
import { summarize } from "../../konduktor/fanout.ts";
import {
  DeleteAnswer,
  DescribeAnswer,
  ListAnswer,
  ListSecretsQuery,
  PutAnswer,
  PutSecretBody,
  SecretNameParam,
  SecretQuery,
} from "../../konduktor/wire/secrets.ts";
import { authorizeOwner } from "../auth/authorize.ts";
import { fanoutJson, resource, route } from "../http/route.ts";
import { ApiError, problemResponses } from "../problem.ts";
import { authorized, ownerOf, putAnswer, settle } from "../secrets/http.ts";
import { checkBasename, secretFromBody } from "../secrets/input.ts";
import { describeEverywhere, listSecrets } from "../secrets/read.ts";
import { deleteSecret } from "../secrets/service.ts";

const tags = ["secrets"];

/** 200 and 207 answer the same shape: 207 when some clusters failed (their rows say why). */
function fanoutAnswers<S extends z.ZodType>(schema: S, ok: string) {
  const content = { "application/json": { schema } };
  return {
    200: { description: ok, content },
    207: { description: "Some clusters failed: the results say which and why", content },
  };
}

/** Mounted at /v1/secrets. */
export function secretRoutes() {
  const app = resource();

  app.openapi(
    route({
      auth: "caller",
      audit: "secret.put",
      operationId: "putSecret",
      registry: true,
      method: "put",
      path: "/{name}",
      tags,
      summary: "Create or merge a secret on every target cluster",
      description:
        "Builds the Konduktor secret `<name>-<owner>` once and applies it to every target cluster at once, signed with the ledger version this request got when it started (`version`; a write that changes nothing keeps the current one). Per cluster: created, updated, unchanged (no write; `supersededBy` when a later request already wrote a newer version there) or an error; `changedOutside` when that copy had been changed or deleted outside the broker and was written back. `dryRun` reports the plan with key names and keyed digests only. When every cluster failed the same way, the answer is that failure (`cluster_<code>`, e.g. 409 `cluster_not_owner`: a Secret of that name belongs to another owner).",
      request: {
        params: SecretNameParam,
        body: { content: { "application/json": { schema: PutSecretBody } }, required: true },
      },
      responses: {
        ...fanoutAnswers(PutAnswer, "Every cluster succeeded"),
        ...problemResponses(400, 404, 409, 413, 415, 422, 502, 504),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      checkBasename(name);
      const body = c.req.valid("json");
      // the Secret is checked before the clusters are chosen: a bad secret is a 400 anywhere
      const owner = authorizeOwner(c.get("caller"), { right: "write", owner: body.owner });
      const secret = secretFromBody(owner, name, body);
      const { scope, clusters } = await authorized(c, {
        right: "write",
        owners: { one: owner },
        clusters: body.clusters,
      });
      const { placement } = scope;
      const put = await putAnswer(c, { owner, name, body, secret, clusters, placement });
      return fanoutJson(c, put.body, put.status);
    },
  );

  app.openapi(
    route({
      auth: "caller",
      operationId: "listSecrets",
      registry: true,
      method: "get",
      path: "/",
      tags,
      summary: "List secrets (own, or all users') and which clusters hold each",
      request: { query: ListSecretsQuery },
      responses: {
        ...fanoutAnswers(ListAnswer, "Every cluster answered"),
        ...problemResponses(400, 404, 502, 504),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const all = query.all === "true";
      const { scope, clusters } = await authorized(c, {
        right: all ? "listAllUsers" : "read",
        owners: all ? "every" : { one: query.owner },
        clusters: query.clusters,
      });
      const owner = all ? null : ownerOf(scope);
      const requestId = c.get("requestId");
      const list = await listSecrets(c.get("services"), { owner, clusters, requestId });
      return fanoutJson(c, list.body, settle(c, list.body, list.results, null));
    },
  );

  app.openapi(
    route({
      auth: "caller",
      operationId: "describeSecret",
      registry: true,
      method: "get",
      path: "/{name}",
      tags,
      summary: "Describe a secret on every target cluster, and whether they agree",
      description:
        "Per cluster: kind, keys, value digests (never values), provenance; `agree` when every cluster holds the same content.",
      request: { params: SecretNameParam, query: SecretQuery },
      responses: {
        ...fanoutAnswers(DescribeAnswer, "Every cluster answered"),
        ...problemResponses(400, 404, 502, 504),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      checkBasename(name);
      const query = c.req.valid("query");
      const { scope, clusters } = await authorized(c, {
        right: "read",
        owners: { one: query.owner },
        clusters: query.clusters,
      });
      const owner = ownerOf(scope);
      const requestId = c.get("requestId");
      const described = await describeEverywhere(c.get("services"), {
        owner,
        name,
        clusters,
        requestId,
      });
      if (summarize(described.results).failed === 0 && described.found === 0) {
        throw new ApiError(
          "not_found",
          `owner ${owner} has no secret "${name}" on ${[...clusters.keys()].join(", ")}`,
        );
      }
      const status = settle(c, described.body, described.results, null);
      return fanoutJson(c, described.body, status);
    },
  );

  app.openapi(
    route({
      auth: "caller",
      audit: "secret.delete",
      operationId: "deleteSecret",
      registry: true,
      method: "delete",
      path: "/{name}",
      tags,
      summary: "Delete a secret from the chosen (or all) clusters",
      description:
        "Recorded in the ledger with a version when it starts (`version`): deleted everywhere when it covers the secret's whole placement, else the placement shrinks. A copy that holds a newer version (a write that started after this deletion) is left in place (`supersededBy`). A sync never copies a deleted secret back (docs/sync.md).",
      request: { params: SecretNameParam, query: SecretQuery },
      responses: {
        ...fanoutAnswers(DeleteAnswer, "Deleted everywhere"),
        ...problemResponses(400, 404, 409, 502, 504),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      checkBasename(name);
      const query = c.req.valid("query");
      const { scope, clusters } = await authorized(c, {
        right: "write",
        owners: { one: query.owner },
        clusters: query.clusters,
      });
      const owner = ownerOf(scope);
      const { body, results } = await deleteSecret(c.get("services"), {
        owner,
        name,
        clusters,
        // `all` (also clusters registered later) only for a caller that may use every cluster
        coverage: scope.placement === "all" ? "all" : [...scope.placement],
        by: c.get("caller").id,
        requestId: c.get("requestId"),
      });
      const status = settle(c, body, results, {
        owner,
        name,
        clusters: [...clusters.keys()],
        version: body.version,
      });
      return fanoutJson(c, body, status);
    },
  );

  return app;
}
