/**
 * The one rule for the status of an answer that covers many clusters (or many copies): 200 when
 * nothing failed, 207 when some parts succeeded and some failed, null when everything failed (the
 * caller then answers the common error). Secrets, syncs and webhook deliveries all use it.
 */
export function partialStatus(succeeded: number, failed: number): 200 | 207 | null {
  if (failed === 0) return 200;
  return succeeded > 0 ? 207 : null;
}
