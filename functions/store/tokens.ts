/**
 * API tokens, one record per token in the control shard (`token:<id>`). The whole token
 * (`kbt_<id>_<secret>`) is shown once, at creation, and stored only as its SHA-256, compared in
 * constant time. Each token is bound to owner hashes, clusters, rights and an expiry; revocation
 * keeps the record (marked revoked) so the id stays known, and is seen by the very next request
 * (the store is consistent).
 */
import { bytesToBase64, toHex } from "../../konduktor/encoding.ts";
import type { Rights } from "../auth/caller.ts";
import { credentialHash } from "../auth/constant-time.ts";
import type { LogLine } from "../context.ts";
import type { ClusterRecord } from "../registry/clusters.ts";
import { keys } from "./keys.ts";
import { type RecordStore, updateRecord } from "./records.ts";
import { fromOlderObject } from "./shard-steps.ts";
import { tokenWithClustersStep, validToken } from "./token-steps.ts";

const TOKEN_RE = /^kbt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/**
 * A presented token's id and SHA-256, or null when it is not exactly a token (then nothing is
 * read). Hashed before any read, so an unknown id costs the same as a wrong secret.
 */
async function idAndHash(token: string): Promise<{ id: string; hash: string } | null> {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  return { id: m[1] as string, hash: await credentialHash(token) };
}

export interface TokenRecord {
  id: string;
  label: string | null;
  /** hex SHA-256 of the whole token */
  hash: string;
  owners: string[];
  clusters: string[] | "all";
  rights: Rights;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** What the API shows of a token (never the hash). */
export type TokenInfo = Omit<TokenRecord, "hash">;

export function tokenInfo(record: TokenRecord): TokenInfo {
  const { hash: _hash, ...info } = record;
  return info;
}

export interface IssueTokenInput {
  label?: string;
  owners: string[];
  clusters: string[] | "all";
  rights: Rights;
  expiresAt: Date;
}

export class TokenStore {
  private readonly shard: RecordStore;
  private readonly log: (line: LogLine) => void;
  /** `shard`: the control shard; `log`: where a check on an object of an older version is said */
  constructor(shard: RecordStore, log: (line: LogLine) => void = () => {}) {
    this.shard = shard;
    this.log = log;
  }

  async issue(input: IssueTokenInput, now: Date): Promise<{ token: string; record: TokenRecord }> {
    for (;;) {
      const id = toHex(crypto.getRandomValues(new Uint8Array(8)));
      const secret = bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))
        .replaceAll("+", "-")
        .replaceAll("/", "_")
        .replace(/=+$/, "");
      const token = `kbt_${id}_${secret}`;
      const record: TokenRecord = {
        id,
        label: input.label ?? null,
        hash: await credentialHash(token),
        owners: [...new Set(input.owners)].sort(),
        clusters: input.clusters === "all" ? "all" : [...new Set(input.clusters)].sort(),
        rights: input.rights,
        createdAt: now.toISOString(),
        expiresAt: input.expiresAt.toISOString(),
        revokedAt: null,
      };
      // a new id only: never replaces a token (an id collision draws again)
      const result = await this.shard.commit([
        { key: keys.token(id), value: JSON.stringify(record), ifRev: 0 },
      ]);
      if (result.ok) return { token, record };
    }
  }

  async get(id: string): Promise<TokenRecord | null> {
    const record = await this.shard.get(keys.token(id));
    return record ? (JSON.parse(record.value) as TokenRecord) : null;
  }

  async list(): Promise<TokenRecord[]> {
    return (await this.shard.list(keys.tokenPrefix)).map((r) => JSON.parse(r.value) as TokenRecord);
  }

  /** Marks a token revoked (once: the first time stays); null when there is no such token. */
  async revoke(id: string, now: Date): Promise<TokenRecord | null> {
    return await updateRecord<TokenRecord>(this.shard, keys.token(id), (current) =>
      current === null || current.revokedAt
        ? undefined
        : { ...current, revokedAt: now.toISOString() },
    );
  }

  /** The record of a presented token, or null when it is unknown, wrong, revoked or expired. */
  async verify(token: string, now: Date): Promise<TokenRecord | null> {
    const presented = await idAndHash(token);
    return presented ? await this.checkByRead(presented, now) : null;
  }

  /** The token's own record, read and checked here (the step does this where it is stored). */
  private async checkByRead(presented: { id: string; hash: string }, now: Date) {
    return validToken(await this.get(presented.id), presented.hash, now.getTime());
  }

  /**
   * `verify`, and for a valid token the registered clusters' records, in one call to the control
   * shard (./token-steps.ts: the shard checks the token before it lists a cluster). `clusters` is
   * absent when the shard is an object of a version without the step (during a deploy): the
   * caller then reads the registry itself.
   */
  async verifyWithClusters(
    token: string,
    now: Date,
  ): Promise<{ record: TokenRecord | null; clusters?: ClusterRecord[] }> {
    const presented = await idAndHash(token);
    if (!presented) return { record: null };
    try {
      const { result } = await this.shard.step(tokenWithClustersStep, {
        ...presented,
        at: now.getTime(),
      });
      if (!result) return { record: null };
      return {
        record: result.token,
        clusters: result.clusters.map((value) => JSON.parse(value) as ClusterRecord),
      };
    } catch (error) {
      if (!fromOlderObject(error)) throw error;
      // during a deploy; outside one it means the step is missing from shard-steps.ts
      this.log({
        type: "store",
        event: "token-check-by-reads",
        step: tokenWithClustersStep.name,
        reason: error instanceof Error ? error.message : String(error),
      });
      return { record: await this.checkByRead(presented, now) };
    }
  }
}
