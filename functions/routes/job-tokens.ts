/**
 * Job access (admin only): `PUT /v1/job-tokens/{owner}` opts an owner in (a Konduktor env secret
 * `konduktor-broker-<owner>` with KSB_URL and a short-lived token on every cluster of its job
 * access, rotated by the cron), `GET /v1/job-tokens` lists, `DELETE /v1/job-tokens/{owner}`
 * revokes the tokens and deletes the secret everywhere. Answers never hold the token.
 */
import {
  JobTokenAnswer,
  JobTokenBody,
  JobTokenListAnswer,
  JobTokenOwnerParam,
  JobTokenRevokedAnswer,
} from "../../konduktor/wire/job-tokens.ts";
import { audit, auditResults } from "../audit.ts";
import { resource, route } from "../http/route.ts";
import { jobTokenInfo, putJobAccess, revokeJobAccess } from "../jobs/service.ts";
import { ApiError, problemResponses } from "../problem.ts";

const tags = ["job-tokens"];

/** Mounted at /v1/job-tokens. */
export function jobTokenRoutes() {
  const app = resource();

  app.openapi(
    route({
      auth: "admin",
      audit: "job-token.put",
      operationId: "putJobToken",
      method: "put",
      path: "/{owner}",
      tags,
      summary: "Give an owner's Konduktor jobs API access",
      description:
        "Admin only. Issues a short-lived API token for this owner alone and writes it, with the broker URL, as the Konduktor env secret `konduktor-broker-<owner>` (keys KSB_URL and KSB_TOKEN, what `ksb` reads) on every cluster of the job access. The cron replaces the token once half its lifetime has passed and revokes the earlier one once every cluster holds the new one. Calling it again replaces the settings and the token. 201 when the owner had no job access, 200 when replaced, 207 when some cluster could not be written (named in `results` and `pending`: the cron tries again). The answer never holds the token, only its id.",
      request: {
        params: JobTokenOwnerParam,
        body: { content: { "application/json": { schema: JobTokenBody } }, required: true },
      },
      responses: {
        200: {
          description: "Replaced; every cluster holds the new token",
          content: { "application/json": { schema: JobTokenAnswer } },
        },
        201: {
          description: "Created; every cluster holds the token",
          content: { "application/json": { schema: JobTokenAnswer } },
        },
        207: {
          description: "Some clusters could not be written (named in results and pending)",
          content: { "application/json": { schema: JobTokenAnswer } },
        },
        ...problemResponses(400, 413, 415),
      },
    }),
    async (c) => {
      const { owner } = c.req.valid("param");
      const body = c.req.valid("json");
      const services = c.get("services");
      const done = await putJobAccess(
        services,
        owner,
        {
          clusters: body.clusters,
          rights: body.rights,
          lifetimeSeconds: body.lifetimeSeconds,
          url: body.url ?? new URL(c.req.url).origin,
        },
        c.get("requestId"),
      );
      const failed = done.results.some((r) => r.status === "error");
      audit(c, {
        outcome: failed ? "partial" : "ok",
        owner,
        tokenId: done.info.tokenId,
        expiresAt: done.info.expiresAt,
        clusters: done.info.clusters === "all" ? ["all"] : done.info.clusters,
        results: auditResults(done.results),
        ...(done.removed.length ? { removed: auditResults(done.removed) } : {}),
        ...(done.revoked.length ? { revokedTokens: done.revoked } : {}),
      });
      const answer = { ...done.info, results: done.results };
      if (failed) return c.json(answer, 207);
      return done.created ? c.json(answer, 201) : c.json(answer, 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      operationId: "listJobTokens",
      method: "get",
      path: "/",
      tags,
      summary: "List the owners whose jobs have API access (never the tokens)",
      responses: {
        200: {
          description: "Every owner's job access",
          content: { "application/json": { schema: JobTokenListAnswer } },
        },
        ...problemResponses(),
      },
    }),
    async (c) => {
      const services = c.get("services");
      const registered = (await services.registry.list()).map((r) => r.name);
      const records = await services.stores.jobTokens.list();
      return c.json({ jobTokens: records.map((r) => jobTokenInfo(r, registered)) }, 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      audit: "job-token.revoke",
      operationId: "revokeJobToken",
      method: "delete",
      path: "/{owner}",
      tags,
      summary: "End an owner's job access",
      description:
        "Admin only. Revokes every job token of the owner at once and deletes `konduktor-broker-<owner>` from every registered cluster; 207 names the clusters it could not be deleted from (their copy holds a revoked token).",
      request: { params: JobTokenOwnerParam },
      responses: {
        200: {
          description: "Revoked and deleted everywhere",
          content: { "application/json": { schema: JobTokenRevokedAnswer } },
        },
        207: {
          description: "Revoked; some clusters could not be reached to delete the secret",
          content: { "application/json": { schema: JobTokenRevokedAnswer } },
        },
        ...problemResponses(400, 404),
      },
    }),
    async (c) => {
      const { owner } = c.req.valid("param");
      const done = await revokeJobAccess(c.get("services"), owner, c.get("requestId"));
      if (!done) throw new ApiError("not_found", `owner ${owner} has no job access`);
      const failed = done.results.some((r) => r.status === "error" && r.code !== "not_found");
      audit(c, {
        outcome: failed ? "partial" : "ok",
        owner,
        revokedTokens: done.revokedTokens,
        results: auditResults(done.results),
      });
      return failed ? c.json(done, 207) : c.json(done, 200);
    },
  );
  return app;
}
