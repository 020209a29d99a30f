// Issue 13 on the broker, in-process over fake clusters: every refused input is a 400/403/413
// problem+json naming the field, with 0 cluster writes; bodies are read strictly; one clusters
// rule for query and body. Registration refusals: hardening-registration.test.ts; the answers and
// documents: hardening-answers.test.ts. The same behaviours run against real workerd and
// kube-apiservers in test/e2e/broker-hardening.test.ts.
import { describe, expect, it } from "vitest";
import { ADMIN, brokerWithToken, inline, OWNER } from "../support/hardening-broker.ts";

interface Case {
  what: string;
  method: string;
  path: string;
  /** raw body text (sent as application/json) */
  raw?: string;
  json?: unknown;
  bytes?: Uint8Array<ArrayBuffer>;
  admin?: boolean;
  status: number;
  code: string;
  /** exact `errors` of the answer, when it has them */
  errors?: { field: string; message: string }[];
  detail?: string;
}

const refusals: Case[] = [
  {
    what: "a duplicate dryRun key (true, then false) is refused, not read as false",
    method: "PUT",
    path: "/v1/secrets/dup",
    raw: `{"dryRun":true,"dryRun":false,"owner":"${OWNER}","source":{"type":"inline","pairs":{"A":"1"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "dryRun",
        message:
          'the key "dryRun" is given more than once in the same object: give each field once',
      },
    ],
  },
  {
    what: "a duplicate owner key",
    method: "PUT",
    path: "/v1/secrets/dup",
    raw: `{"owner":"${OWNER}","owner":"ABCDEF12","source":{"type":"inline","pairs":{"A":"1"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "owner",
        message: 'the key "owner" is given more than once in the same object: give each field once',
      },
    ],
  },
  {
    what: "a duplicate key deep in the body names its path",
    method: "PUT",
    path: "/v1/secrets/dup",
    raw: `{"owner":"${OWNER}","source":{"type":"inline","pairs":{"A":"1","B":"2","A":"3"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source.pairs.A",
        message: 'the key "A" is given more than once in the same object: give each field once',
      },
    ],
  },
  {
    what: "a lone surrogate in a value names the key",
    method: "PUT",
    path: "/v1/secrets/sur",
    raw: `{"owner":"${OWNER}","source":{"type":"inline","pairs":{"A":"\\ud800"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source.pairs.A",
        message:
          "contains a lone UTF-16 surrogate (like \\ud800 without its pair), which is not text: send valid Unicode",
      },
    ],
  },
  {
    what: "a lone surrogate in a key",
    method: "PUT",
    path: "/v1/secrets/sur",
    raw: `{"owner":"${OWNER}","source":{"type":"inline","pairs":{"K\\udc00":"1"}}}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source.pairs.K\\udc00",
        message:
          "this key contains a lone UTF-16 surrogate (like \\ud800 without its pair), which is not text: send valid Unicode",
      },
    ],
  },
  {
    what: "a body that is not UTF-8",
    method: "PUT",
    path: "/v1/secrets/utf",
    bytes: new Uint8Array([0x7b, 0x22, 0x41, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    status: 400,
    code: "malformed_json",
    detail: "the request body is not valid UTF-8: send JSON text encoded as UTF-8",
  },
  {
    what: "a body nested 100 levels deep",
    method: "POST",
    path: "/v1/sync",
    raw: `{"names":${"[".repeat(100)}${"]".repeat(100)}}`,
    status: 400,
    code: "malformed_json",
    detail: `the request body is nested deeper than 64 levels (at names${".0".repeat(63)}): no request of this API needs that`,
  },
  {
    what: "a duplicate key in a token request",
    method: "POST",
    path: "/v1/tokens",
    admin: true,
    raw: `{"owners":["${OWNER}"],"clusters":"all","clusters":["alpha"]}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "clusters",
        message:
          'the key "clusters" is given more than once in the same object: give each field once',
      },
    ],
  },
  {
    what: "?clusters= with 5,000 names: the body's limit, and no name echoed",
    method: "GET",
    path: `/v1/secrets?clusters=${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(",")}`,
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "query: clusters",
        message: "clusters names at most 100 clusters: leave it out for all",
      },
    ],
  },
  {
    what: "?clusters= with a NUL byte",
    method: "DELETE",
    path: "/v1/secrets/x?clusters=alpha,be%00ta",
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "query: clusters.1",
        message:
          "a cluster name is lowercase letters, digits and '-', starting and ending with a letter or digit",
      },
    ],
  },
  {
    what: "body clusters over 100 (the same rule)",
    method: "PUT",
    path: "/v1/secrets/many",
    json: {
      source: inline,
      owner: OWNER,
      clusters: Array.from({ length: 101 }, (_, i) => `c${i}`),
    },
    status: 400,
    code: "invalid_input",
    errors: [
      { field: "clusters", message: "clusters names at most 100 clusters: leave it out for all" },
    ],
  },
  {
    what: 'POST /v1/tokens with clusters:"some" says what to send',
    method: "POST",
    path: "/v1/tokens",
    admin: true,
    json: { owners: [OWNER], clusters: "some" },
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "clusters",
        message: 'clusters must be "all" or a list of 1 to 100 cluster names, like ["gpu-east"]',
      },
    ],
  },
  {
    what: "expiresInSeconds 1.5 says a whole number",
    method: "POST",
    path: "/v1/tokens",
    admin: true,
    json: { owners: [OWNER], expiresInSeconds: 1.5 },
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "expiresInSeconds",
        message: "expiresInSeconds must be a whole number of seconds, like 2592000 (30 days)",
      },
    ],
  },
  {
    what: "an owner the token may not act for names the ones it may",
    method: "PUT",
    path: "/v1/secrets/other",
    json: { source: inline, owner: "ffffffff" },
    status: 403,
    code: "forbidden",
    detail:
      "this credential may not act for owner ffffffff: it may act for 0a1b2c3d, ABCDEF12 (give one of those as owner)",
  },
  {
    what: "a directory path of 4,000 folders is refused before zipping",
    method: "PUT",
    path: "/v1/secrets/deep",
    json: {
      owner: OWNER,
      dryRun: true,
      source: {
        type: "directory",
        name: "d",
        entries: [{ path: `${"a/".repeat(4000)}f`, content: "QQ==" }],
      },
    },
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source.entries[0].path",
        message:
          "source.entries[0].path is 8,001 characters long; a path may have at most 1,024: shorten it",
      },
    ],
  },
  {
    what: "30,000 flat directory entries are refused while the body is read",
    method: "PUT",
    path: "/v1/secrets/flat",
    json: {
      owner: OWNER,
      dryRun: true,
      source: {
        type: "directory",
        name: "d",
        entries: Array.from({ length: 30_000 }, (_, i) => ({ path: `f${i}`, content: "QQ==" })),
      },
    },
    status: 400,
    code: "malformed_json",
    detail:
      "the request body has a list of 30,000 items at source.entries; no list of this API takes more than 10,000: send less",
  },
  {
    what: "1,100 keys of 253 characters are refused before any cluster (annotation size)",
    method: "PUT",
    path: "/v1/secrets/wide",
    json: {
      owner: OWNER,
      source: {
        type: "inline",
        pairs: Object.fromEntries(
          Array.from({ length: 1100 }, (_, i) => [
            `${String(i).padStart(4, "0")}${"k".repeat(249)}`,
            "v",
          ]),
        ),
      },
    },
    status: 400,
    code: "invalid_input",
    errors: [
      {
        field: "source",
        message:
          "source: the 1,100 key names add up to 279,399 characters; the broker records them in an annotation and Kubernetes allows 262,144 bytes of annotations per secret, so at most 196,608 characters of key names fit: use fewer or shorter keys, or split the secret",
      },
    ],
  },
];

describe("refused inputs: problem+json naming the field, nothing written", () => {
  it.each(refusals)("$what", async (c) => {
    const { broker, token } = await brokerWithToken();
    const storeBefore = broker.storeWrites();
    const res = await broker.request(c.method, c.path, {
      token: c.admin ? ADMIN : token,
      ...(c.raw !== undefined ? { body: c.raw } : {}),
      ...(c.bytes !== undefined ? { body: c.bytes } : {}),
      ...(c.json !== undefined ? { json: c.json } : {}),
    });
    expect([res.status, res.body?.code], res.text).toEqual([c.status, c.code]);
    expect(res.type).toBe("application/problem+json");
    if (c.errors) expect(res.body.errors).toEqual(c.errors);
    if (c.detail) expect(res.body.detail).toBe(c.detail);
    expect(res.text).not.toContain("c4999");
    expect(broker.clusterWrites()).toBe(0);
    expect(broker.storeWrites() - storeBefore).toBe(0);
  });
});
