/**
 * Parsing the `values` input: multi-line `KEY=value` pairs (with `KEY<<DELIM` heredocs for
 * multi-line values) or a JSON/YAML map (so `${{ toJSON(secrets) }}` works), then the
 * include/exclude filters. Errors name lines and keys, never a value.
 */
import { isMap, isScalar, parseDocument } from "yaml";

export class InputError extends Error {
  override name = "InputError";
}

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s;
const HEREDOC_LINE = /^([A-Za-z_][A-Za-z0-9_.-]*)<<([A-Za-z0-9_-]+)$/;

function isPairsFormat(lines: string[]): boolean {
  const meaningful = lines.filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (meaningful.length === 0) return true;
  const first = meaningful[0] ?? "";
  return KEY_LINE.test(first) || HEREDOC_LINE.test(first);
}

function parsePairs(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const heredoc = HEREDOC_LINE.exec(line.trim());
    if (heredoc) {
      const [, key = "", delimiter] = heredoc;
      const body: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        body.push(lines[i] ?? "");
      }
      if (!closed) {
        throw new InputError(
          `values: the multi-line value of ${key} is not closed: add a line with only ${delimiter}`,
        );
      }
      setKey(out, key, body.join("\n"));
      continue;
    }
    const pair = KEY_LINE.exec(line);
    if (!pair) {
      throw new InputError(
        `values: line ${i + 1} is not KEY=value (keys start with a letter or _; use KEY<<EOF … EOF for a multi-line value, or give a JSON/YAML map instead)`,
      );
    }
    setKey(out, pair[1] ?? "", pair[2] ?? "");
  }
  return out;
}

function setKey(out: Record<string, string>, key: string, value: string): void {
  if (Object.hasOwn(out, key)) throw new InputError(`values: key ${key} is given twice`);
  out[key] = value;
}

function parseMap(text: string): Record<string, string> {
  // The failsafe schema keeps every scalar a string: `0123`, `true`, `1e3` stay as written.
  const doc = parseDocument(text, { schema: "failsafe", uniqueKeys: true });
  if (doc.errors.some((e) => e.code === "DUPLICATE_KEY")) {
    const key = duplicateKey(text);
    if (key !== null) throw new InputError(`values: key ${key} is given twice`);
  }
  if (doc.errors.length > 0) {
    // yaml's messages quote the source; give positions only (prettyErrors, the default, sets them)
    const where = [
      ...new Set(
        doc.errors.map((e) =>
          e.linePos?.[0] ? `line ${e.linePos[0].line} column ${e.linePos[0].col}` : e.code,
        ),
      ),
    ].join(", ");
    throw new InputError(
      `values: not KEY=value lines and not a valid JSON/YAML map (syntax error at ${where})`,
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InputError("values: a JSON/YAML value must be a map of KEY: value");
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") {
      throw new InputError(
        `values: the value of ${key} must be a string (nested maps and lists are not secret values)`,
      );
    }
    out[key] = v;
  }
  return out;
}

/** The first key given twice at the top of a JSON/YAML map (a name, never a value). */
function duplicateKey(text: string): string | null {
  const doc = parseDocument(text, { schema: "failsafe", prettyErrors: false, uniqueKeys: false });
  const seen = new Set<string>();
  if (!isMap(doc.contents)) return null;
  for (const item of doc.contents.items) {
    const key = isScalar(item.key) ? String(item.key.value) : null;
    if (key === null) continue;
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return null;
}

/** `KEY=value` lines or a JSON/YAML map → key/value pairs. */
export function parseValues(text: string): Record<string, string> {
  const normalized = text.replace(/\r\n/g, "\n");
  if (normalized.trim() === "") return {};
  const lines = normalized.split("\n");
  return isPairsFormat(lines) ? parsePairs(lines) : parseMap(normalized);
}

/** `*` any run of characters, `?` one character; case-insensitive (GitHub secret names are). */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (const ch of glob) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "i");
}

/** Split a list input on newlines and commas, dropping blanks and `#` comments. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== "" && !s.startsWith("#"));
}

export interface FilterResult {
  kept: Record<string, string>;
  dropped: string[];
}

/** Keep keys matching any `include` glob (all when none) and no `exclude` glob. */
export function filterKeys(
  pairs: Record<string, string>,
  include: string[],
  exclude: string[],
): FilterResult {
  const inc = include.map(globToRegExp);
  const exc = exclude.map(globToRegExp);
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(pairs)) {
    const included = inc.length === 0 || inc.some((r) => r.test(key));
    if (included && !exc.some((r) => r.test(key))) kept[key] = value;
    else dropped.push(key);
  }
  return { kept, dropped };
}

/** The values input parsed, or the error (kept so masking can run before any message). */
export function parseValuesInput(text: string): Record<string, string> | InputError {
  try {
    return parseValues(text);
  } catch (error) {
    if (error instanceof InputError) return error;
    return new InputError("values: could not be read");
  }
}
