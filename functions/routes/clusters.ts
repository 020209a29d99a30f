/**
 * /v1/clusters, the cluster registry (admin token only): register, list, show, remove, and check a
 * cluster. The work is in functions/clusters/service.ts.
 */
import {
  ClusterInfoSchema,
  ClusterListAnswer,
  ClusterNameParam,
  HealthSchema,
  RegisterClusterBody,
} from "../../konduktor/wire/admin.ts";
import { audit } from "../audit.ts";
import { checkHealth, registerCluster } from "../clusters/service.ts";
import { resource, route } from "../http/route.ts";
import { ApiError, problemResponses } from "../problem.ts";
import { clusterInfo } from "../registry/clusters.ts";
import { syncOutcomeOf } from "../sync/request.ts";
import { syncHttpStatus, syncLogFields } from "../sync/service.ts";

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
        ...problemResponses(400, 413, 415),
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
            "application/json": { schema: ClusterListAnswer },
          },
        },
        ...problemResponses(),
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
        ...problemResponses(400, 404),
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
        ...problemResponses(400, 404),
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
        ...problemResponses(400, 404),
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
