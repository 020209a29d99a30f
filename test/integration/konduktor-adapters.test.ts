// The KubeSecrets contract and the ops suite on the real kube-apiserver, through both adapters,
// with token and client-certificate kubeconfigs (the same suites pass on the in-memory fake).
import { inject } from "vitest";
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import { nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import { kubeconfigFor } from "../cluster/cluster.ts";
import { kubeSecretsContract } from "../support/kube-contract.ts";
import { opsContract } from "../support/ops-contract.ts";

const clusters = inject("clusters");
const [alpha, beta, gamma] = [clusters[0]!, clusters[1]!, clusters[2]!];

kubeSecretsContract("fetch adapter, token (alpha)", () =>
  nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor")),
);
kubeSecretsContract("fetch adapter, client certificate (gamma)", () =>
  nodeKubeSecrets(kubeconfigFor(gamma, "cert-user")),
);
kubeSecretsContract("client-node adapter, token (beta)", () =>
  createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(beta, "secrets-editor") }),
);
kubeSecretsContract("client-node adapter, client certificate (gamma)", () =>
  createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(gamma, "cert-user") }),
);

opsContract("fetch adapter (alpha)", () => nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor")));
opsContract("client-node adapter (beta)", () =>
  createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(beta, "secrets-editor") }),
);
