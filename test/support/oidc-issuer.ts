/**
 * A local GitHub-Actions-shaped OIDC issuer for tests, with its own RSA keys (jose):
 *  - `GET /.well-known/openid-configuration` and `GET /.well-known/jwks` (what the broker reads);
 *  - `GET /token?api-version=2.0&audience=…`: the runner's ACTIONS_ID_TOKEN_REQUEST_URL endpoint.
 *    It checks the `Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` and answers `{ value }`
 *    with a token minted for the workflow profile registered under that request token.
 *
 * Faults make the negative cases: a wrong audience, an expired or not-yet-valid token, a wrong
 * issuer, a bad signature (a foreign key under the published kid) or an unknown key id.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

export type TokenFault =
  | "wrong-audience"
  | "expired"
  | "not-yet-valid"
  | "wrong-issuer"
  | "bad-signature"
  | "unknown-key";

export interface WorkflowProfile {
  /** GitHub claims; `repository` is required, the rest get GitHub-like defaults */
  claims: Partial<GithubTokenClaims> & { repository: string };
  fault?: TokenFault;
}

export interface GithubTokenClaims extends JWTPayload {
  repository: string;
  repository_owner: string;
  repository_id: string;
  repository_owner_id: string;
  ref: string;
  ref_type: string;
  sha: string;
  environment?: string;
  workflow: string;
  workflow_ref: string;
  job_workflow_ref: string;
  event_name: string;
  actor: string;
  run_id: string;
  run_attempt: string;
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export class LocalOidcIssuer {
  /** every request the issuer served, e.g. to prove the JWKS is cached */
  readonly requests: { method: string; path: string }[] = [];
  /** audiences asked for at the token endpoint */
  readonly audiencesRequested: string[] = [];
  private readonly profiles = new Map<string, WorkflowProfile>();

  private readonly server: Server;
  readonly url: string;
  private readonly key: KeyPair;
  private readonly foreignKey: KeyPair;
  private readonly jwk: JWK;
  readonly kid: string;

  private constructor(
    server: Server,
    url: string,
    key: KeyPair,
    foreignKey: KeyPair,
    jwk: JWK,
    kid: string,
  ) {
    this.server = server;
    this.url = url;
    this.key = key;
    this.foreignKey = foreignKey;
    this.jwk = jwk;
    this.kid = kid;
  }

  static async start(): Promise<LocalOidcIssuer> {
    const key = await generateKeyPair("RS256", { extractable: true });
    const foreignKey = await generateKeyPair("RS256", { extractable: true });
    const kid = randomBytes(8).toString("hex");
    const jwk = { ...(await exportJWK(key.publicKey)), kid, alg: "RS256", use: "sig" };
    let self: LocalOidcIssuer | undefined;
    const server = createServer((req, res) => {
      if (!self) return void res.writeHead(503).end();
      self.handle(req.method ?? "GET", req.url ?? "/", req.headers.authorization).then(
        ({ status, body }) => {
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        },
        (error: Error) => res.writeHead(500).end(JSON.stringify({ message: error.message })),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    self = new LocalOidcIssuer(server, `http://127.0.0.1:${port}`, key, foreignKey, jwk, kid);
    return self;
  }

  get issuer(): string {
    return this.url;
  }

  /** The runner's `ACTIONS_ID_TOKEN_REQUEST_URL` (core appends `&audience=…`). */
  get tokenRequestUrl(): string {
    return `${this.url}/token?api-version=2.0`;
  }

  /** Registers a workflow run; returns its `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  register(profile: WorkflowProfile): string {
    const requestToken = randomBytes(24).toString("base64url");
    this.profiles.set(requestToken, profile);
    return requestToken;
  }

  /** The env a job gets with `permissions: id-token: write`. */
  runnerEnv(profile: WorkflowProfile): Record<string, string> {
    return {
      ACTIONS_ID_TOKEN_REQUEST_URL: this.tokenRequestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.register(profile),
    };
  }

  /** Mints a token directly (unit tests of the verifier). */
  async mint(profile: WorkflowProfile, audience: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const c = profile.claims;
    const [owner = "owner"] = c.repository.split("/");
    const ref = c.ref ?? "refs/heads/main";
    const workflowFile = ".github/workflows/deploy.yml";
    const claims: GithubTokenClaims = {
      jti: randomBytes(16).toString("hex"),
      sub: c.environment
        ? `repo:${c.repository}:environment:${c.environment}`
        : `repo:${c.repository}:ref:${ref}`,
      repository_owner: owner,
      repository_id: "123456789",
      repository_owner_id: "987654321",
      ref,
      ref_type: "branch",
      sha: "0123456789abcdef0123456789abcdef01234567",
      workflow: "Deploy",
      workflow_ref: `${c.repository}/${workflowFile}@${ref}`,
      job_workflow_ref: `${c.repository}/${workflowFile}@${ref}`,
      event_name: "push",
      actor: "octocat",
      run_id: "4242",
      run_attempt: "1",
      runner_environment: "github-hosted",
      ...c,
    };
    const fault = profile.fault;
    let iat = now;
    let exp = now + 300;
    let nbf = now - 5;
    if (fault === "expired") {
      iat = now - 3600;
      nbf = now - 3600;
      exp = now - 1800;
    }
    if (fault === "not-yet-valid") {
      iat = now;
      nbf = now + 3600;
      exp = now + 7200;
    }
    const jwt = new SignJWT({ ...claims, nbf })
      .setProtectedHeader({
        alg: "RS256",
        typ: "JWT",
        kid: fault === "unknown-key" ? "not-a-published-kid" : this.kid,
        x5t: this.kid,
      })
      .setIssuer(fault === "wrong-issuer" ? "https://token.actions.example.invalid" : this.url)
      .setAudience(fault === "wrong-audience" ? "someone-else" : audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp);
    const signingKey =
      fault === "bad-signature" || fault === "unknown-key"
        ? this.foreignKey.privateKey
        : this.key.privateKey;
    return await jwt.sign(signingKey);
  }

  private async handle(
    method: string,
    rawUrl: string,
    authorization: string | undefined,
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(rawUrl, this.url);
    this.requests.push({ method, path: url.pathname });
    if (method !== "GET") return { status: 405, body: { message: "GET only" } };
    if (url.pathname === "/.well-known/openid-configuration") {
      return {
        status: 200,
        body: {
          issuer: this.url,
          jwks_uri: `${this.url}/.well-known/jwks`,
          subject_types_supported: ["public", "pairwise"],
          response_types_supported: ["id_token"],
          claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository"],
          id_token_signing_alg_values_supported: ["RS256"],
          scopes_supported: ["openid"],
        },
      };
    }
    if (url.pathname === "/.well-known/jwks") return { status: 200, body: { keys: [this.jwk] } };
    if (url.pathname === "/token") {
      const bearer = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
      const profile = bearer ? this.profiles.get(bearer) : undefined;
      if (!profile) return { status: 401, body: { message: "bad ACTIONS_ID_TOKEN_REQUEST_TOKEN" } };
      const audience =
        url.searchParams.get("audience") ??
        `https://github.com/${profile.claims.repository.split("/")[0]}`;
      this.audiencesRequested.push(audience);
      return { status: 200, body: { count: 1, value: await this.mint(profile, audience) } };
    }
    return { status: 404, body: { message: "not found" } };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
