/**
 * The typed broker client shared by the CLI and the Action's broker mode. Requests are checked
 * with the wire schemas before anything is sent (the broker's own messages, no network); answers
 * are read with the same schemas: the typed answer when it matches the contract, the problem
 * details when the broker refused, and the per-cluster `results` read entry by entry whatever the
 * status (a 207, or a problem that carries them), so a partial answer still says which cluster
 * did what.
 */
import { type ZodType, z } from "zod";
import {
  ClusterInfoSchema,
  ClusterListAnswer,
  CreatedHookSchema,
  CreateHookBody,
  type CreateHookRequest,
  HealthSchema,
  HookInfoSchema,
  HookListAnswer,
  IssuedTokenSchema,
  IssueTokenBody,
  type IssueTokenRequest,
  OidcBindingBody,
  OidcBindingListAnswer,
  type OidcBindingRequest,
  OidcBindingSchema,
  RegisterClusterBody,
  type RegisterClusterRequest,
  TokenInfoSchema,
  TokenListAnswer,
  WhoamiAnswer,
} from "./admin.ts";
import { exchange, type HttpOptions, type RawReply } from "./http.ts";
import {
  JobTokenAnswer,
  JobTokenBody,
  JobTokenListAnswer,
  type JobTokenRequest,
  JobTokenRevokedAnswer,
} from "./job-tokens.ts";
import { type FieldProblem, type Problem, ProblemSchema } from "./problem.ts";
import {
  ApplyOkResult,
  DeleteAnswer,
  DeletedResult,
  DescribeAnswer,
  ErrorResult,
  ListAnswer,
  ListOkResult,
  PutAnswer,
  PutSecretBody,
  type PutSecretRequest,
} from "./secrets.ts";
import { SyncAnswer, SyncRequestBody, type SyncRequestInput } from "./sync.ts";

export { BrokerUnreachable, brokerUrlProblem, type HttpOptions } from "./http.ts";

/** A failed cluster's entry as read: every field optional (an older or newer broker, a proxy). */
const LooseError = ErrorResult.partial().extend({ status: z.string().optional() });

export const LooseApplyResult = z.union([
  ApplyOkResult.partial().required({ status: true }),
  LooseError,
]);
export const LooseDeleteResult = z.union([
  DeletedResult.partial().required({ status: true }),
  LooseError,
]);
export const LooseListResult = z.union([
  ListOkResult.partial().required({ status: true }),
  LooseError,
]);

export type LooseApplyResultT = z.infer<typeof LooseApplyResult>;
export type LooseDeleteResultT = z.infer<typeof LooseDeleteResult>;
export type LooseListResultT = z.infer<typeof LooseListResult>;

export interface Reply<T, R = never> {
  status: number;
  /** 2xx */
  ok: boolean;
  /** the JSON body as the broker sent it (for `-o json`); undefined when not JSON */
  raw: unknown;
  /** the answer, when the status is 2xx and the body matches the contract */
  answer: T | null;
  /** the problem details, when the status is not 2xx and the body is one */
  problem: Problem | null;
  /** per-cluster results read one by one, or null when the body has no `results` list */
  results: R[] | null;
  /** a 2xx body that does not match the contract: the fields that do not (empty otherwise) */
  mismatch: string[];
  requestId: string | null;
}

/** A request the broker would refuse: the same field problems, found before sending anything. */
export class RequestInvalid extends Error {
  override readonly name = "RequestInvalid";
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join("; "));
    this.problems = problems;
  }
}

function checked<T>(schema: ZodType<T>, body: unknown): void {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new RequestInvalid(
      r.error.issues.map((i) => ({
        field: i.path.map(String).join(".") || "(body)",
        message: i.message,
      })),
    );
  }
}

function read<T, R>(raw: RawReply, schema: ZodType<T>, result?: ZodType<R>): Reply<T, R> {
  const ok = raw.status >= 200 && raw.status < 300;
  const parsed = ok && raw.body !== undefined ? schema.safeParse(raw.body) : null;
  const problem = ok ? null : ProblemSchema.safeParse(raw.body);
  const list = (raw.body as { results?: unknown } | undefined)?.results;
  return {
    status: raw.status,
    ok,
    raw: raw.body,
    answer: parsed?.success ? parsed.data : null,
    problem: problem?.success ? problem.data : null,
    results:
      result && Array.isArray(list)
        ? list.map((entry) => {
            const r = result.safeParse(entry);
            return r.success ? r.data : ({} as R);
          })
        : null,
    mismatch:
      parsed && !parsed.success
        ? parsed.error.issues.slice(0, 5).map((i) => i.path.map(String).join(".") || "(body)")
        : [],
    requestId: raw.headers.get("x-request-id"),
  };
}

/**
 * A short, value-free message from a problem: its detail and field problems (at most 10), one
 * line, at most 600 characters. Null when there is no problem.
 */
export function problemMessage(problem: Problem | null): string | null {
  if (!problem) return null;
  const fields = (problem.errors ?? []).slice(0, 10).map((f) => `${f.field}: ${f.message}`);
  const detailNamesFields = fields.every((f) => problem.detail.includes(f));
  const message = [problem.detail, ...(detailNamesFields ? [] : fields)]
    .join("; ")
    .replace(/\s+/g, " ");
  return message.length > 600 ? `${message.slice(0, 599)}…` : message;
}

