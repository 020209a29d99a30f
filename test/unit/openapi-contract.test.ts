// The contract checker of the e2e truth test (test/support/openapi-contract.ts) on a small
// document: it honours `allOf` and `additionalProperties` as written (an allOf of two closed
// objects accepts nothing), and flags an undeclared status, media type, parameter or header.
import { describe, expect, it } from "vitest";
import { OpenApiContract } from "../support/openapi-contract.ts";

const closed = (name: string) => ({
  type: "object",
  properties: { [name]: { type: "string" } },
  required: [name],
  additionalProperties: false,
});

const document = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  paths: {
    "/things/{id}": {
      put: {
        operationId: "putThing",
        parameters: [
          {
            name: "id",
            in: "path",
            required: true,
            schema: { type: "string", pattern: "^[a-z]+$" },
          },
          { name: "x-sig", in: "header", required: true, schema: { type: "string" } },
        ],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/Body" } } },
        },
        responses: {
          200: {
            description: "ok",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Both" } } },
          },
          405: {
            description: "no",
            headers: { Allow: { required: true, schema: { type: "string" } } },
            content: { "application/problem+json": { schema: closed("code") } },
          },
        },
      },
    },
  },
  components: { schemas: { Body: closed("name"), Both: { allOf: [closed("a"), closed("b")] } } },
};

const answer = (status: number, body: unknown, type = "application/json", more = {}) => ({
  status,
  headers: new Headers({ "content-type": type, ...more }),
  text: JSON.stringify(body),
});

describe("the OpenAPI contract checker", () => {
  const contract = new OpenApiContract(document);

  it("accepts a request the document describes, and names what is wrong with others", () => {
    const ok = { params: { id: "abc" }, headers: { "X-Sig": "s" }, json: { name: "n" } };
    expect(contract.request("putThing", ok)).toEqual([]);
    expect(contract.url("putThing", { id: "a b" }, { q: "1" })).toBe("/things/a%20b?q=1");
    expect(
      contract.request("putThing", {
        params: { id: "ABC" },
        query: { extra: "1" },
        json: { name: "n", more: 1 },
      }),
    ).toEqual([
      'path parameter id: (root) must match pattern "^[a-z]+$"',
      "header parameter x-sig is missing",
      "query parameter extra is not in the document",
      "body (root) must NOT have additional properties (more)",
    ]);
    expect(
      contract.request("putThing", {
        ...ok,
        body: "x",
        json: undefined,
        contentType: "text/plain",
      }),
    ).toEqual(["the body's media type text/plain is not one of application/json"]);
  });

  it("an allOf of two closed objects matches no answer at all", () => {
    const problems = [{ a: "1", b: "2" }, { a: "1" }, { b: "2" }].map((body) =>
      contract.answer("putThing", answer(200, body)),
    );
    expect(problems).toEqual([
      [
        "body (root) must NOT have additional properties (b)",
        "body (root) must NOT have additional properties (a)",
      ],
      [
        "body (root) must have required property 'b'",
        "body (root) must NOT have additional properties (a)",
      ],
      [
        "body (root) must have required property 'a'",
        "body (root) must NOT have additional properties (b)",
      ],
    ]);
  });

  it("flags an undeclared status, a media type, a missing declared header", () => {
    expect(contract.answer("putThing", answer(207, {}))).toEqual(["status 207 is not declared"]);
    expect(contract.answer("putThing", answer(405, { code: "x" }, "application/json"))).toEqual([
      "header Allow is missing",
      "media type application/json is not one of application/problem+json",
    ]);
    expect(
      contract.answer(
        "putThing",
        answer(405, { code: "x" }, "application/problem+json", { allow: "GET" }),
      ),
    ).toEqual([]);
  });
});
