#!/usr/bin/env node
import {
  Base64,
  CliError,
  ClusterList,
  ClusterName,
  ClusterScope,
  ClustersOrAll,
  CommaList,
  DNS_LABEL_RE,
  EXIT,
  EXIT_CODES_HELP,
  MAX_SECRET_BYTES,
  NamePattern,
  OwnerHash,
  RightsInput,
  RightsSchema,
  SECRET_KINDS,
  SecretKindSchema,
  bytesToBase64,
  epilogue,
  exitFor,
  flattenContext,
  kubeconfigPaths,
  mergeKubeconfigs,
  usage
} from "./chunk-W5365QQY.js";

// cli/main.ts
import { existsSync as existsSync2, readFileSync as readFileSync2, realpathSync } from "node:fs";
import { dirname as dirname2, join as join4, resolve as resolve2 } from "node:path";
import { fileURLToPath } from "node:url";
import password from "@inquirer/password";
import yargs from "yargs";

// cli/admin-flows.ts
import { mkdtempSync, rmSync, writeFileSync as writeFileSync2 } from "node:fs";
import { tmpdir } from "node:os";
import { join as join2 } from "node:path";

// cli/config.ts
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z as z7 } from "zod";

// konduktor/wire/client.ts
import { z as z6 } from "zod";

// konduktor/wire/admin.ts
import { z as z2 } from "zod";

// konduktor/wire/sync.ts
import { z } from "zod";
var SyncRequestBody = z.strictObject({
  owners: z.array(OwnerHash).min(1, "owners, when given, names at least one owner").optional(),
  clusters: ClusterList.meta({
    description: "the clusters to bring in line (default: all the caller may use)"
  }),
  source: ClusterName.optional().meta({
    description: "copy from this cluster, also a copy changed outside the broker, and adopt secrets the ledger does not know (default: for each secret, a copy signed by the broker at the ledger's version)"
  }),
  names: z.array(z.string()).min(1, "names, when given, names at least one secret").max(500).optional().meta({
    description: 'only these secrets: basenames, or "prefix*" patterns ("*" for any). A copy deleted outside the broker is created again only for a secret named here exactly',
    example: ["wandb", "db-*"]
  }),
  dryRun: z.boolean().default(false).meta({
    description: "answer the plan (secret, key names, cluster, action) and write nothing"
  })
}).meta({ id: "SyncRequest" });
var PlanEntrySchema = z.object({
  owner: z.string(),
  secret: z.string().meta({ description: "basename" }),
  secretName: z.string(),
  cluster: z.string(),
  action: z.enum(["create", "update", "delete"]),
  keys: z.array(z.string()).meta({ description: "key names written or removed" }),
  source: z.string().nullable(),
  version: z.number().nullable().meta({ description: "the ledger version written" }),
  reason: z.string(),
  status: z.enum(["planned", "done", "error"]),
  supersededBy: z.number().optional(),
  writes: z.number().optional(),
  code: z.string().optional(),
  message: z.string().optional()
});
var SyncAnswer = z.object({
  dryRun: z.boolean(),
  owners: z.union([z.array(z.string()), z.literal("all")]),
  clusters: z.array(z.string()),
  targets: z.array(z.string()),
  source: z.string().nullable(),
  results: z.array(
    z.object({
      cluster: z.string(),
      status: z.enum(["read", "error"]),
      secrets: z.number().optional(),
      code: z.string().optional(),
      message: z.string().optional()
    })
  ),
  plan: z.array(PlanEntrySchema),
  skipped: z.array(
    z.object({
      owner: z.string(),
      secret: z.string(),
      cluster: z.string().optional(),
      editedOutsideBroker: z.literal(true).optional(),
      deletedOutsideBroker: z.literal(true).optional(),
      reason: z.string()
    })
  ),
  unledgered: z.array(
    z.object({
      owner: z.string(),
      secret: z.string(),
      secretName: z.string(),
      clusters: z.array(z.string())
    })
  ).meta({
    description: "secrets the broker's ledger does not know (made by Konduktor's CLI or the Action's kubeconfig mode): left where they are, never copied; a sync that names a `source` holding one adopts it"
  }),
  summary: z.object({
    secrets: z.number(),
    inLine: z.number(),
    planned: z.number(),
    done: z.number(),
    failed: z.number(),
    unreadableClusters: z.number(),
    unledgered: z.number()
  }),
  durationMs: z.number()
}).meta({ id: "SyncAnswer" });
function nameMatcher(patterns) {
  return (basename3) => patterns.some((p) => p.endsWith("*") ? basename3.startsWith(p.slice(0, -1)) : p === basename3);
}

