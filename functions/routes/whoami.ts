/**
 * `GET /v1/whoami`: who the credential is. Any credential the broker accepts (an API token, a
 * GitHub OIDC token, the admin token) gets its own answer; it changes nothing and touches no
 * cluster, so it is not audited.
 */

import type { Whoami } from "../../konduktor/wire/admin.ts";
import { WhoamiAnswer } from "../../konduktor/wire/admin.ts";
import type { Caller } from "../auth/caller.ts";
import { resource, route } from "../http/route.ts";
import { problemResponses } from "../problem.ts";

/** What the answer shows of a caller: never the credential, only its id and scope. */
export function whoamiOf(caller: Caller): Whoami {
  return {
    id: caller.id,
    kind: caller.kind,
    label: caller.label ?? null,
    owners: [...caller.owners],
    clusters: caller.clusters === "all" ? "all" : [...caller.clusters],
    rights: { ...caller.rights },
    expiresAt: caller.expiresAt ?? null,
  };
}

/** Mounted at /v1/whoami. */
export function whoamiRoutes() {
  const app = resource();

  app.openapi(
    route({
      auth: "caller",
      operationId: "whoami",
      method: "get",
      path: "/",
      tags: ["meta"],
      summary: "Who the credential is",
      description:
        "Any credential: an API token, a GitHub OIDC token or the admin token. Answers its id, kind, label, the owners and clusters it may use, its rights and when it expires (an API token's expiry, an OIDC token's `exp`; null for the admin token). Never the credential itself.",
      responses: {
        200: {
          description: "The caller",
          content: { "application/json": { schema: WhoamiAnswer } },
        },
        ...problemResponses(),
      },
    }),
    (c) => c.json(whoamiOf(c.get("caller")), 200),
  );
  return app;
}
