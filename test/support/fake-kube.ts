/**
 * An in-memory KubeSecrets for fast unit tests. It is only trusted because the same contract suite
 * (./kube-contract.ts) passes on it and on both adapters against the real kube-apiserver:
 * resourceVersion preconditions, merge-patch semantics, uid preconditions on delete, immutable
 * data, label selectors (equality only), the Status codes of the real server, and its refusals:
 * RBAC (`canI` and every call answer from a rule table, like the test clusters' users), the 1 MiB
 * limit on a Secret's values, and the name and key rules. Refusals are built as the real server's
 * `Status` bodies and mapped by the adapters' own `kubeErrorFromResponse`.
 */
import { isDeepStrictEqual } from "node:util";
import { KubeError, kubeErrorFromResponse } from "../../konduktor/kube/errors.ts";
import type { DeletePrecondition, KubeSecrets } from "../../konduktor/kube/port.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import {
  configKeyProblems,
  DNS1123_SUBDOMAIN_RE,
  FAKE_USERS,
  type FakeRule,
  type FakeUser,
  MAX_DATA_BYTES,
  MAX_NAME_LENGTH,
  NOT_DNS1123_SUBDOMAIN,
  TOO_LONG,
} from "./fake-kube-rules.ts";

// moved to their own files; re-exported so importers of this module keep working
export { countingKube } from "./counting-kube.ts";
export { FAKE_USERS, type FakeRule, type FakeUser } from "./fake-kube-rules.ts";

import { applyJsonPatch } from "./fake-json-patch.ts";

export interface FakeKube extends KubeSecrets {
  /** every call, in order (method name + secret name) */
  readonly calls: { method: string; name?: string }[];
  /** the stored objects (for assertions) */
  readonly store: Map<string, KubeSecret>;
  /** runs before each call: throw to simulate a failure, await to create races */
  before?: (method: string, name?: string) => void | Promise<void>;
  /** the same cluster and namespace (same objects) as another user, with that user's rules */
  as(user: FakeUser): FakeKube;
}

