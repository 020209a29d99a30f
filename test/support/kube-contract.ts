/**
 * The KubeSecrets contract: one suite, run against the in-memory fake (unit), the fetch adapter and
 * the client-node adapter (integration, real kube-apiserver). It pins the behaviour ops.ts relies
 * on: preconditions, merge-patch semantics, server-side selectors, the error codes, and the
 * server's refusals: RBAC per user (the test clusters' secrets-editor, secrets-reader, nobody),
 * the 1 MiB limit, names and keys.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KubeError } from "../../konduktor/kube/errors.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import type { KubeSecret } from "../../konduktor/types.ts";

export const b64 = (s: string | Uint8Array) => Buffer.from(s).toString("base64");
export const unb64 = (s: string | undefined) => Buffer.from(s ?? "", "base64").toString();
export const uniq = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

/** The KubeError `p` rejects with (fails the test when it resolves or rejects otherwise). */
export async function rejects(p: Promise<unknown>): Promise<KubeError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(KubeError);
    return error as KubeError;
  }
  throw new Error("expected a KubeError, got success");
}

function secret(
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): KubeSecret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, labels },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

/** The limited users of the test clusters (test/cluster/cluster.ts `TEST_USERS`). */
export type ContractUser = "secrets-reader" | "nobody";

/**
 * `make`: a port as secrets-editor. `as(editor, user)`: a port on the SAME cluster and namespace as
 * `editor`, authenticated as `user` (RBAC decides what it may do).
 */
