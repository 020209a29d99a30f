// The wire contract (konduktor/wire) is the broker's: every component the broker's OpenAPI
// document declares for secrets, sync, the admin API and problems has the same shape in the wire
// module (descriptions and examples aside), and the request schemas the routes validate with give
// the same verdict and the same messages on the same bodies.
import { OpenAPIHono } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import { createApp } from "../../functions/app.ts";
import { loadConfig } from "../../functions/config.ts";
import { PutSecretBody as RoutePutSecretBody } from "../../functions/secrets/wire.ts";
import { MemoryShardedStore } from "../../functions/store/records.ts";
import { SyncRequestBody as RouteSyncRequestBody } from "../../functions/sync/request.ts";
import * as admin from "../../konduktor/wire/admin.ts";
import { ProblemSchema } from "../../konduktor/wire/problem.ts";
import * as secrets from "../../konduktor/wire/secrets.ts";
import * as sync from "../../konduktor/wire/sync.ts";

const env = {
  ADMIN_TOKEN: "adm_contract_test_token_0123456789",
  KEK: Buffer.alloc(32, 7).toString("base64"),
  KEK_ID: "k1",
};

// biome-ignore lint/suspicious/noExplicitAny: JSON documents are compared as plain data
type Json = any;

/**
 * A schema's shape: `$ref`s to other components inlined (naming is not shape), descriptions and
 * examples left out (documentation, not shape).
 */
function shape(node: Json, all: Record<string, Json>): Json {
  if (Array.isArray(node)) return node.map((n) => shape(n, all));
  if (!node || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    return shape(all[node.$ref.replace("#/components/schemas/", "")], all);
  }
  if (Array.isArray(node.allOf)) {
    // `allOf` of objects (how an extended component is written) is the merged object
    const parts = node.allOf.map((n: Json) => shape(n, all));
    return {
      type: "object",
      properties: Object.assign({}, ...parts.map((p: Json) => p.properties)),
      required: parts.flatMap((p: Json) => p.required ?? []),
    };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "description" || k === "example" || k === "examples") continue;
    out[k] = shape(v, all);
  }
  return out;
}

async function brokerComponents(): Promise<Record<string, Json>> {
  const app = createApp({
    config: loadConfig(env),
    records: new MemoryShardedStore(),
    runtime: "node",
    connector: async () => {
      throw new Error("no cluster in this test");
    },
    log: () => {},
  });
  const res = await app.request("/v1/openapi.json");
  return ((await res.json()) as Json).components.schemas;
}

function wireComponents(schemas: Record<string, ZodType>): Record<string, Json> {
  const app = new OpenAPIHono();
  for (const [name, schema] of Object.entries(schemas)) {
    app.openAPIRegistry.register(name, schema as never);
  }
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "0" } });
  return (doc.components?.schemas ?? {}) as Record<string, Json>;
}

const WIRE: Record<string, ZodType> = {
  PutSecret: secrets.PutSecretBody,
  SecretSource: secrets.SourceSchema,
  ApplyResult: secrets.ApplyResultSchema,
  PutSecretAnswer: secrets.PutAnswer,
  ListSecretsAnswer: secrets.ListAnswer,
  DescribeSecretAnswer: secrets.DescribeAnswer,
  DeleteSecretAnswer: secrets.DeleteAnswer,
  Drift: secrets.DriftSchema,
  SyncRequest: sync.SyncRequestBody,
  SyncAnswer: sync.SyncAnswer,
  Problem: ProblemSchema,
  RegisterCluster: admin.RegisterClusterBody,
  Cluster: admin.ClusterInfoSchema,
  ClusterHealth: admin.HealthSchema,
  IssueToken: admin.IssueTokenBody,
  Token: admin.TokenInfoSchema,
  IssuedToken: admin.IssuedTokenSchema,
  CreateHook: admin.CreateHookBody,
  Hook: admin.HookInfoSchema,
  CreatedHook: admin.CreatedHookSchema,
  OidcBindingBody: admin.OidcBindingBody,
};

describe("the wire contract is the broker's", () => {
  it("every shared component has the broker's shape", async () => {
    const broker = await brokerComponents();
    const wire = wireComponents(WIRE);
    const names = Object.keys(WIRE).sort();
    expect(names.filter((n) => broker[n] === undefined)).toEqual([]);
    for (const name of names) {
      const theirs = shape(broker[name], broker);
      const ours = shape(wire[name], wire);
      if (name === "DescribeSecretAnswer") {
        // the one refinement: the broker declares a found copy as a free-form record; the wire
        // names its fields (konduktor/types.ts SecretDescription, which is what the broker sends)
        const found = theirs.properties.results.items.anyOf[0].properties;
        expect(found.secret).toEqual({ type: "object", additionalProperties: {} });
        found.secret = ours.properties.results.items.anyOf[0].properties.secret;
      }
      expect(ours, name).toEqual(theirs);
    }
  });

  const verdict = (schema: ZodType, body: unknown) => {
    const r = schema.safeParse(body);
    return r.success
      ? { ok: true, data: r.data }
      : { ok: false, issues: r.error.issues.map((i) => [i.path.join("."), i.message]) };
  };

  it.each([
    { kind: "env", source: { type: "inline", pairs: { A: "1" } } },
    { source: { type: "files", files: [{ name: "key", content: "aGVsbG8=" }] }, mode: "replace" },
    { source: { type: "directory", name: "d", entries: [{ path: "a/b", content: "" }] } },
    { source: { type: "files", files: [{ name: "key", content: "not base64!" }] } },
    { source: { type: "files", files: [] } },
    { source: { type: "nope" } },
    { kind: "secret", source: { type: "inline", pairs: {} } },
    { source: { type: "inline", pairs: { A: 1 } }, clusters: [] },
    { source: { type: "inline", pairs: {} }, clusters: ["Bad_Name"], owner: "ZZ" },
    { source: { type: "inline", pairs: {} }, mode: "upsert", prune: "yes", extra: 1 },
    {},
  ])("PUT body %# gets the broker's verdict", (body) => {
    expect(verdict(secrets.PutSecretBody, body)).toEqual(verdict(RoutePutSecretBody, body));
  });

  it.each([
    {},
    { owners: ["0a1b2c3d"], clusters: ["alpha"], source: "beta", names: ["db-*"], dryRun: true },
    { owners: [], clusters: [], names: [] },
    { owners: ["0A1B2C3D"], source: "Beta", dryRun: "no", more: true },
  ])("sync body %# gets the broker's verdict", (body) => {
    expect(verdict(sync.SyncRequestBody, body)).toEqual(verdict(RouteSyncRequestBody, body));
  });
});
