/**
 * The broker's settings, validated once at start (Workers: on the first request of an isolate;
 * Node: before listening). Every problem is reported with the setting's name and how to fix it,
 * never with its value.
 */

import { z } from "zod";
import { base64ToBytes } from "../konduktor/encoding.ts";
import { KonduktorError } from "../konduktor/errors.ts";
import { DEFAULT_OIDC_AUDIENCE, GITHUB_ISSUER } from "./auth/oidc.ts";

export interface KeyEncryptionKey {
  id: string;
  /** 32 raw bytes (AES-256) */
  bytes: Uint8Array;
}

export interface BrokerConfig {
  adminToken: string;
  /** the key new kubeconfigs are encrypted with */
  kek: KeyEncryptionKey;
  /** older keys, still accepted for decryption (rotation) */
  previousKeks: KeyEncryptionKey[];
  clusterTimeoutMs: number;
  clusterRetries: number;
  fanoutConcurrency: number;
  maxBodyBytes: number;
  /**
   * Cluster API servers at private or loopback addresses (CLUSTER_PRIVATE_ADDRESSES): "allow"
   * (default: self-hosted clusters, local development) or "refuse" (a hosted broker that must
   * reach public API servers only). Metadata addresses are refused either way.
   */
  clusterPrivateAddresses: "allow" | "refuse";
  /** GitHub Actions OIDC (functions/auth/oidc-resolver.ts); null when GITHUB_OIDC_ISSUER=off */
  githubOidc: { issuer: string; audiences: string[] } | null;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

function decodeKey(value: string): Uint8Array | null {
  try {
    const bytes = base64ToBytes(value.trim());
    return bytes.length === 32 ? bytes : null;
  } catch {
    return null;
  }
}

const intSetting = (name: string, min: number, max: number, fallback: number) =>
  z
    .union([z.string(), z.number()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = typeof v === "number" ? v : Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: "custom",
          message: `${name} must be a whole number from ${min} to ${max} (default ${fallback})`,
        });
        return z.NEVER;
      }
      return n;
    });

const EnvSchema = z.object({
  ADMIN_TOKEN: z
    .string({
      error:
        "ADMIN_TOKEN is missing: set it as a secret (`wrangler secret put ADMIN_TOKEN`, or in .dev.vars locally) to a random string of at least 32 characters",
    })
    .min(32, "ADMIN_TOKEN is too short: use a random string of at least 32 characters"),
  KEK: z
    .string({
      error:
        "KEK is missing: set it as a secret to 32 random bytes in base64 (`openssl rand -base64 32`)",
    })
    .refine((v) => decodeKey(v) !== null, {
      message: "KEK must be 32 random bytes in base64 (`openssl rand -base64 32`)",
    }),
  KEK_ID: z
    .string()
    .optional()
    .refine((v) => v === undefined || KEY_ID.test(v), {
      message: "KEK_ID must be 1-32 characters of letters, digits, '.', '_' or '-'",
    }),
  KEK_PREVIOUS: z
    .string()
    .optional()
    .refine(
      (v) =>
        !v ||
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
          .every((entry) => {
            const [id, key] = entry.split(":");
            return id !== undefined && KEY_ID.test(id) && key !== undefined && !!decodeKey(key);
          }),
      {
        message:
          "KEK_PREVIOUS must be a comma-separated list of <key id>:<32 bytes in base64> (the keys used before the current KEK)",
      },
    ),
  CLUSTER_TIMEOUT_MS: intSetting("CLUSTER_TIMEOUT_MS", 200, 120_000, 10_000),
  CLUSTER_RETRIES: intSetting("CLUSTER_RETRIES", 0, 10, 2),
  // clusters worked on at once: 32 reaches every cluster of a wide fan-out in one round (on
  // Workers, beyond 6 clusters each request leaves from its own link: functions/cluster-link.ts)
  FANOUT_CONCURRENCY: intSetting("FANOUT_CONCURRENCY", 1, 64, 32),
  MAX_BODY_BYTES: intSetting("MAX_BODY_BYTES", 1024, 25_000_000, 2_000_000),
  CLUSTER_PRIVATE_ADDRESSES: z
    .enum(["allow", "refuse"], {
      error:
        'CLUSTER_PRIVATE_ADDRESSES must be "allow" (default: clusters at private or loopback addresses may be registered) or "refuse"',
    })
    .optional(),
  GITHUB_OIDC_ISSUER: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "off" || /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v), {
      message:
        "GITHUB_OIDC_ISSUER must be an issuer URL (default https://token.actions.githubusercontent.com) or off",
    }),
  GITHUB_OIDC_AUDIENCE: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.split(",").every((a) => a.trim().length > 0), {
      message:
        "GITHUB_OIDC_AUDIENCE must be a comma-separated list of audiences (default konduktor-broker)",
    }),
});

export class ConfigError extends KonduktorError {
  override readonly name = "ConfigError";
  readonly problems: { setting: string; message: string }[];
  constructor(problems: { setting: string; message: string }[]) {
    super(
      "broker_misconfigured",
      `the broker is not configured correctly:\n${problems.map((p) => `  - ${p.setting}: ${p.message}`).join("\n")}`,
    );
    this.problems = problems;
  }
}

/** Reads and checks the settings from a Worker `env` or `process.env`. Throws `ConfigError`. */
export function loadConfig(env: Record<string, unknown>): BrokerConfig {
  const picked = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]),
  );
  const parsed = EnvSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ setting: String(i.path[0] ?? "?"), message: i.message })),
    );
  }
  const e = parsed.data;
  const previousKeks = (e.KEK_PREVIOUS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id = "", key = ""] = entry.split(":");
      return { id, bytes: decodeKey(key) as Uint8Array };
    });
  return {
    adminToken: e.ADMIN_TOKEN,
    kek: { id: e.KEK_ID ?? "k1", bytes: decodeKey(e.KEK) as Uint8Array },
    previousKeks,
    clusterTimeoutMs: e.CLUSTER_TIMEOUT_MS,
    clusterRetries: e.CLUSTER_RETRIES,
    fanoutConcurrency: e.FANOUT_CONCURRENCY,
    maxBodyBytes: e.MAX_BODY_BYTES,
    clusterPrivateAddresses: e.CLUSTER_PRIVATE_ADDRESSES ?? "allow",
    githubOidc:
      e.GITHUB_OIDC_ISSUER === "off"
        ? null
        : {
            issuer: (e.GITHUB_OIDC_ISSUER ?? GITHUB_ISSUER).replace(/\/+$/, ""),
            audiences: (e.GITHUB_OIDC_AUDIENCE ?? DEFAULT_OIDC_AUDIENCE)
              .split(",")
              .map((a) => a.trim())
              .filter(Boolean),
          },
  };
}
