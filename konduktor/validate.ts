/**
 * Validation of the Konduktor secret format's inputs (docs/konduktor-format.md): owner, basename,
 * namespace, keys, sizes. Messages name the field and say how to fix it; they may quote key names,
 * basenames and sizes, never a value.
 */
import { base64DecodedLength } from "./encoding.ts";
import { KonduktorError } from "./errors.ts";
import { SECRET_KINDS, type SecretKind } from "./types.ts";

/** Kubernetes' limit on the sum of a Secret's decoded values. */
export const MAX_SECRET_BYTES = 1_048_576;
export const MAX_BASENAME_LENGTH = 63;
export const MAX_KEY_LENGTH = 253;
/** Kubernetes' limit on the sum of an object's annotation keys and values (256 KiB). */
export const MAX_ANNOTATION_BYTES = 262_144;
/**
 * Of that, what the key names may take in the managed-keys annotation (comma-separated): the
 * rest is left for the other annotations (provenance, digest, placement, anything a user adds).
 */
export const MAX_KEY_NAMES_BYTES = 196_608;

/** An owner: Konduktor's user hash. Konduktor accepts any 8 hexadecimal characters (upper case too) and uses them as given. */
export const OWNER_RE = /^[0-9a-fA-F]{8}$/;
/** A DNS label (RFC 1123): a basename, a namespace, a cluster name, an OIDC binding id. */
export const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KEY_RE = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** One problem with an input: which field, and how to fix it. Never holds a value. */
export class ValidationError extends KonduktorError {
  override readonly name = "ValidationError";
  declare readonly code: "invalid_input";
  readonly field: string;
  /** every problem found (this error alone when there is one) */
  readonly problems: readonly ValidationError[];

  constructor(field: string, message: string, problems?: readonly ValidationError[]) {
    super("invalid_input", message);
    this.field = field;
    this.problems = problems ?? [this];
  }

  /** One error for a list of problems: the problem itself when there is one, else a summary. */
  static of(problems: readonly ValidationError[]): ValidationError {
    if (problems.length === 1) return problems[0] as ValidationError;
    const fields = [...new Set(problems.map((p) => p.field))].join(", ");
    return new ValidationError(
      fields,
      `${problems.length} problems: ${problems.map((p) => p.message).join("; ")}`,
      problems,
    );
  }
}

/**
 * The one way a field is named in every problem (the broker's schema errors and the format's own):
 * dotted segments, a key that is not a plain name quoted in brackets, e.g. `source.files.0.name`,
 * `source.pairs.API_KEY`, `source.pairs["MY KEY"]`.
 */
export function fieldPath(segments: readonly (string | number | symbol)[]): string {
  return segments
    .map((s, i) =>
      typeof s === "number" || /^[A-Za-z_$][A-Za-z0-9_$]*$|^\d+$/.test(String(s))
        ? `${i === 0 ? "" : "."}${String(s)}`
        : `[${JSON.stringify(String(s))}]`,
    )
    .join("");
}

export function isSecretKind(value: unknown): value is SecretKind {
  return typeof value === "string" && (SECRET_KINDS as readonly string[]).includes(value);
}

/** Problems with an owner hash (empty when valid). */
export function validateOwner(owner: unknown, field = "owner"): ValidationError[] {
  if (typeof owner !== "string" || !OWNER_RE.test(owner)) {
    return [
      new ValidationError(
        field,
        `${field} must be 8 hexadecimal characters (0-9, a-f; upper case is kept as given), like "0a1b2c3d": use your KONDUKTOR_USER_ID, the hash in ~/.konduktor/user_hash, or the owner your credential is bound to`,
      ),
    ];
  }
  return [];
}

/** Problems with a basename (empty when valid). */
export function validateBasename(basename: unknown, field = "basename"): ValidationError[] {
  if (typeof basename !== "string" || basename.length === 0) {
    return [
      new ValidationError(field, `${field} is missing: give the secret a name, like "my-token"`),
    ];
  }
  if (basename.length > MAX_BASENAME_LENGTH) {
    return [
      new ValidationError(
        field,
        `${field} is ${basename.length} characters long; it is also a label value, so it may have at most ${MAX_BASENAME_LENGTH}: choose a shorter name`,
      ),
    ];
  }
  if (!DNS_LABEL_RE.test(basename)) {
    return [
      new ValidationError(
        field,
        `${field} must be a Kubernetes name: lowercase letters, digits and "-", starting and ending with a letter or digit (like "my-token")`,
      ),
    ];
  }
  return [];
}