// konduktor/wire/admin.ts
var RegisterClusterBody = z2.strictObject({
  kubeconfig: z2.string({ error: "kubeconfig is required: the kubeconfig YAML (as a string)" }).min(1, "kubeconfig is empty").max(256 * 1024, "kubeconfig is larger than 256 KiB").meta({
    description: "The kubeconfig YAML. On workerd it must embed everything: server, certificate-authority-data (or a publicly trusted server certificate) and a bearer token (e.g. a ServiceAccount token); no exec plugins, files or client certificates."
  }),
  context: z2.string().min(1).optional().meta({ description: "the context to use (default: current-context)" }),
  sync: z2.boolean().default(false).meta({
    description: "after registering, copy every owner's secrets placed on all clusters (or naming this one) onto this cluster, from the newest copy on the other clusters; the answer's `sync` says what was copied"
  })
}).meta({ id: "RegisterCluster" });
var ClusterInfoSchema = z2.object({
  name: z2.string(),
  server: z2.string().meta({ example: "https://10.0.0.1:6443" }),
  namespace: z2.string().meta({ example: "default" }),
  context: z2.string(),
  addedAt: z2.string(),
  updatedAt: z2.string(),
  keyId: z2.string().meta({ description: "id of the key the kubeconfig is encrypted with" }),
  sync: SyncAnswer.optional().meta({
    description: "registered with `sync`: what was copied onto the cluster"
  })
}).meta({ id: "Cluster" });
var ClusterNameParam = z2.object({ name: ClusterName });
var ClusterListAnswer = z2.object({ clusters: z2.array(ClusterInfoSchema) });
var HealthSchema = z2.object({
  cluster: z2.string(),
  server: z2.string(),
  namespace: z2.string(),
  reachable: z2.boolean(),
  version: z2.string().nullable(),
  access: z2.record(z2.string(), z2.boolean()).nullable().meta({
    description: "per verb on Secrets in the namespace, from a SelfSubjectAccessReview (null when unreachable)",
    example: { get: true, list: true, create: true, patch: true, delete: false }
  }),
  missing: z2.array(z2.string()).meta({ description: "verbs the credential may not use" }),
  ok: z2.boolean().meta({ description: "reachable and every verb allowed" }),
  error: z2.object({ code: z2.string(), message: z2.string() }).optional()
}).meta({ id: "ClusterHealth" });
var MAX_TOKEN_TTL_SECONDS = 366 * 24 * 3600;
var IssueTokenBody = z2.strictObject({
  label: z2.string().max(100).optional().meta({ example: "ci-deploy" }),
  owners: z2.array(OwnerHash).min(1, "owners needs at least one owner hash").max(50).meta({ description: "the owner hashes the token acts as" }),
  clusters: ClustersOrAll,
  rights: RightsInput,
  expiresInSeconds: z2.number({ error: "expiresInSeconds must be a number of seconds" }).int("expiresInSeconds must be a whole number of seconds, like 2592000 (30 days)").min(1, "expiresInSeconds must be at least 1").max(MAX_TOKEN_TTL_SECONDS, "a token lives at most 366 days").default(30 * 24 * 3600).meta({ description: "lifetime in seconds (default 30 days, at most 366 days)" })
}).meta({ id: "IssueToken" });
var TokenInfoSchema = z2.object({
  id: z2.string().meta({ example: "3f2a9c0d1e4b5a67" }),
  label: z2.string().nullable(),
  owners: z2.array(z2.string()),
  clusters: ClusterScope,
  rights: RightsSchema,
  createdAt: z2.string(),
  expiresAt: z2.string(),
  revokedAt: z2.string().nullable()
}).meta({ id: "Token" });
var IssuedTokenSchema = TokenInfoSchema.extend({
  token: z2.string().meta({
    description: "the token itself: shown once, stored only as a hash",
    example: "kbt_3f2a9c0d1e4b5a67_…"
  })
}).meta({ id: "IssuedToken" });
var TokenListAnswer = z2.object({ tokens: z2.array(TokenInfoSchema) });
var TOKEN_ID_RE = /^[0-9a-f]{16}$/;
var TokenIdParam = z2.object({
  id: z2.string().regex(TOKEN_ID_RE, "a token id is 16 lowercase hex characters")
});
var HOOK_ID_RE = /^wh_[0-9a-f]{16}$/;
var HookIdParam = z2.object({
  id: z2.string().regex(HOOK_ID_RE, "a hook id looks like wh_ followed by 16 hex characters").meta({ example: "wh_3f2a9c0d1e4b5a67" })
});
var CreateHookBody = z2.strictObject({
  label: z2.string().max(100).optional().meta({ example: "vault-rotation" }),
  owners: z2.array(OwnerHash).min(1, "owners needs at least one owner hash").max(50).meta({ description: "the owners whose secrets deliveries may set or sync" }),
  clusters: ClustersOrAll.meta({
    description: 'the clusters deliveries may write, or "all" (default)'
  }),
  names: z2.array(NamePattern).min(1, 'names needs at least one secret name or pattern ("*" for any)').max(200).meta({
    description: 'the secret names (basenames) deliveries may touch; "prefix*" patterns allowed',
    example: ["db-password", "rotated-*"]
  }),
  allowSync: z2.boolean().default(true).meta({
    description: "whether a delivery may be a sync request (a secret set is always allowed)"
  })
}).meta({ id: "CreateHook" });
var HookInfoSchema = z2.object({
  id: z2.string().meta({ example: "wh_3f2a9c0d1e4b5a67" }),
  label: z2.string().nullable(),
  owners: z2.array(z2.string()),
  clusters: ClusterScope,
  names: z2.array(z2.string()),
  allowSync: z2.boolean(),
  createdAt: z2.string(),
  keyId: z2.string()
}).meta({ id: "Hook" });
var CreatedHookSchema = HookInfoSchema.extend({
  secret: z2.string().meta({
    description: "the signing secret (`whsec_…`): shown once, keep it in the sender"
  }),
  url: z2.string().meta({ description: "the delivery path" })
}).meta({ id: "CreatedHook" });
var HookListAnswer = z2.object({ hooks: z2.array(HookInfoSchema) });
var BINDING_ID_RE = DNS_LABEL_RE;
var BindingId = z2.string().max(63, "a binding id has at most 63 characters").regex(
  BINDING_ID_RE,
  "a binding id is lowercase letters, digits and '-', starting and ending with a letter or digit"
).meta({ example: "train-main" });
var BindingIdParam = z2.object({ id: BindingId });
var claimPattern = z2.string().min(1).max(300);
function repositoryPatternProblem(p) {
  const [owner = "", repo, ...rest] = p.split("/");
  if (repo === void 0 || rest.length > 0) return "must be owner/repo (globs allowed: owner/*)";
  if (owner === "" || /[*?]/.test(owner)) {
    return "must name the owner literally: owner/repo or owner/* (a binding for every owner on GitHub is refused)";
  }
  if (repo === "") return "must be owner/repo (globs allowed: owner/*)";
  return null;
}
var OidcBindingMatch = z2.strictObject({
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
var OidcBindingBody = z2.strictObject({
  description: z2.string().max(500).optional(),
  match: OidcBindingMatch,
  owners: z2.array(OwnerHash).min(1, "owners needs at least one owner hash").max(50),
  clusters: ClustersOrAll,
  rights: RightsInput
}).meta({ id: "OidcBindingBody" });
var OidcBindingSchema = z2.object({
  id: z2.string(),
  description: z2.string().optional(),
  match: z2.record(z2.string(), z2.string()),
  owners: z2.array(z2.string()),
  clusters: ClusterScope,
  rights: RightsSchema,
  createdAt: z2.string(),
  updatedAt: z2.string()
}).meta({ id: "OidcBinding" });
var OidcBindingListAnswer = z2.object({ bindings: z2.array(OidcBindingSchema) });
var WhoamiAnswer = z2.object({
  id: z2.string().meta({
    description: "the caller's id in audit lines: admin, token:<id>, oidc:<repo>@<ref>",
    example: "token:3f2a9c0d1e4b5a67"
  }),
  kind: z2.enum(["admin", "token", "oidc"]),
  label: z2.string().nullable().meta({ description: "the token's label, the workflow for OIDC" }),
  owners: z2.array(z2.string()).meta({ description: "owner hashes it acts as (none: admin)" }),
  clusters: ClusterScope,
  rights: RightsSchema,
  expiresAt: z2.string().nullable().meta({
    description: "when the credential stops working: an API token's expiry, a GitHub OIDC token's `exp`; null for the admin token",
    example: "2026-12-30T12:00:00.000Z"
  })
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

// konduktor/wire/job-tokens.ts
import { z as z4 } from "zod";

// konduktor/wire/secrets.ts
import { z as z3 } from "zod";
var InlineSource = z3.strictObject({
  type: z3.literal("inline"),
  pairs: z3.record(z3.string(), z3.string()).meta({ description: "KEY → value (UTF-8)", example: { API_KEY: "…" } })
});
var FilesSource = z3.strictObject({
  type: z3.literal("files"),
  files: z3.array(z3.strictObject({ name: z3.string().min(1), content: Base64 })).min(1, "files needs at least one file")
});
var DirectorySource = z3.strictObject({
  type: z3.literal("directory"),
  name: z3.string().min(1).meta({ description: "the directory's own name (top folder)" }),
  entries: z3.array(z3.strictObject({ path: z3.string().min(1), content: Base64 })).min(1, "a directory needs at least one file")
});
var SourceSchema = z3.discriminatedUnion("type", [InlineSource, FilesSource, DirectorySource], {
  error: 'source.type must be "inline", "files" or "directory"'
}).meta({
  id: "SecretSource",
  description: "Exactly one source: inline KEY=VALUE pairs, files (key = file name; `gitkey` for git-ssh), or a directory (one payload.zip)."
});
var putFields = {
  kind: SecretKindSchema.default("default"),
  source: SourceSchema,
  owner: OwnerHash.optional().meta({
    description: "required only when the credential acts for several owners"
  }),
  clusters: ClusterList,
  mode: z3.enum(["merge", "replace"], { error: 'mode must be "merge" or "replace"' }).default("merge").meta({
    description: "merge (Konduktor's `secret create`: add and overwrite keys, keep others) or replace (exactly these keys)"
  }),
  prune: z3.boolean().default(false).meta({
    description: "merge only: remove keys this broker wrote before and this call lacks"
  }),
  immutable: z3.boolean().default(false),
  dryRun: z3.boolean().default(false).meta({
    description: "report the plan per cluster (key names and digests), write nothing"
  })
};
var PutSecretBody = z3.strictObject(putFields).meta({ id: "PutSecret" });
var SecretSetBody = z3.strictObject({ ...putFields, name: z3.string().meta({ description: "the secret's basename" }) }).meta({ id: "HookSecretSet" });
var SecretNameParam = z3.object({
  name: z3.string().meta({ example: "wandb", description: "the basename" })
});
var OwnerQuery = OwnerHash.optional().meta({
  description: "required only when the credential acts for several owners"
});
var ListSecretsQuery = z3.strictObject({
  owner: OwnerQuery,
  all: z3.enum(["true", "false"], { error: 'all must be "true" or "false"' }).optional().meta({ description: "every user's secrets (needs the listAllUsers right)" }),
  clusters: CommaList
});
var SecretQuery = z3.strictObject({ owner: OwnerQuery, clusters: CommaList });
var ErrorResult = z3.object({
  cluster: z3.string(),
  status: z3.literal("error"),
  code: z3.string().meta({ example: "unreachable" }),
  message: z3.string(),
  retryable: z3.boolean(),
  attempts: z3.number(),
  durationMs: z3.number()
});
var supersededBy = (description) => z3.number().optional().meta({ description });
var ApplyOkResult = z3.object({
  cluster: z3.string(),
  status: z3.enum(["created", "updated", "unchanged"]),
  secretName: z3.string(),
  namespace: z3.string(),
  added: z3.array(z3.string()),
  changed: z3.array(z3.string()),
  removed: z3.array(z3.string()),
  writes: z3.number(),
  dryRun: z3.boolean(),
  replacedGitSsh: z3.array(z3.string()).optional(),
  supersededBy: supersededBy(
    "the copy already held this newer version (a later request wrote it first): nothing was written"
  ),
  changedOutside: z3.boolean().optional().meta({
    description: "true: the copy had been changed or deleted outside the broker since the broker last wrote it, and was written back whole (added / changed / removed then compare with the version the broker had written there)"
  }),
  attempts: z3.number(),
  durationMs: z3.number()
});
var ApplyResultSchema = z3.union([ApplyOkResult, ErrorResult]).meta({ id: "ApplyResult" });
var DriftSchema = z3.object({
  ledger: z3.enum(["current", "deleted", "unledgered"]).meta({
    description: "`current`: the broker's ledger knows the secret and which version belongs where; `deleted`: deleted through the broker; `unledgered`: not made through the broker (Konduktor's CLI, the Action's kubeconfig mode, ksb's direct mode, a broker before the ledger): left where it is, never copied, until a sync that names a `source` adopts it"
  }),
  version: z3.number().nullable().meta({ description: "the ledger's version of the content (null: unledgered)" }),
  reference: z3.string().nullable().meta({
    description: "the cluster whose copy the others are compared with: a copy signed by the broker at the ledger's version (the one a sync copies from); null when there is none"
  }),
  inLine: z3.boolean().meta({
    description: "every cluster of the placement holds the ledger's version (unledgered: every cluster holds the same content)"
  }),
  clusters: z3.array(
    z3.object({
      cluster: z3.string(),
      state: z3.enum([
        "in-line",
        "missing",
        "different",
        "not-placed",
        "deleted",
        "unknown",
        "unledgered"
      ]).meta({
        description: "`not-placed`: the secret's placement leaves this cluster out; `deleted`: deleted there through the broker (a sync does not restore it). Neither is a disagreement. `unledgered`: a copy of a secret the ledger does not know"
      }),
      keys: z3.object({
        missing: z3.array(z3.string()),
        extra: z3.array(z3.string()),
        changed: z3.array(z3.string())
      }).optional().meta({ description: "for `different`: which keys differ from the reference" }),
      editedOutsideBroker: z3.literal(true).optional().meta({
        description: "this copy was changed outside the broker (its signature does not match): never a source, and a sync leaves it alone unless a source is named"
      }),
      deletedOutsideBroker: z3.literal(true).optional().meta({
        description: "the broker wrote this copy and it was deleted outside the broker (kubectl, `konduktor secret delete`): the cron does not bring it back; a sync that names the secret does"
      }),
      stale: z3.literal(true).optional().meta({
        description: "a copy the broker wrote at an older version: the next sync updates it"
      })
    })
  )
}).meta({ id: "Drift" });
var PutAnswer = z3.object({
  name: z3.string(),
  owner: z3.string(),
  kind: z3.enum(SECRET_KINDS),
  secretName: z3.string(),
  mode: z3.enum(["merge", "replace"]),
  dryRun: z3.boolean(),
  keys: z3.array(z3.string()),
  digests: z3.record(z3.string(), z3.string()).meta({
    description: "key → keyed digest of the value (`hmac-sha256:<key id>:<hex>`, docs/security-model.md): equal values give equal digests, a guess cannot be checked against one"
  }),
  contentDigest: z3.string(),
  version: z3.number().nullable().meta({
    description: "the ledger version this write was signed as (null for a dry run, and in ksb's direct mode, which keeps no ledger): a later request always gets a larger one"
  }),
  results: z3.array(ApplyResultSchema),
  warning: z3.string().optional().meta({
    description: "set with `immutable: true`: Konduktor's `secret create` can no longer change these copies"
  }),
  notice: z3.string().optional().meta({
    description: "set when this write narrowed the placement of an existing secret (the request was limited to fewer clusters than the copy was placed on): the other clusters keep the old value"
  })
}).meta({ id: "PutSecretAnswer" });
var ListOkResult = z3.object({
  cluster: z3.string(),
  status: z3.literal("ok"),
  count: z3.number()
});
var ListAnswer = z3.object({
  scope: z3.enum(["own", "all"]),
  owner: z3.string().nullable(),
  secrets: z3.array(
    z3.object({
      name: z3.string().meta({ description: "basename" }),
      secretName: z3.string(),
      kind: z3.string(),
      owner: z3.string().nullable(),
      keys: z3.array(z3.string()),
      clusters: z3.array(z3.string()).meta({ description: "clusters that hold it" }),
      drift: DriftSchema
    })
  ),
  results: z3.array(z3.union([ListOkResult, ErrorResult]))
}).meta({ id: "ListSecretsAnswer" });
var SealCheckSchema = z3.union([
  z3.object({
    state: z3.literal("valid"),
    version: z3.number(),
    keyId: z3.string(),
    placement: z3.string()
  }),
  z3.object({ state: z3.literal("invalid"), reason: z3.string() }),
  z3.object({ state: z3.literal("none") })
]);
var SecretDescriptionSchema = z3.object({
  name: z3.string(),
  basename: z3.string(),
  kind: z3.string(),
  owner: z3.string().nullable(),
  keys: z3.array(z3.string()),
  updatedAt: z3.string().nullable(),
  namespace: z3.string(),
  digests: z3.record(z3.string(), z3.string()),
  contentDigest: z3.string(),
  immutable: z3.boolean(),
  managedKeys: z3.array(z3.string()),
  provenance: z3.object({ actor: z3.string(), via: z3.string(), at: z3.string().optional() }).nullable(),
  placement: z3.union([z3.literal("all"), z3.array(z3.string())]),
  signature: SealCheckSchema
}).meta({ id: "SecretDescription" });
var DescribeAnswer = z3.object({
  name: z3.string(),
  owner: z3.string(),
  agree: z3.boolean().meta({
    description: "every target cluster answered, and every cluster of the secret's placement holds the same content (`drift.inLine`)"
  }),
  contentDigest: z3.string().nullable().meta({ description: "the common digest when they agree" }),
  drift: DriftSchema,
  results: z3.array(
    z3.union([
      z3.object({
        cluster: z3.string(),
        status: z3.literal("found"),
        secret: SecretDescriptionSchema
      }),
      z3.object({ cluster: z3.string(), status: z3.literal("missing") }),
      ErrorResult
    ])
  )
}).meta({ id: "DescribeSecretAnswer" });
var DeletedResult = z3.object({
  cluster: z3.string(),
  status: z3.enum(["deleted", "absent"]).meta({
    description: "`absent`: the owner had no such secret there; the end state is what was asked (as `kubectl delete --ignore-not-found`)"
  }),
  secretName: z3.string(),
  namespace: z3.string(),
  supersededBy: supersededBy(
    "the copy holds a newer version (a later write): it was left in place, not deleted"
  )
});
var DeleteAnswer = z3.object({
  name: z3.string(),
  owner: z3.string(),
  version: z3.number().meta({ description: "the ledger version of this deletion" }),
  results: z3.array(z3.union([DeletedResult, ErrorResult]))
}).meta({ id: "DeleteSecretAnswer" });

// konduktor/wire/job-tokens.ts
var MIN_JOB_TOKEN_SECONDS = 10;
var MAX_JOB_TOKEN_SECONDS = 30 * 24 * 3600;
var DEFAULT_JOB_TOKEN_SECONDS = 24 * 3600;
var JobTokenOwnerParam = z4.object({ owner: OwnerHash });
var JobTokenBody = z4.strictObject({
  clusters: ClustersOrAll.meta({
    description: 'the clusters that hold the job secret and that the job token may use, or "all" (default: every registered cluster, those registered later too)'
  }),
  rights: RightsInput.meta({
    description: "what a job may do with the token (default: write and read the owner's secrets)"
  }),
  lifetimeSeconds: z4.number({ error: "lifetimeSeconds must be a number of seconds" }).int("lifetimeSeconds must be a whole number of seconds, like 86400 (one day)").min(MIN_JOB_TOKEN_SECONDS, `lifetimeSeconds must be at least ${MIN_JOB_TOKEN_SECONDS}`).max(MAX_JOB_TOKEN_SECONDS, "a job token lives at most 30 days").default(DEFAULT_JOB_TOKEN_SECONDS).meta({
    description: "each job token's lifetime (default one day); the cron replaces it once half of it has passed, so make it at least twice the cron's interval"
  }),
  url: z4.url({
    protocol: /^https?$/,
    error: "url must be the broker's http(s) URL, like https://broker.example.com"
  }).max(2e3).optional().meta({
    description: "the broker URL jobs call (`KSB_URL`), default: the URL this request was sent to"
  })
}).meta({ id: "JobTokenBody" });
var JobTokenInfoSchema = z4.object({
  owner: z4.string(),
  secretName: z4.string().meta({ example: "konduktor-broker-0a1b2c3d" }),
  url: z4.string().meta({ description: "the broker URL in the secret (`KSB_URL`)" }),
  clusters: ClusterScope,
  rights: RightsSchema,
  lifetimeSeconds: z4.number(),
  tokenId: z4.string().meta({
    description: "the public id of the current job token (never the token itself)",
    example: "3f2a9c0d1e4b5a67"
  }),
  expiresAt: z4.string().meta({ description: "when the current job token expires" }),
  rotateAt: z4.string().meta({ description: "when the cron replaces it (half its lifetime)" }),
  createdAt: z4.string(),
  rotatedAt: z4.string(),
  pending: z4.array(z4.string()).meta({
    description: "clusters that do not hold the current token yet (they failed, or were registered since): the cron writes it there"
  })
}).meta({ id: "JobToken" });
var JobTokenAnswer = JobTokenInfoSchema.extend({
  results: z4.array(ApplyResultSchema).meta({
    description: "the job secret's write on each cluster (key names only, never a value)"
  })
}).meta({ id: "JobTokenAnswer" });
var JobTokenListAnswer = z4.object({ jobTokens: z4.array(JobTokenInfoSchema) });
var JobTokenRevokedAnswer = z4.object({
  owner: z4.string(),
  secretName: z4.string(),
  revokedTokens: z4.array(z4.string()).meta({ description: "the job token ids revoked" }),
  results: z4.array(z4.union([DeletedResult, ErrorResult]))
}).meta({ id: "JobTokenRevoked" });

// konduktor/wire/problem.ts
import { z as z5 } from "zod";
var PROBLEM_TYPE_BASE = "https://konduktor-broker.invalid/problems/";
var FieldProblemSchema = z5.object({ field: z5.string(), message: z5.string() });
var ProblemSchema = z5.object({
  type: z5.string().meta({ example: `${PROBLEM_TYPE_BASE}forbidden` }),
  title: z5.string().meta({ example: "Forbidden" }),
  status: z5.number().int().meta({ example: 403 }),
  detail: z5.string().meta({ example: "this token may not act for owner 0a1b2c3d" }),
  code: z5.string().meta({ example: "forbidden" }),
  requestId: z5.string().meta({ example: "4c8e0f0e-8a55-4b8a-b43a-1a2b3c4d5e6f" }),
  instance: z5.string().optional(),
  errors: z5.array(FieldProblemSchema).optional(),
  results: z5.array(z5.record(z5.string(), z5.unknown())).optional()
}).meta({ id: "Problem" });

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
  // ---------- admin: job tokens ----------
  async putJobToken(owner, body) {
    checked(JobTokenBody, body);
    return await this.call(
      "PUT",
      `/v1/job-tokens/${enc(owner)}`,
      body,
      JobTokenAnswer,
      LooseApplyResult
    );
  }
  async listJobTokens() {
    return await this.call("GET", "/v1/job-tokens", void 0, JobTokenListAnswer);
  }
  async revokeJobToken(owner) {
    return await this.call(
      "DELETE",
      `/v1/job-tokens/${enc(owner)}`,
      void 0,
      JobTokenRevokedAnswer,
      LooseDeleteResult
    );
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
    parsed = JSON.parse(readFileSync(path, "utf8"));
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
function refusal(reply, what) {
  const detail = problemMessage(reply.problem) ?? `HTTP ${reply.status}`;
  const code = reply.problem?.code;
  const hint = reply.status === 401 ? " — the token is wrong, expired or revoked: run `ksb login` again" : reply.status === 403 ? " — this credential may not do this: ask the broker's admin" : code === "not_found" && /no route/.test(detail) ? " — this broker does not have this endpoint (an older version?)" : "";
  const exit = reply.status === 400 || reply.status === 413 ? EXIT.usage : EXIT.failed;
  return new CliError(`${what}: ${detail}${code ? ` [${code}]` : ""}${hint}`, exit);
}
function mismatch(reply, what) {
  return new CliError(
    `${what}: the broker's answer (HTTP ${reply.status}) does not match this CLI's contract (${reply.mismatch.join(", ") || "not JSON"}): is the URL the broker's, and are the CLI and the broker the same version?`
  );
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
async function showClusters(out, lines2, waiting) {
  const names = [...lines2.keys()];
  if (out.format === "json") {
    return await Promise.all(names.map((n) => lines2.get(n)));
  }
  if (!out.tty) {
    const done = names.map(
      (n) => lines2.get(n).then((l) => {
        out.print(lineText(l));
        return l;
      })
    );
    return await Promise.all(done);
  }
  const settled = /* @__PURE__ */ new Map();
  const list2 = new Listr(
    names.map((cluster) => ({
      title: waiting ? `${cluster}  ${waiting}` : cluster,
      task: async (_ctx, task) => {
        const l = await lines2.get(cluster);
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
  return names.map((n) => settled.get(n));
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
function summary(verb, lines2) {
  const failed = lines2.filter((l) => !l.ok);
  const n = lines2.length;
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
    // a table of key/value lines (`whoami`, `describe`) has no head: `[]` prints no head line
    head: head.every((h) => h === "") ? [] : head,
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
    ok.replacedGitSsh?.length ? `replaced git-ssh ${ok.replacedGitSsh.join(", ")}` : "",
    ok.changedOutside ? "written back (changed outside the broker)" : ""
  ].filter(Boolean);
  const plan = ok.dryRun ? " (dry run: would be)" : "";
  return {
    cluster,
    ok: true,
    text: `${ok.status}${plan}${parts.length ? `: ${parts.join("; ")}` : ""}`
  };
}
function deleteLine(r) {
  const cluster = r.cluster ?? "?";
  if (r.status !== "deleted" && r.status !== "absent") {
    return errorLine(cluster, r);
  }
  const d = r;
  const where = `${d.namespace ?? "?"}/${d.secretName ?? "?"}`;
  return {
    cluster,
    ok: true,
    text: r.status === "absent" ? `absent: no ${where} to delete` : `deleted ${where}`
  };
}
function driftText(drift) {
  if (drift.inLine) {
    const off = drift.clusters.filter((c) => c.state !== "in-line").map((c) => `${c.state} on ${c.cluster}`);
    return off.length ? `in line (${off.join("; ")})` : "in line";
  }
  const parts = drift.clusters.filter((c) => c.state !== "in-line").map((c) => {
    const keys = c.keys ? ` (${[...c.keys.missing, ...c.keys.extra, ...c.keys.changed].join(", ")})` : "";
    const notes = [
      c.editedOutsideBroker ? ", edited outside the broker" : "",
      c.deletedOutsideBroker ? ", deleted outside the broker" : "",
      c.stale ? ", an older version" : ""
    ].join("");
    return `${c.state} on ${c.cluster}${keys}${notes}`;
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
function readLines(answer) {
  return answer.results.map(
    (r) => r.status === "error" ? errorLine(r.cluster ?? "?", r) : { cluster: r.cluster ?? "?", ok: true, text: "listed" }
  );
}
function signatureText(sig) {
  if (sig.state === "valid") return `signed by the broker (version ${sig.version})`;
  if (sig.state === "invalid") return `signature: ${sig.reason}`;
  return "";
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
        [s.immutable ? "immutable" : "", signatureText(s.signature)].filter(Boolean).join(", ") || "–"
      ];
    }
    if (r.status === "missing") return [r.cluster, "missing", "–", "–", "–", "–", "–", "–"];
    return [r.cluster, `error ${r.code}`, "–", "–", "–", "–", "–", r.message];
  });
  return `${head.join("\n")}
${table(["CLUSTER", "STATE", "KIND", "KEYS", "UPDATED", "BY", "PLACEMENT", "NOTE"], rows)}`;
}
function syncLines(answer) {
  const lines2 = answer.results.map(
    (r) => r.status === "read" ? { cluster: r.cluster, ok: true, text: `read (${r.secrets ?? 0} secrets)` } : errorLine(r.cluster, r)
  );
  const plan = answer.plan.map((e) => {
    const mark = e.status === "error" ? "✖" : e.status === "done" ? "✔" : "•";
    const what = `${e.action} ${e.secret} (owner ${e.owner}) on ${e.cluster}${e.source ? ` from ${e.source}` : ""}: ${keyList(e.keys)}`;
    const how = e.status === "error" ? ` — error ${e.code}: ${e.message}` : e.status === "planned" ? " (planned)" : "";
    return `${mark} ${what}${how}`;
  });
  const skipped = [
    ...answer.skipped.map(
      (s) => `- skipped ${s.secret} (owner ${s.owner})${s.cluster ? ` on ${s.cluster}` : ""}: ${s.reason}`
    ),
    ...answer.unledgered.map(
      (u) => `- left ${u.secret} (owner ${u.owner}) on ${u.clusters.join(", ")}: not made through the broker (not in its ledger); name a --source to adopt it`
    )
  ];
  return { lines: lines2, plan, skipped };
}

// cli/sync-flow.ts
function syncSummary(a) {
  const s = a.summary;
  const unread = (s.unreadableClusters ? `; ${s.unreadableClusters} cluster(s) could not be read` : "") + (s.unledgered ? `; ${s.unledgered} secret(s) not in the broker's ledger, left where they are` : "");
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
    const { resolveDirect, syncDirect } = await import("./direct-5CEZ2QAZ.js");
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
    const { lines: lines2, plan, skipped } = syncLines(answer);
    await showClusters(ctx.out, new Map(lines2.map((l) => [l.cluster, Promise.resolve(l)])));
    for (const p of plan) ctx.out.print(p);
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
function answerOf(reply, what) {
  if (!reply.ok) throw refusal(reply, what);
  if (reply.answer === null) throw mismatch(reply, what);
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
    const dir = mkdtempSync(join2(tmpdir(), "ksb-cluster-add-"));
    const file = join2(dir, "kubeconfig");
    writeFileSync2(file, mergeKubeconfigs(paths), { mode: 384 });
    try {
      const { serviceAccountKubeconfig } = await import("./service-account-RWCQLMBW.js");
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
    throw new CliError(
      `${e.message}
Tip: add --service-account to register a ServiceAccount token made with this context instead (for client certificates and exec plugins: EKS, GKE, kind, minikube).`,
      e.exitCode
    );
  }
  const info = answerOf(reply, `cluster ${args.name} not registered`);
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
    if (info.sync) ctx.out.print(syncSummary(info.sync));
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

// cli/job-flows.ts
function oneOwner(owners2, verb) {
  if (owners2.length !== 1) {
    throw usage(`--for-jobs ${verb} one owner's job access: give exactly one --owner`);
  }
  return owners2[0];
}
async function lines(ctx, rows) {
  return await showClusters(ctx.out, new Map(rows.map((l) => [l.cluster, Promise.resolve(l)])));
}
async function jobTokenCreate(ctx, args) {
  const owner = oneOwner(args.owner, "creates");
  if (!(args.hours > 0)) throw usage("--hours must be a positive number of hours, like 24");
  const reply = await withSpinner(
    ctx.out,
    `Writing konduktor-broker-${owner}`,
    call(
      brokerClient(ctx, args),
      (c) => c.putJobToken(owner, {
        clusters: args.clusters?.length ? args.clusters : "all",
        rights: { write: !args.readOnly, read: true, listAllUsers: args.listAllUsers },
        lifetimeSeconds: Math.round(args.hours * 3600),
        ...args.url ? { url: args.url } : {}
      })
    )
  );
  const job = answerOf(reply, `job access for ${owner} not set`);
  const shown = await lines(ctx, job.results.map(applyLine));
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.note(
      `job token ${job.tokenId} for owner ${owner} on ${scope(job.clusters)} (${rights(job.rights)}), expires ${job.expiresAt}, replaced by the broker's cron after ${job.rotateAt}`
    );
    ctx.out.note(
      `jobs read KSB_URL (${job.url}) and KSB_TOKEN from the env secret ${job.secretName}: \`ksb\` works inside them with no login`
    );
    ctx.out.print(summary(`Wrote ${job.secretName} to`, shown));
  }
  return exitFor(shown.filter((l) => l.ok).length, shown.filter((l) => !l.ok).length);
}
async function jobTokenList(ctx, args) {
  const reply = await call(brokerClient(ctx, args), (c) => c.listJobTokens());
  const { jobTokens } = answerOf(reply, "cannot list job tokens");
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.print(
      table(
        ["OWNER", "SECRET", "CLUSTERS", "RIGHTS", "TOKEN", "EXPIRES", "ROTATES", "PENDING"],
        jobTokens.map((j) => [
          j.owner,
          j.secretName,
          scope(j.clusters),
          rights(j.rights),
          j.tokenId,
          j.expiresAt,
          j.rotateAt,
          j.pending.join(", ") || "–"
        ])
      )
    );
  }
  return 0;
}
async function jobTokenRevoke(ctx, args) {
  const owner = oneOwner(args.owner, "revokes");
  const reply = await withSpinner(
    ctx.out,
    `Revoking job access for ${owner}`,
    call(brokerClient(ctx, args), (c) => c.revokeJobToken(owner))
  );
  const done = answerOf(reply, `job access for ${owner} not revoked`);
  const shown = await lines(ctx, done.results.map(deleteLine));
  if (ctx.out.format === "json") json(ctx.out, reply.raw);
  else {
    ctx.out.note(`revoked job token ${done.revokedTokens.join(", ")} for owner ${owner}`);
    ctx.out.print(summary(`Deleted ${done.secretName} from`, shown));
  }
  return exitFor(shown.filter((l) => l.ok).length, shown.filter((l) => !l.ok).length);
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
        "owners, clusters, rights and expiry: this broker is older than GET /v1/whoami (it answered 404); upgrade it to see them"
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
import { basename, join as join3, relative, resolve, sep } from "node:path";
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
      const full = join3(dir, e.name);
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
  const stdinText = async (what) => {
    try {
      return decoder.decode(await io.readStdin(MAX_SECRET_BYTES));
    } catch (error) {
      if (error.exitCode !== void 0) throw error;
      throw usage(`${what}: stdin is not UTF-8 text`);
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
    const set = (key, value, where) => {
      if (Object.hasOwn(pairs, key)) {
        throw usage(`${where}: key ${KEY_SHOWN(key)} is given twice: give each key once`);
      }
      pairs[key] = value;
    };
    for (const file of flags.fromEnvFile) {
      const text = file === "-" ? await stdinText("--from-env-file -") : decoder.decode(await readFileBounded(resolve(file), "--from-env-file"));
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
      files.push({ name, content: await readFileBounded(resolve(path), "--from-file") });
    }
    return { type: "files", files };
  }
  const dir = resolve(flags.fromDirectory);
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
var direct = () => import("./direct-5CEZ2QAZ.js");
function noBrokerFlagsInDirect(args) {
  if (isDirect(args) && args.clusters?.length) {
    throw usage(
      "--clusters names broker clusters; in direct mode name kubeconfig contexts with --contexts"
    );
  }
}
async function directTarget(ctx, args) {
  return (await direct()).resolveDirect(
    {
      kubeconfig: args.kubeconfig,
      contexts: args.contexts,
      owner: args.owner,
      timeoutMs: args.timeout * 1e3
    },
    ctx.env
  );
}
async function brokerLines(ctx, pending, named, line, what) {
  if (ctx.out.format === "text" && named?.length) {
    const settled = pending.then(
      (reply3) => reply3,
      () => null
    );
    const lines3 = new Map(
      named.map((cluster) => [
        cluster,
        settled.then((reply3) => {
          const r = reply3?.results?.map(line).find((l) => l.cluster === cluster);
          if (r) return r;
          const why = reply3 ? reply3.problem?.code ?? `HTTP ${reply3.status}` : "no answer from the broker";
          return { cluster, ok: false, text: `not written (${why})` };
        })
      ])
    );
    const shown = await showClusters(ctx.out, lines3);
    const reply2 = await pending;
    return { reply: reply2, lines: reply2.results?.length ? shown : [] };
  }
  const reply = await withSpinner(ctx.out, what, pending);
  const lines2 = (reply.results ?? []).map(line);
  return {
    reply,
    lines: await showClusters(ctx.out, new Map(lines2.map((l) => [l.cluster, Promise.resolve(l)])))
  };
}
function finish(ctx, lines2, verb, raw) {
  if (ctx.out.format === "json") json(ctx.out, raw);
  else ctx.out.print(summary(verb, lines2));
  return exitFor(lines2.filter((l) => l.ok).length, lines2.filter((l) => !l.ok).length);
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
    const target = await directTarget(ctx, args);
    ctx.out.note(
      `direct mode: owner ${target.owner.owner} (from ${target.owner.from}), contexts ${target.contexts.join(", ")}`
    );
    const run2 = (await direct()).putDirect(target, args.name, { ...args, source });
    const lines3 = new Map([...run2.results].map(([c, p]) => [c, p.then(applyLine)]));
    const shown = await showClusters(ctx.out, lines3);
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
  const { reply, lines: lines2 } = await brokerLines(
    ctx,
    pending,
    args.clusters,
    applyLine,
    `writing ${args.name} on every cluster you may use`
  );
  if (lines2.length === 0) {
    if (reply.ok) throw new CliError(summary(verb, []));
    throw refusal(reply, `secret ${args.name} not written`);
  }
  if (reply.answer?.notice) ctx.out.note(`note: ${reply.answer.notice}`);
  return finish(ctx, lines2, verb, reply.raw);
}
async function deleteSecret(ctx, args) {
  noBrokerFlagsInDirect(args);
  if (isDirect(args)) {
    const run2 = (await direct()).deleteDirect(await directTarget(ctx, args), args.name);
    const lines3 = new Map([...run2.results].map(([c, p]) => [c, p.then(deleteLine)]));
    const shown = await showClusters(ctx.out, lines3);
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
  const { reply, lines: lines2 } = await brokerLines(
    ctx,
    pending,
    args.clusters,
    deleteLine,
    `deleting ${args.name}`
  );
  if (lines2.length === 0) {
    if (reply.ok) throw new CliError(summary("Deleted from", []));
    throw refusal(reply, `secret ${args.name} not deleted`);
  }
  return finish(ctx, lines2, "Deleted from", reply.raw);
}
async function listSecrets(ctx, args) {
  noBrokerFlagsInDirect(args);
  let answer;
  let raw;
  if (isDirect(args)) {
    answer = await withSpinner(
      ctx.out,
      "listing",
      (await direct()).listDirect(await directTarget(ctx, args), args.allUsers)
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
  const lines2 = readLines(answer);
  const failed = lines2.filter((l) => !l.ok);
  if (ctx.out.format === "json") json(ctx.out, raw);
  else {
    ctx.out.print(listTable(answer));
    if (failed.length) {
      for (const f of failed) ctx.out.print(lineText(f));
      ctx.out.print(summary("Listed", lines2));
    }
  }
  return exitFor(lines2.length - failed.length, failed.length);
}
async function describeSecret(ctx, args) {
  noBrokerFlagsInDirect(args);
  let answer;
  let raw;
  if (isDirect(args)) {
    answer = await withSpinner(
      ctx.out,
      `describing ${args.name}`,
      (await direct()).describeDirect(await directTarget(ctx, args), args.name)
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
      h(describeSecret)
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
    h(describeSecret)
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
      }).option("for-jobs", {
        type: "boolean",
        default: false,
        describe: "API access inside the owner's Konduktor jobs: the broker keeps the env secret konduktor-broker-<owner> (KSB_URL, KSB_TOKEN) on its clusters and rotates the token; never printed"
      }).option("hours", {
        type: "number",
        default: 24,
        describe: "--for-jobs: each job token's lifetime; the cron replaces it at half"
      }).option("url", {
        type: "string",
        describe: "--for-jobs: the broker URL jobs call (default: the one you use)"
      }).epilogue(epilogue(ADMIN)).example("$0 token create --owner 0a1b2c3d --label alice", "prints the token once").example(
        "$0 token create --owner 0a1b2c3d --save-profile alice",
        "never printed: saved as profile alice"
      ).example(
        "$0 token create --for-jobs --owner 0a1b2c3d --hours 12",
        "ksb works inside 0a1b2c3d's Konduktor jobs, no login"
      ),
      h(
        (ctx, a) => a.forJobs ? jobTokenCreate(ctx, a) : tokenCreate(ctx, a)
      )
    ).command(
      ["list", "ls"],
      "List tokens (never the tokens themselves)",
      (c) => c.option("for-jobs", {
        type: "boolean",
        default: false,
        describe: "the owners whose jobs have API access"
      }).epilogue(epilogue(ADMIN)).example("$0 token list", "id, label, owners, expiry").example("$0 token list --for-jobs", "owner, secret, token id, rotation, pending"),
      h(
        (ctx, a) => a.forJobs ? jobTokenList(ctx, a) : tokenList(ctx, a)
      )
    ).command(
      "revoke [id]",
      "Revoke a token (it stops working at once), or an owner's job access",
      (c) => c.positional("id", { type: "string", describe: "the token's id" }).option("for-jobs", {
        type: "boolean",
        default: false,
        describe: "end the owner's job access: its tokens revoked, its secret deleted"
      }).option("owner", { type: "string", describe: "--for-jobs: the owner", coerce: list }).epilogue(epilogue(ADMIN)).example("$0 token revoke 3f2a9c0d1e4b5a67", "by its id").example(
        "$0 token revoke --for-jobs --owner 0a1b2c3d",
        "konduktor-broker-0a1b2c3d deleted from every cluster"
      ),
      h((ctx, a) => {
        if (a.forJobs) return jobTokenRevoke(ctx, { ...a, owner: a.owner ?? [] });
        if (!a.id) throw usage("name the token: ksb token revoke <id> (see ksb token list)");
        return tokenRevoke(ctx, { ...a, id: a.id });
      })
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
  let dir = dirname2(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = join4(dir, "package.json");
    if (existsSync2(file)) {
      const pkg = JSON.parse(readFileSync2(file, "utf8"));
      if (pkg.name === "konduktor-secrets-broker" && pkg.version) return pkg.version;
    }
    dir = dirname2(dir);
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
    return realpathSync(resolve2(process.argv[1] ?? "")) === realpathSync(fileURLToPath(import.meta.url));
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
