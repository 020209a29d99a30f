// authorize(caller, request, registered) as a table: API tokens and GitHub OIDC callers with one
// or several bindings, each request's scope or its refusal. Two bindings never combine, and the
// caller is never changed.
import { describe, expect, it } from "vitest";
import {
  type AccessRequest,
  authorize,
  authorizeOwner,
  type Scope,
} from "../../functions/auth/authorize.ts";
import type { Caller, Grant, Rights } from "../../functions/auth/caller.ts";
import { unionOfGrants } from "../../functions/auth/policy.ts";
import { ApiError } from "../../functions/problem.ts";

const A = "0a1b2c3d";
const B = "0b2c3d4e";
const REGISTERED = ["alpha", "beta", "gamma"];
const RW: Rights = { write: true, read: true, listAllUsers: false };
const RO: Rights = { write: false, read: true, listAllUsers: false };
const ALL: Rights = { write: true, read: true, listAllUsers: true };

function token(owners: string[], clusters: string[] | "all", rights: Rights = RW): Caller {
  return { id: "token:t", kind: "token", owners, clusters, rights };
}

function oidc(...grants: Grant[]): Caller {
  return { id: "oidc:acme/train@main", kind: "oidc", ...unionOfGrants(grants), grants };
}

const grant = (owners: string[], clusters: string[] | "all", rights: Rights = RW): Grant => ({
  owners,
  clusters,
  rights,
});

const admin: Caller = {
  id: "admin",
  kind: "admin",
  owners: [],
  clusters: "all",
  rights: { write: false, read: false, listAllUsers: false },
};

type Row = [
  name: string,
  caller: Caller,
  request: AccessRequest,
  expected: Omit<Scope, "source"> | { status: number; code: string; detail: string },
];

const put = (owner?: string, clusters?: string[]): AccessRequest => ({
  right: "write",
  owners: { one: owner },
  clusters,
});

const rows: Row[] = [
  // ---------- API tokens ----------
  [
    "a token for every cluster writes everywhere, placed on all",
    token([A], "all"),
    put(),
    { owners: [A], clusters: REGISTERED, placement: "all" },
  ],
  [
    "a token naming clusters writes there, placed on them",
    token([A], "all"),
    put(A, ["gamma", "alpha"]),
    { owners: [A], clusters: ["gamma", "alpha"], placement: ["alpha", "gamma"] },
  ],
  [
    "a token bound to clusters writes on those, placed on them",
    token([A], ["beta", "alpha"]),
    put(),
    { owners: [A], clusters: ["alpha", "beta"], placement: ["alpha", "beta"] },
  ],
  [
    "a token may not name a cluster it is not bound to",
    token([A], ["alpha"]),
    put(undefined, ["alpha", "beta"]),
    { status: 403, code: "forbidden", detail: "this credential may not use cluster beta" },
  ],
  [
    "an unknown cluster is 404, before the binding is checked",
    token([A], ["alpha"]),
    put(undefined, ["nowhere"]),
    { status: 404, code: "not_found", detail: "no registered cluster named nowhere" },
  ],
  [
    "a token may not act for another owner",
    token([A], "all"),
    put(B),
    {
      status: 403,
      code: "forbidden",
      detail: `this credential may not act for owner ${B}: it may act for ${A} (give one of those as owner)`,
    },
  ],
  [
    "a token with several owners must name one",
    token([A, B], "all"),
    put(),
    {
      status: 400,
      code: "invalid_input",
      detail: `this credential acts for several owners (${A}, ${B}): say which with \`owner\``,
    },
  ],
  [
    "a read-only token may not write",
    token([A], "all", RO),
    put(),
    { status: 403, code: "forbidden", detail: "this credential may not write secrets" },
  ],
  [
    "a read-only token reads",
    token([A], "all", RO),
    { right: "read", owners: { one: undefined } },
    { owners: [A], clusters: REGISTERED, placement: "all" },
  ],
  [
    "listing every user's secrets needs listAllUsers",
    token([A], "all"),
    { right: "listAllUsers", owners: "every" },
    {
      status: 403,
      code: "forbidden",
      detail: "this credential may not list the secrets of all users",
    },
  ],
  [
    "a token with listAllUsers lists every user's, choosing no owner",
    token([A], ["beta"], ALL),
    { right: "listAllUsers", owners: "every" },
    { owners: "every", clusters: ["beta"], placement: ["beta"] },
  ],
  [
    "the admin token never touches secrets",
    admin,
    put(),
    {
      status: 403,
      code: "forbidden",
      detail:
        "the admin token manages clusters and tokens only: use an API token (POST /v1/tokens) to work with secrets",
    },
  ],
  [
    "a sync acts for every owner of the token unless it names some",
    token([B, A], "all"),
    { right: "write", owners: { several: undefined } },
    { owners: [A, B], clusters: REGISTERED, placement: "all" },
  ],
  [
    "a sync may not name an owner outside the token",
    token([A], "all"),
    { right: "read", owners: { several: [A, B] } },
    {
      status: 403,
      code: "forbidden",
      detail: `this credential may not act for owner ${B}: leave owners out to sync all of its owners (${A})`,
    },
  ],
  [
    "a sync's source must be a cluster the token may use",
    token([A], ["alpha"]),
    { right: "write", owners: { several: undefined }, source: "beta" },
    { status: 403, code: "forbidden", detail: "this credential may not use cluster beta" },
  ],
  // ---------- GitHub OIDC: one grant per binding, never combined ----------
  [
    "one binding behaves as a token",
    oidc(grant([A], ["alpha", "beta"])),
    put(),
    { owners: [A], clusters: ["alpha", "beta"], placement: ["alpha", "beta"] },
  ],
  [
    "two bindings never combine: clusters of two bindings in one request are refused",
    oidc(grant([A], ["alpha"]), grant([A], ["beta"])),
    put(undefined, ["alpha", "beta"]),
    {
      status: 403,
      code: "forbidden",
      detail: `this credential may not use clusters alpha, beta in one request for owner ${A}: no single OIDC binding covers them all; name the clusters of one binding per request`,
    },
  ],
  [
    "two bindings never combine: a read-only binding on every cluster adds no write",
    oidc(grant([A], "all", RO), grant([A], ["alpha"])),
    put(),
    { owners: [A], clusters: ["alpha"], placement: ["alpha"] },
  ],
  [
    "two bindings never combine: the read-only binding still reads everywhere",
    oidc(grant([A], "all", RO), grant([A], ["alpha"])),
    { right: "read", owners: { one: A } },
    { owners: [A], clusters: REGISTERED, placement: "all" },
  ],
  [
    "two bindings never combine: one owner's clusters are not another owner's",
    oidc(grant([A], ["alpha"]), grant([B], ["beta"])),
    put(A, ["beta"]),
    { status: 403, code: "forbidden", detail: "this credential may not use cluster beta" },
  ],
  [
    "two bindings never combine: an owner of a read-only binding is not written",
    oidc(grant([A], ["alpha"]), grant([B], ["alpha"], RO)),
    put(B),
    {
      status: 403,
      code: "forbidden",
      detail: `this credential may not act for owner ${B}: it may act for ${A} (give one of those as owner)`,
    },
  ],
  [
    "bindings for two owners: each names its owner",
    oidc(grant([A], ["alpha"]), grant([B], ["beta"])),
    put(B),
    { owners: [B], clusters: ["beta"], placement: ["beta"] },
  ],
  [
    "two bindings never combine: a sync reads its source from the binding it writes with",
    oidc(grant([A], ["alpha"]), grant([A], ["beta"])),
    { right: "write", owners: { several: undefined }, clusters: ["alpha"], source: "beta" },
    {
      status: 403,
      code: "forbidden",
      detail: `this credential may not use clusters alpha, beta in one request for owner ${A}: no single OIDC binding covers them all; name the clusters of one binding per request`,
    },
  ],
  [
    "a sync over several owners writes where a binding of every owner reaches",
    oidc(grant([A], ["alpha", "beta"]), grant([B], ["beta", "gamma"])),
    { right: "write", owners: { several: undefined } },
    { owners: [A, B], clusters: ["beta"], placement: ["beta"] },
  ],
];

