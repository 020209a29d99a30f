/**
 * Limits on a directory source (docs/broker.md, decision 0013), checked before anything is split,
 * copied or zipped: zipping costs CPU per file, and a path of thousands of folders overflowed the
 * zip library's stack. Messages name the entry and say what to change.
 */
import { MAX_SECRET_BYTES, ValidationError } from "./validate.ts";

/** Limits on a directory source, checked before anything is zipped (docs/broker.md). */
export const DIRECTORY_LIMITS = {
  /** files in one directory secret (zipping costs CPU per file) */
  entries: 1_000,
  /** characters of one relative path */
  pathLength: 1_024,
  /** folders + file name of one path */
  depth: 32,
  /** characters of one path segment (a file system's NAME_MAX) */
  segmentLength: 255,
  /** uncompressed bytes of all files together */
  contentBytes: 32 * 1_048_576,
} as const;

/** Files Konduktor leaves out of a directory's zip (its base64_utils): macOS Finder metadata. */
export const DIRECTORY_SKIPPED_FILES: readonly string[] = [".DS_Store"];

function formatBytes(n: number): string {
  return n.toLocaleString("en-US");
}

/** Bytes of a string in UTF-8 (zip entry names are stored in UTF-8). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Per-file overhead of a zip: local header (30) + central directory entry (46), name twice. */
const ZIP_ENTRY_OVERHEAD = 76;
const ZIP_END_RECORD = 22;
/** Problems reported per directory before the rest are summed up (the message stays short). */
const MAX_ENTRY_PROBLEMS = 20;

/**
 * The cheap checks of a directory source, all before anything is split, copied or zipped: the
 * number of entries first, then per entry the path's length before its segments; the zip's
 * header bytes (a lower bound of its size) and the uncompressed total before zipping.
 */
export function directoryLimitProblems(
  top: string,
  entries: readonly { path?: unknown; content?: unknown }[],
): ValidationError[] {
  const L = DIRECTORY_LIMITS;
  if (entries.length > L.entries) {
    return [
      new ValidationError(
        "source.entries",
        `source.entries has ${formatBytes(entries.length)} files; a directory secret holds at most ${formatBytes(L.entries)}: zip fewer files, or split the directory into several secrets`,
      ),
    ];
  }
  const problems: ValidationError[] = [];
  let headerBytes = ZIP_END_RECORD;
  let contentBytes = 0;
  for (let i = 0; i < entries.length && problems.length < MAX_ENTRY_PROBLEMS; i++) {
    const entry = entries[i];
    const field = `source.entries[${i}].path`;
    const path = typeof entry?.path === "string" ? entry.path : "";
    if (path.length > L.pathLength) {
      problems.push(
        new ValidationError(
          field,
          `${field} is ${formatBytes(path.length)} characters long; a path may have at most ${formatBytes(L.pathLength)}: shorten it`,
        ),
      );
      continue;
    }
    let depth = 1;
    let segment = 0;
    let longest = 0;
    for (let k = 0; k < path.length; k++) {
      const ch = path.charCodeAt(k);
      if (ch === 0x2f || ch === 0x5c) {
        depth++;
        segment = 0;
      } else if (++segment > longest) longest = segment;
    }
    if (depth > L.depth) {
      problems.push(
        new ValidationError(
          field,
          `${field} is ${formatBytes(depth)} levels deep; a path may have at most ${L.depth} (folders and the file name): flatten the directory`,
        ),
      );
      continue;
    }
    if (longest > L.segmentLength) {
      problems.push(
        new ValidationError(
          field,
          `${field} has a file or folder name of ${formatBytes(longest)} characters; at most ${L.segmentLength} are allowed: rename it`,
        ),
      );
      continue;
    }
    headerBytes += ZIP_ENTRY_OVERHEAD + 2 * utf8Length(`${top}/${path}`);
    if (entry?.content instanceof Uint8Array) contentBytes += entry.content.length;
  }
  if (problems.length >= MAX_ENTRY_PROBLEMS) {
    problems.push(
      new ValidationError(
        "source.entries",
        `source.entries: stopped after ${MAX_ENTRY_PROBLEMS} problems; fix those and send it again`,
      ),
    );
  }
  if (problems.length > 0) return problems;
  if (headerBytes > MAX_SECRET_BYTES) {
    return [
      new ValidationError(
        "source.entries",
        `source.entries: the zip's file headers alone would take ${formatBytes(headerBytes)} bytes; Kubernetes allows at most ${formatBytes(MAX_SECRET_BYTES)} bytes (1 MiB) per secret: zip fewer files or shorter paths`,
      ),
    ];
  }
  if (contentBytes > L.contentBytes) {
    return [
      new ValidationError(
        "source.entries",
        `source.entries: the files add up to ${formatBytes(contentBytes)} bytes before compression; at most ${formatBytes(L.contentBytes)} are zipped (and the zip must fit in 1 MiB): leave out large files`,
      ),
    ];
  }
  return [];
}
