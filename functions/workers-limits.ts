/**
 * Deployed Workers' per-invocation connection cap, and the header that names an invocation for
 * the tools that model it (bench/proxy/limiter.ts): shared by the broker's links
 * (./cluster-link.ts), its connector (./connect-edge.ts) and the bench, in a module the bench can
 * import (no `cloudflare:workers`).
 */

/** What one invocation may have waiting for an answer's headers at once on deployed Workers. */
export const WORKERS_CONNECTIONS = 6;

/**
 * Names the sending invocation on each request a link forwards when the setting NAME_INVOCATIONS
 * is "1": the bench's and the tests' connection-cap proxy counts each name against its own cap.
 * Off by default: a cluster has no use for it.
 */
export const INVOCATION_HEADER = "x-konduktor-invocation";
