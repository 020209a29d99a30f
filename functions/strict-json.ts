/**
 * Request bodies are read strictly, once, before any route sees them: UTF-8 that decodes without
 * replacement, JSON that `JSON.parse` accepts, no key given twice in one object (`{"dryRun":true,
 * "dryRun":false}` would otherwise silently mean false), no lone UTF-16 surrogate in a string or a
 * key (it would be stored as U+FFFD), nesting at most MAX_DEPTH levels. Every refusal is a 400
 * naming the field; nothing after it runs.
 *
 * Cost: the native `JSON.parse`, one walk of the parsed value (key counts, lone surrogates), and one
 * native regex pass over the text counting `:` outside strings. A duplicate exists exactly when the
 * text has more members than the parsed objects have keys; only then does jsonc-parser (a
 * maintained streaming JSON parser) walk the text to name the first duplicate's path.
 */
import type { MiddlewareHandler } from "hono";
import { visit } from "jsonc-parser";
import type { AppEnv } from "./context.ts";
import { ApiError, invalidInput } from "./problem.ts";

/** Objects and arrays nested deeper than this are refused (no body of this API needs 10). */
export const MAX_DEPTH = 64;

/** A lone UTF-16 surrogate (in `u` mode a well-formed pair is one code point, not `Cs`). */
const LONE_SURROGATE = /\p{Cs}/u;

/** A JSON string token (the unrolled-loop form: linear time, no backtracking). */
const STRING_TOKEN = /"[^"\\]*(?:\\[\s\S][^"\\]*)*"/g;

function malformed(detail: string): ApiError {
  return new ApiError("malformed_json", detail);
}

/** A path as the validation errors write it (`source.pairs.A`, `entries.3.path`). */
function pathText(path: readonly (string | number)[]): string {
  return path.length ? path.map(String).join(".") : "(body)";
}

/** How a key is shown in a message: as is when printable, else JSON-escaped. */
function shownKey(key: string): string {
  return /^[\x20-\x7e]*$/.test(key) && !key.includes('"') ? key : JSON.stringify(key).slice(1, -1);
}

/** The path of the first key given twice in one object (jsonc-parser walks the text). */
function firstDuplicate(text: string): (string | number)[] | null {
  const seen: Set<string>[] = [];
  let found: (string | number)[] | null = null;
  visit(
    text,
    {
      onObjectBegin: () => {
        seen.push(new Set());
        return !found;
      },
      onObjectEnd: () => {
        seen.pop();
      },
      onObjectProperty: (name, _offset, _length, _line, _char, pathSupplier) => {
        const keys = seen[seen.length - 1];
        if (!found && keys?.has(name)) found = [...pathSupplier(), name];
        keys?.add(name);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return found;
}

/** Lists longer than this are refused before validation (no list of this API takes 10,000). */
export const MAX_ARRAY_LENGTH = 10_000;

/** `\u` escapes of surrogates in the text: without one, no string can hold a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

function countColons(text: string): number {
  let n = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) n++;
  return n;
}

function surrogateProblem(path: (string | number)[], inKey: boolean): ApiError {
  return invalidInput(
    [
      {
        field: pathText(path),
        message: `${inKey ? "this key contains" : "contains"} a lone UTF-16 surrogate (like \\ud800 without its pair), which is not text: send valid Unicode`,
      },
    ],
    { lead: "the request is not valid", fieldsInDetail: true },
  );
}

/**
 * Parses a request body strictly (see the module comment). Throws ApiError `malformed_json`
 * (not JSON, too deep, a list too long) or `invalid_input` (a duplicate key, a lone surrogate),
 * naming the field.
 */
export function parseStrictJson(text: string, what = "the request body"): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(`${what} is not valid JSON: check quotes, commas and brackets`);
  }
  const checkStrings = SURROGATE_ESCAPE.test(text);
  let members = 0;
  // an explicit stack (no recursion on a deep document); a node's path is built only for a message
  const values: unknown[] = [value];
  const parents: number[] = [-1];
  const keys: (string | number)[] = [""];
  const depths: number[] = [0];
  const pending: number[] = [0];
  const pathOf = (node: number): (string | number)[] => {
    const path: (string | number)[] = [];
    for (let n = node; n > 0; n = parents[n] as number) path.unshift(keys[n] as string | number);
    return path;
  };
  const push = (v: unknown, parent: number, key: string | number, depth: number) => {
    values.push(v);
    parents.push(parent);
    keys.push(key);
    depths.push(depth);
    pending.push(values.length - 1);
  };
  while (pending.length > 0) {
    const node = pending.pop() as number;
    const v = values[node];
    if (typeof v === "string") {
      if (checkStrings && LONE_SURROGATE.test(v)) throw surrogateProblem(pathOf(node), false);
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const depth = depths[node] as number;
    if (depth >= MAX_DEPTH) {
      throw malformed(
        `${what} is nested deeper than ${MAX_DEPTH} levels (at ${pathText(pathOf(node))}): no request of this API needs that`,
      );
    }
    if (Array.isArray(v)) {
      if (v.length > MAX_ARRAY_LENGTH) {
        throw malformed(
          `${what} has a list of ${v.length.toLocaleString("en-US")} items at ${pathText(pathOf(node))}; no list of this API takes more than ${MAX_ARRAY_LENGTH.toLocaleString("en-US")}: send less`,
        );
      }
      for (let i = v.length - 1; i >= 0; i--) push(v[i], node, i, depth + 1);
      continue;
    }
    const own = Object.keys(v);
    members += own.length;
    for (const key of own) {
      if (checkStrings && LONE_SURROGATE.test(key)) {
        throw surrogateProblem([...pathOf(node), shownKey(key)], true);
      }
      push((v as Record<string, unknown>)[key], node, key, depth + 1);
    }
  }
  // every `:` outside a string separates one member: more in the text than in the objects means
  // a key was given twice (colons inside strings only add to the first, cheap count)
  if (countColons(text) > members && countColons(text.replace(STRING_TOKEN, "")) > members) {
    const path = firstDuplicate(text) ?? [];
    const key = path[path.length - 1];
    throw invalidInput(
      [
        {
          field: pathText(path.map((p) => (typeof p === "string" ? shownKey(p) : p))),
          message: `the key "${shownKey(String(key ?? ""))}" is given more than once in the same object: give each field once`,
        },
      ],
      { lead: "the request is not valid", fieldsInDetail: true },
    );
  }
  return value;
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Middleware: reads a JSON request body strictly (UTF-8, then `parseStrictJson`) and hands the
 * parsed value to the route's validator, which then does not parse it again.
 */
export function strictJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (!JSON_MEDIA_TYPE.test(type) || c.req.method === "GET" || c.req.method === "HEAD") {
      return await next();
    }
    const bytes = await c.req.arrayBuffer();
    if (bytes.byteLength === 0) return await next();
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw malformed("the request body is not valid UTF-8: send JSON text encoded as UTF-8");
    }
    const value = parseStrictJson(text);
    // the validator reads `c.req.json()`: give it this value instead of a second parse
    c.req.json = (async () => value) as typeof c.req.json;
    await next();
  };
}
