#!/usr/bin/env node

// konduktor/encoding.ts
var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
var LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;
function bytesToBase64(bytes) {
  let out = "";
  let i = 0;
  const parts = [];
  for (; i + 2 < bytes.length; i += 3) {
    const n = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
    out += ALPHABET.charAt(n >> 18 & 63) + ALPHABET.charAt(n >> 12 & 63) + ALPHABET.charAt(n >> 6 & 63) + ALPHABET.charAt(n & 63);
    if (out.length >= 8192) {
      parts.push(out);
      out = "";
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += `${ALPHABET[n >> 18 & 63]}${ALPHABET[n >> 12 & 63]}==`;
  } else if (rest === 2) {
    const n = bytes[i] << 16 | bytes[i + 1] << 8;
    out += `${ALPHABET[n >> 18 & 63]}${ALPHABET[n >> 12 & 63]}${ALPHABET[n >> 6 & 63]}=`;
  }
  parts.push(out);
  return parts.join("");
}
var LOW4_ZERO = 15;
var LOW2_ZERO = 3;
function canonicalLength(text) {
  let end = text.length;
  let pad = 0;
  while (pad < 2 && end > 0 && text.charCodeAt(end - 1) === 61) {
    end--;
    pad++;
  }
  const rest = end % 4;
  if (rest === 1) return -1;
  if (pad > 0 && rest + pad !== 4) return -1;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || LOOKUP[c] < 0) return -1;
  }
  if (rest > 0) {
    const last = LOOKUP[text.charCodeAt(end - 1)];
    if ((last & (rest === 2 ? LOW4_ZERO : LOW2_ZERO)) !== 0) return -1;
  }
  return end;
}
function isBase64(text) {
  return canonicalLength(text) >= 0;
}
function base64ToBytes(text, options = {}) {
  const clean = options.ignoreLineBreaks ? text.replace(/[\r\n]+/g, "") : text;
  const end = canonicalLength(clean);
  if (end < 0) throw new Error("not valid base64: must be standard base64 (RFC 4648)");
  const out = new Uint8Array(Math.floor(end * 3 / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    buffer = (buffer << 6 | LOOKUP[clean.charCodeAt(i)]) & 16777215;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = buffer >> bits & 255;
    }
  }
  return out;
}
function base64DecodedLength(text) {
  const clean = text.replace(/\s+/g, "");
  let pad = 0;
  if (clean.endsWith("==")) pad = 2;
  else if (clean.endsWith("=")) pad = 1;
  const len = clean.length - pad;
  return Math.floor(len * 3 / 4);
}
var encoder = new TextEncoder();
function utf8(text) {
  return encoder.encode(text);
}
function toHex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

// konduktor/errors.ts
var KonduktorError = class extends Error {
  name = "KonduktorError";
  code;
  /** worth retrying with backoff (429, 5xx, network, timeout) */
  retryable;
  retryAfterSeconds;
  constructor(code, message, init = {}) {
    super(message, init.cause === void 0 ? void 0 : { cause: init.cause });
    this.code = code;
    this.retryable = init.retryable ?? false;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
};
function classifyError(error) {
  if (error instanceof KonduktorError) {
    return {
      code: error.code,
      message: error.message || error.code,
      retryable: error.retryable,
      ...error.retryAfterSeconds === void 0 ? {} : { retryAfterSeconds: error.retryAfterSeconds }
    };
  }
  return { code: "internal_error", message: "unexpected error", retryable: false };
}

// konduktor/types.ts
var SECRET_KINDS = ["default", "env", "git-ssh"];

// konduktor/validate.ts
var MAX_SECRET_BYTES = 1048576;
var MAX_BASENAME_LENGTH = 63;
var MAX_KEY_LENGTH = 253;
var MAX_ANNOTATION_BYTES = 262144;
var MAX_KEY_NAMES_BYTES = 196608;
var OWNER_RE = /^[0-9a-fA-F]{8}$/;
var DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
var KEY_RE = /^[-._a-zA-Z0-9]+$/;
var ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
var ValidationError = class _ValidationError extends KonduktorError {
  name = "ValidationError";
  field;
  /** every problem found (this error alone when there is one) */
  problems;
  constructor(field, message, problems) {
    super("invalid_input", message);
    this.field = field;
    this.problems = problems ?? [this];
  }
  /** One error for a list of problems: the problem itself when there is one, else a summary. */
  static of(problems) {
    if (problems.length === 1) return problems[0];
    const fields = [...new Set(problems.map((p) => p.field))].join(", ");
    return new _ValidationError(
      fields,
      `${problems.length} problems: ${problems.map((p) => p.message).join("; ")}`,
      problems
    );
  }
};
function fieldPath(segments) {
  return segments.map(
    (s, i) => typeof s === "number" || /^[A-Za-z_$][A-Za-z0-9_$]*$|^\d+$/.test(String(s)) ? `${i === 0 ? "" : "."}${String(s)}` : `[${JSON.stringify(String(s))}]`
  ).join("");
}
function isSecretKind(value) {
  return typeof value === "string" && SECRET_KINDS.includes(value);
}
function validateOwner(owner, field = "owner") {
  if (typeof owner !== "string" || !OWNER_RE.test(owner)) {
    return [
      new ValidationError(
        field,
        `${field} must be 8 hexadecimal characters (0-9, a-f; upper case is kept as given), like "0a1b2c3d": use your KONDUKTOR_USER_ID, the hash in ~/.konduktor/user_hash, or the owner your credential is bound to`
      )
    ];
  }
  return [];
}
function validateBasename(basename, field = "basename") {
  if (typeof basename !== "string" || basename.length === 0) {
    return [
      new ValidationError(field, `${field} is missing: give the secret a name, like "my-token"`)
    ];
  }
  if (basename.length > MAX_BASENAME_LENGTH) {
    return [
      new ValidationError(
        field,
        `${field} is ${basename.length} characters long; it is also a label value, so it may have at most ${MAX_BASENAME_LENGTH}: choose a shorter name`
      )
    ];
  }
  if (!DNS_LABEL_RE.test(basename)) {
    return [
      new ValidationError(
        field,
        `${field} must be a Kubernetes name: lowercase letters, digits and "-", starting and ending with a letter or digit (like "my-token")`
      )
    ];
  }
  return [];
}
function validateNamespace(namespace, field = "namespace") {
  if (typeof namespace !== "string" || namespace.length > 63 || !DNS_LABEL_RE.test(namespace)) {
    return [
      new ValidationError(
        field,
        `${field} must be a Kubernetes namespace name: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`
      )
    ];
  }
  return [];
}
function isEnvVarName(key) {
  return ENV_NAME_RE.test(key);
}
function validateKey(key, kind, field) {
  const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 57)}...` : key);
  if (key.length === 0) {
    return [
      new ValidationError(field, `${field}: a key must not be empty: give every value a name`)
    ];
  }
  if (key.length > MAX_KEY_LENGTH) {
    return [
      new ValidationError(
        field,
        `${field}: key ${shown} is ${key.length} characters long; Kubernetes allows at most ${MAX_KEY_LENGTH}: use a shorter key`
      )
    ];
  }
  if (!KEY_RE.test(key)) {
    return [
      new ValidationError(
        field,
        `${field}: key ${shown} may only contain letters, digits, "-", "_" and ".": rename it`
      )
    ];
  }
  if (key === "." || key === ".." || key.startsWith("..")) {
    return [
      new ValidationError(
        field,
        `${field}: key ${shown} must not be "." or start with "..": rename it`
      )
    ];
  }
  if (kind === "env" && !isEnvVarName(key)) {
    return [
      new ValidationError(
        field,
        `${field}: key ${shown} becomes an environment variable, so it must be a valid variable name: letters, digits and "_", not starting with a digit (like "API_TOKEN")`
      )
    ];
  }
  return [];
}
function baseName(path) {
  const trimmed = path.replace(/[/\\]+$/, "");
  const cut = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
}
function formatBytes(n) {
  return n.toLocaleString("en-US");
}
function decodedSize(data) {
  let total = 0;
  for (const value of Object.values(data ?? {})) total += base64DecodedLength(value);
  return total;
}
function validateSize(data, field = "source") {
  const size = decodedSize(data);
  if (size > MAX_SECRET_BYTES) {
    return [
      new ValidationError(
        field,
        `${field}: the values add up to ${formatBytes(size)} bytes; Kubernetes allows at most ${formatBytes(MAX_SECRET_BYTES)} bytes (1 MiB) per secret: leave out large files or split them across several secrets`
      )
    ];
  }
  return [];
}
function validateKeyNames(data, field = "source") {
  const keys = Object.keys(data);
  const bytes = keys.reduce(
    (n, k) => n + new TextEncoder().encode(k).length,
    Math.max(0, keys.length - 1)
  );
  if (bytes > MAX_KEY_NAMES_BYTES) {
    return [
      new ValidationError(
        field,
        `${field}: the ${formatBytes(keys.length)} key names add up to ${formatBytes(bytes)} characters; the broker records them in an annotation and Kubernetes allows ${formatBytes(MAX_ANNOTATION_BYTES)} bytes of annotations per secret, so at most ${formatBytes(MAX_KEY_NAMES_BYTES)} characters of key names fit: use fewer or shorter keys, or split the secret`
      )
    ];
  }
  return [];
}

// cli/errors.ts
var EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 };
var CliError = class extends Error {
  name = "CliError";
  exitCode;
  constructor(message, exitCode = EXIT.failed) {
    super(message);
    this.exitCode = exitCode;
  }
};
function usage(message) {
  return new CliError(message, EXIT.usage);
}
function exitFor(ok, failed) {
  if (failed === 0 && ok > 0) return EXIT.ok;
  if (ok === 0) return EXIT.failed;
  return EXIT.partial;
}
var EXIT_CODES_HELP = "Exit codes: 0 every cluster succeeded, 1 failed, 2 usage (wrong command line or input; nothing was sent to a cluster), 3 partial (some clusters failed: each is named).";
function epilogue(text) {
  return `${text}

