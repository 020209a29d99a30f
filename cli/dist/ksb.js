#!/usr/bin/env node

// cli/main.ts
import { existsSync as existsSync4, readFileSync as readFileSync5, realpathSync } from "node:fs";
import { dirname as dirname3, join as join5, resolve as resolve3 } from "node:path";
import { fileURLToPath } from "node:url";
import password from "@inquirer/password";
import yargs from "yargs";

// cli/admin-flows.ts
import { mkdtempSync, rmSync, writeFileSync as writeFileSync3 } from "node:fs";
import { tmpdir } from "node:os";
import { join as join3 } from "node:path";

// scripts/service-account.ts
import { readFileSync } from "node:fs";
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api
} from "@kubernetes/client-node";
import { stringify } from "yaml";
var BROKER_SECRET_VERBS = ["get", "list", "create", "update", "patch", "delete"];
function isConflict(error) {
  return error instanceof ApiException && error.code === 409;
}
function describeApiError(error, what2) {
  if (error instanceof ApiException) {
    const reason = error.code === 403 ? "your context may not do this (it needs to create ServiceAccounts, Roles and RoleBindings in the namespace, and service account tokens)" : `HTTP ${error.code}`;
    return new Error(`${what2}: ${reason}`);
  }
  return new Error(`${what2}: ${error.message}`);
}
async function serviceAccountKubeconfig(kubeconfigPath, options) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  if (options.context) kc.setCurrentContext(options.context);
  const contextName = kc.getCurrentContext();
  const context = kc.getContextObject(contextName);
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) {
    throw new Error(`context "${contextName}" or its cluster is not in ${kubeconfigPath}`);
  }
  const namespace = context.namespace || "default";
  const name = options.name;
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const labels = { "app.kubernetes.io/managed-by": "konduktor-broker" };
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name, labels } } });
  } catch (error) {
    if (!isConflict(error))
      throw describeApiError(error, `creating ServiceAccount ${namespace}/${name}`);
  }
  const role = {
    metadata: { name, labels },
    rules: [{ apiGroups: [""], resources: ["secrets"], verbs: [...BROKER_SECRET_VERBS] }]
  };
  try {
    await rbac.createNamespacedRole({ namespace, body: role });
  } catch (error) {
    if (!isConflict(error)) throw describeApiError(error, `creating Role ${namespace}/${name}`);
    await rbac.replaceNamespacedRole({ name, namespace, body: role });
  }
  try {
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name, namespace }]
      }
    });
  } catch (error) {
    if (!isConflict(error))
      throw describeApiError(error, `creating RoleBinding ${namespace}/${name}`);
  }
  let request;
  try {
    request = await core.createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: options.expirationSeconds } }
    });
  } catch (error) {
    throw describeApiError(error, `requesting a token for ServiceAccount ${namespace}/${name}`);
  }
  const token = request.status?.token;
  if (!token)
    throw new Error(`the cluster issued no token for ServiceAccount ${namespace}/${name}`);
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString("base64") : void 0);
  const entry = `${cluster.name}-${name}`;
  return {
    context: entry,
    namespace,
    serviceAccount: name,
    caPem: caData ? Buffer.from(caData, "base64").toString("utf8") : null,
    expiresAt: request.status?.expirationTimestamp ? new Date(request.status.expirationTimestamp).toISOString() : null,
    yaml: stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: cluster.name,
          cluster: {
            server: cluster.server,
            ...caData ? { "certificate-authority-data": caData } : {}
          }
        }
      ],
      users: [{ name: entry, user: { token } }],
      contexts: [{ name: entry, context: { cluster: cluster.name, user: entry, namespace } }],
      "current-context": entry
    })
  };
}

// cli/config.ts
import { chmodSync, existsSync, mkdirSync, readFileSync as readFileSync2, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z as z7 } from "zod";

// konduktor/wire/client.ts
import { z as z6 } from "zod";

// konduktor/wire/admin.ts
import { z as z3 } from "zod";

// konduktor/wire/common.ts
import { z } from "zod";

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
async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return toHex(new Uint8Array(digest));
}

// konduktor/types.ts
var SECRET_KINDS = ["default", "env", "git-ssh"];

// konduktor/wire/common.ts
var CLUSTER_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
var NAME_PATTERN_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?|([a-z0-9][-a-z0-9]*)?\*)$/;
var OWNER_HASH_RE = /^[0-9a-f]{8}$/;
var OwnerHash = z.string().regex(OWNER_HASH_RE, "an owner is a user hash: 8 lowercase hex characters, e.g. 0a1b2c3d").meta({ example: "0a1b2c3d" });
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
var ClusterList = z.array(ClusterName).min(1, "clusters, when given, names at least one cluster").max(100).optional().meta({
  description: "target clusters (default: every registered cluster the caller may use)"
});
var CommaList = z.string().optional().transform(
  (v) => v === void 0 ? void 0 : v.split(",").map((s) => s.trim()).filter(Boolean)
).meta({ description: "comma-separated cluster names (default: all the caller may use)" });
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

// konduktor/wire/sync.ts
import { z as z2 } from "zod";
var SyncRequestBody = z2.strictObject({
  owners: z2.array(OwnerHash).min(1, "owners, when given, names at least one owner").optional(),
  clusters: z2.array(ClusterName).min(1, "clusters, when given, names at least one cluster").max(100).optional().meta({ description: "the clusters to bring in line (default: all the caller may use)" }),
  source: ClusterName.optional().meta({
    description: "copy from this cluster (default: for each secret, the most recently written copy)"
  }),
  names: z2.array(z2.string()).min(1, "names, when given, names at least one secret").max(500).optional().meta({
    description: 'only these secrets: basenames, or "prefix*" patterns ("*" for any)',
    example: ["wandb", "db-*"]
  }),
  dryRun: z2.boolean().default(false).meta({
    description: "answer the plan (secret, key names, cluster, action) and write nothing"
  })
}).meta({ id: "SyncRequest" });
var PlanEntrySchema = z2.object({
  owner: z2.string(),
  secret: z2.string().meta({ description: "basename" }),
  secretName: z2.string(),
  cluster: z2.string(),
  action: z2.enum(["create", "update", "delete"]),
  keys: z2.array(z2.string()).meta({ description: "key names written or removed" }),
  source: z2.string().nullable(),
  reason: z2.string(),
  status: z2.enum(["planned", "done", "error"]),
  writes: z2.number().optional(),
  code: z2.string().optional(),
  message: z2.string().optional()
});
var SyncAnswer = z2.object({
  dryRun: z2.boolean(),
  owners: z2.union([z2.array(z2.string()), z2.literal("all")]),
  clusters: z2.array(z2.string()),
  targets: z2.array(z2.string()),
  source: z2.string().nullable(),
  results: z2.array(
    z2.object({
      cluster: z2.string(),
      status: z2.enum(["read", "error"]),
      secrets: z2.number().optional(),
      code: z2.string().optional(),
      message: z2.string().optional()
    })
  ),
  plan: z2.array(PlanEntrySchema),
  skipped: z2.array(
    z2.object({
      owner: z2.string(),
      secret: z2.string(),
      cluster: z2.string().optional(),
      reason: z2.string()
    })
  ),
  summary: z2.object({
    secrets: z2.number(),
    inLine: z2.number(),
    planned: z2.number(),
    done: z2.number(),
    failed: z2.number(),
    unreadableClusters: z2.number()
  }),
  durationMs: z2.number()
}).meta({ id: "SyncAnswer" });
function nameMatcher(patterns) {
  return (basename3) => patterns.some((p) => p.endsWith("*") ? basename3.startsWith(p.slice(0, -1)) : p === basename3);
}

// konduktor/wire/admin.ts
var RegisterClusterBody = z3.strictObject({
  kubeconfig: z3.string({ error: "kubeconfig is required: the kubeconfig YAML (as a string)" }).min(1, "kubeconfig is empty").max(256 * 1024, "kubeconfig is larger than 256 KiB").meta({
    description: "The kubeconfig YAML. On workerd it must embed everything: server, certificate-authority-data (or a publicly trusted server certificate) and a bearer token (e.g. a ServiceAccount token); no exec plugins, files or client certificates."
  }),
  context: z3.string().min(1).optional().meta({ description: "the context to use (default: current-context)" }),
  sync: z3.boolean().default(false).meta({
    description: "after registering, copy every owner's secrets placed on all clusters (or naming this one) onto this cluster, from the newest copy on the other clusters; the answer's `sync` says what was copied"
  })
}).meta({ id: "RegisterCluster" });
var ClusterInfoSchema = z3.object({
  name: z3.string(),
  server: z3.string().meta({ example: "https://10.0.0.1:6443" }),
  namespace: z3.string().meta({ example: "default" }),
  context: z3.string(),
  addedAt: z3.string(),
  updatedAt: z3.string(),
  keyId: z3.string().meta({ description: "id of the key the kubeconfig is encrypted with" }),
  sync: SyncAnswer.optional().meta({
    description: "registered with `sync`: what was copied onto the cluster"
  })
}).meta({ id: "Cluster" });
var ClusterListAnswer = z3.object({ clusters: z3.array(ClusterInfoSchema) });
var HealthSchema = z3.object({
  cluster: z3.string(),
  server: z3.string(),
  namespace: z3.string(),
  reachable: z3.boolean(),
  version: z3.string().nullable(),
  access: z3.record(z3.string(), z3.boolean()).nullable().meta({
    description: "per verb on Secrets in the namespace, from a SelfSubjectAccessReview (null when unreachable)",
    example: { get: true, list: true, create: true, patch: true, delete: false }
  }),
  missing: z3.array(z3.string()).meta({ description: "verbs the credential may not use" }),
  ok: z3.boolean().meta({ description: "reachable and every verb allowed" }),
  error: z3.object({ code: z3.string(), message: z3.string() }).optional()
}).meta({ id: "ClusterHealth" });
var MAX_TOKEN_TTL_SECONDS = 366 * 24 * 3600;
var IssueTokenBody = z3.strictObject({
  label: z3.string().max(100).optional().meta({ example: "ci-deploy" }),
  owners: z3.array(OwnerHash).min(1, "owners needs at least one owner hash").max(50).meta({ description: "the owner hashes the token acts as" }),
  clusters: z3.union([z3.literal("all"), z3.array(ClusterName).min(1)]).default("all").meta({ description: 'cluster names, or "all" (default)' }),
  rights: RightsInput,
  expiresInSeconds: z3.number().int().min(1).max(MAX_TOKEN_TTL_SECONDS, "a token lives at most 366 days").default(30 * 24 * 3600).meta({ description: "lifetime in seconds (default 30 days, at most 366 days)" })
}).meta({ id: "IssueToken" });
var TokenInfoSchema = z3.object({
  id: z3.string().meta({ example: "3f2a9c0d1e4b5a67" }),
  label: z3.string().nullable(),
  owners: z3.array(z3.string()),
  clusters: ClusterScope,
  rights: RightsSchema,
  createdAt: z3.string(),
  expiresAt: z3.string(),
  revokedAt: z3.string().nullable()
}).meta({ id: "Token" });
var IssuedTokenSchema = TokenInfoSchema.extend({
  token: z3.string().meta({
    description: "the token itself: shown once, stored only as a hash",
    example: "kbt_3f2a9c0d1e4b5a67_…"
  })
}).meta({ id: "IssuedToken" });
var TokenListAnswer = z3.object({ tokens: z3.array(TokenInfoSchema) });
var CreateHookBody = z3.strictObject({
  label: z3.string().max(100).optional().meta({ example: "vault-rotation" }),
  owners: z3.array(OwnerHash).min(1, "owners needs at least one owner hash").max(50).meta({ description: "the owners whose secrets deliveries may set or sync" }),
  clusters: z3.union([
    z3.literal("all"),
    z3.array(ClusterName).min(1, 'clusters needs at least one cluster, or use "all"')
  ]).default("all").meta({ description: 'the clusters deliveries may write, or "all" (default)' }),
  names: z3.array(NamePattern).min(1, 'names needs at least one secret name or pattern ("*" for any)').max(200).meta({
    description: 'the secret names (basenames) deliveries may touch; "prefix*" patterns allowed',
    example: ["db-password", "rotated-*"]
  }),
  allowSync: z3.boolean().default(true).meta({
    description: "whether a delivery may be a sync request (a secret set is always allowed)"
  })
}).meta({ id: "CreateHook" });
var HookInfoSchema = z3.object({
  id: z3.string().meta({ example: "wh_3f2a9c0d1e4b5a67" }),
  label: z3.string().nullable(),
  owners: z3.array(z3.string()),
  clusters: ClusterScope,
  names: z3.array(z3.string()),
  allowSync: z3.boolean(),
  createdAt: z3.string(),
  keyId: z3.string()
}).meta({ id: "Hook" });
var CreatedHookSchema = HookInfoSchema.extend({
  secret: z3.string().meta({
    description: "the signing secret (`whsec_…`): shown once, keep it in the sender"
  }),
  url: z3.string().meta({ description: "the delivery path" })
}).meta({ id: "CreatedHook" });
var HookListAnswer = z3.object({ hooks: z3.array(HookInfoSchema) });
var claimPattern = z3.string().min(1).max(300);
function repositoryPatternProblem(p) {
  const [owner = "", repo, ...rest] = p.split("/");
  if (repo === void 0 || rest.length > 0) return "must be owner/repo (globs allowed: owner/*)";
  if (owner === "" || /[*?]/.test(owner)) {
    return "must name the owner literally: owner/repo or owner/* (a binding for every owner on GitHub is refused)";
  }
  if (repo === "") return "must be owner/repo (globs allowed: owner/*)";
  return null;
}
var OidcBindingMatch = z3.strictObject({
  repository: claimPattern.superRefine((p, ctx) => {
    const problem = repositoryPatternProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }).meta({ example: "acme/train", description: "owner/repo; globs: acme/*" }),
  repository_owner: claimPattern.optional(),
  repository_id: claimPattern.optional(),
  ref: claimPattern.optional().meta({ example: "refs/heads/main", description: "e.g. refs/heads/*, refs/tags/v*" }),
  ref_type: claimPattern.optional(),
  environment: claimPattern.optional().meta({ example: "production" }),
  workflow: claimPattern.optional().meta({ description: "the workflow's name" }),
  workflow_ref: claimPattern.optional(),
  job_workflow_ref: claimPattern.optional(),
  event_name: claimPattern.optional().meta({ example: "push" }),
  sub: claimPattern.optional()
}).meta({
  description: "claims of the GitHub OIDC token; every given field must match (exact, or a glob: * within a path segment, ** across, ?). repository, repository_owner and environment compare case-insensitively."
});
var OidcBindingBody = z3.strictObject({
  description: z3.string().max(500).optional(),
  match: OidcBindingMatch,
  owners: z3.array(OwnerHash).min(1, "owners needs at least one owner hash").max(50),
  clusters: z3.union([z3.literal("all"), z3.array(ClusterName).min(1)]).default("all"),
  rights: RightsInput
}).meta({ id: "OidcBindingBody" });
var OidcBindingSchema = z3.object({
  id: z3.string(),
  description: z3.string().optional(),
  match: z3.record(z3.string(), z3.string()),
  owners: z3.array(z3.string()),
  clusters: ClusterScope,
  rights: RightsSchema,
  createdAt: z3.string(),
  updatedAt: z3.string()
}).meta({ id: "OidcBinding" });
var OidcBindingListAnswer = z3.object({ bindings: z3.array(OidcBindingSchema) });
var WhoamiAnswer = z3.object({
  id: z3.string().meta({ description: "the caller's id in audit lines, e.g. token:<id>" }),
  kind: z3.enum(["admin", "token", "oidc"]),
  label: z3.string().nullable().optional(),
  owners: z3.array(z3.string()),
  clusters: ClusterScope,
  rights: RightsSchema,
  expiresAt: z3.string().nullable()
}).meta({ id: "Whoami" });

// konduktor/wire/http.ts
import pRetry from "p-retry";
var BrokerUnreachable = class extends Error {
  name = "BrokerUnreachable";
  /** a short reason without any value: `ECONNREFUSED`, `no answer within 60 s`, … */
  reason;
  /** the broker's origin (scheme, host, port) */
  origin;
  constructor(origin, reason) {
    super(`cannot reach the broker at ${origin} (${reason})`);
    this.origin = origin;
    this.reason = reason;
  }
};
var RETRY_STATUS = /* @__PURE__ */ new Set([502, 503, 504]);
function networkCode(error, depth = 0) {
  if (!error || typeof error !== "object" || depth > 5) return void 0;
  const e = error;
  if (typeof e.code === "string" && /^[A-Z_]+$/.test(e.code)) return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = networkCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return networkCode(e.cause, depth + 1);
}
function causeText(error) {
  const cause = error?.cause;
  return typeof cause?.message === "string" && cause.message.length <= 80 ? cause.message : void 0;
}
var NoAnswer = class extends Error {
  name = "NoAnswer";
};
var GatewayAnswer = class extends Error {
  name = "GatewayAnswer";
  reply;
  constructor(reply) {
    super(`HTTP ${reply.status}`);
    this.reply = reply;
  }
};
function hasResults(body) {
  return !!body && typeof body === "object" && Array.isArray(body.results);
}
function baseUrl(url) {
  return url.replace(/\/+$/, "");
}
async function exchange(options, method, path, json2) {
  const doFetch = options.fetch ?? fetch;
  const attempts = Math.max(1, options.attempts ?? 3);
  const timeoutMs = options.timeoutMs ?? 6e4;
  const backoff = options.backoffMs ?? 500;
  const url = `${baseUrl(options.url)}${path}`;
  const origin = new URL(options.url).origin;
  const deadline = Date.now() + timeoutMs;
  const headers = { accept: "application/json" };
  if (options.token !== void 0) headers.authorization = `Bearer ${options.token}`;
  if (options.userAgent) headers["user-agent"] = options.userAgent;
  if (json2 !== void 0) headers["content-type"] = "application/json";
  const body = json2 === void 0 ? void 0 : JSON.stringify(json2);
  const attempt = async () => {
    let response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        ...body === void 0 ? {} : { body },
        signal: AbortSignal.timeout(Math.max(1e3, deadline - Date.now()))
      });
    } catch (error) {
      throw new NoAnswer(
        error.name === "TimeoutError" ? `no answer within ${timeoutMs / 1e3} s` : networkCode(error) ?? causeText(error) ?? "network error"
      );
    }
    let parsed;
    try {
      const text = await response.text();
      parsed = text ? JSON.parse(text) : void 0;
    } catch {
      parsed = void 0;
    }
    const reply = { status: response.status, headers: response.headers, body: parsed };
    if (RETRY_STATUS.has(response.status) && !hasResults(parsed)) throw new GatewayAnswer(reply);
    return reply;
  };
  try {
    return await pRetry(attempt, {
      retries: attempts - 1,
      minTimeout: backoff,
      factor: 2,
      randomize: false,
      shouldRetry: ({ error, attemptNumber }) => {
        const retry = (error instanceof NoAnswer || error instanceof GatewayAnswer) && Date.now() + backoff * 2 ** (attemptNumber - 1) < deadline;
        if (retry) {
          options.onRetry?.({ attempt: attemptNumber + 1, of: attempts, reason: error.message });
        }
        return retry;
      }
    });
  } catch (error) {
    if (error instanceof GatewayAnswer) return error.reply;
    if (error instanceof NoAnswer) throw new BrokerUnreachable(origin, error.message);
    throw error;
  }
}
function isLoopback(url) {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
function brokerUrlProblem(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return `${raw} is not a URL: give the broker's base URL, like https://broker.example.com`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `the broker URL must be http(s): ${url.protocol} is not`;
  }
  if (url.protocol === "http:" && !isLoopback(url)) {
    return `refusing to send a token in clear text to ${url.host}: use https:// (http: only for this machine: localhost, 127.0.0.1, ::1)`;
  }
  if (url.username || url.password) {
    return "the broker URL must not hold a user name or password: give the token with login";
  }
  return null;
}

// konduktor/wire/problem.ts
import { z as z4 } from "zod";
var PROBLEM_TYPE_BASE = "https://konduktor-broker.invalid/problems/";
var FieldProblemSchema = z4.object({ field: z4.string(), message: z4.string() });
var ProblemSchema = z4.object({
  type: z4.string().meta({ example: `${PROBLEM_TYPE_BASE}forbidden` }),
  title: z4.string().meta({ example: "Forbidden" }),
  status: z4.number().int().meta({ example: 403 }),
  detail: z4.string().meta({ example: "this token may not act for owner 0a1b2c3d" }),
  code: z4.string().meta({ example: "forbidden" }),
  requestId: z4.string().meta({ example: "4c8e0f0e-8a55-4b8a-b43a-1a2b3c4d5e6f" }),
  instance: z4.string().optional(),
  errors: z4.array(FieldProblemSchema).optional(),
  results: z4.array(z4.record(z4.string(), z4.unknown())).optional()
}).meta({ id: "Problem" });

