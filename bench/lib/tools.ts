/**
 * The alternatives' tools and what is missing of them, said clearly (the bench then leaves those
 * rows out and prints why):
 * - Python 3 with the `kubernetes` client (Debian: `apt-get install -y python3-kubernetes`), for
 *   the Konduktor CLI's way;
 * - kubectl, built from test/cluster/kubectl (same k8s.io/kubernetes as the test apiserver) on
 *   first use, for the Azure/k8s-create-secret way; needs Go like the cluster binaries.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { binaryPath, buildBinaries, kubectlSpec } from "../../test/cluster/binaries.ts";

export interface Tools {
  /** a python3 that imports `kubernetes`; undefined when none */
  python?: string;
  /** the kubectl binary; undefined when it could not be built */
  kubectl?: string;
  /** one line per missing tool: what it is for and how to get it */
  missing: string[];
}

function pythonWithKubernetes(): string | undefined {
  // Debian's interpreter first: a pyenv or venv python on PATH does not see apt's packages
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    try {
      execFileSync(candidate, ["-c", "import kubernetes"], { stdio: "ignore" });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export function findTools(log: (line: string) => void): Tools {
  const missing: string[] = [];
  const python = pythonWithKubernetes();
  if (!python) {
    missing.push(
      "the Konduktor CLI's way needs Python 3 with the kubernetes client: `apt-get install -y python3-kubernetes` (Debian/Ubuntu) or `pip install kubernetes`",
    );
  }
  let kubectl: string | undefined = binaryPath(kubectlSpec);
  if (!existsSync(kubectl)) {
    try {
      buildBinaries((line) => log(line), [kubectlSpec]);
    } catch (error) {
      missing.push(
        `the kubectl way needs kubectl, built from test/cluster/kubectl with Go 1.26+ and the Go module proxy: ${(error as Error).message.split("\n")[0]}`,
      );
      kubectl = undefined;
    }
  }
  return { ...(python ? { python } : {}), ...(kubectl ? { kubectl } : {}), missing };
}