const enc = encodeURIComponent;

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export interface SecretScope {
  owner?: string;
  clusters?: readonly string[];
}

export class BrokerClient {
  readonly options: HttpOptions;
  constructor(options: HttpOptions) {
    this.options = options;
  }

  private async call<T, R>(
    method: string,
    path: string,
    json: unknown,
    schema: ZodType<T>,
    result?: ZodType<R>,
  ): Promise<Reply<T, R>> {
    return read(await exchange(this.options, method, path, json), schema, result);
  }

  // ---------- secrets ----------

  async putSecret(name: string, body: PutSecretRequest) {
    checked(PutSecretBody, body);
    return await this.call("PUT", `/v1/secrets/${enc(name)}`, body, PutAnswer, LooseApplyResult);
  }

  async listSecrets(scope: SecretScope & { all?: boolean } = {}) {
    const q = query({
      owner: scope.owner,
      all: scope.all ? "true" : undefined,
      clusters: scope.clusters?.join(","),
    });
    return await this.call("GET", `/v1/secrets${q}`, undefined, ListAnswer, LooseListResult);
  }

  async describeSecret(name: string, scope: SecretScope = {}) {
    const q = query({ owner: scope.owner, clusters: scope.clusters?.join(",") });
    return await this.call("GET", `/v1/secrets/${enc(name)}${q}`, undefined, DescribeAnswer);
  }

  async deleteSecret(name: string, scope: SecretScope = {}) {
    const q = query({ owner: scope.owner, clusters: scope.clusters?.join(",") });
    return await this.call(
      "DELETE",
      `/v1/secrets/${enc(name)}${q}`,
      undefined,
      DeleteAnswer,
      LooseDeleteResult,
    );
  }

  async sync(body: SyncRequestInput) {
    checked(SyncRequestBody, body);
    return await this.call("POST", "/v1/sync", body, SyncAnswer);
  }

  async whoami() {
    return await this.call("GET", "/v1/whoami", undefined, WhoamiAnswer);
  }

  // ---------- admin: clusters ----------

  async registerCluster(name: string, body: RegisterClusterRequest) {
    checked(RegisterClusterBody, body);
    return await this.call("PUT", `/v1/clusters/${enc(name)}`, body, ClusterInfoSchema);
  }
  async listClusters() {
    return await this.call("GET", "/v1/clusters", undefined, ClusterListAnswer);
  }
  async clusterHealth(name: string) {
    return await this.call("GET", `/v1/clusters/${enc(name)}/health`, undefined, HealthSchema);
  }
  async removeCluster(name: string) {
    return await this.call("DELETE", `/v1/clusters/${enc(name)}`, undefined, z.unknown());
  }

  // ---------- admin: tokens ----------

  async issueToken(body: IssueTokenRequest) {
    checked(IssueTokenBody, body);
    return await this.call("POST", "/v1/tokens", body, IssuedTokenSchema);
  }
  async listTokens() {
    return await this.call("GET", "/v1/tokens", undefined, TokenListAnswer);
  }
  async revokeToken(id: string) {
    return await this.call("DELETE", `/v1/tokens/${enc(id)}`, undefined, TokenInfoSchema);
  }

  // ---------- admin: job tokens ----------

  async putJobToken(owner: string, body: JobTokenRequest) {
    checked(JobTokenBody, body);
    return await this.call(
      "PUT",
      `/v1/job-tokens/${enc(owner)}`,
      body,
      JobTokenAnswer,
      LooseApplyResult,
    );
  }
  async listJobTokens() {
    return await this.call("GET", "/v1/job-tokens", undefined, JobTokenListAnswer);
  }
  async revokeJobToken(owner: string) {
    return await this.call(
      "DELETE",
      `/v1/job-tokens/${enc(owner)}`,
      undefined,
      JobTokenRevokedAnswer,
      LooseDeleteResult,
    );
  }

  // ---------- admin: webhooks ----------

  async createHook(body: CreateHookRequest) {
    checked(CreateHookBody, body);
    return await this.call("POST", "/v1/hooks", body, CreatedHookSchema);
  }
  async listHooks() {
    return await this.call("GET", "/v1/hooks", undefined, HookListAnswer);
  }
  async getHook(id: string) {
    return await this.call("GET", `/v1/hooks/${enc(id)}`, undefined, HookInfoSchema);
  }
  async deleteHook(id: string) {
    return await this.call("DELETE", `/v1/hooks/${enc(id)}`, undefined, z.unknown());
  }

  // ---------- admin: GitHub OIDC bindings ----------

  async putOidcBinding(id: string, body: OidcBindingRequest) {
    checked(OidcBindingBody, body);
    return await this.call("PUT", `/v1/oidc-bindings/${enc(id)}`, body, OidcBindingSchema);
  }
  async listOidcBindings() {
    return await this.call("GET", "/v1/oidc-bindings", undefined, OidcBindingListAnswer);
  }
  async deleteOidcBinding(id: string) {
    return await this.call("DELETE", `/v1/oidc-bindings/${enc(id)}`, undefined, z.unknown());
  }
}