// konduktor/wire/secrets.ts
import { z as z5 } from "zod";
var InlineSource = z5.strictObject({
  type: z5.literal("inline"),
  pairs: z5.record(z5.string(), z5.string()).meta({ description: "KEY → value (UTF-8)", example: { API_KEY: "…" } })
});
var FilesSource = z5.strictObject({
  type: z5.literal("files"),
  files: z5.array(z5.strictObject({ name: z5.string().min(1), content: Base64 })).min(1, "files needs at least one file")
});
var DirectorySource = z5.strictObject({
  type: z5.literal("directory"),
  name: z5.string().min(1).meta({ description: "the directory's own name (top folder)" }),
  entries: z5.array(z5.strictObject({ path: z5.string().min(1), content: Base64 })).min(1, "a directory needs at least one file")
});
var SourceSchema = z5.discriminatedUnion("type", [InlineSource, FilesSource, DirectorySource], {
  error: 'source.type must be "inline", "files" or "directory"'
}).meta({
  id: "SecretSource",
  description: "Exactly one source: inline KEY=VALUE pairs, files (key = file name; `gitkey` for git-ssh), or a directory (one payload.zip)."
});
var PutSecretBody = z5.strictObject({
  kind: SecretKindSchema.default("default"),
  source: SourceSchema,
  owner: OwnerHash.optional().meta({
    description: "required only when the credential acts for several owners"
  }),
  clusters: ClusterList,
  mode: z5.enum(["merge", "replace"], { error: 'mode must be "merge" or "replace"' }).default("merge").meta({
    description: "merge (Konduktor's `secret create`: add and overwrite keys, keep others) or replace (exactly these keys)"
  }),
  prune: z5.boolean().default(false).meta({
    description: "merge only: remove keys this broker wrote before and this call lacks"
  }),
  immutable: z5.boolean().default(false),
  dryRun: z5.boolean().default(false).meta({
    description: "report the plan per cluster (key names and digests), write nothing"
  })
}).meta({ id: "PutSecret" });
var SecretNameParam = z5.object({
  name: z5.string().meta({ example: "wandb", description: "the basename" })
});
var OwnerQuery = OwnerHash.optional().meta({
  description: "required only when the credential acts for several owners"
});
var ListSecretsQuery = z5.strictObject({
  owner: OwnerQuery,
  all: z5.enum(["true", "false"], { error: 'all must be "true" or "false"' }).optional().meta({ description: "every user's secrets (needs the listAllUsers right)" }),
  clusters: CommaList
});
var SecretQuery = z5.strictObject({ owner: OwnerQuery, clusters: CommaList });
var ErrorResult = z5.object({
  cluster: z5.string(),
  status: z5.literal("error"),
  code: z5.string().meta({ example: "unreachable" }),
  message: z5.string(),
  retryable: z5.boolean(),
  attempts: z5.number(),
  durationMs: z5.number()
});
var ApplyOkResult = z5.object({
  cluster: z5.string(),
  status: z5.enum(["created", "updated", "unchanged"]),
  secretName: z5.string(),
  namespace: z5.string(),
  added: z5.array(z5.string()),
  changed: z5.array(z5.string()),
  removed: z5.array(z5.string()),
  writes: z5.number(),
  dryRun: z5.boolean(),
  replacedGitSsh: z5.array(z5.string()).optional(),
  attempts: z5.number(),
  durationMs: z5.number()
});
var ApplyResultSchema = z5.union([ApplyOkResult, ErrorResult]).meta({ id: "ApplyResult" });
var DriftSchema = z5.object({
  reference: z5.string().nullable().meta({
    description: "the cluster whose copy the others are compared with: the most recently written copy (the one a sync would copy from)"
  }),
  inLine: z5.boolean().meta({
    description: "every cluster of the placement holds the same content"
  }),
  clusters: z5.array(
    z5.object({
      cluster: z5.string(),
      state: z5.enum(["in-line", "missing", "different", "not-placed", "deleted", "unknown"]).meta({
        description: "`not-placed`: the secret's placement (annotation konduktor-broker/placement) leaves this cluster out; `deleted`: no copy, and the secret was deleted there through the broker (a sync does not restore it). Neither is a disagreement"
      }),
      keys: z5.object({
        missing: z5.array(z5.string()),
        extra: z5.array(z5.string()),
        changed: z5.array(z5.string())
      }).optional().meta({ description: "for `different`: which keys differ from the reference" }),
      editedOutsideBroker: z5.literal(true).optional().meta({
        description: "this copy was changed outside the broker (kubectl, the Konduktor CLI): a sync leaves it alone unless a source is named"
      })
    })
  )
}).meta({ id: "Drift" });
var PutAnswer = z5.object({
  name: z5.string(),
  owner: z5.string(),
  kind: z5.enum(SECRET_KINDS),
  secretName: z5.string(),
  mode: z5.enum(["merge", "replace"]),
  dryRun: z5.boolean(),
  keys: z5.array(z5.string()),
  digests: z5.record(z5.string(), z5.string()).meta({ description: "key → sha256 of the value" }),
  contentDigest: z5.string(),
  results: z5.array(ApplyResultSchema),
  notice: z5.string().optional().meta({
    description: "set when this write narrowed the placement of an existing secret (the request was limited to fewer clusters than the copy was placed on): the other clusters keep the old value"
  })
}).meta({ id: "PutSecretAnswer" });
var ListOkResult = z5.object({
  cluster: z5.string(),
  status: z5.literal("ok"),
  count: z5.number()
});
var ListAnswer = z5.object({
  scope: z5.enum(["own", "all"]),
  owner: z5.string().nullable(),
  secrets: z5.array(
    z5.object({
      name: z5.string().meta({ description: "basename" }),
      secretName: z5.string(),
      kind: z5.string(),
      owner: z5.string().nullable(),
      keys: z5.array(z5.string()),
      clusters: z5.array(z5.string()).meta({ description: "clusters that hold it" }),
      drift: DriftSchema
    })
  ),
  results: z5.array(z5.union([ListOkResult, ErrorResult]))
}).meta({ id: "ListSecretsAnswer" });
var SecretDescriptionSchema = z5.object({
  name: z5.string(),
  basename: z5.string(),
  kind: z5.string(),
  owner: z5.string().nullable(),
  keys: z5.array(z5.string()),
  updatedAt: z5.string().nullable(),
  namespace: z5.string(),
  digests: z5.record(z5.string(), z5.string()),
  contentDigest: z5.string(),
  immutable: z5.boolean(),
  managedKeys: z5.array(z5.string()),
  provenance: z5.object({ actor: z5.string(), via: z5.string(), at: z5.string().optional() }).nullable(),
  placement: z5.union([z5.literal("all"), z5.array(z5.string())]),
  editedOutsideBroker: z5.boolean()
});
var DescribeAnswer = z5.object({
  name: z5.string(),
  owner: z5.string(),
  agree: z5.boolean().meta({
    description: "every target cluster answered, and every cluster of the secret's placement holds the same content (`drift.inLine`)"
  }),
  contentDigest: z5.string().nullable().meta({ description: "the common digest when they agree" }),
  drift: DriftSchema,
  results: z5.array(
    z5.union([
      z5.object({
        cluster: z5.string(),
        status: z5.literal("found"),
        secret: SecretDescriptionSchema
      }),
      z5.object({ cluster: z5.string(), status: z5.literal("missing") }),
      ErrorResult
    ])
  )
}).meta({ id: "DescribeSecretAnswer" });
var DeletedResult = z5.object({
  cluster: z5.string(),
  status: z5.literal("deleted"),
  secretName: z5.string(),
  namespace: z5.string()
});
var DeleteAnswer = z5.object({
  name: z5.string(),
  owner: z5.string(),
  results: z5.array(z5.union([DeletedResult, ErrorResult]))
}).meta({ id: "DeleteSecretAnswer" });

// konduktor/wire/client.ts
var LooseError = ErrorResult.partial().extend({ status: z6.string().optional() });
var LooseApplyResult = z6.union([
  ApplyOkResult.partial().required({ status: true }),
  LooseError
]);
var LooseDeleteResult = z6.union([
  DeletedResult.partial().required({ status: true }),
  LooseError
]);
var LooseListResult = z6.union([
  ListOkResult.partial().required({ status: true }),
  LooseError
]);
var RequestInvalid = class extends Error {
  name = "RequestInvalid";
  problems;
  constructor(problems) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join("; "));
    this.problems = problems;
  }
};
function checked(schema, body) {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new RequestInvalid(
      r.error.issues.map((i) => ({
        field: i.path.map(String).join(".") || "(body)",
        message: i.message
      }))
    );
  }
}
function read(raw, schema, result) {
  const ok = raw.status >= 200 && raw.status < 300;
  const parsed = ok && raw.body !== void 0 ? schema.safeParse(raw.body) : null;
  const problem = ok ? null : ProblemSchema.safeParse(raw.body);
  const list2 = raw.body?.results;
  return {
    status: raw.status,
    ok,
    raw: raw.body,
    answer: parsed?.success ? parsed.data : null,
    problem: problem?.success ? problem.data : null,
    results: result && Array.isArray(list2) ? list2.map((entry) => {
      const r = result.safeParse(entry);
      return r.success ? r.data : {};
    }) : null,
    mismatch: parsed && !parsed.success ? parsed.error.issues.slice(0, 5).map((i) => i.path.map(String).join(".") || "(body)") : [],
    requestId: raw.headers.get("x-request-id")
  };
}
function problemMessage(problem) {
  if (!problem) return null;
  const fields = (problem.errors ?? []).slice(0, 10).map((f) => `${f.field}: ${f.message}`);
  const detailNamesFields = fields.every((f) => problem.detail.includes(f));
  const message = [problem.detail, ...detailNamesFields ? [] : fields].join("; ").replace(/\s+/g, " ");
  return message.length > 600 ? `${message.slice(0, 599)}…` : message;
}
var enc = encodeURIComponent;
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== void 0) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}
var BrokerClient = class {
  options;
  constructor(options) {
    this.options = options;
  }
  async call(method, path, json2, schema, result) {
    return read(await exchange(this.options, method, path, json2), schema, result);
  }
  // ---------- secrets ----------
  async putSecret(name, body) {
    checked(PutSecretBody, body);
    return await this.call("PUT", `/v1/secrets/${enc(name)}`, body, PutAnswer, LooseApplyResult);
  }
  async listSecrets(scope2 = {}) {
    const q = query({
      owner: scope2.owner,
      all: scope2.all ? "true" : void 0,
      clusters: scope2.clusters?.join(",")
    });
    return await this.call("GET", `/v1/secrets${q}`, void 0, ListAnswer, LooseListResult);
  }
  async describeSecret(name, scope2 = {}) {
    const q = query({ owner: scope2.owner, clusters: scope2.clusters?.join(",") });
    return await this.call("GET", `/v1/secrets/${enc(name)}${q}`, void 0, DescribeAnswer);
  }
  async deleteSecret(name, scope2 = {}) {
    const q = query({ owner: scope2.owner, clusters: scope2.clusters?.join(",") });
    return await this.call(
      "DELETE",
      `/v1/secrets/${enc(name)}${q}`,
      void 0,
      DeleteAnswer,
      LooseDeleteResult
    );
  }
  async sync(body) {
    checked(SyncRequestBody, body);
    return await this.call("POST", "/v1/sync", body, SyncAnswer);
  }
  async whoami() {
    return await this.call("GET", "/v1/whoami", void 0, WhoamiAnswer);
  }
  // ---------- admin: clusters ----------
  async registerCluster(name, body) {
    checked(RegisterClusterBody, body);
    return await this.call("PUT", `/v1/clusters/${enc(name)}`, body, ClusterInfoSchema);
  }
  async listClusters() {
    return await this.call("GET", "/v1/clusters", void 0, ClusterListAnswer);
  }
  async clusterHealth(name) {
    return await this.call("GET", `/v1/clusters/${enc(name)}/health`, void 0, HealthSchema);
  }
  async removeCluster(name) {
    return await this.call("DELETE", `/v1/clusters/${enc(name)}`, void 0, z6.unknown());
  }
  // ---------- admin: tokens ----------
  async issueToken(body) {
    checked(IssueTokenBody, body);
    return await this.call("POST", "/v1/tokens", body, IssuedTokenSchema);
  }
  async listTokens() {
    return await this.call("GET", "/v1/tokens", void 0, TokenListAnswer);
  }
  async revokeToken(id) {
    return await this.call("DELETE", `/v1/tokens/${enc(id)}`, void 0, TokenInfoSchema);
  }
  // ---------- admin: webhooks ----------
  async createHook(body) {
    checked(CreateHookBody, body);
    return await this.call("POST", "/v1/hooks", body, CreatedHookSchema);
  }
  async listHooks() {
    return await this.call("GET", "/v1/hooks", void 0, HookListAnswer);
  }
  async getHook(id) {
    return await this.call("GET", `/v1/hooks/${enc(id)}`, void 0, HookInfoSchema);
  }
  async deleteHook(id) {
    return await this.call("DELETE", `/v1/hooks/${enc(id)}`, void 0, z6.unknown());
  }
  // ---------- admin: GitHub OIDC bindings ----------
  async putOidcBinding(id, body) {
    checked(OidcBindingBody, body);
    return await this.call("PUT", `/v1/oidc-bindings/${enc(id)}`, body, OidcBindingSchema);
  }
  async listOidcBindings() {
    return await this.call("GET", "/v1/oidc-bindings", void 0, OidcBindingListAnswer);
  }
  async deleteOidcBinding(id) {
    return await this.call("DELETE", `/v1/oidc-bindings/${enc(id)}`, void 0, z6.unknown());
  }
};

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

// cli/config.ts
var CLI_NAME = "ksb";
var ENV_PREFIX = "KSB";
var DEFAULT_PROFILE = "default";
var PROFILE_RE = /^[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;
var Profile = z7.object({ url: z7.string(), token: z7.string() });
var ConfigFile = z7.object({
  current: z7.string().default(DEFAULT_PROFILE),
  profiles: z7.record(z7.string(), Profile).default({})
});
function configPath(env = process.env) {
  const base = env.XDG_CONFIG_HOME?.startsWith("/") ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), ".config");
  return join(base, CLI_NAME, "config.json");
}
function readConfig(env = process.env) {
  const path = configPath(env);
  if (!existsSync(path)) return { current: DEFAULT_PROFILE, profiles: {} };
  let parsed;
  try {
    parsed = JSON.parse(readFileSync2(path, "utf8"));
  } catch {
    throw new CliError(`${path} is not valid JSON: fix it, or remove it and log in again`);
  }
  const r = ConfigFile.safeParse(parsed);
  if (!r.success) {
    throw new CliError(`${path} is not a ${CLI_NAME} config: remove it and log in again`);
  }
  return r.data;
}
function writeConfig(config, env = process.env) {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 448 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}
`, { mode: 384 });
  chmodSync(tmp, 384);
  renameSync(tmp, path);
  return path;
}
function checkProfileName(name) {
  if (!PROFILE_RE.test(name) || name.length > 63) {
    throw usage(
      `profile "${name.slice(0, 70)}": a profile name is lowercase letters, digits, '-' and '_' (at most 63)`
    );
  }
  return name;
}
function checkUrl(url) {
  const problem = brokerUrlProblem(url);
  if (problem) throw usage(problem);
  return url.replace(/\/+$/, "");
}
function brokerTarget(flags, env = process.env) {
  const config = readConfig(env);
  const profile = checkProfileName(flags.profile ?? env[`${ENV_PREFIX}_PROFILE`] ?? config.current);
  const saved = config.profiles[profile];
  const envUrl = env[`${ENV_PREFIX}_URL`];
  const envToken = env[`${ENV_PREFIX}_TOKEN`];
  const url = flags.url ?? envUrl ?? saved?.url;
  const token = envToken ?? saved?.token;
  if (url) checkUrl(url);
  if (!url || !token) {
    throw usage(
      `no broker ${!url ? "URL" : "token"} for profile "${profile}": run \`${CLI_NAME} login --url https://… ${profile === DEFAULT_PROFILE ? "" : `--profile ${profile}`}\` (or set ${ENV_PREFIX}_URL and ${ENV_PREFIX}_TOKEN), or write straight to clusters with --kubeconfig / --contexts`.replace(
        "  ",
        " "
      )
    );
  }
  return {
    url: checkUrl(url),
    token,
    profile,
    from: {
      url: flags.url ? "--url" : envUrl ? `${ENV_PREFIX}_URL` : `profile ${profile}`,
      token: envToken ? `${ENV_PREFIX}_TOKEN` : `profile ${profile}`
    }
  };
}

// cli/context.ts
function isDirect(args) {
  return args.kubeconfig !== void 0 || args.contexts !== void 0;
}
function brokerClient(ctx, args, token) {
  const target = brokerTarget(args, ctx.env);
  return new BrokerClient({
    url: target.url,
    token: token ?? target.token,
    userAgent: `ksb/${ctx.version}`,
    timeoutMs: args.timeout * 1e3,
    onRetry: ({ attempt, of, reason }) => ctx.out.note(`broker: ${reason}; retrying (attempt ${attempt} of ${of})`)
  });
}
async function call(client, run2) {
  try {
    return await run2(client);
  } catch (error) {
    if (error instanceof BrokerUnreachable) {
      throw new CliError(
        `cannot reach the broker at ${error.origin} (${error.reason}): check the URL (ksb whoami shows it) and that the broker is up`
      );
    }
    if (error instanceof RequestInvalid) throw usage(`not sent: ${error.message}`);
    throw error;
  }
}
function refusal(reply, what2) {
  const detail = problemMessage(reply.problem) ?? `HTTP ${reply.status}`;
  const code = reply.problem?.code;
  const hint = reply.status === 401 ? " — the token is wrong, expired or revoked: run `ksb login` again" : reply.status === 403 ? " — this credential may not do this: ask the broker's admin" : code === "not_found" && /no route/.test(detail) ? " — this broker does not have this endpoint (an older version?)" : "";
  const exit = reply.status === 400 || reply.status === 413 ? EXIT.usage : EXIT.failed;
  return new CliError(`${what2}: ${detail}${code ? ` [${code}]` : ""}${hint}`, exit);
}
function mismatch(reply, what2) {
  return new CliError(
    `${what2}: the broker's answer (HTTP ${reply.status}) does not match this CLI's contract (${reply.mismatch.join(", ") || "not JSON"}): is the URL the broker's, and are the CLI and the broker the same version?`
  );
}

