// The bundled Action (`node action/dist/index.js`, run as the GitHub runner runs it) in broker
// mode: the workflow's OIDC token comes from a local issuer with its own keys (the runner's
// ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN), the broker runs in real workerd (wrangler dev) and writes
// to three real kube-apiservers.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TEST_NAMESPACE } from "../cluster/cluster.ts";
import { startApiserver, stopApiserver } from "../cluster/control.ts";
import { maskLinesFirst, runAction, visibleOutput } from "../support/action-runner.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { LocalOidcIssuer, type TokenFault, type WorkflowProfile } from "../support/oidc-issuer.ts";
import { watchWrites } from "../support/secret-watch.ts";
import { issueToken, newOwner, readSecret, registerClusters } from "./support.ts";

const clusters = inject("clusters");
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const MULTILINE_CANARY = `first-${randomBytes(6).toString("hex")}\nsecond-${randomBytes(6).toString("hex")}`;
const AUDIENCE = "konduktor-broker";
const REPO = "acme/train";

describe("the Action in broker mode (GitHub OIDC → broker in workerd → three clusters)", () => {
  let broker: RunningBroker;
  let issuer: LocalOidcIssuer;
  const owner = newOwner();

  beforeAll(async () => {
    issuer = await LocalOidcIssuer.start();
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: {
        GITHUB_OIDC_ISSUER: issuer.issuer,
        GITHUB_OIDC_AUDIENCE: AUDIENCE,
        CLUSTER_TIMEOUT_MS: "5000",
      },
    });
    console.log(`broker (wrangler dev / workerd) ready in ${broker.startMs} ms`);
    await registerClusters(broker, clusters);
    const binding = await broker.request("PUT", "/v1/oidc-bindings/train-main", {
      token: broker.adminToken,
      json: { match: { repository: REPO, ref: "refs/heads/main" }, owners: [owner] },
    });
    expect(binding.status, binding.text).toBe(201);
  });

  afterAll(async () => {
    await startApiserver("gamma").catch(() => {});
    if (broker) {
      expect(broker.logs()).not.toContain(CANARY);
      await broker.stop();
    }
    await issuer?.stop();
  });

  const oidcEnv = (profile: Partial<WorkflowProfile> = {}) =>
    issuer.runnerEnv({ claims: { repository: REPO }, ...profile });

  it("30 repository secrets (toJSON(secrets)) become one env secret on every cluster, one write each", async () => {
    const basename = `train-env-${randomBytes(3).toString("hex")}`;
    const secretName = `${basename}-${owner}`;
    const secrets: Record<string, string> = {
      github_token: `ghs_${randomBytes(8).toString("hex")}`,
    };
    for (let i = 1; i <= 30; i++)
      secrets[`SECRET_${String(i).padStart(2, "0")}`] =
        `value-${i}-${randomBytes(6).toString("hex")}`;
    secrets.SECRET_07 = CANARY;
    secrets.SECRET_08 = MULTILINE_CANARY;
    const counters = await Promise.all(clusters.map((c) => watchWrites(c, secretName)));
    const started = Date.now();
    const run = await runAction(
      { name: basename, values: JSON.stringify(secrets, null, 2), "broker-url": broker.url },
      { env: oidcEnv() },
    );
    const ms = Date.now() - started;
    const writes = await Promise.all(counters.map((w) => w.stop()));
    console.log(
      `action run (30 keys, 3 clusters, OIDC): ${ms} ms; writes per cluster ${writes.join(", ")}`,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(writes).toEqual([1, 1, 1]);

    // masks first, for every value and every line
    const { masks, lastMaskLine, firstOtherLine } = maskLinesFirst(run.stdout);
    expect(lastMaskLine).toBeLessThan(firstOtherLine);
    for (const v of Object.values(secrets)) expect(masks).toContain(v);
    for (const line of MULTILINE_CANARY.split("\n")) expect(masks).toContain(line);
    const shown = visibleOutput(run);
    for (const v of [CANARY, ...MULTILINE_CANARY.split("\n"), secrets.github_token as string]) {
      expect(shown).not.toContain(v);
    }
    expect(issuer.audiencesRequested.at(-1)).toBe(AUDIENCE);

    // Konduktor's format on every cluster
    for (const c of clusters) {
      const s = await readSecret(c, secretName);
      expect(s, c.name).not.toBeNull();
      expect(s?.type).toBe("Opaque");
      expect(s?.metadata.namespace).toBe(TEST_NAMESPACE);
      expect(s?.metadata.labels).toMatchObject({
        parent: "konduktor",
        "trainy.ai/secret-owner": owner,
        "trainy.ai/secret-basename": basename,
        "trainy.ai/secret-kind": "env",
      });
      const data = s?.data ?? {};
      expect(Object.keys(data).sort()).toEqual(
        Object.keys(secrets)
          .filter((k) => k !== "github_token")
          .sort(),
      );
      for (const [k, v] of Object.entries(secrets)) {
        if (k !== "github_token")
          expect(Buffer.from(data[k] ?? "", "base64").toString(), k).toBe(v);
      }
    }

    // outputs and the summary
    const results = JSON.parse(run.outputs.results ?? "[]") as Record<string, unknown>[];
    expect(results.map((r) => r.cluster)).toEqual(["alpha", "beta", "gamma"]);
    for (const r of results) {
      expect(r).toMatchObject({
        outcome: "created",
        secret: secretName,
        namespace: TEST_NAMESPACE,
        writes: 1,
        changed: [],
        removed: [],
      });
      expect((r.added as string[]).length).toBe(30);
    }
    expect(run.outputs).toMatchObject({
      changed: "true",
      clusters: "alpha,beta,gamma",
      failed: "",
    });
    expect(run.summary).toContain(
      "| cluster | outcome | keys added | keys changed | keys removed |",
    );
    for (const c of ["alpha", "beta", "gamma"]) {
      expect(run.summary).toMatch(new RegExp(`\\| ${c} \\| ✅ created \\| 30: \`SECRET_01\``));
    }
    expect(run.summary).toContain("3 of 3 clusters ok");
    // one log group per cluster
    expect(run.stdout.match(/^::group::cluster (alpha|beta|gamma)$/gm)).toHaveLength(3);

    // the same run again: nothing to write
    const again = await Promise.all(clusters.map((c) => watchWrites(c, secretName)));
    const rerun = await runAction(
      { name: basename, values: JSON.stringify(secrets), "broker-url": broker.url },
      { env: oidcEnv() },
    );
    expect(rerun.code).toBe(0);
    expect(await Promise.all(again.map((w) => w.stop()))).toEqual([0, 0, 0]);
    expect(rerun.outputs.changed).toBe("false");
    expect(
      JSON.parse(rerun.outputs.results ?? "[]").map((r: { outcome: string }) => r.outcome),
    ).toEqual(["unchanged", "unchanged", "unchanged"]);
  });

  it("merges into the existing secret on the named clusters only, and reports changed/removed keys", async () => {
    const basename = `merge-${randomBytes(3).toString("hex")}`;
    const first = await runAction(
      { name: basename, values: "A=1\nB=2", "broker-url": broker.url, clusters: "alpha, beta" },
      { env: oidcEnv() },
    );
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs.clusters).toBe("alpha,beta");
    expect(await readSecret(clusters[2]!, `${basename}-${owner}`)).toBeNull();
    const second = await runAction(
      {
        name: basename,
        values: "B=3\nC=4",
        "broker-url": broker.url,
        clusters: "alpha,beta",
        prune: "true",
      },
      { env: oidcEnv() },
    );
    expect(second.code, second.stdout).toBe(0);
    const r = JSON.parse(second.outputs.results ?? "[]")[0];
    expect(r).toMatchObject({ outcome: "updated", added: ["C"], changed: ["B"], removed: ["A"] });
    const s = await readSecret(clusters[0]!, `${basename}-${owner}`);
    expect(Object.keys(s?.data ?? {}).sort()).toEqual(["B", "C"]);
  });

  it.each([
    ["wrong-audience", /audience check failed/],
    ["expired", /expiry check failed/],
    ["wrong-issuer", /issuer check failed/],
    ["bad-signature", /signature check failed/],
  ] as const)(
    "OIDC negative %s: the step fails naming the check; nothing is written",
    async (fault, check) => {
      const basename = `neg-${randomBytes(3).toString("hex")}`;
      const run = await runAction(
        { name: basename, values: `A=${CANARY}`, "broker-url": broker.url },
        { env: oidcEnv({ fault: fault as TokenFault }) },
      );
      expect(run.code).toBe(1);
      const error = run.stdout.split("\n").find((l) => l.startsWith("::error::")) ?? "";
      expect(error).toMatch(/the broker refused the request \(HTTP 401\)/);
      expect(error).toMatch(check);
      expect(run.outputs.results).toBe("[]");
      expect(run.summary).toMatch(check);
      expect(visibleOutput(run)).not.toContain(CANARY);
      for (const c of clusters) expect(await readSecret(c, `${basename}-${owner}`)).toBeNull();
    },
  );

  it("OIDC negative: a repository with no binding fails naming the repository; nothing is written", async () => {
    const basename = `neg-${randomBytes(3).toString("hex")}`;
    const run = await runAction(
      { name: basename, values: `A=${CANARY}`, "broker-url": broker.url },
      { env: oidcEnv({ claims: { repository: "evil/fork" } }) },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::the broker refused the request \(HTTP 403\): binding check failed: no OIDC binding for repository evil\/fork, ref refs\/heads\/main/,
    );
    const otherRef = await runAction(
      { name: basename, values: `A=${CANARY}`, "broker-url": broker.url },
      { env: oidcEnv({ claims: { repository: REPO, ref: "refs/heads/feature" } }) },
    );
    expect(otherRef.code).toBe(1);
    expect(otherRef.stdout).toMatch(
      /no OIDC binding for repository acme\/train, ref refs\/heads\/feature/,
    );
    for (const c of clusters) expect(await readSecret(c, `${basename}-${owner}`)).toBeNull();
  });

  it("falls back to an API token; a git-ssh key and a dry run", async () => {
    const { token } = await issueToken(broker, { owners: [owner], label: "action-e2e" });
    const basename = `deploy-key-${randomBytes(3).toString("hex")}`;
    const key = `-----BEGIN OPENSSH PRIVATE KEY-----\n${randomBytes(24).toString("base64")}\n-----END OPENSSH PRIVATE KEY-----`;
    const dry = await runAction({
      name: basename,
      kind: "git-ssh",
      "git-ssh-key": key,
      "broker-url": broker.url,
      "api-token": token,
      "dry-run": "true",
    });
    expect(dry.code, dry.stdout).toBe(0);
    expect(dry.summary).toContain("dry run, nothing written");
    for (const c of clusters) expect(await readSecret(c, `${basename}-${owner}`)).toBeNull();
    const run = await runAction({
      name: basename,
      kind: "git-ssh",
      "git-ssh-key": key,
      "broker-url": broker.url,
      "api-token": token,
    });
    expect(run.code, run.stdout).toBe(0);
    expect(maskLinesFirst(run.stdout).masks).toEqual(
      expect.arrayContaining([token, key.split("\n")[1]]),
    );
    expect(visibleOutput(run)).not.toContain(token);
    const s = await readSecret(clusters[1]!, `${basename}-${owner}`);
    expect(s?.metadata.labels?.["trainy.ai/secret-kind"]).toBe("git-ssh");
    expect(Buffer.from(s?.data?.gitkey ?? "", "base64").toString()).toBe(`${key}\n`);
  });

  it("one cluster down: the step fails naming it (or passes with fail-on-partial: false); the others are written", async () => {
    const basename = `partial-${randomBytes(3).toString("hex")}`;
    await stopApiserver("gamma");
    try {
      const strict = await runAction(
        { name: basename, values: `A=${CANARY}`, "broker-url": broker.url },
        { env: oidcEnv() },
      );
      expect(strict.code).toBe(1);
      expect(strict.stdout).toMatch(/::error title=Konduktor secret on gamma::cluster gamma: /);
      expect(strict.stdout).toMatch(
        /::error::1 of 3 clusters failed \(gamma\); the others: created on alpha, beta\. Fix the cause/,
      );
      expect(strict.outputs).toMatchObject({ clusters: "alpha,beta", failed: "gamma" });
      expect(strict.summary).toMatch(/\| gamma \| ❌ failed: /);
      expect(await readSecret(clusters[0]!, `${basename}-${owner}`)).not.toBeNull();
      const lenient = await runAction(
        {
          name: basename,
          values: `A=${CANARY}`,
          "broker-url": broker.url,
          "fail-on-partial": "false",
        },
        { env: oidcEnv() },
      );
      expect(lenient.code).toBe(0);
      // the second run finds alpha and beta up to date: said so, not "written"
      expect(lenient.stdout).toMatch(
        /::warning::clusters failed: gamma \(fail-on-partial is false, so the step passes\); the others: unchanged on alpha, beta \(already up to date, nothing written\)/,
      );
      expect(visibleOutput(strict) + visibleOutput(lenient)).not.toContain(CANARY);
    } finally {
      await startApiserver("gamma");
    }
  });
});
