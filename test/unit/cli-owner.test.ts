// Direct mode's owner is Konduktor's: KONDUKTOR_USER_ID, then ~/.konduktor/user_hash, then
// md5("<user>-<md5(hostname)[-4:]>")[:8] (cached there). The expected hashes were computed with
// Python's hashlib, the way Konduktor's common_utils.get_user_hash computes them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getpassUser, konduktorOwner, userAndHostHash } from "../../cli/owner.ts";

describe("the owner as Konduktor takes it", () => {
  const homes: string[] = [];
  const home = () => {
    const h = mkdtempSync(join(tmpdir(), "ksb-home-"));
    homes.push(h);
    return h;
  };
  afterEach(() => {
    for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
  });

  it("hashes user and host exactly as Konduktor does", () => {
    // python3: h = md5(b"host-1.example").hexdigest()[-4:]; md5(f"alice-{h}".encode()).hexdigest()[:8]
    expect(userAndHostHash("alice", "host-1.example")).toBe("2699d484");
  });

  it("takes getpass's order: LOGNAME, USER, LNAME, USERNAME", () => {
    expect(getpassUser({ USER: "u", LNAME: "l", LOGNAME: "g" })).toBe("g");
    expect(getpassUser({ USERNAME: "n", LNAME: "l" })).toBe("l");
    expect(getpassUser({ USERNAME: "n" })).toBe("n");
  });

  it("KONDUKTOR_USER_ID first, then ~/.konduktor/user_hash, then the hash (cached)", () => {
    const h = home();
    mkdirSync(join(h, ".konduktor"));
    writeFileSync(join(h, ".konduktor", "user_hash"), " 1a2b3c4d\n");
    expect(konduktorOwner(undefined, { HOME: h, KONDUKTOR_USER_ID: "0a1b2c3d" })).toEqual({
      owner: "0a1b2c3d",
      from: "KONDUKTOR_USER_ID",
    });
    // not 8 hex characters: Konduktor ignores it, so does ksb
    expect(konduktorOwner(undefined, { HOME: h, KONDUKTOR_USER_ID: "nope" })).toEqual({
      owner: "1a2b3c4d",
      from: "~/.konduktor/user_hash",
    });
    const fresh = home();
    const env = { HOME: fresh, LOGNAME: "alice" };
    const expected = userAndHostHash("alice", hostname());
    expect(konduktorOwner(undefined, env)).toEqual({ owner: expected, from: "user and host hash" });
    expect(readFileSync(join(fresh, ".konduktor", "user_hash"), "utf8")).toBe(expected);
    expect(statSync(join(fresh, ".konduktor", "user_hash")).isFile()).toBe(true);
    expect(konduktorOwner(undefined, env)).toEqual({
      owner: expected,
      from: "~/.konduktor/user_hash",
    });
  });

  it("keeps an upper-case hash as written (Konduktor does) and refuses a bad --owner", () => {
    expect(konduktorOwner(undefined, { HOME: home(), KONDUKTOR_USER_ID: "0A1B2C3D" })).toEqual({
      owner: "0A1B2C3D",
      from: "KONDUKTOR_USER_ID",
    });
    expect(() => konduktorOwner("xyz", { HOME: home() })).toThrow(
      '--owner "xyz": an owner is 8 hexadecimal characters, like 0a1b2c3d',
    );
    expect(konduktorOwner("abcdef01", { HOME: home(), KONDUKTOR_USER_ID: "0a1b2c3d" })).toEqual({
      owner: "abcdef01",
      from: "--owner",
    });
  });
});
