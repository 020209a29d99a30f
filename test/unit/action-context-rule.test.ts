// With no `context` input the Action writes to the context Konduktor itself would use: the first of
// `kubernetes.allowed_contexts` in ~/.konduktor/config.yaml, else the kubeconfig's current-context;
// the log says which and why (issue 13).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { actionSandbox } from "../support/action-fixtures.ts";
import { createFakeKube } from "../support/fake-kube.ts";

const OWNER = "0a1b2c3d";

function kubeconfig(contexts: string[], current?: string) {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: contexts.map((c) => ({ name: c, cluster: { server: `https://${c}.invalid:6443` } })),
    users: contexts.map((c) => ({ name: c, user: { token: `tok-${c}` } })),
    contexts: contexts.map((c) => ({ name: c, context: { cluster: c, user: c, namespace: "ns" } })),
    ...(current ? { "current-context": current } : {}),
  });
}

const { step, dir } = actionSandbox();

function konduktorConfig(yaml: string): void {
  mkdirSync(join(dir(), ".konduktor"), { recursive: true });
  writeFileSync(join(dir(), ".konduktor", "config.yaml"), yaml);
}

const inputs = (config: string) => ({
  name: "train",
  values: "A=1",
  owner: OWNER,
  kubeconfig: config,
});

describe("the Action's default context (Konduktor's rule)", () => {
  it("allowed_contexts[0] wins over current-context, and the log says so", async () => {
    konduktorConfig("kubernetes:\n  allowed_contexts: [b, a]\n");
    const kubes = {
      a: createFakeKube({ cluster: "a", namespace: "ns" }),
      b: createFakeKube({ cluster: "b", namespace: "ns" }),
    };
    const s = await step(inputs(kubeconfig(["a", "b"], "a")), { kubes });
    expect(s.exitCode).toBeUndefined();
    expect(s.connected.map((c) => c.context)).toEqual(["b"]);
    expect(s.stdout).toContain(
      "kubeconfig: context b (the first of kubernetes.allowed_contexts in Konduktor's config)",
    );
    expect(JSON.parse(s.outputs.results ?? "").map((r: { cluster: string }) => r.cluster)).toEqual([
      "b",
    ]);
  });

  it("without Konduktor's config, current-context", async () => {
    const kubes = {
      a: createFakeKube({ cluster: "a", namespace: "ns" }),
      b: createFakeKube({ cluster: "b", namespace: "ns" }),
    };
    const s = await step(inputs(kubeconfig(["a", "b"], "b")), { kubes });
    expect(s.exitCode).toBeUndefined();
    expect(s.connected.map((c) => c.context)).toEqual(["b"]);
    expect(s.stdout).toContain("kubeconfig: context b (the kubeconfig's current-context)");
  });

  it("a config without allowed_contexts changes nothing; the context input wins over both", async () => {
    konduktorConfig("kubernetes:\n  allowed_contexts: [b]\n");
    const kubes = {
      a: createFakeKube({ cluster: "a", namespace: "ns" }),
      b: createFakeKube({ cluster: "b", namespace: "ns" }),
    };
    const s = await step({ ...inputs(kubeconfig(["a", "b"], "b")), context: "a" }, { kubes });
    expect(s.exitCode).toBeUndefined();
    expect(s.connected.map((c) => c.context)).toEqual(["a"]);
    expect(s.stdout).not.toContain("allowed_contexts");
  });

  it("allowed_contexts naming a context the kubeconfig lacks fails before any request", async () => {
    konduktorConfig("kubernetes:\n  allowed_contexts: [gone]\n");
    const kubes = { a: createFakeKube({ cluster: "a", namespace: "ns" }) };
    const s = await step(inputs(kubeconfig(["a"], "a")), { kubes });
    expect(s.exitCode).toBe(1);
    expect(s.connected).toEqual([]);
    expect(s.errors).toEqual([
      `::error::kubeconfig: Konduktor's config names "gone" first in kubernetes.allowed_contexts, which is not a context of the kubeconfig (available: a): fix the config or name a context`,
    ]);
  });

  it("no current-context and no config: says how to fix it, nothing sent", async () => {
    const s = await step(inputs(kubeconfig(["a"])), { kubes: {} });
    expect(s.exitCode).toBe(1);
    expect(s.connected).toEqual([]);
    expect(s.errors).toEqual([
      "::error::kubeconfig: current-context is not set and no context was given: set it (`kubectl config use-context <name>`) or name a context (available: a)",
    ]);
  });
});
