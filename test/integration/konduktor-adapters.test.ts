// The KubeSecrets contract and the ops suite on the real kube-apiserver, through both adapters,
// with token and client-certificate kubeconfigs (the same suites pass on the in-memory fake).
// The refusal cases use the cluster's other users (secrets-reader, nobody) through the same adapter.
import { inject } from "vitest";
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import { nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import { type ClusterInfo, kubeconfigFor } from "../cluster/cluster.ts";
import { type ContractUser, kubeSecretsContract } from "../support/kube-contract.ts";
import { opsContract } from "../support/ops-contract.ts";

const clusters = inject("clusters");
const [alpha, beta, gamma] = [clusters[0]!, clusters[1]!, clusters[2]!];

const fetchAs = (c: ClusterInfo) => (_editor: unknown, user: ContractUser) =>
  nodeKubeSecrets(kubeconfigFor(c, user));
const clientNodeAs = (c: ClusterInfo) => (_editor: unknown, user: ContractUser) =>
  createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(c, user) });

kubeSecretsContract(
  "fetch adapter, token (alpha)",
  () => nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor")),
  fetchAs(alpha),
);
kubeSecretsContract(
  "fetch adapter, client certificate (gamma)",
  () => nodeKubeSecrets(kubeconfigFor(gamma, "cert-user")),
  fetchAs(gamma),
);
kubeSecretsContract(
  "client-node adapter, token (beta)",
  () => createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(beta, "secrets-editor") }),
  clientNodeAs(beta),
);
kubeSecretsContract(
  "client-node adapter, client certificate (gamma)",
  () => createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(gamma, "cert-user") }),
  clientNodeAs(gamma),
);

opsContract("fetch adapter (alpha)", () => nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor")));
opsContract("client-node adapter (beta)", () =>
  createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(beta, "secrets-editor") }),
);
