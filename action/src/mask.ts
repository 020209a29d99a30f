/**
 * Masking: the very first output of a run is one `::add-mask::` per secret value and per line of
 * a multi-line value, so nothing printed later (by us, a library or a later step) shows them.
 */
import { parseDocument } from "yaml";
import type { SecretInputs } from "./inputs.ts";

/**
 * The shortest line masked on its own. Masking `{`, `}` or `---` of a JSON/YAML/PEM value would
 * star out those characters in every later log line; the whole value is always masked anyway.
 */
export const MIN_MASKED_LINE = 4;

/** The strings to register for one value: the whole value, and each line of 4+ characters. */
export function masksFor(value: string): string[] {
  const out: string[] = [];
  const v = value.replace(/\r\n/g, "\n");
  if (v.trim() !== "") out.push(v);
  if (v.includes("\n")) out.push(...maskableLines(v));
  return out;
}

/** The trimmed lines of 4+ characters of a text. */
export function maskableLines(text: string): string[] {
  return (
    text
      // every line break a log viewer may honour, not only \n: a value after a stray \r is masked
      .split(/\r\n|[\n\r\u2028\u2029]/)
      .map((l) => l.trim())
      .filter((l) => l.length >= MIN_MASKED_LINE)
  );
}

/**
 * For `values` that do not parse: nothing is known about where a value starts, so every line of
 * 4+ characters, and what follows the first `=` or `:` of a line (a value of 4+ characters).
 */
export function unparsedValuesMasks(text: string): string[] {
  const out: string[] = [];
  for (const line of maskableLines(text)) {
    out.push(line);
    const rest = /^[^=:]*[=:](.*)$/s.exec(line)?.[1]?.trim() ?? "";
    if (rest.length >= MIN_MASKED_LINE) out.push(rest);
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

/**
 * Credentials inside a kubeconfig (tokens, keys, passwords). A kubeconfig that does not parse
 * cannot be searched: then every line of 4+ characters (the step fails on it anyway).
 */
export function kubeconfigSecrets(text: string): string[] {
  if (text.trim() === "") return [];
  const out: string[] = [];
  try {
    const doc = parseDocument(text, { schema: "failsafe" });
    if (doc.errors.length > 0) return maskableLines(text);
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) for (const n of node) walk(n);
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
          if (typeof v === "string" && KUBECONFIG_SECRET_FIELDS.has(k)) out.push(...masksFor(v));
          else walk(v);
        }
      }
    };
    walk(doc.toJS());
  } catch {
    return maskableLines(text);
  }
  return out;
}

/**
 * Every string to mask for these inputs: parsed values (before filtering, so a filtered-out
 * secret is masked too) and their lines — or, when `values` does not parse, its raw lines — the
 * ssh key, the api token, kubeconfig credentials. A kubeconfig given as a path is masked when it
 * is read (kubeconfig-source.ts).
 */
export function secretsToMask(raw: SecretInputs, values: Record<string, string> | Error): string[] {
  const all: string[] = [];
  if (values instanceof Error) all.push(...unparsedValuesMasks(raw.values));
  else for (const v of Object.values(values)) all.push(...masksFor(v));
  all.push(...masksFor(raw["git-ssh-key"]));
  all.push(...masksFor(raw["api-token"]));
  all.push(...kubeconfigSecrets(raw.kubeconfig));
  return [...new Set(all)];
}
