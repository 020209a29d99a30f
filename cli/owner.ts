/**
 * The owner hash in direct mode, taken as Konduktor takes it (its `common_utils.get_user_hash`):
 *   1. `KONDUKTOR_USER_ID`, when it is 8 hex characters;
 *   2. `~/.konduktor/user_hash` (whitespace trimmed), when it is 8 hex characters;
 *   3. md5("<user>-<last 4 hex of md5(hostname)>")[:8], cached in ~/.konduktor/user_hash as
 *      Konduktor caches it (so a later `konduktor` on this machine uses the same owner).
 * `<user>` is Python's `getpass.getuser()`: LOGNAME, USER, LNAME, USERNAME, else the account name.
 *
 * Konduktor accepts upper-case hex and uses it as the label value as given; this project's
 * owners are lower case, so an upper-case hash is refused with what to do (lower-casing it would
 * make a different owner than Konduktor's).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, hostname, userInfo } from "node:os";
import { join } from "node:path";
import { OWNER_HASH_RE } from "../konduktor/wire/common.ts";
import type { Env } from "./config.ts";
import { usage } from "./errors.ts";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

/** Python's getpass.getuser(): the first set of LOGNAME, USER, LNAME, USERNAME, else the account. */
export function getpassUser(env: Env = process.env): string {
  for (const key of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const v = env[key];
    if (v) return v;
  }
  return userInfo().username;
}

/** Konduktor's hash of user and host: md5("<user>-<md5(hostname)[-4:]>")[:8]. */
export function userAndHostHash(user: string, host: string): string {
  return md5(`${user}-${md5(host).slice(-4)}`).slice(0, 8);
}

export interface OwnerSource {
  owner: string;
  from: "KONDUKTOR_USER_ID" | "~/.konduktor/user_hash" | "user and host hash" | "--owner";
}

/** The owner for direct mode (see the module comment); `--owner` wins when given. */
export function konduktorOwner(explicit: string | undefined, env: Env = process.env): OwnerSource {
  if (explicit !== undefined) {
    if (!OWNER_HASH_RE.test(explicit)) {
      throw usage(
        `--owner "${explicit.slice(0, 40)}": an owner is 8 hexadecimal characters, like 0a1b2c3d`,
      );
    }
    return { owner: explicit, from: "--owner" };
  }
  const fromEnv = env.KONDUKTOR_USER_ID;
  if (fromEnv !== undefined && OWNER_HASH_RE.test(fromEnv)) {
    return { owner: fromEnv, from: "KONDUKTOR_USER_ID" };
  }
  const home = env.HOME ?? homedir();
  const file = join(home, ".konduktor", "user_hash");
  if (existsSync(file)) {
    const cached = readFileSync(file, "utf8").trim();
    if (OWNER_HASH_RE.test(cached)) {
      return { owner: cached, from: "~/.konduktor/user_hash" };
    }
  }
  const owner = userAndHostHash(getpassUser(env), hostname());
  mkdirSync(join(home, ".konduktor"), { recursive: true });
  writeFileSync(file, owner);
  return { owner, from: "user and host hash" };
}
