// One request per cluster against the real kube-apiserver: the jsonPatch contract through both
// adapters (the same suite passes on the in-memory fake).
import { inject } from "vitest";
import { createClientNodeKubeSecrets } from "../../konduktor/kube/client-node-adapter.ts";
import { nodeKubeSecrets } from "../../konduktor/kube/node-fetch.ts";
import { kubeconfigFor } from "../cluster/cluster.ts";
import { jsonPatchContract } from "../support/json-patch-contract.ts";

const clusters = inject("clusters");
const [alpha, beta] = [clusters[0]!, clusters[1]!];

jsonPatchContract("fetch adapter (alpha)", () =>
  nodeKubeSecrets(kubeconfigFor(alpha, "secrets-editor")),
);
jsonPatchContract("client-node adapter (beta)", () =>
  createClientNodeKubeSecrets({ kubeconfig: kubeconfigFor(beta, "secrets-editor") }),
);
