// The contract and ops suites on the in-memory fake; the same suites run on the real
// kube-apiserver through both adapters in test/integration/konduktor-adapters.test.ts.
import { createFakeKube, type FakeKube } from "../support/fake-kube.ts";
import { kubeSecretsContract } from "../support/kube-contract.ts";
import { opsContract } from "../support/ops-contract.ts";

kubeSecretsContract(
  "in-memory fake",
  () => createFakeKube(),
  (editor, user) => (editor as FakeKube).as(user),
);
opsContract("in-memory fake", () => createFakeKube());
