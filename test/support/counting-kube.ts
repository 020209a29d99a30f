// A KubeSecrets wrapper that counts calls (and writes) and can inject races before each call.
import type { DeletePrecondition, JsonPatchOp, KubeSecrets } from "../../konduktor/kube/port.ts";
import type { KubeSecret } from "../../konduktor/types.ts";

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
      calls.filter((c) =>
        ["create", "mergePatch", "jsonPatch", "replace", "delete"].includes(c.method),
      ).length,
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
  const patch = inner.jsonPatch?.bind(inner);
  if (!patch) return wrapped;
  return Object.assign(wrapped, {
    async jsonPatch(name: string, ops: readonly JsonPatchOp[]) {
      calls.push({ method: "jsonPatch", name });
      await wrapped.before?.("jsonPatch", name);
      return await patch(name, ops);
    },
  });
}
