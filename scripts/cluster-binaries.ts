// Builds (or reuses) kube-apiserver, etcd and the test PKI tool. See test/cluster/binaries.ts.
import { buildBinaries } from "../test/cluster/binaries.ts";

try {
  buildBinaries();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
