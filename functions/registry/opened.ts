/**
 * Opened clusters, kept between requests by one isolate (one Node process): a registered
 * cluster's kubeconfig decrypted once per sealing, and what the connector derived from it (its
 * parse), so that a request does not decrypt and parse the same kubeconfig again. On a broker PUT
 * to one cluster that was ~15% of its time (docs/decisions/0023-opened-clusters.md).
 *
 * An entry is used only for the exact sealing it was opened from (the record's context, key id,
 * IV and ciphertext): a cluster registered again, or sealed again under another key, is opened
 * anew. It is dropped when the cluster is removed here, when it was not used for `idleMs`, and,
 * oldest use first, beyond `max` entries or `maxBytes` of sealed kubeconfigs (a kubeconfig may be
 * 256 KiB: the bytes bound the memory, the count the bookkeeping). A failed decryption is not
 * kept. Nothing here is
 * logged, returned by an API or written anywhere: the isolate holds the KEK that decrypts every
 * record anyway; this keeps the result of using it.
 */
import type { Envelope } from "./envelope.ts";

/** An opened cluster: its decrypted kubeconfig, and the connector's memo for it. */
export interface OpenedCluster {
  kubeconfig: Promise<string>;
  /** `KubeConnector`'s `memo`: what the connector derived from this kubeconfig */
  memo: Map<string, unknown>;
}

interface Entry extends OpenedCluster {
  sealing: string;
  usedAt: number;
}

/** What an entry weighs against `maxBytes`: its sealing (the ciphertext, mostly). */
const weightOf = (entry: Entry) => entry.sealing.length;

export interface OpenedClustersOptions {
  /** how long an entry is kept unused (ms; default 5 minutes) */
  idleMs?: number;
  /** at most this many entries (default 256) */
  max?: number;
  /** at most this many bytes of sealings, the newest entry always kept (default 8 MiB) */
  maxBytes?: number;
  now?: () => number;
}

/** What identifies one sealing of one cluster's kubeconfig. */
function sealingOf(record: { context: string; kubeconfig: Envelope }): string {
  const e = record.kubeconfig;
  return `${record.context}\n${e.v ?? 1}\n${e.kid}\n${e.iv}\n${e.ct}`;
}

export class OpenedClusters {
  /** by cluster name; Map order is the order of last use (oldest first) */
  private readonly entries = new Map<string, Entry>();
  private readonly idleMs: number;
  private readonly max: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private bytes = 0;

  constructor(options: OpenedClustersOptions = {}) {
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.max = options.max ?? 256;
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  /**
   * The opened cluster `name` of this `record`'s sealing: kept, or opened now with `decrypt`
   * (which is then not called again for this sealing while it is kept).
   */
  get(
    name: string,
    record: { context: string; kubeconfig: Envelope },
    decrypt: () => Promise<string>,
  ): OpenedCluster {
    const now = this.now();
    this.sweep(now);
    const sealing = sealingOf(record);
    const kept = this.entries.get(name);
    if (kept && kept.sealing === sealing) {
      // to the end of the order of use
      this.entries.delete(name);
      this.entries.set(name, kept);
      kept.usedAt = now;
      return kept;
    }
    this.forget(name);
    const entry: Entry = { sealing, usedAt: now, kubeconfig: decrypt(), memo: new Map() };
    // a decryption that failed is not kept: the next request tries again (and says why)
    entry.kubeconfig.catch(() => {
      if (this.entries.get(name) === entry) this.forget(name);
    });
    this.entries.set(name, entry);
    this.bytes += weightOf(entry);
    for (const oldest of this.entries.keys()) {
      if (oldest === name) break;
      if (this.entries.size <= this.max && this.bytes <= this.maxBytes) break;
      this.forget(oldest);
    }
    return entry;
  }

  /** Drops what is kept of `name` (the cluster was removed or registered again). */
  forget(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    this.bytes -= weightOf(entry);
  }

  /** how many clusters are kept opened */
  get size(): number {
    return this.entries.size;
  }

  /** the bytes of their sealings */
  get weight(): number {
    return this.bytes;
  }

  /** Drops the entries unused for `idleMs` (the oldest uses come first). */
  private sweep(now: number): void {
    for (const [name, entry] of this.entries) {
      if (now - entry.usedAt < this.idleMs) break;
      this.forget(name);
    }
  }
}
