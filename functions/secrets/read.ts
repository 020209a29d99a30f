/**
 * The read side of the secrets service: list (own, or every user's) and describe, on every target
 * cluster at once, each secret with its drift against the ledger (functions/sync/drift.ts). Key
 * names, keyed digests and signatures only, never a value.
 */
import { isKubeError } from "../../konduktor/kube/errors.ts";
import { describe, describeListing } from "../../konduktor/ops.ts";
import type { SecretDescription, SecretListing } from "../../konduktor/types.ts";
import { OWNER_RE } from "../../konduktor/validate.ts";
import type { Services } from "../context.ts";
import { brokerKeyring } from "../ledger/keys.ts";
import { Ledger } from "../ledger/ledger.ts";
import { describeDrift, listDrift } from "../sync/drift.ts";
import { runOnClusters, type Targets } from "./service.ts";

/** GET /v1/secrets: per secret, the clusters that hold it and its drift; per cluster, a count. */
export async function listSecrets(
  services: Services,
  q: { owner: string | null; clusters: Targets; requestId?: string },
) {
  const { owner, clusters } = q;
  const keyring = await brokerKeyring(services.config);
  const listings = new Map<string, SecretListing[]>();
  const results = await runOnClusters(
    services,
    clusters,
    async (kube, cluster) => {
      const items = await describeListing(kube, owner, keyring);
      listings.set(cluster, items);
      return { status: "ok" as const, count: items.length };
    },
    q.requestId,
  );
  const merged = new Map<string, SecretListing & { clusters: string[]; keySet: Set<string> }>();
  for (const cluster of clusters.keys()) {
    for (const item of listings.get(cluster) ?? []) {
      const row = merged.get(item.name) ?? { ...item, clusters: [], keySet: new Set() };
      row.clusters.push(cluster);
      for (const k of item.keys) row.keySet.add(k);
      merged.set(item.name, row);
    }
  }
  const owners = [...new Set([...merged.values()].flatMap((r) => (r.owner ? [r.owner] : [])))];
  const intents = await new Ledger(services.stores.records, services.now).entries(
    owners.filter((o) => OWNER_RE.test(o)),
  );
  const secrets = [...merged.values()]
    .sort((a, b) => a.basename.localeCompare(b.basename) || a.name.localeCompare(b.name))
    .map((r) => ({
      name: r.basename,
      secretName: r.name,
      kind: r.kind,
      owner: r.owner,
      keys: [...r.keySet].sort(),
      clusters: r.clusters,
      drift: listDrift(
        r.name,
        [...clusters.keys()],
        listings,
        results,
        (r.owner !== null && intents.get(`${r.owner}/${r.basename}`)) || null,
      ),
    }));
  const scope = owner === null ? ("all" as const) : ("own" as const);
  return { body: { scope, owner, secrets, results }, results };
}

/** GET /v1/secrets/{name}: per cluster found / missing / error, drift, and whether they agree. */
export async function describeEverywhere(
  services: Services,
  q: { owner: string; name: string; clusters: Targets; requestId?: string },
) {
  const { owner, name, clusters } = q;
  const keyring = await brokerKeyring(services.config);
  const [raw, intent] = await Promise.all([
    runOnClusters(
      services,
      clusters,
      async (kube) => {
        try {
          const secret: SecretDescription = await describe(kube, owner, name, keyring);
          return { status: "found" as const, secret };
        } catch (error) {
          if (isKubeError(error) && error.code === "not_found") {
            return { status: "missing" as const };
          }
          throw error;
        }
      },
      q.requestId,
    ),
    new Ledger(services.stores.records, services.now).get(owner, name),
  ]);
  const found = raw.filter(
    (r): r is Extract<typeof r, { status: "found" }> => r.status === "found",
  );
  const drift = describeDrift(raw, intent);
  const agree = found.length > 0 && drift.inLine;
  // unledgered copies that agree have no reference: any of them shows the common digest
  const reference = found.find((r) => r.cluster === drift.reference) ?? found[0];
  const body = {
    name,
    owner,
    agree,
    contentDigest: agree && reference ? reference.secret.contentDigest : null,
    drift,
    results: raw,
  };
  return { body, results: raw, found: found.length };
}
