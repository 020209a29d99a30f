/**
 * OIDC bindings (admin only): which GitHub workflows act as which owners on which clusters.
 * PUT creates or replaces one binding by id; GET lists; GET one; DELETE removes.
 */
import {
  OidcBindingBody as BindingBody,
  OidcBindingSchema as BindingSchema,
  BindingIdParam as IdParam,
  OidcBindingListAnswer,
} from "../../konduktor/wire/admin.ts";
import { audit } from "../audit.ts";
import type { OidcBinding } from "../auth/oidc-bindings.ts";
import { resource, route } from "../http/route.ts";
import { ApiError, problemResponses } from "../problem.ts";

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
        "Admin only. Workflows whose OIDC token claims match `match` (repository required; ref, environment, workflow, … optional; exact or glob) act as `owners` on `clusters` with `rights`. When several bindings match, a request must fit ONE of them (its owner, right and every target cluster): bindings never combine into a permission none of them grants.",
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
        ...problemResponses(400, 413, 415),
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
            "application/json": { schema: OidcBindingListAnswer },
          },
        },
        ...problemResponses(),
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
        ...problemResponses(400, 404),
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
        ...problemResponses(400, 404),
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