/** Problems with a namespace name (empty when valid). */
export function validateNamespace(namespace: unknown, field = "namespace"): ValidationError[] {
  if (typeof namespace !== "string" || namespace.length > 63 || !DNS_LABEL_RE.test(namespace)) {
    return [
      new ValidationError(
        field,
        `${field} must be a Kubernetes namespace name: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
      ),
    ];
  }
  return [];
}

/** Whether a key can be an environment variable name (what kind env requires of every key). */
export function isEnvVarName(key: string): boolean {
  return ENV_NAME_RE.test(key);
}

/** Problems with one data key (empty when valid). Keys are names, not values, so they may be quoted. */
export function validateKey(key: string, kind: SecretKind, field: string): ValidationError[] {
  const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 57)}...` : key);
  if (key.length === 0) {
    return [
      new ValidationError(field, `${field}: a key must not be empty: give every value a name`),
    ];
  }
  if (key.length > MAX_KEY_LENGTH) {
    return [
      new ValidationError(
        field,
        `${field}: key ${shown} is ${key.length} characters long; Kubernetes allows at most ${MAX_KEY_LENGTH}: use a shorter key`,
      ),
    ];
  }
  if (!KEY_RE.test(key)) {
    return [
      new ValidationError(
        field,
        `${field}: key ${shown} may only contain letters, digits, "-", "_" and ".": rename it`,
      ),
    ];
  }
  if (key === "." || key === ".." || key.startsWith("..")) {
    return [
      new ValidationError(
        field,
        `${field}: key ${shown} must not be "." or start with "..": rename it`,
      ),
    ];
  }
  if (kind === "env" && !isEnvVarName(key)) {
    return [
      new ValidationError(
        field,
        `${field}: key ${shown} becomes an environment variable, so it must be a valid variable name: letters, digits and "_", not starting with a digit (like "API_TOKEN")`,
      ),
    ];
  }
  return [];
}

/** The base name of a path (the part after the last `/` or `\`). */
export function baseName(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, "");
  const cut = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
}

function formatBytes(n: number): string {
  return n.toLocaleString("en-US");
}

/** Sum of the decoded sizes of base64 `data` values. */
export function decodedSize(data: Record<string, string> | undefined): number {
  let total = 0;
  for (const value of Object.values(data ?? {})) total += base64DecodedLength(value);
  return total;
}

/** The size problem of built data, if any (also used on merged data by ops). */
export function validateSize(data: Record<string, string>, field = "source"): ValidationError[] {
  const size = decodedSize(data);
  if (size > MAX_SECRET_BYTES) {
    return [
      new ValidationError(
        field,
        `${field}: the values add up to ${formatBytes(size)} bytes; Kubernetes allows at most ${formatBytes(MAX_SECRET_BYTES)} bytes (1 MiB) per secret: leave out large files or split them across several secrets`,
      ),
    ];
  }
  return [];
}

/**
 * The key-names problem of built data, if any: the broker records the key names it wrote in one
 * annotation (`konduktor-broker/managed-keys`, comma-separated), and Kubernetes limits an
 * object's annotations to 256 KiB together.
 */
export function validateKeyNames(
  data: Record<string, string>,
  field = "source",
): ValidationError[] {
  const keys = Object.keys(data);
  const bytes = keys.reduce(
    (n, k) => n + new TextEncoder().encode(k).length,
    Math.max(0, keys.length - 1),
  );
  if (bytes > MAX_KEY_NAMES_BYTES) {
    return [
      new ValidationError(
        field,
        `${field}: the ${formatBytes(keys.length)} key names add up to ${formatBytes(bytes)} characters; the broker records them in an annotation and Kubernetes allows ${formatBytes(MAX_ANNOTATION_BYTES)} bytes of annotations per secret, so at most ${formatBytes(MAX_KEY_NAMES_BYTES)} characters of key names fit: use fewer or shorter keys, or split the secret`,
      ),
    ];
  }
  return [];
}
