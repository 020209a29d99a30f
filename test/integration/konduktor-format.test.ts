// On the real kube-apiserver: the Secret for every kind × source is exactly the one
// konduktor-format.md describes (read back with an independent HTTPS client), write counts through
// a counting fetch, and a canary value that must never leak. Both adapters' namespace default and
// error model: konduktor-adapter-errors.test.ts.
import { randomBytes } from "node:crypto";
import { unzipSync } from "fflate";
import { describe, expect, inject, it, vi } from "vitest";
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import type { KubeError } from "../../konduktor/kube/errors.ts";
import { createFetchKubeSecrets } from "../../konduktor/kube/fetch-adapter.ts";
import { nodeFetchFor, nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import {
  applySecret,
  deleteOwn,
  describe as describeSecret,
  listAll,
  listOwn,
} from "../../konduktor/ops.ts";
import { buildSecret, type SecretInput } from "../../konduktor/secret.ts";
import type { ApplyOptions } from "../../konduktor/types.ts";
import { type ClusterInfo, kubeconfigFor, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { getSecret } from "../support/cluster-secret.ts";
import { testKeyring } from "../support/keyring.ts";
import { b64 } from "../support/kube-contract.ts";
import { newOwner } from "../support/ops-contract.ts";

const clusters = inject("clusters");
const alpha = clusters[0] as ClusterInfo;
const _beta = clusters[1] as ClusterInfo;
const merge: ApplyOptions = {
  mode: "merge",
  provenance: { actor: "token:it", via: "integration" },
};
const bytes = (s: string) => new TextEncoder().encode(s);

/** A fetch adapter whose requests are counted (method per request). */
function counted(info: ClusterInfo) {
  const methods: string[] = [];
  const inner = nodeFetchFor({ caPem: info.caPem });
  const kube = createFetchKubeSecrets({
    server: info.server,
    namespace: TEST_NAMESPACE,
    token: info.tokens["secrets-editor"],
    cluster: info.name,
    fetch: (url, init) => {
      methods.push(init.method);
      return inner(url, init);
    },
  });
  return { kube, methods, writes: () => methods.filter((m) => m !== "GET").length };
}

describe("golden: every kind × source on the server", () => {
  const labels = (owner: string, basename: string, kind: string) => ({
    parent: "konduktor",
    "trainy.ai/secret-owner": owner,
    "trainy.ai/secret-basename": basename,
    "trainy.ai/secret-kind": kind,
  });
  const owner = newOwner();
  const cases: { input: SecretInput; kind: string; data: Record<string, string> }[] = [
    {
      input: {
        owner,
        basename: "inline",
        source: { type: "inline", pairs: { A: "1", "b.c": "two\n" } },
      },
      kind: "default",
      data: { A: b64("1"), "b.c": b64("two\n") },
    },
    {
      input: {
        owner,
        basename: "env",
        kind: "env",
        source: { type: "inline", pairs: { API_TOKEN: "t", DB_URL: "u" } },
      },
      kind: "env",
      data: { API_TOKEN: b64("t"), DB_URL: b64("u") },
    },
    {
      input: {
        owner,
        basename: "files",
        source: {
          type: "files",
          files: [
            { name: "/tmp/x/ca.pem", content: bytes("PEM") },
            { name: "blob.bin", content: new Uint8Array([0, 255, 1]) },
          ],
        },
      },
      kind: "default",
      data: { "ca.pem": b64("PEM"), "blob.bin": b64(new Uint8Array([0, 255, 1])) },
    },
    {
      input: {
        owner,
        basename: "gitkey",
        kind: "git-ssh",
        source: {
          type: "files",
          files: [{ name: "/home/u/.ssh/id_ed25519", content: bytes("KEY") }],
        },
      },
      kind: "git-ssh",
      data: { gitkey: b64("KEY") },
    },
  ];
  it.each(cases)("$input.basename ($kind)", async ({ input, kind, data }) => {
    const kube = await nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor"));
    await applySecret(kube, buildSecret(input), merge);
    const s = await getSecret(alpha, `${input.basename}-${owner}`);
    expect(s.metadata.name).toBe(`${input.basename}-${owner}`);
    expect(s.metadata.namespace).toBe(TEST_NAMESPACE);
    expect(s.type).toBe("Opaque");
    expect(s.metadata.labels).toEqual(labels(owner, input.basename, kind));
    expect(s.data).toEqual(data);
  });

  it("directory: payload.zip unzips back to the same tree under the directory's name", async () => {
    const kube = createClientNodeKubeSecrets({
      kubeconfig: kubeconfigFor(alpha, "secrets-editor"),
    });
    const entries = [
      { path: "top.txt", content: bytes("top") },
      { path: "nested/a.json", content: bytes('{"a":1}') },
      { path: "nested/deep/b.bin", content: new Uint8Array(randomBytes(4096)) },
    ];
    await applySecret(
      kube,
      buildSecret({
        owner,
        basename: "dir",
        source: { type: "directory", name: "/src/train-config", entries },
      }),
      merge,
    );
    const s = await getSecret(alpha, `dir-${owner}`);
    expect(s.metadata.labels).toEqual(labels(owner, "dir", "default"));
    expect(s.type).toBe("Opaque");
    expect(Object.keys(s.data ?? {})).toEqual(["payload.zip"]);
    const files = unzipSync(Buffer.from(s.data?.["payload.zip"] ?? "", "base64"));
    const tree = Object.fromEntries(
      Object.entries(files)
        .filter(([p]) => !p.endsWith("/"))
        .map(([p, c]) => [p, Buffer.from(c).toString("hex")]),
    );
    expect(tree).toEqual(
      Object.fromEntries(
        entries.map((e) => [`train-config/${e.path}`, Buffer.from(e.content).toString("hex")]),
      ),
    );
  });
});

describe("write counts through a counting fetch", () => {
  it("create: 1 write; identical again: 0 writes; change: 1 write; delete: 1 write", async () => {
    const { kube, methods, writes } = counted(alpha);
    const owner = newOwner();
    const desired = () =>
      buildSecret({ owner, basename: "count", source: { type: "inline", pairs: { A: "1" } } });
    expect((await applySecret(kube, desired(), merge)).writes).toBe(1);
    expect(writes()).toBe(1);
    for (let i = 0; i < 3; i++) {
      expect(await applySecret(kube, desired(), merge)).toMatchObject({
        outcome: "unchanged",
        writes: 0,
      });
    }
    expect(writes()).toBe(1);
    expect(methods.filter((m) => m === "GET")).toHaveLength(4);
    const changed = buildSecret({
      owner,
      basename: "count",
      source: { type: "inline", pairs: { A: "2" } },
    });
    expect((await applySecret(kube, changed, merge)).writes).toBe(1);
    expect(writes()).toBe(2);
    await deleteOwn(kube, owner, "count");
    expect(methods.slice(-2)).toEqual(["GET", "DELETE"]);
    expect(writes()).toBe(3);
  });
});

describe("a canary value never leaks", () => {
  it("appears in no error, result, listing, description or log line", async () => {
    const canary = `CANARY-${randomBytes(12).toString("hex")}`;
    const forms = [canary, b64(canary), Buffer.from(canary).toString("hex")];
    // "log line" here means console output in THIS process: konduktor/ never logs, so this only
    // proves that no console.* call in the core (or @kubernetes/client-node, in-process) prints a
    // value, e.g. a debug line added later. It says nothing about the broker's or the Action's own
    // log output (the broker's JSON log lines, workerd's stdout, the Action's ::add-mask/stdout,
    // GITHUB_ENV): those are checked on the real processes by the e2e tests (broker-input,
    // broker-security, action-broker, action-kubeconfig via visibleOutput).
    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      }),
    );
    const seen: unknown[] = [];
    /** an operation that succeeds: its result is kept to be searched for the canary */
    const ok = async (p: () => Promise<unknown>) => {
      seen.push(await p());
    };
    /** an operation that fails with exactly `code`: every form of its error is kept */
    const fails = async (code: string, p: () => Promise<unknown>) => {
      const e = (await p().then(
        () => {
          throw new Error(`expected ${code}, got success`);
        },
        (x) => x,
      )) as KubeError;
      expect(e.code).toBe(code);
      seen.push({ message: e.message, json: e.toJSON?.(), string: String(e), stack: e.stack });
    };
    try {
      const owner = newOwner();
      const pairs = { TOKEN: canary };
      for (const kube of [
        await nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor")),
        createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(alpha, "secrets-editor") }),
      ]) {
        const desired = buildSecret({
          owner,
          basename: "canary",
          kind: "env",
          source: { type: "inline", pairs },
        });
        await ok(() => applySecret(kube, desired, merge));
        await ok(() => applySecret(kube, desired, merge));
        await ok(() => applySecret(kube, desired, { ...merge, dryRun: true }));
        await ok(() => listOwn(kube, owner));
        await ok(() => listAll(kube));
        await ok(async () => describeSecret(kube, owner, "canary", await testKeyring()));
        // errors around it: a bad key with the canary as value, too large, foreign owner, forbidden
        await fails("invalid", () =>
          kube.create({ metadata: { name: `bad-${owner}` }, data: { "bad key": b64(canary) } }),
        );
        const big = (key: string) =>
          buildSecret({
            owner,
            basename: "canary",
            kind: "env",
            source: { type: "inline", pairs: { [key]: canary.repeat(20_000) } },
          });
        await ok(() => applySecret(kube, big("BIG1"), merge));
        await fails("too_large", () => applySecret(kube, big("BIG2"), merge)); // after merging
        await fails("invalid_input", async () =>
          buildSecret({
            owner,
            basename: "canary",
            source: { type: "inline", pairs: { BIG: canary.repeat(40_000) } },
          }),
        );
        const foreign = buildSecret({
          owner: newOwner(),
          basename: "canary",
          source: { type: "inline", pairs },
        });
        foreign.metadata.name = `canary-${owner}`;
        await ok(() =>
          applySecret(
            kube,
            { ...desired, data: { TOKEN: b64(`${canary}2`) } },
            { ...merge, mode: "replace" },
          ),
        );
        await fails("already_exists", () => kube.create(foreign));
      }
      const reader = await nodeKubeSecrets(kubeconfigFor(alpha, "secrets-reader"));
      await fails("forbidden", () =>
        applySecret(
          reader,
          buildSecret({
            owner,
            basename: "canary",
            kind: "env",
            source: { type: "inline", pairs: { TOKEN: `${canary}3` } },
          }),
          merge,
        ),
      );
      const readerCn = createClientNodeKubeSecrets({
        kubeconfig: kubeconfigFor(alpha, "secrets-reader"),
      });
      await fails("forbidden", () =>
        applySecret(
          readerCn,
          buildSecret({
            owner,
            basename: "canary",
            kind: "env",
            source: { type: "inline", pairs: { TOKEN: `${canary}4` } },
          }),
          merge,
        ),
      );
      await ok(async () =>
        deleteOwn(await nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor")), owner, "canary"),
      );
    } finally {
      for (const s of spies) s.mockRestore();
    }
    // 12 operations on each adapter, 2 by readers, the delete
    expect(seen).toHaveLength(27);
    const text = JSON.stringify(seen) + logged.join("\n");
    for (const form of forms) expect(text).not.toContain(form);
  });
});
