// kubeconfigSecrets (action/src/mask.ts) on values that are not text: a map or a list under a
// credential's key is searched further, never masked as a whole (and never makes the whole
// kubeconfig fall back to line-by-line masking).
import { describe, expect, it } from "vitest";
import { kubeconfigSecrets } from "../../action/src/mask.ts";

describe("kubeconfigSecrets on maps and lists", () => {
  it("a map under a credential's key: its credentials, nothing else", () => {
    expect(
      kubeconfigSecrets("users: [{name: u, user: {password: {token: t0k3n-nested, note: open}}}]"),
    ).toEqual(["t0k3n-nested"]);
  });

  it("a list under a credential's key holds no key, so nothing in it is masked", () => {
    expect(kubeconfigSecrets("users: [{name: u, user: {token: [in-a-list]}}]")).toEqual([]);
  });

  it("credentials inside lists of lists are found", () => {
    expect(kubeconfigSecrets("x: [[{token: deep-t0ken}], [{password: deep-pw}]]")).toEqual([
      "deep-t0ken",
      "deep-pw",
    ]);
  });
});
