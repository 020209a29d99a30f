/**
 * The KubeSecrets port: the few Secret calls the operations need, on ONE namespace of ONE cluster.
 * Adapters: ./fetch-adapter.ts (Web fetch: workerd, Node) and ./client-node-adapter.ts (Node only).
 * Every adapter throws only `KubeError` (./errors.ts), never a raw API body.
 */
import type { KubeSecret } from "../types.ts";

export interface DeletePrecondition {
  uid?: string;
  resourceVersion?: string;
}

/** One operation of a JSON patch (RFC 6902): the ones the conditional write sends. */
export type JsonPatchOp =
  | { op: "test" | "add" | "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

/** A JSON pointer (RFC 6901) to `segments`, e.g. ["metadata", "annotations", "a/b"]. */
export function jsonPointer(...segments: string[]): string {
  return segments.map((s) => `/${s.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

export interface KubeSecrets {
  /** the namespace this port works in (from the kubeconfig context; `default` when none) */
  readonly namespace: string;
  /** a short label for messages, e.g. the cluster name */
  readonly cluster: string;
  /** null when the Secret does not exist */
  get(name: string): Promise<KubeSecret | null>;
  /** server-side label selector, e.g. `trainy.ai/secret-owner=0a1b2c3d`; empty string = all */
  list(labelSelector: string): Promise<KubeSecret[]>;
  /** fails with `conflict` (code "already_exists") when it exists */
  create(secret: KubeSecret): Promise<KubeSecret>;
  /**
   * JSON merge patch (RFC 7386). When `resourceVersion` is given it is put in the patch's metadata,
   * so the server rejects the patch with `conflict` if the Secret changed since it was read.
   */
  mergePatch(name: string, patch: unknown, resourceVersion?: string): Promise<KubeSecret>;
  /**
   * JSON patch (RFC 6902), applied by the server as one atomic change: a failing `test` (or a path
   * that does not exist) rejects it whole with `invalid` (422), nothing written; a patch that
   * changes nothing stores nothing. Optional: without it the operations read before they write.
   */
  jsonPatch?(name: string, ops: readonly JsonPatchOp[]): Promise<KubeSecret>;
  /** PUT; `secret.metadata.resourceVersion` is the precondition (required) */
  replace(secret: KubeSecret): Promise<KubeSecret>;
  delete(name: string, precondition?: DeletePrecondition): Promise<void>;
  /** `/version` gitVersion, for health checks */
  version(): Promise<string>;
  /** SelfSubjectAccessReview for secrets in this namespace, per verb */
  canI(verbs: readonly string[]): Promise<Record<string, boolean>>;
  /**
   * Whether this namespace exists, for health checks (an access review allows verbs in a
   * namespace that does not exist): a dry-run create of a Secret, which needs only the `create`
   * right. `null` when the cluster did not say (no create right, another refusal).
   */
  namespaceExists?(): Promise<boolean | null>;
}