interface FakeState {
  store: Map<string, KubeSecret>;
  rv: number;
  uid: number;
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

export interface FakeKubeOptions {
  namespace?: string;
  cluster?: string;
  /** whose rules answer canI and guard every call (default: secrets-editor) */
  user?: FakeUser;
}

export function createFakeKube(options: FakeKubeOptions = {}): FakeKube {
  return fakeView(options, { store: new Map(), rv: 1000, uid: 0 });
}

function fakeView(options: FakeKubeOptions, state: FakeState): FakeKube {
  const namespace = options.namespace ?? "konduktor";
  const cluster = options.cluster ?? "fake";
  const user = options.user ?? "secrets-editor";
  const rules: readonly FakeRule[] = FAKE_USERS[user];
  const store = state.store;
  const calls: { method: string; name?: string }[] = [];
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
  /** The apiserver's answer as a KubeError, through the adapters' own mapping. */
  const status = (
    httpStatus: number,
    reason: string,
    verb: string,
    name: string | undefined,
    message: string,
    causes: { field: string; reason: string; message: string }[] = [],
  ) =>
    kubeErrorFromResponse(
      httpStatus,
      {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        reason,
        message,
        code: httpStatus,
        details: {
          ...(name ? { name } : {}),
          kind: "secrets",
          ...(causes.length ? { causes } : {}),
        },
      },
      ctx(verb, name),
    );
  const allowed = (verb: string) =>
    rules.some((r) => r.verbs.includes("*") || r.verbs.includes(verb));
  /** RBAC: the server refuses before it looks at the object. */
  const authorize = (verb: string, name?: string) => {
    if (allowed(verb)) return;
    throw status(
      403,
      "Forbidden",
      verb,
      name,
      `secrets${name ? ` "${name}"` : ""} is forbidden: User "${user}" cannot ${verb} resource "secrets" in API group "" in the namespace "${namespace}"`,
    );
  };
  const invalid = (
    secret: KubeSecret,
    verb: string,
    causes: { field: string; reason: string; message: string }[],
  ) =>
    status(
      422,
      "Invalid",
      verb,
      secret.metadata.name,
      `Secret "${secret.metadata.name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`,
      causes,
    );
  /** The server's validation of a Secret: its name, its keys, the size of its values. */
  const validate = (secret: KubeSecret, verb: string) => {
    const name = secret.metadata.name;
    const nameProblems = [
      ...(name.length > MAX_NAME_LENGTH ? [TOO_LONG] : []),
      ...(DNS1123_SUBDOMAIN_RE.test(name) ? [] : [NOT_DNS1123_SUBDOMAIN]),
    ];
    if (nameProblems.length) {
      throw invalid(
        secret,
        verb,
        nameProblems.map((m) => ({
          field: "metadata.name",
          reason: "FieldValueInvalid",
          message: `Invalid value: "${name}": ${m}`,
        })),
      );
    }
    const causes = Object.keys(secret.data ?? {}).flatMap((key) =>
      configKeyProblems(key).map((m) => ({
        field: `data[${key}]`,
        reason: "FieldValueInvalid",
        message: `Invalid value: "${key}": ${m}`,
      })),
    );
    if (causes.length) throw invalid(secret, verb, causes);
    const size = Object.values(secret.data ?? {}).reduce(
      (n, v) => n + Buffer.from(v, "base64").byteLength,
      0,
    );
    if (size > MAX_DATA_BYTES) {
      throw invalid(secret, verb, [
        {
          field: "data",
          reason: "FieldValueTooLong",
          message: `Too long: must have at most ${MAX_DATA_BYTES} bytes`,
        },
      ]);
    }
  };
  const save = (secret: KubeSecret): KubeSecret => {
    secret.metadata.resourceVersion = String(++state.rv);
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
      authorize("get", name);
      await fake.before?.("get", name);
      const s = store.get(name);
      return s ? clone(s) : null;
    },
    async list(labelSelector) {
      calls.push({ method: "list" });
      authorize("list");
      await fake.before?.("list");
      return [...store.values()]
        .filter((s) => matches(s.metadata.labels, labelSelector))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
        .map(clone);
    },
    async create(secret) {
      const name = secret.metadata.name;
      calls.push({ method: "create", name });
      authorize("create", name);
      await fake.before?.("create", name);
      validate(secret, "create");
      if (store.has(name)) {
        throw err(
          "already_exists",
          "create",
          name,
          409,
          `secret "${name}" already exists in namespace "${namespace}" on cluster "${cluster}"`,
        );
      }
      const s = clone(secret);
      s.apiVersion = "v1";
      s.kind = "Secret";
      s.type = s.type ?? "Opaque";
      s.metadata = {
        ...s.metadata,
        namespace,
        uid: `00000000-0000-4000-8000-${String(++state.uid).padStart(12, "0")}`,
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      };
      if (s.data && Object.keys(s.data).length === 0) delete s.data;
      return save(s);
    },
    async mergePatch(name, patch, resourceVersion) {
      calls.push({ method: "mergePatch", name });
      authorize("patch", name);
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
    async jsonPatch(name, ops) {
      calls.push({ method: "jsonPatch", name });
      authorize("patch", name);
      await fake.before?.("jsonPatch", name);
      const current = store.get(name);
      if (!current) throw notFound("patch", name);
      let next: KubeSecret;
      try {
        next = applyJsonPatch(current, ops);
      } catch (error) {
        throw status(422, "Invalid", "patch", name, (error as Error).message);
      }
      // the apiserver stores nothing for a patch that changes nothing (same resourceVersion)
      if (isDeepStrictEqual(next, current)) return clone(current);
      if (current.immutable && !isDeepStrictEqual(next.data ?? {}, current.data ?? {})) {
        throw status(
          422,
          "Invalid",
          "patch",
          name,
          `Secret "${name}" is invalid: data: Forbidden: field is immutable when \`immutable\` is set`,
        );
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
      authorize("update", name);
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
      authorize("delete", name);
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
      return Object.fromEntries(verbs.map((v) => [v, allowed(v)]));
    },
    as(other) {
      return fakeView({ ...options, user: other }, state);
    },
  };
  return fake;
}
