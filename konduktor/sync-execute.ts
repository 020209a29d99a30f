/**
 * Carrying a sync plan out (./sync-plan.ts) through KubeSecrets ports, with the fan-out's bounded
 * concurrency, deadlines and retries. Creates and updates copy the source exactly (mode replace,
 * the source's immutability and provenance time, `via` sync) and sign the copy as the entry's
 * ledger version; deletes remove exactly the copy that was read. Every write is planned from the
 * copies the sync listed (no second read per copy): a copy that changed since the listing fails
 * its resourceVersion precondition and is read again then. Values are held in memory between
 * the read of the source and the write to the target, nowhere else.
 */
import { type FanoutOptions, fanout, isFailure } from "./fanout.ts";
import type { Keyring, ValueDigests } from "./format.ts";
import type { KubeSecrets } from "./kube/port.ts";
import { applySecret, desiredCopy } from "./ops.ts";
import { type Copy, intentKey, type PlanEntry, type SecretCopies, type SyncPlan } from "./sync.ts";

export type EntryResult = PlanEntry &
  (
    | { status: "done"; writes: number; supersededBy?: number }
    | { status: "error"; code: string; message: string; retryable: boolean }
  );

export interface ExecuteInput {
  plan: SyncPlan;
  secrets: readonly SecretCopies[];
  /** a port per cluster and entry; `signal` is the entry's deadline (the fan-out aborts it) */
  open: (cluster: string, signal?: AbortSignal) => Promise<KubeSecrets>;
  keyring: Keyring;
  /** the placement annotation a copy of this secret is signed with (`formatPlacement`) */
  placementOf: (owner: string, basename: string) => string;
  /** the fan-out settings: each entry gets its own deadline and retries */
  fanout?: FanoutOptions;
  /** `via` of the copies' provenance (default `sync`) */
  via?: string;
  /** git-ssh: which of the owner's other git-ssh secrets a write may delete (default: any) */
  mayDelete?: (basename: string) => boolean;
  /** called with each written copy's keyed digests and resourceVersion (for the ledger) */
  written?: (entry: PlanEntry, digests: ValueDigests, resourceVersion?: string) => void;
}

/**
 * One result per entry, in plan order. Each entry opens its port with its own deadline signal, so
 * nothing is sent after the entry was answered as `timeout`.
 */
export async function executePlan(input: ExecuteInput): Promise<EntryResult[]> {
  const bySecret = new Map(input.secrets.map((s) => [intentKey(s.owner, s.basename), s]));
  const entries = input.plan.entries;
  const results = await fanout(
    entries.map((_, i) => String(i)),
    async (id, signal) => {
      const entry = entries[Number(id)] as PlanEntry;
      const secret = bySecret.get(intentKey(entry.owner, entry.secret)) as SecretCopies;
      const kube = await input.open(entry.cluster, signal);
      if (entry.action === "delete") {
        const copy = secret.copies.get(entry.cluster) as Copy;
        await kube.delete(entry.secretName, {
          uid: copy.secret.metadata.uid,
          resourceVersion: copy.secret.metadata.resourceVersion,
        });
        return { writes: 1 };
      }
      const from = secret.copies.get(entry.source as string) as Copy;
      const prov = from.description.provenance;
      // planned from the copy the sync listed there (none: a create), not read a second time
      const listed = secret.copies.get(entry.cluster)?.secret ?? null;
      const r = await applySecret(kube, desiredCopy(from.secret, entry.owner, entry.secret), {
        mode: "replace",
        existing: listed,
        immutable: from.description.immutable,
        placement: input.placementOf(entry.owner, entry.secret),
        seal: {
          keyring: input.keyring,
          version: entry.version as number,
          // the source's digests, computed (under the same keyring) when the sync read it: its
          // data is what this write sends, so they are not computed again for every target
          digests: {
            keyId: input.keyring.current.keyId,
            digests: from.description.digests,
            contentDigest: from.description.contentDigest,
          },
        },
        ...(input.mayDelete ? { mayDelete: input.mayDelete } : {}),
        provenance: {
          actor: prov?.actor || "unknown",
          via: input.via ?? "sync",
          at: prov?.at ?? from.description.updatedAt ?? new Date().toISOString(),
        },
      });
      if (r.supersededBy !== undefined) return { writes: 0, supersededBy: r.supersededBy };
      if (r.digests) input.written?.(entry, r.digests, r.resourceVersion);
      return { writes: r.writes };
    },
    input.fanout,
  );
  return results.map((r, i) => {
    const entry = entries[i] as PlanEntry;
    if (isFailure(r)) {
      return {
        ...entry,
        status: "error" as const,
        code: r.code,
        message: r.message,
        retryable: r.retryable,
      };
    }
    return {
      ...entry,
      status: "done" as const,
      writes: r.writes,
      ...(r.supersededBy === undefined ? {} : { supersededBy: r.supersededBy }),
    };
  });
}