${EXIT_CODES_HELP}`;
}

// konduktor/format.ts
var LABEL_PARENT = "parent";
var PARENT_VALUE = "konduktor";
var LABEL_OWNER = "trainy.ai/secret-owner";
var LABEL_BASENAME = "trainy.ai/secret-basename";
var LABEL_KIND = "trainy.ai/secret-kind";
function secretName(basename, owner) {
  return `${basename}-${owner.toLowerCase()}`;
}
function secretLabels(owner, basename, kind = "default") {
  return {
    [LABEL_PARENT]: PARENT_VALUE,
    [LABEL_OWNER]: owner,
    [LABEL_BASENAME]: basename,
    [LABEL_KIND]: kind
  };
}
var ANNOTATION_MANAGED_KEYS = "konduktor-broker/managed-keys";
var ANNOTATION_UPDATED_BY = "konduktor-broker/updated-by";
var ANNOTATION_UPDATED_VIA = "konduktor-broker/updated-via";
var ANNOTATION_UPDATED_AT = "konduktor-broker/updated-at";
var ANNOTATION_PLACEMENT = "konduktor-broker/placement";
var ANNOTATION_VERSION = "konduktor-broker/version";
var ANNOTATION_SIGNATURE = "konduktor-broker/signature";
var LEGACY_ANNOTATION_CONTENT_DIGEST = "konduktor-broker/content-digest";
function parsePlacement(raw) {
  const names2 = (raw ?? "").split(",").map((n) => n.trim()).filter((n) => n.length > 0);
  if (names2.length === 0 || names2.includes("all")) return "all";
  return [...new Set(names2)].sort();
}
function formatPlacement(placement) {
  return placement === "all" ? "all" : [...new Set(placement)].sort().join(",");
}
var DIGEST_PREFIX = "hmac-sha256";
async function hmacHex(key, bytes) {
  const mac = await crypto.subtle.sign("HMAC", key, bytes);
  return toHex(new Uint8Array(mac));
}
async function digestValues(keys, owner, basename, data) {
  const names2 = Object.keys(data ?? {}).sort();
  const digests = {};
  for (const key of names2) {
    const label = utf8(JSON.stringify(["value", owner, basename, key]));
    const value = base64ToBytes(data[key] ?? "");
    const input = new Uint8Array(label.length + 1 + value.length);
    input.set(label, 0);
    input.set(value, label.length + 1);
    const hex = await hmacHex(keys.digest, input);
    digests[key] = `${DIGEST_PREFIX}:${keys.keyId}:${hex}`;
  }
  return await digestsOf(keys, owner, basename, digests);
}
async function digestsOf(keys, owner, basename, digests) {
  const prefix = `${DIGEST_PREFIX}:${keys.keyId}:`;
  const pairs = [];
  for (const key of Object.keys(digests).sort()) {
    const digest = digests[key];
    if (!digest.startsWith(prefix)) return null;
    pairs.push([key, digest.slice(prefix.length)]);
  }
  const content = await macHex(
    keys.digest,
    JSON.stringify(["content", owner, basename, pairs]),
    toHex
  );
  const sorted = Object.fromEntries(pairs.map(([k, hex]) => [k, `${prefix}${hex}`]));
  return { keyId: keys.keyId, digests: sorted, contentDigest: `${prefix}${content}` };
}
function sealString(f) {
  const fields = [f.owner, f.basename, f.kind, f.version, f.contentDigest, f.placement];
  return JSON.stringify(["copy/v1", ...fields]);
}
var recentMacs = /* @__PURE__ */ new WeakMap();
var RECENT_MACS = 1024;
function macHex(key, text, encode) {
  let recent = recentMacs.get(key);
  if (!recent) {
    recent = /* @__PURE__ */ new Map();
    recentMacs.set(key, recent);
  }
  const kept = recent.get(text);
  if (kept) return kept;
  if (recent.size >= RECENT_MACS) recent.clear();
  const mac = crypto.subtle.sign("HMAC", key, utf8(text)).then((m) => encode(new Uint8Array(m)));
  recent.set(text, mac);
  mac.catch(() => {
    if (recent.get(text) === mac) recent.delete(text);
  });
  return mac;
}
async function macOf(keys, f) {
  return await macHex(
    keys.mac,
    sealString(f),
    (mac) => bytesToBase64(mac).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
  );
}
async function sealAnnotations(keys, fields) {
  return {
    [ANNOTATION_VERSION]: String(fields.version),
    [ANNOTATION_PLACEMENT]: fields.placement,
    [ANNOTATION_SIGNATURE]: `v1:${keys.keyId}:${await macOf(keys, fields)}`
  };
}
var SIGNATURE_RE = /^v1:([A-Za-z0-9._-]{1,32}):([A-Za-z0-9_-]{43})$/;
var VERSION_RE = /^[1-9][0-9]{0,14}$/;
async function checkSeal(keyring, secret, known) {
  const a = secret.metadata.annotations ?? {};
  const raw = a[ANNOTATION_SIGNATURE];
  if (raw === void 0) return { state: "none" };
  const m = SIGNATURE_RE.exec(raw);
  const versionText = a[ANNOTATION_VERSION] ?? "";
  if (!m || !VERSION_RE.test(versionText)) {
    return { state: "invalid", reason: "the signature or version annotation is malformed" };
  }
  const keyId = m[1];
  const keys = keyring.byId(keyId);
  if (!keys) return { state: "invalid", reason: `signed with key "${keyId}", not configured` };
  const labels = secret.metadata.labels ?? {};
  const owner = labels[LABEL_OWNER] ?? "";
  const basename = labels[LABEL_BASENAME] ?? "";
  const content = known && known.keyId === keyId ? known.contentDigest : (await digestValues(keys, owner, basename, secret.data)).contentDigest;
  const fields = {
    owner,
    basename,
    kind: labels[LABEL_KIND] ?? "",
    version: Number(versionText),
    contentDigest: content,
    placement: a[ANNOTATION_PLACEMENT] ?? ""
  };
  const mac = base64ToBytes(`${m[2].replace(/-/g, "+").replace(/_/g, "/")}=`);
  const ok = await crypto.subtle.verify(
    "HMAC",
    keys.mac,
    mac,
    utf8(sealString(fields))
  );
  if (!ok) {
    return {
      state: "invalid",
      reason: "the content, a label, the version or the placement changed after the broker wrote it"
    };
  }
  return { state: "valid", version: fields.version, keyId, placement: fields.placement };
}

// konduktor/build-data.ts
import { zipSync } from "fflate";

// konduktor/directory-limits.ts
var DIRECTORY_LIMITS = {
  /** files in one directory secret (zipping costs CPU per file) */
  entries: 1e3,
  /** characters of one relative path */
  pathLength: 1024,
  /** folders + file name of one path */
  depth: 32,
  /** characters of one path segment (a file system's NAME_MAX) */
  segmentLength: 255,
  /** uncompressed bytes of all files together */
  contentBytes: 32 * 1048576
};
var DIRECTORY_SKIPPED_FILES = [".DS_Store"];
function formatBytes2(n) {
  return n.toLocaleString("en-US");
}
function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) n += 1;
    else if (c < 2048) n += 2;
    else if (c >= 55296 && c <= 56319) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
var ZIP_ENTRY_OVERHEAD = 76;
var ZIP_END_RECORD = 22;
var MAX_ENTRY_PROBLEMS = 20;
function directoryLimitProblems(top, entries) {
  const L = DIRECTORY_LIMITS;
  if (entries.length > L.entries) {
    return [
      new ValidationError(
        "source.entries",
        `source.entries has ${formatBytes2(entries.length)} files; a directory secret holds at most ${formatBytes2(L.entries)}: zip fewer files, or split the directory into several secrets`
      )
    ];
  }
  const problems = [];
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
          `${field} is ${formatBytes2(path.length)} characters long; a path may have at most ${formatBytes2(L.pathLength)}: shorten it`
        )
      );
      continue;
    }
    let depth = 1;
    let segment = 0;
    let longest = 0;
    for (let k = 0; k < path.length; k++) {
      const ch = path.charCodeAt(k);
      if (ch === 47 || ch === 92) {
        depth++;
        segment = 0;
      } else if (++segment > longest) longest = segment;
    }
    if (depth > L.depth) {
      problems.push(
        new ValidationError(
          field,
          `${field} is ${formatBytes2(depth)} levels deep; a path may have at most ${L.depth} (folders and the file name): flatten the directory`
        )
      );
      continue;
    }
    if (longest > L.segmentLength) {
      problems.push(
        new ValidationError(
          field,
          `${field} has a file or folder name of ${formatBytes2(longest)} characters; at most ${L.segmentLength} are allowed: rename it`
        )
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
        `source.entries: stopped after ${MAX_ENTRY_PROBLEMS} problems; fix those and send it again`
      )
    );
  }
  if (problems.length > 0) return problems;
  if (headerBytes > MAX_SECRET_BYTES) {
    return [
      new ValidationError(
        "source.entries",
        `source.entries: the zip's file headers alone would take ${formatBytes2(headerBytes)} bytes; Kubernetes allows at most ${formatBytes2(MAX_SECRET_BYTES)} bytes (1 MiB) per secret: zip fewer files or shorter paths`
      )
    ];
  }
  if (contentBytes > L.contentBytes) {
    return [
      new ValidationError(
        "source.entries",
        `source.entries: the files add up to ${formatBytes2(contentBytes)} bytes before compression; at most ${formatBytes2(L.contentBytes)} are zipped (and the zip must fit in 1 MiB): leave out large files`
      )
    ];
  }
  return [];
}

