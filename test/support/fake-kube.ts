/**
 * An in-memory KubeSecrets for fast unit tests. It is only trusted because the same contract suite
 * (./kube-contract.ts) passes on it and on both adapters against the real kube-apiserver:
 * resourceVersion preconditions, merge-patch semantics, uid preconditions on delete, immutable
 * data, label selectors (equality only), the Status codes of the real server.
 */
import { KubeError } from "../../konduktor/kube/errors.ts";
import type { DeletePrecondition, KubeSecrets } from "../../konduktor/kube/port.ts";
import type { KubeSecret } from "../../konduktor/types.ts";

export interface FakeKube extends KubeSecrets {
  /** every call, in order (method name + secret name) */
  readonly calls: { method: string; name?: string }[];
  /** the stored objects (for assertions) */
  readonly store: Map<string, KubeSecret>;
  /** runs before each call: throw to simulate a failure, await to create races */
  before?: (method: string, name?: string) => void | Promise<void>;
}

const clone = <T>(v: T): T => structuredClone(v);

function matches(labels: Record<string, string> | undefined, selector: string): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [k, v] = term.split("=");
    return labels?.[k as string] === v;
  });
}

/** Merge patch per RFC 7386. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === "object" && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const KEY_RE = /^[-._a-zA-Z0-9]+$/;

export function createFakeKube(options: { namespace?: string; cluster?: string } = {}): FakeKube {
  const namespace = options.namespace ?? "konduktor";
  const cluster = options.cluster ?? "fake";
  const store = new Map<string, KubeSecret>();
  const calls: { method: string; name?: string }[] = [];
  let rv = 1000;
  let uid = 0;
  const ctx = (verb: string, name?: string) => ({
    cluster,
    namespace,
    verb,
    resource: "secrets",
    name,
  });
  const err = (
    code: KubeError["code"],
    verb: string,
    name: string | undefined,
    httpStatus: number,
    message: string,
  ) => new KubeError({ ...ctx(verb, name), code, httpStatus, message });
  const notFound = (verb: string, name: string) =>
    err(
      "not_found",
      verb,
      name,
      404,
      `secret "${name}" not found in namespace "${namespace}" on cluster "${cluster}"`,
    );
  const conflict = (verb: string, name: string) =>
    err(
      "conflict",
      verb,
      name,
      409,
      `secret "${name}" was changed by someone else while this operation ran in namespace "${namespace}" on cluster "${cluster}" (409 Conflict): read it again and retry`,
    );
  const validate = (secret: KubeSecret, verb: string) => {
    for (const key of Object.keys(secret.data ?? {})) {
      if (!KEY_RE.test(key)) {
        throw new KubeError({
          ...ctx(verb, secret.metadata.name),
          code: "invalid",
          httpStatus: 422,
          causes: [{ field: `data[${key}]`, reason: "FieldValueInvalid", message: "invalid key" }],
          message: `the cluster rejected secret "${secret.metadata.name}" as invalid`,
        });
      }
    }
  };
  const save = (secret: KubeSecret): KubeSecret => {
    secret.metadata.resourceVersion = String(++rv);
    store.set(secret.metadata.name, clone(secret));
    return clone(secret);
  };

  const fake: FakeKube = {
    namespace,
    cluster,
    calls,
    store,
    async get(name) {
      calls.push({ method: "get", name });
      await fake.before?.("get", name);
      const s = store.get(name);
      return s ? clone(s) : null;
    },
    async list(labelSelector) {
      calls.push({ method: "list" });
      await fake.before?.("list");
      return [...store.values()]
        .filter((s) => matches(s.metadata.labels, labelSelector))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
        .map(clone);
    },
    async create(secret) {
      const name = secret.metadata.name;
      calls.push({ method: "create", name });
      await fake.before?.("create", name);
      if (store.has(name)) {
        throw err(
          "already_exists",
          "create",
          name,
          409,
          `secret "${name}" already exists in namespace "${namespace}" on cluster "${cluster}"`,
        );
      }
      validate(secret, "create");
      const s = clone(secret);
      s.apiVersion = "v1";
      s.kind = "Secret";
      s.type = s.type ?? "Opaque";
      s.metadata = {
        ...s.metadata,
        namespace,
        uid: `00000000-0000-4000-8000-${String(++uid).padStart(12, "0")}`,
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      };
      if (s.data && Object.keys(s.data).length === 0) delete s.data;
      return save(s);
    },
    async mergePatch(name, patch, resourceVersion) {
      calls.push({ method: "mergePatch", name });
      await fake.before?.("mergePatch", name);
      const current = store.get(name);
      if (!current) throw notFound("patch", name);
      const p = clone(patch ?? {}) as { metadata?: Record<string, unknown> };
      const wantRv = resourceVersion ?? (p.metadata?.resourceVersion as string | undefined);
      if (wantRv !== undefined && wantRv !== current.metadata.resourceVersion)
        throw conflict("patch", name);
      if (p.metadata) delete p.metadata.resourceVersion;
      const next = mergePatch(current, p) as KubeSecret;
      if (
        current.immutable &&
        JSON.stringify(next.data ?? {}) !== JSON.stringify(current.data ?? {})
      ) {
        throw new KubeError({
          ...ctx("patch", name),
          code: "invalid",
          httpStatus: 422,
          causes: [
            {
              field: "data",
              reason: "FieldValueForbidden",
              message: "field is immutable when `…` is set",
            },
          ],
          message: `the cluster rejected secret "${name}" as invalid`,
        });
      }
      validate(next, "patch");
      if (next.data && Object.keys(next.data).length === 0) delete next.data;
      return save(next);
    },
    async replace(secret) {
      const name = secret.metadata.name;
      calls.push({ method: "replace", name });
      if (!secret.metadata.resourceVersion) {
        throw new KubeError({
          ...ctx("update", name),
          code: "invalid",
          message: `replacing secret "${name}" needs the resourceVersion it was read at (metadata.resourceVersion)`,
        });
      }
      await fake.before?.("replace", name);
      const current = store.get(name);
      if (!current) throw notFound("update", name);
      if (secret.metadata.resourceVersion !== current.metadata.resourceVersion)
        throw conflict("update", name);
      if (
        current.immutable &&
        JSON.stringify(secret.data ?? {}) !== JSON.stringify(current.data ?? {})
      ) {
        throw new KubeError({
          ...ctx("update", name),
          code: "invalid",
          httpStatus: 422,
          message: `the cluster rejected secret "${name}" as invalid`,
        });
      }
      validate(secret, "update");
      const next = clone(secret);
      next.apiVersion = "v1";
      next.kind = "Secret";
      next.metadata = {
        ...next.metadata,
        namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
      };
      if (next.data && Object.keys(next.data).length === 0) delete next.data;
      return save(next);
    },
    async delete(name, precondition?: DeletePrecondition) {
      calls.push({ method: "delete", name });
      await fake.before?.("delete", name);
      const current = store.get(name);
      if (!current) throw notFound("delete", name);
      if (precondition?.uid && precondition.uid !== current.metadata.uid)
        throw conflict("delete", name);
      if (
        precondition?.resourceVersion &&
        precondition.resourceVersion !== current.metadata.resourceVersion
      ) {
        throw conflict("delete", name);
      }
      store.delete(name);
    },
    async version() {
      calls.push({ method: "version" });
      return "v1.36.3-fake";
    },
    async canI(verbs) {
      calls.push({ method: "canI" });
      return Object.fromEntries(verbs.map((v) => [v, true]));
    },
  };
  return fake;
}

/** Wraps a KubeSecrets and counts its calls; `before` can inject races. */
export function countingKube(inner: KubeSecrets): KubeSecrets & {
  calls: { method: string; name?: string }[];
  writes(): number;
  before?: (method: string, name?: string) => void | Promise<void>;
} {
  const calls: { method: string; name?: string }[] = [];
  const wrapped = {
    get namespace() {
      return inner.namespace;
    },
    get cluster() {
      return inner.cluster;
    },
    calls,
    before: undefined as ((method: string, name?: string) => void | Promise<void>) | undefined,
    writes: () =>
      calls.filter((c) => ["create", "mergePatch", "replace", "delete"].includes(c.method)).length,
    async get(name: string) {
      calls.push({ method: "get", name });
      await wrapped.before?.("get", name);
      return await inner.get(name);
    },
    async list(selector: string) {
      calls.push({ method: "list" });
      await wrapped.before?.("list");
      return await inner.list(selector);
    },
    async create(secret: KubeSecret) {
      calls.push({ method: "create", name: secret.metadata.name });
      await wrapped.before?.("create", secret.metadata.name);
      return await inner.create(secret);
    },
    async mergePatch(name: string, patch: unknown, resourceVersion?: string) {
      calls.push({ method: "mergePatch", name });
      await wrapped.before?.("mergePatch", name);
      return await inner.mergePatch(name, patch, resourceVersion);
    },
    async replace(secret: KubeSecret) {
      calls.push({ method: "replace", name: secret.metadata.name });
      await wrapped.before?.("replace", secret.metadata.name);
      return await inner.replace(secret);
    },
    async delete(name: string, precondition?: DeletePrecondition) {
      calls.push({ method: "delete", name });
      await wrapped.before?.("delete", name);
      return await inner.delete(name, precondition);
    },
    version: () => inner.version(),
    canI: (verbs: readonly string[]) => inner.canI(verbs),
  };
  return wrapped;
}
