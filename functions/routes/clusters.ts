/** The cluster registry (admin only): register, list, show, remove, and check a cluster. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { fanout, isFailure } from "../../konduktor/fanout.ts";
import { audit } from "../audit.ts";
import { requireAdmin } from "../auth/policy.ts";
import { type AppEnv, send } from "../context.ts";
import { brokerFanoutOptions } from "../fanout-options.ts";
import { ApiError, problemResponses } from "../problem.ts";
import { clusterInfo } from "../registry/clusters.ts";
import { ClusterName } from "../schemas.ts";
import { SyncAnswer, syncOutcomeOf } from "../sync/request.ts";
import { catchUpCluster, syncHttpStatus, syncLogFields } from "../sync/service.ts";

// `update` is the PUT that replace mode and every sync copy use; `patch` is the merge.
export const SECRET_VERBS = ["get", "list", "create", "update", "patch", "delete"] as const;

export const ClusterNameParam = z.object({
  name: ClusterName.openapi({ param: { name: "name", in: "path" }, example: "gpu-east" }),
});

const RegisterClusterBody = z
  .strictObject({
    kubeconfig: z
      .string({ error: "kubeconfig is required: the kubeconfig YAML (as a string)" })
      .min(1, "kubeconfig is empty")
      .max(256 * 1024, "kubeconfig is larger than 256 KiB")
      .openapi({
        description:
          "The kubeconfig YAML. On workerd it must embed everything: server, certificate-authority-data (or a publicly trusted server certificate) and a bearer token (e.g. a ServiceAccount token); no exec plugins, files or client certificates.",
      }),
    context: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: "the context to use (default: current-context)" }),
    sync: z.boolean().default(false).openapi({
      description:
        "after registering, copy every owner's secrets placed on all clusters (or naming this one) onto this cluster, from the newest copy on the other clusters; the answer's `sync` says what was copied",
    }),
  })
  .openapi("RegisterCluster");

export const ClusterInfoSchema = z
  .object({
    name: z.string(),
    server: z.string().openapi({ example: "https://10.0.0.1:6443" }),
    namespace: z.string().openapi({ example: "default" }),
    context: z.string(),
    addedAt: z.string(),
    updatedAt: z.string(),
    keyId: z.string().openapi({ description: "id of the key the kubeconfig is encrypted with" }),
    sync: SyncAnswer.optional().openapi({
      description: "registered with `sync`: what was copied onto the cluster",
    }),
  })
  .openapi("Cluster");

const HealthSchema = z
  .object({
    cluster: z.string(),
    server: z.string(),
    namespace: z.string(),
    reachable: z.boolean(),
    version: z.string().nullable(),
    access: z
      .record(z.string(), z.boolean())
      .nullable()
      .openapi({
        description:
          "per verb on Secrets in the namespace, from a SelfSubjectAccessReview (null when unreachable)",
        example: { get: true, list: true, create: true, patch: true, delete: false },
      }),
    missing: z.array(z.string()).openapi({ description: "verbs the credential may not use" }),
    ok: z.boolean().openapi({ description: "reachable and every verb allowed" }),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi("ClusterHealth");

const tags = ["clusters"];

export function clusterRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/clusters/{name}",
      tags,
      summary: "Register (or replace) a cluster",
      description:
        "Admin only. Stores the kubeconfig encrypted (AES-256-GCM, the cluster name as additional data). Answers 201 when new, 200 when replaced. Never returns the kubeconfig.",
      request: {
        params: ClusterNameParam,
        body: { content: { "application/json": { schema: RegisterClusterBody } }, required: true },
      },
      responses: {
        200: {
          description: "Replaced",
          content: { "application/json": { schema: ClusterInfoSchema } },
        },
        201: {
          description: "Registered",
          content: { "application/json": { schema: ClusterInfoSchema } },
        },
        ...problemResponses(400, 401, 403, 413, 415),
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireAdmin(caller);
      const { name } = c.req.valid("param");
      const { kubeconfig, context, sync } = c.req.valid("json");
      const { registry, now } = c.get("services");
      // a refusal (invalid kubeconfig, …) is audited by app.onError, naming the cluster
      c.set("auditFields", { cluster: name });
      const { record, created } = await registry.put(name, kubeconfig, context, now());
      audit(c, {
        action: "cluster.register",
        outcome: "ok",
        cluster: name,
        server: record.server,
        namespace: record.namespace,
        created,
      });
      if (sync) {
        const outcome = await catchUpCluster(c.get("services"), name);
        audit(c, { action: "sync", outcome: syncOutcomeOf(outcome), ...syncLogFields(outcome) });
        const ok = syncHttpStatus(outcome) === 200;
        return send(c, { ...clusterInfo(record), sync: outcome }, ok ? (created ? 201 : 200) : 207);
      }
      return send(c, clusterInfo(record), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/clusters",
      tags,
      summary: "List the registered clusters",
      description: "Admin only. Server, namespace and dates; never a credential.",
      responses: {
        200: {
          description: "The clusters",
          content: {
            "application/json": { schema: z.object({ clusters: z.array(ClusterInfoSchema) }) },
          },
        },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const records = await c.get("services").registry.list();
      return send(c, { clusters: records.map(clusterInfo) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/clusters/{name}",
      tags,
      summary: "Show one registered cluster",
      request: { params: ClusterNameParam },
      responses: {
        200: {
          description: "The cluster",
          content: { "application/json": { schema: ClusterInfoSchema } },
        },
        ...problemResponses(401, 403, 404),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const { name } = c.req.valid("param");
      const record = await c.get("services").registry.getRecord(name);
      if (!record) throw new ApiError("not_found", `no registered cluster named ${name}`);
      return send(c, clusterInfo(record), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/clusters/{name}",
      tags,
      summary: "Remove a cluster from the registry",
      description: "Admin only. The secrets on the cluster are not touched.",
      request: { params: ClusterNameParam },
      responses: {
        204: { description: "Removed" },
        ...problemResponses(401, 403, 404),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const { name } = c.req.valid("param");
      const removed = await c.get("services").registry.remove(name);
      if (!removed) throw new ApiError("not_found", `no registered cluster named ${name}`);
      audit(c, { action: "cluster.remove", outcome: "ok", cluster: name });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/clusters/{name}/health",
      tags,
      summary: "Check a cluster: reachable, version, and what the stored credential may do",
      description:
        "Admin only. Asks the cluster's /version and a SelfSubjectAccessReview per verb (get, list, create, patch, delete) on Secrets in the registered namespace.",
      request: { params: ClusterNameParam },
      responses: {
        200: {
          description: "The health report (also when the cluster is unreachable)",
          content: { "application/json": { schema: HealthSchema } },
        },
        ...problemResponses(401, 403, 404),
      },
    }),
    async (c) => {
      requireAdmin(c.get("caller"));
      const { name } = c.req.valid("param");
      const services = c.get("services");
      const { registry } = services;
      const record = await registry.getRecord(name);
      if (!record) throw new ApiError("not_found", `no registered cluster named ${name}`);
      const base = {
        cluster: name,
        server: record.server,
        namespace: record.namespace,
      };
      const [result] = await fanout(
        [name],
        async (cluster, signal) => {
          const kube = await registry.open(cluster, record, signal);
          const version = await kube.version();
          const access = await kube.canI(SECRET_VERBS);
          return { version, access };
        },
        {
          ...brokerFanoutOptions(services, "cluster health", {
            requestId: c.get("requestId"),
            cluster: name,
          }),
          // one look, no retries: the answer is the cluster's state now
          retries: 0,
        },
      );
      if (result && !isFailure(result)) {
        const { version, access } = result;
        const missing = SECRET_VERBS.filter((v) => !access[v]);
        return send(
          c,
          { ...base, reachable: true, version, access, missing, ok: missing.length === 0 },
          200,
        );
      }
      const code = result?.code ?? "internal_error";
      const message = result?.message ?? "unexpected error";
      // reachable only when the cluster itself answered (a broker-side error says nothing about it)
      const reachable = !["unreachable", "timeout", "broker_key_error", "internal_error"].includes(
        code,
      );
      return send(
        c,
        {
          ...base,
          reachable,
          version: null,
          access: null,
          missing: [...SECRET_VERBS],
          ok: false,
          error: { code, message },
        },
        200,
      );
    },
  );
}
