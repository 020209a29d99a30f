/** API tokens (admin only): issue (shown once), list, revoke. */
import {
  IssuedTokenSchema,
  IssueTokenBody,
  TokenIdParam,
  TokenInfoSchema,
  TokenListAnswer,
} from "../../konduktor/wire/admin.ts";
import { audit } from "../audit.ts";
import { resource, route } from "../http/route.ts";
import { ApiError, problemResponses } from "../problem.ts";
import { tokenInfo } from "../store/tokens.ts";

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
        ...problemResponses(400, 413, 415),
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
            "application/json": { schema: TokenListAnswer },
          },
        },
        ...problemResponses(),
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
        ...problemResponses(400, 404),
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
