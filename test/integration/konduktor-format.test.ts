// On the real kube-apiserver: the Secret for every kind × source is exactly the one
// konduktor-format.md describes (read back with an independent HTTPS client), write counts through
// a counting fetch, the error model for both adapters, and a canary value that must never leak.
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import { KubeError } from "../../konduktor/kube/errors.ts";
import { createFetchKubeSecrets } from "../../konduktor/kube/fetch-adapter.ts";
import { nodeFetchFor, nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import {
  applySecret,
  deleteOwn,
  describe as describeSecret,
  listAll,
  listOwn,
} from "../../konduktor/ops.ts";
import { buildSecret, type SecretInput } from "../../konduktor/secret.ts";
import type { ApplyOptions } from "../../konduktor/types.ts";
import { type ClusterInfo, freePort, kubeconfigFor, TEST_NAMESPACE } from "../cluster/cluster.ts";
import { clusterFetch } from "../support/cluster-fetch.ts";
import { getSecret } from "../support/cluster-secret.ts";
import { testKeyring } from "../support/keyring.ts";
import { b64 } from "../support/kube-contract.ts";
import { newOwner } from "../support/ops-contract.ts";

const clusters = inject("clusters");
const alpha = clusters[0] as ClusterInfo;
const beta = clusters[1] as ClusterInfo;
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
    fetch: ((url: string, init?: RequestInit) => {
      methods.push(init?.method ?? "GET");
      return inner(url, init);
    }) as typeof fetch,
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

const adapters: [string, (kubeconfig: string) => Promise<KubeSecrets> | KubeSecrets][] = [
  ["fetch", (k) => nodeKubeSecrets(k)],
  ["client-node", (k) => createClientNodeKubeSecrets({ kubeconfig: k })],
];

describe("namespace `default` when the context names none, both adapters", () => {
  it.each(adapters)("%s: the Secret lands in default", async (_n, make) => {
    const kubeconfig = kubeconfigFor(alpha, "admin", null);
    expect(kubeconfig).not.toContain("namespace");
    const kube = await make(kubeconfig);
    expect(kube.namespace).toBe("default");
    const owner = newOwner();
    const name = `nons-${owner}`;
    await applySecret(
      kube,
      buildSecret({ owner, basename: "nons", source: { type: "inline", pairs: { A: "1" } } }),
      merge,
    );
    try {
      // read back with plain undici and the admin token, in default and not in the test namespace
      const at = async (ns: string) =>
        (
          await clusterFetch(alpha)(`${alpha.server}/api/v1/namespaces/${ns}/secrets/${name}`, {
            headers: { authorization: `Bearer ${alpha.tokens.admin}` },
          })
        ).status;
      expect(await at("default")).toBe(200);
      expect(await at(TEST_NAMESPACE)).toBe(404);
    } finally {
      await kube.delete(name);
    }
  });
});

describe("errors from the real server, both adapters", () => {
  let hang: ReturnType<typeof createServer> | undefined;
  afterAll(() => hang?.close());

  it.each(adapters)("%s: forbidden (with verb and resource), unauthorized", async (_n, make) => {
    const reader = await make(kubeconfigFor(beta, "secrets-reader"));
    const owner = newOwner();
    const e = (await applySecret(
      reader,
      buildSecret({ owner, basename: "ro", source: { type: "inline", pairs: { A: "1" } } }),
      merge,
    ).catch((x) => x)) as KubeError;
    expect(e).toBeInstanceOf(KubeError);
    expect([e.code, e.verb, e.resource, e.retryable]).toEqual([
      "forbidden",
      "create",
      "secrets",
      false,
    ]);
    expect(e.message).toBe(
      `not allowed to create secrets in namespace "${TEST_NAMESPACE}" on cluster "beta" (403 Forbidden): grant the kubeconfig's user the RBAC verb "create" on "secrets" in that namespace`,
    );
    const nobody = await make(kubeconfigFor(beta, "nobody"));
    const e2 = (await listOwn(nobody, owner).catch((x) => x)) as KubeError;
    expect([e2.code, e2.verb, e2.resource]).toEqual(["forbidden", "list", "secrets"]);
    expect(await reader.canI(["get", "create"])).toEqual({ get: true, create: false });
    const bad = kubeconfigFor(beta, "nobody").replace(beta.tokens.nobody, "not-a-token");
    const e3 = (await (await make(bad)).get("x").catch((x) => x)) as KubeError;
    expect(e3.code).toBe("unauthorized");
    expect(e3.message).not.toContain("not-a-token");
  });

  it.each(adapters)(
    "%s: too_large from the server itself (1 MiB + 1 byte straight to kube.create), no value in it",
    async (_n, make) => {
      // kube.create bypasses ops' local 1 MiB check: this is the kube-apiserver's own answer
      // (422 Invalid, cause FieldValueTooLong on `data`) through the adapter's error mapping
      const kube = await make(kubeconfigFor(alpha, "secrets-editor"));
      const owner = newOwner();
      const canary = `CANARY-${randomBytes(12).toString("hex")}`;
      const MiB = 1024 * 1024;
      const data = (total: number) => ({
        CANARY: b64(canary),
        BIG: b64(`${canary}${"x".repeat(total - 2 * canary.length)}`),
      });
      const e = (await kube
        .create({ metadata: { name: `big-${owner}` }, type: "Opaque", data: data(MiB + 1) })
        .catch((x) => x)) as KubeError;
      expect(e).toBeInstanceOf(KubeError);
      expect([e.code, e.httpStatus, e.retryable]).toEqual(["too_large", 422, false]);
      expect(e.message).toBe(
        `secret "big-${owner}" is too large for the cluster in namespace "${TEST_NAMESPACE}" on cluster "alpha": Kubernetes allows at most 1 MiB of values per secret`,
      );
      const text = JSON.stringify([e.message, e.toJSON(), String(e), e.stack, e.causes]);
      for (const form of [canary, b64(canary), Buffer.from(canary).toString("hex")]) {
        expect(text).not.toContain(form);
      }
      expect(text).not.toContain("xxxxxxxx");
      // the boundary: exactly 1 MiB is accepted
      await kube.create({
        metadata: { name: `big-${owner}` },
        type: "Opaque",
        data: data(MiB),
      });
      await kube.delete(`big-${owner}`);
    },
  );

  it.each(adapters)("%s: unreachable and timeout", async (name, make) => {
    const closed = await freePort();
    const down = kubeconfigFor(beta, "secrets-editor").replace(
      beta.server,
      `https://127.0.0.1:${closed}`,
    );
    const e = (await (await make(down)).get("x").catch((x) => x)) as KubeError;
    expect([e.code, e.retryable]).toEqual(["unreachable", true]);
    expect(e.message).toBe(
      `cannot reach cluster "beta" at https://127.0.0.1:${closed} (connection refused): check the kubeconfig's server address and the network`,
    );
    // a server that accepts connections and never answers
    hang ??= createServer(() => {}).listen(0, "127.0.0.1");
    await new Promise((r) => (hang?.listening ? r(null) : hang?.once("listening", r)));
    const port = (hang.address() as { port: number }).port;
    const silent = kubeconfigFor(beta, "secrets-editor").replace(
      beta.server,
      `https://127.0.0.1:${port}`,
    );
    const kube =
      name === "fetch"
        ? await nodeKubeSecrets(silent, { timeoutMs: 300 })
        : createClientNodeKubeSecrets({ kubeconfig: silent, timeoutMs: 300 });
    const started = Date.now();
    const t = (await kube.get("x").catch((x) => x)) as KubeError;
    expect([t.code, t.retryable]).toEqual(["timeout", true]);
    expect(Date.now() - started).toBeLessThan(5000);
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
    const keep = async (p: () => Promise<unknown>) => {
      try {
        seen.push(await p());
      } catch (error) {
        const e = error as KubeError;
        seen.push({ message: e.message, json: e.toJSON?.(), string: String(e), stack: e.stack });
      }
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
        await keep(() => applySecret(kube, desired, merge));
        await keep(() => applySecret(kube, desired, merge));
        await keep(() => applySecret(kube, desired, { ...merge, dryRun: true }));
        await keep(() => listOwn(kube, owner));
        await keep(() => listAll(kube));
        await keep(async () => describeSecret(kube, owner, "canary", await testKeyring()));
        // errors around it: a bad key with the canary as value, too large, foreign owner, forbidden
        await keep(() =>
          kube.create({ metadata: { name: `bad-${owner}` }, data: { "bad key": b64(canary) } }),
        );
        const big = (key: string) =>
          buildSecret({
            owner,
            basename: "canary",
            kind: "env",
            source: { type: "inline", pairs: { [key]: canary.repeat(20_000) } },
          });
        await keep(() => applySecret(kube, big("BIG1"), merge));
        await keep(() => applySecret(kube, big("BIG2"), merge)); // too_large after merging
        await keep(async () =>
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
        await keep(() =>
          applySecret(
            kube,
            { ...desired, data: { TOKEN: b64(`${canary}2`) } },
            { ...merge, mode: "replace" },
          ),
        );
        await keep(() => kube.create(foreign));
      }
      const reader = await nodeKubeSecrets(kubeconfigFor(alpha, "secrets-reader"));
      await keep(() =>
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
      await keep(() =>
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
      await keep(async () =>
        deleteOwn(await nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor")), owner, "canary"),
      );
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(seen.length).toBeGreaterThan(20);
    const text = JSON.stringify(seen) + logged.join("\n");
    for (const form of forms) expect(text).not.toContain(form);
    // the errors did happen
    expect(text).toContain("forbidden");
    expect(text).toContain("too_large");
  });
});