// konduktor/build-data.ts
var GIT_SSH_KEY = "gitkey";
var DIRECTORY_KEY = "payload.zip";
var ZIP_MTIME = new Date(1980, 0, 1, 12, 0, 0);
function buildInline(pairs, kind, problems) {
  const data = {};
  const keys = pairs && typeof pairs === "object" ? Object.keys(pairs) : [];
  if (keys.length === 0) {
    problems.push(
      new ValidationError(
        "source.pairs",
        "source.pairs is empty: give at least one KEY=VALUE pair"
      )
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
function buildFiles(files, kind, problems) {
  const data = {};
  if (!Array.isArray(files) || files.length === 0) {
    problems.push(
      new ValidationError("source.files", "source.files is empty: give at least one file")
    );
    return data;
  }
  if (kind === "git-ssh" && files.length !== 1) {
    problems.push(
      new ValidationError(
        "source.files",
        `a git-ssh secret holds exactly one file (the private key), but ${files.length} were given: give one file`
      )
    );
    return data;
  }
  const seen = /* @__PURE__ */ new Map();
  files.forEach((file, i) => {
    const field = fieldPath(["source", "files", i]);
    if (!(file?.content instanceof Uint8Array)) {
      problems.push(new ValidationError(`${field}.content`, `${field}.content must be bytes`));
      return;
    }
    const key = kind === "git-ssh" ? GIT_SSH_KEY : baseName(typeof file.name === "string" ? file.name : "");
    if (kind !== "git-ssh") {
      const found = validateKey(key, kind, `${field}.name`);
      if (key.length === 0) {
        problems.push(
          new ValidationError(
            `${field}.name`,
            `${field}.name is empty: every file needs a name, which becomes its key`
          )
        );
        return;
      }
      if (found.length > 0) {
        problems.push(...found);
        return;
      }
      const earlier = seen.get(key);
      if (earlier !== void 0) {
        problems.push(
          new ValidationError(
            `${field}.name`,
            `${field}.name: files ${earlier} and ${i} both have the base name ${JSON.stringify(key)}, and a file's base name is its key: rename one of them or put them in separate secrets`
          )
        );
        return;
      }
      seen.set(key, i);
    }
    data[key] = bytesToBase64(file.content);
  });
  return data;
}
function buildDirectory(source, problems) {
  const top = baseName(typeof source.name === "string" ? source.name : "");
  if (top.length === 0 || top === "." || top === "..") {
    problems.push(
      new ValidationError(
        "source.name",
        `source.name must be the directory's own name (like "configs"): it becomes the zip's top folder`
      )
    );
  }
  const entries = Array.isArray(source.entries) ? source.entries : [];
  const limits = directoryLimitProblems(top, entries);
  if (limits.length > 0) {
    problems.push(...limits);
    return {};
  }
  const skipped = new Set(
    entries.filter(
      (entry) => typeof entry?.path === "string" && DIRECTORY_SKIPPED_FILES.includes(baseName(entry.path))
    )
  );
  if (skipped.size === entries.length) {
    problems.push(
      new ValidationError(
        "source.entries",
        entries.length === 0 ? "source.entries is empty: the directory has no files; add at least one file" : `source.entries holds only ${DIRECTORY_SKIPPED_FILES.join(", ")} files, which are left out of the zip as Konduktor does: add at least one other file`
      )
    );
  }
  const root = /* @__PURE__ */ Object.create(null);
  const seen = /* @__PURE__ */ new Map();
  entries.forEach((entry, i) => {
    if (skipped.has(entry)) return;
    const field = fieldPath(["source", "entries", i, "path"]);
    const path = typeof entry?.path === "string" ? entry.path.replace(/\\/g, "/") : "";
    const segments = path.split("/");
    if (path.length === 0 || path.startsWith("/") || segments.some((s) => s === "" || s === "." || s === "..")) {
      problems.push(
        new ValidationError(
          field,
          `${field} must be a relative path inside the directory, like "sub/file.txt" (no leading "/", no "." or ".." parts)`
        )
      );
      return;
    }
    if (!(entry.content instanceof Uint8Array)) {
      problems.push(
        new ValidationError(
          fieldPath(["source", "entries", i, "content"]),
          `${fieldPath(["source", "entries", i, "content"])} must be bytes`
        )
      );
      return;
    }
    const earlier = seen.get(path);
    if (earlier !== void 0) {
      problems.push(
        new ValidationError(
          field,
          `${field}: entries ${earlier} and ${i} have the same path: give each file once`
        )
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
            `${field}: a file and a folder have the same path: rename one`
          )
        );
        return;
      }
      if (!next) node[segment] = /* @__PURE__ */ Object.create(null);
      node = node[segment];
    }
    const leaf = segments[segments.length - 1];
    if (node[leaf] && !(node[leaf] instanceof Uint8Array)) {
      problems.push(
        new ValidationError(field, `${field}: a file and a folder have the same path: rename one`)
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
function sortTree(node) {
  const out = /* @__PURE__ */ Object.create(null);
  for (const key of Object.keys(node).sort()) {
    const value = node[key];
    out[key] = value instanceof Uint8Array ? value : sortTree(value);
  }
  return out;
}
function buildData(input, problems) {
  const kind = input.kind ?? "default";
  const source = input.source;
  if (!source || typeof source !== "object") {
    problems.push(
      new ValidationError(
        "source",
        'source is missing: give inline pairs, files or a directory (source.type "inline", "files" or "directory")'
      )
    );
    return { problems, data: {} };
  }
  if (kind === "git-ssh" && source.type !== "files") {
    problems.push(
      new ValidationError(
        "source.type",
        'a git-ssh secret can only be created from a file (the private key): use source.type "files" with one file'
      )
    );
    return { problems, data: {} };
  }
  if (kind === "env" && source.type !== "inline") {
    problems.push(
      new ValidationError(
        "source.type",
        'an env secret can only be created from inline KEY=VALUE pairs: use source.type "inline", or kind "default" for files'
      )
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
        new ValidationError("source.type", 'source.type must be "inline", "files" or "directory"')
      );
      return { problems, data: {} };
  }
}

// konduktor/secret.ts
function checkSecretInput(input) {
  const problems = [];
  if (!input || typeof input !== "object") {
    return {
      problems: [new ValidationError("input", "the secret input is missing")],
      secret: null
    };
  }
  problems.push(...validateOwner(input.owner));
  problems.push(...validateBasename(input.basename));
  if (input.namespace !== void 0) problems.push(...validateNamespace(input.namespace));
  const kindOk = input.kind === void 0 || isSecretKind(input.kind);
  if (!kindOk) {
    problems.push(
      new ValidationError(
        "kind",
        `kind must be one of ${SECRET_KINDS.join(", ")} (or left out for default)`
      )
    );
    return { problems, secret: null };
  }
  const { data } = buildData(input, problems);
  if (problems.length === 0) problems.push(...validateSize(data), ...validateKeyNames(data));
  if (problems.length > 0) return { problems, secret: null };
  const kind = input.kind ?? "default";
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secretName(input.basename, input.owner),
      ...input.namespace === void 0 ? {} : { namespace: input.namespace },
      labels: secretLabels(input.owner, input.basename, kind)
    },
    type: "Opaque",
    data
  };
  return { problems: [], secret };
}
function konduktorIdentity(secret) {
  const labels = secret.metadata.labels ?? {};
  const owner = labels[LABEL_OWNER];
  const basename = labels[LABEL_BASENAME];
  if (!owner || !basename) return null;
  const kind = labels[LABEL_KIND];
  return { owner, basename, kind: isSecretKind(kind) ? kind : "(none)" };
}

// konduktor/kube/kubeconfig.ts
import { parse, parseDocument } from "yaml";

// konduktor/kube/server-address.ts
function isLoopbackHost(hostname) {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}
function ipv4Of(host) {
  const dotted = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (dotted) return dotted.slice(1).map(Number);
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(host);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255];
  }
  return null;
}
var METADATA_HOSTS = /* @__PURE__ */ new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "[fd00:ec2::254]",
  "[fd20:ce::254]"
]);
function refusedServerHost(hostname, privateAddresses) {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (METADATA_HOSTS.has(host) || /^\[fe[89ab][0-9a-f]?:/.test(host)) return "metadata";
  const ip = ipv4Of(host);
  if (ip && ip[0] === 169 && ip[1] === 254) return "metadata";
  if (ip && ip.join(".") === "100.100.100.200") return "metadata";
  if (privateAddresses === "allow") return null;
  if (host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || host === "[::]") {
    return "private";
  }
  if (/^\[f[cd][0-9a-f]{0,2}:/.test(host)) return "private";
  if (ip) {
    const [a = 0, b = 0] = ip;
    if (a === 10 || a === 127 || a === 0 || a === 172 && b >= 16 && b <= 31 || a === 192 && b === 168 || a === 100 && b >= 64 && b <= 127) {
      return "private";
    }
  }
  return null;
}
function checkServer(raw, field, options, fail) {
  if (!raw) fail(`${field} is missing: give the API server's https:// URL`);
  let url;
  try {
    url = new URL(raw);
  } catch {
    return fail(`${field} is not a URL: give the API server's https:// URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    fail(`${field} must be an https:// URL`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && options.runtime === "edge") {
    fail(
      `${field} is plain http:// to a host that is not this machine, which would send the credentials unencrypted: use the API server's https:// URL (http:// is allowed only for localhost, 127.0.0.0/8 and ::1)`
    );
  }
  if (url.username || url.password) {
    fail(`${field} must not contain a user name or password: put credentials in the user entry`);
  }
  if (raw.includes("?") || raw.includes("#")) {
    fail(
      `${field} must not have a query or fragment ("?" or "#"): give the API server's URL, like https://10.0.0.1:6443`
    );
  }
  if (options.remote && url.pathname !== "/") {
    fail(
      `${field} has a path (${url.pathname.length} characters after the host); the broker sends its requests to the API server itself: give its URL without a path, like https://10.0.0.1:6443 (behind Rancher: the cluster's authorized endpoint)`
    );
  }
  const refused = refusedServerHost(url.hostname, options.privateAddresses);
  if (refused === "metadata") {
    fail(
      `${field} is a link-local or cloud metadata address (${url.hostname}), never a Kubernetes API server: give the API server's URL`
    );
  }
  if (refused === "private") {
    fail(
      `${field} is a private or loopback address (${url.hostname}), and this broker reaches public API servers only (setting CLUSTER_PRIVATE_ADDRESSES=refuse): give the API server's public URL, or ask the broker's operator`
    );
  }
  return url.href.replace(/\/+$/, "");
}

// konduktor/kube/kubeconfig.ts
var KubeconfigError = class extends KonduktorError {
  name = "KubeconfigError";
  /** the kubeconfig field at fault, e.g. `users[ci].user.exec` */
  field;
  constructor(field, message) {
    super("invalid_kubeconfig", message);
    this.field = field;
  }
};
function isObj(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
function str(value) {
  return typeof value === "string" && value.length > 0 ? value : void 0;
}
function named(list, listName, name) {
  if (!Array.isArray(list)) return void 0;
  for (const item of list) {
    if (isObj(item) && item.name === name) {
      const inner = item[listName];
      return isObj(inner) ? inner : {};
    }
  }
  return void 0;
}
function referenced(doc, kind, name, contextName) {
  const entry = named(doc[`${kind}s`], kind, name);
  if (!entry) {
    throw new KubeconfigError(
      `${kind}s`,
      `${kind} "${name}" (used by context "${contextName}") is not in the kubeconfig's ${kind}s: add it or fix the context`
    );
  }
  return entry;
}
function names(list) {
  if (!Array.isArray(list)) return [];
  return list.flatMap((i) => isObj(i) && typeof i.name === "string" ? [i.name] : []);
}
var FLATTEN = "embed it with `kubectl config view --raw --minify --flatten --context <name>`";
function decodePem(value, field, what) {
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      base64ToBytes(value, { ignoreLineBreaks: true })
    );
  } catch {
    throw new KubeconfigError(field, `${field} is not base64-encoded PEM: ${FLATTEN}`);
  }
  if (!text.includes("-----BEGIN ")) {
    throw new KubeconfigError(
      field,
      `${field} does not decode to a PEM ${what} (no "-----BEGIN" line): ${FLATTEN}`
    );
  }
  return text;
}
function hostFile(field) {
  return new KubeconfigError(
    field,
    `${field} names a file on the broker's host, which the broker does not read for a registered kubeconfig: embed the content instead (${FLATTEN})`
  );
}
function parseKubeconfig(text, options = {}) {
  const runtime = options.runtime ?? "node";
  const remote = options.origin === "remote";
  const notYaml = (line) => new KubeconfigError(
    "kubeconfig",
    `the kubeconfig is not valid YAML${line ? ` (near line ${line})` : ""}: check its indentation and quoting`
  );
  const parsed = parseDocument(text);
  if (parsed.errors.length > 0) throw notYaml(parsed.errors[0]?.linePos?.[0]?.line);
  let doc;
  try {
    doc = parsed.toJS();
  } catch {
    throw notYaml(void 0);
  }
  if (!isObj(doc)) {
    throw new KubeconfigError(
      "kubeconfig",
      "the kubeconfig is empty or not a YAML mapping: give the whole file (apiVersion, clusters, users, contexts)"
    );
  }
  const contextName = options.context ?? str(doc["current-context"]);
  if (!contextName) {
    throw new KubeconfigError(
      "current-context",
      `current-context is not set and no context was given: set it (\`kubectl config use-context <name>\`) or name a context (available: ${names(doc.contexts).join(", ") || "none"})`
    );
  }
  const context = named(doc.contexts, "context", contextName);
  if (!context) {
    throw new KubeconfigError(
      "contexts",
      `context "${contextName}" is not in the kubeconfig (available: ${names(doc.contexts).join(", ") || "none"}): pick one of those`
    );
  }
  const ctxField = `contexts[${contextName}].context`;
  const clusterName = str(context.cluster);
  if (!clusterName) {
    throw new KubeconfigError(
      `${ctxField}.cluster`,
      `${ctxField}.cluster is missing: name a cluster of the kubeconfig`
    );
  }
  const userName = str(context.user) ?? "";
  const namespace = str(context.namespace) ?? "default";
  const badNamespace = validateNamespace(namespace, `${ctxField}.namespace`)[0];
  if (badNamespace) throw new KubeconfigError(badNamespace.field, badNamespace.message);
  const cluster = referenced(doc, "cluster", clusterName, contextName);
  const cField = `clusters[${clusterName}].cluster`;
  const server = checkServer(
    str(cluster.server),
    `${cField}.server`,
    { runtime, remote, privateAddresses: options.privateAddresses ?? "allow" },
    (message) => {
      throw new KubeconfigError(`${cField}.server`, message);
    }
  );
  const out = {
    contextName,
    clusterName,
    userName,
    server,
    namespace,
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    files: {}
  };
  const caData = str(cluster["certificate-authority-data"]);
  if (caData) out.caPem = decodePem(caData, `${cField}.certificate-authority-data`, "certificate");
  const caFile = str(cluster["certificate-authority"]);
  if (caFile && !caData) {
    if (remote && runtime !== "edge") throw hostFile(`${cField}.certificate-authority`);
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${cField}.certificate-authority`,
        `${cField}.certificate-authority is a file path, and the edge runtime has no filesystem: use certificate-authority-data instead (${FLATTEN})`
      );
    }
    out.files.certificateAuthority = caFile;
  }
  if (out.insecureSkipTlsVerify && runtime === "edge") {
    throw new KubeconfigError(
      `${cField}.insecure-skip-tls-verify`,
      `${cField}.insecure-skip-tls-verify cannot be honoured on the edge runtime (fetch always verifies TLS): give the cluster's CA in certificate-authority-data or use a publicly trusted certificate`
    );
  }
  const tlsServerName = str(cluster["tls-server-name"]);
  if (tlsServerName) {
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${cField}.tls-server-name`,
        `${cField}.tls-server-name cannot be honoured on the edge runtime: use a server URL whose host name matches the certificate`
      );
    }
    out.tlsServerName = tlsServerName;
  }
  const proxyUrl = str(cluster["proxy-url"]);
  if (proxyUrl) {
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${cField}.proxy-url`,
        `${cField}.proxy-url cannot be used on the edge runtime: reach the API server directly (or through a tunnel)`
      );
    }
    out.proxyUrl = proxyUrl;
  }
  if (!userName) return out;
  const user = referenced(doc, "user", userName, contextName);
  const uField = `users[${userName}].user`;
  if (remote && runtime !== "edge") {
    for (const [key, what] of [
      ["exec", "runs a program"],
      ["auth-provider", "runs an auth provider"]
    ]) {
      if (user[key] !== void 0 && user[key] !== null) {
        throw new KubeconfigError(
          `${uField}.${key}`,
          `${uField}.${key} ${what} on the broker's host, which the broker does not do for a registered kubeconfig: use a ServiceAccount token in ${uField}.token (\`npm run register-cluster -- --service-account\` makes one)`
        );
      }
    }
  }
  if (user.exec !== void 0 && user.exec !== null) {
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${uField}.exec`,
        `${uField}.exec runs a program to get credentials, which the edge runtime cannot do: use a ServiceAccount token (\`kubectl create token <sa>\`) in ${uField}.token`
      );
    }
    out.needsClientNode = "exec";
  }
  if (user["auth-provider"] !== void 0 && user["auth-provider"] !== null) {
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${uField}.auth-provider`,
        `${uField}.auth-provider is not supported on the edge runtime: use a ServiceAccount token in ${uField}.token`
      );
    }
    out.needsClientNode = "auth-provider";
  }
  if (str(user.username) || str(user.password)) {
    throw new KubeconfigError(
      `${uField}.username`,
      `${uField}.username/password (basic auth) was removed from Kubernetes: use a token or a client certificate`
    );
  }
  const token = str(user.token);
  if (token) out.token = token.trim();
  const tokenFile = str(user.tokenFile) ?? str(user["token-file"]);
  if (tokenFile && !token) {
    if (remote && runtime !== "edge") throw hostFile(`${uField}.tokenFile`);
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${uField}.tokenFile`,
        `${uField}.tokenFile is a file path, and the edge runtime has no filesystem: put the token itself in ${uField}.token`
      );
    }
    out.files.tokenFile = tokenFile;
  }
  const certData = str(user["client-certificate-data"]);
  const keyData = str(user["client-key-data"]);
  const certFile = str(user["client-certificate"]);
  const keyFile = str(user["client-key"]);
  if (remote && runtime !== "edge" && (certFile || keyFile)) {
    throw hostFile(`${uField}.${certFile ? "client-certificate" : "client-key"}`);
  }
  if (certData || keyData || certFile || keyFile) {
    if (runtime === "edge") {
      const field = certData || keyData ? `${uField}.client-certificate-data` : `${uField}.client-certificate`;
      throw new KubeconfigError(
        field,
        `${field}: the edge runtime's fetch cannot present a client certificate: use a ServiceAccount token in ${uField}.token, or run on Node`
      );
    }
    if ((certData || certFile) && !(keyData || keyFile)) {
      throw new KubeconfigError(
        `${uField}.client-key-data`,
        `${uField} has a client certificate but no client-key-data: add the certificate's private key`
      );
    }
    if ((keyData || keyFile) && !(certData || certFile)) {
      throw new KubeconfigError(
        `${uField}.client-certificate-data`,
        `${uField} has a client key but no client-certificate-data: add the certificate`
      );
    }
    if (certData && keyData) {
      out.clientCert = {
        certPem: decodePem(certData, `${uField}.client-certificate-data`, "certificate"),
        keyPem: decodePem(keyData, `${uField}.client-key-data`, "private key")
      };
    } else {
      if (certData) {
        out.clientCert = {
          certPem: decodePem(certData, `${uField}.client-certificate-data`, "certificate"),
          keyPem: ""
        };
      }
      if (certFile) out.files.clientCertificate = certFile;
      if (keyFile) out.files.clientKey = keyFile;
      if (keyData) {
        out.clientCert = {
          certPem: out.clientCert?.certPem ?? "",
          keyPem: decodePem(keyData, `${uField}.client-key-data`, "private key")
        };
      }
    }
  }
  return out;
}
function kubeconfigContexts(text) {
  try {
    const doc = parse(text);
    if (!isObj(doc)) return { names: [], current: null };
    return { names: names(doc.contexts), current: str(doc["current-context"]) ?? null };
  } catch {
    return { names: [], current: null };
  }
}

