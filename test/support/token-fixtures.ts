/**
 * One API token's issue input at a fixed instant, expiring 60 s later: the clock the token
 * tests (expiry at the exact instant, the check that brings the registry) share.
 */
export const TOKEN_NOW = new Date("2030-01-01T00:00:00.000Z");
export const TOKEN_EXPIRES_AT = new Date(TOKEN_NOW.getTime() + 60_000);
export const TOKEN_INPUT = {
  owners: ["0a1b2c3d"],
  clusters: ["alpha"],
  rights: { write: true, read: true, listAllUsers: false },
  expiresAt: TOKEN_EXPIRES_AT,
};
/** the instant `ms` (epoch milliseconds) */
export const at = (ms: number) => new Date(ms);
