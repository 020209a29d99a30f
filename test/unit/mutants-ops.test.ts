// Mutants of konduktor/ops.ts `applySecret` that the other tests let survive
// (docs/mutation-survivors.md): which git-ssh secrets are deleted, asked about and named (and in
// which order), and how often a listed copy is planned from. Exact names, messages and calls.
import { describe, expect, it } from "vitest";
import { LABEL_KIND, LABEL_OWNER, secretLabels } from "../../konduktor/format.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import type { ApplyOptions, KubeSecret } from "../../konduktor/types.ts";
import { createFakeKube, type FakeKube } from "../support/fake-kube.ts";
import { rejects } from "../support/kube-contract.ts";

const OWNER = "0a1b2c3d";
const OTHER = "99aa88bb";
const provenance = { actor: "token:test", via: "test", at: "2026-01-01T00:00:00.000Z" };
const merge: ApplyOptions = { mode: "merge", provenance };
const replace: ApplyOptions = { mode: "replace", provenance };
const b64 = (s: string) => Buffer.from(s).toString("base64");
const gitSsh = (basename: string, key: string, owner = OWNER) =>
  buildSecret({
    owner,
    basename,
    kind: "git-ssh",
    source: {
      type: "files",
      files: [{ name: "id_ed25519", content: new TextEncoder().encode(key) }],
    },
  });
const inline = (basename: string, pairs: Record<string, string>) =>
  buildSecret({ owner: OWNER, basename, kind: "default", source: { type: "inline", pairs } });

/** A Secret created directly (not through applySecret), with exactly these labels. */
const raw = (name: string, labels?: Record<string, string>): KubeSecret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, ...(labels ? { labels } : {}) },
  type: "Opaque",
  data: { id_ed25519: b64(`key of ${name}`) },
});

/** The fake as a port whose `list` answers in reverse name order (the port promises no order). */
const reversed = (fake: FakeKube): KubeSecrets => ({
  ...fake,
  list: async (selector) => (await fake.list(selector)).reverse(),
});

const names = (kube: FakeKube) => [...kube.store.keys()].sort();

