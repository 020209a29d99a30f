// Listing and finding (konduktor/describe.ts), exactly: the order of listOwn / listAll /
// describeListing (by basename then name, or by name), toListing's fields, findOwn's refusals and
// messages, and the managed-keys annotation read back trimmed.
import { describe, expect, it } from "vitest";
import {
  describeListing,
  findOwn,
  listAll,
  listOwn,
  parseManagedKeys,
  toListing,
} from "../../konduktor/describe.ts";
import {
  ANNOTATION_MANAGED_KEYS,
  ANNOTATION_UPDATED_AT,
  LABEL_BASENAME,
  secretLabels,
} from "../../konduktor/format.ts";
import type { KubeError } from "../../konduktor/kube/errors.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import { ValidationError } from "../../konduktor/validate.ts";
import { createFakeKube } from "../support/fake-kube.ts";
import { testKeyring } from "../support/keyring.ts";

const OWNER = "0a1b2c3d";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const secret = (
  name: string,
  labels: Record<string, string> | undefined,
  extra: Partial<KubeSecret["metadata"]> = {},
  data: Record<string, string> = { Z: b64("z"), A: b64("a") },
): KubeSecret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, ...(labels ? { labels } : {}), ...extra },
  data,
});

async function cluster() {
  const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
  // created out of order; two with basename "b" (one by hand, under another name)
  await kube.create(secret(`c-${OWNER}`, secretLabels(OWNER, "c")));
  await kube.create(secret("z-by-hand", secretLabels(OWNER, "b")));
  await kube.create(secret(`b-${OWNER}`, secretLabels(OWNER, "b")));
  await kube.create(secret(`a-${OWNER}`, secretLabels(OWNER, "a")));
  await kube.create(secret("plain", undefined));
  await kube.create(secret(`a-ffffffff`, secretLabels("ffffffff", "a")));
  return kube;
}

describe("order", () => {
  it("listOwn: the owner's secrets by basename, then name", async () => {
    const kube = await cluster();
    expect((await listOwn(kube, OWNER)).map((l) => l.name)).toEqual([
      `a-${OWNER}`,
      `b-${OWNER}`,
      "z-by-hand",
      `c-${OWNER}`,
    ]);
  });

  it("listAll: every Secret by name", async () => {
    const kube = await cluster();
    expect((await listAll(kube)).map((l) => l.name)).toEqual([
      `a-${OWNER}`,
      "a-ffffffff",
      `b-${OWNER}`,
      `c-${OWNER}`,
      "plain",
      "z-by-hand",
    ]);
  });

  it("describeListing: the owner's by basename then name; all by name", async () => {
    const kube = await cluster();
    const keyring = await testKeyring();
    expect((await describeListing(kube, OWNER, keyring)).map((d) => d.name)).toEqual([
      `a-${OWNER}`,
      `b-${OWNER}`,
      "z-by-hand",
      `c-${OWNER}`,
    ]);
    expect((await describeListing(kube, null, keyring)).map((d) => d.name)).toEqual([
      `a-${OWNER}`,
      "a-ffffffff",
      `b-${OWNER}`,
      `c-${OWNER}`,
      "plain",
      "z-by-hand",
    ]);
  });

  it("a bad owner is refused before listing", async () => {
    const kube = await cluster();
    const keyring = await testKeyring();
    const before = kube.calls.length;
    await expect(listOwn(kube, "nope")).rejects.toBeInstanceOf(ValidationError);
    await expect(describeListing(kube, "nope", keyring)).rejects.toBeInstanceOf(ValidationError);
    expect(kube.calls.length).toBe(before);
  });
});

describe("toListing", () => {
  it("keys sorted; updated-at from the annotation, else the creation time, else null", () => {
    const at = { annotations: { [ANNOTATION_UPDATED_AT]: "2026-01-02T00:00:00Z" } };
    const created = { creationTimestamp: "2025-01-01T00:00:00Z" };
    expect(toListing(secret("x", secretLabels(OWNER, "x", "env"), { ...at, ...created }))).toEqual({
      name: "x",
      basename: "x",
      kind: "env",
      owner: OWNER,
      keys: ["A", "Z"],
      updatedAt: "2026-01-02T00:00:00Z",
    });
    expect(toListing(secret("y", undefined, created)).updatedAt).toBe("2025-01-01T00:00:00Z");
    expect(toListing(secret("y", undefined))).toEqual({
      name: "y",
      basename: "y",
      kind: "(none)",
      owner: null,
      keys: ["A", "Z"],
      updatedAt: null,
    });
  });
});

describe("findOwn", () => {
  it("the one secret of the owner with that basename", async () => {
    const kube = await cluster();
    expect((await findOwn(kube, OWNER, "c")).metadata.name).toBe(`c-${OWNER}`);
  });

  it("none: not_found, naming owner, basename, namespace and cluster", async () => {
    const kube = await cluster();
    const e = (await findOwn(kube, OWNER, "none").catch((x) => x)) as KubeError;
    expect([e.code, e.objectName, e.message]).toEqual([
      "not_found",
      "none",
      `owner ${OWNER} has no secret "none" in namespace "team" on cluster "alpha"`,
    ]);
  });

  it("two: ambiguous, naming both, sorted", async () => {
    const kube = await cluster();
    const e = (await findOwn(kube, OWNER, "b").catch((x) => x)) as KubeError;
    expect([e.code, e.objectName, e.message]).toEqual([
      "ambiguous",
      "b",
      `owner ${OWNER} has 2 secrets with basename "b" in namespace "team" on cluster "alpha" (b-${OWNER}, z-by-hand): remove the extra ones with kubectl`,
    ]);
  });

  it("a bad owner or basename: both named, nothing listed", async () => {
    const kube = await cluster();
    const before = kube.calls.length;
    const e = (await findOwn(kube, "nope", "Bad_Name").catch((x) => x)) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.problems.map((p) => p.field)).toEqual(["owner", "basename"]);
    expect(kube.calls.length).toBe(before);
  });

  it("a list answer holding another owner's secret is filtered", async () => {
    const kube = await cluster();
    const inner = kube.list.bind(kube);
    kube.list = async (selector: string) => [
      ...(await inner(selector)),
      secret("intruder", { ...secretLabels("ffffffff", "c"), [LABEL_BASENAME]: "c" }),
    ];
    expect((await findOwn(kube, OWNER, "c")).metadata.name).toBe(`c-${OWNER}`);
  });
});

describe("parseManagedKeys", () => {
  it("split on commas, trimmed, empty parts dropped; none → []", () => {
    const with_ = (v: string) =>
      secret("x", undefined, { annotations: { [ANNOTATION_MANAGED_KEYS]: v } });
    expect(parseManagedKeys(with_(" B , A,,C ,"))).toEqual(["B", "A", "C"]);
    expect(parseManagedKeys(with_(""))).toEqual([]);
    expect(parseManagedKeys(with_(" , "))).toEqual([]);
    expect(parseManagedKeys(secret("x", undefined))).toEqual([]);
    expect(parseManagedKeys(null)).toEqual([]);
  });
});
