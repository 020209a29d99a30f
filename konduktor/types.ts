import type { Keyring, SealCheck, ValueDigests } from "./format.ts";

/**
 * The public shapes of the Konduktor secret core, shared by functions/ (the broker) and action/.
 * The contract for the Secret itself is docs/konduktor-format.md (kept in sync with
 * `konduktor secret create`). Nothing here holds or prints a secret value except `SecretSource`
 * and the built Secret's `data`, which are only ever sent to a cluster.
 */

export const SECRET_KINDS = ["default", "env", "git-ssh"] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** Where the data of a Konduktor secret comes from (exactly one source per secret). */
export type SecretSource =
  /** `--inline KEY=VALUE` (any number of pairs) */
  | { type: "inline"; pairs: Record<string, string> }
  /** `--from-file`: key = the file's base name (`gitkey` for git-ssh) */
  | { type: "files"; files: { name: string; content: Uint8Array }[] }
  /** `--from-directory`: one `payload.zip` whose top folder is `name` */
  | { type: "directory"; name: string; entries: { path: string; content: Uint8Array }[] };

/** A Kubernetes Secret as the API sends and takes it (only the fields we use). */
export interface KubeSecret {
  apiVersion?: "v1";
  kind?: "Secret";
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    creationTimestamp?: string;
  };
  type?: string;
  immutable?: boolean;
  /** base64 values */
  data?: Record<string, string>;
}

/** Who wrote a secret, when and from where: kept in annotations; never a value. */
export interface Provenance {
  /** e.g. `token:ci-deploy`, `github:org/repo@refs/heads/main`, `action:kubeconfig` */
  actor: string;
  /** e.g. `broker`, `github-action`, `webhook:<id>`, `sync` */
  via: string;
  /** ISO time; filled in by the operation when absent */
  at?: string;
}

export interface ApplyOptions {
  /** merge (Konduktor's `secret create`: add/overwrite keys, keep others) or replace (exactly this data) */
  mode: "merge" | "replace";
  /** merge only: also remove keys this project wrote earlier that are not in this call */
  prune?: boolean;
  /** create the Secret with `immutable: true` (replacing an immutable one deletes and recreates it) */
  immutable?: boolean;
  /** compute the plan, write nothing */
  dryRun?: boolean;
  provenance: Provenance;
  /**
   * where the secret is meant to be (annotation `konduktor-broker/placement`): `all` or a
   * comma-separated sorted cluster list; written with the secret, not written when absent
   */
  placement?: string;
  /**
   * git-ssh: whether the owner's other git-ssh secret with this basename may be deleted (default:
   * any). When one may not, nothing is written and the apply fails with `forbidden`.
   */
  mayDelete?: (basename: string) => boolean;
  /**
   * The broker: sign the copy as this ledger version (annotations `version` and `signature`, see
   * ./format.ts; needs `placement`). A copy that already holds a validly signed NEWER version is
   * left as it is (`supersededBy`): writes are ordered by version, not by arrival.
   */
  seal?: {
    keyring: Keyring;
    version: number;
    /**
     * the keyed digests of exactly the data of `desired`, under the keyring's current key, when
     * the caller has them already (a sync: the source copy's, from when it was read; a PUT: the
     * request's, made once for all its clusters); the write then does not compute them again
     * (a merge's read path still digests what the merge leaves). Ignored when their key id or
     * key names do not match the data.
     */
    digests?: ValueDigests;
  };
  /**
   * With `seal` (the broker): what its ledger knows of the copy on this cluster. The write is then
   * ONE conditional JSON patch that applies only while the copy is exactly that one; otherwise
   * (changed outside the broker, newer, gone) it reads and writes as without it.
   */
  known?: KnownCopy;
  /**
   * The copy as the caller just listed it (a sync), or null when the listing had none: the first
   * attempt plans from it instead of reading it again. A copy that changed since makes the write
   * fail on its resourceVersion precondition, as after a read.
   */
  existing?: KubeSecret | null;
}

/**
 * A copy the broker wrote and confirmed, as its ledger recorded it (never a value): the copy's
 * resourceVersion right after that write, and what it was signed with.
 */
export interface KnownCopy {
  resourceVersion: string;
  version: number;
  kind: SecretKind;
  /** the placement annotation it was signed with (`formatPlacement`) */
  placement: string;
  /** keyed digests of its data, per key (the ledger's, under its key id) */
  digests: Record<string, string>;
  immutable: boolean;
}

export type ApplyOutcome = "created" | "updated" | "unchanged";

/** The result of create-or-merge on one cluster: key names and digests only, never values. */
export interface ApplyResult {
  outcome: ApplyOutcome;
  name: string;
  namespace: string;
  added: string[];
  changed: string[];
  removed: string[];
  /** write requests sent (0 when unchanged or dry run) */
  writes: number;
  dryRun: boolean;
  /** other git-ssh secrets of the owner deleted (git-ssh is one per owner) */
  replacedGitSsh?: string[];
  /** when the secret existed: its placement before this write (annotation absent = `all`) */
  previousPlacement?: string[] | "all";
  /** with `seal`: the keyed digests of the data now on the cluster (never the values) */
  digests?: ValueDigests;
  /** with `seal`: the newer version the copy already held (nothing was written) */
  supersededBy?: number;
  /**
   * the copy had been changed (or deleted) outside the broker since the broker's last write there:
   * this write put the whole secret back (added / changed / removed then compare with the version
   * the broker's ledger recorded on that cluster)
   */
  changedOutside?: boolean;
  /** the copy's resourceVersion after this call (written, or checked unchanged); not on a dry run */
  resourceVersion?: string;
}

/** One row of `konduktor secret list` (own) / `list -u` (all users). */
export interface SecretListing {
  name: string;
  basename: string;
  /**
   * the `trainy.ai/secret-kind` label's raw value, as Konduktor shows it (so possibly a kind this
   * project does not know); `(none)` for Secrets without the label (all-users listing)
   */
  kind: SecretKind | "(none)" | (string & {});
  owner: string | null;
  keys: string[];
  updatedAt: string | null;
}

/** `describe`: everything about a secret except its values. */
export interface SecretDescription extends SecretListing {
  namespace: string;
  /** key → `hmac-sha256:<key id>:<hex>` of the decoded value (./format.ts; never the value) */
  digests: Record<string, string>;
  /** keyed digest over all keys and values, to compare copies across clusters */
  contentDigest: string;
  immutable: boolean;
  managedKeys: string[];
  provenance: Provenance | null;
  /**
   * the clusters the secret is meant to be on (annotation `konduktor-broker/placement`); `all`
   * when the annotation is absent (Konduktor CLI secrets, older broker writes)
   */
  placement: string[] | "all";
  /** the copy's signature, checked (./format.ts `checkSeal`); `valid` gives the ledger version */
  signature: SealCheck;
}