export function kubeSecretsContract(
  label: string,
  make: () => KubeSecrets | Promise<KubeSecrets>,
  as: (editor: KubeSecrets, user: ContractUser) => KubeSecrets | Promise<KubeSecrets>,
) {
  const forbidden = (kube: KubeSecrets, verb: string) =>
    `not allowed to ${verb} secrets in namespace "${kube.namespace}" on cluster "${kube.cluster}" (403 Forbidden): grant the kubeconfig's user the RBAC verb "${verb}" on "secrets" in that namespace`;
  const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"] as const;

  describe(`KubeSecrets contract: ${label}`, () => {
    it("get of a missing Secret is null", async () => {
      const kube = await make();
      expect(await kube.get(uniq("missing"))).toBeNull();
    });

    it("create returns the stored Secret; a second create is already_exists", async () => {
      const kube = await make();
      const name = uniq("c-create");
      const created = await kube.create(secret(name, { A: "1" }, { run: name }));
      expect(created.metadata.name).toBe(name);
      expect(created.metadata.namespace).toBe(kube.namespace);
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(created.type).toBe("Opaque");
      expect(created.metadata.labels).toEqual({ run: name });
      const got = await kube.get(name);
      expect(got?.metadata.uid).toBe(created.metadata.uid);
      expect(unb64(got?.data?.A)).toBe("1");
      const again = await rejects(kube.create(secret(name, { B: "2" })));
      expect(again.code).toBe("already_exists");
      expect(again.message).toContain(name);
      await kube.delete(name);
    });

    it("list evaluates the label selector on the server", async () => {
      const kube = await make();
      const run = uniq("run");
      const [a, b, c] = [uniq("c-list"), uniq("c-list"), uniq("c-list")];
      await kube.create(secret(a, { K: "v" }, { run, side: "x" }));
      await kube.create(secret(b, { K: "v" }, { run, side: "y" }));
      await kube.create(secret(c, { K: "v" }, { run: "other" }));
      const both = await kube.list(`run=${run}`);
      expect(both.map((s) => s.metadata.name).sort()).toEqual([a, b].sort());
      const one = await kube.list(`run=${run},side=y`);
      expect(one.map((s) => s.metadata.name)).toEqual([b]);
      expect(unb64(one[0]?.data?.K)).toBe("v");
      const all = await kube.list("");
      expect(all.map((s) => s.metadata.name)).toEqual(expect.arrayContaining([a, b, c]));
      await Promise.all([a, b, c].map((n) => kube.delete(n)));
    });

    it("mergePatch adds, overwrites and (with null) removes keys, keeping others", async () => {
      const kube = await make();
      const name = uniq("c-merge");
      const created = await kube.create(secret(name, { KEEP: "k", OVER: "old", DROP: "d" }));
      const patched = await kube.mergePatch(name, {
        metadata: { annotations: { note: "n" } },
        data: { NEW: b64("n"), OVER: b64("new"), DROP: null },
      });
      expect(Object.keys(patched.data ?? {}).sort()).toEqual(["KEEP", "NEW", "OVER"]);
      expect(unb64(patched.data?.OVER)).toBe("new");
      expect(unb64(patched.data?.KEEP)).toBe("k");
      expect(patched.metadata.annotations).toEqual({ note: "n" });
      expect(patched.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
      await kube.delete(name);
    });

    it("mergePatch with a stale resourceVersion is a conflict; with the current one it applies", async () => {
      const kube = await make();
      const name = uniq("c-rv");
      const created = await kube.create(secret(name, { A: "1" }));
      const stale = created.metadata.resourceVersion;
      const current = await kube.mergePatch(name, { data: { B: b64("2") } }, stale);
      const conflict = await rejects(kube.mergePatch(name, { data: { C: b64("3") } }, stale));
      expect(conflict.code).toBe("conflict");
      expect(conflict.retryable).toBe(false);
      const ok = await kube.mergePatch(
        name,
        { data: { C: b64("3") } },
        current.metadata.resourceVersion,
      );
      expect(Object.keys(ok.data ?? {}).sort()).toEqual(["A", "B", "C"]);
      await kube.delete(name);
    });

    it("replace writes exactly the given data; a stale resourceVersion is a conflict", async () => {
      const kube = await make();
      const name = uniq("c-put");
      const created = await kube.create(secret(name, { A: "1", B: "2" }));
      const replaced = await kube.replace({
        ...secret(name, { C: "3" }),
        metadata: { ...created.metadata, labels: { x: "y" } },
      });
      expect(Object.keys(replaced.data ?? {})).toEqual(["C"]);
      expect(replaced.metadata.labels).toEqual({ x: "y" });
      const conflict = await rejects(
        kube.replace({ ...secret(name, { D: "4" }), metadata: { ...created.metadata } }),
      );
      expect(conflict.code).toBe("conflict");
      const noRv = await rejects(kube.replace(secret(name, { D: "4" })));
      expect(noRv.code).toBe("invalid");
      expect((await kube.get(name))?.data).toEqual({ C: b64("3") });
      await kube.delete(name);
    });

    it("patch, replace and delete of a missing Secret are not_found", async () => {
      const kube = await make();
      const name = uniq("c-none");
      expect((await rejects(kube.mergePatch(name, { data: { A: b64("1") } }))).code).toBe(
        "not_found",
      );
      expect(
        (
          await rejects(
            kube.replace({ ...secret(name, {}), metadata: { name, resourceVersion: "1" } }),
          )
        ).code,
      ).toBe("not_found");
      const del = await rejects(kube.delete(name));
      expect(del.code).toBe("not_found");
      expect(del.message).toContain(name);
    });

    it("delete honours uid and resourceVersion preconditions", async () => {
      const kube = await make();
      const name = uniq("c-del");
      const created = await kube.create(secret(name, { A: "1" }));
      const wrongUid = await rejects(
        kube.delete(name, { uid: "00000000-0000-4000-8000-000000000000" }),
      );
      expect(wrongUid.code).toBe("conflict");
      const patched = await kube.mergePatch(name, { data: { B: b64("2") } });
      const staleRv = await rejects(
        kube.delete(name, {
          uid: created.metadata.uid,
          resourceVersion: created.metadata.resourceVersion,
        }),
      );
      expect(staleRv.code).toBe("conflict");
      await kube.delete(name, {
        uid: created.metadata.uid,
        resourceVersion: patched.metadata.resourceVersion,
      });
      expect(await kube.get(name)).toBeNull();
    });

    it("an immutable Secret's data cannot be patched (invalid)", async () => {
      const kube = await make();
      const name = uniq("c-imm");
      await kube.create({ ...secret(name, { A: "1" }), immutable: true });
      const got = await kube.get(name);
      expect(got?.immutable).toBe(true);
      const e = await rejects(kube.mergePatch(name, { data: { A: b64("2") } }));
      expect(e.code).toBe("invalid");
      const annotated = await kube.mergePatch(name, { metadata: { annotations: { a: "b" } } });
      expect(annotated.metadata.annotations).toEqual({ a: "b" });
      await kube.delete(name);
    });

    it("a key Kubernetes does not accept is invalid, naming the field", async () => {
      const kube = await make();
      const name = uniq("c-badkey");
      const e = await rejects(kube.create(secret(name, { "bad key": "v" })));
      expect(e.code).toBe("invalid");
      expect(e.causes.map((c) => c.field)).toContain("data[bad key]");
    });

    it("version answers; canI answers per verb from the user's RBAC rules", async () => {
      const kube = await make();
      expect(await kube.version()).toMatch(/^v\d+\.\d+\.\d+/);
      const all = (value: boolean) => Object.fromEntries(VERBS.map((v) => [v, value]));
      expect(await kube.canI(VERBS)).toEqual(all(true));
      expect(await (await as(kube, "secrets-reader")).canI(VERBS)).toEqual({
        ...all(false),
        get: true,
        list: true,
        watch: true,
      });
      expect(await (await as(kube, "nobody")).canI(VERBS)).toEqual(all(false));
      expect(await kube.canI([])).toEqual({});
    });

    it("a reader gets and lists, and every write is forbidden naming its verb; nothing changes", async () => {
      const kube = await make();
      const reader = await as(kube, "secrets-reader");
      const run = uniq("run");
      const name = uniq("c-ro");
      const created = await kube.create(secret(name, { A: "1" }, { run }));
      expect((await reader.get(name))?.metadata.uid).toBe(created.metadata.uid);
      expect((await reader.list(`run=${run}`)).map((s) => s.metadata.name)).toEqual([name]);
      const refusals = [
        ["create", () => reader.create(secret(uniq("c-ro-new"), { B: "2" }))],
        ["patch", () => reader.mergePatch(name, { data: { B: b64("2") } })],
        [
          "update",
          () => reader.replace({ ...secret(name, { B: "2" }), metadata: { ...created.metadata } }),
        ],
        ["delete", () => reader.delete(name)],
      ] as const;
      for (const [verb, call] of refusals) {
        const e = await rejects(call());
        expect([e.code, e.httpStatus, e.verb, e.resource, e.retryable], verb).toEqual([
          "forbidden",
          403,
          verb,
          "secrets",
          false,
        ]);
        expect(e.message).toBe(forbidden(reader, verb));
      }
      const after = await kube.get(name);
      expect(after?.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      expect(after?.data).toEqual({ A: b64("1") });
      expect((await kube.list(`run=${run}`)).map((s) => s.metadata.name)).toEqual([name]);
      await kube.delete(name);
    });

    it("a user without rights may not even get or list", async () => {
      const kube = await make();
      const nobody = await as(kube, "nobody");
      const get = await rejects(nobody.get(uniq("c-none")));
      expect([get.code, get.verb, get.message]).toEqual([
        "forbidden",
        "get",
        forbidden(nobody, "get"),
      ]);
      const list = await rejects(nobody.list(""));
      expect([list.code, list.verb, list.message]).toEqual([
        "forbidden",
        "list",
        forbidden(nobody, "list"),
      ]);
    });

    it("values of exactly 1 MiB are stored; one byte more is too_large on create, patch and replace", async () => {
      const kube = await make();
      const MiB = 1024 * 1024;
      const name = uniq("c-mib");
      const tooLarge = `secret "${name}" is too large for the cluster in namespace "${kube.namespace}" on cluster "${kube.cluster}": Kubernetes allows at most 1 MiB of values per secret`;
      const exact = { A: b64("a".repeat(MiB - 10)), B: b64("b".repeat(10)) };
      const over = await rejects(
        kube.create({ ...secret(name, {}), data: { ...exact, C: b64("c") } }),
      );
      expect([over.code, over.httpStatus, over.retryable, over.message]).toEqual([
        "too_large",
        422,
        false,
        tooLarge,
      ]);
      expect(over.causes.map((c) => [c.field, c.reason])).toEqual([["data", "FieldValueTooLong"]]);
      expect(await kube.get(name)).toBeNull();
      const created = await kube.create({ ...secret(name, {}), data: exact });
      expect(Object.keys(created.data ?? {}).sort()).toEqual(["A", "B"]);
      const patch = await rejects(kube.mergePatch(name, { data: { C: b64("c") } }));
      expect([patch.code, patch.message]).toEqual(["too_large", tooLarge]);
      const put = await rejects(
        kube.replace({
          ...secret(name, {}),
          metadata: { ...created.metadata },
          data: { ...exact, B: b64("b".repeat(11)) },
        }),
      );
      expect([put.code, put.message]).toEqual(["too_large", tooLarge]);
      expect((await kube.get(name))?.metadata.resourceVersion).toBe(
        created.metadata.resourceVersion,
      );
      await kube.delete(name);
    });

    it("a name or key the server does not accept is invalid, naming the field; nothing is stored", async () => {
      const kube = await make();
      const tooLong = `n${"x".repeat(253)}`;
      for (const name of ["Bad_Name", "-starts-with-dash", "ends-with-dot.", tooLong]) {
        const e = await rejects(kube.create(secret(name, { A: "1" })));
        expect([e.code, e.httpStatus], name).toEqual(["invalid", 422]);
        expect(
          e.causes.map((c) => [c.field, c.reason]),
          name,
        ).toEqual([["metadata.name", "FieldValueInvalid"]]);
      }
      // the server's own words, quoted values hidden and cut to 200 characters
      const badName = await rejects(kube.create(secret("Bad_Name", { A: "1" })));
      const dns1123 =
        "Invalid value: \"…\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex use…";
      expect(badName.message).toBe(
        `the cluster rejected secret "Bad_Name" as invalid in namespace "${kube.namespace}" on cluster "${kube.cluster}": metadata.name: ${dns1123}`,
      );
      const badKeys = await rejects(kube.create(secret(uniq("c-keys"), { "..": "v", "a/b": "w" })));
      // the apiserver lists the causes in Go map order (it varies): compared sorted by field
      const byField = [...badKeys.causes].sort((a, b) => a.field.localeCompare(b.field));
      expect(byField).toEqual([
        {
          field: "data[..]",
          reason: "FieldValueInvalid",
          message: "Invalid value: \"…\": must not be '..'",
        },
        {
          field: "data[a/b]",
          reason: "FieldValueInvalid",
          message:
            "Invalid value: \"…\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        },
      ]);
      const name = uniq("c-keys");
      for (const key of ["..", ".", "..hidden", `k${"x".repeat(253)}`, "a/b"]) {
        const e = await rejects(kube.create(secret(name, { [key]: "v" })));
        // a cause's field is cut to 120 characters
        const field = `data[${key}]`;
        expect([e.code, e.causes.map((c) => [c.field, c.reason])], key).toEqual([
          "invalid",
          [[field.length > 120 ? `${field.slice(0, 119)}…` : field, "FieldValueInvalid"]],
        ]);
      }
      expect(await kube.get(name)).toBeNull();
      // the edges that are accepted: a 253-character name, a 253-character key, dots inside
      const longest = `n${"x".repeat(252)}`;
      await kube.create(
        secret(longest, { [`k${"y".repeat(252)}`]: "v", "a..b": "w", ".env": "e" }),
      );
      expect(Object.keys((await kube.get(longest))?.data ?? {}).sort()).toEqual([
        ".env",
        "a..b",
        `k${"y".repeat(252)}`,
      ]);
      await kube.delete(longest);
    });
  });
}