// cli/kubeconfig-files.ts
import { existsSync as existsSync2, readFileSync as readFileSync3 } from "node:fs";
import { homedir as homedir2 } from "node:os";
import { delimiter, dirname as dirname2, isAbsolute, resolve } from "node:path";
import { parse, stringify as stringify2 } from "yaml";
function byName(list2, name) {
  return Array.isArray(list2) ? list2.find((e) => e && typeof e === "object" && e.name === name) : void 0;
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
      doc = parse(readFileSync3(path, "utf8")) ?? {};
    } catch {
      throw usage(`${path} is not a kubeconfig (not YAML): check it with kubectl config view`);
    }
    if (typeof doc !== "object" || Array.isArray(doc)) throw usage(`${path} is not a kubeconfig`);
    absolutize(doc, dirname2(path));
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
  return stringify2(merged);
}
function fileToData(entry, fileKey, dataKey) {
  const path = entry[fileKey];
  if (typeof path === "string" && !entry[dataKey]) {
    try {
      entry[dataKey] = readFileSync3(path).toString("base64");
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
        u.token = readFileSync3(tokenFile, "utf8").trim();
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

// cli/output.ts
import Table from "cli-table3";
import { Listr } from "listr2";
function consoleOut(format) {
  return {
    format,
    tty: process.stdout.isTTY === true && format === "text",
    print: (line) => process.stdout.write(`${line}
`),
    note: (line) => process.stderr.write(`${line}
`)
  };
}
function lineText(l) {
  return `${l.ok ? "✔" : "✖"} ${l.cluster}  ${l.text}${l.detail ? `: ${l.detail}` : ""}`;
}
async function showClusters(out, lines, waiting) {
  const names2 = [...lines.keys()];
  if (out.format === "json") {
    return await Promise.all(names2.map((n) => lines.get(n)));
  }
  if (!out.tty) {
    const done = names2.map(
      (n) => lines.get(n).then((l) => {
        out.print(lineText(l));
        return l;
      })
    );
    return await Promise.all(done);
  }
  const settled = /* @__PURE__ */ new Map();
  const list2 = new Listr(
    names2.map((cluster) => ({
      title: waiting ? `${cluster}  ${waiting}` : cluster,
      task: async (_ctx, task) => {
        const l = await lines.get(cluster);
        settled.set(cluster, l);
        task.title = `${cluster}  ${l.text}`;
        if (!l.ok) throw new Error(l.detail ?? l.text);
      }
    })),
    {
      concurrent: true,
      exitOnError: false,
      rendererOptions: { collapseErrors: false, showErrorMessage: true, formatOutput: "wrap" }
    }
  );
  await list2.run().catch(() => void 0);
  return names2.map((n) => settled.get(n));
}
async function withSpinner(out, title, work) {
  if (!out.tty) return await work;
  let value;
  const list2 = new Listr(
    [
      {
        title,
        task: async () => {
          value = await work;
        }
      }
    ],
    {
      exitOnError: true,
      rendererOptions: { clearOutput: true }
    }
  );
  try {
    await list2.run();
  } catch {
    return await work;
  }
  return value;
}
function summary(verb, lines) {
  const failed = lines.filter((l) => !l.ok);
  const n = lines.length;
  const of = `${n} cluster${n === 1 ? "" : "s"}`;
  if (n === 0)
    return "✖ no cluster was targeted: check --clusters and what your credential may use";
  if (failed.length === 0) return `✔ ${verb} ${n} of ${of}`;
  const which = failed.map((l) => `${l.cluster} (${l.text.replace(/^error /, "")})`).join(", ");
  return `✖ ${failed.length} of ${of} failed: ${which}${failed.length < n ? `; ${verb.toLowerCase()} the other ${n - failed.length}` : ""}`;
}
function keyList(keys, max = 8) {
  if (keys.length === 0) return "–";
  return `${keys.slice(0, max).join(", ")}${keys.length > max ? `, … (${keys.length})` : ""}`;
}
function table(head, rows) {
  const t = new Table({
    head,
    style: { head: [], border: [], compact: true, "padding-left": 0, "padding-right": 0 },
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  "
    }
  });
  t.push(...rows);
  return t.toString().split("\n").map((l) => l.trimEnd()).join("\n");
}
function json(out, value) {
  out.print(JSON.stringify(value, null, 2));
}

// cli/direct.ts
import pLimit2 from "p-limit";

// konduktor/fanout.ts
import pLimit from "p-limit";
function isFailure(result) {
  return result.status === "error";
}
function classifyByShape(error) {
  if (error && typeof error === "object" && typeof error.code === "string") {
    const e = error;
    return {
      code: e.code,
      message: typeof e.message === "string" && e.message ? e.message : e.code,
      retryable: e.retryable === true,
      ...typeof e.retryAfterSeconds === "number" ? { retryAfterSeconds: e.retryAfterSeconds } : {}
    };
  }
  return { code: "internal_error", message: "unexpected error", retryable: false };
}
var DeadlineExceeded = class extends Error {
};
function backoffDelay(attempt, base, max, random, retryAfterSeconds) {
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const floor = retryAfterSeconds !== void 0 ? retryAfterSeconds * 1e3 : 0;
  return Math.max(jittered, floor);
}
async function oneCluster(cluster, op, o) {
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const controller = new AbortController();
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DeadlineExceeded("deadline"));
      reject(new DeadlineExceeded("deadline"));
    }, o.timeoutMs);
  });
  expired.catch(() => {
  });
  let attempts = 0;
  let last;
  try {
    for (; ; ) {
      attempts++;
      try {
        const value = await Promise.race([op(cluster, controller.signal), expired]);
        return { ...value, cluster, attempts, durationMs: Date.now() - started };
      } catch (error) {
        if (error instanceof DeadlineExceeded) throw error;
        last = o.classify(error);
        if (!last.retryable || attempts > o.retries) break;
        const delay = backoffDelay(
          attempts,
          o.baseDelayMs,
          o.maxDelayMs,
          o.random,
          last.retryAfterSeconds
        );
        if (Date.now() + delay >= deadline) break;
        await Promise.race([new Promise((r) => setTimeout(r, delay)), expired]);
      }
    }
  } catch (error) {
    if (!(error instanceof DeadlineExceeded)) throw error;
    const message = last ? `no answer within ${o.timeoutMs} ms after ${attempts} attempt(s); last error: ${last.message}` : `no answer within ${o.timeoutMs} ms`;
    return {
      cluster,
      status: "error",
      code: "timeout",
      message,
      retryable: true,
      attempts,
      durationMs: Date.now() - started
    };
  } finally {
    clearTimeout(timer);
  }
  const info = last ?? { code: "internal_error", message: "unexpected error", retryable: false };
  return {
    cluster,
    status: "error",
    code: info.code,
    message: info.message,
    retryable: info.retryable,
    attempts,
    durationMs: Date.now() - started
  };
}
async function fanout(clusters2, op, options = {}) {
  const o = {
    timeoutMs: options.timeoutMs ?? 1e4,
    retries: options.retries ?? 3,
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 2e3,
    classify: options.classify ?? classifyByShape,
    random: options.random ?? Math.random
  };
  const limit2 = pLimit(Math.max(1, options.concurrency ?? 8));
  return await Promise.all(clusters2.map((cluster) => limit2(() => oneCluster(cluster, op, o))));
}

// konduktor/kube/client-node-adapter.ts
import {
  ApiException as ApiException2,
  AuthorizationV1Api,
  CoreV1Api as CoreV1Api2,
  KubeConfig as KubeConfig2,
  Observable,
  PatchStrategy,
  VersionApi
} from "@kubernetes/client-node";

// konduktor/kube/errors.ts
var KubeError = class extends Error {
  name = "KubeError";
  code;
  httpStatus;
  /** worth retrying with backoff (429, 5xx, network, timeout) */
  retryable;
  retryAfterSeconds;
  cluster;
  namespace;
  verb;
  resource;
  objectName;
  causes;
  constructor(init) {
    super(init.message);
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.retryable = init.retryable ?? false;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.cluster = init.cluster;
    this.namespace = init.namespace;
    this.verb = init.verb;
    this.resource = init.resource;
    this.objectName = init.name;
    this.causes = init.causes ?? [];
  }
  /** A plain object for JSON answers and logs (no stack, no values). */
  toJSON() {
    return {
      code: this.code,
      message: this.message,
      ...this.httpStatus === void 0 ? {} : { httpStatus: this.httpStatus },
      retryable: this.retryable,
      ...this.retryAfterSeconds === void 0 ? {} : { retryAfterSeconds: this.retryAfterSeconds },
      ...this.cluster === void 0 ? {} : { cluster: this.cluster },
      ...this.causes.length ? { causes: this.causes } : {}
    };
  }
};
function asStatus(body) {
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return void 0;
    }
  }
  if (body && typeof body === "object" && body.kind === "Status") {
    return body;
  }
  return void 0;
}
function cleanServerText(text, max = 200) {
  const cleaned = text.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/`(?:[^`\\]|\\.)*`/g, "`…`").replace(/\s+/g, " ").trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}
function causesOf(status) {
  const raw = status?.details?.causes;
  if (!Array.isArray(raw)) return [];
  return raw.slice(0, 20).map((c) => ({
    field: typeof c.field === "string" ? cleanServerText(c.field, 120) : "",
    ...typeof c.reason === "string" ? { reason: c.reason } : {},
    message: typeof c.message === "string" ? cleanServerText(c.message) : ""
  }));
}
function where(ctx) {
  const parts = [];
  if (ctx.namespace) parts.push(`in namespace "${ctx.namespace}"`);
  if (ctx.cluster) parts.push(`on cluster "${ctx.cluster}"`);
  return parts.length ? ` ${parts.join(" ")}` : "";
}
function what(ctx) {
  const resource = singular(ctx.resource ?? "secrets");
  return ctx.name ? `${resource} "${ctx.name}"` : resource;
}
function singular(resource) {
  return resource.endsWith("s") ? resource.slice(0, -1) : resource;
}
function parseRetryAfter(value) {
  if (!value) return void 0;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1e3));
  return void 0;
}
function kubeErrorFromResponse(httpStatus, body, ctx) {
  const status = asStatus(body);
  const reason = typeof status?.reason === "string" ? status.reason : "";
  const detailsKind = typeof status?.details?.kind === "string" ? status.details.kind : void 0;
  const serverMessage = typeof status?.message === "string" ? status.message : "";
  const causes = causesOf(status);
  const retryAfterSeconds = parseRetryAfter(ctx.retryAfterHeader) ?? (typeof status?.details?.retryAfterSeconds === "number" ? status.details.retryAfterSeconds : void 0);
  const base = {
    httpStatus,
    cluster: ctx.cluster,
    namespace: ctx.namespace,
    verb: ctx.verb,
    resource: ctx.resource ?? detailsKind,
    name: ctx.name,
    server: ctx.server
  };
  const w = where(ctx);
  if (httpStatus === 401) {
    return new KubeError({
      ...base,
      code: "unauthorized",
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} did not accept the credentials (401 Unauthorized): the token or client certificate in the kubeconfig is wrong or expired; renew it`
    });
  }
  if (httpStatus === 403) {
    const m = /cannot (\w+) resource "([^"]*)"/.exec(serverMessage);
    const verb = m?.[1] ?? ctx.verb ?? "access";
    const resource = m?.[2] || ctx.resource || detailsKind || "secrets";
    return new KubeError({
      ...base,
      verb,
      resource,
      code: "forbidden",
      message: `not allowed to ${verb} ${resource}${w} (403 Forbidden): grant the kubeconfig's user the RBAC verb "${verb}" on "${resource}" in that namespace`
    });
  }
  if (httpStatus === 404) {
    return new KubeError({
      ...base,
      code: "not_found",
      message: `${what(ctx)} not found${w}`
    });
  }
  if (httpStatus === 409) {
    if (reason === "AlreadyExists") {
      return new KubeError({
        ...base,
        code: "already_exists",
        message: `${what(ctx)} already exists${w}`
      });
    }
    return new KubeError({
      ...base,
      code: "conflict",
      message: `${what(ctx)} was changed by someone else while this operation ran${w} (409 Conflict): read it again and retry`
    });
  }
  if (httpStatus === 413 || causes.some((c) => c.reason === "FieldValueTooLong" && /^data/.test(c.field))) {
    return new KubeError({
      ...base,
      code: "too_large",
      causes,
      message: `${what(ctx)} is too large for the cluster${w}: Kubernetes allows at most 1 MiB of values per secret`
    });
  }
  if (httpStatus === 422 || httpStatus === 400) {
    const detail = causes.length ? `: ${causes.map((c) => c.field ? `${c.field}: ${c.message}` : c.message).join("; ")}` : "";
    return new KubeError({
      ...base,
      code: "invalid",
      causes,
      message: `the cluster rejected ${what(ctx)} as invalid${w}${detail}`
    });
  }
  if (httpStatus === 429) {
    return new KubeError({
      ...base,
      code: "throttled",
      retryable: true,
      retryAfterSeconds,
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} asked to slow down (429 Too Many Requests)${retryAfterSeconds === void 0 ? "" : `; retry after ${retryAfterSeconds} s`}`
    });
  }
  if (httpStatus === 405 || httpStatus === 415 || httpStatus === 406 || httpStatus === 501) {
    return new KubeError({
      ...base,
      code: "unsupported",
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} does not support this request (HTTP ${httpStatus})`
    });
  }
  if (httpStatus === 504 || reason === "Timeout" || reason === "ServerTimeout") {
    return new KubeError({
      ...base,
      code: "timeout",
      retryable: true,
      retryAfterSeconds,
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} timed out (HTTP ${httpStatus}); retry later`
    });
  }
  if (httpStatus >= 500) {
    return new KubeError({
      ...base,
      code: "server_error",
      retryable: true,
      retryAfterSeconds,
      message: `the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} answered with a server error (HTTP ${httpStatus}); retry later`
    });
  }
  return new KubeError({
    ...base,
    code: "unsupported",
    message: `unexpected answer from the cluster${ctx.cluster ? ` "${ctx.cluster}"` : ""} (HTTP ${httpStatus})`
  });
}
var TLS_CODES = /* @__PURE__ */ new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_SSL_WRONG_VERSION_NUMBER"
]);
function errorChain(error) {
  const chain = [];
  let current = error;
  for (let i = 0; i < 5 && current && typeof current === "object"; i++) {
    const e = current;
    chain.push({
      name: typeof e.name === "string" ? e.name : void 0,
      code: typeof e.code === "string" ? e.code : void 0
    });
    current = e.cause;
  }
  return chain;
}
function kubeErrorFromNetwork(error, ctx) {
  if (error instanceof KubeError) return error;
  const chain = errorChain(error);
  const at = ctx.server ? ` at ${safeOrigin(ctx.server)}` : "";
  const cluster = ctx.cluster ? `cluster "${ctx.cluster}"` : "the cluster";
  const base = {
    cluster: ctx.cluster,
    namespace: ctx.namespace,
    verb: ctx.verb,
    resource: ctx.resource,
    name: ctx.name,
    server: ctx.server
  };
  if (chain.some(
    (e) => e.name === "TimeoutError" || e.code === "UND_ERR_CONNECT_TIMEOUT" || e.code === "UND_ERR_HEADERS_TIMEOUT" || e.code === "UND_ERR_BODY_TIMEOUT" || e.code === "ETIMEDOUT"
  )) {
    return new KubeError({
      ...base,
      code: "timeout",
      retryable: true,
      message: `${cluster}${at} did not answer in time${ctx.timeoutMs ? ` (${ctx.timeoutMs} ms)` : ""}`
    });
  }
  const tls = chain.find(
    (e) => e.code && (TLS_CODES.has(e.code) || e.code.startsWith("ERR_TLS") || e.code.startsWith("ERR_SSL"))
  );
  if (tls) {
    return new KubeError({
      ...base,
      code: "unreachable",
      retryable: false,
      message: `the TLS connection to ${cluster}${at} failed (${tls.code}): check the kubeconfig's certificate-authority-data, server name and client certificate`
    });
  }
  if (chain.some((e) => e.name === "AbortError")) {
    return new KubeError({
      ...base,
      code: "timeout",
      retryable: true,
      message: `the request to ${cluster}${at} was aborted`
    });
  }
  const code = chain.find((e) => e.code)?.code;
  const hint = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host name not found",
    EAI_AGAIN: "host name lookup failed",
    ECONNRESET: "connection reset",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    UND_ERR_SOCKET: "connection closed"
  };
  const detail = code ? hint[code] ?? code : "network error";
  return new KubeError({
    ...base,
    code: "unreachable",
    retryable: true,
    message: `cannot reach ${cluster}${at} (${detail}): check the kubeconfig's server address and the network`
  });
}
function safeOrigin(server) {
  try {
    return new URL(server).origin;
  } catch {
    return "(invalid server URL)";
  }
}

// konduktor/kube/adapter-common.ts
var DEFAULT_TIMEOUT_MS = 1e4;
function callSignal(timeoutMs, outer) {
  const timeout = AbortSignal.timeout(timeoutMs);
  if (!outer) return timeout;
  if (typeof AbortSignal.any === "function") return AbortSignal.any([outer, timeout]);
  const controller = new AbortController();
  const abort = (s) => () => controller.abort(s.reason);
  outer.addEventListener("abort", abort(outer), { once: true });
  timeout.addEventListener("abort", abort(timeout), { once: true });
  if (outer.aborted) controller.abort(outer.reason);
  return controller.signal;
}
function noAnswerError(error, ctx, timeoutMs, signal) {
  if (signal?.aborted) {
    return new KubeError({
      ...ctx,
      code: "timeout",
      retryable: true,
      message: `the request to cluster "${ctx.cluster}" was cancelled (deadline reached)`
    });
  }
  return kubeErrorFromNetwork(error, { ...ctx, timeoutMs });
}
function patchWithResourceVersion(patch, resourceVersion) {
  if (resourceVersion === void 0) return patch;
  const p = patch ?? {};
  return { ...p, metadata: { ...p.metadata ?? {}, resourceVersion } };
}
function deletePreconditions(precondition) {
  return precondition && (precondition.uid || precondition.resourceVersion) ? {
    ...precondition.uid ? { uid: precondition.uid } : {},
    ...precondition.resourceVersion ? { resourceVersion: precondition.resourceVersion } : {}
  } : void 0;
}
function requireResourceVersion(secret, cluster, namespace) {
  const name = secret.metadata.name;
  if (!secret.metadata.resourceVersion) {
    throw new KubeError({
      code: "invalid",
      cluster,
      namespace,
      name,
      verb: "update",
      message: `replacing secret "${name}" needs the resourceVersion it was read at (metadata.resourceVersion)`
    });
  }
}

// konduktor/kube/kubeconfig.ts
import { parse as parse2, parseDocument } from "yaml";

