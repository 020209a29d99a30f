// The few Cloudflare Workers runtime types the broker uses (the generated worker-configuration.d.ts
// names them; the full @cloudflare/workers-types would clash with the DOM and Node types that the
// rest of the project compiles against).

interface KVNamespaceListResult {
  keys: { name: string; expiration?: number }[];
  list_complete: boolean;
  cursor?: string;
}

interface KVNamespace {
  get(key: string, type?: "text"): Promise<string | null>;
  put(
    key: string,
    value: string,
    options?: { expirationTtl?: number; expiration?: number },
  ): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: {
    prefix?: string;
    cursor?: string;
    limit?: number;
  }): Promise<KVNamespaceListResult>;
}

interface Fetcher {
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
}

// Durable Objects with SQLite storage (functions/store/durable-records.ts)
interface SqlStorageCursor<T> {
  toArray(): T[];
}
interface SqlStorage {
  exec<T = Record<string, string | number | null>>(
    query: string,
    ...bindings: unknown[]
  ): SqlStorageCursor<T>;
}
interface DurableObjectStorage {
  readonly sql: SqlStorage;
  transactionSync<T>(closure: () => T): T;
}
interface DurableObjectState {
  readonly storage: DurableObjectStorage;
}
interface DurableObjectId {
  toString(): string;
}
interface DurableObjectNamespace<T = unknown> {
  idFromName(name: string): DurableObjectId;
  // biome-ignore lint/suspicious/noExplicitAny: an RPC stub's methods are the class's (see durable-records.ts)
  get(id: DurableObjectId): any;
}

declare module "cloudflare:workers" {
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState;
    protected readonly env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}
