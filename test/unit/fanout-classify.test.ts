// How the broker classifies what an operation throws (its own errors, unknown errors, codes).
// Split from fanout.test.ts.
import { describe, expect, it } from "vitest";
import { brokerClassify } from "../../functions/fanout-options.ts";
import { ApiError } from "../../functions/problem.ts";
import { BrokerKeyError } from "../../functions/registry/clusters.ts";
import { fanout } from "../../konduktor/fanout.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import { ValidationError } from "../../konduktor/secret.ts";

describe("the broker's classification", () => {
  class CodedError extends Error {
    readonly code = "x";
  }
  const thrown: [string, unknown][] = [
    ["a plain object with a code and a message", { code: "x", message: "secret-canary" }],
    ["an Error subclass with a code", new CodedError("secret-canary")],
    ["an Error with a code assigned", Object.assign(new Error("secret-canary"), { code: "x" })],
  ];
  for (const [what, error] of thrown) {
    it(`answers ${what} as internal_error and logs it without its message`, async () => {
      const lines: Record<string, unknown>[] = [];
      const results = await fanout(
        ["a"],
        async () => {
          throw error;
        },
        { classify: brokerClassify((l) => lines.push(l), "test op", { requestId: "r1" }) },
      );
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({
        cluster: "a",
        status: "error",
        code: "internal_error",
        message: "unexpected error",
        retryable: false,
      });
      expect(JSON.stringify(results)).not.toContain("secret-canary");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        type: "error",
        requestId: "r1",
        where: "test op",
        code: "x",
      });
      expect(JSON.stringify(lines)).not.toContain("secret-canary");
    });
  }

  it("passes on the broker's own errors as they are", async () => {
    const lines: unknown[] = [];
    const classify = brokerClassify((l) => lines.push(l), "test op");
    const kube = new KubeError({
      code: "forbidden",
      message: "may not get secrets",
      httpStatus: 403,
    });
    expect(classify(kube)).toEqual({
      code: "forbidden",
      message: "may not get secrets",
      retryable: false,
    });
    expect(classify(new ValidationError("name", "bad name"))).toEqual({
      code: "invalid_input",
      message: "bad name",
      retryable: false,
    });
    expect(classify(new ApiError("not_found", "no registered cluster named a"))).toEqual({
      code: "not_found",
      message: "no registered cluster named a",
      retryable: false,
    });
    expect(classify(new BrokerKeyError("the stored kubeconfig of a: no key"))).toEqual({
      code: "broker_key_error",
      message: "the stored kubeconfig of a: no key",
      retryable: false,
    });
    expect(lines).toEqual([]);
  });
});
