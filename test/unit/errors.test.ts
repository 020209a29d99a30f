// The one error model: every per-cluster code has its `cluster_<code>` answer in the one status
// table, the core's default reading of an error passes on only the project's own errors, and a
// failure is retried in one layer.
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../functions/problem.ts";
import { BrokerKeyError } from "../../functions/registry/clusters.ts";
import {
  classifyError,
  clusterProblem,
  ERROR_STATUS,
  errorForLog,
  KonduktorError,
} from "../../konduktor/errors.ts";
import { fanout } from "../../konduktor/fanout.ts";
import { KUBE_ERROR_CODES, KubeError } from "../../konduktor/kube/errors.ts";
import { KubeconfigError } from "../../konduktor/kube/kubeconfig.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { buildSecret, ValidationError } from "../../konduktor/secret.ts";
import { createFakeKube } from "../support/fake-kube.ts";

describe("the error catalogue", () => {
  it("answers every cluster code that every cluster failed with by a listed code and status", () => {
    const perCluster = [
      ...KUBE_ERROR_CODES,
      "invalid_input",
      "invalid_kubeconfig",
      "broker_key_error",
      "internal_error",
    ];
    const answers = Object.fromEntries(perCluster.map((c) => [c, clusterProblem(c)]));
    expect(answers).toEqual({
      not_found: { code: "not_found", status: 404 },
      conflict: { code: "cluster_conflict", status: 409 },
      already_exists: { code: "cluster_already_exists", status: 409 },
      forbidden: { code: "cluster_forbidden", status: 502 },
      unauthorized: { code: "cluster_unauthorized", status: 502 },
      invalid: { code: "cluster_invalid", status: 422 },
      too_large: { code: "cluster_too_large", status: 413 },
      throttled: { code: "cluster_throttled", status: 503 },
      unreachable: { code: "cluster_unreachable", status: 502 },
      timeout: { code: "cluster_timeout", status: 504 },
      server_error: { code: "cluster_server_error", status: 502 },
      unsupported: { code: "cluster_unsupported", status: 502 },
      not_owner: { code: "cluster_not_owner", status: 409 },
      ambiguous: { code: "cluster_ambiguous", status: 409 },
      namespace_not_found: { code: "cluster_namespace_not_found", status: 502 },
      invalid_input: { code: "cluster_invalid_input", status: 502 },
      invalid_kubeconfig: { code: "cluster_invalid_kubeconfig", status: 502 },
      broker_key_error: { code: "cluster_broker_key_error", status: 502 },
      internal_error: { code: "cluster_internal_error", status: 502 },
    });
    for (const { code } of Object.values(answers)) expect(ERROR_STATUS).toHaveProperty(code);
  });

  it("every error the project makes is a KonduktorError with a code", () => {
    const made = [
      new KubeError({ code: "timeout", message: "slow", retryable: true, retryAfterSeconds: 2 }),
      new KubeconfigError("users", "no user"),
      new ValidationError("name", "bad name"),
      new ApiError("forbidden", "no"),
      new BrokerKeyError("no key"),
    ];
    expect(made.map((e) => [e instanceof KonduktorError, e.name, classifyError(e)])).toEqual([
      [
        true,
        "KubeError",
        { code: "timeout", message: "slow", retryable: true, retryAfterSeconds: 2 },
      ],
      [
        true,
        "KubeconfigError",
        { code: "invalid_kubeconfig", message: "no user", retryable: false },
      ],
      [true, "ValidationError", { code: "invalid_input", message: "bad name", retryable: false }],
      [true, "ApiError", { code: "forbidden", message: "no", retryable: false }],
      [true, "BrokerKeyError", { code: "broker_key_error", message: "no key", retryable: false }],
    ]);
    expect(new ApiError("forbidden", "no").status).toBe(403);
  });

  it("a fan-out's default reading never passes on another error's message, code or not", async () => {
    const thrown = [
      Object.assign(new Error("value=secret-canary"), { code: "x", retryable: true }),
      { code: "x", message: "secret-canary" },
    ];
    for (const error of thrown) {
      let calls = 0;
      const [result] = await fanout(["a"], async () => {
        calls++;
        throw error;
      });
      expect(result).toMatchObject({
        cluster: "a",
        status: "error",
        code: "internal_error",
        message: "unexpected error",
        retryable: false,
        attempts: 1,
      });
      expect(calls).toBe(1);
      expect(JSON.stringify(result)).not.toContain("secret-canary");
    }
  });
});

describe("retries in one layer", () => {
  it("a merge that kept conflicting is retried by the merge only, not again by the fan-out", async () => {
    const kube = createFakeKube({ cluster: "a", namespace: "default" });
    const owner = "0a1b2c3d";
    const desired = (pairs: Record<string, string>) =>
      buildSecret({ owner, basename: "busy", kind: "default", source: { type: "inline", pairs } });
    const provenance = { actor: "token:test", via: "test" };
    await applySecret(kube, desired({ A: "1" }), { mode: "merge", provenance });
    // every merge patch loses its race: someone changed the Secret since it was read
    kube.before = (method, name) => {
      if (method === "mergePatch") {
        throw new KubeError({ code: "conflict", message: `${name} changed`, httpStatus: 409 });
      }
    };
    const random = vi.spyOn(Math, "random").mockReturnValue(0);
    try {
      const [result] = await fanout(
        ["a"],
        async () => await applySecret(kube, desired({ B: "2" }), { mode: "merge", provenance }),
        { retries: 3, baseDelayMs: 1 },
      );
      expect(result).toMatchObject({
        status: "error",
        code: "conflict",
        retryable: false,
        attempts: 1,
      });
      expect(kube.calls.filter((c) => c.method === "mergePatch")).toHaveLength(13);
    } finally {
      random.mockRestore();
    }
  });
});

describe("errorForLog", () => {
  it("keeps a project error's code and message, and only the class of any other", () => {
    expect(errorForLog(new ApiError("forbidden", "no"))).toBe("forbidden: no");
    expect(errorForLog(new TypeError("token abc123 leaked"))).toBe("TypeError");
    expect(errorForLog("text")).toBe("non-error thrown");
  });
});