// cli/kubeconfig-files.ts
import { existsSync as existsSync2, readFileSync as readFileSync2 } from "node:fs";
import { homedir as homedir2 } from "node:os";
import { delimiter, dirname, isAbsolute, resolve } from "node:path";
import { parse as parse3, stringify as stringify2 } from "yaml";

// konduktor/kube/konduktor-config.ts
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

// konduktor/kube/kubeconfig-context.ts
import { parse as parse2 } from "yaml";
function konduktorAllowedContexts(configYaml) {
  if (!configYaml) return [];
  try {
    const doc = parse2(configYaml);
    const list = doc?.kubernetes?.allowed_contexts;
    return Array.isArray(list) ? list.filter((c) => typeof c === "string" && !!c) : [];
  } catch {
    return [];
  }
}
function chooseContext(kubeconfigYaml, options = {}) {
  if (options.context) return { context: options.context, reason: "given" };
  const { names: names2, current } = kubeconfigContexts(kubeconfigYaml);
  const first = options.allowedContexts?.[0];
  if (first) {
    if (!names2.includes(first)) {
      throw new KubeconfigError(
        "contexts",
        `Konduktor's config names "${first}" first in kubernetes.allowed_contexts, which is not a context of the kubeconfig (available: ${names2.join(", ") || "none"}): fix the config or name a context`
      );
    }
    return { context: first, reason: "allowed_contexts" };
  }
  if (!current) {
    throw new KubeconfigError(
      "current-context",
      `current-context is not set and no context was given: set it (\`kubectl config use-context <name>\`) or name a context (available: ${names2.join(", ") || "none"})`
    );
  }
  return { context: current, reason: "current-context" };
}

