/**
 * What the broker says about itself, without a credential: `GET /healthz` (an operation of the
 * document), the OpenAPI document at `/v1/openapi.json` and its rendering at `/docs` (Scalar,
 * self-contained: its script is the Worker's static asset, or on Node the installed package).
 */
import { z } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { resource, route } from "../http/route.ts";
import { problemResponses } from "../problem.ts";

export interface MetaOptions {
  /** the OpenAPI document of the whole app (built on each request: it names the broker's origin) */
  document: (origin: string) => unknown;
  /** Scalar's standalone bundle for /docs (absent: the page takes it from Scalar's CDN) */
  docsScript?: (() => Promise<Response>) | undefined;
}

const Health = z.object({ ok: z.literal(true) }).openapi("Health");

export function metaRoutes(options: MetaOptions) {
  const app = resource();

  app.openapi(
    route({
      auth: "public",
      operationId: "health",
      method: "get",
      path: "/healthz",
      tags: ["meta"],
      summary: "Is the broker up",
      description: "No credential. Answers as soon as the broker serves requests.",
      responses: {
        200: { description: "Up", content: { "application/json": { schema: Health } } },
        ...problemResponses(),
      },
    }),
    (c) => c.json({ ok: true as const }, 200),
  );

  // browsers ask for it on /docs: no icon, and no 404 in the log
  app.get("/favicon.ico", (c) => c.body(null, 204, { "cache-control": "public, max-age=86400" }));

  app.get("/v1/openapi.json", (c) => c.json(options.document(new URL(c.req.url).origin)));

  const { docsScript } = options;
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
  return app;
}
