/**
 * Job access, one record per owner in the control shard (`job-token:<owner>`): the settings of the
 * owner's job secret (docs/decisions/0016-job-tokens.md), the current job token's public id and
 * lifetime, the token itself sealed with the KEK (so a cluster that missed it gets the same token
 * later without a rotation), the clusters that hold it, and the older tokens still to revoke.
 */
import type { Rights } from "../auth/caller.ts";
import type { Envelope } from "../registry/envelope.ts";
import { keys } from "./keys.ts";
import { type RecordStore, updateRecord } from "./records.ts";

export interface JobTokenRecord {
  owner: string;
  /** the broker URL written as KSB_URL */
  url: string;
  clusters: string[] | "all";
  rights: Rights;
  lifetimeSeconds: number;
  /** the current job token: its public id, when it was issued and expires, the token sealed */
  tokenId: string;
  issuedAt: string;
  expiresAt: string;
  sealed: Envelope;
  createdAt: string;
  rotatedAt: string;
  /** registered clusters confirmed to hold the current token */
  holding: string[];
  /** earlier job tokens, revoked once every cluster holds the current one */
  retiring: string[];
}

export class JobTokenStore {
  private readonly shard: RecordStore;
  /** `shard`: the control shard */
  constructor(shard: RecordStore) {
    this.shard = shard;
  }

  async get(owner: string): Promise<JobTokenRecord | null> {
    const record = await this.shard.get(keys.jobToken(owner));
    return record ? (JSON.parse(record.value) as JobTokenRecord) : null;
  }

  async list(): Promise<JobTokenRecord[]> {
    return (await this.shard.list(keys.jobTokenPrefix)).map(
      (r) => JSON.parse(r.value) as JobTokenRecord,
    );
  }

  /** Replaces the owner's record (null: removes it); answers the record as it was before. */
  async put(owner: string, next: JobTokenRecord | null): Promise<JobTokenRecord | null> {
    let before: JobTokenRecord | null = null;
    await updateRecord<JobTokenRecord>(this.shard, keys.jobToken(owner), (current) => {
      before = current;
      return next;
    });
    return before;
  }
}
