/**
 * The git-ssh part of the operations suite (one git-ssh secret per owner; the new key is written
 * before the old one is deleted), run wherever ./ops-contract.ts runs: the fake (unit) and both
 * adapters against the real kube-apiserver.
 */
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import type { ApplyOptions, SecretKind } from "../../konduktor/types.ts";
import { countingKube } from "./counting-kube.ts";
import { unb64 } from "./kube-contract.ts";

const newOwner = () => randomBytes(4).toString("hex");
const merge: ApplyOptions = { mode: "merge", provenance: { actor: "token:test", via: "test" } };
const _replace: ApplyOptions = {
  mode: "replace",
  provenance: { actor: "token:test", via: "test" },
};
const inline = (
  owner: string,
  basename: string,
  pairs: Record<string, string>,
  kind: SecretKind = "default",
) => buildSecret({ owner, basename, kind, source: { type: "inline", pairs } });

export function gitSshContract(make: () => KubeSecrets | Promise<KubeSecrets>) {
  it("git-ssh is one per owner: the owner's other git-ssh secret is deleted, nobody else's", async () => {
    const kube = countingKube(await make());
    const owner = newOwner();
    const other = newOwner();
    const key = (basename: string, o: string, text: string) =>
      buildSecret({
        owner: o,
        basename,
        kind: "git-ssh",
        source: {
          type: "files",
          files: [{ name: "id_ed25519", content: new TextEncoder().encode(text) }],
        },
      });
    await applySecret(kube, key("old-key", owner, "k1"), merge);
    await applySecret(kube, key("old-key", other, "k9"), merge);
    await applySecret(kube, inline(owner, "plain", { A: "1" }), merge);
    const before = kube.writes();
    const r = await applySecret(kube, key("new-key", owner, "k2"), merge);
    expect(r).toMatchObject({
      outcome: "created",
      writes: 2,
      replacedGitSsh: [`old-key-${owner}`],
    });
    expect(kube.writes() - before).toBe(2);
    expect(await kube.get(`old-key-${owner}`)).toBeNull();
    expect(unb64((await kube.get(`new-key-${owner}`))?.data?.gitkey)).toBe("k2");
    expect(await kube.get(`old-key-${other}`)).not.toBeNull();
    expect(await kube.get(`plain-${owner}`)).not.toBeNull();
    const again = await applySecret(kube, key("new-key", owner, "k2"), merge);
    expect(again).toMatchObject({ outcome: "unchanged", writes: 0, replacedGitSsh: [] });
  });

  it("git-ssh: the new key is written before the old one is deleted; a failed write keeps the old key", async () => {
    const kube = countingKube(await make());
    const owner = newOwner();
    const key = (basename: string, text: string) =>
      buildSecret({
        owner,
        basename,
        kind: "git-ssh",
        source: {
          type: "files",
          files: [{ name: "id", content: new TextEncoder().encode(text) }],
        },
      });
    await applySecret(kube, key("first", "k1"), merge);
    // the write fails: the old key stays, nothing was deleted
    kube.calls.length = 0;
    kube.before = (method) => {
      if (method === "create") throw Object.assign(new Error("boom"), { code: "server_error" });
    };
    await expect(applySecret(kube, key("second", "k2"), merge)).rejects.toMatchObject({
      code: "server_error",
    });
    kube.before = undefined;
    expect(kube.calls).toEqual([
      { method: "get", name: `second-${owner}` },
      { method: "create", name: `second-${owner}` },
    ]);
    expect(unb64((await kube.get(`first-${owner}`))?.data?.gitkey)).toBe("k1");
    // the write succeeds: the new key lands first, then the old one goes
    kube.calls.length = 0;
    const r = await applySecret(kube, key("second", "k2"), merge);
    expect(r).toMatchObject({
      outcome: "created",
      writes: 2,
      replacedGitSsh: [`first-${owner}`],
    });
    expect(kube.calls).toEqual([
      { method: "get", name: `second-${owner}` },
      { method: "create", name: `second-${owner}` },
      { method: "list" },
      { method: "delete", name: `first-${owner}` },
    ]);
    expect(await kube.get(`first-${owner}`)).toBeNull();
    await kube.delete(`second-${owner}`);
  });
}
