/**
 * Where the Go-built cluster binaries live, and how they are built.
 *
 * Each binary is built from its own small Go module under test/cluster/<module> into
 * .cache/cluster-bin/<module>-<key>/, where <key> digests the module's go.mod, go.sum, main
 * sources and the Go version. A build is skipped when that folder already holds the binary, so a
 * second run (and CI on a kept machine) reuses it; changing a pinned version changes the key.
 *
 * `kubectl` (for `npm run bench`'s comparison with the kubectl way) is built from the same
 * k8s.io/kubernetes version and staging pins as kube-apiserver, in its own module (test/cluster/
 * kubectl: kubectl needs modules the apiserver's go.sum does not list, and adding them there
 * would change the apiserver's cache key), only when asked for (`buildBinaries(log,
 * [kubectlSpec])`): it is not in the default set, so `npm run cluster:build`, `npm test` and CI
 * never build it.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
const cacheRoot = join(repoRoot, ".cache", "cluster-bin");

export interface BinarySpec {
  /** the module folder under test/cluster */
  module: string;
  /** the file name of the built binary */
  binary: string;
  /** the package to build, as `go build` takes it inside the module */
  pkg: string;
  /** extra `-ldflags`, computed from the module's go.mod */
  ldflags?: (goMod: string) => string;
}

/** kube-apiserver reports its version from ldflags, as the Kubernetes release build sets them. */
function kubeVersionFlags(goMod: string): string {
  const version = /k8s\.io\/kubernetes (v(\d+)\.(\d+)\.\d+)/.exec(goMod);
  if (!version) throw new Error("the module's go.mod does not require k8s.io/kubernetes");
  const pkg = "k8s.io/component-base/version";
  return [
    `-X ${pkg}.gitVersion=${version[1]}`,
    `-X ${pkg}.gitMajor=${version[2]}`,
    `-X ${pkg}.gitMinor=${version[3]}`,
    `-X ${pkg}.gitTreeState=clean`,
  ].join(" ");
}

export const binaries: readonly BinarySpec[] = [
  {
    module: "kube",
    binary: "kube-apiserver",
    pkg: "k8s.io/kubernetes/cmd/kube-apiserver",
    ldflags: kubeVersionFlags,
  },
  { module: "etcd", binary: "etcd", pkg: "go.etcd.io/etcd/server/v3" },
  { module: "pki", binary: "pki", pkg: "." },
];

/** kubectl from the same k8s.io/kubernetes version as kube-apiserver; built only on demand. */
export const kubectlSpec: BinarySpec = {
  module: "kubectl",
  binary: "kubectl",
  pkg: "k8s.io/kubernetes/cmd/kubectl",
  ldflags: kubeVersionFlags,
};

let goVersion: string | undefined;
function goVersionOnce(): string {
  if (goVersion === undefined) {
    try {
      goVersion = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
    } catch (error) {
      throw new Error(
        `The test clusters are built with Go, and \`go env GOVERSION\` failed (${(error as Error).message}). ` +
          "Install Go 1.26 or newer and put it on PATH (see README: What the tests need).",
      );
    }
  }
  return goVersion;
}

function moduleKey(spec: BinarySpec): string {
  const dir = join(here, spec.module);
  const hash = createHash("sha256").update(goVersionOnce()).update(ldflagsOf(spec));
  for (const file of readdirSync(dir).sort()) {
    if (file === "go.mod" || file === "go.sum" || file.endsWith(".go")) {
      hash.update(file).update(readFileSync(join(dir, file)));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

function ldflagsOf(spec: BinarySpec): string {
  return spec.ldflags ? spec.ldflags(readFileSync(join(here, spec.module, "go.mod"), "utf8")) : "";
}

export function binaryPath(spec: BinarySpec): string {
  return join(cacheRoot, `${spec.module}-${moduleKey(spec)}`, spec.binary);
}

/** Paths of all three binaries; throws with a clear message when one is not built yet. */
export function builtBinaries(): Record<"kubeApiserver" | "etcd" | "pki", string> {
  const paths = binaries.map((spec) => binaryPath(spec));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `Cluster binaries are not built: ${missing.join(", ")}. Run \`npm run cluster:build\` (or \`npm test\`, which builds them first).`,
    );
  }
  const [kubeApiserver, etcd, pki] = paths as [string, string, string];
  return { kubeApiserver, etcd, pki };
}

/** Builds what is missing of `specs` (default: the cluster's three); returns per-binary seconds (0 when reused). */
export function buildBinaries(
  log: (line: string) => void = console.log,
  specs: readonly BinarySpec[] = binaries,
): Record<string, number> {
  const timings: Record<string, number> = {};
  for (const spec of specs) {
    const out = binaryPath(spec);
    if (existsSync(out)) {
      log(`cluster binaries: ${spec.binary} reused (${out})`);
      timings[spec.binary] = 0;
      continue;
    }
    const started = performance.now();
    log(
      `cluster binaries: building ${spec.binary} from ${spec.pkg} (the first build takes minutes)…`,
    );
    mkdirSync(dirname(out), { recursive: true });
    const tmp = `${out}.tmp-${process.pid}`;
    try {
      execFileSync(
        "go",
        ["build", "-trimpath", `-ldflags=${ldflagsOf(spec)}`, "-o", tmp, spec.pkg],
        {
          cwd: join(here, spec.module),
          stdio: ["ignore", "inherit", "inherit"],
          env: { ...process.env, GOFLAGS: "-mod=readonly", CGO_ENABLED: "0" },
        },
      );
      renameSync(tmp, out);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw new Error(
        `go build ${spec.pkg} (in test/cluster/${spec.module}) failed: ${(error as Error).message}`,
      );
    }
    timings[spec.binary] = (performance.now() - started) / 1000;
    log(`cluster binaries: built ${spec.binary} in ${timings[spec.binary]?.toFixed(1)} s`);
  }
  return timings;
}
