import { type CallerResolver, NO_RIGHTS } from "./caller.ts";
import { configuredSecretEquals } from "./constant-time.ts";

/** The admin token (secret binding ADMIN_TOKEN): cluster registry and API token management only. */
export const adminResolver: CallerResolver = async (credential, { config }) => {
  if (!(await configuredSecretEquals(credential, config, config.adminToken))) return null;
  return { id: "admin", kind: "admin", owners: [], clusters: "all", rights: NO_RIGHTS };
};
