// applySecret and deleteOwn when someone else writes in between (konduktor/ops.ts): a replace never
// retries and says nothing was overwritten; a merge re-reads and retries 12 times with a capped,
// jittered backoff, then says how many attempts it made; an immutable Secret recreated by someone
// else between the delete and the create is a conflict; git-ssh refuses before writing when an
// off-limits secret would be deleted; a conditional delete retries 3 times. Exact messages.
import { afterEach, describe, expect, it, vi } from "vitest";
import { KubeError } from "../../konduktor/kube/errors.ts";
import { applySecret, DEFAULT_CONFLICT_RETRIES, deleteOwn } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import type { ApplyOptions, SecretKind } from "../../konduktor/types.ts";
import { createFakeKube } from "../support/fake-kube.ts";
import { testKeyring } from "../support/keyring.ts";
import { rejects } from "../support/kube-contract.ts";

const OWNER = "0a1b2c3d";
const provenance = { actor: "token:test", via: "test", at: "2026-01-01T00:00:00.000Z" };
const merge: ApplyOptions = { mode: "merge", provenance };
const replace: ApplyOptions = { mode: "replace", provenance };
const desired = (basename: string, pairs: Record<string, string>, kind: SecretKind = "default") =>
  buildSecret({ owner: OWNER, basename, kind, source: { type: "inline", pairs } });
const gitSsh = (basename: string, key: string) =>
  buildSecret({
    owner: OWNER,
    basename,
    kind: "git-ssh",
    source: {
      type: "files",
      files: [{ name: "id_ed25519", content: new TextEncoder().encode(key) }],
    },
  });
const kubeError = (code: KubeError["code"], httpStatus: number) =>
  new KubeError({ code, httpStatus, message: `${code} from the server` });

afterEach(() => {
  // mocks first: the setTimeout spy was made over the fake timers' setTimeout
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("a replace that races", () => {
  it.each([
    ["conflict", 409],
    ["already_exists", 409],
    ["not_found", 404],
  ] as const)("a %s during the replace: not retried, nothing overwritten", async (code, status) => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("db", { A: "1" }), merge);
    kube.before = (method) => {
      if (method === "replace") throw kubeError(code, status);
    };
    const e = await rejects(applySecret(kube, desired("db", { B: "2" }), replace));
    expect([
      e.code,
      e.httpStatus,
      e.retryable,
      e.cluster,
      e.namespace,
      e.objectName,
      e.message,
    ]).toEqual([
      "conflict",
      status,
      false,
      "alpha",
      "team",
      `db-${OWNER}`,
      `secret "db-${OWNER}" in namespace "team" on cluster "alpha" was changed by someone else during the replace: nothing was overwritten; read it and try again`,
    ]);
    expect(kube.calls.filter((c) => c.method === "replace")).toHaveLength(1);
  });

  it("another error is passed on as it is, without a retry", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("db", { A: "1" }), merge);
    const forbidden = kubeError("forbidden", 403);
    kube.before = (method) => {
      if (method === "mergePatch") throw forbidden;
    };
    expect(await rejects(applySecret(kube, desired("db", { B: "2" }), merge))).toBe(forbidden);
    expect(kube.calls.filter((c) => c.method === "mergePatch")).toHaveLength(1);
  });
});

describe("a merge that races", () => {
  it("retries 12 times with a jittered backoff capped at 1 s, then names the 13 attempts", async () => {
    expect(DEFAULT_CONFLICT_RETRIES).toBe(12);
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout);
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("db", { A: "1" }), merge);
    kube.before = (method) => {
      if (method === "mergePatch") throw kubeError("conflict", 409);
    };
    const result = rejects(applySecret(kube, desired("db", { B: "2" }), merge));
    await vi.runAllTimersAsync();
    const e = await result;
    expect([e.code, e.httpStatus, e.retryable, e.message]).toEqual([
      "conflict",
      409,
      false,
      `secret "db-${OWNER}" in namespace "team" on cluster "alpha" kept changing under 13 attempts to merge: try again`,
    ]);
    // half of min(1000, 20 × 2^attempt): doubling from 10 ms, capped at 500 ms
    expect(delays).toEqual([10, 20, 40, 80, 160, 320, 500, 500, 500, 500, 500, 500]);
    expect(kube.calls.filter((c) => c.method === "mergePatch")).toHaveLength(13);
  });

  it.each([
    ["conflict", 409],
    ["already_exists", 409],
    ["not_found", 404],
  ] as const)("a %s once: re-read and merged on the second attempt", async (code, status) => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("db", { A: "1" }), merge);
    let failures = 0;
    kube.before = (method) => {
      if (method === "mergePatch" && failures++ === 0) throw kubeError(code, status);
    };
    const r = await applySecret(kube, desired("db", { B: "2" }), merge);
    expect([r.outcome, r.writes, r.added]).toEqual(["updated", 1, ["B"]]);
    expect(kube.calls.filter((c) => c.method === "mergePatch")).toHaveLength(2);
    expect(Object.keys((await kube.get(`db-${OWNER}`))?.data ?? {})).toEqual(["A", "B"]);
  });
});

