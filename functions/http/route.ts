/**
 * How a route is declared: its OpenAPI operation (with an `operationId`), who may call it and the
 * audit action it writes, in one place. `route()` turns the two rules into the route's own
 * middleware (./guard.ts), so nothing outside the route's file knows its path:
 *
 *   app.openapi(
 *     route({ auth: "admin", audit: "token.revoke", operationId: "revokeToken",
 *             method: "delete", path: "/{id}", … }),
 *     async (c) => c.json(…, 200),
 *   );
 *
 * A resource is a sub-app (`resource()`) mounted once in functions/app.ts with `app.route()`.
 */
import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ZodError } from "zod";
import type { AppContext, AppEnv } from "../context.ts";
import { fieldProblems, invalidInput, problemResponses } from "../problem.ts";
import { type Auth, guard } from "./guard.ts";

export type { Auth } from "./guard.ts";

export interface RouteRules {
  /**
   * Who may call: `admin` (the admin token), `caller` (an API token or a GitHub OIDC token; the
   * route's authorization decides the rest), `signature` (no bearer token: the handler checks a
   * webhook signature) or `public`.
   */
  auth: Auth;
  /** The audit action of a mutating route, e.g. `secret.put`: its refusals are audited under it. */
  audit?: string;
  /** Client generators name their methods after it. */
  operationId: string;
  /**
   * The handler authorizes on the registered clusters (functions/secrets/http.ts `authorized`):
   * an API token's check then reads them in the same call to the control shard.
   */
  registry?: boolean;
}

type Declared = Omit<RouteConfig, "middleware" | "security" | "operationId">;

/** An OpenAPI route with its auth rule and audit action (see the module comment). */
export function route<const R extends Declared>(spec: R & RouteRules) {
  const { auth, audit, registry, ...config } = spec;
  const middleware: [MiddlewareHandler<AppEnv>] = [
    guard({ auth, ...(audit ? { audit } : {}), ...(registry ? { registry } : {}) }),
  ];
  const bearer = auth === "admin" || auth === "caller";
  return createRoute({
    ...(config as unknown as R & { operationId: string }),
    // what the guard may answer: a missing or bad credential, a refusal, OIDC keys out of reach
    // (not in a route's own list: so typed, the route's c.json answers no longer type-check)
    responses: { ...(bearer ? problemResponses(401, 403, 503) : {}), ...config.responses },
    ...(bearer ? {} : { security: [] }),
    middleware,
  });
}

const WHERE: Record<string, string> = {
  json: "",
  param: "path: ",
  query: "query: ",
  header: "header: ",
};

/** A resource's sub-app: zod validation answers 400 `invalid_input` naming each field. */
export function resource(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw invalidInput(fieldProblems(result.error as ZodError, WHERE[result.target] ?? ""), {
          lead: "the request is not valid",
          fieldsInDetail: true,
        });
      }
    },
  });
}

/**
 * A fan-out's answer with its status (the one 200/207 rule: functions/secrets/outcome.ts), typed
 * for a route that declares both.
 */
export function fanoutJson<T extends object>(c: AppContext, body: T, status: 200 | 207) {
  return status === 200 ? c.json(body, 200) : c.json(body, 207);
}