describe("git-ssh: which of the owner's secrets are replaced", () => {
  it("a listing that ignores the selector never deletes another owner's or an unlabelled Secret", async () => {
    const fake = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(fake, gitSsh("old", "k0"), merge);
    await applySecret(fake, gitSsh("theirs", "k1", OTHER), merge);
    await fake.create(raw("plain"));
    // a port whose list returns every Secret of the namespace, whatever the selector
    const kube: KubeSecrets = { ...fake, list: async () => await fake.list("") };
    const result = await applySecret(kube, gitSsh("new", "k2"), merge);
    expect(result.replacedGitSsh).toEqual([`old-${OWNER}`]);
    expect(result.writes).toBe(2);
    expect(names(fake)).toEqual([`new-${OWNER}`, "plain", `theirs-${OTHER}`]);
  });

  it("mayDelete is asked with an empty basename for a git-ssh Secret without a basename label", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await kube.create(raw("stray", { [LABEL_OWNER]: OWNER, [LABEL_KIND]: "git-ssh" }));
    const asked: string[] = [];
    const result = await applySecret(kube, gitSsh("new", "k2"), {
      ...merge,
      mayDelete: (basename) => {
        asked.push(basename);
        return true;
      },
    });
    // once before the write (the refusal check), once after it (what to delete)
    expect(asked).toEqual(["", ""]);
    expect(result.replacedGitSsh).toEqual(["stray"]);
    expect(names(kube)).toEqual([`new-${OWNER}`]);
  });

  it("the refusal names the off-limits secrets sorted, whatever order the listing gave", async () => {
    const fake = createFakeKube({ cluster: "alpha", namespace: "team" });
    await fake.create(raw(`a-${OWNER}`, secretLabels(OWNER, "a", "git-ssh")));
    await fake.create(raw(`b-${OWNER}`, secretLabels(OWNER, "b", "git-ssh")));
    const before = fake.calls.length;
    const e = await rejects(
      applySecret(reversed(fake), gitSsh("new", "k2"), { ...merge, mayDelete: () => false }),
    );
    expect([e.code, e.message]).toEqual([
      "forbidden",
      `owner ${OWNER} has the git-ssh secret "a", "b" on cluster "alpha", which this write would delete (git-ssh is one per owner) and may not touch: nothing was written`,
    ]);
    expect(fake.calls.slice(before).map((c) => c.method)).toEqual(["list"]);
  });

  it("replacedGitSsh is sorted, whatever order the listing gave", async () => {
    const fake = createFakeKube({ cluster: "alpha", namespace: "team" });
    await fake.create(raw(`a-${OWNER}`, secretLabels(OWNER, "a", "git-ssh")));
    await fake.create(raw(`b-${OWNER}`, secretLabels(OWNER, "b", "git-ssh")));
    const result = await applySecret(reversed(fake), gitSsh("new", "k2"), merge);
    expect(result.replacedGitSsh).toEqual([`a-${OWNER}`, `b-${OWNER}`]);
    expect(fake.calls.filter((c) => c.method === "delete").map((c) => c.name)).toEqual([
      `b-${OWNER}`,
      `a-${OWNER}`,
    ]);
    expect(names(fake)).toEqual([`new-${OWNER}`]);
  });

  it("an off-limits git-ssh Secret that appears during the write is left alone", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    let planted = false;
    kube.before = async (method) => {
      if (method !== "create" || planted) return;
      planted = true;
      await kube.create(gitSsh("keep", "k9"));
    };
    const result = await applySecret(kube, gitSsh("new", "k2"), {
      ...merge,
      mayDelete: (basename) => basename !== "keep",
    });
    expect([result.outcome, result.writes, result.replacedGitSsh]).toEqual(["created", 1, []]);
    expect(names(kube)).toEqual([`keep-${OWNER}`, `new-${OWNER}`]);
  });

  it("an old key recreated between the listing and its delete is not deleted (uid precondition)", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, gitSsh("old", "k0"), merge);
    kube.before = (method, name) => {
      // someone deletes and recreates it: same name, another uid
      const stored = kube.store.get(name ?? "");
      if (method === "delete" && stored) stored.metadata.uid = "someone-else-s-uid";
    };
    const e = await rejects(applySecret(kube, gitSsh("new", "k2"), merge));
    expect([e.code, e.objectName]).toEqual(["conflict", `old-${OWNER}`]);
    expect(names(kube)).toEqual([`new-${OWNER}`, `old-${OWNER}`]);
    expect(kube.store.get(`old-${OWNER}`)?.metadata.uid).toBe("someone-else-s-uid");
  });

  it("a default secret never lists, asks about or refuses for the owner's git-ssh secret", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, gitSsh("deploy", "k0"), merge);
    const before = kube.calls.length;
    const asked: string[] = [];
    const result = await applySecret(kube, inline("db", { A: "1" }), {
      ...merge,
      mayDelete: (basename) => {
        asked.push(basename);
        return false;
      },
    });
    expect([result.outcome, result.writes, result.replacedGitSsh]).toEqual([
      "created",
      1,
      undefined,
    ]);
    expect(asked).toEqual([]);
    expect(kube.calls.slice(before).map((c) => c.method)).toEqual(["get", "create"]);
    expect(names(kube)).toEqual([`db-${OWNER}`, `deploy-${OWNER}`]);
  });
});

describe("a listed copy is planned from on the first attempt only", () => {
  it("replace: the listed copy is stale, the fresh read races too: a conflict after 2 replaces", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, inline("db", { A: "1" }), merge);
    const listed = await kube.get(`db-${OWNER}`);
    let refused = 0;
    kube.before = (method) => {
      if (method === "replace" && refused < 2) {
        refused++;
        throw new KubeError({ code: "conflict", httpStatus: 409, message: "conflict" });
      }
    };
    const e = await rejects(
      applySecret(kube, inline("db", { B: "2" }), { ...replace, existing: listed }),
    );
    expect([e.code, e.message]).toEqual([
      "conflict",
      `secret "db-${OWNER}" in namespace "team" on cluster "alpha" was changed by someone else during the replace: nothing was overwritten; read it and try again`,
    ]);
    expect(kube.calls.filter((c) => c.method === "replace")).toHaveLength(2);
    expect(kube.store.get(`db-${OWNER}`)?.data).toEqual({ A: b64("1") });
  });
});