// konduktor/kube/konduktor-config.ts
function readKonduktorConfig(home = process.env.HOME || homedir()) {
  const path = join(home, ".konduktor", "config.yaml");
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}
function allowedContextsIn(home) {
  return konduktorAllowedContexts(readKonduktorConfig(home));
}

// konduktor/kube/kubeconfig-merge.ts
import { parseDocument as parseDocument2, stringify } from "yaml";
var MAX_KUBECONFIG_FILES = 32;
var isObj2 = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
function resolveFields(entry, keys, file, resolvePath) {
  if (!isObj2(entry)) return;
  for (const key of keys) {
    const value = entry[key];
    if (typeof value === "string" && value !== "") entry[key] = resolvePath(file, value);
  }
}
function absolutize(doc, file, resolvePath) {
  for (const c of Array.isArray(doc.clusters) ? doc.clusters : []) {
    if (isObj2(c)) resolveFields(c.cluster, ["certificate-authority"], file, resolvePath);
  }
  for (const u of Array.isArray(doc.users) ? doc.users : []) {
    if (!isObj2(u)) continue;
    resolveFields(
      u.user,
      ["client-certificate", "client-key", "tokenFile", "token-file"],
      file,
      resolvePath
    );
    const exec = isObj2(u.user) ? u.user.exec : void 0;
    if (isObj2(exec) && typeof exec.command === "string" && /[/\\]/.test(exec.command)) {
      exec.command = resolvePath(file, exec.command);
    }
  }
}
function mergeKubeconfigFiles(files, resolvePath) {
  if (files.length > MAX_KUBECONFIG_FILES) {
    throw new KubeconfigError(
      "KUBECONFIG",
      `KUBECONFIG lists ${files.length} files; at most ${MAX_KUBECONFIG_FILES} are read: list only the kubeconfigs this step needs`
    );
  }
  const merged = { apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [] };
  const seen = {
    clusters: /* @__PURE__ */ new Set(),
    users: /* @__PURE__ */ new Set(),
    contexts: /* @__PURE__ */ new Set()
  };
  for (const file of files) {
    if (file.text.trim() === "") continue;
    const parsed = parseDocument2(file.text);
    if (parsed.errors.length > 0) {
      const line = parsed.errors[0]?.linePos?.[0]?.line;
      throw new KubeconfigError(
        "KUBECONFIG",
        `${file.path} is not valid YAML${line ? ` (near line ${line})` : ""}: check its indentation and quoting`
      );
    }
    const doc = parsed.toJS();
    if (!isObj2(doc)) {
      throw new KubeconfigError(
        "KUBECONFIG",
        `${file.path} is not a kubeconfig (not a YAML mapping): remove it from KUBECONFIG or fix it`
      );
    }
    absolutize(doc, file.path, resolvePath);
    if (merged["current-context"] === void 0 && typeof doc["current-context"] === "string") {
      if (doc["current-context"] !== "") merged["current-context"] = doc["current-context"];
    }
    for (const key of ["clusters", "users", "contexts"]) {
      for (const entry of Array.isArray(doc[key]) ? doc[key] : []) {
        if (!isObj2(entry) || typeof entry.name !== "string" || seen[key].has(entry.name)) continue;
        seen[key].add(entry.name);
        merged[key].push(entry);
      }
    }
  }
  return stringify(merged);
}

