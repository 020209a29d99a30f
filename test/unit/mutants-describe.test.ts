// konduktor/describe.ts, where the fake cluster cannot show a difference: the label selector each
// read sends, the order of a list answer that is not by name, a list answer holding a Secret with
// no labels, and describeSecret's namespace, immutable flag and managed-keys order.
import { describe, expect, it } from "vitest";
import { describeListing, describeSecret, findOwn, listAll } from "../../konduktor/describe.ts";
import { ANNOTATION_MANAGED_KEYS, secretLabels } from "../../konduktor/format.ts";
import type { KubeError } from "../../konduktor/kube/errors.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import { createFakeKube } from "../support/fake-kube.ts";
import { testKeyring } from "../support/keyring.ts";

const OWNER = "0a1b2c3d";
const secret = (
  name: string,
  labels: Record<string, string> | undefined,
  extra: Partial<KubeSecret> = {},
): KubeSecret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, ...(labels ? { labels } : {}) },
  data: { A: Buffer.from("a").toString("base64") },
  ...extra,
});

/** A fake cluster whose list answers `items` in that order and records each selector. */
function listing(items: KubeSecret[]) {
  const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
  const selectors: string[] = [];
  kube.list = async (selector: string) => {
    selectors.push(selector);
    return items;
  };
  return { kube, selectors };
}

describe("the selector each read sends", () => {
  it("listAll and describeListing(null) send the empty selector; an owner sends its label", async () => {
    const { kube, selectors } = listing([]);
    const keyring = await testKeyring();
    await listAll(kube);
    await describeListing(kube, null, keyring);
    await describeListing(kube, OWNER, keyring);
    expect(selectors).toEqual(["", "", `trainy.ai/secret-owner=${OWNER}`]);
  });
});

describe("a list answer not in name order", () => {
  it("listAll sorts it by name", async () => {
    const { kube } = listing([
      secret("c", undefined),
      secret("a", undefined),
      secret("b", undefined),
    ]);
    expect((await listAll(kube)).map((l) => l.name)).toEqual(["a", "b", "c"]);
  });

  it("findOwn's ambiguous message names the copies sorted", async () => {
    const labels = secretLabels(OWNER, "b");
    const { kube } = listing([secret("z-by-hand", labels), secret(`b-${OWNER}`, labels)]);
    const e = (await findOwn(kube, OWNER, "b").catch((x) => x)) as KubeError;
    expect([e.code, e.message]).toEqual([
      "ambiguous",
      `owner ${OWNER} has 2 secrets with basename "b" in namespace "team" on cluster "alpha" (b-${OWNER}, z-by-hand): remove the extra ones with kubectl`,
    ]);
  });
});

describe("findOwn on a list answer holding a Secret without labels", () => {
  it("leaves it out and answers the owner's one copy", async () => {
    const { kube } = listing([
      secret("unlabelled", undefined),
      secret(`c-${OWNER}`, secretLabels(OWNER, "c")),
    ]);
    expect((await findOwn(kube, OWNER, "c")).metadata.name).toBe(`c-${OWNER}`);
  });
});

describe("describeSecret", () => {
  const kube = createFakeKube({ cluster: "alpha", namespace: "team" });
  const labels = secretLabels(OWNER, "x");

  it("namespace: the Secret's own, else the port's", async () => {
    const keyring = await testKeyring();
    const own = secret("x", labels);
    own.metadata.namespace = "elsewhere";
    expect((await describeSecret(kube, own, keyring)).namespace).toBe("elsewhere");
    expect((await describeSecret(kube, secret("x", labels), keyring)).namespace).toBe("team");
  });

  it("immutable: true only for immutable: true", async () => {
    const keyring = await testKeyring();
    const flags = await Promise.all(
      [
        secret("x", labels, { immutable: true }),
        secret("x", labels, { immutable: false }),
        secret("x", labels),
      ].map(async (s) => (await describeSecret(kube, s, keyring)).immutable),
    );
    expect(flags).toEqual([true, false, false]);
  });

  it("managedKeys: sorted", async () => {
    const keyring = await testKeyring();
    const s = secret("x", labels);
    s.metadata.annotations = { [ANNOTATION_MANAGED_KEYS]: "b,C,a" };
    expect((await describeSecret(kube, s, keyring)).managedKeys).toEqual(["C", "a", "b"]);
  });
});
