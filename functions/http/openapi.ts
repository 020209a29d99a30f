/**
 * The OpenAPI 3.1 document at /v1/openapi.json, generated from the routes' zod schemas: every
 * operation has an `operationId`, its auth (bearer, or none for `signature` and `public` routes)
 * and every status it answers, problems included (functions/problem.ts `problemResponses`). The
 * e2e test test/e2e/broker-contract.test.ts holds the broker's real answers to it.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.ts";

export const API_VERSION = "0.1.0";

const registered = new WeakSet<object>();

export function openApiDocument(app: OpenAPIHono<AppEnv>, origin: string) {
  if (!registered.has(app)) {
    registered.add(app);
    app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
      type: "http",
      scheme: "bearer",
      description:
        "An API token (`kbt_…`, from POST /v1/tokens), the admin token (clusters, tokens, OIDC bindings, hooks), or a GitHub OIDC token",
    });
  }
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Konduktor secrets broker",
      version: API_VERSION,
      description:
        "One call creates, merges, lists or deletes a Konduktor secret on every Kubernetes cluster a caller may use, with an answer per cluster. Errors are RFC 9457 problem details with a stable `code` and the request id.",
      license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
    },
    servers: [{ url: origin, description: "this broker" }],
    security: [{ bearer: [] }],
    tags: [
      { name: "secrets", description: "Konduktor secrets on every cluster the caller may use" },
      { name: "sync", description: "Bring secrets in line across clusters; drift repair" },
      { name: "clusters", description: "The cluster registry (admin token)" },
      { name: "tokens", description: "API tokens (admin token)" },
      {
        name: "job-tokens",
        description:
          "API access inside an owner's Konduktor jobs: an env secret with a rotated token (admin token)",
      },
      {
        name: "oidc-bindings",
        description: "Which GitHub workflows act as which owners (admin token)",
      },
      {
        name: "webhooks",
        description: "Signed webhooks (Standard Webhooks): secret sets and syncs",
      },
      { name: "meta", description: "The broker itself, and who the caller is" },
    ],
  });
}
