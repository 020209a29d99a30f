// A bounded property-based fuzz (fast-check, fixed seed) of every route that takes a JSON body:
// arbitrary JSON, the route's own fields with arbitrary values, a valid body with one leaf
// replaced, duplicate keys, lone surrogates, truncated and non-JSON text. Properties: no answer
// is a 5xx, every answer is problem+json, no cluster is written and the state is unchanged (a
// refused delivery leaves only its released lease, so that a replay is recognised).
// Valid bodies cannot write either: admin routes are called with an API token (400 when the body
// is invalid, 403 after validation when it is valid), secret routes with no cluster registered
// (404 after the secret is built), deliveries likewise. Registration's kubeconfig parsing has its
// own property with the admin token (bodies whose kubeconfig would register are skipped).
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as yaml } from "yaml";
import { parseKubeconfig } from "../../konduktor/kube/kubeconfig.ts";
import {
  ADMIN,
  fakeKubeconfig,
  type InProcessBroker,
  inProcessBroker,
} from "../support/hardening-broker.ts";

const SEED = 1313;
const RUNS = 300;
const OWNER = "0a1b2c3d";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value in `v` (objects and arrays), the empty path included. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push(...paths(x, [...at, i]));
    });
  } else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  }
  return out;
}

function setAt(v: Json, path: (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const copy = structuredClone(v) as Record<string | number, Json>;
  let node = copy;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, Json>;
  node[path[path.length - 1] as string | number] = value;
  return copy as Json;
}

/** Hostile bodies (as text) around a valid `base` body of a route. */
function hostileBodies(base: Json): fc.Arbitrary<string> {
  const text = JSON.stringify(base);
  const keys = Object.keys(base as object);
  const quotedKeys = [...text.matchAll(/"([^"\\]+)":/g)].map((m) => m[1] as string);
  const strings = [...text.matchAll(/"([^"\\]*)"(?!:)/g)].map((m) => m.index as number);
  return fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record(Object.fromEntries(keys.map((k) => [k, fc.jsonValue()])), { requiredKeys: [] })
      .chain((r) =>
        fc
          .option(fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue()), { nil: undefined })
          .map((extra) => JSON.stringify(extra ? { ...r, [`x${extra[0]}`]: extra[1] } : r)),
      ),
    fc
      .tuple(fc.constantFrom(...paths(base)), fc.jsonValue({ maxDepth: 3 }))
      .map(([path, value]) => JSON.stringify(setAt(base, path, value as Json))),
    fc
      .tuple(fc.constantFrom(...quotedKeys), fc.jsonValue({ maxDepth: 2 }))
      .map(([key, value]) =>
        text.replace(`"${key}":`, `"${key}":${JSON.stringify(value)},"${key}":`),
      ),
    fc
      .tuple(fc.constantFrom(...strings), fc.integer({ min: 0xd800, max: 0xdfff }))
      .map(([at, unit]) => `${text.slice(0, at + 1)}\\u${unit.toString(16)}${text.slice(at + 1)}`),
    fc.integer({ min: 0, max: text.length - 1 }).map((n) => text.slice(0, n)),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.integer({ min: 60, max: 400 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
  );
}

interface Route {
  method: string;
  path: string;
  base: Json;
  /** the credential: an API token (admin routes too: a valid body then gets 403) */
  headers?: (body: string) => Record<string, string>;
}

const tally = new Map<string, Map<number, number>>();

/**
 * The state, less a delivery's lease records (`delivery:<id>`, kept released so that a replay is
 * recognised), each of which must have been given back (`released`): a refused delivery wrote
 * nothing else.
 */
function stateWithoutLeases(snapshot: string): string {
  const shards = JSON.parse(snapshot) as [string, { key: string; value: string }[]][];
  return JSON.stringify(
    shards
      .map(([name, records]): [string, { key: string; value: string }[]] => [
        name,
        records.filter((r) => {
          if (!r.key.startsWith("delivery:")) return true;
          expect(JSON.parse(r.value).state).toBe("released");
          return false;
        }),
      ])
      .filter(([, records]) => records.length > 0),
  );
}

async function fuzz(broker: InProcessBroker, token: string, route: Route): Promise<number> {
  const statuses = new Map<number, number>();
  tally.set(`${route.method} ${route.path}`, statuses);
  let runs = 0;
  const before = await broker.storeSnapshot();
  await fc.assert(
    fc.asyncProperty(hostileBodies(route.base), async (body) => {
      runs++;
      const res = await broker.request(route.method, route.path, {
        token,
        body,
        ...(route.headers ? { headers: route.headers(body) } : {}),
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, res.text).toBeLessThan(500);
      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect(res.type).toBe("application/problem+json");
      expect(typeof res.body.code).toBe("string");
      expect(broker.clusterWrites()).toBe(0);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  expect(stateWithoutLeases(await broker.storeSnapshot())).toBe(stateWithoutLeases(before));
  return runs;
}

describe("fuzz: every JSON route answers 4xx problem+json and writes nothing", () => {
  const secretBody: Json = {
    kind: "env",
    source: { type: "inline", pairs: { A: "1", B: "two" } },
    owner: OWNER,
    clusters: ["alpha"],
    mode: "merge",
    prune: false,
    immutable: false,
    dryRun: true,
  };
  const directoryBody: Json = {
    source: {
      type: "directory",
      name: "conf",
      entries: [
        { path: "a/b.yaml", content: "QQ==" },
        { path: ".DS_Store", content: "" },
      ],
    },
    owner: OWNER,
  };
  const routes: Route[] = [
    { method: "PUT", path: "/v1/secrets/fuzz", base: secretBody },
    { method: "PUT", path: "/v1/secrets/fuzz-dir", base: directoryBody },
    {
      method: "POST",
      path: "/v1/sync",
      base: {
        owners: [OWNER],
        clusters: ["alpha"],
        source: "alpha",
        names: ["x", "db-*"],
        dryRun: true,
      },
    },
    {
      method: "PUT",
      path: "/v1/clusters/fuzz",
      base: { kubeconfig: fakeKubeconfig(), context: "x", sync: false },
    },
    {
      method: "POST",
      path: "/v1/tokens",
      base: {
        label: "l",
        owners: [OWNER],
        clusters: "all",
        rights: { write: true, read: true, listAllUsers: false },
        expiresInSeconds: 3600,
      },
    },
    {
      method: "PUT",
      path: "/v1/oidc-bindings/fuzz",
      base: {
        match: { repository: "acme/train", ref: "refs/heads/*" },
        owners: [OWNER],
        clusters: ["alpha"],
        rights: { write: true, read: true, listAllUsers: false },
      },
    },
    {
      method: "POST",
      path: "/v1/hooks",
      base: { label: "l", owners: [OWNER], clusters: "all", names: ["*"], allowSync: true },
    },
  ];

  for (const route of routes) {
    it(`${route.method} ${route.path}: ${RUNS} runs, seed ${SEED}`, async () => {
      const broker = await inProcessBroker();
      const token = (
        await broker.request("POST", "/v1/tokens", { token: ADMIN, json: { owners: [OWNER] } })
      ).body.token as string;
      expect(await fuzz(broker, token, route)).toBe(RUNS);
    });
  }

  it(`POST /v1/hooks/{id} (signed deliveries): ${RUNS} runs, seed ${SEED}`, async () => {
    const broker = await inProcessBroker();
    const hook = (
      await broker.request("POST", "/v1/hooks", {
        token: ADMIN,
        json: { owners: [OWNER], names: ["*"] },
      })
    ).body;
    let n = 0;
    const signer = new Webhook(hook.secret);
    const route: Route = {
      method: "POST",
      path: `/v1/hooks/${hook.id}`,
      base: { name: "fuzz", source: { type: "inline", pairs: { A: "1" } }, dryRun: true },
      headers: (body) => {
        const id = `msg_fuzz_${n++}`;
        const at = new Date();
        return {
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
          "webhook-signature": signer.sign(id, at, body),
        };
      },
    };
    expect(await fuzz(broker, "", route)).toBe(RUNS);
  });

  it(`PUT /v1/clusters/{name} with the admin token (kubeconfig parsing): ${RUNS} runs, seed ${SEED}`, async () => {
    const broker = await inProcessBroker();
    const valid = parseYaml(fakeKubeconfig()) as Json;
    const kubeconfigs = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => yaml(v)),
      fc
        .tuple(fc.constantFrom(...paths(valid)), fc.jsonValue({ maxDepth: 2 }))
        .map(([path, value]) => yaml(setAt(valid, path, value as Json))),
      fc
        .constantFrom(
          "https://169.254.169.254",
          "https://metadata.google.internal",
          "https://[fd00:ec2::254]",
          "http://127.0.0.1:8787/v1/secrets/x?",
          "https://10.0.0.1/#x",
          "ftp://10.0.0.1",
          "https://user:pw@10.0.0.1",
          "not a url",
        )
        .map((server) => fakeKubeconfig(server)),
      fc
        .constantFrom(
          "{tokenFile: /etc/passwd}",
          "{exec: {command: sh}}",
          "{client-certificate: /x}",
        )
        .map((user) => fakeKubeconfig(undefined, user)),
    );
    let runs = 0;
    const before = await broker.storeSnapshot();
    await fc.assert(
      fc.asyncProperty(kubeconfigs, async (kubeconfig) => {
        let registers = true;
        try {
          parseKubeconfig(kubeconfig, { runtime: "edge", origin: "remote" });
        } catch {
          registers = false;
        }
        fc.pre(!registers);
        runs++;
        const res = await broker.request("PUT", "/v1/clusters/fuzz", {
          token: ADMIN,
          json: { kubeconfig },
        });
        expect(res.status, res.text).toBeLessThan(500);
        expect(res.status, res.text).toBeGreaterThanOrEqual(400);
        expect(res.type).toBe("application/problem+json");
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(await broker.storeSnapshot()).toBe(before);
    console.log(`fuzz PUT /v1/clusters (admin): ${runs} runs that reached the broker`);
    expect(runs).toBeGreaterThan(RUNS / 2);
  });

  it("tally", () => {
    for (const [route, statuses] of tally) {
      console.log(`fuzz ${route}: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    }
    expect(tally.size).toBe(8);
  });
});