describe("an immutable Secret recreated by someone else", () => {
  // the create's already_exists is a race to the retry loop of applySecret like any other: a
  // replace answers its own message
  it("between the delete and the create: a conflict, nothing overwritten", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("frozen", { A: "1" }), { ...merge, immutable: true });
    const before = kube.calls.length;
    kube.before = (method) => {
      if (method === "create") throw kubeError("already_exists", 409);
    };
    const e = await rejects(
      applySecret(kube, desired("frozen", { A: "2" }), { ...replace, immutable: true }),
    );
    expect([e.code, e.cluster, e.namespace, e.objectName, e.message]).toEqual([
      "conflict",
      "alpha",
      "team",
      `frozen-${OWNER}`,
      `secret "frozen-${OWNER}" in namespace "team" on cluster "alpha" was changed by someone else during the replace: nothing was overwritten; read it and try again`,
    ]);
    expect(
      kube.calls
        .slice(before)
        .filter((c) => ["delete", "create"].includes(c.method))
        .map((c) => c.method),
    ).toEqual(["delete", "create"]);
  });

  it("another failure of the create is passed on as it is", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("frozen", { A: "1" }), { ...merge, immutable: true });
    const down = kubeError("unreachable", 503);
    kube.before = (method) => {
      if (method === "create") throw down;
    };
    expect(
      await rejects(
        applySecret(kube, desired("frozen", { A: "2" }), { ...replace, immutable: true }),
      ),
    ).toBe(down);
  });
});

describe("git-ssh with secrets that may not be deleted", () => {
  it("refuses before writing, naming every blocked basename, sorted", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    for (const b of ["zeta", "alpha-key", "mine"]) {
      // created directly: a git-ssh write through applySecret would delete the others
      await kube.create(gitSsh(b, `k-${b}`));
    }
    const writes = kube.calls.length;
    const e = await rejects(
      applySecret(kube, gitSsh("new", "k"), {
        ...replace,
        mayDelete: (basename) => basename === "mine",
      }),
    );
    expect([e.code, e.cluster, e.namespace, e.objectName, e.message]).toEqual([
      "forbidden",
      "alpha",
      "team",
      `new-${OWNER}`,
      `owner ${OWNER} has the git-ssh secret "alpha-key", "zeta" on cluster "alpha", which this write would delete (git-ssh is one per owner) and may not touch: nothing was written`,
    ]);
    expect(kube.calls.slice(writes).map((c) => c.method)).toEqual(["list"]);
    expect(await kube.get(`new-${OWNER}`)).toBeNull();
  });

  it("writes and deletes only what it may when every other one may be deleted", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, gitSsh("old", "k-old"), replace);
    const r = await applySecret(kube, gitSsh("new", "k"), {
      ...replace,
      mayDelete: (basename) => basename === "old",
    });
    expect([r.outcome, r.writes, r.replacedGitSsh]).toEqual(["created", 2, [`old-${OWNER}`]]);
    expect(await kube.get(`old-${OWNER}`)).toBeNull();
  });

  it("a dry run lists what it would delete and writes nothing", async () => {
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, gitSsh("old", "k-old"), replace);
    const r = await applySecret(kube, gitSsh("new", "k"), {
      ...replace,
      dryRun: true,
    });
    expect([r.outcome, r.writes, r.replacedGitSsh]).toEqual(["created", 0, [`old-${OWNER}`]]);
    expect(await kube.get(`old-${OWNER}`)).not.toBeNull();
  });
});

describe("a conditional delete (with the broker's order) that races", () => {
  it("retries a conflict 3 times, then passes the 4th on", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("db", { A: "1" }), merge);
    const conflict = kubeError("conflict", 409);
    kube.before = (method) => {
      if (method === "delete") throw conflict;
    };
    expect(await rejects(deleteOwn(kube, OWNER, "db", { keyring, version: 2 }))).toBe(conflict);
    expect(kube.calls.filter((c) => c.method === "delete")).toHaveLength(4);
  });

  it("a conflict once: deleted on the next attempt", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("db", { A: "1" }), merge);
    let failures = 0;
    kube.before = (method) => {
      if (method === "delete" && failures++ === 0) throw kubeError("conflict", 409);
    };
    expect(await deleteOwn(kube, OWNER, "db", { keyring, version: 2 })).toEqual({
      outcome: "deleted",
      name: `db-${OWNER}`,
      namespace: "team",
      writes: 1,
    });
    expect(kube.calls.filter((c) => c.method === "delete")).toHaveLength(2);
  });

  it("gone before the delete: absent, no write", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("db", { A: "1" }), merge);
    kube.before = (method) => {
      if (method === "delete") throw kubeError("not_found", 404);
    };
    expect(await deleteOwn(kube, OWNER, "db", { keyring, version: 2 })).toEqual({
      outcome: "absent",
      name: `db-${OWNER}`,
      namespace: "team",
      writes: 0,
    });
    expect(await deleteOwn(kube, OWNER, "db")).toEqual({
      outcome: "absent",
      name: `db-${OWNER}`,
      namespace: "team",
      writes: 0,
    });
  });

  it("another error of the delete is passed on without a retry", async () => {
    const keyring = await testKeyring();
    const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
    await applySecret(kube, desired("db", { A: "1" }), merge);
    const forbidden = kubeError("forbidden", 403);
    kube.before = (method) => {
      if (method === "delete") throw forbidden;
    };
    expect(await rejects(deleteOwn(kube, OWNER, "db", { keyring, version: 2 }))).toBe(forbidden);
    expect(await rejects(deleteOwn(kube, OWNER, "db"))).toBe(forbidden);
    expect(kube.calls.filter((c) => c.method === "delete")).toHaveLength(2);
  });
});