// cli/kubeconfig-files.ts
function byName(list, name) {
  return Array.isArray(list) ? list.find((e) => e && typeof e === "object" && e.name === name) : void 0;
}
function kubeconfigPaths(flag, env = process.env) {
  const listed = (flag ?? env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  if (listed.length === 0) {
    const path = resolve(env.HOME ?? homedir2(), ".kube/config");
    if (!existsSync2(path)) {
      throw usage(`no kubeconfig: ${path} does not exist (set KUBECONFIG or pass --kubeconfig)`);
    }
    return [path];
  }
  const paths = [...new Set(listed.map((p) => resolve(p)))];
  if (flag !== void 0) {
    const missing = paths.filter((p) => !existsSync2(p));
    if (missing.length) throw usage(`--kubeconfig: ${missing.join(", ")} does not exist`);
  }
  const found = paths.filter((p) => existsSync2(p));
  if (found.length === 0) throw usage(`no kubeconfig: none of ${paths.join(", ")} exists`);
  return found;
}
function mergeKubeconfigs(paths) {
  const files = paths.map((path) => {
    try {
      return { path, text: readFileSync2(path, "utf8") };
    } catch {
      throw usage(`${path} cannot be read: check the path and its permissions`);
    }
  });
  try {
    return mergeKubeconfigFiles(
      files,
      (file, p) => isAbsolute(p) ? p : resolve(dirname(file), p)
    );
  } catch (error) {
    if (error instanceof KubeconfigError) throw usage(error.message);
    throw error;
  }
}
function fileToData(entry, fileKey, dataKey) {
  const path = entry[fileKey];
  if (typeof path === "string" && !entry[dataKey]) {
    try {
      entry[dataKey] = readFileSync2(path).toString("base64");
    } catch {
      throw new CliError(`the kubeconfig names ${fileKey} ${path}, which cannot be read`);
    }
    delete entry[fileKey];
  }
}
function defaultContext(kubeconfig, env) {
  try {
    return chooseContext(kubeconfig, { allowedContexts: allowedContextsIn(env.HOME) }).context;
  } catch (error) {
    if (error instanceof KubeconfigError) throw usage(error.message);
    throw error;
  }
}
function flattenContext(text, contextName) {
  const doc = parse3(text);
  const name = contextName ?? defaultContext(text, process.env);
  const ctx = byName(doc.contexts, name);
  if (!ctx) throw usage(`context "${name}" is not in the kubeconfig`);
  const c = ctx.context ?? {};
  const cluster = structuredClone(byName(doc.clusters, String(c.cluster)));
  if (!cluster) {
    throw usage(`cluster "${String(c.cluster)}" of context "${name}" is not in the kubeconfig`);
  }
  const user = c.user ? structuredClone(byName(doc.users, String(c.user))) : void 0;
  const clusterBody = cluster.cluster ?? {};
  fileToData(clusterBody, "certificate-authority", "certificate-authority-data");
  if (user?.user) {
    const u = user.user;
    fileToData(u, "client-certificate", "client-certificate-data");
    fileToData(u, "client-key", "client-key-data");
    const tokenFile = u.tokenFile ?? u["token-file"];
    if (typeof tokenFile === "string" && !u.token) {
      try {
        u.token = readFileSync2(tokenFile, "utf8").trim();
      } catch {
        throw new CliError(`the kubeconfig names tokenFile ${tokenFile}, which cannot be read`);
      }
      delete u.tokenFile;
      delete u["token-file"];
    }
  }
  const ca = clusterBody["certificate-authority-data"];
  return {
    context: name,
    namespace: typeof c.namespace === "string" && c.namespace ? c.namespace : "default",
    caPem: typeof ca === "string" ? Buffer.from(ca, "base64").toString("utf8") : null,
    yaml: stringify2({
      apiVersion: "v1",
      kind: "Config",
      clusters: [cluster],
      users: user ? [user] : [],
      contexts: [ctx],
      "current-context": name
    })
  };
}

// konduktor/wire/common.ts
import { z } from "zod";
var CLUSTER_NAME_RE = DNS_LABEL_RE;
var NAME_PATTERN_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?|([a-z0-9][-a-z0-9]*)?\*)$/;
var OWNER_HASH_RE = OWNER_RE;
var OwnerHash = z.string().regex(
  OWNER_HASH_RE,
  "an owner is a user hash: 8 hexadecimal characters, e.g. 0a1b2c3d (upper case is kept as given, as Konduktor does)"
).meta({ example: "0a1b2c3d" });
var ClusterName = z.string().max(63, "a cluster name has at most 63 characters").regex(
  CLUSTER_NAME_RE,
  "a cluster name is lowercase letters, digits and '-', starting and ending with a letter or digit"
).meta({ example: "gpu-east" });
var NamePattern = z.string().max(63).regex(
  NAME_PATTERN_RE,
  'a secret name (a basename like "db-password") or a prefix pattern ending in * (like "db-*", or "*" for any)'
);
var SecretKindSchema = z.enum(SECRET_KINDS, {
  error: `kind must be one of ${SECRET_KINDS.join(", ")}`
});
var Base64 = z.string().refine(isBase64, "must be standard base64 (RFC 4648) of the file's bytes").meta({ description: "standard base64 (RFC 4648) of the bytes", format: "byte" });
var MAX_CLUSTERS = 100;
var clusterNames = z.array(ClusterName).min(1, "clusters, when given, names at least one cluster").max(MAX_CLUSTERS, `clusters names at most ${MAX_CLUSTERS} clusters: leave it out for all`);
var ClusterList = clusterNames.optional().meta({
  description: "target clusters (default: every registered cluster the caller may use)"
});
var ClustersOrAll = z.union([z.literal("all"), clusterNames], {
  error: `clusters must be "all" or a list of 1 to ${MAX_CLUSTERS} cluster names, like ["gpu-east"]`
}).default("all").meta({ description: 'cluster names, or "all" (default)' });
function splitNames(value) {
  return value.split(",").map((s) => s.trim()).filter(Boolean);
}
var CommaList = z.string().optional().superRefine((value, ctx) => {
  if (value === void 0) return;
  const list = splitNames(value);
  if (list.length === 0) return;
  const parsed = clusterNames.safeParse(list);
  if (parsed.success) return;
  for (const issue of parsed.error.issues.slice(0, 5)) {
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  }
}).transform((value) => {
  const list = value === void 0 ? [] : splitNames(value);
  return list.length ? list : void 0;
}).meta({
  description: `comma-separated cluster names, at most ${MAX_CLUSTERS} (default: all the caller may use)`
});
var ClusterScope = z.union([z.literal("all"), z.array(z.string())]);
var RightsSchema = z.object({
  write: z.boolean(),
  read: z.boolean(),
  listAllUsers: z.boolean()
});
var RightsInput = z.strictObject({
  write: z.boolean().default(true),
  read: z.boolean().default(true),
  listAllUsers: z.boolean().default(false)
}).default({ write: true, read: true, listAllUsers: false });

