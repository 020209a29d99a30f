/**
 * The Konduktor secret format (../../shared/konduktor-format.md): names, labels, kinds, validation,
 * and building the Kubernetes Secret's data from inline pairs, files or a directory.
 *
 * Runtime-neutral (workerd, Node). Validation messages name the field and say how to fix it; they
 * may quote key names, basenames and sizes, never a value.
 */
import { type Zippable, zipSync } from "fflate";
import { base64DecodedLength, bytesToBase64, utf8 } from "./encoding.ts";
import { KonduktorError } from "./errors.ts";
import { type KubeSecret, SECRET_KINDS, type SecretKind, type SecretSource } from "./types.ts";

/** Label keys and values of a Konduktor secret. */
export const LABEL_PARENT = "parent";
export const PARENT_VALUE = "konduktor";
export const LABEL_OWNER = "trainy.ai/secret-owner";
export const LABEL_BASENAME = "trainy.ai/secret-basename";
export const LABEL_KIND = "trainy.ai/secret-kind";

/** The key of a git-ssh secret's only value. */
export const GIT_SSH_KEY = "gitkey";
/** The key of a directory secret's only value. */
export const DIRECTORY_KEY = "payload.zip";
/** Kubernetes' limit on the sum of a Secret's decoded values. */
export const MAX_SECRET_BYTES = 1_048_576;
export const MAX_BASENAME_LENGTH = 63;
export const MAX_KEY_LENGTH = 253;

const OWNER_RE = /^[0-9a-f]{8}$/;
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KEY_RE = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Fixed zip timestamp so the same directory always zips to the same bytes (0 writes when unchanged). */
const ZIP_MTIME = new Date(1980, 0, 1, 12, 0, 0);

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

export interface SecretInput {
  /** the owner hash: 8 lowercase hex characters */
  owner: string;
  /** the name the user typed (`konduktor secret create <basename>`) */
  basename: string;
  /** `default` when absent */
  kind?: SecretKind;
  source: SecretSource;
  /** the namespace of the target context; set on the built Secret when given */
  namespace?: string;
}

/** `<basename>-<owner>`, the Kubernetes name of a Konduktor secret. */
export function secretName(basename: string, owner: string): string {
  return `${basename}-${owner}`;
}

/** The four labels of a Konduktor secret. */
export function secretLabels(
  owner: string,
  basename: string,
  kind: SecretKind = "default",
): Record<string, string> {
  return {
    [LABEL_PARENT]: PARENT_VALUE,
    [LABEL_OWNER]: owner,
    [LABEL_BASENAME]: basename,
    [LABEL_KIND]: kind,
  };
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
        `${field} must be 8 lowercase hexadecimal characters (0-9, a-f), like "0a1b2c3d": use the hash in ~/.konduktor/user_hash or the owner your credential is bound to`,
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
    const field = `source.pairs[${JSON.stringify(key)}]`;
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
    const field = `source.files[${i}]`;
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
  if (entries.length === 0) {
    problems.push(
      new ValidationError(
        "source.entries",
        "source.entries is empty: the directory has no files; add at least one file",
      ),
    );
  }
  const root: Zippable = Object.create(null);
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const field = `source.entries[${i}].path`;
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
          `source.entries[${i}].content`,
          `source.entries[${i}].content must be bytes`,
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

function buildData(input: SecretInput, problems: ValidationError[]): Built {
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
 * Checks everything about an input and returns ALL problems (empty when it is valid), together
 * with the Secret when it is valid.
 */
export function checkSecretInput(input: SecretInput): {
  problems: ValidationError[];
  secret: KubeSecret | null;
} {
  const problems: ValidationError[] = [];
  if (!input || typeof input !== "object") {
    return {
      problems: [new ValidationError("input", "the secret input is missing")],
      secret: null,
    };
  }
  problems.push(...validateOwner(input.owner));
  problems.push(...validateBasename(input.basename));
  if (input.namespace !== undefined) problems.push(...validateNamespace(input.namespace));
  const kindOk = input.kind === undefined || isSecretKind(input.kind);
  if (!kindOk) {
    problems.push(
      new ValidationError(
        "kind",
        `kind must be one of ${SECRET_KINDS.join(", ")} (or left out for default)`,
      ),
    );
    return { problems, secret: null };
  }
  const { data } = buildData(input, problems);
  if (problems.length === 0) problems.push(...validateSize(data));
  if (problems.length > 0) return { problems, secret: null };
  const kind = input.kind ?? "default";
  const secret: KubeSecret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secretName(input.basename, input.owner),
      ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
      labels: secretLabels(input.owner, input.basename, kind),
    },
    type: "Opaque",
    data,
  };
  return { problems: [], secret };
}

/** Every problem with an input (empty when valid). */
export function validateSecretInput(input: SecretInput): ValidationError[] {
  return checkSecretInput(input).problems;
}

/**
 * Builds the Kubernetes Secret `konduktor secret create` would write. Throws a `ValidationError`
 * (whose `problems` lists every problem found) when the input is not valid.
 */
export function buildSecret(input: SecretInput): KubeSecret {
  const { problems, secret } = checkSecretInput(input);
  if (!secret) throw ValidationError.of(problems);
  return secret;
}

/** The Konduktor identity of a Secret read from a cluster, or null when it has no owner/basename labels. */
export function konduktorIdentity(
  secret: KubeSecret,
): { owner: string; basename: string; kind: SecretKind | "(none)" } | null {
  const labels = secret.metadata.labels ?? {};
  const owner = labels[LABEL_OWNER];
  const basename = labels[LABEL_BASENAME];
  if (!owner || !basename) return null;
  const kind = labels[LABEL_KIND];
  return { owner, basename, kind: isSecretKind(kind) ? kind : "(none)" };
}
