import { describe, expect, it } from "vitest";
import { toClusterResult } from "../../action/src/broker-mode.ts";
import {
  type ClusterResult,
  outputsFor,
  summaryMarkdown,
  verdict,
} from "../../action/src/report.ts";

const ok = (cluster: string, extra: Partial<ClusterResult> = {}): ClusterResult => ({
  cluster,
  outcome: "created",
  secret: "train-0a1b2c3d",
  namespace: "konduktor",
  added: ["A", "B"],
  changed: [],
  removed: [],
  writes: 1,
  dryRun: false,
  ...extra,
});
const failed = (cluster: string): ClusterResult => ({
  cluster,
  outcome: "failed",
  added: [],
  changed: [],
  removed: [],
  dryRun: false,
  error: { code: "forbidden", message: "not allowed to create secrets | in namespace x" },
});

describe("report", () => {
  it("outputs: results JSON, changed, clusters, failed", () => {
    const results = [ok("alpha"), ok("beta", { outcome: "unchanged", added: [] }), failed("gamma")];
    const out = outputsFor(results);
    expect(JSON.parse(out.results)).toEqual(results);
    expect(out).toMatchObject({ changed: "true", clusters: "alpha,beta", failed: "gamma" });
    expect(outputsFor([ok("a", { outcome: "unchanged", added: [] })]).changed).toBe("false");
  });

  it("outputs after a dry run: clusters is empty (nothing holds what was not written)", () => {
    const dry = [
      ok("alpha", { dryRun: true, writes: 0 }),
      ok("beta", { dryRun: true, outcome: "unchanged", added: [] }),
      failed("gamma"),
    ];
    expect(outputsFor(dry)).toMatchObject({ changed: "true", clusters: "", failed: "gamma" });
  });

  it("summary: one row per cluster with key names and outcome, table-safe", () => {
    const md = summaryMarkdown("train", "env", [ok("alpha"), failed("gamma")], false);
    expect(md).toContain("| cluster | outcome | keys added | keys changed | keys removed |");
    expect(md).toContain("| alpha | ✅ created | 2: `A`, `B` | – | – |");
    expect(md).toContain(
      "| gamma | ❌ failed: not allowed to create secrets \\| in namespace x | – | – | – |",
    );
    expect(md).toContain("1 of 2 clusters ok, 1 failed");
  });

  it("verdict: fail on any failure unless fail-on-partial is false; always on total failure", () => {
    expect(verdict([ok("a"), ok("b")], true)).toBeNull();
    expect(verdict([ok("a"), failed("b")], true)).toMatch(
      /1 of 2 clusters failed \(b\).*fail-on-partial: false/,
    );
    expect(verdict([ok("a"), failed("b")], false)).toBeNull();
    expect(verdict([failed("a"), failed("b")], false)).toMatch(/every cluster failed \(a, b\)/);
    expect(verdict([], true)).toMatch(/no cluster was targeted/);
  });

  it("reads a broker result entry, ignoring anything but names and counts", () => {
    expect(
      toClusterResult(
        {
          cluster: "alpha",
          status: "updated",
          secretName: "s-0a1b2c3d",
          namespace: "ns",
          added: ["X"],
          changed: ["Y"],
          removed: [],
          writes: 1,
          data: { X: "c2VjcmV0" },
        },
        false,
      ),
    ).toEqual({
      cluster: "alpha",
      outcome: "updated",
      secret: "s-0a1b2c3d",
      namespace: "ns",
      added: ["X"],
      changed: ["Y"],
      removed: [],
      writes: 1,
      dryRun: false,
    });
    expect(
      toClusterResult(
        {
          cluster: "beta",
          status: "error",
          code: "unreachable",
          message: "cannot reach",
          retryable: true,
        },
        false,
      ),
    ).toMatchObject({
      cluster: "beta",
      outcome: "failed",
      error: { code: "unreachable", message: "cannot reach" },
    });
  });

  it("broker mode says when a copy changed outside the broker was written back", () => {
    const r = toClusterResult(
      {
        cluster: "alpha",
        status: "updated",
        secretName: "db-0a1b2c3d",
        namespace: "ns",
        added: [],
        changed: [],
        removed: [],
        writes: 1,
        dryRun: false,
        changedOutside: true,
      },
      false,
    );
    expect(r).toMatchObject({ outcome: "updated", changedOutside: true });
    expect(summaryMarkdown("db-0a1b2c3d", "default", [r], false)).toContain(
      "| alpha | ✅ updated; written back: it had been changed outside the broker |",
    );
    const { changedOutside: _c, ...rest } = r;
    expect(summaryMarkdown("db-0a1b2c3d", "default", [rest], false)).toContain(
      "| alpha | ✅ updated | – | – | – |",
    );
  });

  it("broker mode names the owner's git-ssh secret the broker replaced, in the log and the summary", () => {
    const r = toClusterResult(
      {
        cluster: "alpha",
        status: "created",
        secretName: "deploy-key-0a1b2c3d",
        namespace: "ns",
        added: ["gitkey"],
        changed: [],
        removed: [],
        writes: 2,
        dryRun: false,
        replacedGitSsh: ["old-key-0a1b2c3d"],
        attempts: 1,
        durationMs: 9,
      },
      false,
    );
    expect(r).toEqual({
      cluster: "alpha",
      outcome: "created",
      secret: "deploy-key-0a1b2c3d",
      namespace: "ns",
      added: ["gitkey"],
      changed: [],
      removed: [],
      writes: 2,
      replacedGitSsh: ["old-key-0a1b2c3d"],
      dryRun: false,
    });
    expect(summaryMarkdown("deploy-key-0a1b2c3d", "git-ssh", [r], false)).toContain(
      "; deleted the owner's other git-ssh secret `old-key-0a1b2c3d`",
    );
  });
});
