/**
 * Test harness: holds requests and answers to an OpenAPI 3.1 document with ajv (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1: `allOf`, `oneOf` and `additionalProperties` as written) and
 * ajv-formats. Schemas are compiled by reference into the document, so `$ref`s resolve as a client
 * generator would resolve them.
 *
 *   const contract = new OpenApiContract(await (await fetch(`${url}/v1/openapi.json`)).json());
 *   contract.request("putSecret", { params: { name: "db" }, json: { … } });  // [] or problems
 *   contract.answer("putSecret", { status, headers, text });                // [] or problems
 *
 * A request's problems are what the document says is wrong with it (a parameter, a header, the
 * body, a query parameter it does not list); an answer's, a status it does not declare, a media
 * type it does not list, a body or a declared header its schema refuses.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export interface ContractRequest {
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** the JSON body (absent: none); its media type is application/json unless `contentType` says */
  json?: unknown;
  /** a raw body, for bodies that are not JSON */
  body?: string;
  contentType?: string;
}

export interface ContractAnswer {
  status: number;
  headers: Headers;
  text: string;
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: object;
}

interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: object }> };
  responses: Record<
    string,
    {
      content?: Record<string, { schema?: object }>;
      headers?: Record<string, { required?: boolean; schema?: object }>;
    }
  >;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

/** A JSON pointer to a place in the document, as a URI fragment. */
function pointer(segments: readonly string[]): string {
  return `#/${segments
    .map((s) => encodeURIComponent(s.replaceAll("~", "~0").replaceAll("/", "~1")))
    .join("/")}`;
}

const mediaType = (header: string | null | undefined) =>
  (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

export class OpenApiContract {
  readonly document: Document;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** operationId → method, path template, operation */
  readonly operations = new Map<string, { method: string; path: string; operation: Operation }>();

  constructor(document: unknown) {
    this.document = document as Document;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, "openapi");
    for (const [path, item] of Object.entries(this.document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const id = operation.operationId ?? `${method.toUpperCase()} ${path}`;
        this.operations.set(id, { method, path, operation });
      }
    }
  }

  /** The path of an operation with its parameters filled in. */
  url(
    operationId: string,
    params: Record<string, string> = {},
    query: Record<string, string> = {},
  ) {
    const { path } = this.get(operationId);
    const filled = path.replace(/\{([^}]+)\}/g, (_, n: string) =>
      encodeURIComponent(params[n] ?? ""),
    );
    const q = new URLSearchParams(query).toString();
    return q ? `${filled}?${q}` : filled;
  }

  get(operationId: string) {
    const found = this.operations.get(operationId);
    if (!found) throw new Error(`the document has no operation ${operationId}`);
    return found;
  }

  private check(segments: readonly string[], value: unknown): string[] {
    const ref = pointer(segments);
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi${ref}` });
      this.compiled.set(ref, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || "(root)"} ${e.message ?? "is not valid"}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
    );
  }

  /** What the document says is wrong with a request (empty: the document accepts it). */
  request(operationId: string, req: ContractRequest): string[] {
    const { method, path, operation } = this.get(operationId);
    const base = ["paths", path, method];
    const problems: string[] = [];
    const given: Record<string, Record<string, string>> = {
      path: req.params ?? {},
      query: req.query ?? {},
      header: Object.fromEntries(
        Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    };
    const declared = operation.parameters ?? [];
    for (const [i, p] of declared.entries()) {
      const where = given[p.in] ?? {};
      const value = where[p.in === "header" ? p.name.toLowerCase() : p.name];
      if (value === undefined) {
        if (p.required || p.in === "path") problems.push(`${p.in} parameter ${p.name} is missing`);
        continue;
      }
      for (const problem of this.check([...base, "parameters", String(i), "schema"], value)) {
        problems.push(`${p.in} parameter ${p.name}: ${problem}`);
      }
    }
    for (const name of Object.keys(given.query ?? {})) {
      if (!declared.some((p) => p.in === "query" && p.name === name)) {
        problems.push(`query parameter ${name} is not in the document`);
      }
    }
    const hasBody = req.json !== undefined || req.body !== undefined;
    const body = operation.requestBody;
    if (!body) {
      if (hasBody) problems.push("the operation takes no body");
      return problems;
    }
    if (!hasBody) {
      if (body.required) problems.push("the body is missing");
      return problems;
    }
    const type = mediaType(req.contentType ?? "application/json");
    if (!body.content[type]) {
      problems.push(`the body's media type ${type} is not one of ${Object.keys(body.content)}`);
      return problems;
    }
    let value: unknown = req.json;
    if (req.json === undefined) {
      try {
        value = JSON.parse(req.body ?? "");
      } catch {
        problems.push("the body is not JSON");
        return problems;
      }
    }
    problems.push(
      ...this.check([...base, "requestBody", "content", type, "schema"], value).map(
        (p) => `body ${p}`,
      ),
    );
    return problems;
  }

  /** What the document says is wrong with an answer (empty: the document describes it). */
  answer(operationId: string, res: ContractAnswer): string[] {
    const { method, path, operation } = this.get(operationId);
    const status = String(res.status);
    const key = operation.responses[status]
      ? status
      : operation.responses.default
        ? "default"
        : null;
    if (key === null) return [`status ${status} is not declared`];
    const declared = operation.responses[key] ?? {};
    const base = ["paths", path, method, "responses", key];
    const problems: string[] = [];
    for (const [name, header] of Object.entries(declared.headers ?? {})) {
      const value = res.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`header ${name} is missing`);
        continue;
      }
      for (const p of this.check([...base, "headers", name, "schema"], value)) {
        problems.push(`header ${name}: ${p}`);
      }
    }
    if (!declared.content) {
      if (res.text !== "") problems.push(`status ${status} declares no body, but one came`);
      return problems;
    }
    const type = mediaType(res.headers.get("content-type"));
    if (!declared.content[type]) {
      return [...problems, `media type ${type} is not one of ${Object.keys(declared.content)}`];
    }
    let value: unknown;
    try {
      value = JSON.parse(res.text);
    } catch {
      return [...problems, "the body is not JSON"];
    }
    return [
      ...problems,
      ...this.check([...base, "content", type, "schema"], value).map((p) => `body ${p}`),
    ];
  }
}
