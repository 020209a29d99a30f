/**
 * Starts a real Kubernetes control plane (etcd + kube-apiserver, built by ./binaries.ts) on free
 * loopback ports with a temporary data dir. Several can run side by side.
 *
 * Each cluster has its own CA, serving certificate, service-account signing key, a token file and
 * a client CA, and runs with RBAC on. The kubeconfigs it hands out carry the CA data and either a
 * bearer token or a client certificate, with a namespace in the context.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtBinaries } from "./binaries.ts";
import {
  adminRequest,
  type ClusterInfo,
  freePort,
  TEST_NAMESPACE,
  TEST_USERS,
  type TestUser,
  waitFor,
} from "./client.ts";

export * from "./client.ts";

export interface StartOptions {
  name: string;
  /** kube-apiserver log verbosity (default 0) */
  verbosity?: number;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export class TestCluster {
  readonly info: ClusterInfo;
  private etcd?: ChildProcess;
  private apiserver?: ChildProcess;
  private readonly etcdPorts: { client: number; peer: number };
  private readonly apiPort: number;
  private readonly bins = builtBinaries();
  /** milliseconds from spawning etcd to kube-apiserver's /readyz answering ok */
  readyMs = 0;

  private constructor(info: ClusterInfo, ports: { client: number; peer: number; api: number }) {
    this.info = info;
    this.etcdPorts = { client: ports.client, peer: ports.peer };
    this.apiPort = ports.api;
  }

  static async start(options: StartOptions): Promise<TestCluster> {
    const bins = builtBinaries();
    const dataDir = mkdtempSync(join(tmpdir(), `konduktor-cluster-${options.name}-`));
    try {
      const [client, peer, api] = [await freePort(), await freePort(), await freePort()];
      const pki = join(dataDir, "pki");
      mkdirSync(pki);
      execFileSync(bins.pki, [
        "-dir",
        pki,
        "-name",
        options.name,
        "-client",
        "cert-user:konduktor-cert-users",
      ]);
      const tokens = Object.fromEntries(
        Object.keys(TEST_USERS).map((u) => [u, randomBytes(24).toString("hex")]),
      ) as Record<TestUser, string>;
      writeFileSync(
        join(dataDir, "tokens.csv"),
        Object.entries(TEST_USERS)
          .map(([user, { groups }], i) => {
            const line = `${tokens[user as TestUser]},${user},uid-${i}`;
            return groups.length ? `${line},"${groups.join(",")}"` : line;
          })
          .join("\n"),
        { mode: 0o600 },
      );
      const info: ClusterInfo = {
        name: options.name,
        server: `https://127.0.0.1:${api}`,
        caPem: readFileSync(join(pki, "ca.crt"), "utf8"),
        tokens,
        clientCert: {
          certPem: readFileSync(join(pki, "client-cert-user.crt"), "utf8"),
          keyPem: readFileSync(join(pki, "client-cert-user.key"), "utf8"),
          user: "cert-user",
        },
        dataDir,
      };
      const cluster = new TestCluster(info, { client, peer, api });
      const started = Date.now();
      await cluster.startEtcd();
      await cluster.startApiserver(options.verbosity ?? 0);
      cluster.readyMs = Date.now() - started;
      await cluster.seedRbac();
      return cluster;
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  private spawnLogged(name: string, bin: string, args: string[]): ChildProcess {
    const log = openSync(join(this.info.dataDir, `${name}.log`), "a");
    const child = spawn(bin, args, { stdio: ["ignore", log, log] });
    child.on("error", () => {});
    return child;
  }

  private async startEtcd(): Promise<void> {
    const { client, peer } = this.etcdPorts;
    this.etcd = this.spawnLogged("etcd", this.bins.etcd, [
      "--name=default",
      `--data-dir=${join(this.info.dataDir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${client}`,
      `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=default=http://127.0.0.1:${peer}`,
      "--log-level=warn",
      "--unsafe-no-fsync",
      "--quota-backend-bytes=1073741824",
    ]);
    const etcd = this.etcd;
    await waitFor(
      `etcd for cluster ${this.info.name}`,
      async () => (await fetch(`http://127.0.0.1:${client}/health`)).ok,
      30_000,
      () =>
        etcd.exitCode !== null
          ? `exited with code ${etcd.exitCode}:\n${tail(join(this.info.dataDir, "etcd.log"))}`
          : undefined,
    );
  }

  /** Starts (or restarts, on the same port and data) kube-apiserver and waits for /readyz. */
  async startApiserver(verbosity = 0): Promise<void> {
    if (this.apiserver && this.apiserver.exitCode === null) return;
    const pki = join(this.info.dataDir, "pki");
    const certDir = join(this.info.dataDir, "apiserver-certs");
    mkdirSync(certDir, { recursive: true });
    this.apiserver = this.spawnLogged("kube-apiserver", this.bins.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${this.etcdPorts.client}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${this.apiPort}`,
      `--cert-dir=${certDir}`,
      `--tls-cert-file=${join(pki, "server.crt")}`,
      `--tls-private-key-file=${join(pki, "server.key")}`,
      `--client-ca-file=${join(pki, "ca.crt")}`,
      `--token-auth-file=${join(this.info.dataDir, "tokens.csv")}`,
      "--authorization-mode=Node,RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${join(pki, "sa.pub")}`,
      `--service-account-signing-key-file=${join(pki, "sa.key")}`,
      "--service-cluster-ip-range=10.96.0.0/24",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
      "--anonymous-auth=false",
      `--v=${verbosity}`,
    ]);
    const apiserver = this.apiserver;
    await waitFor(
      `kube-apiserver for cluster ${this.info.name}`,
      async () => {
        const res = await adminRequest(this.info, "GET", "/readyz");
        return res.status === 200;
      },
      90_000,
      () =>
        apiserver.exitCode !== null
          ? `exited with code ${apiserver.exitCode}:\n${tail(join(this.info.dataDir, "kube-apiserver.log"))}`
          : undefined,
    );
  }

  /** Stops kube-apiserver only (etcd and data stay), so the cluster is unreachable until restarted. */
  async stopApiserver(): Promise<void> {
    await stopProcess(this.apiserver);
    this.apiserver = undefined;
  }

  get apiserverRunning(): boolean {
    return this.apiserver !== undefined && this.apiserver.exitCode === null;
  }

  /** The test namespace and the RBAC the limited users get. */
  private async seedRbac(): Promise<void> {
    const ns = TEST_NAMESPACE;
    const must = async (method: string, path: string, body: unknown) => {
      const res = await adminRequest(this.info, method, path, body);
      if (res.status >= 300 && res.status !== 409) {
        throw new Error(`seeding ${path} on ${this.info.name}: HTTP ${res.status} ${res.body}`);
      }
    };
    await must("POST", "/api/v1/namespaces", { metadata: { name: ns } });
    const role = (name: string, verbs: string[]) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace: ns },
      rules: [{ apiGroups: [""], resources: ["secrets"], verbs }],
    });
    const binding = (name: string, roleName: string, subject: Record<string, string>) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName },
      subjects: [subject],
    });
    const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}`;
    await must(
      "POST",
      `${rbac}/roles`,
      role("secrets-editor", ["get", "list", "watch", "create", "update", "patch", "delete"]),
    );
    await must("POST", `${rbac}/roles`, role("secrets-reader", ["get", "list", "watch"]));
    const user = (name: string) => ({ kind: "User", apiGroup: "rbac.authorization.k8s.io", name });
    await must(
      "POST",
      `${rbac}/rolebindings`,
      binding("secrets-editor", "secrets-editor", user("secrets-editor")),
    );
    await must(
      "POST",
      `${rbac}/rolebindings`,
      binding("secrets-reader", "secrets-reader", user("secrets-reader")),
    );
    await must(
      "POST",
      `${rbac}/rolebindings`,
      binding("cert-user", "secrets-editor", user("cert-user")),
    );
  }

  /** Ends both processes and removes the data dir. */
  async stop(): Promise<void> {
    await stopProcess(this.apiserver);
    await stopProcess(this.etcd);
    this.apiserver = undefined;
    this.etcd = undefined;
    rmSync(this.info.dataDir, { recursive: true, force: true });
  }

  get pids(): number[] {
    return [this.etcd?.pid, this.apiserver?.pid].filter((p): p is number => p !== undefined);
  }
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
