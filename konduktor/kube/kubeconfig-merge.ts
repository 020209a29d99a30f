/**
 * Several kubeconfig files merged into one, as kubectl merges the files of `$KUBECONFIG`
 * (runtime-neutral: the caller reads the files and says how a path is resolved):
 *  - the first file to name a cluster, user or context wins (later entries of that name are ignored);
 *  - the first file to set `current-context` wins;
 *  - file paths inside a file (certificate-authority, client-certificate, client-key, tokenFile,
 *    an exec command with a path separator) are relative to that file's directory, so they are
 *    made absolute before the entries leave their file.
 * Errors name the file and a position, never a line of it (a line may hold a token).
 */
import { parseDocument, stringify } from "yaml";
import { KubeconfigError } from "./kubeconfig.ts";

export interface KubeconfigFile {
  /** where it was read from (named in errors; the base of its relative paths) */
  path: string;
  text: string;
}

/** `resolvePath(file, p)`: `p` as written in `file`, made absolute (Node: `resolve(dirname(file), p)`). */
export type ResolvePath = (file: string, path: string) => string;

/** At most this many files: `$KUBECONFIG` lists a few; a longer list is a mistake. */
export const MAX_KUBECONFIG_FILES = 32;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function resolveFields(entry: unknown, keys: string[], file: string, resolvePath: ResolvePath) {
  if (!isObj(entry)) return;
  for (const key of keys) {
    const value = entry[key];
    if (typeof value === "string" && value !== "") entry[key] = resolvePath(file, value);
  }
}

function absolutize(doc: Obj, file: string, resolvePath: ResolvePath): void {
  for (const c of Array.isArray(doc.clusters) ? doc.clusters : []) {
    if (isObj(c)) resolveFields(c.cluster, ["certificate-authority"], file, resolvePath);
  }
  for (const u of Array.isArray(doc.users) ? doc.users : []) {
    if (!isObj(u)) continue;
    resolveFields(
      u.user,
      ["client-certificate", "client-key", "tokenFile", "token-file"],
      file,
      resolvePath,
    );
    const exec = isObj(u.user) ? u.user.exec : undefined;
    // kubectl resolves an exec command only when it is a path, not a name looked up on PATH
    if (isObj(exec) && typeof exec.command === "string" && /[/\\]/.test(exec.command)) {
      exec.command = resolvePath(file, exec.command);
    }
  }
}

/** The files merged into one kubeconfig YAML (see the module comment). */
export function mergeKubeconfigFiles(files: KubeconfigFile[], resolvePath: ResolvePath): string {
  if (files.length > MAX_KUBECONFIG_FILES) {
    throw new KubeconfigError(
      "KUBECONFIG",
      `KUBECONFIG lists ${files.length} files; at most ${MAX_KUBECONFIG_FILES} are read: list only the kubeconfigs this step needs`,
    );
  }
  const merged: Obj = { apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [] };
  const seen = {
    clusters: new Set<string>(),
    users: new Set<string>(),
    contexts: new Set<string>(),
  };
  for (const file of files) {
    if (file.text.trim() === "") continue; // kubectl skips empty files
    const parsed = parseDocument(file.text);
    if (parsed.errors.length > 0) {
      const line = parsed.errors[0]?.linePos?.[0]?.line;
      throw new KubeconfigError(
        "KUBECONFIG",
        `${file.path} is not valid YAML${line ? ` (near line ${line})` : ""}: check its indentation and quoting`,
      );
    }
    const doc = parsed.toJS() as unknown;
    if (!isObj(doc)) {
      throw new KubeconfigError(
        "KUBECONFIG",
        `${file.path} is not a kubeconfig (not a YAML mapping): remove it from KUBECONFIG or fix it`,
      );
    }
    absolutize(doc, file.path, resolvePath);
    if (merged["current-context"] === undefined && typeof doc["current-context"] === "string") {
      if (doc["current-context"] !== "") merged["current-context"] = doc["current-context"];
    }
    for (const key of ["clusters", "users", "contexts"] as const) {
      for (const entry of Array.isArray(doc[key]) ? doc[key] : []) {
        if (!isObj(entry) || typeof entry.name !== "string" || seen[key].has(entry.name)) continue;
        seen[key].add(entry.name);
        (merged[key] as Obj[]).push(entry);
      }
    }
  }
  return stringify(merged);
}
