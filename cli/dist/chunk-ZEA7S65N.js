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

// cli/kubeconfig-files.ts
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, resolve } from "node:path";
import { parse, stringify } from "yaml";
function byName(list, name) {
  return Array.isArray(list) ? list.find((e) => e && typeof e === "object" && e.name === name) : void 0;
}
function kubeconfigPaths(flag, env = process.env) {
  const listed = (flag ?? env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  if (listed.length === 0) {
    const path = resolve(env.HOME ?? homedir(), ".kube/config");
    if (!existsSync(path)) {
      throw usage(`no kubeconfig: ${path} does not exist (set KUBECONFIG or pass --kubeconfig)`);
    }
    return [path];
  }
  const paths = [...new Set(listed.map((p) => resolve(p)))];
  if (flag !== void 0) {
    const missing = paths.filter((p) => !existsSync(p));
    if (missing.length) throw usage(`--kubeconfig: ${missing.join(", ")} does not exist`);
  }
  const found = paths.filter((p) => existsSync(p));
  if (found.length === 0) throw usage(`no kubeconfig: none of ${paths.join(", ")} exists`);
  return found;
}
function absolutize(doc, base) {
  const fix = (entry, keys) => {
    if (!entry || typeof entry !== "object") return;
    const e = entry;
    for (const k of keys) {
      const v = e[k];
      if (typeof v === "string" && v && !isAbsolute(v)) e[k] = resolve(base, v);
    }
  };
  for (const c of Array.isArray(doc.clusters) ? doc.clusters : []) {
    fix(c?.cluster, ["certificate-authority"]);
  }
  for (const u of Array.isArray(doc.users) ? doc.users : []) {
    fix(u?.user, ["client-certificate", "client-key", "tokenFile", "token-file"]);
  }
}
function mergeKubeconfigs(paths) {
  const merged = { apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [] };
  for (const path of paths) {
    let doc;
    try {
      doc = parse(readFileSync(path, "utf8")) ?? {};
    } catch {
      throw usage(`${path} is not a kubeconfig (not YAML): check it with kubectl config view`);
    }
    if (typeof doc !== "object" || Array.isArray(doc)) throw usage(`${path} is not a kubeconfig`);
    absolutize(doc, dirname(path));
    if (!merged["current-context"] && doc["current-context"]) {
      merged["current-context"] = doc["current-context"];
    }
    for (const key of ["clusters", "users", "contexts"]) {
      const into = merged[key];
      for (const e of Array.isArray(doc[key]) ? doc[key] : []) {
        if (e && typeof e === "object" && !byName(into, String(e.name))) into.push(e);
      }
    }
  }
  return stringify(merged);
}
function fileToData(entry, fileKey, dataKey) {
  const path = entry[fileKey];
  if (typeof path === "string" && !entry[dataKey]) {
    try {
      entry[dataKey] = readFileSync(path).toString("base64");
    } catch {
      throw new CliError(`the kubeconfig names ${fileKey} ${path}, which cannot be read`);
    }
    delete entry[fileKey];
  }
}
function flattenContext(text, contextName) {
  const doc = parse(text);
  const name = contextName ?? doc["current-context"];
  if (!name) throw usage("the kubeconfig has no current-context: pass --context NAME");
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
        u.token = readFileSync(tokenFile, "utf8").trim();
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
    yaml: stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [cluster],
      users: user ? [user] : [],
      contexts: [ctx],
      "current-context": name
    })
  };
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
  const names = (raw ?? "").split(",").map((n) => n.trim()).filter((n) => n.length > 0);
  if (names.length === 0 || names.includes("all")) return "all";
  return [...new Set(names)].sort();
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
  const names = Object.keys(data ?? {}).sort();
  const digests = {};
  for (const key of names) {
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
  const content = await hmacHex(
    keys.digest,
    utf8(JSON.stringify(["content", owner, basename, pairs]))
  );
  const sorted = Object.fromEntries(pairs.map(([k, hex]) => [k, `${prefix}${hex}`]));
  return { keyId: keys.keyId, digests: sorted, contentDigest: `${prefix}${content}` };
}
function sealText(f) {
  const fields = [f.owner, f.basename, f.kind, f.version, f.contentDigest, f.placement];
  return utf8(JSON.stringify(["copy/v1", ...fields]));
}
async function macOf(keys, f) {
  const mac = await crypto.subtle.sign("HMAC", keys.mac, sealText(f));
  return bytesToBase64(new Uint8Array(mac)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
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
    sealText(fields)
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
  base64ToBytes,
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
  validateNamespace,
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
  kubeconfigPaths,
  mergeKubeconfigs,
  flattenContext,
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
  konduktorIdentity
};
