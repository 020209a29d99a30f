// ksb's direct mode and `cluster add` pick the context as Konduktor does when none is named: the
// first of `kubernetes.allowed_contexts` in ~/.konduktor/config.yaml, else current-context.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { resolveDirect } from "../../cli/direct.ts";
import { defaultContext } from "../../cli/kubeconfig-files.ts";

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function home(allowed?: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "ksb-context-"));
  made.push(dir);
  if (allowed) {
    mkdirSync(join(dir, ".konduktor"));
    writeFileSync(
      join(dir, ".konduktor", "config.yaml"),
      stringify({ kubernetes: { allowed_contexts: allowed } }),
    );
  }
  return dir;
}

function kubeconfigFile(dir: string, contexts: string[], current?: string): string {
  const path = join(dir, "kubeconfig");
  writeFileSync(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: contexts.map((c) => ({ name: c, cluster: { server: `https://${c}.invalid` } })),
      users: contexts.map((c) => ({ name: c, user: { token: `t-${c}` } })),
      contexts: contexts.map((c) => ({ name: c, context: { cluster: c, user: c } })),
      ...(current ? { "current-context": current } : {}),
    }),
  );
  return path;
}

const flags = (kubeconfig: string) => ({ kubeconfig, timeoutMs: 1000, owner: "0a1b2c3d" });

describe("ksb's default context", () => {
  it("allowed_contexts[0] of Konduktor's config wins over current-context", () => {
    const h = home(["b", "a"]);
    const target = resolveDirect(flags(kubeconfigFile(h, ["a", "b"], "a")), { HOME: h });
    expect(target.contexts).toEqual(["b"]);
  });

  it("without Konduktor's config, current-context; --contexts wins over both", () => {
    const h = home();
    const path = kubeconfigFile(h, ["a", "b"], "b");
    expect(resolveDirect(flags(path), { HOME: h }).contexts).toEqual(["b"]);
    const withConfig = home(["b"]);
    expect(resolveDirect({ ...flags(path), contexts: "a" }, { HOME: withConfig }).contexts).toEqual(
      ["a"],
    );
  });

  it("a missing allowed context or no current-context is a usage error that says what to fix", () => {
    const h = home(["gone"]);
    const text = stringify({
      contexts: [{ name: "a", context: { cluster: "a" } }],
      clusters: [{ name: "a", cluster: { server: "https://a.invalid" } }],
    });
    expect(() => defaultContext(text, { HOME: h })).toThrow(
      `Konduktor's config names "gone" first in kubernetes.allowed_contexts, which is not a context of the kubeconfig (available: a): fix the config or name a context`,
    );
    expect(() => defaultContext(text, { HOME: home() })).toThrow(
      "current-context is not set and no context was given: set it (`kubectl config use-context <name>`) or name a context (available: a)",
    );
  });
});
