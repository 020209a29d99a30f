/**
 * /v1/hooks, signed webhooks. The admin creates a hook bound to owners, clusters and the secret
 * names it may touch (`POST /v1/hooks`) and gets its signing secret once; lists, shows and deletes
 * hooks. A delivery (`POST /v1/hooks/{id}`) is checked and applied by functions/hooks/delivery.ts.
 */
import { z } from "@hono/zod-openapi";
import {
  CreatedHookSchema,
  CreateHookBody,
  HookIdParam,
  HookInfoSchema,
  HookListAnswer,
} from "../../konduktor/wire/admin.ts";
import { DeliveryAnswer, DeliveryBody } from "../../konduktor/wire/hooks.ts";
import { audit } from "../audit.ts";
import { deliver, TIMESTAMP_TOLERANCE_SECONDS } from "../hooks/delivery.ts";
import { fanoutJson, resource, route } from "../http/route.ts";
import { ApiError, problemResponses } from "../problem.ts";
import { hookInfo } from "../registry/hooks.ts";
import { DELIVERY_TTL_SECONDS } from "../store/deliveries.ts";

/** A delivery's hook id is any string: an id that is no hook's is answered 404 `unknown_hook`. */
const DeliveryIdParam = z.object({ id: z.string().openapi({ example: "wh_3f2a9c0d1e4b5a67" }) });

const DeliveryHeaders = z.object({
  "webhook-id": z
    .string()
    .openapi({ description: "a unique id per delivery, the same on retries" }),
  "webhook-timestamp": z
    .string()
    .openapi({ description: "the attempt's time in seconds since the Unix epoch" }),
  "webhook-signature": z.string().openapi({ description: "`v1,<base64 HMAC-SHA256>`" }),
});

const tags = ["webhooks"];

/** Mounted at /v1/hooks. */
export function hookRoutes() {
  const app = resource();

  app.openapi(
    route({
      auth: "admin",
      audit: "hook.create",
      operationId: "createHook",
      method: "post",
      path: "/",
      tags,
      summary: "Create a webhook (its signing secret is in the answer once)",
      description:
        "Admin only. The hook is bound to owners, clusters and the secret names deliveries may touch. Deliveries go to POST /v1/hooks/{id}, signed the Standard Webhooks way with the returned `whsec_` secret.",
      request: {
        body: { content: { "application/json": { schema: CreateHookBody } }, required: true },
      },
      responses: {
        201: {
          description: "Created",
          content: { "application/json": { schema: CreatedHookSchema } },
        },
        ...problemResponses(400, 413, 415),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { stores, now } = c.get("services");
      const { record, secret } = await stores.hooks.create(
        {
          label: body.label ?? null,
          owners: [...new Set(body.owners)].sort(),
          clusters: body.clusters === "all" ? "all" : [...new Set(body.clusters)].sort(),
          names: [...new Set(body.names)].sort(),
          allowSync: body.allowSync,
        },
        now(),
      );
      audit(c, {
        outcome: "ok",
        hook: record.id,
        owners: record.owners,
        clusters: record.clusters === "all" ? ["all"] : record.clusters,
        names: record.names,
      });
      return c.json({ ...hookInfo(record), secret, url: `/v1/hooks/${record.id}` }, 201);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      operationId: "listHooks",
      method: "get",
      path: "/",
      tags,
      summary: "List webhooks (never their secrets)",
      responses: {
        200: {
          description: "The hooks",
          content: {
            "application/json": { schema: HookListAnswer },
          },
        },
        ...problemResponses(),
      },
    }),
    async (c) => {
      const records = await c.get("services").stores.hooks.list();
      return c.json({ hooks: records.map(hookInfo) }, 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      operationId: "getHook",
      method: "get",
      path: "/{id}",
      tags,
      summary: "Show one webhook (never its secret)",
      request: { params: HookIdParam },
      responses: {
        200: {
          description: "The hook",
          content: { "application/json": { schema: HookInfoSchema } },
        },
        ...problemResponses(400, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const record = await c.get("services").stores.hooks.get(id);
      if (!record) throw new ApiError("not_found", `no webhook with id ${id}`);
      return c.json(hookInfo(record), 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      audit: "hook.delete",
      operationId: "deleteHook",
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Delete a webhook (its deliveries are refused from then on)",
      request: { params: HookIdParam },
      responses: {
        204: { description: "Deleted" },
        ...problemResponses(400, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await c.get("services").stores.hooks.remove(id))) {
        throw new ApiError("not_found", `no webhook with id ${id}`);
      }
      audit(c, { outcome: "ok", hook: id });
      return c.body(null, 204);
    },
  );

  // the delivery reads its raw body itself (the signature covers its exact bytes): documented with
  // its body and headers, served with the path parameter only (no zod body or header validator)
  const delivery = route({
    auth: "signature",
    audit: "hook.delivery",
    operationId: "deliverHook",
    method: "post",
    path: "/{id}",
    tags,
    summary: "Deliver a signed webhook: a secret set or a sync request",
    description: `No bearer token: Standard Webhooks headers \`webhook-id\`, \`webhook-timestamp\` (within ${TIMESTAMP_TOLERANCE_SECONDS} s) and \`webhook-signature\` (\`v1,<base64 HMAC-SHA256>\` over \`<id>.<timestamp>.<body>\`). A delivery id seen before (kept ${DELIVERY_TTL_SECONDS / 3600} h) is answered as a replay (\`replay: true\`) without a second write. Body: a secret set (PUT /v1/secrets/{name} plus \`name\`) or \`{ "sync": { … } }\`; the answer is that request's answer, led by the hook and delivery id.`,
    request: { params: DeliveryIdParam },
    responses: {
      200: {
        description:
          "Applied on every cluster (a secret set: the PUT answer; a sync: the sync answer), or a replay",
        content: { "application/json": { schema: DeliveryAnswer } },
      },
      207: {
        description: "Applied on some clusters (or some copies): the results say which failed",
        content: { "application/json": { schema: DeliveryAnswer } },
      },
      ...problemResponses(400, 401, 403, 404, 409, 413, 422, 502, 503, 504),
    },
  });
  const { middleware: _guard, ...served } = delivery;
  app.openAPIRegistry.registerPath({
    ...served,
    request: {
      params: DeliveryIdParam,
      headers: DeliveryHeaders,
      body: { content: { "application/json": { schema: DeliveryBody } }, required: true },
    },
  });
  app.openapi({ ...delivery, hide: true }, async (c) => {
    const answer = await deliver(c, c.req.valid("param").id);
    return fanoutJson(c, answer.body, answer.status);
  });

  return app;
}