// konduktor/secret.ts
import { zipSync } from "fflate";
var LABEL_PARENT = "parent";
var PARENT_VALUE = "konduktor";
var LABEL_OWNER = "trainy.ai/secret-owner";
var LABEL_BASENAME = "trainy.ai/secret-basename";
var LABEL_KIND = "trainy.ai/secret-kind";
var GIT_SSH_KEY = "gitkey";
var DIRECTORY_KEY = "payload.zip";
var MAX_SECRET_BYTES = 1048576;
var MAX_BASENAME_LENGTH = 63;
var MAX_KEY_LENGTH = 253;
var OWNER_RE = /^[0-9a-f]{8}$/;
var DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
var KEY_RE = /^[-._a-zA-Z0-9]+$/;
var ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
var ZIP_MTIME = new Date(1980, 0, 1, 12, 0, 0);
var ValidationError = class _ValidationError extends Error {
  name = "ValidationError";
  code = "invalid_input";
  field;
  /** every problem found (this error alone when there is one) */
  problems;
  constructor(field, message, problems) {
    super(message);
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
function secretName(basename3, owner) {
  return `${basename3}-${owner}`;
}
function secretLabels(owner, basename3, kind = "default") {
  return {
    [LABEL_PARENT]: PARENT_VALUE,
    [LABEL_OWNER]: owner,
    [LABEL_BASENAME]: basename3,
    [LABEL_KIND]: kind
  };
}
function isSecretKind(value) {
  return typeof value === "string" && SECRET_KINDS.includes(value);
}
function validateOwner(owner, field = "owner") {
  if (typeof owner !== "string" || !OWNER_RE.test(owner)) {
    return [
      new ValidationError(
        field,
        `${field} must be 8 lowercase hexadecimal characters (0-9, a-f), like "0a1b2c3d": use the hash in ~/.konduktor/user_hash or the owner your credential is bound to`
      )
    ];
  }
  return [];
}
function validateBasename(basename3, field = "basename") {
  if (typeof basename3 !== "string" || basename3.length === 0) {
    return [
      new ValidationError(field, `${field} is missing: give the secret a name, like "my-token"`)
    ];
  }
  if (basename3.length > MAX_BASENAME_LENGTH) {
    return [
      new ValidationError(
        field,
        `${field} is ${basename3.length} characters long; it is also a label value, so it may have at most ${MAX_BASENAME_LENGTH}: choose a shorter name`
      )
    ];
  }
  if (!DNS_LABEL_RE.test(basename3)) {
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
    const field = `source.files[${i}]`;
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
  if (entries.length === 0) {
    problems.push(
      new ValidationError(
        "source.entries",
        "source.entries is empty: the directory has no files; add at least one file"
      )
    );
  }
  const root = /* @__PURE__ */ Object.create(null);
  const seen = /* @__PURE__ */ new Map();
  entries.forEach((entry, i) => {
    const field = `source.entries[${i}].path`;
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
          `source.entries[${i}].content`,
          `source.entries[${i}].content must be bytes`
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
  if (problems.length === 0) problems.push(...validateSize(data));
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
  const basename3 = labels[LABEL_BASENAME];
  if (!owner || !basename3) return null;
  const kind = labels[LABEL_KIND];
  return { owner, basename: basename3, kind: isSecretKind(kind) ? kind : "(none)" };
}

// konduktor/kube/kubeconfig.ts
var KubeconfigError = class extends Error {
  name = "KubeconfigError";
  code = "invalid_kubeconfig";
  /** the kubeconfig field at fault, e.g. `users[ci].user.exec` */
  field;
  constructor(field, message) {
    super(message);
    this.field = field;
  }
};
function isObj(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
function str(value) {
  return typeof value === "string" && value.length > 0 ? value : void 0;
}
function named(list2, listName, name) {
  if (!Array.isArray(list2)) return void 0;
  for (const item of list2) {
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
function names(list2) {
  if (!Array.isArray(list2)) return [];
  return list2.flatMap((i) => isObj(i) && typeof i.name === "string" ? [i.name] : []);
}
var FLATTEN = "embed it with `kubectl config view --raw --minify --flatten --context <name>`";
function decodePem(value, field, what2) {
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
      `${field} does not decode to a PEM ${what2} (no "-----BEGIN" line): ${FLATTEN}`
    );
  }
  return text;
}
function isLoopbackHost(hostname2) {
  const host = hostname2.toLowerCase().replace(/\.$/, "");
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}
function parseKubeconfig(text, options = {}) {
  const runtime = options.runtime ?? "node";
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
  const serverRaw = str(cluster.server);
  if (!serverRaw) {
    throw new KubeconfigError(
      `${cField}.server`,
      `${cField}.server is missing: give the API server's https:// URL`
    );
  }
  let serverUrl;
  try {
    serverUrl = new URL(serverRaw);
  } catch {
    throw new KubeconfigError(
      `${cField}.server`,
      `${cField}.server is not a URL: give the API server's https:// URL`
    );
  }
  if (serverUrl.protocol !== "https:" && serverUrl.protocol !== "http:") {
    throw new KubeconfigError(`${cField}.server`, `${cField}.server must be an https:// URL`);
  }
  if (serverUrl.protocol === "http:" && !isLoopbackHost(serverUrl.hostname)) {
    if (runtime === "edge") {
      throw new KubeconfigError(
        `${cField}.server`,
        `${cField}.server is plain http:// to a host that is not this machine, which would send the credentials unencrypted: use the API server's https:// URL (http:// is allowed only for localhost, 127.0.0.0/8 and ::1)`
      );
    }
  }
  if (serverUrl.username || serverUrl.password) {
    throw new KubeconfigError(
      `${cField}.server`,
      `${cField}.server must not contain a user name or password: put credentials in the user entry`
    );
  }
  const server = serverUrl.href.replace(/\/+$/, "");
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
    const doc = parse2(text);
    if (!isObj(doc)) return { names: [], current: null };
    return { names: names(doc.contexts), current: str(doc["current-context"]) ?? null };
  } catch {
    return { names: [], current: null };
  }
}

// konduktor/kube/client-node-adapter.ts
function plain(value) {
  return JSON.parse(
    JSON.stringify(value ?? null),
    (key, v) => key === "creationTimestamp" && typeof v === "string" ? v.replace(/\.000Z$/, "Z") : v
  );
}
function outgoing(secret, namespace) {
  const { creationTimestamp: _c, ...metadata } = secret.metadata;
  delete metadata.managedFields;
  return { ...secret, apiVersion: "v1", kind: "Secret", metadata: { ...metadata, namespace } };
}
function createClientNodeKubeSecrets(options) {
  let kc;
  if (typeof options.kubeconfig === "string") {
    parseKubeconfig(options.kubeconfig, { context: options.context, runtime: "node" });
    kc = new KubeConfig2();
    try {
      kc.loadFromString(options.kubeconfig);
    } catch {
      throw new KubeconfigError(
        "kubeconfig",
        "the kubeconfig could not be loaded by @kubernetes/client-node: check it with `kubectl config view`"
      );
    }
  } else {
    kc = options.kubeconfig;
  }
  if (options.context) kc.setCurrentContext(options.context);
  const contextObject = kc.getContextObject(kc.getCurrentContext());
  const kcCluster = kc.getCurrentCluster();
  if (!kcCluster) {
    throw new KubeconfigError(
      "current-context",
      "the kubeconfig has no usable current context: set current-context or name a context"
    );
  }
  const namespace = options.namespace ?? contextObject?.namespace ?? "default";
  const cluster = options.cluster ?? kcCluster.name;
  const server = kcCluster.server;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const core = kc.makeApiClient(CoreV1Api2);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const versionApi = kc.makeApiClient(VersionApi);
  const timeoutMiddleware = {
    pre: (ctx) => {
      ctx.setSignal(callSignal(timeoutMs, options.signal));
      return new Observable(Promise.resolve(ctx));
    },
    post: (resp) => new Observable(Promise.resolve(resp))
  };
  const callOptions = {
    middleware: [timeoutMiddleware],
    middlewareMergeStrategy: "append"
  };
  const patchOptions = {
    middleware: [
      timeoutMiddleware,
      {
        pre: (ctx) => {
          ctx.setHeaderParam("Content-Type", PatchStrategy.MergePatch);
          return new Observable(Promise.resolve(ctx));
        },
        post: (resp) => new Observable(Promise.resolve(resp))
      }
    ],
    middlewareMergeStrategy: "append"
  };
  async function run2(ctx, fn) {
    const full = {
      resource: "secrets",
      ...ctx,
      cluster,
      namespace,
      server
    };
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ApiException2) {
        const headers = error.headers ?? {};
        throw kubeErrorFromResponse(error.code, error.body, {
          ...full,
          retryAfterHeader: headers["retry-after"] ?? null
        });
      }
      if (error instanceof KubeError) throw error;
      throw noAnswerError(error, full, timeoutMs, options.signal);
    }
  }
  return {
    namespace,
    cluster,
    async get(name) {
      try {
        return await run2(
          { verb: "get", name },
          async () => plain(await core.readNamespacedSecret({ name, namespace }, callOptions))
        );
      } catch (error) {
        if (error instanceof KubeError && error.code === "not_found") return null;
        throw error;
      }
    },
    async list(labelSelector) {
      return await run2({ verb: "list" }, async () => {
        const items = [];
        let cont;
        for (let page = 0; page < 1e3; page++) {
          const result = await core.listNamespacedSecret(
            {
              namespace,
              ...labelSelector ? { labelSelector } : {},
              limit: 500,
              ...cont ? { _continue: cont } : {}
            },
            callOptions
          );
          items.push(...plain(result.items ?? []));
          cont = result.metadata?._continue || void 0;
          if (!cont) break;
        }
        return items;
      });
    },
    async create(secret) {
      return await run2(
        { verb: "create", name: secret.metadata.name },
        async () => plain(
          await core.createNamespacedSecret(
            { namespace, body: outgoing(secret, namespace) },
            callOptions
          )
        )
      );
    },
    async mergePatch(name, patch, resourceVersion) {
      const body = patchWithResourceVersion(patch, resourceVersion);
      return await run2(
        { verb: "patch", name },
        async () => plain(
          await core.patchNamespacedSecret({ name, namespace, body }, patchOptions)
        )
      );
    },
    async replace(secret) {
      const name = secret.metadata.name;
      requireResourceVersion(secret, cluster, namespace);
      return await run2(
        { verb: "update", name },
        async () => plain(
          await core.replaceNamespacedSecret(
            { name, namespace, body: outgoing(secret, namespace) },
            callOptions
          )
        )
      );
    },
    async delete(name, precondition) {
      const preconditions = deletePreconditions(precondition);
      await run2({ verb: "delete", name }, async () => {
        await core.deleteNamespacedSecret(
          { name, namespace, ...preconditions ? { body: { preconditions } } : {} },
          callOptions
        );
      });
    },
    async version() {
      return await run2({ verb: "get", resource: "version" }, async () => {
        const v = await versionApi.getCode({}, callOptions);
        return v.gitVersion ?? "unknown";
      });
    },
    async canI(verbs) {
      const answers = await Promise.all(
        verbs.map(async (verb) => {
          const review = await run2(
            { verb: "create", resource: "selfsubjectaccessreviews" },
            async () => await authz.createSelfSubjectAccessReview(
              {
                body: {
                  apiVersion: "authorization.k8s.io/v1",
                  kind: "SelfSubjectAccessReview",
                  spec: { resourceAttributes: { namespace, verb, resource: "secrets" } }
                }
              },
              callOptions
            )
          );
          return [verb, review.status?.allowed === true];
        })
      );
      return Object.fromEntries(answers);
    }
  };
}

// konduktor/ops.ts
var ANNOTATION_MANAGED_KEYS = "konduktor-broker/managed-keys";
var ANNOTATION_UPDATED_BY = "konduktor-broker/updated-by";
var ANNOTATION_UPDATED_VIA = "konduktor-broker/updated-via";
var ANNOTATION_UPDATED_AT = "konduktor-broker/updated-at";
var ANNOTATION_CONTENT_DIGEST = "konduktor-broker/content-digest";
var ANNOTATION_PLACEMENT = "konduktor-broker/placement";
function parsePlacement(raw) {
  const names2 = (raw ?? "").split(",").map((n) => n.trim()).filter((n) => n.length > 0);
  if (names2.length === 0 || names2.includes("all")) return "all";
  return [...new Set(names2)].sort();
}
function formatPlacement(placement) {
  return placement === "all" ? "all" : [...new Set(placement)].sort().join(",");
}
var DEFAULT_CONFLICT_RETRIES = 12;
async function digestValues(data) {
  const keys = Object.keys(data ?? {}).sort();
  const digests = {};
  let lines = "";
  for (const key of keys) {
    const hex = await sha256Hex(base64ToBytes(data[key] ?? ""));
    digests[key] = `sha256:${hex}`;
    lines += `${key}\0${hex}
`;
  }
  return { digests, contentDigest: `sha256:${await sha256Hex(utf8(lines))}` };
}
function parseManagedKeys(secret) {
  const raw = secret?.metadata.annotations?.[ANNOTATION_MANAGED_KEYS];
  if (!raw) return [];
  return raw.split(",").map((k) => k.trim()).filter((k) => k.length > 0);
}
function sameLabels(existing, wanted) {
  return Object.entries(wanted).every(([k, v]) => existing?.[k] === v);
}
function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
function identityOfDesired(desired) {
  const labels = desired?.metadata?.labels ?? {};
  const owner = labels[LABEL_OWNER];
  const basename3 = labels[LABEL_BASENAME];
  const kind = labels[LABEL_KIND] ?? "default";
  const problems = [
    ...validateOwner(owner, `metadata.labels["${LABEL_OWNER}"]`),
    ...validateBasename(basename3, `metadata.labels["${LABEL_BASENAME}"]`)
  ];
  if (!isSecretKind(kind)) {
    problems.push(
      new ValidationError(
        `metadata.labels["${LABEL_KIND}"]`,
        `metadata.labels["${LABEL_KIND}"] must be default, env or git-ssh: build the secret with buildSecret()`
      )
    );
  }
  if (problems.length === 0 && desired.metadata.name !== secretName(basename3, owner)) {
    problems.push(
      new ValidationError(
        "metadata.name",
        "metadata.name must be <basename>-<owner>: build the secret with buildSecret()"
      )
    );
  }
  if (problems.length > 0) throw ValidationError.of(problems);
  return {
    owner,
    basename: basename3,
    kind,
    name: desired.metadata.name
  };
}
function notOwner(kube, name, owner, existing) {
  const other = existing.metadata.labels?.[LABEL_OWNER];
  return new KubeError({
    code: "not_owner",
    cluster: kube.cluster,
    namespace: kube.namespace,
    name,
    message: other ? `secret "${name}" in namespace "${kube.namespace}" on cluster "${kube.cluster}" belongs to another owner: it is left untouched; choose another name` : `a Secret named "${name}" exists in namespace "${kube.namespace}" on cluster "${kube.cluster}" but is not a Konduktor secret of owner ${owner}: it is left untouched; choose another name`
  });
}
async function plan(kube, id, desired, options) {
  const existing = await kube.get(id.name);
  if (existing && existing.metadata.labels?.[LABEL_OWNER] !== id.owner) {
    throw notOwner(kube, id.name, id.owner, existing);
  }
  const oldData = existing?.data ?? {};
  const want = desired.data ?? {};
  const wantKeys = Object.keys(want);
  const oldManaged = parseManagedKeys(existing);
  let data;
  let managed;
  if (options.mode === "replace") {
    data = { ...want };
    managed = new Set(wantKeys);
  } else {
    data = { ...oldData, ...want };
    managed = /* @__PURE__ */ new Set([...oldManaged.filter((k) => k in oldData), ...wantKeys]);
    if (options.prune) {
      for (const key of oldManaged) {
        if (!(key in want)) {
          delete data[key];
          managed.delete(key);
        }
      }
    }
  }
  const added = Object.keys(data).filter((k) => !(k in oldData)).sort();
  const changed = Object.keys(data).filter((k) => k in oldData && oldData[k] !== data[k]).sort();
  const removed = Object.keys(oldData).filter((k) => !(k in data)).sort();
  const size = decodedSize(data);
  if (size > MAX_SECRET_BYTES) {
    throw new KubeError({
      code: "too_large",
      cluster: kube.cluster,
      namespace: kube.namespace,
      name: id.name,
      message: `secret "${id.name}" would hold ${size.toLocaleString("en-US")} bytes of values after this change; Kubernetes allows at most ${MAX_SECRET_BYTES.toLocaleString("en-US")} bytes (1 MiB): remove keys or split the secret`
    });
  }
  const managedSorted = [...managed].sort();
  const dataChanged = !existing || added.length + changed.length + removed.length > 0;
  let unchanged = false;
  if (existing) {
    unchanged = !dataChanged && sameLabels(existing.metadata.labels, secretLabels(id.owner, id.basename, id.kind)) && [...oldManaged].sort().join(",") === managedSorted.join(",") && (!options.immutable || existing.immutable === true) && (options.placement === void 0 || (existing.metadata.annotations?.[ANNOTATION_PLACEMENT] ?? "all") === options.placement);
  }
  return {
    existing,
    data,
    managed: managedSorted,
    added,
    changed,
    removed,
    unchanged,
    dataChanged
  };
}
function provenanceAnnotations(p, at) {
  return {
    [ANNOTATION_UPDATED_BY]: p.actor,
    [ANNOTATION_UPDATED_VIA]: p.via,
    [ANNOTATION_UPDATED_AT]: at
  };
}
async function applySecret(kube, desired, options) {
  const id = identityOfDesired(desired);
  const at = options.provenance.at ?? (/* @__PURE__ */ new Date()).toISOString();
  const retries = options.mode === "replace" ? 0 : DEFAULT_CONFLICT_RETRIES;
  const otherGitSsh = async () => (await kube.list(`${LABEL_OWNER}=${id.owner},${LABEL_KIND}=git-ssh`)).filter(
    (s) => s.metadata.name !== id.name && s.metadata.labels?.[LABEL_OWNER] === id.owner
  );
  const mayDelete = (s) => !options.mayDelete || options.mayDelete(s.metadata.labels?.[LABEL_BASENAME] ?? "");
  if (id.kind === "git-ssh" && options.mayDelete) {
    const blocked = (await otherGitSsh()).filter((s) => !mayDelete(s));
    if (blocked.length > 0) {
      throw new KubeError({
        code: "forbidden",
        cluster: kube.cluster,
        namespace: kube.namespace,
        name: id.name,
        message: `owner ${id.owner} has the git-ssh secret ${blocked.map((s) => `"${s.metadata.labels?.[LABEL_BASENAME] ?? s.metadata.name}"`).sort().join(
          ", "
        )} on cluster "${kube.cluster}", which this write would delete (git-ssh is one per owner) and may not touch: nothing was written`
      });
    }
  }
  let result;
  for (let attempt = 0; ; attempt++) {
    try {
      result = await applyOnce(kube, id, desired, options, at);
      break;
    } catch (error) {
      const raced = error instanceof KubeError && (error.code === "conflict" || error.code === "already_exists" || error.code === "not_found");
      if (!raced) throw error;
      const conflict = (retryable, what2) => new KubeError({
        code: "conflict",
        httpStatus: error.httpStatus,
        cluster: kube.cluster,
        namespace: kube.namespace,
        name: id.name,
        retryable,
        message: `secret "${id.name}" in namespace "${kube.namespace}" on cluster "${kube.cluster}" ${what2}`
      });
      if (options.mode === "replace") {
        throw conflict(
          false,
          "was changed by someone else during the replace: nothing was overwritten; read it and try again"
        );
      }
      if (attempt >= retries) {
        throw conflict(true, `kept changing under ${attempt + 1} attempts to merge: try again`);
      }
      await sleep(Math.random() * Math.min(1e3, 20 * 2 ** attempt));
    }
  }
  if (id.kind === "git-ssh") {
    const others = (await otherGitSsh()).filter(mayDelete);
    const replaced = [];
    for (const other of others) {
      if (!options.dryRun) {
        try {
          await kube.delete(other.metadata.name, { uid: other.metadata.uid });
          result.writes++;
        } catch (error) {
          if (!(error instanceof KubeError && error.code === "not_found")) throw error;
          continue;
        }
      }
      replaced.push(other.metadata.name);
    }
    result.replacedGitSsh = replaced.sort();
  }
  return result;
}
async function applyOnce(kube, id, desired, options, at) {
  const p = await plan(kube, id, desired, options);
  const base = {
    name: id.name,
    namespace: kube.namespace,
    added: p.added,
    changed: p.changed,
    removed: p.removed,
    dryRun: options.dryRun === true,
    ...p.existing ? {
      previousPlacement: parsePlacement(
        p.existing.metadata.annotations?.[ANNOTATION_PLACEMENT]
      )
    } : {}
  };
  if (p.unchanged) return { ...base, outcome: "unchanged", writes: 0 };
  const outcome = p.existing ? "updated" : "created";
  if (options.dryRun) return { ...base, outcome, writes: 0 };
  const labels = secretLabels(id.owner, id.basename, id.kind);
  const placement = options.placement ?? p.existing?.metadata.annotations?.[ANNOTATION_PLACEMENT];
  const annotations = {
    [ANNOTATION_MANAGED_KEYS]: p.managed.join(","),
    [ANNOTATION_CONTENT_DIGEST]: (await digestValues(p.data)).contentDigest,
    ...provenanceAnnotations(options.provenance, at),
    ...placement === void 0 ? {} : { [ANNOTATION_PLACEMENT]: placement }
  };
  const fresh = () => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: id.name, labels, annotations },
    type: "Opaque",
    ...options.immutable ? { immutable: true } : {},
    data: p.data
  });
  const existing = p.existing;
  if (!existing) {
    await kube.create(fresh());
    return { ...base, outcome, writes: 1 };
  }
  if (existing.immutable && p.dataChanged) {
    await kube.delete(id.name, {
      uid: existing.metadata.uid,
      resourceVersion: existing.metadata.resourceVersion
    });
    try {
      await kube.create(fresh());
    } catch (error) {
      if (error instanceof KubeError && error.code === "already_exists") {
        throw new KubeError({
          code: "conflict",
          cluster: kube.cluster,
          namespace: kube.namespace,
          name: id.name,
          message: `secret "${id.name}" was recreated by someone else while it was being replaced: read it and try again`
        });
      }
      throw error;
    }
    return { ...base, outcome, writes: 2 };
  }
  if (options.mode === "replace") {
    const { managedFields: _m, ...metadata } = existing.metadata;
    await kube.replace({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        ...metadata,
        labels: { ...existing.metadata.labels ?? {}, ...labels },
        annotations: { ...existing.metadata.annotations ?? {}, ...annotations }
      },
      type: existing.type ?? "Opaque",
      ...options.immutable || existing.immutable ? { immutable: true } : {},
      data: p.data
    });
    return { ...base, outcome, writes: 1 };
  }
  const dataPatch = {};
  for (const key of [...p.added, ...p.changed]) dataPatch[key] = p.data[key];
  for (const key of p.removed) dataPatch[key] = null;
  await kube.mergePatch(
    id.name,
    {
      metadata: { labels, annotations },
      ...Object.keys(dataPatch).length ? { data: dataPatch } : {},
      ...options.immutable && !existing.immutable ? { immutable: true } : {}
    },
    existing.metadata.resourceVersion
  );
  return { ...base, outcome, writes: 1 };
}
function toListing(secret) {
  const labels = secret.metadata.labels ?? {};
  return {
    name: secret.metadata.name,
    basename: labels[LABEL_BASENAME] || secret.metadata.name,
    kind: labels[LABEL_KIND] || "(none)",
    owner: labels[LABEL_OWNER] || null,
    keys: Object.keys(secret.data ?? {}).sort(),
    updatedAt: secret.metadata.annotations?.[ANNOTATION_UPDATED_AT] ?? secret.metadata.creationTimestamp ?? null
  };
}
function ownerOrThrow(owner) {
  const problems = validateOwner(owner);
  if (problems.length) throw ValidationError.of(problems);
}
async function findOwn(kube, owner, basename3) {
  const problems = [...validateOwner(owner), ...validateBasename(basename3)];
  if (problems.length) throw ValidationError.of(problems);
  const items = (await kube.list(`${LABEL_OWNER}=${owner},${LABEL_BASENAME}=${basename3}`)).filter(
    (s) => s.metadata.labels?.[LABEL_OWNER] === owner
  );
  if (items.length === 0) {
    throw new KubeError({
      code: "not_found",
      cluster: kube.cluster,
      namespace: kube.namespace,
      name: basename3,
      message: `owner ${owner} has no secret "${basename3}" in namespace "${kube.namespace}" on cluster "${kube.cluster}"`
    });
  }
  if (items.length > 1) {
    throw new KubeError({
      code: "ambiguous",
      cluster: kube.cluster,
      namespace: kube.namespace,
      name: basename3,
      message: `owner ${owner} has ${items.length} secrets with basename "${basename3}" in namespace "${kube.namespace}" on cluster "${kube.cluster}" (${items.map((s) => s.metadata.name).sort().join(", ")}): remove the extra ones with kubectl`
    });
  }
  return items[0];
}
async function describeSecret(kube, secret) {
  const { digests, contentDigest } = await digestValues(secret.data);
  const a = secret.metadata.annotations ?? {};
  const by = a[ANNOTATION_UPDATED_BY];
  const via = a[ANNOTATION_UPDATED_VIA];
  const recorded = a[ANNOTATION_CONTENT_DIGEST];
  return {
    ...toListing(secret),
    namespace: secret.metadata.namespace ?? kube.namespace,
    digests,
    contentDigest,
    immutable: secret.immutable === true,
    managedKeys: parseManagedKeys(secret).sort(),
    provenance: by || via ? {
      actor: by ?? "",
      via: via ?? "",
      ...a[ANNOTATION_UPDATED_AT] ? { at: a[ANNOTATION_UPDATED_AT] } : {}
    } : null,
    placement: parsePlacement(a[ANNOTATION_PLACEMENT]),
    editedOutsideBroker: recorded !== void 0 && recorded !== contentDigest
  };
}
async function describe(kube, owner, basename3) {
  return await describeSecret(kube, await findOwn(kube, owner, basename3));
}
async function deleteOwn(kube, owner, basename3) {
  const secret = await findOwn(kube, owner, basename3);
  await kube.delete(secret.metadata.name, { uid: secret.metadata.uid });
  return { name: secret.metadata.name, namespace: kube.namespace, writes: 1 };
}
function desiredCopy(secret, owner, basename3) {
  const kind = secret.metadata.labels?.[LABEL_KIND];
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secretName(basename3, owner),
      labels: secretLabels(owner, basename3, isSecretKind(kind) ? kind : "default")
    },
    type: "Opaque",
    data: { ...secret.data ?? {} }
  };
}
async function describeListing(kube, owner) {
  if (owner !== null) ownerOrThrow(owner);
  const items = await kube.list(owner === null ? "" : `${LABEL_OWNER}=${owner}`);
  const described = await Promise.all(items.map((s) => describeSecret(kube, s)));
  return described.sort(
    (a, b) => owner === null ? a.name.localeCompare(b.name) : a.basename.localeCompare(b.basename) || a.name.localeCompare(b.name)
  );
}

