/**
 * Which kubeconfig context to use when none is named, by Konduktor's rule: the first of
 * `kubernetes.allowed_contexts` in its config (`~/.konduktor/config.yaml`) wins over the
 * kubeconfig's `current-context`. Runtime-neutral: the caller reads the files.
 */
import { parse } from "yaml";
import { KubeconfigError, kubeconfigContexts } from "./kubeconfig.ts";

export interface ContextChoice {
  context: string;
  /** why this one: named by the caller, Konduktor's allowed_contexts[0], or current-context */
  reason: "given" | "allowed_contexts" | "current-context";
}

/** `kubernetes.allowed_contexts` of a Konduktor config YAML (empty when absent or unreadable). */
export function konduktorAllowedContexts(configYaml: string | null | undefined): string[] {
  if (!configYaml) return [];
  try {
    const doc = parse(configYaml) as { kubernetes?: { allowed_contexts?: unknown } } | null;
    const list = doc?.kubernetes?.allowed_contexts;
    return Array.isArray(list) ? list.filter((c): c is string => typeof c === "string" && !!c) : [];
  } catch {
    return [];
  }
}

/** The context to use, and why. Throws `KubeconfigError` when the rule names a missing one. */
export function chooseContext(
  kubeconfigYaml: string,
  options: { context?: string; allowedContexts?: readonly string[] } = {},
): ContextChoice {
  if (options.context) return { context: options.context, reason: "given" };
  const { names, current } = kubeconfigContexts(kubeconfigYaml);
  const first = options.allowedContexts?.[0];
  if (first) {
    if (!names.includes(first)) {
      throw new KubeconfigError(
        "contexts",
        `Konduktor's config names "${first}" first in kubernetes.allowed_contexts, which is not a context of the kubeconfig (available: ${names.join(", ") || "none"}): fix the config or name a context`,
      );
    }
    return { context: first, reason: "allowed_contexts" };
  }
  if (!current) {
    throw new KubeconfigError(
      "current-context",
      `current-context is not set and no context was given: set it (\`kubectl config use-context <name>\`) or name a context (available: ${names.join(", ") || "none"})`,
    );
  }
  return { context: current, reason: "current-context" };
}

/** "context x (current-context)" etc., for a line that says which context was used. */
export function describeChoice(choice: ContextChoice): string {
  const why = {
    given: "as given",
    allowed_contexts: "the first of kubernetes.allowed_contexts in Konduktor's config",
    "current-context": "the kubeconfig's current-context",
  }[choice.reason];
  return `context ${choice.context} (${why})`;
}
