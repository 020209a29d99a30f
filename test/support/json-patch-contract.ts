/**
 * The KubeSecrets `jsonPatch` contract (RFC 6902 as the apiserver applies it): one suite, run on the
 * in-memory fake (unit) and on both adapters against the real kube-apiserver (integration). It pins
 * what the one-request write (konduktor/apply-known.ts) relies on: the patch applies whole or not
 * at all, a failing `test` is `invalid` (422) and writes nothing, a patch of `test` operations only
 * stores nothing (the resourceVersion stays), and JSON pointers escape `/` in annotation names.
 */
import { describe, expect, it } from "vitest";
import { jsonPointer, type KubeSecrets } from "../../konduktor/kube/port.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import { b64, rejects, unb64, uniq } from "./kube-contract.ts";

const ANNOTATION = "example.com/signature";

function secret(name: string): KubeSecret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, labels: { run: name }, annotations: { [ANNOTATION]: "v1" } },
    type: "Opaque",
    data: { A: b64("1"), B: b64("2") },
  };
}

export function jsonPatchContract(label: string, make: () => KubeSecrets | Promise<KubeSecrets>) {
  describe(`KubeSecrets jsonPatch contract: ${label}`, () => {
    const patchOf = (kube: KubeSecrets) => {
      const patch = kube.jsonPatch?.bind(kube);
      expect(patch, "the port has jsonPatch").toBeTypeOf("function");
      return patch as NonNullable<KubeSecrets["jsonPatch"]>;
    };

    it("tests that hold, then add / replace / remove: applied, with a new resourceVersion", async () => {
      const kube = await make();
      const name = uniq("jp-apply");
      const created = await kube.create(secret(name));
      const rv = created.metadata.resourceVersion as string;
      const stored = await patchOf(kube)(name, [
        { op: "test", path: "/metadata/resourceVersion", value: rv },
        { op: "test", path: jsonPointer("metadata", "annotations", ANNOTATION), value: "v1" },
        { op: "add", path: jsonPointer("data", "C"), value: b64("3") },
        { op: "replace", path: jsonPointer("data", "A"), value: b64("one") },
        { op: "remove", path: jsonPointer("data", "B") },
        { op: "add", path: jsonPointer("metadata", "annotations", ANNOTATION), value: "v2" },
        { op: "add", path: jsonPointer("metadata", "labels", "x/y"), value: "z" },
      ]);
      expect(stored.metadata.resourceVersion).not.toBe(rv);
      const got = (await kube.get(name)) as KubeSecret;
      expect(got.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
      expect(Object.keys(got.data ?? {}).sort()).toEqual(["A", "C"]);
      expect(unb64(got.data?.A)).toBe("one");
      expect(unb64(got.data?.C)).toBe("3");
      expect(got.metadata.annotations?.[ANNOTATION]).toBe("v2");
      expect(got.metadata.labels).toEqual({ run: name, "x/y": "z" });
      await kube.delete(name);
    });

    it("a failing test is invalid (422) and nothing of the patch is written", async () => {
      const kube = await make();
      const name = uniq("jp-test");
      const created = await kube.create(secret(name));
      const rv = created.metadata.resourceVersion as string;
      for (const test of [
        { op: "test" as const, path: "/metadata/resourceVersion", value: "1" },
        {
          op: "test" as const,
          path: jsonPointer("metadata", "annotations", ANNOTATION),
          value: "v0",
        },
        { op: "test" as const, path: jsonPointer("metadata", "annotations", "absent"), value: "x" },
        { op: "test" as const, path: "/data", value: { A: b64("1") } },
      ]) {
        const error = await rejects(
          patchOf(kube)(name, [test, { op: "add", path: "/data/C", value: b64("3") }]),
        );
        expect([error.code, error.httpStatus]).toEqual(["invalid", 422]);
      }
      const got = (await kube.get(name)) as KubeSecret;
      expect(got.metadata.resourceVersion).toBe(rv);
      expect(Object.keys(got.data ?? {}).sort()).toEqual(["A", "B"]);
      await kube.delete(name);
    });

    it("tests only, all holding: answers the Secret and stores nothing (same resourceVersion)", async () => {
      const kube = await make();
      const name = uniq("jp-check");
      const created = await kube.create(secret(name));
      const rv = created.metadata.resourceVersion as string;
      const answered = await patchOf(kube)(name, [
        { op: "test", path: "/metadata/resourceVersion", value: rv },
        { op: "test", path: "/data", value: { A: b64("1"), B: b64("2") } },
      ]);
      expect(answered.metadata.resourceVersion).toBe(rv);
      expect((await kube.get(name))?.metadata.resourceVersion).toBe(rv);
      await kube.delete(name);
    });

    it("remove of a missing member is invalid, replace adds it; a missing Secret is not_found", async () => {
      const kube = await make();
      const name = uniq("jp-missing");
      await kube.create(secret(name));
      const error = await rejects(patchOf(kube)(name, [{ op: "remove", path: "/data/Z" }]));
      expect([error.code, error.httpStatus]).toEqual(["invalid", 422]);
      const parentless = await rejects(
        patchOf(kube)(name, [{ op: "add", path: "/nothing/Z", value: "z" }]),
      );
      expect([parentless.code, parentless.httpStatus]).toEqual(["invalid", 422]);
      // the apiserver's json-patch (evanphx v4) lets replace add a missing object member
      await patchOf(kube)(name, [{ op: "replace", path: "/data/Z", value: b64("z") }]);
      expect(unb64((await kube.get(name))?.data?.Z)).toBe("z");
      const gone = await rejects(
        patchOf(kube)(uniq("jp-none"), [{ op: "add", path: "/data/A", value: b64("1") }]),
      );
      expect([gone.code, gone.httpStatus]).toEqual(["not_found", 404]);
      await kube.delete(name);
    });

    it("an immutable Secret's data cannot change through a patch (invalid)", async () => {
      const kube = await make();
      const name = uniq("jp-immutable");
      await kube.create({ ...secret(name), immutable: true });
      const error = await rejects(
        patchOf(kube)(name, [{ op: "add", path: "/data/A", value: b64("other") }]),
      );
      expect([error.code, error.httpStatus]).toEqual(["invalid", 422]);
      expect(unb64((await kube.get(name))?.data?.A)).toBe("1");
      await kube.delete(name);
    });
  });
}
