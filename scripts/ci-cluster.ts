/**
 * A test cluster (etcd + kube-apiserver built by test/cluster) for the CI job that runs the
 * Action from this repository (`uses: ./`). Started in the background; writes a kubeconfig for a
 * user that may edit Secrets in the `konduktor` namespace.
 *
 *   node scripts/ci-cluster.ts start <dir>   # returns once <dir>/kubeconfig is ready
 *   node scripts/ci-cluster.ts stop <dir>
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { kubeconfigFor, TestCluster } from "../test/cluster/cluster.ts";

const [command, dirArg] = process.argv.slice(2);
if (!dirArg || (command !== "start" && command !== "stop" && command !== "serve")) {
  console.error("usage: node scripts/ci-cluster.ts start|stop <dir>");
  process.exit(2);
}
const dir = resolve(dirArg);
const files = {
  kubeconfig: join(dir, "kubeconfig"),
  pid: join(dir, "pid"),
  log: join(dir, "cluster.log"),
  failed: join(dir, "failed"),
};

async function serve(): Promise<void> {
  try {
    const cluster = await TestCluster.start({ name: "ci" });
    writeFileSync(files.kubeconfig, kubeconfigFor(cluster.info, "secrets-editor"), { mode: 0o600 });
    console.log(`cluster ready in ${cluster.readyMs} ms at ${cluster.info.server}`);
    const stop = () => void cluster.stop().then(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    setInterval(() => undefined, 1 << 30);
  } catch (error) {
    writeFileSync(files.failed, (error as Error).message);
    process.exit(1);
  }
}

async function start(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const f of [files.kubeconfig, files.failed]) rmSync(f, { force: true });
  const log = openSync(files.log, "a");
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "serve", dir], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  writeFileSync(files.pid, String(child.pid));
  child.unref();
  for (let waited = 0; waited < 180_000; waited += 250) {
    if (existsSync(files.kubeconfig)) {
      console.log(`test cluster up; kubeconfig: ${files.kubeconfig}`);
      return;
    }
    if (existsSync(files.failed)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  console.error(readFileSync(files.log, "utf8"));
  throw new Error("the test cluster did not start (its log is above)");
}

function stop(): void {
  if (!existsSync(files.pid)) return;
  try {
    process.kill(Number(readFileSync(files.pid, "utf8")), "SIGTERM");
  } catch {
    // already gone
  }
}

if (command === "serve") await serve();
else if (command === "start") await start();
else stop();
