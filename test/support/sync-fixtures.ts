/** Fixtures for the sync and drift unit tests: three fake clusters, signed copies, intents, forgery. */
import type { Keyring } from "../../konduktor/format.ts";
import { applySecret } from "../../konduktor/ops.ts";
import { buildSecret } from "../../konduktor/secret.ts";
import { groupCopies, type Intent, readCopies } from "../../konduktor/sync.ts";
import { createFakeKube, type FakeKube } from "./fake-kube.ts";
import { plainSha256, testKeyring } from "./keyring.ts";

export const OWNER = "0a1b2c3d";
export const ANNOTATION_CONTENT_DIGEST_LEGACY_FOR_TEST = "konduktor-broker/content-digest";

export async function threeClusters(): Promise<{ kubes: Map<string, FakeKube>; keyring: Keyring }> {
  const kubes = new Map(
    ["alpha", "beta", "gamma"].map((n) => [n, createFakeKube({ cluster: n })] as const),
  );
  return { kubes, keyring: await testKeyring() };
}

/** Writes a copy signed by the broker as `version` on each of `clusters`. */
export async function sealedPut(
  kubes: Map<string, FakeKube>,
  keyring: Keyring,
  clusters: readonly string[],
  basename: string,
  pairs: Record<string, string>,
  version: number,
  placement = "all",
  at?: string,
): Promise<void> {
  for (const cluster of clusters) {
    await applySecret(
      kubes.get(cluster) as FakeKube,
      buildSecret({ owner: OWNER, basename, kind: "env", source: { type: "inline", pairs } }),
      {
        mode: "replace",
        placement,
        seal: { keyring, version },
        provenance: { actor: "token:t", via: "broker", ...(at ? { at } : {}) },
      },
    );
  }
}

/**
 * What a namespace user on one cluster can do: change the values, and set the annotations earlier
 * releases trusted (a plain SHA-256 "content digest" of the new values, `updated-at` in 2099).
 */
export async function forge(
  kube: FakeKube,
  name: string,
  pairs: Record<string, string>,
): Promise<void> {
  const s = kube.store.get(name) as NonNullable<ReturnType<FakeKube["store"]["get"]>>;
  const data = Object.fromEntries(
    Object.entries(pairs).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
  );
  const lines = (
    await Promise.all(
      Object.keys(pairs)
        .sort()
        .map(async (k) => `${k}\0${await plainSha256(pairs[k] as string)}\n`),
    )
  ).join("");
  s.data = data;
  s.metadata.annotations = {
    ...(s.metadata.annotations ?? {}),
    [ANNOTATION_CONTENT_DIGEST_LEGACY_FOR_TEST]: `sha256:${await plainSha256(lines)}`,
    "konduktor-broker/updated-at": "2099-01-01T00:00:00Z",
  };
}

/** An intent at content version `version`, placed on all clusters, with confirmations. */
export function intentOf(
  basename: string,
  version: number,
  confirmed: Record<string, number>,
): Intent {
  return {
    owner: OWNER,
    basename,
    kind: "env",
    version,
    contentVersion: version,
    contentDigest: null,
    placement: "all",
    except: [],
    deleted: null,
    clusters: Object.fromEntries(
      Object.entries(confirmed).map(([c, v]) => [c, { version: v, state: "written" as const }]),
    ),
  };
}

export async function read(kubes: Map<string, FakeKube>, keyring: Keyring) {
  const copies = (
    await Promise.all([...kubes].map(([name, kube]) => readCopies(kube, name, [OWNER], keyring)))
  ).flat();
  return groupCopies(copies);
}