export {
  bytesToBase64,
  KonduktorError,
  classifyError,
  SECRET_KINDS,
  MAX_SECRET_BYTES,
  MAX_ANNOTATION_BYTES,
  DNS_LABEL_RE,
  ValidationError,
  isSecretKind,
  validateOwner,
  validateBasename,
  decodedSize,
  OWNER_HASH_RE,
  OwnerHash,
  ClusterName,
  NamePattern,
  SecretKindSchema,
  Base64,
  ClusterList,
  ClustersOrAll,
  CommaList,
  ClusterScope,
  RightsSchema,
  RightsInput,
  EXIT,
  CliError,
  usage,
  exitFor,
  EXIT_CODES_HELP,
  epilogue,
  LABEL_PARENT,
  PARENT_VALUE,
  LABEL_OWNER,
  LABEL_BASENAME,
  LABEL_KIND,
  secretName,
  secretLabels,
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_UPDATED_BY,
  ANNOTATION_UPDATED_VIA,
  ANNOTATION_UPDATED_AT,
  ANNOTATION_PLACEMENT,
  ANNOTATION_SIGNATURE,
  LEGACY_ANNOTATION_CONTENT_DIGEST,
  parsePlacement,
  formatPlacement,
  digestValues,
  digestsOf,
  sealAnnotations,
  checkSeal,
  checkSecretInput,
  konduktorIdentity,
  KubeconfigError,
  parseKubeconfig,
  kubeconfigContexts,
  kubeconfigPaths,
  mergeKubeconfigs,
  defaultContext,
  flattenContext
};
