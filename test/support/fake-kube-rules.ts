// The fake cluster's apiserver rules (./fake-kube.ts): the test clusters' users as RBAC rule
// tables, and Kubernetes' limits and name/key checks with the apiserver's own texts.

/** An RBAC rule of the fake: verbs on Secrets in its namespace (`*`: every verb). */
export interface FakeRule {
  verbs: readonly string[];
}

/**
 * The users of the real test clusters (test/cluster/cluster.ts `TEST_USERS` and its RBAC), as
 * rule tables: the contract runs the same refusal cases on the fake and on the real apiserver.
 */
export const FAKE_USERS = {
  admin: [{ verbs: ["*"] }],
  "secrets-editor": [{ verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] }],
  "secrets-reader": [{ verbs: ["get", "list", "watch"] }],
  nobody: [],
} as const satisfies Record<string, readonly FakeRule[]>;
export type FakeUser = keyof typeof FAKE_USERS;

/** Kubernetes' limit on the sum of a Secret's decoded values. */
export const MAX_DATA_BYTES = 1024 * 1024;
export const MAX_NAME_LENGTH = 253;
export const DNS1123_SUBDOMAIN_RE =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// the apiserver's own texts (k8s.io/apimachinery/pkg/util/validation)
export const TOO_LONG = "must be no more than 253 characters";
export const NOT_DNS1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const NOT_CONFIG_KEY =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** IsConfigMapKey: what is wrong with a data key (empty when it is accepted). */
export function configKeyProblems(key: string): string[] {
  return [
    ...(key.length > MAX_NAME_LENGTH ? [TOO_LONG] : []),
    ...(KEY_RE.test(key) ? [] : [NOT_CONFIG_KEY]),
    ...(key === "."
      ? ["must not be '.'"]
      : key === ".."
        ? ["must not be '..'"]
        : key.startsWith("..")
          ? ["must not start with '..'"]
          : []),
  ];
}

const KEY_RE = /^[-._a-zA-Z0-9]+$/;
