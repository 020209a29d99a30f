// An upper-case owner (kept as given, as Konduktor does) is an owner like any other for the ledger:
// its list answer reads the ledger's version, not "unledgered".
import { describe, expect, it } from "vitest";
import { ADMIN, inProcessBroker } from "../support/hardening-broker.ts";

describe("an upper-case owner and the ledger", () => {
  it("a secret written for ABCDEF12 is listed as the ledger's current version", async () => {
    const broker = await inProcessBroker({ clusters: ["alpha", "beta"] });
    const issued = await broker.request("POST", "/v1/tokens", {
      token: ADMIN,
      json: { owners: ["ABCDEF12"] },
    });
    const token = issued.body.token as string;
    const put = await broker.request("PUT", "/v1/secrets/upper", {
      token,
      json: { source: { type: "inline", pairs: { A: "1" } } },
    });
    expect([put.status, put.body.owner, put.body.version]).toEqual([200, "ABCDEF12", 1]);
    const list = await broker.request("GET", "/v1/secrets", { token });
    expect(list.status).toBe(200);
    expect(
      list.body.secrets.map(
        (s: {
          name: string;
          owner: string;
          drift: { ledger: string; version: number | null; inLine: boolean };
        }) => [s.name, s.owner, s.drift.ledger, s.drift.version, s.drift.inLine],
      ),
    ).toEqual([["upper", "ABCDEF12", "current", 1, true]]);
  });
});
