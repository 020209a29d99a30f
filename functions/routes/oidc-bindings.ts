/**
 * OIDC bindings (admin only): which GitHub workflows act as which owners on which clusters.
 * PUT creates or replaces one binding by id; GET lists; GET one; DELETE removes.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { audit } from "../audit.ts";
import { type OidcBinding, oidcBindingInputSchema } from "../auth/oidc-bindings.ts";
import { requireAdmin } from "../auth/policy.ts";
import { type AppEnv, send } from "../context.ts";
import { ApiError, problemResponses } from "../problem.ts";

const BindingBody = oidcBindingInputSchema.omit({ id: true }).openapi("OidcBindingBody");
const BindingSchema = oidcBindingInputSchema
  .extend({ createdAt: z.string(), updatedAt: z.string() })
  .openapi("OidcBinding");

const IdParam = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a binding id is lowercase letters, digits and -")
    .max(63)
    .openapi({ param: { name: "id", in: "path" }, example: "train-main" }),
});

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

export function oidcBindingRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/oidc-bindings/{id}",
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
      requireAdmin(c.get("caller"));
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const { stores, now } = c.get("services");
      const { binding, created } = await stores.oidcBindings.put({ ...body, id }, now());
      audit(c, {
        action: created ? "oidc-binding.create" : "oidc-binding.replace",
        outcome: "ok",
        ...auditFields(binding),
      });
      return send(c, binding, created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/oidc-bindings",
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
      requireAdmin(c.get("caller"));
      return send(c, { bindings: await c.get("services").stores.oidcBindings.list() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/oidc-bindings/{id}",
      tags,
      summary: "One GitHub OIDC binding",
      request: { params: IdParam },
      responses: {
        200: {
          description: "The binding",
          content: { "application/json": { schema: BindingSchema } },
        },
        ...problemResponses(401, 403, 404),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const { id } = c.req.valid("param");
      const binding = await c.get("services").stores.oidcBindings.get(id);
      if (!binding) throw new ApiError("not_found", `no OIDC binding with id ${id}`);
      return send(c, binding, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/oidc-bindings/{id}",
      tags,
      summary: "Delete a GitHub OIDC binding",
      description:
        "Admin only. Workflows it matched lose its grant at once (Workers KV: within ~60 s).",
      request: { params: IdParam },
      responses: {
        204: { description: "Deleted" },
        ...problemResponses(401, 403, 404),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const { id } = c.req.valid("param");
      if (!(await c.get("services").stores.oidcBindings.delete(id))) {
        throw new ApiError("not_found", `no OIDC binding with id ${id}`);
      }
      audit(c, { action: "oidc-binding.delete", outcome: "ok", bindingId: id });
      return c.body(null, 204) as never;
    },
  );
}
