/**
 * JSON patch (RFC 6902) for the in-memory fake (./fake-kube.ts), the operations the conditional
 * write sends (test, add, replace, remove) as the apiserver applies them (evanphx/json-patch v4):
 * the whole patch or nothing; `test` compares the JSON values; every operation needs the parent;
 * `test` and `remove` need the member, while `replace` of a missing member adds it (v4's object
 * documents do not check it, unlike RFC 6902). The shared contract (./json-patch-contract.ts) holds it to
 * the real apiserver.
 */
import { isDeepStrictEqual } from "node:util";
import type { JsonPatchOp } from "../../konduktor/kube/port.ts";

type Json = Record<string, unknown>;

function parsePointer(path: string): string[] {
  if (!path.startsWith("/")) throw new Error(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** `target` after `ops`, or an Error naming the first operation that failed (target untouched). */
export function applyJsonPatch<T>(target: T, ops: readonly JsonPatchOp[]): T {
  const doc = structuredClone(target) as unknown as Json;
  for (const op of ops) {
    if (!["add", "replace", "remove", "test"].includes(op.op)) {
      throw new Error(`Unexpected kind: ${op.op}`); // as evanphx/json-patch says it
    }
    const segments = parsePointer(op.path);
    const last = segments.pop() as string;
    let parent: unknown = doc;
    for (const s of segments) {
      parent = parent !== null && typeof parent === "object" ? (parent as Json)[s] : undefined;
    }
    if (parent === null || typeof parent !== "object" || Array.isArray(parent)) {
      throw new Error(`${op.op} operation does not apply: doc is missing path: ${op.path}`);
    }
    const obj = parent as Json;
    const has = Object.hasOwn(obj, last);
    if (op.op === "add" || op.op === "replace") {
      obj[last] = structuredClone(op.value);
      continue;
    }
    if (!has) {
      throw new Error(`${op.op} operation does not apply: doc is missing key: ${op.path}`);
    }
    if (op.op === "remove") delete obj[last];
    else if (!isDeepStrictEqual(obj[last], op.value)) {
      throw new Error(`testing value ${op.path} failed: test failed`);
    }
  }
  return doc as unknown as T;
}
