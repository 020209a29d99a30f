/**
 * The listing rows' data, made once per run: in namespace `bench-list` on alpha, 10,000 Konduktor
 * secrets of 100 other owners (100 each, one 32-byte key) and 20 of the owner the rows list for,
 * behind a counting proxy. Seeded as the admin, straight to the apiserver, untimed.
 */
import { randomBytes } from "node:crypto";
import pLimit from "p-limit";
import { adminRequest } from "../../test/cluster/cluster.ts";
import type { CountingProxy } from "../proxy/counting-proxy.ts";
import { newOwner } from "./broker.ts";
import { countingProxyFor, editorEntry, ensureNamespace, kubeconfigOf } from "./clusters.ts";
import type { BenchContext } from "./context.ts";

export const FOREIGN_SECRETS = 10_000;
export const OWN_SECRETS = 20;
const NAMESPACE = "bench-list";

export interface ListFixture {
  namespace: string;
  owner: string;
  proxy: CountingProxy;
  /** secrets-editor kubeconfig through the proxy, context `list` */
  kubeconfig: string;
}

const fixtures = new WeakMap<BenchContext, Promise<ListFixture>>();

export function listFixture(ctx: BenchContext): Promise<ListFixture> {
  let fixture = fixtures.get(ctx);
  if (!fixture) {
    fixture = seed(ctx);
    fixtures.set(ctx, fixture);
  }
  return fixture;
}

async function seed(ctx: BenchContext): Promise<ListFixture> {
  const alpha = ctx.clusters[0]!.info;
  await ensureNamespace(alpha, NAMESPACE);
  const owner = newOwner();
  const foreign = Array.from({ length: 100 }, () => newOwner());
  const started = performance.now();
  const limit = pLimit(16);
  const path = `/api/v1/namespaces/${NAMESPACE}/secrets`;
  const create = (secretOwner: string, basename: string) =>
    limit(async () => {
      const res = await adminRequest(alpha, "POST", path, {
        apiVersion: "v1",
        kind: "Secret",
        type: "Opaque",
        metadata: {
          name: `${basename}-${secretOwner}`,
          labels: {
            parent: "konduktor",
            "trainy.ai/secret-owner": secretOwner,
            "trainy.ai/secret-basename": basename,
            "trainy.ai/secret-kind": "env",
          },
        },
        data: { TOKEN: randomBytes(32).toString("base64") },
      });
      if (res.status !== 201) throw new Error(`bench: seeding ${path}: HTTP ${res.status}`);
    });
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < FOREIGN_SECRETS; i++) {
    jobs.push(create(foreign[i % foreign.length]!, `s${Math.floor(i / foreign.length)}`));
  }
  for (let i = 0; i < OWN_SECRETS; i++) jobs.push(create(owner, `own${i}`));
  await Promise.all(jobs);
  ctx.log(
    `bench: seeded ${FOREIGN_SECRETS + OWN_SECRETS} secrets in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const proxy = await countingProxyFor(alpha, ctx.closer);
  const kubeconfig = kubeconfigOf([editorEntry(alpha, "list", proxy.url, NAMESPACE)]);
  return { namespace: NAMESPACE, owner, proxy, kubeconfig };
}
