/**
 * Building a Konduktor secret's `data` from its source, as `konduktor secret create` does
 * (docs/konduktor-format.md): inline KEY=VALUE pairs, files (key = the file's base name; `gitkey`
 * for git-ssh), or a directory (one `payload.zip` with the directory as its top folder). Every
 * problem is collected, never a value; its field is named as every problem names one (`fieldPath`).
 */
import { type Zippable, zipSync } from "fflate";
import { DIRECTORY_SKIPPED_FILES, directoryLimitProblems } from "./directory-limits.ts";
import { bytesToBase64, utf8 } from "./encoding.ts";
import type { SecretInput } from "./secret.ts";
import type { SecretKind, SecretSource } from "./types.ts";
import { baseName, fieldPath, ValidationError, validateKey } from "./validate.ts";

/** The key of a git-ssh secret's only value. */
export const GIT_SSH_KEY = "gitkey";
/** The key of a directory secret's only value. */
export const DIRECTORY_KEY = "payload.zip";
/** Fixed zip timestamp so the same directory always zips to the same bytes (0 writes when unchanged). */
const ZIP_MTIME = new Date(1980, 0, 1, 12, 0, 0);
interface Built {
  problems: ValidationError[];
  data: Record<string, string>;
}

function buildInline(
  pairs: Record<string, string>,
  kind: SecretKind,
  problems: ValidationError[],
): Record<string, string> {
  const data: Record<string, string> = {};
  const keys = pairs && typeof pairs === "object" ? Object.keys(pairs) : [];
  if (keys.length === 0) {
    problems.push(
      new ValidationError(
        "source.pairs",
        "source.pairs is empty: give at least one KEY=VALUE pair",
      ),
    );
  }
  for (const key of keys) {
    const field = fieldPath(["source", "pairs", key]);
    const found = validateKey(key, kind, field);
    problems.push(...found);
    const value = pairs[key];
    if (typeof value !== "string") {
      problems.push(new ValidationError(field, `${field}: the value must be a string`));
      continue;
    }
    if (found.length === 0) data[key] = bytesToBase64(utf8(value));
  }
  return data;
}

function buildFiles(
  files: { name: string; content: Uint8Array }[],
  kind: SecretKind,
  problems: ValidationError[],
): Record<string, string> {
  const data: Record<string, string> = {};
  if (!Array.isArray(files) || files.length === 0) {
    problems.push(
      new ValidationError("source.files", "source.files is empty: give at least one file"),
    );
    return data;
  }
  if (kind === "git-ssh" && files.length !== 1) {
    problems.push(
      new ValidationError(
        "source.files",
        `a git-ssh secret holds exactly one file (the private key), but ${files.length} were given: give one file`,
      ),
    );
    return data;
  }
  const seen = new Map<string, number>();
  files.forEach((file, i) => {
    const field = fieldPath(["source", "files", i]);
    if (!(file?.content instanceof Uint8Array)) {
      problems.push(new ValidationError(`${field}.content`, `${field}.content must be bytes`));
      return;
    }
    const key =
      kind === "git-ssh" ? GIT_SSH_KEY : baseName(typeof file.name === "string" ? file.name : "");
    if (kind !== "git-ssh") {
      const found = validateKey(key, kind, `${field}.name`);
      if (key.length === 0) {
        problems.push(
          new ValidationError(
            `${field}.name`,
            `${field}.name is empty: every file needs a name, which becomes its key`,
          ),
        );
        return;
      }
      if (found.length > 0) {
        problems.push(...found);
        return;
      }
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        problems.push(
          new ValidationError(
            `${field}.name`,
            `${field}.name: files ${earlier} and ${i} both have the base name ${JSON.stringify(key)}, and a file's base name is its key: rename one of them or put them in separate secrets`,
          ),
        );
        return;
      }
      seen.set(key, i);
    }
    data[key] = bytesToBase64(file.content);
  });
  return data;
}

