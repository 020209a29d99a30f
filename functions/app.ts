/**
 * The broker app, one factory for every runtime (functions/worker.ts: workerd; functions/node.ts:
 * Node). Order of a request: request id → body size limit → authentication (one Caller, see
 * auth/caller.ts) → zod validation → the route → a problem-details answer for any failure.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { actionOf, audit } from "./audit.ts";
import { adminResolver } from "./auth/admin.ts";
import { bearerCredential, resolveCaller } from "./auth/caller.ts";
import { githubOidcResolver } from "./auth/oidc-resolver.ts";
import { apiTokenResolver } from "./auth/tokens.ts";
import type { AppContext, AppDeps, AppEnv, LogLine, Services } from "./context.ts";
import { ApiError, fieldProblems, invalidInput, problemResponse } from "./problem.ts";
import { ClusterRegistry } from "./registry/clusters.ts";
import { clusterRoutes } from "./routes/clusters.ts";
import { hookRoutes, isHookDelivery } from "./routes/hooks.ts";
import { oidcBindingRoutes } from "./routes/oidc-bindings.ts";
import { secretRoutes } from "./routes/secrets.ts";
import { syncRoutes } from "./routes/sync.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { migrateKeyValueState } from "./store/migrate.ts";
import { createStores } from "./store/stores.ts";

export const API_VERSION = "0.1.0";

function consoleLog(line: LogLine): void {
  console.log(JSON.stringify(line));
}

function validationError(target: string, error: ZodError): ApiError {
  const where: Record<string, string> = {
    json: "",
    param: "path: ",
    query: "query: ",
    header: "header: ",
  };
  return invalidInput(fieldProblems(error, where[target] ?? ""), {
    lead: "the request is not valid",
    fieldsInDetail: true,
  });
}

type RouteList = readonly { method: string; path: string }[];

/** The routes' patterns, compiled on first use (and again only if routes were added since). */
const compiledRoutes = new WeakMap<
  RouteList,
  { count: number; patterns: { method: string; re: RegExp }[] }
>();

function routePatterns(routes: RouteList): { method: string; re: RegExp }[] {
  const cached = compiledRoutes.get(routes);
  if (cached && cached.count === routes.length) return cached.patterns;
  const patterns = routes
    .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
    .map((r) => {
      const pattern = r.path
        .split("/")
        .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
        .join("/");
      return { method: r.method.toUpperCase(), re: new RegExp(`^${pattern}$`) };
    });
  compiledRoutes.set(routes, { count: routes.length, patterns });
  return patterns;
}

