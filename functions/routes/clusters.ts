/**
 * /v1/clusters, the cluster registry (admin token only): register, list, show, remove, and check a
 * cluster. The work is in functions/clusters/service.ts.
 */
import { z } from "@hono/zod-openapi";
import { audit } from "../audit.ts";
import { checkHealth, registerCluster } from "../clusters/service.ts";
import { resource, route } from "../http/route.ts";
import { ApiError, problemResponses } from "../problem.ts";
import { clusterInfo } from "../registry/clusters.ts";
import { ClusterName } from "../schemas.ts";
import { SyncAnswer, syncOutcomeOf } from "../sync/request.ts";
import { syncHttpStatus, syncLogFields } from "../sync/service.ts";

const ClusterNameParam = z.object({
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

const notFound = (name: string) => new ApiError("not_found", `no registered cluster named ${name}`);

/** Mounted at /v1/clusters. */
export function clusterRoutes() {
  const app = resource();

  app.openapi(
    route({
      auth: "admin",
      audit: "cluster.register",
      operationId: "registerCluster",
      method: "put",
      path: "/{name}",
      tags,
      summary: "Register (or replace) a cluster",
      description:
        "Admin only. Stores the kubeconfig encrypted (AES-256-GCM, the cluster name as additional data). Answers 201 when new, 200 when replaced; with `sync`, 207 when the catch-up could not copy everything (its `sync` says what). Never returns the kubeconfig.",
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
        207: {
          description:
            "Registered (or replaced), but the catch-up `sync` failed on some cluster or copy: its results say which",
          content: { "application/json": { schema: ClusterInfoSchema } },
        },
        ...problemResponses(400, 401, 403, 413, 415),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const services = c.get("services");
      // a refusal (invalid kubeconfig, …) is audited by app.onError, naming the cluster
      c.set("auditFields", { cluster: name });
      const { record, created, sync } = await registerCluster(
        services,
        name,
        c.req.valid("json"),
        ({ record, created }) =>
          audit(c, {
            outcome: "ok",
            cluster: name,
            server: record.server,
            namespace: record.namespace,
            created,
          }),
      );
      if (!sync)
        return created ? c.json(clusterInfo(record), 201) : c.json(clusterInfo(record), 200);
      audit(c, { action: "sync", outcome: syncOutcomeOf(sync), ...syncLogFields(sync) });
      const answer = { ...clusterInfo(record), sync };
      if (syncHttpStatus(sync) !== 200) return c.json(answer, 207);
      return created ? c.json(answer, 201) : c.json(answer, 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      operationId: "listClusters",
      method: "get",
      path: "/",
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
      const records = await c.get("services").registry.list();
      return c.json({ clusters: records.map(clusterInfo) }, 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      operationId: "getCluster",
      method: "get",
      path: "/{name}",
      tags,
      summary: "Show one registered cluster",
      request: { params: ClusterNameParam },
      responses: {
        200: {
          description: "The cluster",
          content: { "application/json": { schema: ClusterInfoSchema } },
        },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const record = await c.get("services").registry.getRecord(name);
      if (!record) throw notFound(name);
      return c.json(clusterInfo(record), 200);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      audit: "cluster.remove",
      operationId: "removeCluster",
      method: "delete",
      path: "/{name}",
      tags,
      summary: "Remove a cluster from the registry",
      description: "Admin only. The secrets on the cluster are not touched.",
      request: { params: ClusterNameParam },
      responses: {
        204: { description: "Removed" },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      if (!(await c.get("services").registry.remove(name))) throw notFound(name);
      audit(c, { outcome: "ok", cluster: name });
      return c.body(null, 204);
    },
  );

  app.openapi(
    route({
      auth: "admin",
      operationId: "checkCluster",
      method: "get",
      path: "/{name}/health",
      tags,
      summary: "Check a cluster: reachable, version, and what the stored credential may do",
      description:
        "Admin only. Asks the cluster's /version and a SelfSubjectAccessReview per verb (get, list, create, update, patch, delete) on Secrets in the registered namespace.",
      request: { params: ClusterNameParam },
      responses: {
        200: {
          description: "The health report (also when the cluster is unreachable)",
          content: { "application/json": { schema: HealthSchema } },
        },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const report = await checkHealth(c.get("services"), name, c.get("requestId"));
      if (!report) throw notFound(name);
      return c.json(report, 200);
    },
  );

  return app;
}
