/**
 * API tokens: `kbt_<id>_<secret>`. The id is public (it names the token in lists, audit lines and
 * `DELETE /v1/tokens/:id`); the whole token is shown once, at creation, and stored only as its
 * SHA-256, compared in constant time. Each token is bound to owner hashes, clusters, rights and an
 * expiry; revocation keeps the record (marked revoked) so the id stays known.
 */
import { bytesToBase64, toHex } from "../../konduktor/encoding.ts";
import { getJson, type KeyValueStore, putJson } from "../store/store.ts";
import type { Caller, CallerResolver, Rights } from "./caller.ts";
import { constantTimeEqual, credentialHash } from "./constant-time.ts";

const PREFIX = "token:";
const TOKEN_RE = /^kbt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

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
  private readonly store: KeyValueStore;
  constructor(store: KeyValueStore) {
    this.store = store;
  }

  async issue(input: IssueTokenInput, now: Date): Promise<{ token: string; record: TokenRecord }> {
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
    await putJson(this.store, PREFIX + id, record);
    return { token, record };
  }

  async get(id: string): Promise<TokenRecord | null> {
    return await getJson<TokenRecord>(this.store, PREFIX + id);
  }

  async list(): Promise<TokenRecord[]> {
    const keys = await this.store.list(PREFIX);
    const records = await Promise.all(keys.map((k) => getJson<TokenRecord>(this.store, k)));
    return records.filter((r): r is TokenRecord => r !== null);
  }

  /** Marks a token revoked; false when there is no such token. */
  async revoke(id: string, now: Date): Promise<TokenRecord | null> {
    const record = await this.get(id);
    if (!record) return null;
    if (!record.revokedAt) {
      record.revokedAt = now.toISOString();
      await putJson(this.store, PREFIX + id, record);
    }
    return record;
  }

  /** The caller for a presented token, or null when it is unknown, wrong, revoked or expired. */
  async verify(token: string, now: Date): Promise<TokenRecord | null> {
    const m = TOKEN_RE.exec(token);
    if (!m) return null;
    const record = await this.get(m[1] as string);
    // hash even when there is no record, so an unknown id costs the same as a wrong secret
    const hash = await credentialHash(token);
    if (!record) return null;
    if (!constantTimeEqual(hash, record.hash)) return null;
    if (record.revokedAt) return null;
    if (Date.parse(record.expiresAt) <= now.getTime()) return null;
    return record;
  }
}

export function looksLikeApiToken(credential: string): boolean {
  return credential.startsWith("kbt_");
}

/** API tokens as a `CallerResolver`. */
export const apiTokenResolver: CallerResolver = async (credential, { store, now }) => {
  if (!looksLikeApiToken(credential)) return null;
  const record = await new TokenStore(store).verify(credential, now());
  if (!record) return null;
  const caller: Caller = {
    id: `token:${record.id}`,
    kind: "token",
    owners: record.owners,
    clusters: record.clusters,
    rights: record.rights,
    ...(record.label ? { label: record.label } : {}),
  };
  return caller;
};
