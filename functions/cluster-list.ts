/**
 * One rule for a list of cluster names, wherever it comes from: a JSON body (`clusters: [...]`),
 * a query (`?clusters=a,b`), or a binding's `"all"`-or-list. At most MAX_CLUSTERS names, each a
 * registered cluster's name pattern; messages name the position, never echo the input.
 */
import { z } from "@hono/zod-openapi";
import { ClusterName } from "./schemas.ts";

/** Clusters one request, token, hook or binding may name. */
export const MAX_CLUSTERS = 100;

const names = z
  .array(ClusterName)
  .min(1, "clusters, when given, names at least one cluster")
  .max(MAX_CLUSTERS, `clusters names at most ${MAX_CLUSTERS} clusters: leave it out for all`);

/** `clusters` in a JSON body: 1 to MAX_CLUSTERS cluster names. */
export const ClusterList = names.openapi({
  description: "target clusters (default: every registered cluster the caller may use)",
});

/** A credential's or hook's clusters: `"all"` or a list (ClusterList). */
export const ClustersOrAll = z
  .union([z.literal("all"), names], {
    error: `clusters must be "all" or a list of 1 to ${MAX_CLUSTERS} cluster names, like ["gpu-east"]`,
  })
  .default("all")
  .openapi({ description: 'cluster names, or "all" (default)' });

function split(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `?clusters=a,b`: the same rule as the body field, on the comma-separated names. */
export const ClusterListQuery = z
  .string()
  .optional()
  .superRefine((value, ctx) => {
    if (value === undefined) return;
    const list = split(value);
    if (list.length === 0) return;
    const parsed = names.safeParse(list);
    if (parsed.success) return;
    // the first few problems: a long list of bad names would make a long answer
    for (const issue of parsed.error.issues.slice(0, 5)) {
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    }
  })
  .transform((value) => {
    const list = value === undefined ? [] : split(value);
    return list.length ? list : undefined;
  })
  .openapi({
    description: `comma-separated cluster names, at most ${MAX_CLUSTERS} (default: all the caller may use)`,
  });
