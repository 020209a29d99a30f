// One cluster's PUT row in words (cli/render.ts `applyLine`), as `ksb put` prints it.
import { describe, expect, it } from "vitest";
import { applyLine } from "../../cli/render.ts";

const row = {
  cluster: "alpha",
  secretName: "db-0a1b2c3d",
  namespace: "default",
  added: [],
  removed: [],
  writes: 1,
  dryRun: false,
};

describe("applyLine", () => {
  it("names the keys, and a copy written back after a change outside the broker", () => {
    expect(applyLine({ ...row, status: "updated", changed: ["A"] })).toEqual({
      cluster: "alpha",
      ok: true,
      text: "updated: changed A",
    });
    expect(applyLine({ ...row, status: "updated", changed: [], changedOutside: true })).toEqual({
      cluster: "alpha",
      ok: true,
      text: "updated: written back (changed outside the broker)",
    });
  });
});