describe("authorize", () => {
  it.each(rows)("%s", (_name, caller, request, expected) => {
    const before = structuredClone(caller);
    if ("status" in expected) {
      let thrown: unknown;
      try {
        authorize(caller, request, REGISTERED);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ApiError);
      const e = thrown as ApiError;
      expect({ status: e.status, code: e.code, detail: e.message }).toEqual(expected);
    } else {
      const scope = authorize(caller, request, REGISTERED);
      expect(scope).toEqual({ ...expected, source: request.source ?? null });
      expect(Object.isFrozen(scope)).toBe(true);
      expect(Object.isFrozen(scope.clusters)).toBe(true);
    }
    // nothing mutates the caller: the same caller decides the next request the same way
    expect(caller).toEqual(before);
  });

  it("a scope cannot be widened by its holder", () => {
    const scope = authorize(token([A], ["alpha"]), put(), REGISTERED);
    expect(() => (scope.clusters as string[]).push("beta")).toThrow(TypeError);
    expect(() => Object.assign(scope, { placement: "all" })).toThrow(TypeError);
    expect(scope).toEqual({ owners: [A], clusters: ["alpha"], source: null, placement: ["alpha"] });
  });

  it("decides the owner alone as it decides it with the clusters (before there are any)", () => {
    for (const [, caller, request] of rows) {
      if (request.owners === "every" || !("one" in request.owners)) continue;
      const owner = request.owners.one;
      const alone = (() => {
        try {
          return authorizeOwner(caller, { right: request.right, owner });
        } catch (error) {
          return (error as ApiError).message;
        }
      })();
      const full = (() => {
        try {
          return authorize(caller, { ...request, clusters: undefined }, REGISTERED).owners[0];
        } catch (error) {
          return (error as ApiError).message;
        }
      })();
      expect(alone).toBe(full);
    }
    expect(authorizeOwner(token([A], ["alpha"]), { right: "write", owner: undefined })).toBe(A);
  });
});
