/**
 * The middleware every declared route runs first (./route.ts builds it from the route's rules):
 * it names the route's audit action, bounds the body size before anything reads it, and, unless
 * the route is `signature` or `public`, resolves the bearer credential to one `Caller`
 * (functions/auth/caller.ts), which an `admin` route requires to be the admin token, and reads a
 * JSON body strictly (../strict-json.ts). For a route that authorizes on the registry
 * (`registry`), an API token's check brings the registered clusters too (one call to the control
 * shard): the handler finds them as `registered`. All of this
 * happens before zod reads the body and long before any cluster is touched.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { bearerCredential, resolveCaller } from "../auth/caller.ts";
import { requireAdmin } from "../auth/policy.ts";
import type { AppEnv } from "../context.ts";
import type { ClusterRecord } from "../registry/clusters.ts";
import { strictJsonBody } from "../strict-json.ts";

export type Auth = "admin" | "caller" | "signature" | "public";

const limits = new Map<number, MiddlewareHandler>();

/** Hono's body limit for a size (one middleware per size, built once). */
function limitFor(maxSize: number): MiddlewareHandler {
  let limit = limits.get(maxSize);
  if (!limit) {
    limit = bodyLimit({
      maxSize,
      onError: () => {
        throw new HTTPException(413);
      },
    });
    limits.set(maxSize, limit);
  }
  return limit;
}

const strictBody = strictJsonBody();

export function guard(rules: {
  auth: Auth;
  audit?: string;
  registry?: boolean;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (rules.audit) c.set("action", rules.audit);
    const services = c.get("services");
    await limitFor(services.config.maxBodyBytes)(c, async () => {
      if (rules.auth === "admin" || rules.auth === "caller") {
        const ahead: { records?: ClusterRecord[] } | undefined = rules.registry ? {} : undefined;
        const caller = await resolveCaller(
          bearerCredential(c.req.header("authorization")),
          services.resolvers,
          {
            config: services.config,
            stores: services.stores,
            now: services.now,
            ...(ahead ? { registry: ahead } : {}),
          },
        );
        c.set("caller", caller);
        if (rules.auth === "admin") requireAdmin(caller);
        if (ahead?.records) c.set("registered", services.registry.readAhead(ahead.records));
      }
      // bodies strictly: duplicate keys, lone surrogates, bad UTF-8 refused (../strict-json.ts);
      // a webhook delivery is read after its signature is checked (functions/hooks/delivery.ts)
      if (rules.auth === "signature") await next();
      else await strictBody(c, next);
    });
  };
}
