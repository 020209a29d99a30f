/**
 * What both KubeSecrets adapters (./fetch-adapter.ts, ./client-node-adapter.ts) do the same way
 * around a call: timeouts and cancellation, preconditions, and the errors for calls that got no
 * answer. No Node imports here: the fetch adapter runs in workerd.
 */
import type { KubeSecret } from "../types.ts";
import { KubeError, type KubeErrorContext } from "./errors.ts";
import { kubeErrorFromNetwork } from "./network-errors.ts";
import type { DeletePrecondition } from "./port.ts";

export const DEFAULT_TIMEOUT_MS = 10_000;

/** The per-call timeout, combined with an outer cancel signal when there is one. */
export function callSignal(timeoutMs: number, outer?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  if (!outer) return timeout;
  if (typeof AbortSignal.any === "function") return AbortSignal.any([outer, timeout]);
  const controller = new AbortController();
  const abort = (s: AbortSignal) => () => controller.abort(s.reason);
  outer.addEventListener("abort", abort(outer), { once: true });
  timeout.addEventListener("abort", abort(timeout), { once: true });
  if (outer.aborted) controller.abort(outer.reason);
  return controller.signal;
}

/**
 * The KubeError for a call that got no answer: cancelled through the adapter's outer signal (the
 * fan-out deadline), or a network failure / per-call timeout.
 */
export function noAnswerError(
  error: unknown,
  ctx: KubeErrorContext & { cluster: string },
  timeoutMs: number,
  signal: AbortSignal | undefined,
): KubeError {
  if (signal?.aborted) {
    return new KubeError({
      ...ctx,
      code: "timeout",
      retryable: true,
      message: `the request to cluster "${ctx.cluster}" was cancelled (deadline reached)`,
    });
  }
  return kubeErrorFromNetwork(error, { ...ctx, timeoutMs });
}

/** A merge patch carrying `resourceVersion` in its metadata (the server's precondition), if given. */
export function patchWithResourceVersion(patch: unknown, resourceVersion?: string): unknown {
  if (resourceVersion === undefined) return patch;
  const p = (patch ?? {}) as { metadata?: Record<string, unknown> };
  return { ...p, metadata: { ...(p.metadata ?? {}), resourceVersion } };
}

/** DeleteOptions.preconditions for a precondition, undefined when it names neither uid nor version. */
export function deletePreconditions(
  precondition: DeletePrecondition | undefined,
): DeletePrecondition | undefined {
  return precondition && (precondition.uid || precondition.resourceVersion)
    ? {
        ...(precondition.uid ? { uid: precondition.uid } : {}),
        ...(precondition.resourceVersion ? { resourceVersion: precondition.resourceVersion } : {}),
      }
    : undefined;
}

/** A replace (PUT) needs the resourceVersion the Secret was read at: `invalid` without it. */
export function requireResourceVersion(
  secret: KubeSecret,
  cluster: string,
  namespace: string,
): void {
  const name = secret.metadata.name;
  if (!secret.metadata.resourceVersion) {
    throw new KubeError({
      code: "invalid",
      cluster,
      namespace,
      name,
      verb: "update",
      message: `replacing secret "${name}" needs the resourceVersion it was read at (metadata.resourceVersion)`,
    });
  }
}
