// A sync lists and plans secrets by owner, then basename, in the order `localeCompare` gives (one
// collator instead of one comparison built per pair): the same order for any names.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byOwnerThenBasename } from "../../konduktor/sync.ts";

const localeOrder = (
  a: { owner: string; basename: string },
  b: { owner: string; basename: string },
) => a.owner.localeCompare(b.owner) || a.basename.localeCompare(b.basename);

describe("byOwnerThenBasename", () => {
  it("orders as localeCompare on owner, then basename", () => {
    const name = fc.string({ unit: fc.constantFrom(..."aAbB0-_.é€z"), maxLength: 6 });
    fc.assert(
      fc.property(
        fc.record({ owner: name, basename: name }),
        fc.record({ owner: name, basename: name }),
        (a, b) => {
          expect(Math.sign(byOwnerThenBasename(a, b))).toBe(Math.sign(localeOrder(a, b)));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("owner first: 0a1b2c3d/zz before 0a1b2c3e/aa; then the basename: a-b, ab as localeCompare puts them", () => {
    const rows = [
      { owner: "0a1b2c3e", basename: "aa" },
      { owner: "0a1b2c3d", basename: "zz" },
      { owner: "0a1b2c3d", basename: "ab" },
      { owner: "0a1b2c3d", basename: "a-b" },
    ];
    expect([...rows].sort(byOwnerThenBasename)).toEqual([...rows].sort(localeOrder));
    expect([...rows].sort(byOwnerThenBasename)[0]?.owner).toBe("0a1b2c3d");
    expect([...rows].sort(byOwnerThenBasename).at(-1)).toEqual({
      owner: "0a1b2c3e",
      basename: "aa",
    });
  });
});
