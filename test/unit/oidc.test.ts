// The broker's GitHub OIDC verification against a local issuer with its own keys (real HTTP,
// real JWKS, real RS256), and the claim bindings.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { authorize } from "../../functions/auth/authorize.ts";
import type { Caller } from "../../functions/auth/caller.ts";
import {
  clearOidcCaches,
  type GithubClaims,
  looksLikeJwt,
  OidcError,
  verifyGithubToken,
} from "../../functions/auth/oidc.ts";
import {
  bindingMatches,
  grantFor,
  type OidcBinding,
  oidcBindingInputSchema,
} from "../../functions/auth/oidc-bindings.ts";
import { ApiError } from "../../functions/problem.ts";
import { OidcBindingStore } from "../../functions/store/oidc-bindings.ts";
import { MemoryRecordStore } from "../../functions/store/records.ts";
import { LocalOidcIssuer, type TokenFault } from "../support/oidc-issuer.ts";

let issuer: LocalOidcIssuer;
const AUD = "konduktor-broker";

beforeAll(async () => {
  issuer = await LocalOidcIssuer.start();
});
afterAll(async () => {
  await issuer.stop();
});
beforeEach(() => clearOidcCaches());

const settings = () => ({ issuer: issuer.issuer, audience: AUD });

async function failure(fault: TokenFault | undefined, token?: string): Promise<OidcError> {
  const t = token ?? (await issuer.mint({ claims: { repository: "acme/train" }, fault }, AUD));
  try {
    await verifyGithubToken(t, settings());
  } catch (error) {
    expect(error).toBeInstanceOf(OidcError);
    expect((error as Error).message).not.toContain(t);
    return error as OidcError;
  }
  throw new Error("expected the token to be refused");
}