// konduktor/sync.ts
function tombstoneCovers(t, cluster) {
  if (!t) return false;
  if (t.clusters === "all") return !(t.except ?? []).includes(cluster);
  return t.clusters.includes(cluster);
}
function tombstoneDeletedAt(t, cluster) {
  if (!t || !tombstoneCovers(t, cluster)) return Number.NaN;
  return Date.parse(t.at?.[cluster] ?? t.deletedAt);
}
function writtenAt(d) {
  const t = Date.parse(d.provenance?.at ?? d.updatedAt ?? "");
  return Number.isNaN(t) ? 0 : t;
}
async function readCopies(kube, cluster, owners2) {
  const lists = owners2 === "all" ? [await kube.list(`${LABEL_PARENT}=${PARENT_VALUE}`)] : await Promise.all(owners2.map((o) => kube.list(`${LABEL_OWNER}=${o}`)));
  const wanted = owners2 === "all" ? null : new Set(owners2);
  const out = [];
  for (const secret of lists.flat()) {
    const id = konduktorIdentity(secret);
    if (!id) continue;
    if (wanted && !wanted.has(id.owner)) continue;
    if (validateOwner(id.owner).length || validateBasename(id.basename).length) continue;
    if (secret.metadata.name !== secretName(id.basename, id.owner)) continue;
    out.push({ cluster, secret, description: await describeSecret(kube, secret) });
  }
  return out;
}
function groupCopies(copies) {
  const bySecret = /* @__PURE__ */ new Map();
  for (const copy of copies) {
    const d = copy.description;
    const owner = d.owner;
    const key = `${owner}/${d.basename}`;
    let entry = bySecret.get(key);
    if (!entry) {
      entry = {
        owner,
        basename: d.basename,
        secretName: d.name,
        kind: d.kind,
        copies: /* @__PURE__ */ new Map()
      };
      bySecret.set(key, entry);
    }
    entry.copies.set(copy.cluster, copy);
  }
  return [...bySecret.values()].sort(
    (a, b) => a.owner.localeCompare(b.owner) || a.basename.localeCompare(b.basename)
  );
}
function compareKeys(reference, copy) {
  const ref = reference.digests;
  const got = copy.digests;
  return {
    missing: Object.keys(ref).filter((k) => !(k in got)).sort(),
    extra: Object.keys(got).filter((k) => !(k in ref)).sort(),
    changed: Object.keys(ref).filter((k) => k in got && got[k] !== ref[k]).sort()
  };
}
function isPlaced(d, cluster) {
  const placement = d?.placement ?? "all";
  return placement === "all" || placement.includes(cluster);
}
function chooseSource(candidates, named2) {
  if (named2) return candidates.has(named2) ? named2 : null;
  const count = /* @__PURE__ */ new Map();
  for (const d of candidates.values()) {
    count.set(d.contentDigest, (count.get(d.contentDigest) ?? 0) + 1);
  }
  let best = null;
  let bestRank = [];
  for (const [cluster, d] of candidates) {
    const rank = [d.editedOutsideBroker ? 0 : 1, writtenAt(d), count.get(d.contentDigest) ?? 0];
    const i = rank.findIndex((v, j) => v !== bestRank[j]);
    if (best === null || i >= 0 && rank[i] > bestRank[i]) {
      best = cluster;
      bestRank = rank;
    }
  }
  return best;
}
function driftOf(clusters2, found, failed = /* @__PURE__ */ new Set(), tomb) {
  const candidates = new Map(
    clusters2.filter((c) => found.has(c)).map((c) => [c, found.get(c)])
  );
  const reference = chooseSource(candidates);
  const ref = reference ? candidates.get(reference) : void 0;
  const rows = clusters2.map((cluster) => {
    if (failed.has(cluster)) return { cluster, state: "unknown" };
    const d = found.get(cluster);
    const placed = isPlaced(ref, cluster);
    if (!d && tombstoneCovers(tomb ?? void 0, cluster)) return { cluster, state: "deleted" };
    if (!d) return { cluster, state: placed ? "missing" : "not-placed" };
    const edited = d.editedOutsideBroker ? { editedOutsideBroker: true } : {};
    if (!ref || d.contentDigest === ref.contentDigest) {
      return { cluster, state: "in-line", ...edited };
    }
    return { cluster, state: "different", keys: compareKeys(ref, d), ...edited };
  });
  return {
    reference,
    inLine: rows.every(
      (r) => r.state === "in-line" || r.state === "not-placed" || r.state === "deleted"
    ),
    clusters: rows
  };
}
var tombstoneKey = (owner, basename3) => `${owner}/${basename3}`;
function planSync(input) {
  const readable = new Set(input.clusters);
  const targets = (input.targets ?? input.clusters).filter((c) => readable.has(c));
  const entries = [];
  const skipped = [];
  let inLine = 0;
  let looked = 0;
  const gitSshWinner = /* @__PURE__ */ new Map();
  for (const s of input.secrets) {
    if (s.kind !== "git-ssh") continue;
    const at = Math.max(...[...s.copies.values()].map((c) => writtenAt(c.description)));
    const best = gitSshWinner.get(s.owner);
    if (!best || at > best.at) gitSshWinner.set(s.owner, { basename: s.basename, at });
  }
  for (const s of input.secrets) {
    if (input.names && !input.names(s.basename)) continue;
    looked++;
    const base = { owner: s.owner, secret: s.basename, secretName: s.secretName };
    if (s.kind === "git-ssh" && gitSshWinner.get(s.owner)?.basename !== s.basename) {
      skipped.push({
        ...base,
        reason: `git-ssh is one per owner and "${gitSshWinner.get(s.owner)?.basename}" is newer: not copied (writing it would delete the newer one)`
      });
      continue;
    }
    const tomb = input.tombstones?.get(tombstoneKey(s.owner, s.basename));
    const stale = (cluster, d) => tombstoneCovers(tomb, cluster) && !(writtenAt(d) > tombstoneDeletedAt(tomb, cluster));
    const outOfScopeGitSsh = (cluster) => s.kind !== "git-ssh" || !input.names ? void 0 : input.secrets.find(
      (o) => o.owner === s.owner && o.kind === "git-ssh" && o.basename !== s.basename && o.copies.has(cluster) && !input.names?.(o.basename)
    );
    const candidates = /* @__PURE__ */ new Map();
    for (const cluster of input.clusters) {
      const copy = s.copies.get(cluster);
      if (copy && !stale(cluster, copy.description)) candidates.set(cluster, copy.description);
    }
    const source = chooseSource(candidates, input.source);
    const ref = source ? candidates.get(source) : void 0;
    const before = entries.length;
    const skippedBefore = skipped.length;
    for (const cluster of targets) {
      const copy = s.copies.get(cluster);
      if (tombstoneCovers(tomb, cluster)) {
        if (copy && stale(cluster, copy.description) && copy.description.editedOutsideBroker && !input.source) {
          skipped.push({
            ...base,
            cluster,
            reason: `deleted through the broker, but the copy on ${cluster} was changed outside the broker since: left alone (delete it with DELETE /v1/secrets/${s.basename}?clusters=${cluster}, or sync with a named source)`
          });
        } else if (copy && stale(cluster, copy.description)) {
          entries.push({
            ...base,
            cluster,
            action: "delete",
            keys: copy.description.keys,
            source: null,
            reason: `deleted through the broker at ${new Date(tombstoneDeletedAt(tomb, cluster)).toISOString()}; this copy was written before that`
          });
        }
        continue;
      }
      if (!ref || cluster === source) continue;
      if (!isPlaced(ref, cluster)) continue;
      const blocker = outOfScopeGitSsh(cluster);
      if (blocker && (!copy || copy.description.contentDigest !== ref.contentDigest)) {
        skipped.push({
          ...base,
          cluster,
          reason: `git-ssh is one per owner: writing it on ${cluster} would delete "${blocker.basename}", which is outside the names of this sync`
        });
        continue;
      }
      if (!copy) {
        entries.push({
          ...base,
          cluster,
          action: "create",
          keys: Object.keys(ref.digests).sort(),
          source,
          reason: `missing on ${cluster}`
        });
        continue;
      }
      if (copy.description.contentDigest === ref.contentDigest) continue;
      const diff = compareKeys(ref, copy.description);
      if (copy.description.editedOutsideBroker && !input.source) {
        skipped.push({
          ...base,
          cluster,
          reason: `the copy on ${cluster} was changed outside the broker (${[...diff.missing, ...diff.changed, ...diff.extra].sort().join(", ")} differ from ${source}): not overwritten; name a source to copy from it`
        });
        continue;
      }
      entries.push({
        ...base,
        cluster,
        action: "update",
        keys: [...diff.missing, ...diff.changed, ...diff.extra].sort(),
        source,
        reason: `differs from ${source} (${[
          diff.missing.length ? `missing ${diff.missing.join(", ")}` : "",
          diff.changed.length ? `changed ${diff.changed.join(", ")}` : "",
          diff.extra.length ? `extra ${diff.extra.join(", ")}` : ""
        ].filter(Boolean).join("; ")})`
      });
    }
    if (!ref && input.source && entries.length === before && !tomb) {
      skipped.push({ ...base, reason: `not on the source cluster ${input.source}` });
      continue;
    }
    if (entries.length === before && skipped.length === skippedBefore) inLine++;
  }
  return { secrets: looked, inLine, entries, skipped };
}
async function executePlan(input) {
  const bySecret = new Map(input.secrets.map((s) => [tombstoneKey(s.owner, s.basename), s]));
  const entries = input.plan.entries;
  const results = await fanout(
    entries.map((_, i) => String(i)),
    async (id, signal) => {
      const entry = entries[Number(id)];
      const secret = bySecret.get(tombstoneKey(entry.owner, entry.secret));
      const kube = await input.open(entry.cluster, signal);
      if (entry.action === "delete") {
        const copy = secret.copies.get(entry.cluster);
        await kube.delete(entry.secretName, { uid: copy.secret.metadata.uid });
        return { writes: 1 };
      }
      const from = secret.copies.get(entry.source);
      const desired = desiredCopy(from.secret, entry.owner, entry.secret);
      const prov = from.description.provenance;
      const r = await applySecret(kube, desired, {
        mode: "replace",
        immutable: from.description.immutable,
        placement: formatPlacement(from.description.placement ?? "all"),
        ...input.mayDelete ? { mayDelete: input.mayDelete } : {},
        provenance: {
          actor: prov?.actor || "unknown",
          via: input.via ?? "sync",
          at: prov?.at ?? from.description.updatedAt ?? (/* @__PURE__ */ new Date()).toISOString()
        }
      });
      return { writes: r.writes };
    },
    input.fanout
  );
  return results.map((r, i) => {
    const entry = entries[i];
    if (isFailure(r)) {
      return {
        ...entry,
        status: "error",
        code: r.code,
        message: r.message,
        retryable: r.retryable
      };
    }
    return { ...entry, status: "done", writes: r.writes };
  });
}

// konduktor/wire/answers.ts
function mergeListings(clusters2, listings, results, tombstones = /* @__PURE__ */ new Map()) {
  const failed = new Set(results.filter((r) => r.status === "error").map((r) => r.cluster));
  const merged = /* @__PURE__ */ new Map();
  for (const cluster of clusters2) {
    for (const item of listings.get(cluster) ?? []) {
      const row = merged.get(item.name) ?? { first: item, found: /* @__PURE__ */ new Map(), keys: /* @__PURE__ */ new Set() };
      row.found.set(cluster, item);
      for (const k of item.keys) row.keys.add(k);
      merged.set(item.name, row);
    }
  }
  return [...merged.values()].sort(
    (a, b) => a.first.basename.localeCompare(b.first.basename) || a.first.name.localeCompare(b.first.name)
  ).map(({ first, found, keys }) => ({
    name: first.basename,
    secretName: first.name,
    kind: first.kind,
    owner: first.owner,
    keys: [...keys].sort(),
    clusters: clusters2.filter((c) => found.has(c)),
    drift: driftOf(
      clusters2,
      found,
      failed,
      first.owner === null ? void 0 : tombstones.get(`${first.owner}/${first.basename}`)
    )
  }));
}
function describeAnswerOf(name, owner, results, tomb) {
  const found = /* @__PURE__ */ new Map();
  const failed = /* @__PURE__ */ new Set();
  for (const r of results) {
    if (r.status === "found") found.set(r.cluster, r.secret);
    else if (r.status !== "missing") failed.add(r.cluster);
  }
  const drift = driftOf(
    results.map((r) => r.cluster),
    found,
    failed,
    tomb
  );
  const agree = found.size > 0 && drift.inLine;
  const reference = drift.reference ? found.get(drift.reference) : void 0;
  return {
    name,
    owner,
    agree,
    contentDigest: agree && reference ? reference.contentDigest : null,
    drift,
    results
  };
}

// cli/owner.ts
import { createHash } from "node:crypto";
import { existsSync as existsSync3, mkdirSync as mkdirSync2, readFileSync as readFileSync4, writeFileSync as writeFileSync2 } from "node:fs";
import { homedir as homedir3, hostname, userInfo } from "node:os";
import { join as join2 } from "node:path";
var KONDUKTOR_HASH_RE = /^[0-9a-fA-F]{8}$/;
var md5 = (text) => createHash("md5").update(text).digest("hex");
function getpassUser(env = process.env) {
  for (const key of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const v = env[key];
    if (v) return v;
  }
  return userInfo().username;
}
function userAndHostHash(user, host) {
  return md5(`${user}-${md5(host).slice(-4)}`).slice(0, 8);
}
function accepted(hash, where2) {
  if (OWNER_HASH_RE.test(hash)) return hash;
  throw usage(
    `${where2} is "${hash}": this project's owners are lower-case hex; Konduktor uses the value as written, so lower-casing it would be another owner. Write it in lower case there (and recreate secrets made with the upper-case one), or pass --owner`
  );
}
function konduktorOwner(explicit, env = process.env) {
  if (explicit !== void 0) {
    if (!OWNER_HASH_RE.test(explicit)) {
      throw usage(
        `--owner "${explicit.slice(0, 40)}": an owner is 8 lower-case hex characters, like 0a1b2c3d`
      );
    }
    return { owner: explicit, from: "--owner" };
  }
  const fromEnv = env.KONDUKTOR_USER_ID;
  if (fromEnv !== void 0 && KONDUKTOR_HASH_RE.test(fromEnv)) {
    return { owner: accepted(fromEnv, "KONDUKTOR_USER_ID"), from: "KONDUKTOR_USER_ID" };
  }
  const home = env.HOME ?? homedir3();
  const file = join2(home, ".konduktor", "user_hash");
  if (existsSync3(file)) {
    const cached = readFileSync4(file, "utf8").trim();
    if (KONDUKTOR_HASH_RE.test(cached)) {
      return { owner: accepted(cached, file), from: "~/.konduktor/user_hash" };
    }
  }
  const owner = userAndHostHash(getpassUser(env), hostname());
  mkdirSync2(join2(home, ".konduktor"), { recursive: true });
  writeFileSync2(file, owner);
  return { owner, from: "user and host hash" };
}

// cli/direct.ts
function resolveDirect(flags, env = process.env) {
  const kubeconfig = mergeKubeconfigs(kubeconfigPaths(flags.kubeconfig, env));
  const { names: names2, current } = kubeconfigContexts(kubeconfig);
  let contexts;
  if (flags.contexts === void 0 || flags.contexts === "") {
    if (!current)
      throw usage("the kubeconfig has no current-context: pass --contexts all or --contexts a,b");
    contexts = [current];
  } else if (flags.contexts === "all") {
    contexts = names2;
  } else {
    contexts = [
      ...new Set(
        flags.contexts.split(",").map((c) => c.trim()).filter(Boolean)
      )
    ];
    const unknown = contexts.filter((c) => !names2.includes(c));
    if (unknown.length) {
      throw usage(
        `--contexts: ${unknown.join(", ")} not in the kubeconfig (it has ${names2.join(", ") || "no contexts"})`
      );
    }
  }
  if (contexts.length === 0) throw usage("the kubeconfig has no contexts");
  return {
    kubeconfig,
    contexts,
    timeoutMs: flags.timeoutMs,
    owner: konduktorOwner(flags.owner, env)
  };
}
function open(target, context, signal) {
  return createClientNodeKubeSecrets({
    kubeconfig: target.kubeconfig,
    context,
    cluster: context,
    timeoutMs: target.timeoutMs,
    signal
  });
}
var limit = pLimit2(8);
function perContext(target, op, contexts = target.contexts) {
  return new Map(
    contexts.map((context) => [
      context,
      limit(
        () => fanout([context], (c, signal) => op(open(target, c, signal), c), {
          timeoutMs: target.timeoutMs,
          retries: 2
        })
      ).then((r) => r[0])
    ])
  );
}
var all = (m) => Promise.all([...m.values()]);
function putDirect(target, name, req) {
  if (req.prune && req.mode !== "merge") throw usage("--prune applies to --mode merge only");
  const owner = target.owner.owner;
  const { problems, secret } = checkSecretInput({
    owner,
    basename: name,
    kind: req.kind,
    source: req.source
  });
  if (!secret) throw usage(`the secret is not valid: ${ValidationError.of(problems).message}`);
  const provenance = { actor: `ksb:${getpassUser()}`, via: "ksb:direct" };
  const runs = perContext(target, async (kube) => {
    const r = await applySecret(kube, secret, {
      mode: req.mode,
      prune: req.prune,
      immutable: req.immutable,
      dryRun: req.dryRun,
      provenance
    });
    return {
      status: r.outcome,
      secretName: r.name,
      namespace: r.namespace,
      added: r.added,
      changed: r.changed,
      removed: r.removed,
      writes: r.writes,
      dryRun: r.dryRun,
      ...r.replacedGitSsh?.length ? { replacedGitSsh: r.replacedGitSsh } : {}
    };
  });
  const results = runs;
  const answer = (async () => {
    const { digests, contentDigest } = await digestValues(secret.data);
    return {
      name,
      owner,
      kind: req.kind,
      secretName: secret.metadata.name,
      mode: req.mode,
      dryRun: req.dryRun,
      keys: Object.keys(digests),
      digests,
      contentDigest,
      results: await all(results)
    };
  })();
  return { results, answer };
}
async function listDirect(target, allUsers) {
  const owner = allUsers ? null : target.owner.owner;
  const listings = /* @__PURE__ */ new Map();
  const results = await all(
    perContext(target, async (kube, context) => {
      const items = await describeListing(kube, owner);
      listings.set(context, items);
      return { status: "ok", count: items.length };
    })
  );
  return {
    scope: allUsers ? "all" : "own",
    owner,
    secrets: mergeListings(target.contexts, listings, results),
    results
  };
}
async function describeDirect(target, name) {
  const owner = target.owner.owner;
  const results = await all(
    perContext(target, async (kube) => {
      try {
        return { status: "found", secret: await describe(kube, owner, name) };
      } catch (error) {
        if (error.code === "not_found")
          return { status: "missing" };
        throw error;
      }
    })
  );
  return describeAnswerOf(name, owner, results);
}
function deleteDirect(target, name) {
  const owner = target.owner.owner;
  const results = perContext(target, async (kube) => {
    const r = await deleteOwn(kube, owner, name);
    return { status: "deleted", secretName: r.name, namespace: r.namespace };
  });
  return { results, answer: all(results).then((r) => ({ name, owner, results: r })) };
}
async function syncDirect(target, options) {
  const started = Date.now();
  const owners2 = [target.owner.owner];
  if (options.source !== null && !target.contexts.includes(options.source)) {
    throw usage(
      `--source ${options.source} is not one of the contexts (${target.contexts.join(", ")})`
    );
  }
  const copies = [];
  const reads = await all(
    perContext(target, async (kube, context) => {
      const found = await readCopies(kube, context, owners2);
      copies.push(...found);
      return { status: "read", secrets: found.length };
    })
  );
  const results = reads.map(
    (r) => isFailure(r) ? { cluster: r.cluster, status: "error", code: r.code, message: r.message } : { cluster: r.cluster, status: "read", secrets: r.secrets }
  );
  const readable = results.filter((r) => r.status === "read").map((r) => r.cluster);
  const secrets = groupCopies(copies.filter((c) => readable.includes(c.cluster)));
  const plan2 = planSync({
    clusters: readable,
    secrets,
    source: options.source,
    ...options.names ? { names: options.names } : {}
  });
  const entries = options.dryRun ? plan2.entries.map((e) => ({ ...e, status: "planned" })) : await executePlan({
    plan: plan2,
    secrets,
    open: async (cluster, signal) => open(target, cluster, signal ?? new AbortController().signal),
    fanout: { timeoutMs: target.timeoutMs, retries: 2 },
    via: "ksb:direct:sync",
    ...options.names ? { mayDelete: options.names } : {}
  });
  return {
    dryRun: options.dryRun,
    owners: owners2,
    clusters: target.contexts,
    targets: target.contexts,
    source: options.source,
    results,
    plan: entries,
    skipped: plan2.skipped,
    summary: {
      secrets: plan2.secrets,
      inLine: plan2.inLine,
      planned: plan2.entries.length,
      done: entries.filter((e) => e.status === "done").length,
      failed: entries.filter((e) => e.status === "error").length,
      unreadableClusters: results.length - readable.length
    },
    durationMs: Date.now() - started
  };
}

