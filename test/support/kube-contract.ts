/**
 * The KubeSecrets contract: one suite, run against the in-memory fake (unit), the fetch adapter and
 * the client-node adapter (integration, real kube-apiserver). It pins the behaviour ops.ts relies
 * on: preconditions, merge-patch semantics, server-side selectors, the error codes.
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

export function kubeSecretsContract(label: string, make: () => KubeSecrets | Promise<KubeSecrets>) {
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

    it("version and canI answer", async () => {
      const kube = await make();
      expect(await kube.version()).toMatch(/^v\d+\.\d+\.\d+/);
      const can = await kube.canI(["get", "create"]);
      expect(can).toEqual({ get: true, create: true });
    });
  });
}
