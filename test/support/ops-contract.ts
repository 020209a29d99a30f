/**
 * The operations suite (konduktor/ops.ts): run on the fake (unit) and on both adapters against the
 * real kube-apiserver (integration). Writes are counted through `countingKube`.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_SIGNATURE,
  ANNOTATION_UPDATED_AT,
  ANNOTATION_UPDATED_BY,
  ANNOTATION_UPDATED_VIA,
  digestValues,
  LEGACY_ANNOTATION_CONTENT_DIGEST,
} from "../../konduktor/format.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import {
  applySecret,
  deleteOwn,
  describe as describeSecret,
  listAll,
  listOwn,
} from "../../konduktor/ops.ts";
import { buildSecret, LABEL_BASENAME, LABEL_KIND, LABEL_OWNER } from "../../konduktor/secret.ts";
import type { ApplyOptions, SecretKind } from "../../konduktor/types.ts";
import { countingKube } from "./counting-kube.ts";
import { plainSha256, testKeyring } from "./keyring.ts";
import { b64, rejects, unb64, uniq } from "./kube-contract.ts";
import { gitSshContract } from "./ops-git-ssh-contract.ts";
import { limitsContract } from "./ops-limits-contract.ts";
import { sealContract } from "./ops-seal-contract.ts";

export const newOwner = () => randomBytes(4).toString("hex");
const merge: ApplyOptions = { mode: "merge", provenance: { actor: "token:test", via: "test" } };
const replace: ApplyOptions = { mode: "replace", provenance: { actor: "token:test", via: "test" } };

export const inline = (
  owner: string,
  basename: string,
  pairs: Record<string, string>,
  kind: SecretKind = "default",
) => buildSecret({ owner, basename, kind, source: { type: "inline", pairs } });

export function opsContract(label: string, make: () => KubeSecrets | Promise<KubeSecrets>) {
  describe(`ops: ${label}`, () => {
    it("creates with 1 write, then an identical create-or-merge makes 0 writes", async () => {
      const kube = countingKube(await make());
      const owner = newOwner();
      const desired = inline(owner, "api", { TOKEN: "t1", URL: "u1" }, "env");
      const first = await applySecret(kube, desired, merge);
      expect(first).toMatchObject({
        outcome: "created",
        name: `api-${owner}`,
        namespace: kube.namespace,
        added: ["TOKEN", "URL"],
        changed: [],
        removed: [],
        writes: 1,
        dryRun: false,
      });
      expect(kube.writes()).toBe(1);
      const stored = await kube.get(`api-${owner}`);
      expect(stored?.metadata.labels).toEqual({
        parent: "konduktor",
        [LABEL_OWNER]: owner,
        [LABEL_BASENAME]: "api",
        [LABEL_KIND]: "env",
      });
      expect(stored?.type).toBe("Opaque");
      expect(stored?.data).toEqual({ TOKEN: b64("t1"), URL: b64("u1") });
      const a = stored?.metadata.annotations ?? {};
      expect(a[ANNOTATION_MANAGED_KEYS]).toBe("TOKEN,URL");
      expect(a[ANNOTATION_UPDATED_BY]).toBe("token:test");
      expect(a[ANNOTATION_UPDATED_VIA]).toBe("test");
      expect(a[ANNOTATION_UPDATED_AT]).toMatch(/^\d{4}-/);
      // no plain digest of the values, and unsigned without a seal (the Action's kubeconfig mode)
      expect(a[LEGACY_ANNOTATION_CONTENT_DIGEST]).toBeUndefined();
      expect(a[ANNOTATION_SIGNATURE]).toBeUndefined();

      const before = kube.writes();
      const again = await applySecret(
        kube,
        inline(owner, "api", { TOKEN: "t1", URL: "u1" }, "env"),
        merge,
      );
      expect(again).toMatchObject({ outcome: "unchanged", writes: 0, added: [], changed: [] });
      expect(kube.writes()).toBe(before);
      const subset = await applySecret(kube, inline(owner, "api", { URL: "u1" }, "env"), merge);
      expect(subset).toMatchObject({ outcome: "unchanged", writes: 0 });
      expect(kube.writes()).toBe(before);
    });

    it("merges: new keys added, same keys overwritten, others kept", async () => {
      const kube = countingKube(await make());
      const owner = newOwner();
      await applySecret(kube, inline(owner, "cfg", { A: "1", B: "2" }), merge);
      const r = await applySecret(kube, inline(owner, "cfg", { B: "two", C: "3" }), merge);
      expect(r).toMatchObject({
        outcome: "updated",
        added: ["C"],
        changed: ["B"],
        removed: [],
        writes: 1,
      });
      const stored = await kube.get(`cfg-${owner}`);
      expect(stored?.data).toEqual({ A: b64("1"), B: b64("two"), C: b64("3") });
      expect(stored?.metadata.annotations?.[ANNOTATION_MANAGED_KEYS]).toBe("A,B,C");
    });

    it("replace writes exactly this data", async () => {
      const kube = countingKube(await make());
      const owner = newOwner();
      await applySecret(kube, inline(owner, "rep", { A: "1", B: "2" }), merge);
      const r = await applySecret(kube, inline(owner, "rep", { B: "2", C: "3" }), replace);
      expect(r).toMatchObject({
        outcome: "updated",
        added: ["C"],
        changed: [],
        removed: ["A"],
        writes: 1,
      });
      const stored = await kube.get(`rep-${owner}`);
      expect(stored?.data).toEqual({ B: b64("2"), C: b64("3") });
      expect(stored?.metadata.annotations?.[ANNOTATION_MANAGED_KEYS]).toBe("B,C");
      const same = await applySecret(kube, inline(owner, "rep", { B: "2", C: "3" }), replace);
      expect(same).toMatchObject({ outcome: "unchanged", writes: 0 });
    });

    it("prune removes only keys this project wrote", async () => {
      const kube = countingKube(await make());
      const owner = newOwner();
      const name = `pr-${owner}`;
      // a Secret as the konduktor CLI writes it: no managed-keys annotation
      await kube.create(inline(owner, "pr", { CLI: "c" }));
      await applySecret(kube, inline(owner, "pr", { A: "1", B: "2" }), merge);
      const r = await applySecret(kube, inline(owner, "pr", { B: "2" }), { ...merge, prune: true });
      expect(r).toMatchObject({ outcome: "updated", removed: ["A"], writes: 1 });
      const stored = await kube.get(name);
      expect(Object.keys(stored?.data ?? {}).sort()).toEqual(["B", "CLI"]);
      expect(stored?.metadata.annotations?.[ANNOTATION_MANAGED_KEYS]).toBe("B");
    });

    it("dry run plans and writes nothing", async () => {
      const kube = countingKube(await make());
      const owner = newOwner();
      const r = await applySecret(kube, inline(owner, "dry", { A: "1" }), {
        ...merge,
        dryRun: true,
      });
      expect(r).toMatchObject({ outcome: "created", added: ["A"], writes: 0, dryRun: true });
      expect(kube.writes()).toBe(0);
      expect(await kube.get(`dry-${owner}`)).toBeNull();
    });

    gitSshContract(make);

    it("never touches a Secret of that name owned by someone else (or by no one)", async () => {
      const kube = countingKube(await make());
      const owner = newOwner();
      const name = `taken-${owner}`;
      const foreign = inline(owner, "taken", { X: "theirs" });
      foreign.metadata.labels = { ...foreign.metadata.labels, [LABEL_OWNER]: newOwner() };
      await kube.create(foreign);
      const before = kube.writes();
      const e = await rejects(applySecret(kube, inline(owner, "taken", { X: "mine" }), merge));
      expect(e.code).toBe("not_owner");
      expect(e.message).toContain(name);
      const e2 = await rejects(applySecret(kube, inline(owner, "taken", { X: "mine" }), replace));
      expect(e2.code).toBe("not_owner");
      expect(kube.writes()).toBe(before);
      expect(unb64((await kube.get(name))?.data?.X)).toBe("theirs");

      const bare = `bare-${owner}`;
      await kube.create({ metadata: { name: bare }, type: "Opaque", data: { X: b64("x") } });
      expect(
        (await rejects(applySecret(kube, inline(owner, "bare", { X: "y" }), merge))).code,
      ).toBe("not_owner");
      await kube.delete(name);
      await kube.delete(bare);
    });

    it("immutable: created immutable; a change deletes and recreates it (2 writes)", async () => {
      const kube = countingKube(await make());
      const owner = newOwner();
      const opts = { ...merge, immutable: true };
      const r1 = await applySecret(kube, inline(owner, "imm", { A: "1" }), opts);
      expect(r1).toMatchObject({ outcome: "created", writes: 1 });
      const first = await kube.get(`imm-${owner}`);
      expect(first?.immutable).toBe(true);
      expect(await applySecret(kube, inline(owner, "imm", { A: "1" }), opts)).toMatchObject({
        outcome: "unchanged",
        writes: 0,
      });
      const r2 = await applySecret(kube, inline(owner, "imm", { B: "2" }), opts);
      expect(r2).toMatchObject({ outcome: "updated", added: ["B"], writes: 2 });
      const second = await kube.get(`imm-${owner}`);
      expect(second?.immutable).toBe(true);
      expect(second?.metadata.uid).not.toBe(first?.metadata.uid);
      expect(Object.keys(second?.data ?? {}).sort()).toEqual(["A", "B"]);
    });

    it("lists own (by owner label) and all (unlabelled as (none)), describes without values", async () => {
      const kube = await make();
      const owner = newOwner();
      await applySecret(kube, inline(owner, "one", { A: "1" }, "env"), merge);
      await applySecret(kube, inline(owner, "two", { B: "2" }), merge);
      await applySecret(kube, inline(newOwner(), "one", { A: "1" }), merge);
      const bare = uniq("bare");
      await kube.create({ metadata: { name: bare }, type: "Opaque", data: { X: b64("x") } });
      const own = await listOwn(kube, owner);
      expect(own.map((l) => [l.basename, l.kind, l.owner, l.keys])).toEqual([
        ["one", "env", owner, ["A"]],
        ["two", "default", owner, ["B"]],
      ]);
      expect(own[0]?.updatedAt).toMatch(/^\d{4}-/);
      // a kind this project does not know (a newer Konduktor CLI): shown raw, as Konduktor does
      const future = uniq("future");
      await kube.create({
        metadata: {
          name: future,
          labels: {
            parent: "konduktor",
            [LABEL_OWNER]: owner,
            [LABEL_BASENAME]: "future",
            [LABEL_KIND]: "docker-config",
          },
        },
        type: "Opaque",
        data: { Y: b64("y") },
      });
      expect((await listOwn(kube, owner)).find((l) => l.name === future)).toMatchObject({
        basename: "future",
        kind: "docker-config",
        owner,
      });
      const all = await listAll(kube);
      const row = all.find((l) => l.name === bare);
      expect(row).toMatchObject({ basename: bare, kind: "(none)", owner: null, keys: ["X"] });
      expect(all.find((l) => l.name === future)?.kind).toBe("docker-config");
      expect(all.find((l) => l.name === `one-${owner}`)).toMatchObject({ basename: "one", owner });
      const keyring = await testKeyring();
      const d = await describeSecret(kube, owner, "one", keyring);
      expect(d).toMatchObject({
        name: `one-${owner}`,
        namespace: kube.namespace,
        basename: "one",
        kind: "env",
        owner,
        keys: ["A"],
        immutable: false,
        managedKeys: ["A"],
        provenance: { actor: "token:test", via: "test" },
      });
      const keyed = await digestValues(keyring.current, owner, "one", { A: b64("1") });
      expect(d.digests).toEqual(keyed.digests);
      expect(d.digests.A).toMatch(/^hmac-sha256:t1:[0-9a-f]{64}$/);
      expect(d.digests.A).not.toContain(await plainSha256("1"));
      expect(d.contentDigest).toBe(keyed.contentDigest);
      expect(d.signature).toEqual({ state: "none" });
      await kube.delete(bare);
      await kube.delete(future);
    });

    it("deletes own by basename: none → absent, two → ambiguous, one → deleted", async () => {
      const kube = countingKube(await make());
      const owner = newOwner();
      expect(await deleteOwn(kube, owner, "nothing")).toEqual({
        outcome: "absent",
        name: `nothing-${owner}`,
        namespace: kube.namespace,
        writes: 0,
      });
      expect(kube.writes()).toBe(0);
      await applySecret(kube, inline(owner, "dup", { A: "1" }), merge);
      const twin = inline(owner, "dup", { A: "1" });
      twin.metadata.name = uniq("dup-twin");
      await kube.create(twin);
      const amb = await rejects(deleteOwn(kube, owner, "dup"));
      expect(amb.code).toBe("ambiguous");
      expect(amb.message).toContain(`dup-${owner}`);
      await kube.delete(twin.metadata.name);
      const other = newOwner();
      await applySecret(kube, inline(other, "dup", { A: "1" }), merge);
      const before = kube.writes();
      expect(await deleteOwn(kube, owner, "dup")).toEqual({
        outcome: "deleted",
        name: `dup-${owner}`,
        namespace: kube.namespace,
        writes: 1,
      });
      expect(kube.writes() - before).toBe(1);
      // again: the end state is what was asked (kubectl delete --ignore-not-found)
      expect((await deleteOwn(kube, owner, "dup")).outcome).toBe("absent");
      expect(kube.writes() - before).toBe(1);
      expect(await kube.get(`dup-${owner}`)).toBeNull();
      expect(await kube.get(`dup-${other}`)).not.toBeNull();
      await deleteOwn(kube, other, "dup");
    });

    limitsContract(make);

    sealContract(make);
  });
}