// cli/render.ts
function errorLine(cluster, r) {
  return {
    cluster,
    ok: false,
    text: `error ${r.code ?? "unknown"}`,
    detail: r.message ?? "the broker reported a failure without details"
  };
}
function applyLine(r) {
  const cluster = r.cluster ?? "?";
  if (r.status !== "created" && r.status !== "updated" && r.status !== "unchanged") {
    return errorLine(cluster, r);
  }
  const ok = r;
  const parts = [
    ok.added?.length ? `added ${keyList(ok.added)}` : "",
    ok.changed?.length ? `changed ${keyList(ok.changed)}` : "",
    ok.removed?.length ? `removed ${keyList(ok.removed)}` : "",
    ok.replacedGitSsh?.length ? `replaced git-ssh ${ok.replacedGitSsh.join(", ")}` : ""
  ].filter(Boolean);
  const plan2 = ok.dryRun ? " (dry run: would be)" : "";
  return {
    cluster,
    ok: true,
    text: `${ok.status}${plan2}${parts.length ? `: ${parts.join("; ")}` : ""}`
  };
}
function deleteLine(r) {
  const cluster = r.cluster ?? "?";
  if (r.status !== "deleted") return errorLine(cluster, r);
  const d = r;
  return { cluster, ok: true, text: `deleted ${d.namespace ?? "?"}/${d.secretName ?? "?"}` };
}
function driftText(drift) {
  if (drift.inLine) {
    const off = drift.clusters.filter((c) => c.state !== "in-line").map((c) => `${c.state} on ${c.cluster}`);
    return off.length ? `in line (${off.join("; ")})` : "in line";
  }
  const parts = drift.clusters.filter((c) => c.state !== "in-line").map((c) => {
    const keys = c.keys ? ` (${[...c.keys.missing, ...c.keys.extra, ...c.keys.changed].join(", ")})` : "";
    const edited = c.editedOutsideBroker ? ", edited outside the broker" : "";
    return `${c.state} on ${c.cluster}${keys}${edited}`;
  });
  return parts.join("; ");
}
function listTable(answer) {
  if (answer.secrets.length === 0) {
    return answer.scope === "all" ? "no secrets" : `owner ${answer.owner} has no secrets`;
  }
  return table(
    ["NAME", "KIND", "OWNER", "KEYS", "CLUSTERS", "DRIFT"],
    answer.secrets.map((s) => [
      s.name,
      s.kind,
      s.owner ?? "(none)",
      keyList(s.keys, 5),
      s.clusters.join(", ") || "–",
      driftText(s.drift)
    ])
  );
}
function listFailures(answer) {
  return answer.results.filter((r) => r.status === "error").map((r) => errorLine(r.cluster ?? "?", r));
}
function describeText(answer) {
  const head = [
    `secret ${answer.name} (owner ${answer.owner}): ${answer.agree ? `the clusters agree (${answer.contentDigest})` : `the clusters do not agree: ${driftText(answer.drift)}`}`
  ];
  const rows = answer.results.map((r) => {
    if (r.status === "found") {
      const s = r.secret;
      return [
        r.cluster,
        "found",
        s.kind,
        keyList(s.keys, 6),
        s.updatedAt ?? "–",
        s.provenance ? `${s.provenance.actor} via ${s.provenance.via}` : "–",
        s.placement === "all" ? "all" : s.placement.join(", "),
        `${s.immutable ? "immutable" : ""}${s.editedOutsideBroker ? " edited outside the broker" : ""}`.trim() || "–"
      ];
    }
    if (r.status === "missing") return [r.cluster, "missing", "–", "–", "–", "–", "–", "–"];
    return [r.cluster, `error ${r.code}`, "–", "–", "–", "–", "–", r.message];
  });
  return `${head.join("\n")}
${table(["CLUSTER", "STATE", "KIND", "KEYS", "UPDATED", "BY", "PLACEMENT", "NOTE"], rows)}`;
}
function syncLines(answer) {
  const lines = answer.results.map(
    (r) => r.status === "read" ? { cluster: r.cluster, ok: true, text: `read (${r.secrets ?? 0} secrets)` } : errorLine(r.cluster, r)
  );
  const plan2 = answer.plan.map((e) => {
    const mark = e.status === "error" ? "✖" : e.status === "done" ? "✔" : "•";
    const what2 = `${e.action} ${e.secret} (owner ${e.owner}) on ${e.cluster}${e.source ? ` from ${e.source}` : ""}: ${keyList(e.keys)}`;
    const how = e.status === "error" ? ` — error ${e.code}: ${e.message}` : e.status === "planned" ? " (planned)" : "";
    return `${mark} ${what2}${how}`;
  });
  const skipped = answer.skipped.map(
    (s) => `- skipped ${s.secret} (owner ${s.owner})${s.cluster ? ` on ${s.cluster}` : ""}: ${s.reason}`
  );
  return { lines, plan: plan2, skipped };
}

// cli/sync-flow.ts
function syncSummary(a) {
  const s = a.summary;
  const unread = s.unreadableClusters ? `; ${s.unreadableClusters} cluster(s) could not be read` : "";
  if (a.dryRun) {
    return `${s.unreadableClusters ? "✖" : "✔"} Plan: ${s.planned} change(s) over ${a.results.length} clusters, ${s.inLine} of ${s.secrets} secret(s) already in line (dry run: nothing written)${unread}`;
  }
  if (s.failed || s.unreadableClusters) {
    return `✖ ${s.failed} of ${s.planned} change(s) failed, ${s.done} done${unread}`;
  }
  return `✔ Synced: ${s.done} change(s) over ${a.results.length} clusters, ${s.inLine} of ${s.secrets} secret(s) already in line`;
}
async function runSync(ctx, args) {
  for (const n of args.names) {
    if (!NamePattern.safeParse(n).success) {
      throw usage(
        `"${n.slice(0, 70)}" is not a secret name or a prefix pattern (like db-*, or * for any)`
      );
    }
  }
  let answer;
  let raw;
  if (isDirect(args)) {
    if (args.clusters?.length)
      throw usage("--clusters names broker clusters; in direct mode use --contexts");
    const target = resolveDirect(
      {
        kubeconfig: args.kubeconfig,
        contexts: args.contexts,
        owner: args.owner,
        timeoutMs: args.timeout * 1e3
      },
      ctx.env
    );
    ctx.out.note(
      `direct mode: owner ${target.owner.owner} (from ${target.owner.from}); no ledger: a secret deleted on one context alone is copied back from the others`
    );
    answer = await withSpinner(
      ctx.out,
      "syncing",
      syncDirect(target, {
        ...args.names.length ? { names: nameMatcher(args.names) } : {},
        source: args.source ?? null,
        dryRun: args.dryRun
      })
    );
    raw = answer;
  } else {
    const client = brokerClient(ctx, args);
    const reply = await withSpinner(
      ctx.out,
      "syncing",
      call(
        client,
        (c) => c.sync({
          dryRun: args.dryRun,
          ...args.names.length ? { names: args.names } : {},
          ...args.source ? { source: args.source } : {},
          ...args.clusters?.length ? { clusters: args.clusters } : {},
          ...args.owner ? { owners: [args.owner] } : {}
        })
      )
    );
    if (!reply.ok) throw refusal(reply, "sync failed");
    if (!reply.answer) throw mismatch(reply, "sync");
    answer = reply.answer;
    raw = reply.raw;
  }
  if (ctx.out.format === "json") json(ctx.out, raw);
  else {
    const { lines, plan: plan2, skipped } = syncLines(answer);
    await showClusters(ctx.out, new Map(lines.map((l) => [l.cluster, Promise.resolve(l)])));
    for (const p of plan2) ctx.out.print(p);
    for (const s of skipped) ctx.out.print(s);
    ctx.out.print(syncSummary(answer));
  }
  const { failed, done, unreadableClusters } = answer.summary;
  const read2 = answer.results.length - unreadableClusters;
  if (read2 === 0) return EXIT.failed;
  if (failed === 0 && unreadableClusters === 0) return EXIT.ok;
  return done > 0 || read2 > 0 ? EXIT.partial : EXIT.failed;
}

// cli/admin-flows.ts
function answerOf(reply, what2) {
  if (!reply.ok) throw refusal(reply, what2);
  if (reply.answer === null) throw mismatch(reply, what2);
  return reply.answer;
}
var scope = (c) => c === "all" ? "all" : c.join(", ");
var rights = (r) => Object.entries(r).filter(([, v]) => v).map(([k]) => k).join(", ") || "none";
async function clusterAdd(ctx, args) {
  if (!Number.isInteger(args.tokenDays) || args.tokenDays < 1 || args.tokenDays > 3650) {
    throw usage("--token-days must be a whole number of days from 1 to 3650");
  }
  const client = brokerClient(ctx, args);
  const paths = kubeconfigPaths(args.kubeconfig, ctx.env);
  let yaml;
  let context;
  if (args.serviceAccount || args.saName) {
    const dir = mkdtempSync(join3(tmpdir(), "ksb-cluster-add-"));
    const file = join3(dir, "kubeconfig");
    writeFileSync3(file, mergeKubeconfigs(paths), { mode: 384 });
    try {
      const sa = await serviceAccountKubeconfig(file, {
        ...args.context ? { context: args.context } : {},
        name: args.saName ?? "konduktor-broker",
        expirationSeconds: args.tokenDays * 86400
      });
      ({ yaml, context } = sa);
      ctx.out.note(
        `created ServiceAccount ${sa.namespace}/${sa.serviceAccount} (Secrets in ${sa.namespace} only); its token expires ${sa.expiresAt ?? "when the cluster says"}`
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    ({ yaml, context } = flattenContext(mergeKubeconfigs(paths), args.context));
  }
  const reply = await call(
    client,
    (c) => c.registerCluster(args.name, { kubeconfig: yaml, context, sync: args.sync })
  );
  if (!reply.ok && reply.problem?.code === "invalid_kubeconfig" && !args.serviceAccount) {
    const e = refusal(reply, `cluster ${args.name} not registered`);
    e.message += "\nTip: add --service-account to register a ServiceAccount token made with this context instead (for client certificates and exec plugins: EKS, GKE, kind, minikube).";
    throw e;
  }
  const info = reply.status === 207 ? reply.raw : answerOf(reply, `cluster ${args.name} not registered`);
  const health = await call(client, (c) => c.clusterHealth(args.name));
  if (ctx.out.format === "json") {
    json(ctx.out, { cluster: reply.raw, health: health.raw });
  } else {
    ctx.out.print(
      `✔ registered cluster "${args.name}" (context ${context}): ${info.server}, namespace ${info.namespace}`
    );
    const h = health.answer;
    if (h?.ok)
      ctx.out.print(
        `✔ health: reachable, ${h.version}, may ${Object.keys(h.access ?? {}).join("/")} Secrets in ${h.namespace}`
      );
    else if (h) {
      ctx.out.print(
        `✖ health: ${h.reachable ? "reachable" : "NOT reachable"}${h.version ? `, ${h.version}` : ""}; ${h.error?.message ?? `may not: ${h.missing.join(", ")}`}`
      );
    }
    const sync = info.sync;
    if (sync) ctx.out.print(syncSummary(sync));
  }
  return reply.status === 207 || !health.answer?.ok ? EXIT.partial : EXIT.ok;
}
async function clusterList(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.listClusters());
  const { clusters: clusters2 } = answerOf(reply, "cannot list clusters");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else if (clusters2.length === 0) ctx.out.print("no cluster is registered: ksb cluster add NAME");
  else {
    ctx.out.print(
      table(
        ["NAME", "SERVER", "NAMESPACE", "CONTEXT", "UPDATED"],
        clusters2.map((c) => [c.name, c.server, c.namespace, c.context, c.updatedAt])
      )
    );
  }
  return EXIT.ok;
}
async function clusterHealth(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.clusterHealth(args.name));
  const h = answerOf(reply, `cannot check cluster ${args.name}`);
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else if (h.ok) {
    ctx.out.print(
      `✔ ${h.cluster}: reachable, ${h.version}, namespace ${h.namespace}, may ${Object.keys(h.access ?? {}).join("/")} Secrets`
    );
  } else {
    ctx.out.print(
      `✖ ${h.cluster}: ${h.reachable ? "reachable" : "NOT reachable"}${h.version ? `, ${h.version}` : ""}; ${h.error ? `${h.error.code}: ${h.error.message}` : `may not: ${h.missing.join(", ")}`}`
    );
  }
  return h.ok ? EXIT.ok : EXIT.failed;
}
async function clusterRemove(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.removeCluster(args.name));
  if (!reply.ok) throw refusal(reply, `cluster ${args.name} not removed`);
  ctx.out.note(
    `✔ removed cluster "${args.name}" from the registry (its secrets stay on the cluster)`
  );
  return EXIT.ok;
}
async function tokenCreate(ctx, args) {
  if (args.owner.length === 0)
    throw usage("name the owner(s) the token acts for: --owner 0a1b2c3d");
  const save = args.saveProfile === void 0 ? void 0 : checkProfileName(args.saveProfile);
  const client = brokerClient(ctx, args);
  const reply = await call(
    client,
    (c) => c.issueToken({
      owners: args.owner,
      clusters: args.clusters?.length ? args.clusters : "all",
      rights: { write: !args.readOnly, read: true, listAllUsers: args.listAllUsers },
      expiresInSeconds: Math.round(args.days * 86400),
      ...args.label ? { label: args.label } : {}
    })
  );
  const issued = answerOf(reply, "token not issued");
  const about = `token ${issued.id} for owner ${issued.owners.join(", ")} on ${scope(issued.clusters)} (${rights(issued.rights)}), expires ${issued.expiresAt}`;
  if (save) {
    const config = readConfig(ctx.env);
    config.profiles[save] = { url: client.options.url, token: issued.token };
    writeConfig(config, ctx.env);
    ctx.out.note(`✔ ${about}; saved as profile "${save}" (not printed): ksb --profile ${save} …`);
    if (ctx.out.format === "json") json(ctx.out, { ...reply.raw, token: void 0 });
    return EXIT.ok;
  }
  ctx.out.note(`✔ ${about}. It is shown once, below: keep it now (e.g. pipe it to \`ksb login\`).`);
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else ctx.out.print(issued.token);
  return EXIT.ok;
}
async function tokenList(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.listTokens());
  const { tokens } = answerOf(reply, "cannot list tokens");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      table(
        ["ID", "LABEL", "OWNERS", "CLUSTERS", "RIGHTS", "EXPIRES", "REVOKED"],
        tokens.map((t) => [
          t.id,
          t.label ?? "–",
          t.owners.join(", "),
          scope(t.clusters),
          rights(t.rights),
          t.expiresAt,
          t.revokedAt ?? "–"
        ])
      )
    );
  }
  return EXIT.ok;
}
async function tokenRevoke(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.revokeToken(args.id));
  const t = answerOf(reply, `token ${args.id} not revoked`);
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else ctx.out.print(`✔ revoked token ${t.id} (${t.label ?? "no label"}) at ${t.revokedAt}`);
  return EXIT.ok;
}
async function hookCreate(ctx, args) {
  const reply = await call(
    brokerClient(ctx, args),
    (c) => c.createHook({
      owners: args.owner,
      names: args.names,
      clusters: args.clusters?.length ? args.clusters : "all",
      allowSync: args.sync,
      ...args.label ? { label: args.label } : {}
    })
  );
  const hook = answerOf(reply, "webhook not created");
  ctx.out.note(
    `✔ webhook ${hook.id}: deliveries to POST ${hook.url} for owner ${hook.owners.join(", ")}, names ${hook.names.join(", ")}, clusters ${scope(hook.clusters)}. Its signing secret is shown once, below.`
  );
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else ctx.out.print(hook.secret);
  return EXIT.ok;
}
async function hookList(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.listHooks());
  const { hooks } = answerOf(reply, "cannot list webhooks");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      table(
        ["ID", "LABEL", "OWNERS", "NAMES", "CLUSTERS", "SYNC", "CREATED"],
        hooks.map((h) => [
          h.id,
          h.label ?? "–",
          h.owners.join(", "),
          h.names.join(", "),
          scope(h.clusters),
          h.allowSync ? "yes" : "no",
          h.createdAt
        ])
      )
    );
  }
  return EXIT.ok;
}
async function hookDelete(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.deleteHook(args.id));
  if (!reply.ok) throw refusal(reply, `webhook ${args.id} not deleted`);
  ctx.out.note(`✔ deleted webhook ${args.id}: its deliveries are refused from now on`);
  return EXIT.ok;
}
async function bindingPut(ctx, args) {
  const match = {
    repository: args.repository,
    ...args.ref ? { ref: args.ref } : {},
    ...args.environment ? { environment: args.environment } : {},
    ...args.workflow ? { workflow: args.workflow } : {},
    ...args.eventName ? { event_name: args.eventName } : {}
  };
  const reply = await call(
    brokerClient(ctx, args),
    (c) => c.putOidcBinding(args.id, {
      match,
      owners: args.owner,
      clusters: args.clusters?.length ? args.clusters : "all",
      rights: { write: !args.readOnly, read: true, listAllUsers: args.listAllUsers },
      ...args.description ? { description: args.description } : {}
    })
  );
  const b = answerOf(reply, `OIDC binding ${args.id} not saved`);
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      `✔ ${reply.status === 201 ? "created" : "replaced"} OIDC binding ${b.id}: workflows matching ${Object.entries(
        b.match
      ).map(([k, v]) => `${k}=${v}`).join(", ")} act as ${b.owners.join(", ")} on ${scope(b.clusters)} (${rights(b.rights)})`
    );
  }
  return EXIT.ok;
}
async function bindingList(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.listOidcBindings());
  const { bindings } = answerOf(reply, "cannot list OIDC bindings");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      table(
        ["ID", "MATCH", "OWNERS", "CLUSTERS", "RIGHTS"],
        bindings.map((b) => [
          b.id,
          Object.entries(b.match).map(([k, v]) => `${k}=${v}`).join(" "),
          b.owners.join(", "),
          scope(b.clusters),
          rights(b.rights)
        ])
      )
    );
  }
  return EXIT.ok;
}
async function bindingDelete(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.deleteOidcBinding(args.id));
  if (!reply.ok) throw refusal(reply, `OIDC binding ${args.id} not deleted`);
  ctx.out.note(`✔ deleted OIDC binding ${args.id}`);
  return EXIT.ok;
}

