/**
 * The bench's direct baselines: the product's own konduktor/ code called in-process, without the
 * broker or the Action around it. Every import of product code the measurements need is here, so
 * a change of those APIs is met in one file.
 */
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import { nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { applySecret, listOwn } from "../../konduktor/ops.ts";
import { buildSecret, LABEL_OWNER } from "../../konduktor/secret.ts";
import type { KubeSecret } from "../../konduktor/types.ts";

export { fanout } from "../../konduktor/fanout.ts";
export type { KubeSecret, KubeSecrets };
export { LABEL_OWNER };

const provenance = { actor: "bench", via: "bench" };

/** The fetch adapter (Node: undici, one pool per TLS setting), from a kubeconfig. */
export async function fetchPort(kubeconfig: string, cluster: string): Promise<KubeSecrets> {
  return await nodeKubeSecrets(kubeconfig, { cluster });
}

/** The @kubernetes/client-node adapter, from a kubeconfig. */
export function clientNodePort(kubeconfig: string, cluster: string): KubeSecrets {
  return createClientNodeKubeSecrets({ kubeconfig, cluster });
}

export function envSecret(owner: string, basename: string, pairs: Record<string, string>) {
  return buildSecret({ owner, basename, kind: "env", source: { type: "inline", pairs } });
}

/** create-or-merge of an env secret, as the broker does per cluster */
export async function applyEnv(
  kube: KubeSecrets,
  owner: string,
  basename: string,
  pairs: Record<string, string>,
) {
  return await applySecret(kube, envSecret(owner, basename, pairs), {
    mode: "merge",
    provenance,
  });
}

/** the owner's secrets, label selector on the server */
export async function listOwnOn(kube: KubeSecrets, owner: string): Promise<number> {
  return (await listOwn(kube, owner)).length;
}

/** every secret of the namespace, the owner's kept on the client */
export async function listAllThenFilter(kube: KubeSecrets, owner: string): Promise<number> {
  return (await kube.list("")).filter((s) => s.metadata.labels?.[LABEL_OWNER] === owner).length;
}

/** A copy of a listed secret for another cluster: name, labels, annotations, type, data. */
export function copyOf(secret: KubeSecret): KubeSecret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secret.metadata.name,
      ...(secret.metadata.labels ? { labels: secret.metadata.labels } : {}),
      ...(secret.metadata.annotations ? { annotations: secret.metadata.annotations } : {}),
    },
    ...(secret.type ? { type: secret.type } : {}),
    ...(secret.data ? { data: secret.data } : {}),
  } as KubeSecret;
}