describe("GitHub OIDC verification", () => {
  it("accepts a good token and returns its GitHub claims", async () => {
    const token = await issuer.mint(
      { claims: { repository: "acme/train", environment: "prod" } },
      AUD,
    );
    expect(looksLikeJwt(token)).toBe(true);
    expect(looksLikeJwt("kb_0123456789abcdef")).toBe(false);
    const claims = await verifyGithubToken(token, settings());
    expect(claims).toMatchObject({
      iss: issuer.issuer,
      aud: AUD,
      repository: "acme/train",
      repository_owner: "acme",
      ref: "refs/heads/main",
      environment: "prod",
      sub: "repo:acme/train:environment:prod",
    });
  });

  it.each([
    ["wrong-audience", "audience", /audience check failed.*"someone-else".*"konduktor-broker"/],
    ["expired", "expiry", /expiry check failed: the token expired at/],
    ["not-yet-valid", "not_before", /not-before check failed/],
    ["wrong-issuer", "issuer", /issuer check failed.*example\.invalid/],
    ["bad-signature", "signature", /signature check failed: the token's signature does not verify/],
    ["unknown-key", "signature", /signature check failed: .*key the issuer does not publish/],
  ] as const)("refuses a token with fault %s (check %s)", async (fault, check, message) => {
    const error = await failure(fault);
    expect(error.check).toBe(check);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(message);
  });

  it("cuts an unverified issuer or audience to 100 characters in the message", async () => {
    const long = `https://${"x".repeat(5000)}.example`;
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const foreign = await failure(
      undefined,
      `${part({ alg: "RS256", typ: "JWT" })}.${part({ iss: long, aud: AUD, sub: "x" })}.c2ln`,
    );
    expect(foreign.message).toBe(
      `issuer check failed: the token was issued by ${JSON.stringify(long).slice(0, 99)}…, this broker accepts ${issuer.issuer} (broker setting GITHUB_OIDC_ISSUER)`,
    );
    const aud = "a".repeat(5000);
    const wrongAud = await failure(
      undefined,
      await issuer.mint({ claims: { repository: "acme/train" } }, aud),
    );
    expect(wrongAud.message).toBe(
      `audience check failed: the token is for "${"a".repeat(98)}…, this broker accepts "konduktor-broker"; set the Action's audience input to match (broker setting GITHUB_OIDC_AUDIENCE)`,
    );
  });

  it("refuses garbage as malformed", async () => {
    expect((await failure(undefined, "not.a.jwt")).check).toBe("malformed");
  });

  it("accepts any of several audiences", async () => {
    const token = await issuer.mint({ claims: { repository: "acme/train" } }, "other-aud");
    await expect(
      verifyGithubToken(token, { issuer: issuer.issuer, audience: [AUD, "other-aud"] }),
    ).resolves.toMatchObject({ aud: "other-aud" });
  });

  it("caches the discovery document and the JWKS across verifications", async () => {
    const before = issuer.requests.length;
    for (let i = 0; i < 5; i++) {
      const token = await issuer.mint({ claims: { repository: "acme/train" } }, AUD);
      await verifyGithubToken(token, settings());
    }
    const served = issuer.requests.slice(before).map((r) => r.path);
    expect(served).toEqual(["/.well-known/openid-configuration", "/.well-known/jwks"]);
  });

  it("says the issuer is unreachable as a jwks problem (503), not a bad token", async () => {
    const token = await issuer.mint({ claims: { repository: "acme/train" } }, AUD);
    const error = await verifyGithubToken(token, {
      ...settings(),
      fetch: (async () => {
        throw new TypeError("fetch failed");
      }) as typeof fetch,
    }).catch((e: OidcError) => e);
    expect(error).toBeInstanceOf(OidcError);
    expect((error as OidcError).check).toBe("jwks");
    expect((error as OidcError).status).toBe(503);
  });
});

function binding(match: OidcBinding["match"], extra: Partial<OidcBinding> = {}): OidcBinding {
  return {
    id: "b1",
    match,
    owners: ["0a1b2c3d"],
    clusters: ["alpha"],
    rights: { write: true, read: true, listAllUsers: false },
    createdAt: "",
    updatedAt: "",
    ...extra,
  };
}

const claims = (c: Partial<GithubClaims>): GithubClaims =>
  ({
    iss: "x",
    sub: "repo:acme/train:ref:refs/heads/main",
    repository: "acme/train",
    repository_owner: "acme",
    ref: "refs/heads/main",
    workflow: "Deploy",
    ...c,
  }) as GithubClaims;

describe("OIDC bindings", () => {
  it("match exact values and GitHub-style globs", () => {
    expect(bindingMatches(binding({ repository: "acme/train" }), claims({}))).toBe(true);
    expect(bindingMatches(binding({ repository: "ACME/Train" }), claims({}))).toBe(true);
    expect(bindingMatches(binding({ repository: "acme/*" }), claims({}))).toBe(true);
    expect(bindingMatches(binding({ repository: "acme/other" }), claims({}))).toBe(false);
    const release = binding({ repository: "acme/train", ref: "refs/heads/release/*" });
    expect(bindingMatches(release, claims({ ref: "refs/heads/release/1.2" }))).toBe(true);
    expect(bindingMatches(release, claims({ ref: "refs/heads/release/1/x" }))).toBe(false);
    expect(bindingMatches(release, claims({ ref: "refs/heads/main" }))).toBe(false);
    const deep = binding({ repository: "acme/train", ref: "refs/heads/**" });
    expect(bindingMatches(deep, claims({ ref: "refs/heads/a/b/c" }))).toBe(true);
    const env = binding({ repository: "acme/train", environment: "prod*" });
    expect(bindingMatches(env, claims({ environment: "production" }))).toBe(true);
    expect(bindingMatches(env, claims({}))).toBe(false); // no environment claim, no match
    const wf = binding({ repository: "acme/train", workflow: "Deploy" });
    expect(bindingMatches(wf, claims({ workflow: "deploy" }))).toBe(false);
  });

  it("keep one grant per matching binding (never merged), and name the claims when none matches", () => {
    const grant = grantFor(claims({ environment: "prod" }), [
      binding(
        { repository: "acme/*" },
        {
          id: "org",
          clusters: ["alpha"],
          rights: { write: true, read: false, listAllUsers: false },
        },
      ),
      binding(
        { repository: "acme/train", environment: "prod" },
        {
          id: "prod",
          owners: ["ffffffff"],
          clusters: ["beta", "alpha"],
          rights: { write: false, read: true, listAllUsers: false },
        },
      ),
      binding({ repository: "other/*" }, { id: "other", clusters: "all" }),
    ]);
    expect(grant).toEqual({
      id: "oidc:acme/train@refs/heads/main env:prod",
      grants: [
        {
          owners: ["0a1b2c3d"],
          clusters: ["alpha"],
          rights: { write: true, read: false, listAllUsers: false },
        },
        {
          owners: ["ffffffff"],
          clusters: ["alpha", "beta"],
          rights: { write: false, read: true, listAllUsers: false },
        },
      ],
      // the union: display only
      owners: ["0a1b2c3d", "ffffffff"],
      clusters: ["alpha", "beta"],
      rights: { write: true, read: true, listAllUsers: false },
      bindings: ["org", "prod"],
    });
    let error: unknown;
    try {
      grantFor(claims({ repository: "evil/repo" }), [binding({ repository: "acme/*" })]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OidcError);
    expect((error as OidcError).check).toBe("binding");
    expect((error as OidcError).status).toBe(403);
    expect((error as Error).message).toMatch(
      /binding check failed: no OIDC binding for repository evil\/repo, ref refs\/heads\/main/,
    );
  });

  describe("several matching bindings: a request needs ONE binding covering owner, right and every cluster", () => {
    const X = "0a1b2c3d";
    const Y = "ffffffff";
    const REGISTERED = ["alpha", "beta", "gamma"];
    // A: owner X may write (not read) on alpha; B: owner Y may read (not write) on alpha and beta
    const A = binding(
      { repository: "acme/train" },
      {
        id: "a",
        owners: [X],
        clusters: ["alpha"],
        rights: { write: true, read: false, listAllUsers: false },
      },
    );
    const B = binding(
      { repository: "acme/train" },
      {
        id: "b",
        owners: [Y],
        clusters: ["alpha", "beta"],
        rights: { write: false, read: true, listAllUsers: false },
      },
    );
    /** A fresh caller (one per request), then the checks in the order the routes make them. */
    function decide(
      bindings: OidcBinding[],
      right: "write" | "read" | "listAllUsers",
      owner: string | undefined | null,
      clusters?: string[],
    ): { owner: string | null; clusters: string[] } | string {
      const g = grantFor(claims({}), bindings);
      const caller: Caller = {
        id: g.id,
        kind: "oidc",
        owners: g.owners,
        clusters: g.clusters,
        rights: g.rights,
        grants: g.grants,
      };
      try {
        const scope = authorize(
          caller,
          { right, owners: owner === null ? "every" : { one: owner }, clusters },
          REGISTERED,
        );
        const picked = scope.owners === "every" ? null : (scope.owners[0] as string);
        return { owner: picked, clusters: [...scope.clusters] };
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        return `${(error as ApiError).code}: ${(error as Error).message}`;
      }
    }

    it("allows what one binding allows", () => {
      expect(decide([A, B], "write", X)).toEqual({ owner: X, clusters: ["alpha"] });
      expect(decide([A, B], "write", undefined)).toEqual({ owner: X, clusters: ["alpha"] });
      expect(decide([A, B], "read", Y, ["beta", "alpha"])).toEqual({
        owner: Y,
        clusters: ["beta", "alpha"],
      });
      expect(decide([A, B], "read", undefined)).toEqual({ owner: Y, clusters: ["alpha", "beta"] });
    });

    it("escape 1: the owner of a read-only binding with another binding's write right", () => {
      expect(decide([A, B], "write", Y)).toBe(
        `forbidden: this credential may not act for owner ${Y}: it may act for ${X} (give one of those as owner)`,
      );
    });

    it("escape 2: writing as X on a cluster only a binding for another owner names", () => {
      expect(decide([A, B], "write", X, ["beta"])).toBe(
        "forbidden: this credential may not use cluster beta",
      );
      expect(decide([A, B], "write", X, ["alpha", "beta"])).toBe(
        "forbidden: this credential may not use cluster beta",
      );
    });

    it("escape 3: reading as X (A gives X write only; B's read is for Y)", () => {
      expect(decide([A, B], "read", X)).toBe(
        `forbidden: this credential may not act for owner ${X}: it may act for ${Y} (give one of those as owner)`,
      );
    });

    it("escape 4: all clusters = per owner and right, the union over the bindings that cover both", () => {
      const A2 = { ...A, id: "a2", clusters: ["gamma"] };
      // X may write on alpha (A) and gamma (A2), not on beta (B's, for Y and read only)
      expect(decide([A, A2, B], "write", X)).toEqual({ owner: X, clusters: ["alpha", "gamma"] });
      // one request naming clusters of two bindings: no single binding covers both
      expect(decide([A, A2, B], "write", X, ["alpha", "gamma"])).toBe(
        `forbidden: this credential may not use clusters alpha, gamma in one request for owner ${X}: no single OIDC binding covers them all; name the clusters of one binding per request`,
      );
      expect(decide([A, A2, B], "write", X, ["gamma"])).toEqual({ owner: X, clusters: ["gamma"] });
    });

    it("once the owner is chosen, other owners of the remaining bindings no longer limit the clusters", () => {
      const W = { write: true, read: false, listAllUsers: false };
      // AB: owners X and Y write on alpha; XB: owner X writes on beta
      const AB = { ...A, id: "ab", owners: [X, Y], clusters: ["alpha"], rights: W };
      const XB = { ...A, id: "xb", owners: [X], clusters: ["beta"], rights: W };
      expect(decide([AB, XB], "write", X)).toEqual({ owner: X, clusters: ["alpha", "beta"] });
      expect(decide([AB, XB], "write", X, ["beta"])).toEqual({ owner: X, clusters: ["beta"] });
      expect(decide([AB, XB], "write", Y, ["beta"])).toBe(
        "forbidden: this credential may not use cluster beta",
      );
    });

    it("escape 5: listing every user's secrets on clusters only another binding names", () => {
      const L = {
        ...A,
        id: "l",
        clusters: ["gamma"],
        rights: { write: false, read: false, listAllUsers: true },
      };
      expect(decide([L, B], "listAllUsers", null)).toEqual({ owner: null, clusters: ["gamma"] });
      expect(decide([L, B], "listAllUsers", null, ["alpha"])).toBe(
        "forbidden: this credential may not use cluster alpha",
      );
      expect(decide([A, B], "listAllUsers", null)).toBe(
        "forbidden: this credential may not list the secrets of all users",
      );
    });
  });

  it("refuse a binding for every repository on GitHub", () => {
    const base = { id: "x", owners: ["0a1b2c3d"] };
    for (const repository of ["*", "*/*", "**", "**/*", "*/train", "acme", "a/b/c"]) {
      expect(oidcBindingInputSchema.safeParse({ ...base, match: { repository } }).success).toBe(
        false,
      );
    }
    expect(
      oidcBindingInputSchema.safeParse({ ...base, match: { repository: "acme/*" } }).success,
    ).toBe(true);
  });

  it("are stored one record each, listed with one read per OIDC request", async () => {
    const shard = new MemoryRecordStore();
    let reads = 0;
    const list = shard.list.bind(shard);
    shard.list = async (...args) => {
      reads++;
      return await list(...args);
    };
    const store = new OidcBindingStore(shard);
    const input = {
      id: "b",
      match: { repository: "acme/train" },
      owners: ["0a1b2c3d"],
      clusters: "all" as const,
      rights: { write: true, read: true, listAllUsers: false },
    };
    expect((await store.put(input)).created).toBe(true);
    expect((await store.put({ ...input, id: "a" })).created).toBe(true);
    expect((await store.put(input)).created).toBe(false);
    reads = 0;
    expect((await store.list()).map((b) => b.id)).toEqual(["a", "b"]);
    expect(reads).toBe(1);
    expect(await store.delete("a")).toBe(true);
    expect(await store.delete("a")).toBe(false);
    expect((await store.list()).map((b) => b.id)).toEqual(["b"]);
    expect((await shard.list("")).map((r) => r.key)).toEqual(["oidc-binding:b"]);
  });
});
