/**
 * TRANSITIONAL: the secrets and sync routes, until they are declared with `route()` like the
 * others (they are being rewritten for the intent ledger). Their rules are given here by method
 * and path, for the same guard every declared route runs.
 */
import type { RouteConfig } from "@hono/zod-openapi";
import { guard } from "../http/guard.ts";
import { resource } from "../http/route.ts";
import { secretRoutes } from "./secrets.ts";
import { syncRoutes } from "./sync.ts";

const RULES: Record<string, { audit?: string; operationId: string }> = {
  "put /v1/secrets/{name}": { audit: "secret.put", operationId: "putSecret" },
  "get /v1/secrets": { operationId: "listSecrets" },
  "get /v1/secrets/{name}": { operationId: "describeSecret" },
  "delete /v1/secrets/{name}": { audit: "secret.delete", operationId: "deleteSecret" },
  "post /v1/sync": { audit: "sync", operationId: "sync" },
};

export function legacyRoutes() {
  const app = resource();
  const openapi = app.openapi.bind(app);
  app.openapi = ((route: RouteConfig, handler: never, hook?: never) => {
    const rules = RULES[`${route.method} ${route.path}`];
    if (!rules) throw new Error(`no rules for ${route.method} ${route.path}`);
    const { audit, operationId } = rules;
    return openapi(
      {
        ...route,
        operationId,
        middleware: [guard({ auth: "caller", ...(audit ? { audit } : {}) })],
      },
      handler,
      hook,
    );
  }) as typeof app.openapi;
  secretRoutes(app);
  syncRoutes(app);
  return app;
}
