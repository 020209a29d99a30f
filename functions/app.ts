/**
 * The broker app, one factory for every runtime (functions/worker.ts: workerd; functions/node.ts:
 * Node). Each resource is a sub-app in functions/routes/, mounted here with one line; each route
 * declares who may call it and its audit action (functions/http/route.ts). Order of a request:
 * request id → the route's guard (audit action, body size limit, credential → one Caller) → zod
 * validation → the handler → a problem-details answer for any failure (functions/http/errors.ts).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { adminResolver } from "./auth/admin.ts";
import { githubOidcResolver } from "./auth/oidc-resolver.ts";
import { apiTokenResolver } from "./auth/tokens.ts";
import type { AppContext, AppDeps, AppEnv, LogLine, Services } from "./context.ts";
import { errorAnswer, methodNotAllowed, requestIdOf } from "./http/errors.ts";
import { openApiDocument } from "./http/openapi.ts";
import { problemResponse } from "./problem.ts";
import { ClusterRegistry } from "./registry/clusters.ts";
import { clusterRoutes } from "./routes/clusters.ts";
import { hookRoutes } from "./routes/hooks.ts";
import { jobTokenRoutes } from "./routes/job-tokens.ts";
import { metaRoutes } from "./routes/meta.ts";
import { oidcBindingRoutes } from "./routes/oidc-bindings.ts";
import { secretRoutes } from "./routes/secrets.ts";
import { syncRoutes } from "./routes/sync.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { whoamiRoutes } from "./routes/whoami.ts";
import { migrateKeyValueState } from "./store/migrate.ts";
import { createStores } from "./store/stores.ts";

export { API_VERSION } from "./http/openapi.ts";

function consoleLog(line: LogLine): void {
  console.log(JSON.stringify(line));
}

/**
 * 405 with `Allow` on every path a route declares, for the methods it does not have: registered
 * after the routes, so a declared method always wins (HEAD goes with GET).
 */
function answerOtherMethods(app: OpenAPIHono<AppEnv>): void {
  const methods = new Map<string, Set<string>>();
  for (const r of app.routes) {
    if (r.method === "ALL") continue;
    const set = methods.get(r.path) ?? new Set<string>();
    set.add(r.method.toUpperCase());
    if (r.method.toUpperCase() === "GET") set.add("HEAD");
    methods.set(r.path, set);
  }
  for (const [path, set] of methods) {
    const allow = [...set].sort();
    app.all(path, (c) => methodNotAllowed(c, allow));
  }
}

export function createApp(deps: AppDeps) {
  const log = deps.log ?? consoleLog;
  const stores = createStores(deps.records, deps.config, log);
  const services: Services = {
    config: deps.config,
    stores,
    store: stores.kv,
    registry: new ClusterRegistry(
      stores.clusters,
      deps.config,
      deps.runtime,
      deps.connector,
      deps.opened,
    ),
    // API tokens first: the most frequent credential is then hashed once (the admin token's check
    // hashes every credential it is given). The token resolver takes only `kbt_…` credentials and
    // OIDC only JWTs, so the order decides no caller: an admin token shaped like an API token would
    // cost one read of the token store before the admin check accepts it
    resolvers: deps.resolvers ?? [apiTokenResolver, adminResolver, githubOidcResolver],
    now: deps.now ?? (() => new Date()),
    log,
  };

  const app = new OpenAPIHono<AppEnv>();
  app.onError(errorAnswer);
  app.notFound((c: AppContext) => {
    const path = new URL(c.req.url).pathname;
    const detail = `no route ${c.req.method} ${path}: see /docs`;
    return problemResponse("not_found", 404, detail, requestIdOf(c), path);
  });

  /**
   * The state of an earlier broker, migrated before the first request is served (once per app;
   * a failed attempt is tried again by the next request).
   */
  let migration: Promise<void> | null = null;
  const ready = async (): Promise<void> => {
    const legacy = deps.legacyState;
    if (!legacy) return;
    migration ??= migrateKeyValueState(legacy, deps.records, services.now()).then(
      (report) => {
        if (report) services.log({ type: "migration", from: "key-value state", ...report });
      },
      (error: unknown) => {
        migration = null;
        throw error;
      },
    );
    await migration;
  };

  app.use("*", async (c, next) => {
    c.set("requestId", crypto.randomUUID());
    c.set("services", services);
    await ready();
    await next();
    c.header("x-request-id", c.get("requestId"));
  });

  app.route("/v1/secrets", secretRoutes());
  app.route("/v1/sync", syncRoutes());
  app.route("/v1/clusters", clusterRoutes());
  app.route("/v1/tokens", tokenRoutes());
  app.route("/v1/oidc-bindings", oidcBindingRoutes());
  app.route("/v1/hooks", hookRoutes());
  app.route("/v1/job-tokens", jobTokenRoutes());
  app.route("/v1/whoami", whoamiRoutes());
  const document = (origin: string) => openApiDocument(app, origin);
  app.route("/", metaRoutes({ document, docsScript: deps.docsScript }));
  answerOtherMethods(app);

  // the Worker's `scheduled` handler runs the cron (functions/scheduled.ts) with the same services
  return Object.assign(app, { services, ready });
}

export type BrokerApp = ReturnType<typeof createApp>;
