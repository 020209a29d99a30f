/**
 * A secret's source on the wire and back: `SecretSource` (bytes) ⇄ the request's `source` (file
 * and directory contents as standard base64). The one place the format is built (Action, CLI) and
 * read (the broker).
 */
import { base64ToBytes, bytesToBase64 } from "../encoding.ts";
import type { SecretSource } from "../types.ts";
import type { FieldProblem } from "./problem.ts";
import type { WireSource } from "./secrets.ts";

/** The request's `source` for a SecretSource: contents base64-encoded, names and paths as they are. */
export function toWireSource(source: SecretSource): WireSource {
  switch (source.type) {
    case "inline":
      return { type: "inline", pairs: source.pairs };
    case "files":
      return {
        type: "files",
        files: source.files.map((f) => ({ name: f.name, content: bytesToBase64(f.content) })),
      };
    case "directory":
      return {
        type: "directory",
        name: source.name,
        entries: source.entries.map((e) => ({ path: e.path, content: bytesToBase64(e.content) })),
      };
  }
}

/**
 * The SecretSource of a validated request `source`, or the fields whose base64 does not decode
 * (`source.files.<i>.content`, `source.entries.<i>.content`).
 */
export function fromWireSource(
  source: WireSource,
): { source: SecretSource; problems: [] } | { source: null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const decode = (value: string, field: string): Uint8Array => {
    try {
      return base64ToBytes(value);
    } catch {
      problems.push({ field, message: "not valid base64" });
      return new Uint8Array();
    }
  };
  let out: SecretSource;
  switch (source.type) {
    case "inline":
      out = { type: "inline", pairs: source.pairs };
      break;
    case "files":
      out = {
        type: "files",
        files: source.files.map((f, i) => ({
          name: f.name,
          content: decode(f.content, `source.files.${i}.content`),
        })),
      };
      break;
    case "directory":
      out = {
        type: "directory",
        name: source.name,
        entries: source.entries.map((e, i) => ({
          path: e.path,
          content: decode(e.content, `source.entries.${i}.content`),
        })),
      };
      break;
  }
  return problems.length ? { source: null, problems } : { source: out, problems: [] };
}
