// ksb's direct-mode sync and drift without a ledger: the newest copy (or the named context) is
// the source, missing and different copies are planned with their key names, placement is kept,
// and git-ssh stays one per owner.
import { describe, expect, it } from "vitest";
import { planDirectSync } from "../../cli/direct-sync.ts";
import type { SecretCopies } from "../../konduktor/sync.ts";
import type { SecretDescription } from "../../konduktor/types.ts";
import { ledgerFreeDrift } from "../../konduktor/wire/answers.ts";

const OWNER = "0a1b2c3d";

function desc(
  basename: string,
  at: string,
  digests: Record<string, string>,
  extra: Partial<SecretDescription> = {},
): SecretDescription {
  return {
    name: `${basename}-${OWNER}`,
    basename,
    kind: "env",
    owner: OWNER,
    keys: Object.keys(digests).sort(),
    updatedAt: at,
    namespace: "ns",
    digests,
    contentDigest: JSON.stringify(digests),
    immutable: false,
    managedKeys: [],
    provenance: { actor: "t", via: "t", at },
    placement: "all",
    signature: { state: "none" },
    ...extra,
  };
}

function secret(basename: string, copies: Record<string, SecretDescription>): SecretCopies {
  return {
    owner: OWNER,
    basename,
    secretName: `${basename}-${OWNER}`,
    kind: Object.values(copies)[0]!.kind,
    copies: new Map(
      Object.entries(copies).map(([cluster, d]) => [
        cluster,
        {
          cluster,
          secret: { apiVersion: "v1", kind: "Secret", metadata: { name: d.name } },
          description: d,
        },
      ]),
    ),
  };
}

const OLD = "2026-01-01T00:00:00Z";
const NEW = "2026-02-01T00:00:00Z";

describe("direct-mode sync without a ledger", () => {
  it("copies the newest copy where it is missing or different, with the key names", () => {
    const s = secret("wandb", {
      a: desc("wandb", OLD, { A: "d1" }),
      b: desc("wandb", NEW, { A: "d2", B: "d3" }),
    });
    const plan = planDirectSync({ clusters: ["a", "b", "c"], secrets: [s], source: null });
    expect(plan).toEqual({
      secrets: 1,
      inLine: 0,
      skipped: [],
      entries: [
        {
          owner: OWNER,
          secret: "wandb",
          secretName: `wandb-${OWNER}`,
          cluster: "a",
          source: "b",
          version: null,
          action: "update",
          keys: ["A", "B"],
          reason: "differs from b (missing B; changed A)",
        },
        {
          owner: OWNER,
          secret: "wandb",
          secretName: `wandb-${OWNER}`,
          cluster: "c",
          source: "b",
          version: null,
          action: "create",
          keys: ["A", "B"],
          reason: "missing on c",
        },
      ],
    });
  });

  it("a named context is the source; a placement leaves clusters out; in line counts", () => {
    const placed = secret("db", {
      a: desc("db", OLD, { P: "x" }, { placement: ["a", "b"] }),
      b: desc("db", OLD, { P: "x" }, { placement: ["a", "b"] }),
    });
    const named = secret("wandb", {
      a: desc("wandb", OLD, { A: "d1" }),
      b: desc("wandb", NEW, { A: "d2" }),
    });
    const plan = planDirectSync({
      clusters: ["a", "b", "c"],
      secrets: [placed, named],
      source: "a",
      names: (n) => n === "wandb" || n === "db",
    });
    expect(plan.inLine).toBe(1);
    expect(plan.entries.map((e) => [e.secret, e.cluster, e.action, e.source])).toEqual([
      ["wandb", "b", "update", "a"],
      ["wandb", "c", "create", "a"],
    ]);
  });

  it("git-ssh: only the owner's newest is copied", () => {
    const older = secret("old-key", {
      a: desc("old-key", OLD, { gitkey: "k1" }, { kind: "git-ssh" }),
    });
    const newer = secret("new-key", {
      b: desc("new-key", NEW, { gitkey: "k2" }, { kind: "git-ssh" }),
    });
    const plan = planDirectSync({ clusters: ["a", "b"], secrets: [older, newer], source: null });
    expect(plan.entries.map((e) => [e.secret, e.cluster, e.action])).toEqual([
      ["new-key", "a", "create"],
    ]);
    expect(plan.skipped).toEqual([
      {
        owner: OWNER,
        secret: "old-key",
        secretName: `old-key-${OWNER}`,
        reason:
          'git-ssh is one per owner and "new-key" is newer: not copied (writing it would delete the newer one)',
      },
    ]);
  });

  it("drift is unledgered, against the newest copy", () => {
    const found = new Map([
      ["a", desc("wandb", OLD, { A: "d1" })],
      ["b", desc("wandb", NEW, { A: "d2" })],
    ]);
    expect(ledgerFreeDrift(["a", "b", "c", "d"], found, new Set(["d"]))).toEqual({
      ledger: "unledgered",
      version: null,
      reference: "b",
      inLine: false,
      clusters: [
        { cluster: "a", state: "different", keys: { missing: [], extra: [], changed: ["A"] } },
        { cluster: "b", state: "in-line" },
        { cluster: "c", state: "missing" },
        { cluster: "d", state: "unknown" },
      ],
    });
  });
});
