/**
 * OIDC bindings (admin only): which GitHub workflows act as which owners on which clusters.
 * PUT creates or replaces one binding by id; GET lists; GET one; DELETE removes.
 */
import { z } from "@hono/zod-openapi";
import { audit } from "../audit.ts";
import { type OidcBinding, oidcBindingInputSchema } from "../auth/oidc-bindings.ts";
import { resource, route } from "../http/route.ts";
import { ApiError, problemResponses } from "../problem.ts";
import { BindingId } from "../schemas.ts";

const BindingBody = oidcBindingInputSchema.omit({ id: true }).openapi("OidcBindingBody");

/** A stored binding as answered (one object: no `allOf` of closed objects no answer could match). */
const BindingSchema = z
  .object({
    id: z.string(),
    description: z.string().optional(),
    match: z.record(z.string(), z.string()),
    owners: z.array(z.string()),
    clusters: z.union([z.literal("all"), z.array(z.string())]),
    rights: z.object({ write: z.boolean(), read: z.boolean(), listAllUsers: z.boolean() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("OidcBinding");

const IdParam = z.object({ id: BindingId.openapi({ param: { name: "id", in: "path" } }) });

const tags = ["oidc-bindings"];

function auditFields(b: OidcBinding) {
  return {
    bindingId: b.id,
    match: b.match,
    owners: b.owners,
    clusters: b.clusters === "all" ? ["all"] : b.clusters,
    rights: b.rights,
  };
}

/** Mounted at /v1/oidc-bindings. */
export function oidcBindingRoutes() {
  const app = resource();

  app.openapi(
    route({
      auth: "admin",
      audit: "oidc-binding.put",
      operationId: "putOidcBinding",
      method: "put",
      path: "/{id}",
      tags,
      summary: "Create or replace a GitHub OIDC binding",
      description:
        "Admin only. Workflows whose OIDC token claims match `match` (repository required; ref, environment, workflow, … optional; exact or glob) act as `owners` on `clusters` with `rights`. When several bindings match, the caller gets their union.",
      request: {
        params: IdParam,
        body: { content: { "application/json": { schema: BindingBody } }, required: true },
      },
      responses: {
        200: {
          description: "Replaced",
          content: { "application/json": { schema: BindingSchema } },
        },
        201: { description: "Created", content: { "application/json": { schema: BindingSchema } } },
        ...problemResponses(400, 401, 403, 413, 415),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const { stores, now } = c.get("services");
      const { binding, created } = await stores.oidcBindings.put({ ...body, id }, now());
      audit(c, {
        action: created ? "oidc-binding.create" : "oidc-binding.replace",
        outcome: "ok",
        ...auditFields(binding),
      });
      return created ? c.json(binding, 201) : c.json(binding, 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      operationId: "listOidcBindings",
      method: "get",
      path: "/",
      tags,
      summary: "List GitHub OIDC bindings",
      responses: {
        200: {
          description: "The bindings",
          content: {
            "application/json": { schema: z.object({ bindings: z.array(BindingSchema) }) },
          },
        },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      return c.json({ bindings: await c.get("services").stores.oidcBindings.list() }, 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      operationId: "getOidcBinding",
      method: "get",
      path: "/{id}",
      tags,
      summary: "One GitHub OIDC binding",
      request: { params: IdParam },
      responses: {
        200: {
          description: "The binding",
          content: { "application/json": { schema: BindingSchema } },
        },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const binding = await c.get("services").stores.oidcBindings.get(id);
      if (!binding) throw new ApiError("not_found", `no OIDC binding with id ${id}`);
      return c.json(binding, 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      audit: "oidc-binding.delete",
      operationId: "deleteOidcBinding",
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Delete a GitHub OIDC binding",
      description:
        "Admin only. Workflows it matched lose its grant at once (Workers KV: within ~60 s).",
      request: { params: IdParam },
      responses: {
        204: { description: "Deleted" },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await c.get("services").stores.oidcBindings.delete(id))) {
        throw new ApiError("not_found", `no OIDC binding with id ${id}`);
      }
      audit(c, { outcome: "ok", bindingId: id });
      return c.body(null, 204);
    },
  );
  return app;
}