/** The methods of the routes (not middleware) whose pattern matches `path`, sorted. */
function allowedMethods(routes: RouteList, path: string): string[] {
  const methods = new Set<string>();
  for (const { method, re } of routePatterns(routes)) if (re.test(path)) methods.add(method);
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

function requestIdOf(c: AppContext): string {
  return c.get("requestId") ?? "unknown";
}

export function createApp(deps: AppDeps) {
  const stores = createStores(deps.records, deps.config);
  const services: Services = {
    config: deps.config,
    stores,
    store: stores.kv,
    registry: new ClusterRegistry(stores.clusters, deps.config, deps.runtime, deps.connector),
    resolvers: deps.resolvers ?? [adminResolver, apiTokenResolver, githubOidcResolver],
    now: deps.now ?? (() => new Date()),
    log: deps.log ?? consoleLog,
  };

  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.target, result.error as ZodError);
    },
  });

  app.onError((error, c) => {
    const requestId = requestIdOf(c);
    const path = new URL(c.req.url).pathname;
    // a refused mutating call gets its audit line too (unless its route wrote one): no body, no value
    const status =
      error instanceof ApiError ? error.status : error instanceof HTTPException ? error.status : 0;
    if (
      c.req.method !== "GET" &&
      c.req.method !== "HEAD" &&
      status >= 400 &&
      status < 500 &&
      !c.get("audited") &&
      c.get("services")
    ) {
      const code =
        error instanceof ApiError
          ? error.code
          : ({ 413: "payload_too_large", 415: "unsupported_media_type", 400: "malformed_json" }[
              status
            ] ?? `http_${status}`);
      audit(c, {
        action: actionOf(c.req.method, path),
        outcome: status === 401 || status === 403 ? "denied" : "invalid",
        code,
        status,
      });
    }
    if (error instanceof ApiError) {
      // every cluster failed the same way: `type` and `title` follow that code (cluster_timeout, …)
      const code = typeof error.extra.code === "string" ? error.extra.code : error.code;
      return problemResponse(code, error.status, error.message, requestId, path, error.extra);
    }
    if (error instanceof HTTPException) {
      if (error.status === 413) {
        return problemResponse(
          "payload_too_large",
          413,
          `the request body is larger than ${services.config.maxBodyBytes} bytes: send less (a secret holds at most 1 MiB of values)`,
          requestId,
          path,
        );
      }
      if (error.status === 415) {
        return problemResponse(
          "unsupported_media_type",
          415,
          "send the body as JSON with `Content-Type: application/json`",
          requestId,
          path,
        );
      }
      if (error.status === 400) {
        return problemResponse(
          "malformed_json",
          400,
          "the request body is not valid JSON: check quotes, commas and brackets",
          requestId,
          path,
        );
      }
    }
    // unknown: logged here with the request id; the answer says nothing about it
    services.log({
      type: "error",
      requestId,
      method: c.req.method,
      path,
      error: error instanceof Error ? `${error.name}: ${error.message}` : "non-error thrown",
      stack: error instanceof Error ? error.stack?.split("\n").slice(0, 6).join(" | ") : undefined,
    });
    return problemResponse(
      "internal_error",
      500,
      `internal error: the broker logged it with request id ${requestId}`,
      requestId,
      path,
    );
  });

  /** 405 with `Allow` when the path exists under other methods only (null otherwise). */
  const methodNotAllowed = (c: AppContext): Response | null => {
    const path = new URL(c.req.url).pathname;
    const allow = allowedMethods(app.routes, path);
    if (allow.length === 0 || allow.includes(c.req.method)) return null;
    return problemResponse(
      "method_not_allowed",
      405,
      `${c.req.method} is not allowed on ${path}: use ${allow.join(", ")} (see /docs)`,
      requestIdOf(c),
      path,
      {},
      { allow: allow.join(", ") },
    );
  };

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const notAllowed = methodNotAllowed(c);
    if (notAllowed) return notAllowed;
    return problemResponse(
      "not_found",
      404,
      `no route ${c.req.method} ${path}: see /docs`,
      requestIdOf(c),
      path,
    );
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

  // size before anything else reads the body (and long before any cluster is touched)
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: deps.config.maxBodyBytes,
      onError: () => {
        throw new HTTPException(413);
      },
    }),
  );

  app.use("/v1/*", async (c, next) => {
    if (c.req.path === "/v1/openapi.json") return await next();
    // a webhook delivery is authenticated by its signature (routes/hooks.ts), not a bearer token
    if (isHookDelivery(c.req.method, c.req.path)) return await next();
    // a method the path does not have: 405 before asking for a credential
    const notAllowed = methodNotAllowed(c);
    if (notAllowed) return notAllowed;
    const caller = await resolveCaller(
      bearerCredential(c.req.header("authorization")),
      services.resolvers,
      { config: services.config, stores, now: services.now },
    );
    c.set("caller", caller);
    await next();
  });

  app.get("/healthz", (c) => c.json({ ok: true }));

  clusterRoutes(app);
  tokenRoutes(app);
  secretRoutes(app);
  oidcBindingRoutes(app);
  syncRoutes(app);
  hookRoutes(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description:
      "An API token (`kbt_…`, from POST /v1/tokens), the admin token (clusters and tokens only), or a GitHub OIDC token",
  });
  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Konduktor secrets broker",
      version: API_VERSION,
      description:
        "One call creates, merges, lists or deletes a Konduktor secret on every Kubernetes cluster a caller may use, with an answer per cluster. Errors are RFC 9457 problem details with a stable `code` and the request id.",
    },
    security: [{ bearer: [] }],
    tags: [
      { name: "secrets", description: "Konduktor secrets on every cluster the caller may use" },
      { name: "clusters", description: "The cluster registry (admin token)" },
      { name: "tokens", description: "API tokens (admin token)" },
      { name: "sync", description: "Bring secrets in line across clusters; drift repair" },
      {
        name: "webhooks",
        description: "Signed webhooks (Standard Webhooks): secret sets and syncs",
      },
    ],
  });

  const docsScript = deps.docsScript;
  app.get(
    "/docs",
    Scalar({
      url: "/v1/openapi.json",
      pageTitle: "Konduktor secrets broker API",
      // self-contained: no web fonts, no AI agent, no developer toolbar (nothing fetched from outside)
      withDefaultFonts: false,
      defaultOpenAllTags: true,
      showDeveloperTools: "never",
      agent: { disabled: true },
      ...(docsScript ? { cdn: "/docs/scalar.js" } : {}),
    }),
  );
  if (docsScript) {
    app.get("/docs/scalar.js", async () => {
      const res = await docsScript();
      const headers = new Headers(res.headers);
      headers.set("content-type", "application/javascript; charset=utf-8");
      headers.set("cache-control", "public, max-age=86400");
      return new Response(res.body, { status: res.status, headers });
    });
  }

  // the Worker's `scheduled` handler runs syncs with the same services (functions/worker.ts)
  return Object.assign(app, { services, ready });
}

export type BrokerApp = ReturnType<typeof createApp>;
