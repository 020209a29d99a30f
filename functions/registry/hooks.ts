/**
 * Webhooks: each bound to owners, clusters and the secret names it may touch, with a signing secret
 * (Standard Webhooks `whsec_<base64>`) shown once at creation and stored sealed. Storage:
 * functions/store/hooks.ts (hooks) and functions/store/deliveries.ts (delivery claims).
 */
import type { Envelope } from "./envelope.ts";

export { HOOK_ID_RE } from "../../konduktor/wire/admin.ts";

export interface HookRecord {
  id: string;
  label: string | null;
  owners: string[];
  clusters: string[] | "all";
  /** basenames it may touch: exact names, or `prefix*` */
  names: string[];
  /** whether a delivery may be a sync request (a secret set is always allowed) */
  allowSync: boolean;
  createdAt: string;
  /** the signing secret, sealed; AAD = `hook:<id>` */
  secret: Envelope;
}

/** What the API shows of a hook (never its secret). */
export type HookInfo = Omit<HookRecord, "secret"> & { keyId: string };

export function hookInfo(r: HookRecord): HookInfo {
  const { secret, ...rest } = r;
  return { ...rest, keyId: secret.kid };
}
