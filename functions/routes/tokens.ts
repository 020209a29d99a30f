/** API tokens (admin only): issue (shown once), list, revoke. */
import { z } from "@hono/zod-openapi";
import { audit } from "../audit.ts";
import { RightsInput } from "../auth/caller.ts";
import { resource, route } from "../http/route.ts";
import { ApiError, problemResponses } from "../problem.ts";
import { ClusterName, OwnerHash } from "../schemas.ts";
import { tokenInfo } from "../store/tokens.ts";

const MAX_TTL_SECONDS = 366 * 24 * 3600;

const IssueTokenBody = z
  .strictObject({
    label: z.string().max(100).optional().openapi({ example: "ci-deploy" }),
    owners: z
      .array(OwnerHash)
      .min(1, "owners needs at least one owner hash")
      .max(50)
      .openapi({ description: "the owner hashes the token acts as" }),
    clusters: z
      .union([z.literal("all"), z.array(ClusterName).min(1)])
      .default("all")
      .openapi({ description: 'cluster names, or "all" (default)' }),
    rights: RightsInput,
    expiresInSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_TTL_SECONDS, "a token lives at most 366 days")
      .default(30 * 24 * 3600)
      .openapi({ description: "lifetime in seconds (default 30 days, at most 366 days)" }),
  })
  .openapi("IssueToken");

const TokenInfoSchema = z
  .object({
    id: z.string().openapi({ example: "3f2a9c0d1e4b5a67" }),
    label: z.string().nullable(),
    owners: z.array(z.string()),
    clusters: z.union([z.literal("all"), z.array(z.string())]),
    rights: z.object({ write: z.boolean(), read: z.boolean(), listAllUsers: z.boolean() }),
    createdAt: z.string(),
    expiresAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("Token");

const IssuedTokenSchema = TokenInfoSchema.extend({
  token: z.string().openapi({
    description: "the token itself: shown once, stored only as a hash",
    example: "kbt_3f2a9c0d1e4b5a67_…",
  }),
}).openapi("IssuedToken");

const TokenIdParam = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{16}$/, "a token id is 16 lowercase hex characters")
    .openapi({ param: { name: "id", in: "path" } }),
});

const tags = ["tokens"];

/** Mounted at /v1/tokens. */
export function tokenRoutes() {
  const app = resource();

  app.openapi(
    route({
      auth: "admin",
      audit: "token.issue",
      operationId: "issueToken",
      method: "post",
      path: "/",
      tags,
      summary: "Issue an API token",
      description:
        "Admin only. The token is in the answer once; the broker keeps only its SHA-256. Bound to owner hashes, clusters, rights and an expiry.",
      request: {
        body: { content: { "application/json": { schema: IssueTokenBody } }, required: true },
      },
      responses: {
        201: {
          description: "Issued",
          content: { "application/json": { schema: IssuedTokenSchema } },
        },
        ...problemResponses(400, 401, 403, 413, 415),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { stores, now } = c.get("services");
      const at = now();
      const { token, record } = await stores.tokens.issue(
        {
          ...(body.label ? { label: body.label } : {}),
          owners: body.owners,
          clusters: body.clusters,
          rights: body.rights,
          expiresAt: new Date(at.getTime() + body.expiresInSeconds * 1000),
        },
        at,
      );
      audit(c, {
        outcome: "ok",
        tokenId: record.id,
        owners: record.owners,
        clusters: record.clusters === "all" ? ["all"] : record.clusters,
        rights: record.rights,
        expiresAt: record.expiresAt,
      });
      return c.json({ ...tokenInfo(record), token }, 201);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      operationId: "listTokens",
      method: "get",
      path: "/",
      tags,
      summary: "List API tokens (never the tokens themselves)",
      responses: {
        200: {
          description: "The tokens",
          content: {
            "application/json": { schema: z.object({ tokens: z.array(TokenInfoSchema) }) },
          },
        },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const records = await c.get("services").stores.tokens.list();
      return c.json({ tokens: records.map(tokenInfo) }, 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      audit: "token.revoke",
      operationId: "revokeToken",
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Revoke an API token",
      description:
        "Admin only. The token stops working at once: the very next request with it is refused.",
      request: { params: TokenIdParam },
      responses: {
        200: {
          description: "Revoked",
          content: { "application/json": { schema: TokenInfoSchema } },
        },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { stores, now } = c.get("services");
      const record = await stores.tokens.revoke(id, now());
      if (!record) throw new ApiError("not_found", `no API token with id ${id}`);
      audit(c, { outcome: "ok", tokenId: id });
      return c.json(tokenInfo(record), 200);
    },
  );
  return app;
}
