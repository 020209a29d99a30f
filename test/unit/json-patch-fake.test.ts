// The jsonPatch contract on the in-memory fake; the same suite runs on the real kube-apiserver
// through both adapters in test/integration/one-request.test.ts.
import { createFakeKube } from "../support/fake-kube.ts";
import { jsonPatchContract } from "../support/json-patch-contract.ts";

jsonPatchContract("in-memory fake", () => createFakeKube());