function buildDirectory(
  source: Extract<SecretSource, { type: "directory" }>,
  problems: ValidationError[],
): Record<string, string> {
  const top = baseName(typeof source.name === "string" ? source.name : "");
  if (top.length === 0 || top === "." || top === "..") {
    problems.push(
      new ValidationError(
        "source.name",
        "source.name must be the directory's own name (like \"configs\"): it becomes the zip's top folder",
      ),
    );
  }
  const entries = Array.isArray(source.entries) ? source.entries : [];
  const limits = directoryLimitProblems(top, entries);
  if (limits.length > 0) {
    problems.push(...limits);
    return {};
  }
  // Konduktor leaves Finder metadata out of the zip: so does this (the secret stays the same)
  const skipped = new Set(
    entries.filter(
      (entry) =>
        typeof entry?.path === "string" && DIRECTORY_SKIPPED_FILES.includes(baseName(entry.path)),
    ),
  );
  if (skipped.size === entries.length) {
    problems.push(
      new ValidationError(
        "source.entries",
        entries.length === 0
          ? "source.entries is empty: the directory has no files; add at least one file"
          : `source.entries holds only ${DIRECTORY_SKIPPED_FILES.join(", ")} files, which are left out of the zip as Konduktor does: add at least one other file`,
      ),
    );
  }
  const root: Zippable = Object.create(null);
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    if (skipped.has(entry)) return;
    const field = fieldPath(["source", "entries", i, "path"]);
    const path = typeof entry?.path === "string" ? entry.path.replace(/\\/g, "/") : "";
    const segments = path.split("/");
    if (
      path.length === 0 ||
      path.startsWith("/") ||
      segments.some((s) => s === "" || s === "." || s === "..")
    ) {
      problems.push(
        new ValidationError(
          field,
          `${field} must be a relative path inside the directory, like "sub/file.txt" (no leading "/", no "." or ".." parts)`,
        ),
      );
      return;
    }
    if (!(entry.content instanceof Uint8Array)) {
      problems.push(
        new ValidationError(
          fieldPath(["source", "entries", i, "content"]),
          `${fieldPath(["source", "entries", i, "content"])} must be bytes`,
        ),
      );
      return;
    }
    const earlier = seen.get(path);
    if (earlier !== undefined) {
      problems.push(
        new ValidationError(
          field,
          `${field}: entries ${earlier} and ${i} have the same path: give each file once`,
        ),
      );
      return;
    }
    seen.set(path, i);
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      const next = node[segment];
      if (next instanceof Uint8Array || Array.isArray(next)) {
        problems.push(
          new ValidationError(
            field,
            `${field}: a file and a folder have the same path: rename one`,
          ),
        );
        return;
      }
      if (!next) node[segment] = Object.create(null) as Zippable;
      node = node[segment] as Zippable;
    }
    const leaf = segments[segments.length - 1] as string;
    if (node[leaf] && !(node[leaf] instanceof Uint8Array)) {
      problems.push(
        new ValidationError(field, `${field}: a file and a folder have the same path: rename one`),
      );
      return;
    }
    node[leaf] = entry.content;
  });
  if (problems.length > 0) return {};
  const sorted = sortTree(root);
  const zip = zipSync({ [top]: sorted }, { level: 6, mtime: ZIP_MTIME });
  return { [DIRECTORY_KEY]: bytesToBase64(zip) };
}

/** The same tree with keys in a stable order, so the zip's bytes do not depend on input order. */
function sortTree(node: Zippable): Zippable {
  const out: Zippable = Object.create(null);
  for (const key of Object.keys(node).sort()) {
    const value = node[key];
    out[key] = value instanceof Uint8Array ? value : sortTree(value as Zippable);
  }
  return out;
}

export function buildData(input: SecretInput, problems: ValidationError[]): Built {
  const kind = input.kind ?? "default";
  const source = input.source as SecretSource | undefined;
  if (!source || typeof source !== "object") {
    problems.push(
      new ValidationError(
        "source",
        'source is missing: give inline pairs, files or a directory (source.type "inline", "files" or "directory")',
      ),
    );
    return { problems, data: {} };
  }
  if (kind === "git-ssh" && source.type !== "files") {
    problems.push(
      new ValidationError(
        "source.type",
        'a git-ssh secret can only be created from a file (the private key): use source.type "files" with one file',
      ),
    );
    return { problems, data: {} };
  }
  if (kind === "env" && source.type !== "inline") {
    problems.push(
      new ValidationError(
        "source.type",
        'an env secret can only be created from inline KEY=VALUE pairs: use source.type "inline", or kind "default" for files',
      ),
    );
    return { problems, data: {} };
  }
  switch (source.type) {
    case "inline":
      return { problems, data: buildInline(source.pairs, kind, problems) };
    case "files":
      return { problems, data: buildFiles(source.files, kind, problems) };
    case "directory":
      return { problems, data: buildDirectory(source, problems) };
    default:
      problems.push(
        new ValidationError("source.type", 'source.type must be "inline", "files" or "directory"'),
      );
      return { problems, data: {} };
  }
}
