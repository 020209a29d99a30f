// Unit tests of the broker app in-process over fake clusters (KubeSecrets): problem details,
// generic 500, audit lines, cluster bindings, the fan-out deadline. Split from broker.test.ts
// (settings, kubeconfig envelope, API tokens). The same app runs in workerd in test/e2e.
import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../functions/app.ts";
import { adminResolver } from "../../functions/auth/admin.ts";
import type { CallerResolver } from "../../functions/auth/caller.ts";
import { apiTokenResolver } from "../../functions/auth/tokens.ts";
import { loadConfig } from "../../functions/config.ts";
import type { LogLine } from "../../functions/context.ts";
import { Ledger } from "../../functions/ledger/ledger.ts";
import { MemoryShardedStore, type ShardStep } from "../../functions/store/records.ts";
import { scheduledSync } from "../../functions/sync/service.ts";
import type { KubeSecrets } from "../../konduktor/kube/port.ts";
import { createFakeKube } from "../support/fake-kube.ts";

const KEK = randomBytes(32).toString("base64");
const ADMIN = "a".repeat(40);
const env = { ADMIN_TOKEN: ADMIN, KEK };

describe("the app in-process (fake clusters)", () => {
  function build(
    options: { resolvers?: CallerResolver[]; kube?: (cluster: string) => KubeSecrets } = {},
  ) {
    const logs: LogLine[] = [];
    const kubes = new Map<string, KubeSecrets>();
    const app = createApp({
      config: loadConfig(env),
      records: new MemoryShardedStore(),
      runtime: "node",
      connector: async (_kubeconfig, { cluster }) => {
        if (options.kube) return options.kube(cluster);
        let k = kubes.get(cluster);
        if (!k) {
          k = createFakeKube({ cluster, namespace: "default" });
          kubes.set(cluster, k);
        }
        return k;
      },
      ...(options.resolvers ? { resolvers: options.resolvers } : {}),
      log: (l) => logs.push(l),
    });
    const call = async (method: string, path: string, token?: string, json?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(json === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, text, res };
    };
    return { app, call, logs };
  }

  const kubeconfig = (server: string) =>
    [
      "apiVersion: v1",
      "kind: Config",
      `clusters: [{name: c, cluster: {server: ${server}}}]`,
      "users: [{name: u, user: {token: t0ken}}]",
      "contexts: [{name: x, context: {cluster: c, user: u}}]",
      "current-context: x",
    ].join("\n");

  it("runs a PUT on every registered cluster and audits it without values", async () => {
    const { call, logs } = build();
    for (const name of ["one", "two"]) {
      const r = await call("PUT", `/v1/clusters/${name}`, ADMIN, {
        kubeconfig: kubeconfig(`https://${name}.example:6443`),
      });
      expect(r.status).toBe(201);
    }
    const issued = await call("POST", "/v1/tokens", ADMIN, { owners: ["0a1b2c3d"] });
    const put = await call("PUT", "/v1/secrets/db", issued.body.token, {
      source: { type: "inline", pairs: { PASSWORD: "hunter2-canary" } },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.results.map((r: { status: string }) => r.status)).toEqual([
      "created",
      "created",
    ]);
    expect(put.text).not.toContain("hunter2-canary");
    const audit = logs.filter((l) => l.type === "audit");
    expect(audit.map((l) => l.action)).toEqual([
      "cluster.register",
      "cluster.register",
      "token.issue",
      "secret.put",
    ]);
    expect(JSON.stringify(logs)).not.toContain("hunter2-canary");
    expect(JSON.stringify(logs)).not.toContain("t0ken");
    expect(JSON.stringify(logs)).not.toContain(issued.body.token);
  });

  it("a cluster's kubeconfig is decrypted once, however many PUTs and cron writes use it", async () => {
    const { app, call } = build();
    const register = async (name: string) => {
      const r = await call("PUT", `/v1/clusters/${name}`, ADMIN, {
        kubeconfig: kubeconfig(`https://${name}.example:6443`),
      });
      expect(r.status).toBe(201);
    };
    const decrypt = vi.spyOn(crypto.subtle, "decrypt");
    try {
      await register("one");
      const issued = await call("POST", "/v1/tokens", ADMIN, { owners: ["0a1b2c3d"] });
      for (const name of ["db", "api", "cache"]) {
        const put = await call("PUT", `/v1/secrets/${name}`, issued.body.token, {
          source: { type: "inline", pairs: { K: "v" } },
        });
        expect(put.status, put.text).toBe(200);
      }
      // kept between requests (functions/registry/opened.ts)
      expect(decrypt).toHaveBeenCalledTimes(1);
      // registered without `sync`: the cron copies the three secrets onto it
      await register("two");
      const outcome = await scheduledSync(app.services, { cron: "*/5 * * * *", scheduledTime: 0 });
      expect(outcome?.summary).toMatchObject({ planned: 3, done: 3, failed: 0 });
      expect(outcome?.plan.map((e) => e.cluster)).toEqual(["two", "two", "two"]);
      expect(decrypt).toHaveBeenCalledTimes(2);
    } finally {
      decrypt.mockRestore();
    }
  });

  it("a PUT decrypts the kubeconfigs while the ledger commits, each once", async () => {
    // the owner shard's commits wait until a kubeconfig was decrypted (or 2 s): a PUT that opened
    // its clusters only after the ledger's start would wait out the 2 s and be seen doing so
    const inner = new MemoryShardedStore();
    const events: string[] = [];
    let decrypted: () => void = () => {};
    const decryptedOnce = new Promise<void>((r) => {
      decrypted = r;
    });
    const waited = () =>
      Promise.race([
        decryptedOnce.then(() => "decrypted"),
        new Promise<string>((r) => setTimeout(() => r("not decrypted"), 2000)),
      ]);
    const records = {
      shard(name: string) {
        const shard = inner.shard(name);
        if (!name.startsWith("owner:")) return shard;
        return {
          get: shard.get.bind(shard),
          getMany: shard.getMany.bind(shard),
          list: shard.list.bind(shard),
          async commit(writes: Parameters<typeof shard.commit>[0]) {
            events.push(`commit (${await waited()})`);
            return shard.commit(writes);
          },
          async step<A, R>(step: ShardStep<A, R>, args: A) {
            events.push(`step (${await waited()})`);
            return shard.step(step, args);
          },
        };
      },
    };
    const app = createApp({
      config: loadConfig(env),
      records,
      runtime: "node",
      connector: async (_k, { cluster }) => createFakeKube({ cluster, namespace: "default" }),
      log: () => {},
    });
    const call = async (method: string, path: string, token: string, json: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(json),
      });
      return { status: res.status, body: await res.json() };
    };
    for (const name of ["one", "two"]) {
      const r = await call("PUT", `/v1/clusters/${name}`, ADMIN, {
        kubeconfig: kubeconfig(`https://${name}.example:6443`),
      });
      expect(r.status).toBe(201);
    }
    const issued = await call("POST", "/v1/tokens", ADMIN, { owners: ["0a1b2c3d"] });
    const real = crypto.subtle.decrypt.bind(crypto.subtle);
    const decrypt = vi.spyOn(crypto.subtle, "decrypt").mockImplementation(async (...a) => {
      events.push("decrypt");
      decrypted();
      return await real(...a);
    });
    try {
      const put = await call("PUT", "/v1/secrets/db", issued.body.token, {
        source: { type: "inline", pairs: { K: "v" } },
      });
      expect(put.status).toBe(200);
      expect(put.body.results.map((r: { status: string }) => r.status)).toEqual([
        "created",
        "created",
      ]);
      // the ledger's start and finish (a step each); both kubeconfigs decrypted during the first
      expect(events).toEqual(["decrypt", "decrypt", "step (decrypted)", "step (decrypted)"]);
      expect(decrypt).toHaveBeenCalledTimes(2);
    } finally {
      decrypt.mockRestore();
    }
  });

  it("audits every webhook refusal once, naming the hook (401 denied, 404 invalid)", async () => {
    const { call, logs } = build();
    const created = await call("POST", "/v1/hooks", ADMIN, { owners: ["0a1b2c3d"], names: ["*"] });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    const refusals = async (path: string) => {
      const before = logs.length;
      const res = await call("POST", path, undefined, undefined);
      return { res, audit: logs.slice(before).filter((l) => l.type === "audit") };
    };
    const unknown = await refusals("/v1/hooks/wh_nope");
    expect(unknown.res.status).toBe(404);
    expect(unknown.res.body.code).toBe("unknown_hook");
    expect(unknown.audit).toEqual([
      expect.objectContaining({
        action: "hook.delivery",
        outcome: "invalid",
        code: "unknown_hook",
        status: 404,
      }),
    ]);
    const unsigned = await refusals(`/v1/hooks/${id}`);
    expect(unsigned.res.status).toBe(401);
    expect(unsigned.res.body.code).toBe("webhook_unsigned");
    expect(unsigned.audit).toEqual([
      expect.objectContaining({
        action: "hook.delivery",
        outcome: "denied",
        hook: id,
        code: "webhook_unsigned",
        status: 401,
      }),
    ]);
  });

  it("audits a refused mutating call once (denied / invalid), with no body or value", async () => {
    const { call, logs } = build();
    await call("PUT", "/v1/clusters/one", ADMIN, { kubeconfig: kubeconfig("https://one:6443") });
    const issued = await call("POST", "/v1/tokens", ADMIN, { owners: ["0a1b2c3d"] });
    expect(issued.body.id).toMatch(/^[0-9a-f]{16}$/);
    const before = logs.length;
    const foreign = await call("PUT", "/v1/secrets/db", issued.body.token, {
      owner: "ffffffff",
      source: { type: "inline", pairs: { PASSWORD: "hunter2-canary" } },
    });
    expect(foreign.status).toBe(403);
    const denied = logs.slice(before).filter((l) => l.type === "audit");
    expect(denied).toEqual([
      {
        type: "audit",
        at: expect.any(String),
        requestId: foreign.body.requestId,
        caller: `token:${issued.body.id}`,
        callerKind: "token",
        method: "PUT",
        path: "/v1/secrets/db",
        action: "secret.put",
        outcome: "denied",
        code: "forbidden",
        status: 403,
      },
    ]);
    const bad = await call("PUT", "/v1/secrets/db", issued.body.token, { source: { type: "x" } });
    expect(bad.status).toBe(400);
    const none = await call("DELETE", "/v1/secrets/db");
    expect(none.status).toBe(401);
    const got = await call("GET", "/v1/secrets/db", "wrong");
    expect(got.status).toBe(401);
    const lines = logs.slice(before).filter((l) => l.type === "audit");
    expect(lines.map((l) => [l.method, l.action, l.outcome, l.code, l.caller])).toEqual([
      ["PUT", "secret.put", "denied", "forbidden", `token:${issued.body.id}`],
      ["PUT", "secret.put", "invalid", "invalid_input", `token:${issued.body.id}`],
      ["DELETE", "secret.delete", "denied", "unauthorized", null],
    ]);
    expect(JSON.stringify(logs)).not.toContain("hunter2-canary");
  });

  it("answers 405 method_not_allowed with Allow when the path exists under other methods", async () => {
    const { call } = build();
    const r = await call("PATCH", "/v1/secrets/x", "whatever");
    expect(r.status).toBe(405);
    expect(r.body.code).toBe("method_not_allowed");
    expect(r.res.headers.get("allow")).toBe("DELETE, GET, HEAD, PUT");
    expect(r.body.detail).toBe(
      "PATCH is not allowed on /v1/secrets/x: use DELETE, GET, HEAD, PUT (see /docs)",
    );
    const sync = await call("GET", "/v1/sync", "whatever");
    expect([sync.status, sync.res.headers.get("allow")]).toEqual([405, "POST"]);
    expect((await call("PATCH", "/v1/nothing-here", ADMIN)).status).toBe(404);
  });

  it("a token bound to some clusters deletes (ledger) and writes (placement) on those only", async () => {
    const { call, app } = build();
    for (const name of ["one", "two"]) {
      await call("PUT", `/v1/clusters/${name}`, ADMIN, {
        kubeconfig: kubeconfig(`https://${name}:6443`),
      });
    }
    const all = await call("POST", "/v1/tokens", ADMIN, { owners: ["0a1b2c3d"] });
    const one = await call("POST", "/v1/tokens", ADMIN, {
      owners: ["0a1b2c3d"],
      clusters: ["one"],
    });
    const src = { source: { type: "inline", pairs: { A: "1" } } };
    expect((await call("PUT", "/v1/secrets/db", all.body.token, src)).status).toBe(200);
    expect((await call("DELETE", "/v1/secrets/db", one.body.token)).status).toBe(200);
    const ledger = new Ledger(app.services.stores.records);
    // deleted from "one" only: the placement `all` now excepts it, and "one" confirmed the deletion
    expect(await ledger.get("0a1b2c3d", "db")).toMatchObject({
      version: 2,
      contentVersion: 1,
      placement: "all",
      except: ["one"],
      deleted: null,
      clusters: { one: { version: 2, state: "deleted" }, two: { version: 1, state: "written" } },
    });
    // a write by the bound token is placed on "one" (a new version; "two" keeps its copy)
    const put = await call("PUT", "/v1/secrets/db", one.body.token, src);
    expect(put.status).toBe(200);
    expect(await ledger.get("0a1b2c3d", "db")).toMatchObject({
      version: 3,
      contentVersion: 3,
      placement: ["one"],
      except: [],
      clusters: { one: { version: 3, state: "written" }, two: { version: 1, state: "written" } },
    });
    const described = await call("GET", "/v1/secrets/db", all.body.token);
    expect(described.body.drift.clusters).toEqual([
      { cluster: "one", state: "in-line" },
      { cluster: "two", state: "in-line" },
    ]);
    const d = described.body.results[0].secret;
    expect(d.placement).toEqual(["one"]);
    // sync names take "prefix*" patterns, like hooks
    const plan = await call("POST", "/v1/sync", all.body.token, { names: ["d*"], dryRun: true });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.summary.secrets).toBe(1);
    const bad = await call("POST", "/v1/sync", all.body.token, { names: ["D*"], dryRun: true });
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, "names.0"]);
    // a hook accepts exactly the names and patterns its own sync deliveries accept
    for (const names of [["-foo*"], ["D*"], ["foo-"], ["a*b*"]]) {
      const syncRefused = await call("POST", "/v1/sync", all.body.token, { names, dryRun: true });
      expect(syncRefused.status, syncRefused.text).toBe(400);
      const hookRefused = await call("POST", "/v1/hooks", ADMIN, { owners: ["0a1b2c3d"], names });
      expect(hookRefused.status, hookRefused.text).toBe(400);
      expect(hookRefused.body.code).toBe("invalid_input");
      expect(hookRefused.body.errors[0].field).toBe("names.0");
    }
    for (const names of [["d*"], ["*"], ["db-*"], ["db"]]) {
      const syncOk = await call("POST", "/v1/sync", all.body.token, { names, dryRun: true });
      expect(syncOk.status, syncOk.text).toBe(200);
      const hookOk = await call("POST", "/v1/hooks", ADMIN, { owners: ["0a1b2c3d"], names });
      expect(hookOk.status, hookOk.text).toBe(201);
    }
  });

  it("the fan-out deadline reaches the cluster port: no write lands after a `timeout` answer", async () => {
    const logs: LogLine[] = [];
    const store = createFakeKube({ cluster: "slow", namespace: "default" });
    const app = createApp({
      config: loadConfig({ ...env, CLUSTER_TIMEOUT_MS: "300", CLUSTER_RETRIES: "0" }),
      records: new MemoryShardedStore(),
      runtime: "node",
      // every call takes 200 ms and gives up when the port's signal is aborted (as fetch does)
      connector: async (_k, { signal }) => {
        const slow =
          <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
          async (...a: A): Promise<R> => {
            await new Promise((r) => setTimeout(r, 200));
            if (signal?.aborted) throw Object.assign(new Error("aborted"), { code: "timeout" });
            return await f(...a);
          };
        return {
          ...store,
          namespace: store.namespace,
          cluster: store.cluster,
          get: slow(store.get.bind(store)),
          list: slow(store.list.bind(store)),
          create: slow(store.create.bind(store)),
          mergePatch: slow(store.mergePatch.bind(store)),
          replace: slow(store.replace.bind(store)),
          delete: slow(store.delete.bind(store)),
        };
      },
      log: (l) => logs.push(l),
    });
    const req = async (method: string, path: string, token: string, json?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      return { status: res.status, body: await res.json() };
    };
    await req("PUT", "/v1/clusters/slow", ADMIN, { kubeconfig: kubeconfig("https://slow:6443") });
    const issued = await req("POST", "/v1/tokens", ADMIN, { owners: ["0a1b2c3d"] });
    const put = await req("PUT", "/v1/secrets/late", issued.body.token, {
      source: { type: "inline", pairs: { A: "1" } },
    });
    // get (200 ms) + create (200 ms) > 300 ms: answered as timeout
    expect([put.status, put.body.code]).toEqual([504, "cluster_timeout"]);
    expect(put.body.type).toMatch(/\/problems\/cluster_timeout$/);
    await new Promise((r) => setTimeout(r, 400));
    expect(store.store.has("late-0a1b2c3d")).toBe(false);
  });

  it("answers an unknown error with a generic 500 and logs it with the request id", async () => {
    const boom: CallerResolver = async () => {
      throw new Error("database password is hunter2");
    };
    const { call, logs } = build({ resolvers: [boom] });
    const r = await call("GET", "/v1/secrets", "whatever");
    expect(r.status).toBe(500);
    expect(r.body.code).toBe("internal_error");
    expect(r.text).not.toContain("hunter2");
    expect(r.body.detail).toContain(r.body.requestId);
    const error = logs.find((l) => l.type === "error");
    expect(error?.requestId).toBe(r.body.requestId);
  });

  it("uses the resolver hook: an extra credential type plugs in as a resolver", async () => {
    const custom: CallerResolver = async (credential) =>
      credential === "ci-credential"
        ? {
            id: "oidc:org/repo@main",
            kind: "oidc",
            owners: ["0a1b2c3d"],
            clusters: "all",
            rights: { write: true, read: true, listAllUsers: false },
          }
        : null;
    const { call } = build({ resolvers: [adminResolver, apiTokenResolver, custom] });
    await call("PUT", "/v1/clusters/one", ADMIN, { kubeconfig: kubeconfig("https://one:6443") });
    const r = await call("GET", "/v1/secrets", "ci-credential");
    expect(r.status).toBe(200);
    expect((await call("GET", "/v1/secrets", "other")).status).toBe(401);
  });
});