// cli/session-flows.ts
function credentialLabel(token) {
  const id = /^kbt_([0-9a-f]{16})_/.exec(token)?.[1];
  if (id) return `API token ${id}`;
  if (token.startsWith("adm_")) return "an admin token";
  if (token.split(".").length === 3) return "a JWT";
  return "a token";
}
async function login(ctx, args) {
  if (!args.url) throw usage("login needs --url https://your-broker");
  const url = checkUrl(args.url);
  const profile = checkProfileName(args.profile ?? DEFAULT_PROFILE);
  const token = ctx.io.interactive ? await ctx.io.prompt(`Token for ${url} (hidden)`) : new TextDecoder().decode(await ctx.io.readStdin(64 * 1024));
  const trimmed = token.trim();
  if (!trimmed) throw usage("no token: type it at the prompt, or pipe it on stdin");
  if (/\s/.test(trimmed)) throw usage("the token has whitespace inside: give the token alone");
  const client = new BrokerClient({
    url,
    token: trimmed,
    userAgent: `ksb/${ctx.version}`,
    timeoutMs: args.timeout * 1e3
  });
  const reply = await call(client, (c) => c.whoami());
  if (reply.status === 401 || reply.status === 403) throw refusal(reply, `not logged in to ${url}`);
  if (!reply.ok && reply.status !== 404) throw refusal(reply, `not logged in to ${url}`);
  const config = readConfig(ctx.env);
  config.profiles[profile] = { url, token: trimmed };
  config.current = profile;
  const path = writeConfig(config, ctx.env);
  ctx.out.note(
    `✔ Logged in to ${url} with ${credentialLabel(trimmed)} as profile "${profile}" (saved in ${path}, mode 0600)`
  );
  return EXIT.ok;
}
async function logout(ctx, args) {
  const config = readConfig(ctx.env);
  const profile = checkProfileName(args.profile ?? config.current);
  if (!config.profiles[profile])
    throw new CliError(`no profile "${profile}" in ${configPath(ctx.env)}`);
  delete config.profiles[profile];
  writeConfig(config, ctx.env);
  ctx.out.note(
    `✔ Logged out: profile "${profile}" and its token removed from ${configPath(ctx.env)}`
  );
  return EXIT.ok;
}
async function whoami(ctx, args) {
  const target = brokerTarget(args, ctx.env);
  const reply = await call(brokerClient(ctx, args), (c) => c.whoami());
  const local = {
    profile: target.profile,
    url: target.url,
    urlFrom: target.from.url,
    credential: credentialLabel(target.token),
    credentialFrom: target.from.token
  };
  if (reply.status === 404) {
    if (ctx.out.format === "json") json(ctx.out, { ...local, whoami: null });
    else {
      ctx.out.print(
        `${local.credential} (from ${local.credentialFrom}) at ${local.url} (from ${local.urlFrom}): accepted by the broker`
      );
      ctx.out.print(
        "owners, clusters, rights and expiry: this broker does not answer GET /v1/whoami yet"
      );
    }
    return EXIT.ok;
  }
  if (!reply.ok) throw refusal(reply, "whoami");
  const me = reply.answer;
  if (!me) throw mismatch(reply, "whoami");
  if (ctx.out.format === "json") json(ctx.out, { ...local, whoami: reply.raw });
  else {
    ctx.out.print(
      table(
        ["", ""],
        [
          [
            "broker",
            `${local.url} (profile ${local.profile}; URL from ${local.urlFrom}, token from ${local.credentialFrom})`
          ],
          ["caller", `${me.id} (${me.kind}${me.label ? `, ${me.label}` : ""})`],
          ["owners", me.owners.join(", ") || "–"],
          ["clusters", me.clusters === "all" ? "all" : me.clusters.join(", ")],
          [
            "rights",
            Object.entries(me.rights).filter(([, v]) => v).map(([k]) => k).join(", ") || "none"
          ],
          ["expires", me.expiresAt ?? "never"]
        ]
      )
    );
  }
  return EXIT.ok;
}
async function profileList(ctx) {
  const config = readConfig(ctx.env);
  const rows = Object.entries(config.profiles).map(([name, p]) => ({
    name,
    url: p.url,
    current: name === config.current
  }));
  if (ctx.out.format === "json") json(ctx.out, { config: configPath(ctx.env), profiles: rows });
  else if (rows.length === 0) {
    ctx.out.print(
      `no profiles in ${configPath(ctx.env)}: run \`ksb login --url https://…\` (or set ${ENV_PREFIX}_URL and ${ENV_PREFIX}_TOKEN)`
    );
  } else {
    ctx.out.print(
      table(
        ["", "PROFILE", "URL"],
        rows.map((r) => [r.current ? "*" : "", r.name, r.url])
      )
    );
  }
  return EXIT.ok;
}
async function profileUse(ctx, name) {
  const config = readConfig(ctx.env);
  checkProfileName(name);
  if (!config.profiles[name]) {
    throw usage(
      `no profile "${name}": the profiles are ${Object.keys(config.profiles).join(", ") || "none yet"}`
    );
  }
  config.current = name;
  writeConfig(config, ctx.env);
  ctx.out.note(`✔ Using profile "${name}" (${config.profiles[name]?.url})`);
  return EXIT.ok;
}

// cli/commands/secrets.ts
import { basename as basename2 } from "node:path";

// konduktor/wire/source.ts
function toWireSource(source) {
  switch (source.type) {
    case "inline":
      return { type: "inline", pairs: source.pairs };
    case "files":
      return {
        type: "files",
        files: source.files.map((f) => ({ name: f.name, content: bytesToBase64(f.content) }))
      };
    case "directory":
      return {
        type: "directory",
        name: source.name,
        entries: source.entries.map((e) => ({ path: e.path, content: bytesToBase64(e.content) }))
      };
  }
}

