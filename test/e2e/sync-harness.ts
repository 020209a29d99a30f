// The harness of the sync e2e files (broker-sync*.test.ts): a broker in real workerd with alpha
// and beta registered, two owners with their tokens, request helpers that keep every answer, and
// the cron's scheduled handler run with its log line checked. Every answer and log line is checked
// for the canary at the end. Call it inside a describe.
import { afterAll, beforeAll, expect } from "vitest";
import { type ClusterInfo, kubeconfigFor } from "../cluster/cluster.ts";
import { startApiserver } from "../cluster/control.ts";
import { type BrokerResponse, type RunningBroker, startBroker } from "../support/broker.ts";
import { issueToken, newOwner } from "./support.ts";

export interface CronLine {
  summary: { failed: number; unreadableClusters: number };
  reads: { cluster: string; status: string }[];
  entries: { owner: string; secret: string; cluster: string; action: string; status: string }[];
  owners: string;
}

export function syncHarness(options: {
  clusters: ClusterInfo[];
  canary: string;
  timeoutMs: number;
}) {
  const { canary: CANARY, timeoutMs: TIMEOUT_MS } = options;
  const clusters = options.clusters;
  const byName = Object.fromEntries(clusters.map((c) => [c.name, c]));
  let broker: RunningBroker;
  const answers: string[] = [];
  const owner = newOwner();
  const other = newOwner();
  let token: string;
  let otherToken: string;

  const call = async (method: string, path: string, o: Parameters<RunningBroker["request"]>[2]) => {
    const res = await broker.request(method, path, o);
    answers.push(res.text);
    return res;
  };
  const put = (name: string, json: unknown, t = token) =>
    call("PUT", `/v1/secrets/${name}`, { token: t, json });
  const sync = (json: unknown, t = token) => call("POST", "/v1/sync", { token: t, json });
  const register = (name: string, sync?: boolean) =>
    call("PUT", `/v1/clusters/${name}`, {
      token: broker.adminToken,
      json: {
        kubeconfig: kubeconfigFor(byName[name]!, "secrets-editor"),
        ...(sync === undefined ? {} : { sync }),
      },
    });
  const cronLines = (): CronLine[] =>
    broker
      .logs()
      .split("\n")
      .filter((l) => l.includes('"type":"sync"') && l.includes('"trigger":"cron"'))
      .map((l) => JSON.parse(l.slice(l.indexOf("{"))) as CronLine);
  /**
   * Runs the cron's scheduled handler once and returns its sync log line, after checking that it
   * ran and read every registered cluster, so that "nothing changed" afterwards means something.
   */
  const cronRun = async (): Promise<CronLine> => {
    const before = cronLines().length;
    const res = await broker.scheduled("*/15 * * * *");
    expect(res.status, res.text).toBe(200);
    // the handler logs its line before it returns; wrangler's output may reach us a little later
    while (cronLines().length === before) await new Promise((r) => setTimeout(r, 20));
    const lines = cronLines();
    expect(lines).toHaveLength(before + 1);
    const line = lines.at(-1) as CronLine;
    const registered = await broker.request("GET", "/v1/clusters", { token: broker.adminToken });
    expect(line.reads).toEqual(
      registered.body.clusters.map((c: { name: string }) => ({ cluster: c.name, status: "read" })),
    );
    expect(line.summary).toMatchObject({ failed: 0, unreadableClusters: 0 });
    expect(line.owners).toBe("all");
    return line;
  };
  const cronEntriesFor = (line: CronLine, secret: string) =>
    line.entries.filter((e) => e.secret === secret && e.owner === owner);
  const entriesFor = (res: BrokerResponse, secret: string) =>
    ((res.body.sync ?? res.body).plan as { secret: string; owner: string }[]).filter(
      (e) => e.secret === secret && e.owner === owner,
    );

  beforeAll(async () => {
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { CLUSTER_TIMEOUT_MS: String(TIMEOUT_MS), CLUSTER_RETRIES: "1" },
      testScheduled: true,
    });
    for (const name of ["alpha", "beta"]) expect((await register(name)).status).toBe(201);
    ({ token } = await issueToken(broker, { owners: [owner], label: "sync-e2e" }));
    ({ token: otherToken } = await issueToken(broker, { owners: [other], label: "sync-e2e-2" }));
  });

  afterAll(async () => {
    await startApiserver("gamma").catch(() => {});
    if (broker) {
      for (const text of answers) expect(text).not.toContain(CANARY);
      expect(broker.logs()).not.toContain(CANARY);
      await broker.stop();
    }
  });
  return {
    get broker() {
      return broker;
    },
    get token() {
      return token;
    },
    get otherToken() {
      return otherToken;
    },
    answers,
    owner,
    other,
    call,
    put,
    sync,
    register,
    cronLines,
    cronRun,
    cronEntriesFor,
    entriesFor,
  };
}
