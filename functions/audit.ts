/**
 * The audit log: one JSON line per mutating call (who, which owner and name, which clusters, the
 * outcome per cluster). It is built only from names, ids and codes: never a value, a token or a
 * kubeconfig.
 */
import type { AppContext } from "./context.ts";

export interface AuditEntry {
  action: string;
  outcome: "ok" | "partial" | "failed" | "denied" | "invalid";
  owner?: string;
  name?: string;
  clusters?: string[];
  results?: { cluster: string; status: string; code?: string }[];
  dryRun?: boolean;
  [key: string]: unknown;
}

export function audit(c: AppContext, entry: AuditEntry): void {
  const services = c.get("services");
  const caller = c.get("caller");
  c.set("audited", true);
  services.log({
    type: "audit",
    at: services.now().toISOString(),
    requestId: c.get("requestId"),
    caller: caller?.id ?? null,
    callerKind: caller?.kind ?? null,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    ...c.get("auditFields"),
    ...entry,
  });
}

const ACTIONS: readonly [string, RegExp, string][] = [
  ["PUT", /^\/v1\/secrets\/[^/]+$/, "secret.put"],
  ["DELETE", /^\/v1\/secrets\/[^/]+$/, "secret.delete"],
  ["PUT", /^\/v1\/clusters\/[^/]+$/, "cluster.register"],
  ["DELETE", /^\/v1\/clusters\/[^/]+$/, "cluster.remove"],
  ["POST", /^\/v1\/tokens$/, "token.issue"],
  ["DELETE", /^\/v1\/tokens\/[^/]+$/, "token.revoke"],
  ["POST", /^\/v1\/sync$/, "sync"],
  ["POST", /^\/v1\/hooks$/, "hook.create"],
  ["DELETE", /^\/v1\/hooks\/[^/]+$/, "hook.delete"],
  ["POST", /^\/v1\/hooks\/[^/]+$/, "hook.delivery"],
  ["PUT", /^\/v1\/oidc-bindings\/[^/]+$/, "oidc-binding.put"],
  ["DELETE", /^\/v1\/oidc-bindings\/[^/]+$/, "oidc-binding.delete"],
];

/** The audit action of a route, for refused calls (e.g. `secret.put` for PUT /v1/secrets/{name}). */
export function actionOf(method: string, path: string): string {
  return ACTIONS.find(([m, re]) => m === method && re.test(path))?.[2] ?? "request";
}

/** The result rows of a fan-out, reduced to what an audit line may hold. */
export function auditResults(
  results: readonly { cluster: string; status: string; code?: string }[],
): { cluster: string; status: string; code?: string }[] {
  return results.map((r) => ({
    cluster: r.cluster,
    status: r.status,
    ...(r.code ? { code: r.code } : {}),
  }));
}