// cli/source.ts
import { lstat, readdir, readFile, stat } from "node:fs/promises";
import { basename, join as join4, relative, resolve as resolve2, sep } from "node:path";
import { parse as parseDotenv } from "dotenv";
var MAX_DIRECTORY_FILES = 1e4;
var MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
var KEY_SHOWN = (key) => JSON.stringify(key.length > 60 ? `${key.slice(0, 57)}...` : key);
async function readFileBounded(path, flag) {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw usage(
      `${flag} ${path}: cannot read it (${error.code ?? "error"})`
    );
  }
  if (!info.isFile()) throw usage(`${flag} ${path}: not a regular file`);
  if (info.size > MAX_SECRET_BYTES) {
    throw usage(
      `${flag} ${path}: ${info.size} bytes; a Kubernetes Secret holds at most ${MAX_SECRET_BYTES} bytes (1 MiB)`
    );
  }
  return new Uint8Array(await readFile(path));
}
async function walk(root, shown) {
  const out = [];
  let total = 0;
  const visit = async (dir) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const e of entries) {
      const full = join4(dir, e.name);
      const rel = relative(root, full).split(sep).join("/");
      if (e.name === ".DS_Store") continue;
      if (e.isDirectory()) {
        await visit(full);
        continue;
      }
      if (e.isSymbolicLink()) {
        const target = await stat(full).catch(() => null);
        if (!target?.isFile()) {
          throw usage(
            `--from-directory: ${shown}/${rel} is a symbolic link to ${target ? "something that is not a file" : "nothing"}: only links to files are followed`
          );
        }
      } else if (!e.isFile()) {
        throw usage(
          `--from-directory: ${shown}/${rel} is not a regular file (socket, pipe, device)`
        );
      }
      if (out.length >= MAX_DIRECTORY_FILES) {
        throw usage(`--from-directory: ${shown} has more than ${MAX_DIRECTORY_FILES} files`);
      }
      const size = (await stat(full)).size;
      total += size;
      if (total > MAX_DIRECTORY_BYTES) {
        throw usage(
          `--from-directory: ${shown} holds more than ${MAX_DIRECTORY_BYTES / 1024 / 1024} MiB; its zip must fit a 1 MiB Secret`
        );
      }
      out.push({ path: rel, content: new Uint8Array(await readFile(full)) });
    }
  };
  await visit(root);
  return out;
}
function stripOneNewline(text) {
  return text.replace(/\r?\n$/, "");
}
async function buildSource(flags, io) {
  const inlineGiven = flags.inline.length + flags.fromEnvFile.length > 0;
  const kinds = [inlineGiven, flags.fromFile.length > 0, flags.fromDirectory !== void 0];
  if (kinds.filter(Boolean).length !== 1) {
    throw usage(
      "give exactly one source: --inline KEY / --from-env-file FILE (any number), --from-file PATH (any number), or --from-directory DIR"
    );
  }
  const stdinUses = flags.inline.filter((i) => i.endsWith("=-")).length + flags.fromEnvFile.filter((f) => f === "-").length + flags.fromFile.filter((f) => f === "-").length;
  if (stdinUses > 1) throw usage("stdin (-) can be read once per command");
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const stdinText = async (what2) => {
    try {
      return decoder.decode(await io.readStdin(MAX_SECRET_BYTES));
    } catch (error) {
      if (error.exitCode !== void 0) throw error;
      throw usage(`${what2}: stdin is not UTF-8 text`);
    }
  };
  if (flags.kind === "git-ssh" && (flags.fromFile.length !== 1 || inlineGiven || flags.fromDirectory)) {
    throw usage(
      "a git-ssh secret is one private key: --from-file PATH (or --from-file - for stdin)"
    );
  }
  if (flags.kind === "env" && !inlineGiven) {
    throw usage(
      "an env secret is KEY=VALUE pairs: --inline KEY (any number) or --from-env-file FILE"
    );
  }
  if (inlineGiven) {
    const pairs = {};
    const set = (key, value, where2) => {
      if (Object.hasOwn(pairs, key)) {
        throw usage(`${where2}: key ${KEY_SHOWN(key)} is given twice: give each key once`);
      }
      pairs[key] = value;
    };
    for (const file of flags.fromEnvFile) {
      const text = file === "-" ? await stdinText("--from-env-file -") : decoder.decode(await readFileBounded(resolve2(file), "--from-env-file"));
      const parsed = parseDotenv(text);
      if (Object.keys(parsed).length === 0) {
        throw usage(`--from-env-file ${file}: no KEY=VALUE line in it`);
      }
      for (const [k, v] of Object.entries(parsed)) set(k, v, `--from-env-file ${file}`);
    }
    let warned = false;
    for (const item of flags.inline) {
      const eq = item.indexOf("=");
      const key = eq === -1 ? item : item.slice(0, eq);
      if (key === "") throw usage(`--inline ${item.slice(0, 20)}: the key is empty`);
      if (eq === -1) {
        const fromEnv = io.env[key];
        if (fromEnv !== void 0) set(key, fromEnv, `--inline ${key}`);
        else if (io.interactive)
          set(key, await io.prompt(`Value of ${key} (hidden)`), `--inline ${key}`);
        else {
          throw usage(
            `--inline ${KEY_SHOWN(key)}: no value: set the environment variable ${key}, run on a terminal to be asked, or use --inline ${key}=- to read it from stdin`
          );
        }
      } else if (item.slice(eq + 1) === "-") {
        set(key, stripOneNewline(await stdinText(`--inline ${key}=-`)), `--inline ${key}`);
      } else {
        if (!warned) {
          io.warn(
            `warning: --inline ${key}=… puts the value in your shell history and the process list; next time use --inline ${key} (reads $${key}, or asks) or --from-env-file`
          );
          warned = true;
        }
        set(key, item.slice(eq + 1), `--inline ${key}`);
      }
    }
    return { type: "inline", pairs };
  }
  if (flags.fromFile.length > 0) {
    const files = [];
    for (const path of flags.fromFile) {
      if (path === "-") {
        if (flags.kind !== "git-ssh") {
          throw usage(
            "--from-file - (stdin) names no key: for a default secret use --inline KEY=-"
          );
        }
        files.push({ name: "gitkey", content: await io.readStdin(MAX_SECRET_BYTES) });
        continue;
      }
      const name = flags.kind === "git-ssh" ? "gitkey" : basename(path);
      if (files.some((f) => f.name === name)) {
        throw usage(
          `--from-file: two files are named ${name}; each file becomes the key of its name`
        );
      }
      files.push({ name, content: await readFileBounded(resolve2(path), "--from-file") });
    }
    return { type: "files", files };
  }
  const dir = resolve2(flags.fromDirectory);
  const info = await lstat(dir).catch(() => null);
  if (!info) throw usage(`--from-directory ${flags.fromDirectory}: does not exist`);
  if (!(await stat(dir)).isDirectory()) {
    throw usage(`--from-directory ${flags.fromDirectory}: not a directory`);
  }
  const entries = await walk(dir, flags.fromDirectory);
  if (entries.length === 0) throw usage(`--from-directory ${flags.fromDirectory}: has no files`);
  return { type: "directory", name: basename(dir), entries };
}
async function readAllStdin(max) {
  const chunks = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const bytes = chunk;
    size += bytes.byteLength;
    if (size > max) throw usage(`stdin holds more than ${max} bytes: a Secret holds at most 1 MiB`);
    chunks.push(bytes);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// cli/secret-flows.ts
function noBrokerFlagsInDirect(args) {
  if (isDirect(args) && args.clusters?.length) {
    throw usage(
      "--clusters names broker clusters; in direct mode name kubeconfig contexts with --contexts"
    );
  }
}
function directTarget(ctx, args) {
  return resolveDirect(
    {
      kubeconfig: args.kubeconfig,
      contexts: args.contexts,
      owner: args.owner,
      timeoutMs: args.timeout * 1e3
    },
    ctx.env
  );
}
async function brokerLines(ctx, pending, named2, line, what2) {
  if (ctx.out.format === "text" && named2?.length) {
    const settled = pending.then(
      (reply3) => reply3,
      () => null
    );
    const lines2 = new Map(
      named2.map((cluster) => [
        cluster,
        settled.then((reply3) => {
          const r = reply3?.results?.map(line).find((l) => l.cluster === cluster);
          if (r) return r;
          const why = reply3 ? reply3.problem?.code ?? `HTTP ${reply3.status}` : "no answer from the broker";
          return { cluster, ok: false, text: `not written (${why})` };
        })
      ])
    );
    const shown = await showClusters(ctx.out, lines2);
    const reply2 = await pending;
    return { reply: reply2, lines: reply2.results?.length ? shown : [] };
  }
  const reply = await withSpinner(ctx.out, what2, pending);
  const lines = (reply.results ?? []).map(line);
  return {
    reply,
    lines: await showClusters(ctx.out, new Map(lines.map((l) => [l.cluster, Promise.resolve(l)])))
  };
}
function finish(ctx, lines, verb, raw) {
  if (ctx.out.format === "json") json(ctx.out, raw);
  else ctx.out.print(summary(verb, lines));
  return exitFor(lines.filter((l) => l.ok).length, lines.filter((l) => !l.ok).length);
}
async function createSecret(ctx, args) {
  noBrokerFlagsInDirect(args);
  const source = await buildSource(
    {
      kind: args.kind,
      inline: args.inline ?? [],
      fromEnvFile: args.fromEnvFile ?? [],
      fromFile: args.fromFile ?? [],
      fromDirectory: args.fromDirectory
    },
    ctx.io
  );
  const verb = args.dryRun ? "Planned for" : "Synced to";
  if (isDirect(args)) {
    const target = directTarget(ctx, args);
    ctx.out.note(
      `direct mode: owner ${target.owner.owner} (from ${target.owner.from}), contexts ${target.contexts.join(", ")}`
    );
    const run2 = putDirect(target, args.name, { ...args, source });
    const lines2 = new Map([...run2.results].map(([c, p]) => [c, p.then(applyLine)]));
    const shown = await showClusters(ctx.out, lines2);
    return finish(ctx, shown, verb, await run2.answer);
  }
  const client = brokerClient(ctx, args);
  const pending = call(
    client,
    (c) => c.putSecret(args.name, {
      kind: args.kind,
      source: toWireSource(source),
      mode: args.mode,
      prune: args.prune,
      immutable: args.immutable,
      dryRun: args.dryRun,
      ...args.clusters?.length ? { clusters: args.clusters } : {},
      ...args.owner ? { owner: args.owner } : {}
    })
  );
  const { reply, lines } = await brokerLines(
    ctx,
    pending,
    args.clusters,
    applyLine,
    `writing ${args.name} on every cluster you may use`
  );
  if (lines.length === 0) {
    if (reply.ok) throw new CliError(summary(verb, []));
    throw refusal(reply, `secret ${args.name} not written`);
  }
  if (reply.answer?.notice) ctx.out.note(`note: ${reply.answer.notice}`);
  return finish(ctx, lines, verb, reply.raw);
}
async function deleteSecret(ctx, args) {
  noBrokerFlagsInDirect(args);
  if (isDirect(args)) {
    const run2 = deleteDirect(directTarget(ctx, args), args.name);
    const lines2 = new Map([...run2.results].map(([c, p]) => [c, p.then(deleteLine)]));
    const shown = await showClusters(ctx.out, lines2);
    return finish(ctx, shown, "Deleted from", await run2.answer);
  }
  const client = brokerClient(ctx, args);
  const pending = call(
    client,
    (c) => c.deleteSecret(args.name, {
      ...args.owner ? { owner: args.owner } : {},
      ...args.clusters?.length ? { clusters: args.clusters } : {}
    })
  );
  const { reply, lines } = await brokerLines(
    ctx,
    pending,
    args.clusters,
    deleteLine,
    `deleting ${args.name}`
  );
  if (lines.length === 0) {
    if (reply.ok) throw new CliError(summary("Deleted from", []));
    throw refusal(reply, `secret ${args.name} not deleted`);
  }
  return finish(ctx, lines, "Deleted from", reply.raw);
}
async function listSecrets(ctx, args) {
  noBrokerFlagsInDirect(args);
  let answer;
  let raw;
  if (isDirect(args)) {
    answer = await withSpinner(
      ctx.out,
      "listing",
      listDirect(directTarget(ctx, args), args.allUsers)
    );
    raw = answer;
  } else {
    const client = brokerClient(ctx, args);
    const reply = await withSpinner(
      ctx.out,
      "listing",
      call(
        client,
        (c) => c.listSecrets({
          all: args.allUsers,
          ...args.owner ? { owner: args.owner } : {},
          ...args.clusters?.length ? { clusters: args.clusters } : {}
        })
      )
    );
    if (!reply.ok) throw refusal(reply, "cannot list");
    if (!reply.answer) throw mismatch(reply, "cannot list");
    answer = reply.answer;
    raw = reply.raw;
  }
  const failures = listFailures(answer);
  const ok = answer.results.length - failures.length;
  if (ctx.out.format === "json") json(ctx.out, raw);
  else {
    ctx.out.print(listTable(answer));
    if (failures.length) {
      for (const f of failures) ctx.out.print(`✖ ${f.cluster}  ${f.text}: ${f.detail}`);
      ctx.out.print(
        summary("Listed", [
          ...failures,
          ...Array.from({ length: ok }, () => ({ cluster: "", ok: true, text: "" }))
        ])
      );
    }
  }
  return exitFor(ok, failures.length);
}
async function describeSecret2(ctx, args) {
  noBrokerFlagsInDirect(args);
  let answer;
  let raw;
  if (isDirect(args)) {
    answer = await withSpinner(
      ctx.out,
      `describing ${args.name}`,
      describeDirect(directTarget(ctx, args), args.name)
    );
    raw = answer;
    if (answer.results.every((r) => r.status === "missing")) {
      throw new CliError(
        `owner ${answer.owner} has no secret "${args.name}" on ${answer.results.map((r) => r.cluster).join(", ")}`
      );
    }
  } else {
    const client = brokerClient(ctx, args);
    const reply = await withSpinner(
      ctx.out,
      `describing ${args.name}`,
      call(
        client,
        (c) => c.describeSecret(args.name, {
          ...args.owner ? { owner: args.owner } : {},
          ...args.clusters?.length ? { clusters: args.clusters } : {}
        })
      )
    );
    if (!reply.ok) throw refusal(reply, `cannot describe ${args.name}`);
    if (!reply.answer) throw mismatch(reply, `cannot describe ${args.name}`);
    answer = reply.answer;
    raw = reply.raw;
  }
  const failed = answer.results.filter((r) => r.status === "error").length;
  if (ctx.out.format === "json") json(ctx.out, raw);
  else ctx.out.print(describeText(answer));
  return failed === 0 ? EXIT.ok : exitFor(answer.results.length - failed, failed);
}

// cli/commands/secrets.ts
var list = (v) => v === void 0 ? [] : (Array.isArray(v) ? v : [v]).map(String);
var commaList = (v) => v === void 0 ? void 0 : list(v).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
var SECRET_HELP = `Values never need to be on the command line: --inline KEY reads the environment variable KEY (or asks on a terminal, hidden); --inline KEY=- and --from-env-file - read stdin. --inline KEY=VALUE works as in Konduktor, with a warning (the value is then in your shell history and the process list). No value is ever printed.`;
function scopeOptions(y) {
  return y.option("clusters", {
    type: "string",
    describe: "only these broker clusters (a,b); default: every cluster you may use",
    coerce: commaList
  }).option("owner", {
    type: "string",
    describe: "the owner hash (broker: when your credential acts for several; direct mode: default KONDUKTOR_USER_ID, ~/.konduktor/user_hash, then Konduktor's hash of user and host)"
  });
}
function createOptions(y) {
  return scopeOptions(y).positional("name", {
    type: "string",
    describe: "the secret's name (basename)",
    demandOption: true
  }).option("kind", {
    type: "string",
    choices: ["default", "env", "git-ssh"],
    default: "default",
    describe: "env: every key becomes an environment variable; git-ssh: one private key; default: mounted files"
  }).option("inline", {
    type: "string",
    describe: "KEY (value from $KEY or a hidden prompt), KEY=- (from stdin) or KEY=VALUE; repeat for more keys",
    coerce: list
  }).option("from-env-file", {
    type: "string",
    describe: "KEY=VALUE lines, dotenv syntax (- for stdin); repeatable",
    coerce: list
  }).option("from-file", {
    type: "string",
    describe: "a file; its name is the key (gitkey for git-ssh; - for stdin); repeatable",
    coerce: list
  }).option("from-directory", {
    type: "string",
    describe: "a directory, stored as one payload.zip"
  }).option("mode", {
    type: "string",
    choices: ["merge", "replace"],
    default: "merge",
    describe: "merge: add and overwrite keys, keep the others (Konduktor's create); replace: exactly these keys"
  }).option("prune", {
    type: "boolean",
    default: false,
    describe: "merge: also remove keys written before through the broker/ksb and not given now"
  }).option("immutable", {
    type: "boolean",
    default: false,
    describe: "create the Secret immutable (Konduktor's CLI can then no longer change it)"
  }).option("dry-run", {
    type: "boolean",
    default: false,
    describe: "say what would change on each cluster; write nothing"
  });
}
function secretCommands(y, h) {
  return y.command(
    "secret",
    "Create, list, describe and delete Konduktor secrets on every cluster",
    (s) => s.command(
      "create <name>",
      "Create (or merge into) a secret on every cluster at once",
      (c) => createOptions(c).epilogue(epilogue(SECRET_HELP)).example(
        "$0 secret create --kind env --inline WANDB_API_KEY wandb",
        "the value comes from $WANDB_API_KEY, or a hidden prompt"
      ).example(
        "$0 secret create --kind env --from-env-file .env train-env",
        "every line of .env"
      ).example(
        "$0 secret create --from-file ca.pem --from-file client.key tls",
        "one key per file"
      ).example(
        "$0 secret create --from-directory ./config app-config",
        "a directory, as payload.zip"
      ).example(
        "$0 secret create --kind git-ssh --from-file ~/.ssh/id_ed25519 github",
        "a git-ssh key"
      ).example(
        "$0 --contexts all secret create --kind env --inline API_KEY api",
        "no broker: every context of your kubeconfig"
      ),
      h(createSecret)
    ).command(
      ["list", "ls"],
      "List your secrets (or everyone's with -u) and which clusters hold them",
      (c) => scopeOptions(c).option("all-users", {
        alias: "u",
        type: "boolean",
        default: false,
        describe: "every user's secrets (names, kinds, owners; never values)"
      }).epilogue(EXIT_CODES_HELP).example("$0 secret list", "your secrets: kind, keys, clusters holding each, drift").example("$0 secret list -u -o json", "everyone's, as JSON"),
      h(listSecrets)
    ).command(
      "describe <name>",
      "Keys, digests and provenance of a secret on every cluster, and whether they agree",
      (c) => scopeOptions(c).positional("name", { type: "string", demandOption: true }).epilogue(EXIT_CODES_HELP).example("$0 secret describe wandb", "one row per cluster; digests, never values"),
      h(describeSecret2)
    ).command(
      ["delete <name>", "rm <name>"],
      "Delete a secret from every cluster (or --clusters)",
      (c) => scopeOptions(c).positional("name", { type: "string", demandOption: true }).epilogue(EXIT_CODES_HELP).example("$0 secret delete wandb", "from every cluster you may use").example("$0 secret delete wandb --clusters gpu-east", "from one cluster only"),
      h(deleteSecret)
    ).demandCommand(1, "name a secret command: create, list, describe or delete")
  ).command(
    "sync [names..]",
    "Bring your secrets in line on every cluster (copy what is missing or different)",
    (c) => scopeOptions(c).positional("names", {
      type: "string",
      array: true,
      describe: "only these secrets (names, or prefix* patterns)"
    }).option("dry-run", {
      type: "boolean",
      default: false,
      describe: "show the plan, write nothing"
    }).option("source", {
      type: "string",
      describe: "copy from this cluster (default: each secret's newest copy)"
    }).epilogue(EXIT_CODES_HELP).example("$0 sync --dry-run", "what a sync would copy, per cluster").example("$0 sync wandb --source gpu-east", "copy wandb from gpu-east to the others"),
    h((ctx, args) => runSync(ctx, { ...args, names: list(args.names) }))
  );
}
function derivedName(from) {
  return from.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
}
function mcliAliases(y, h) {
  return y.command(
    "create <what> <kind> [values..]",
    "mcli's order: create secret env KEY… | create secret git-ssh PATH | create secret default PATH…",
    (c) => scopeOptions(c).positional("what", { choices: ["secret"], describe: "secret" }).positional("kind", { choices: ["env", "git-ssh", "default", "mounted"] }).positional("values", { type: "string", array: true }).option("name", {
      type: "string",
      describe: "the secret's name (default: from the first key or file)"
    }).option("dry-run", { type: "boolean", default: false }).epilogue(EXIT_CODES_HELP).example(
      "$0 create secret env WANDB_API_KEY",
      "= secret create --kind env --inline WANDB_API_KEY wandb-api-key"
    ).example(
      "$0 create secret git-ssh ~/.ssh/id_ed25519 --name github",
      "= secret create --kind git-ssh --from-file … github"
    ),
    h((ctx, args) => {
      const values = list(args.values);
      if (values.length === 0) throw usage("give the keys (env) or the file(s) to store");
      const kind = args.kind === "mounted" ? "default" : args.kind;
      const first = values[0];
      const name = args.name ?? derivedName(kind === "env" ? first.split("=")[0] ?? first : basename2(first));
      const create = {
        ...args,
        name,
        kind,
        inline: kind === "env" ? values : [],
        fromEnvFile: [],
        fromFile: kind === "env" ? [] : values,
        mode: "merge",
        prune: false,
        immutable: false,
        dryRun: args.dryRun === true,
        clusters: args.clusters,
        owner: args.owner
      };
      return createSecret(ctx, create);
    })
  ).command(
    "get <what>",
    "mcli's order: get secrets (= secret list)",
    (c) => scopeOptions(c).positional("what", { choices: ["secrets", "secret"] }).option("all-users", { alias: "u", type: "boolean", default: false }).epilogue(EXIT_CODES_HELP).example("$0 get secrets", "= secret list"),
    h(listSecrets)
  ).command(
    "describe <what> <name>",
    "mcli's order: describe secret NAME (= secret describe NAME)",
    (c) => scopeOptions(c).positional("what", { choices: ["secret"] }).epilogue(EXIT_CODES_HELP).example("$0 describe secret wandb", "= secret describe wandb"),
    h(describeSecret2)
  ).command(
    "delete <what> <name>",
    "mcli's order: delete secret NAME (= secret delete NAME)",
    (c) => scopeOptions(c).positional("what", { choices: ["secret"] }).epilogue(EXIT_CODES_HELP).example("$0 delete secret wandb", "= secret delete wandb"),
    h(deleteSecret)
  );
}

// cli/commands/admin.ts
var owners = (y) => y.option("owner", {
  type: "string",
  describe: "an owner hash (repeatable)",
  coerce: list,
  demandOption: true
});
var clusters = (y) => y.option("clusters", {
  type: "string",
  describe: "cluster names a,b (default: all)",
  coerce: commaList
});
function sessionCommands(y, h) {
  return y.command(
    "login",
    "Save a broker URL and token as a profile (the token from a hidden prompt or stdin, never the command line)",
    (c) => c.example("$0 login --url https://broker.example.com", "asks for the token (hidden)").example(
      'printf %s "$TOKEN" | $0 login --url https://broker.example.com --profile ci',
      "the token on stdin"
    ).epilogue(
      epilogue(
        "http:// is accepted only for this machine (localhost, 127.0.0.1, ::1). The config file is $XDG_CONFIG_HOME/ksb/config.json (mode 0600). KSB_URL, KSB_TOKEN and KSB_PROFILE override it."
      )
    ),
    h(login)
  ).command(
    "logout",
    "Remove a profile and its token",
    (c) => c.epilogue(EXIT_CODES_HELP).example("$0 logout --profile ci", "forget profile ci"),
    h(logout)
  ).command(
    "whoami",
    "The broker, the credential, and (when the broker says) its owners, clusters, rights and expiry",
    (c) => c.epilogue(EXIT_CODES_HELP).example("$0 whoami", "who am I at the current profile's broker"),
    h(whoami)
  ).command(
    "profile",
    "List profiles or pick the current one",
    (p) => p.command(
      ["list", "ls"],
      "List the saved profiles (never their tokens)",
      (c) => c.epilogue(EXIT_CODES_HELP).example("$0 profile list", "* marks the current one"),
      h(profileList)
    ).command(
      "use <name>",
      "Make a profile the current one",
      (c) => c.positional("name", { type: "string", demandOption: true }).epilogue(EXIT_CODES_HELP).example("$0 profile use staging", "use staging from now on"),
      h((ctx, a) => profileUse(ctx, a.name))
    ).demandCommand(1, "name a profile command: list or use")
  );
}
function adminCommands(y, h) {
  const ADMIN = "Needs the broker's admin token (a profile logged in with it).";
  return y.command(
    "cluster",
    "Register, list, check and remove clusters (admin)",
    (g) => g.command(
      "add <name>",
      "Register a kubeconfig context with the broker (what npm run register-cluster does)",
      (c) => c.positional("name", { type: "string", demandOption: true }).option("context", {
        type: "string",
        describe: "the kubeconfig context (default: current-context)"
      }).option("service-account", {
        type: "boolean",
        default: false,
        describe: "register a ServiceAccount token made with the context (client certificates, exec plugins: EKS, GKE, kind)"
      }).option("sa-name", {
        type: "string",
        describe: "the ServiceAccount's name (default konduktor-broker)"
      }).option("token-days", {
        type: "number",
        default: 365,
        describe: "the ServiceAccount token's lifetime"
      }).option("sync", {
        type: "boolean",
        default: false,
        describe: "copy every owner's secrets onto the new cluster"
      }).epilogue(
        epilogue(
          `${ADMIN} The kubeconfig is --kubeconfig, else $KUBECONFIG, else ~/.kube/config; only the one context leaves this machine.`
        )
      ).example("$0 cluster add gpu-east", "the current context").example(
        "$0 cluster add gpu-west --context eks-west --service-account",
        "an EKS context, through a ServiceAccount token"
      ),
      h(clusterAdd)
    ).command(
      ["list", "ls"],
      "List registered clusters",
      (c) => c.epilogue(epilogue(ADMIN)).example("$0 cluster list", "name, server, namespace"),
      h(clusterList)
    ).command(
      "health <name>",
      "Check a cluster: reachable, version, what the stored credential may do",
      (c) => c.positional("name", { type: "string", demandOption: true }).epilogue(epilogue(ADMIN)).example("$0 cluster health gpu-east", "exit 0 when healthy"),
      h(clusterHealth)
    ).command(
      ["remove <name>", "rm <name>"],
      "Remove a cluster from the registry (its secrets stay)",
      (c) => c.positional("name", { type: "string", demandOption: true }).epilogue(epilogue(ADMIN)).example("$0 cluster remove gpu-old", "forget gpu-old"),
      h(clusterRemove)
    ).demandCommand(1, "name a cluster command: add, list, health or remove")
  ).command(
    "token",
    "Issue, list and revoke API tokens (admin)",
    (g) => g.command(
      "create",
      "Issue an API token for owners and clusters; printed once (or saved as a profile)",
      (c) => clusters(owners(c)).option("label", { type: "string", describe: "a name for lists and audit lines" }).option("read-only", {
        type: "boolean",
        default: false,
        describe: "list and describe only"
      }).option("list-all-users", {
        type: "boolean",
        default: false,
        describe: "may list every user's secrets (-u)"
      }).option("days", {
        type: "number",
        default: 30,
        describe: "lifetime in days (at most 366)"
      }).option("save-profile", {
        type: "string",
        describe: "save the token as this profile instead of printing it"
      }).epilogue(epilogue(ADMIN)).example("$0 token create --owner 0a1b2c3d --label alice", "prints the token once").example(
        "$0 token create --owner 0a1b2c3d --save-profile alice",
        "never printed: saved as profile alice"
      ),
      h(tokenCreate)
    ).command(
      ["list", "ls"],
      "List tokens (never the tokens themselves)",
      (c) => c.epilogue(epilogue(ADMIN)).example("$0 token list", "id, label, owners, expiry"),
      h(tokenList)
    ).command(
      "revoke <id>",
      "Revoke a token (it stops working at once)",
      (c) => c.positional("id", { type: "string", demandOption: true }).epilogue(epilogue(ADMIN)).example("$0 token revoke 3f2a9c0d1e4b5a67", "by its id"),
      h(tokenRevoke)
    ).demandCommand(1, "name a token command: create, list or revoke")
  ).command(
    "hook",
    "Create, list and delete signed webhooks (admin)",
    (g) => g.command(
      "create",
      "Create a webhook bound to owners, secret names and clusters; its signing secret is printed once",
      (c) => clusters(owners(c)).option("names", {
        type: "string",
        describe: "secret names or prefix* patterns it may touch (a,b)",
        coerce: commaList,
        demandOption: true
      }).option("label", { type: "string" }).option("sync", {
        type: "boolean",
        default: true,
        describe: "may deliveries be sync requests (--no-sync: secret sets only)"
      }).epilogue(epilogue(ADMIN)).example(
        "$0 hook create --owner 0a1b2c3d --names 'db-*' --label vault",
        "for a rotation system"
      ),
      h(hookCreate)
    ).command(
      ["list", "ls"],
      "List webhooks (never their secrets)",
      (c) => c.epilogue(epilogue(ADMIN)).example("$0 hook list", "id, owners, names"),
      h(hookList)
    ).command(
      ["delete <id>", "rm <id>"],
      "Delete a webhook",
      (c) => c.positional("id", { type: "string", demandOption: true }).epilogue(epilogue(ADMIN)).example("$0 hook delete wh_3f2a9c0d1e4b5a67", "by its id"),
      h(hookDelete)
    ).demandCommand(1, "name a hook command: create, list or delete")
  ).command(
    "oidc-binding",
    "Which GitHub workflows act as which owners (admin)",
    (g) => g.command(
      "put <id>",
      "Create or replace a GitHub OIDC binding",
      (c) => clusters(owners(c)).positional("id", { type: "string", demandOption: true }).option("repository", {
        type: "string",
        demandOption: true,
        describe: "owner/repo (globs: owner/*)"
      }).option("ref", { type: "string", describe: "e.g. refs/heads/main, refs/tags/v*" }).option("environment", { type: "string" }).option("workflow", { type: "string", describe: "the workflow's name" }).option("event-name", { type: "string", describe: "e.g. push" }).option("read-only", { type: "boolean", default: false }).option("list-all-users", { type: "boolean", default: false }).option("description", { type: "string" }).epilogue(epilogue(ADMIN)).example(
        "$0 oidc-binding put train-main --repository acme/train --ref refs/heads/main --owner 0a1b2c3d",
        "main of acme/train acts as 0a1b2c3d"
      ),
      h(bindingPut)
    ).command(
      ["list", "ls"],
      "List OIDC bindings",
      (c) => c.epilogue(epilogue(ADMIN)).example("$0 oidc-binding list", "id, match, owners"),
      h(bindingList)
    ).command(
      ["delete <id>", "rm <id>"],
      "Delete an OIDC binding",
      (c) => c.positional("id", { type: "string", demandOption: true }).epilogue(epilogue(ADMIN)).example("$0 oidc-binding delete train-main", "by its id"),
      h(bindingDelete)
    ).demandCommand(1, "name an oidc-binding command: put, list or delete")
  );
}

// cli/main.ts
function packageVersion() {
  let dir = dirname3(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = join5(dir, "package.json");
    if (existsSync4(file)) {
      const pkg = JSON.parse(readFileSync5(file, "utf8"));
      if (pkg.name === "konduktor-secrets-broker" && pkg.version) return pkg.version;
    }
    dir = dirname3(dir);
  }
  return "unknown";
}
var VERSION = packageVersion();
var EPILOGUE = `${EXIT_CODES_HELP}

Broker mode uses the current profile (ksb login), or KSB_URL and KSB_TOKEN. Direct mode (--kubeconfig or --contexts) writes to kubeconfig contexts with no broker, as owner KONDUKTOR_USER_ID, else ~/.konduktor/user_hash, else Konduktor's hash of user and host.

Values are never printed and never need to be on the command line (--inline KEY reads $KEY or asks). Docs: docs/cli.md`;
function processCtx(format) {
  return {
    out: consoleOut(format),
    env: process.env,
    version: VERSION,
    io: {
      env: process.env,
      interactive: process.stdin.isTTY === true,
      readStdin: readAllStdin,
      prompt: async (message) => {
        try {
          return await password({ message, mask: false }, { output: process.stderr });
        } catch (error) {
          if (error.name === "ExitPromptError") throw new CliError("cancelled");
          throw error;
        }
      },
      warn: (line) => process.stderr.write(`${line}
`)
    }
  };
}
async function run(argv, makeCtx = processCtx) {
  let code = EXIT.ok;
  let ctx;
  const h = (flow) => async (args) => {
    ctx = makeCtx(args.output);
    code = await flow(ctx, args);
  };
  const cli = yargs([...argv]).scriptName("ksb").usage(
    "$0 <command> [options]\n\nKonduktor secrets on every cluster at once: through the broker, or straight to every context of a kubeconfig."
  ).option("profile", {
    type: "string",
    global: true,
    describe: "broker profile (default: the current one; KSB_PROFILE)"
  }).option("url", {
    type: "string",
    global: true,
    describe: "broker URL for this command (KSB_URL)"
  }).option("output", {
    alias: "o",
    choices: ["text", "json"],
    default: "text",
    global: true,
    describe: "json: the answer, for scripts"
  }).option("kubeconfig", {
    type: "string",
    global: true,
    describe: "direct mode: this kubeconfig (a path list like KUBECONFIG)"
  }).option("contexts", {
    type: "string",
    global: true,
    describe: "direct mode: all, or contexts a,b (default: current-context)"
  }).option("timeout", {
    type: "number",
    default: 30,
    global: true,
    describe: "seconds to wait for the broker / each cluster"
  });
  sessionCommands(cli, h);
  secretCommands(cli, h);
  adminCommands(cli, h);
  mcliAliases(cli, h);
  cli.completion("completion", "Print a bash/zsh completion script (ksb completion >> ~/.bashrc)").demandCommand(1, "name a command (ksb --help lists them)").recommendCommands().strict().help().alias("help", "h").version(VERSION).wrap(Math.min(110, process.stdout.columns ?? 100)).epilogue(EPILOGUE).exitProcess(false).fail((message, error) => {
    if (error instanceof CliError) throw error;
    if (error) throw error;
    throw new CliError(
      `${message}
Run the command with --help for its options and examples.`,
      EXIT.usage
    );
  });
  try {
    await cli.parseAsync();
  } catch (error) {
    const note = (line) => (ctx?.out.note ?? ((l) => process.stderr.write(`${l}
`)))(line);
    if (error instanceof CliError) {
      note(error.message.startsWith("✖") ? error.message : `✖ ${error.message}`);
      return error.exitCode;
    }
    const e = error;
    note(
      `✖ unexpected ${e?.name ?? "error"}${typeof e?.code === "string" ? ` (${e.code})` : ""}; run with KSB_DEBUG=1 for details`
    );
    if (process.env.KSB_DEBUG) note(String(e?.stack));
    return EXIT.failed;
  }
  return code;
}
function isEntry() {
  try {
    return realpathSync(resolve3(process.argv[1] ?? "")) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isEntry()) {
  process.exitCode = await run(process.argv.slice(2));
}
export {
  VERSION,
  processCtx,
  run
};
