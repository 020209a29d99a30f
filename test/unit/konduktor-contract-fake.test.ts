// The contract and ops suites on the in-memory fake; the same suites run on the real
// kube-apiserver through both adapters in test/integration/konduktor-adapters.test.ts.
import { createFakeKube } from "../support/fake-kube.ts";
import { kubeSecretsContract } from "../support/kube-contract.ts";
import { opsContract } from "../support/ops-contract.ts";

kubeSecretsContract("in-memory fake", () => createFakeKube());
opsContract("in-memory fake", () => createFakeKube());
