// Issue 13, quick-start friction: npm run dev combines NODE_EXTRA_CA_CERTS with the dev CA file;
// register-cluster picks the context as Konduktor does and fails with the cause when the cluster
// is not usable. The same run end to end in test/e2e/quick-start.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KubeconfigError } from "../../konduktor/kube/kubeconfig.ts";
import {
  chooseContext,
  describeChoice,
  konduktorAllowedContexts,
} from "../../konduktor/kube/kubeconfig-context.ts";
import { extraCaCerts } from "../../scripts/dev.ts";
import { healthReport } from "../../scripts/register-cluster.ts";

const kubeconfig = [
  "apiVersion: v1",
  "clusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]",
  "users: [{name: u, user: {token: t}}]",
  "contexts: [{name: a, context: {cluster: c, user: u}}, {name: b, context: {cluster: c, user: u}}]",
  "current-context: a",
].join("\n");

describe("npm run dev: NODE_EXTRA_CA_CERTS and the dev CA file", () => {
  const dir = mkdtempSync(join(tmpdir(), "dev-ca-"));
  const dev = join(dir, "dev-extra-ca.pem");
  const own = join(dir, "own.pem");
  const combined = join(dir, "combined.pem");

  it.each([
    { what: "no dev CA file: nothing to add", fromEnv: undefined, devCa: null, path: null },
    { what: "only the dev CA file", fromEnv: undefined, devCa: "DEV", path: dev },
    { what: "both: combined into one file", fromEnv: own, devCa: "DEV", path: combined },
  ])("$what", ({ fromEnv, devCa, path }) => {
    writeFileSync(own, "OWN");
    if (devCa) writeFileSync(dev, `${devCa}\n`);
    const got = extraCaCerts(fromEnv, devCa ? dev : join(dir, "missing.pem"), combined);
    expect(got?.path ?? null).toBe(path);
    if (path === combined) expect(readFileSync(combined, "utf8")).toBe("OWN\nDEV\n");
  });
});

describe("the context Konduktor would use", () => {
  it.each([
    { what: "given", options: { context: "b" }, choice: { context: "b", reason: "given" } },
    {
      what: "allowed_contexts[0] wins over current-context",
      options: {
        allowedContexts: konduktorAllowedContexts("kubernetes:\n  allowed_contexts: [b, a]\n"),
      },
      choice: { context: "b", reason: "allowed_contexts" },
    },
    {
      what: "no Konduktor config: current-context",
      options: { allowedContexts: konduktorAllowedContexts(null) },
      choice: { context: "a", reason: "current-context" },
    },
  ])("$what", ({ options, choice }) => {
    expect(chooseContext(kubeconfig, options)).toEqual(choice);
  });

  it("allowed_contexts naming a context the kubeconfig lacks is refused, naming both", () => {
    expect(() => chooseContext(kubeconfig, { allowedContexts: ["gone"] })).toThrow(
      new KubeconfigError(
        "contexts",
        'Konduktor\'s config names "gone" first in kubernetes.allowed_contexts, which is not a context of the kubeconfig (available: a, b): fix the config or name a context',
      ),
    );
  });

  it("says which one was used and why", () => {
    expect(describeChoice({ context: "b", reason: "allowed_contexts" })).toBe(
      "context b (the first of kubernetes.allowed_contexts in Konduktor's config)",
    );
  });
});

describe("register-cluster's health report", () => {
  it.each([
    {
      what: "usable",
      health: { ok: true, version: "v1.36.3", namespace: "ml" },
      caAdded: false,
      tls: null,
      ok: true,
      line: "health: reachable, v1.36.3, may get/list/create/update/patch/delete Secrets in ml",
    },
    {
      what: "unreachable with an untrusted CA: the TLS cause and the restart",
      health: {
        ok: false,
        reachable: false,
        namespace: "ml",
        error: { code: "unreachable", message: 'cannot reach cluster "x" (network error)' },
      },
      caAdded: true,
      tls: "the TLS handshake with 10.0.0.1:6443 fails without the cluster's CA (SELF_SIGNED_CERT_IN_CHAIN)",
      ok: false,
      line: "health: NOT reachable: cannot reach cluster \"x\" (network error)\nCause: the TLS handshake with 10.0.0.1:6443 fails without the cluster's CA (SELF_SIGNED_CERT_IN_CHAIN). The cluster's CA is in",
    },
    {
      what: "missing rights",
      health: { ok: false, reachable: true, version: "v1", namespace: "ml", missing: ["delete"] },
      caAdded: false,
      tls: null,
      ok: false,
      line: "health: reachable, v1: the credential may not delete Secrets in ml",
    },
  ])("$what", ({ health, caAdded, tls, ok, line }) => {
    const report = healthReport(health, caAdded, tls);
    expect(report.ok).toBe(ok);
    expect(report.line.startsWith(line)).toBe(true);
  });
});
