/**
 * The audit log: one JSON line per mutating call (who, which owner and name, which clusters, the
 * outcome per cluster). It is built only from names, ids and codes: never a value, a token or a
 * kubeconfig.
 */
import type { AppContext } from "./context.ts";

export interface AuditEntry {
  /** default: the action the route declares (functions/http/route.ts), e.g. `secret.put` */
  action?: string;
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
    action: entry.action ?? c.get("action") ?? "request",
  });
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
