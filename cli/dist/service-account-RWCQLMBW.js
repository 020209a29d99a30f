#!/usr/bin/env node

// scripts/service-account.ts
import { readFileSync } from "node:fs";
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api
} from "@kubernetes/client-node";
import { stringify } from "yaml";
var BROKER_SECRET_VERBS = ["get", "list", "create", "update", "patch", "delete"];
function isConflict(error) {
  return error instanceof ApiException && error.code === 409;
}
function describeApiError(error, what) {
  if (error instanceof ApiException) {
    const reason = error.code === 403 ? "your context may not do this (it needs to create ServiceAccounts, Roles and RoleBindings in the namespace, and service account tokens)" : `HTTP ${error.code}`;
    return new Error(`${what}: ${reason}`);
  }
  return new Error(`${what}: ${error.message}`);
}
async function serviceAccountKubeconfig(kubeconfigPath, options) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  if (options.context) kc.setCurrentContext(options.context);
  const contextName = kc.getCurrentContext();
  const context = kc.getContextObject(contextName);
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) {
    throw new Error(`context "${contextName}" or its cluster is not in ${kubeconfigPath}`);
  }
  const namespace = context.namespace || "default";
  const name = options.name;
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const labels = { "app.kubernetes.io/managed-by": "konduktor-broker" };
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name, labels } } });
  } catch (error) {
    if (!isConflict(error))
      throw describeApiError(error, `creating ServiceAccount ${namespace}/${name}`);
  }
  const role = {
    metadata: { name, labels },
    rules: [{ apiGroups: [""], resources: ["secrets"], verbs: [...BROKER_SECRET_VERBS] }]
  };
  try {
    await rbac.createNamespacedRole({ namespace, body: role });
  } catch (error) {
    if (!isConflict(error)) throw describeApiError(error, `creating Role ${namespace}/${name}`);
    await rbac.replaceNamespacedRole({ name, namespace, body: role });
  }
  try {
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name, namespace }]
      }
    });
  } catch (error) {
    if (!isConflict(error))
      throw describeApiError(error, `creating RoleBinding ${namespace}/${name}`);
  }
  let request;
  try {
    request = await core.createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: options.expirationSeconds } }
    });
  } catch (error) {
    throw describeApiError(error, `requesting a token for ServiceAccount ${namespace}/${name}`);
  }
  const token = request.status?.token;
  if (!token)
    throw new Error(`the cluster issued no token for ServiceAccount ${namespace}/${name}`);
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString("base64") : void 0);
  const entry = `${cluster.name}-${name}`;
  return {
    context: entry,
    namespace,
    serviceAccount: name,
    caPem: caData ? Buffer.from(caData, "base64").toString("utf8") : null,
    expiresAt: request.status?.expirationTimestamp ? new Date(request.status.expirationTimestamp).toISOString() : null,
    yaml: stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: cluster.name,
          cluster: {
            server: cluster.server,
            ...caData ? { "certificate-authority-data": caData } : {}
          }
        }
      ],
      users: [{ name: entry, user: { token } }],
      contexts: [{ name: entry, context: { cluster: cluster.name, user: entry, namespace } }],
      "current-context": entry
    })
  };
}
export {
  BROKER_SECRET_VERBS,
  serviceAccountKubeconfig
};
