/**
 * Opened clusters, kept between requests by one isolate (one Node process): a registered
 * cluster's kubeconfig decrypted once per sealing, and what the connector derived from it (its
 * parse), so that a request does not decrypt and parse the same kubeconfig again. On a broker PUT
 * to one cluster that was ~15% of its time (docs/decisions/0023-opened-clusters.md).
 *
 * An entry is used only for the exact sealing it was opened from (the record's context, key id,
 * IV and ciphertext): a cluster registered again, or sealed again under another key, is opened
 * anew. It is dropped when the cluster is removed or registered again through this isolate; at
 * the next use of the registry (`sweep`; on Node also by a timer) once unused for `idleMs`; and,
 * oldest use first, beyond `max` entries or `maxBytes` (a kubeconfig may be 256 KiB; an entry
 * weighs its sealing plus its decrypted text, its parse not counted). A failed decryption is not
 * kept. Over the bounds, a request or a sync run still opens each cluster once: its opener keeps
 * what it opened (functions/registry/clusters.ts). Nothing here is logged, returned by an API or
 * written anywhere: the isolate holds the KEK that decrypts every record anyway; this keeps the
 * result of using it.
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
  /** what it weighs against `maxBytes`: its sealing, and its decrypted text once there */
  weight: number;
}

export interface OpenedClustersOptions {
  /** how long an entry is kept unused (ms; default 5 minutes) */
  idleMs?: number;
  /** at most this many entries (default 256) */
  max?: number;
  /**
   * at most this many bytes of sealings and decrypted texts, the most recently used entry always
   * kept (default 8 MiB)
   */
  maxBytes?: number;
  /** a monotonic clock in ms (default `performance.now`) */
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
    this.now = options.now ?? (() => performance.now());
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
    const entry: Entry = {
      sealing,
      usedAt: now,
      weight: sealing.length,
      kubeconfig: decrypt(),
      memo: new Map(),
    };
    entry.kubeconfig.then(
      (text) => {
        if (this.entries.get(name) !== entry) return;
        entry.weight += text.length;
        this.bytes += text.length;
        this.trim();
      },
      // a decryption that failed is not kept: the next request tries again (and says why)
      () => {
        if (this.entries.get(name) === entry) this.forget(name);
      },
    );
    this.entries.set(name, entry);
    this.bytes += entry.weight;
    this.trim();
    return entry;
  }

  /** Drops what is kept of `name` (the cluster was removed or registered again). */
  forget(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    this.bytes -= entry.weight;
  }

  /** how many clusters are kept opened */
  get size(): number {
    return this.entries.size;
  }

  /** the bytes of their sealings and decrypted texts */
  get weight(): number {
    return this.bytes;
  }

  /** Drops the least recently used entries beyond the bounds; the most recently used stays. */
  private trim(): void {
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= 1) break;
      if (this.entries.size <= this.max && this.bytes <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  /** Drops the entries unused for `idleMs` (the oldest uses come first). */
  sweep(now = this.now()): void {
    for (const [name, entry] of this.entries) {
      if (now - entry.usedAt < this.idleMs) break;
      this.forget(name);
    }
  }
}
