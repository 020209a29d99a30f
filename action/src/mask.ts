/**
 * Masking: the very first output of a run is one `::add-mask::` per secret value and per line of
 * a multi-line value, so nothing printed later (by us, a library or a later step) shows them.
 */
import { parseDocument } from "yaml";
import type { RawInputs } from "./inputs.ts";

/** The strings to register for one value: the value and each of its lines. */
export function masksFor(value: string): string[] {
  const out: string[] = [];
  const v = value.replace(/\r\n/g, "\n");
  if (v.trim() !== "") out.push(v);
  if (v.includes("\n")) {
    for (const line of v.split("\n")) {
      const l = line.trim();
      if (l !== "") out.push(l);
    }
  }
  return out;
}

const KUBECONFIG_SECRET_FIELDS = new Set([
  "token",
  "password",
  "client-key-data",
  "client-certificate-data",
  "id-token",
  "refresh-token",
  "client-secret",
  "access-token",
]);

/** Credentials inside a kubeconfig (tokens, keys, passwords); nothing if it does not parse. */
export function kubeconfigSecrets(text: string): string[] {
  if (text.trim() === "") return [];
  const out: string[] = [];
  try {
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) for (const n of node) walk(n);
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
          if (typeof v === "string" && KUBECONFIG_SECRET_FIELDS.has(k)) out.push(...masksFor(v));
          else walk(v);
        }
      }
    };
    walk(parseDocument(text, { schema: "failsafe" }).toJS());
  } catch {
    // an unreadable kubeconfig is reported later, by the step that reads it
  }
  return out;
}

/**
 * Every string to mask for these inputs: parsed values (before filtering, so a filtered-out
 * secret is masked too), their lines, the ssh key, the api token, kubeconfig credentials.
 */
export function secretsToMask(raw: RawInputs, values: Record<string, string> | Error): string[] {
  const all: string[] = [];
  if (!(values instanceof Error)) for (const v of Object.values(values)) all.push(...masksFor(v));
  all.push(...masksFor(raw["git-ssh-key"]));
  all.push(...masksFor(raw["api-token"]));
  all.push(...kubeconfigSecrets(raw.kubeconfig));
  return [...new Set(all)];
}
