// The test clusters' client side, which needs no process: the namespace and users, the
// ClusterInfo a started cluster hands out, kubeconfigs for a user, a tiny HTTPS client that does
// not depend on the code under test, free ports and polling. ./cluster.ts starts the clusters and
// re-exports all of this.
import { request } from "node:https";
import { createServer } from "node:net";
import { stringify } from "yaml";

/** The namespace the tests work in; created at start, and set in every kubeconfig's context. */
export const TEST_NAMESPACE = "konduktor";

/** Users of the token file. `admin` is in system:masters; the others get only what RBAC gives. */
export const TEST_USERS = {
  admin: { groups: ["system:masters"] },
  /** may get/list/create/patch/update/delete Secrets in TEST_NAMESPACE only */
  "secrets-editor": { groups: ["konduktor-testers"] },
  /** may only get/list Secrets in TEST_NAMESPACE */
  "secrets-reader": { groups: ["konduktor-testers"] },
  /** has no rights at all */
  nobody: { groups: [] as string[] },
} as const;
export type TestUser = keyof typeof TEST_USERS;

export interface ClusterInfo {
  name: string;
  server: string;
  /** PEM of the cluster CA */
  caPem: string;
  /** bearer tokens per test user */
  tokens: Record<TestUser, string>;
  /** client certificate + key (PEM) of user `cert-user`, bound to the secrets-editor role */
  clientCert: { certPem: string; keyPem: string; user: string };
  dataDir: string;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolvePort(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/**
 * A kubeconfig YAML for one user of a cluster, with the namespace set in its context (`null`: a
 * context that names no namespace, so clients fall back to `default`).
 */
export function kubeconfigFor(
  info: ClusterInfo,
  user: TestUser | "cert-user",
  namespace: string | null = TEST_NAMESPACE,
): string {
  const userEntry =
    user === "cert-user"
      ? {
          "client-certificate-data": Buffer.from(info.clientCert.certPem).toString("base64"),
          "client-key-data": Buffer.from(info.clientCert.keyPem).toString("base64"),
        }
      : { token: info.tokens[user] };
  return kubeconfigYaml(info, `${info.name}-${user}`, userEntry, namespace);
}

/**
 * A one-context kubeconfig YAML for a cluster (server and CA embedded): the user entry `userEntry`
 * under `name`, and a context of the same name with `namespace` (none when `null`), current.
 */
export function kubeconfigYaml(
  info: ClusterInfo,
  name: string,
  userEntry: Record<string, unknown>,
  namespace: string | null,
): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: info.name,
        cluster: {
          server: info.server,
          "certificate-authority-data": Buffer.from(info.caPem).toString("base64"),
        },
      },
    ],
    users: [{ name, user: userEntry }],
    contexts: [
      {
        name,
        context: { cluster: info.name, user: name, ...(namespace === null ? {} : { namespace }) },
      },
    ],
    "current-context": name,
  });
}

/** A tiny HTTPS client for the launcher itself (it must not depend on the code under test). */
export async function adminRequest(
  info: Pick<ClusterInfo, "server" | "caPem" | "tokens">,
  method: string,
  path: string,
  body?: unknown,
  token: string = info.tokens.admin,
): Promise<{ status: number; body: string }> {
  const url = new URL(path, info.server);
  return await new Promise((resolveRequest, reject) => {
    const req = request(
      url,
      {
        method,
        ca: info.caPem,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        timeout: 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolveRequest({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on("error", reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

/** Polls `check` (a throw counts as "not yet") until it is true; fails when `died` names a cause or at the timeout. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  died: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const death = died();
    if (death) throw new Error(`${what}: ${death}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
