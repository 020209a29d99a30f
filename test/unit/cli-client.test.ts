// The typed client (konduktor/wire/client.ts) shared by the CLI and the Action: requests checked
// with the wire schemas before anything is sent, answers read with them (the per-cluster results
// one by one, whatever the status), problems turned into one value-free line.
import { describe, expect, it } from "vitest";
import {
  BrokerClient,
  brokerUrlProblem,
  problemMessage,
  RequestInvalid,
} from "../../konduktor/wire/client.ts";

function fakeFetch(answers: { status: number; body?: unknown }[]) {
  const calls: { url: string; method: string; body: unknown }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: init.method ?? "GET",
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    });
    const a = answers.shift() ?? { status: 500 };
    return new Response(a.body === undefined ? "" : JSON.stringify(a.body), { status: a.status });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

describe("the typed broker client", () => {
  it("refuses a request the broker would refuse, with its messages, before sending", async () => {
    const f = fakeFetch([]);
    const client = new BrokerClient({ url: "https://b.example", token: "t", fetch: f.fetch });
    const error = await client
      .putSecret("x", {
        kind: "env",
        source: { type: "inline", pairs: {} },
        clusters: [],
        mode: "upsert" as unknown as "merge",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestInvalid);
    expect((error as RequestInvalid).problems).toEqual([
      { field: "clusters", message: "clusters, when given, names at least one cluster" },
      { field: "mode", message: 'mode must be "merge" or "replace"' },
    ]);
    expect(f.calls).toEqual([]);
  });

  it("reads a 207's results entry by entry, and a problem that carries results", async () => {
    const f = fakeFetch([
      {
        status: 207,
        body: {
          results: [
            { cluster: "a", status: "created", added: ["K"], extra: "ignored" },
            { cluster: "b", status: "error", code: "timeout", message: "no answer within 4000 ms" },
            "not an object",
          ],
        },
      },
    ]);
    const client = new BrokerClient({ url: "https://b.example/", token: "t", fetch: f.fetch });
    const reply = await client.putSecret("x", { source: { type: "inline", pairs: { K: "v" } } });
    expect(f.calls.map((c) => [c.method, c.url])).toEqual([
      ["PUT", "https://b.example/v1/secrets/x"],
    ]);
    expect(reply.status).toBe(207);
    expect(reply.answer).toBeNull();
    expect(reply.mismatch).toEqual(["name", "owner", "kind", "secretName", "mode"]);
    expect(reply.results).toEqual([
      { cluster: "a", status: "created", added: ["K"] },
      { cluster: "b", status: "error", code: "timeout", message: "no answer within 4000 ms" },
      {},
    ]);
  });

  it("a problem is one line: the detail, and the fields it does not already name", () => {
    const base = { type: "t", title: "x", status: 400, code: "invalid_input", requestId: "r" };
    expect(
      problemMessage({
        ...base,
        detail: "the request is not valid: kind: bad kind",
        errors: [{ field: "kind", message: "bad kind" }],
      }),
    ).toBe("the request is not valid: kind: bad kind");
    expect(
      problemMessage({
        ...base,
        detail: "the secret is not valid: key is bad",
        errors: [{ field: "source.pairs.A-B", message: "key is bad" }],
      }),
    ).toBe("the secret is not valid: key is bad; source.pairs.A-B: key is bad");
    expect(problemMessage(null)).toBeNull();
  });

  it.each([
    ["https://broker.example.com", null],
    ["http://127.0.0.1:8787", null],
    ["http://localhost:8787", null],
    ["http://[::1]:8787", null],
    [
      "http://10.0.0.5:8787",
      "refusing to send a token in clear text to 10.0.0.5:8787: use https:// (http: only for this machine: localhost, 127.0.0.1, ::1)",
    ],
    ["ftp://b.example", "the broker URL must be http(s): ftp: is not"],
    [
      "https://u:p@b.example",
      "the broker URL must not hold a user name or password: give the token with login",
    ],
    [
      "b.example",
      "b.example is not a URL: give the broker's base URL, like https://broker.example.com",
    ],
  ])("broker URL %s", (url, problem) => {
    expect(brokerUrlProblem(url)).toBe(problem);
  });
});
