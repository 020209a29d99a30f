/**
 * What a sync would do (pure): per secret and target cluster, create / update / delete, decided by
 * the broker's intent (the ledger) and the copies' signatures, never by times or annotations.
 *
 * - the source is a copy signed at the intent's current version, or the cluster the caller names
 *   (`source`): then that copy's content becomes a new version (`bumps`) unless it already is the
 *   current one;
 * - a target gets the source's content where the secret is placed and its copy is missing (never
 *   confirmed there), stale (an older signed version) or, with a named source, edited;
 * - a copy changed outside the broker is reported (`editedOutsideBroker`) and left alone unless a
 *   source is named; a copy confirmed written and now gone is reported (`deletedOutsideBroker`) and
 *   created again only when `restore` names the secret;
 * - a secret deleted through the broker is never copied back; stale broker copies of it are deleted;
 * - a secret with no intent (made by Konduktor's CLI or the Action's kubeconfig mode) is listed in
 *   `unledgered` and left where it is, unless a source is named: then it is adopted (`bumps`);
 * - git-ssh is one per owner: only the owner's newest git-ssh secret is synced, and it is not
 *   written where that would delete one of the owner's git-ssh secrets that `names` leaves out.
 */

import { isSecretKind } from "./secret.ts";
import {
  byOwnerThenBasename,
  type Copy,
  classify,
  compareKeys,
  deletedOutside,
  type Intent,
  intentKey,
  isPlaced,
  type SecretCopies,
  type SyncPlan,
} from "./sync.ts";
import type { SecretDescription, SecretKind } from "./types.ts";

export interface PlanInput {
  /** the clusters read successfully, in order (sources come from these) */
  clusters: readonly string[];
  /** the clusters that may be written (default: all of `clusters`) */
  targets?: readonly string[];
  secrets: readonly SecretCopies[];
  /** the ledger's intents for the owners in scope, by `intentKey(owner, basename)` */
  intents: ReadonlyMap<string, Intent>;
  /** a named source cluster (the caller may write there) */
  source?: string | null;
  /** only these basenames (default: all) */
  names?: (basename: string) => boolean;
  /** basenames whose copies deleted outside the broker are created again (named explicitly) */
  restore?: (basename: string) => boolean;
  /** the placement an adoption records (the caller's scope) */
  adoptPlacement?: string[] | "all";
}

const describeDiff = (source: string, keys: ReturnType<typeof compareKeys>) =>
  [
    keys.missing.length ? `missing ${keys.missing.join(", ")}` : "",
    keys.changed.length ? `changed ${keys.changed.join(", ")}` : "",
    keys.extra.length ? `extra ${keys.extra.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join("; ") || `the same values as ${source}, an older version`;

export function planSync(input: PlanInput): SyncPlan {
  const readable = new Set(input.clusters);
  const targets = (input.targets ?? input.clusters).filter((c) => readable.has(c));
  const plan: SyncPlan = {
    secrets: 0,
    inLine: 0,
    entries: [],
    skipped: [],
    unledgered: [],
    bumps: [],
  };
  const gitSshWinner = new Map<string, Intent>();
  for (const intent of input.intents.values()) {
    if (intent.kind !== "git-ssh" || intent.deleted) continue;
    const best = gitSshWinner.get(intent.owner);
    if (!best || intent.contentVersion > best.contentVersion)
      gitSshWinner.set(intent.owner, intent);
  }
  // every secret with a copy, and every intent without one (nothing to copy from: reported)
  const all = new Map(input.secrets.map((s) => [intentKey(s.owner, s.basename), s]));
  for (const intent of input.intents.values()) {
    const key = intentKey(intent.owner, intent.basename);
    if (!all.has(key)) {
      all.set(key, {
        owner: intent.owner,
        basename: intent.basename,
        secretName: `${intent.basename}-${intent.owner}`,
        kind: intent.kind,
        copies: new Map(),
      });
    }
  }
  const ordered = [...all.values()].sort(byOwnerThenBasename);
  for (const s of ordered) {
    if (input.names && !input.names(s.basename)) continue;
    plan.secrets++;
    const before = [plan.entries, plan.skipped, plan.unledgered, plan.bumps].map((l) => l.length);
    const intent = input.intents.get(intentKey(s.owner, s.basename));
    planSecret(input, targets, s, intent, gitSshWinner.get(s.owner), plan);
    const after = [plan.entries, plan.skipped, plan.unledgered, plan.bumps].map((l) => l.length);
    if (after.every((n, i) => n === before[i])) plan.inLine++;
  }
  return plan;
}

function planSecret(
  input: PlanInput,
  targets: readonly string[],
  s: SecretCopies,
  intent: Intent | undefined,
  gitSshWinner: Intent | undefined,
  plan: SyncPlan,
): void {
  const base = { owner: s.owner, secret: s.basename, secretName: s.secretName };
  const named = input.source ?? null;
  const readableCopy = (c: string) =>
    input.clusters.includes(c) ? s.copies.get(c) : (undefined as Copy | undefined);

  if (!intent) {
    const from = named ? readableCopy(named) : undefined;
    if (!from || !isSecretKind(from.description.kind)) {
      plan.unledgered.push({ ...base, clusters: [...s.copies.keys()] });
      return;
    }
    const placement = input.adoptPlacement ?? "all";
    bump(plan, base, from, placement, "adopt");
    writeAll(input, targets, s, plan, {
      from,
      intent: { placement, except: [] },
      version: null,
      label: `adopted into the ledger from ${named}`,
    });
    return;
  }

  if (intent.deleted) {
    const deleted = intent.deleted;
    for (const cluster of targets) {
      const copy = s.copies.get(cluster);
      if (!copy) continue;
      const sig = copy.description.signature;
      if (sig.state === "valid" && sig.version < deleted.version) {
        plan.entries.push({
          ...base,
          cluster,
          action: "delete",
          keys: copy.description.keys,
          source: null,
          version: deleted.version,
          reason: `deleted through the broker (version ${deleted.version}); this copy holds version ${sig.version}`,
        });
      } else if (sig.state !== "valid" && named) {
        plan.entries.push({
          ...base,
          cluster,
          action: "delete",
          keys: copy.description.keys,
          source: null,
          version: deleted.version,
          reason: `deleted through the broker (version ${deleted.version}); this copy was changed outside the broker, deleted because the sync names a source`,
        });
      } else if (sig.state !== "valid") {
        plan.skipped.push({
          ...base,
          cluster,
          editedOutsideBroker: true,
          reason: `deleted through the broker, but the copy on ${cluster} was changed outside the broker since: left alone (delete it with DELETE /v1/secrets/${s.basename}?clusters=${cluster}, or sync with a named source)`,
        });
      }
    }
    return;
  }

  if (s.kind === "git-ssh" && gitSshWinner && gitSshWinner.basename !== s.basename) {
    plan.skipped.push({
      ...base,
      reason: `git-ssh is one per owner and "${gitSshWinner.basename}" is newer: not copied (writing it would delete the newer one)`,
    });
    return;
  }

  const classes = new Map<string, ReturnType<typeof classify>>();
  for (const [cluster, copy] of s.copies) {
    if (input.clusters.includes(cluster)) classes.set(cluster, classify(intent, copy.description));
  }
  if (named) {
    const from = readableCopy(named);
    if (!from) {
      plan.skipped.push({ ...base, reason: `not on the source cluster ${named}` });
      return;
    }
    if (classes.get(named) !== "current") {
      bump(plan, base, from, intent.placement, "named-source");
      writeAll(input, targets, s, plan, {
        from,
        intent,
        version: null,
        label: `from the named source ${named}`,
      });
      return;
    }
  }
  const sources = input.clusters.filter((c) => classes.get(c) === "current");
  const preferred = named ?? sources[0];
  if (preferred === undefined) {
    const lacking = targets.filter((c) => isPlaced(intent, c) && classes.get(c) !== "current");
    if (lacking.length > 0) {
      plan.skipped.push({
        ...base,
        reason: `no readable cluster holds version ${intent.contentVersion} signed by the broker (a write may still be under way, or every copy was changed or deleted outside the broker): nothing copied; write it again, or sync with a named source`,
      });
    }
    return;
  }
  const from = s.copies.get(preferred) as Copy;
  const divergent = sources.filter(
    (c) => s.copies.get(c)?.description.contentDigest !== from.description.contentDigest,
  );
  if (!named && divergent.length > 0 && intent.contentDigest === null) {
    plan.skipped.push({
      ...base,
      reason: `the copies of version ${intent.contentVersion} differ (${[preferred, ...divergent].join(", ")}; a merge onto copies that differed): nothing copied; write it again with mode replace, or sync with a named source`,
    });
    return;
  }
  writeAll(input, targets, s, plan, {
    from,
    intent,
    version: intent.contentVersion,
    label: preferred,
    classes,
  });
}

function bump(
  plan: SyncPlan,
  base: { owner: string; secret: string },
  from: Copy,
  placement: string[] | "all",
  reason: "adopt" | "named-source",
): void {
  plan.bumps.push({
    owner: base.owner,
    secret: base.secret,
    kind: from.description.kind as SecretKind,
    source: from.cluster,
    placement,
    contentDigest: from.description.contentDigest,
    digests: from.description.digests,
    reason,
  });
}

/**
 * Entries that bring every placed target in line with `from`. `version` null: a new version (a
 * bump), so every target is (re)written, the source's own copy included (it is signed anew).
 */
function writeAll(
  input: PlanInput,
  targets: readonly string[],
  s: SecretCopies,
  plan: SyncPlan,
  w: {
    from: Copy;
    intent: Pick<Intent, "placement" | "except"> | Intent;
    version: number | null;
    label: string;
    classes?: ReadonlyMap<string, ReturnType<typeof classify>>;
  },
): void {
  const { from, intent, version, label, classes } = w;
  const base = { owner: s.owner, secret: s.basename, secretName: s.secretName };
  const src = from.cluster;
  const ref: SecretDescription = from.description;
  for (const cluster of targets) {
    if (!isPlaced(intent, cluster) && cluster !== src) continue;
    const copy = s.copies.get(cluster);
    const entry = { ...base, cluster, source: src, version };
    if (version === null) {
      // a new version: every placed copy is written (or signed) as it
      if (cluster !== src && blockedByGitSsh(input, s, cluster, copy, ref, plan, base)) continue;
      const diff = copy ? compareKeys(ref, copy.description) : null;
      plan.entries.push({
        ...entry,
        action: copy ? "update" : "create",
        keys: diff ? [...diff.missing, ...diff.changed, ...diff.extra].sort() : keysOf(ref),
        reason: copy
          ? cluster === src
            ? `${label}: signed as the new version`
            : `${label}: ${describeDiff(src, diff as ReturnType<typeof compareKeys>)}`
          : `${label}: missing on ${cluster}`,
      });
      continue;
    }
    if (cluster === src) continue;
    if (blockedByGitSsh(input, s, cluster, copy, ref, plan, base)) continue;
    const full = intent as Intent;
    if (!copy) {
      if (deletedOutside(full, cluster)) {
        if (!input.restore?.(s.basename)) {
          plan.skipped.push({
            ...base,
            cluster,
            deletedOutsideBroker: true,
            reason: `the copy on ${cluster} was deleted outside the broker (version ${full.contentVersion} was confirmed there): not created again; name "${s.basename}" in a sync's names to restore it, or delete it through the broker`,
          });
          continue;
        }
        plan.entries.push({
          ...entry,
          action: "create",
          keys: keysOf(ref),
          reason: `deleted outside the broker on ${cluster}; restored because this sync names it`,
        });
        continue;
      }
      plan.entries.push({
        ...entry,
        action: "create",
        keys: keysOf(ref),
        reason: `missing on ${cluster}`,
      });
      continue;
    }
    const cls = classes?.get(cluster);
    if (cls === "current" && copy.description.contentDigest === ref.contentDigest) continue;
    const diff = compareKeys(ref, copy.description);
    const keys = [...diff.missing, ...diff.changed, ...diff.extra].sort();
    if (cls === "ahead") {
      plan.skipped.push({
        ...base,
        cluster,
        reason: `the copy on ${cluster} holds a newer version than the ledger's ${full.contentVersion}: left alone; write the secret again`,
      });
      continue;
    }
    if (cls === "edited" && !input.source) {
      plan.skipped.push({
        ...base,
        cluster,
        editedOutsideBroker: true,
        reason: `the copy on ${cluster} was changed outside the broker (${keys.join(", ") || "its signature"} differ from ${src}): not used, not overwritten; name a source to copy from it or over it`,
      });
      continue;
    }
    plan.entries.push({
      ...entry,
      action: "update",
      keys,
      reason:
        cls === "edited"
          ? `changed outside the broker; overwritten from the named source ${label} (${describeDiff(src, diff)})`
          : `differs from ${label} (${describeDiff(src, diff)})`,
    });
  }
}

const keysOf = (d: SecretDescription) => Object.keys(d.digests).sort();

/** git-ssh is one per owner: writing it on `cluster` must not delete one outside `names`. */
function blockedByGitSsh(
  input: PlanInput,
  s: SecretCopies,
  cluster: string,
  copy: Copy | undefined,
  ref: SecretDescription,
  plan: SyncPlan,
  base: { owner: string; secret: string; secretName: string },
): boolean {
  if (s.kind !== "git-ssh" || !input.names) return false;
  const blocker = input.secrets.find(
    (o) =>
      o.owner === s.owner &&
      o.kind === "git-ssh" &&
      o.basename !== s.basename &&
      o.copies.has(cluster) &&
      !input.names?.(o.basename),
  );
  if (!blocker || (copy && copy.description.contentDigest === ref.contentDigest)) return false;
  plan.skipped.push({
    ...base,
    cluster,
    reason: `git-ssh is one per owner: writing it on ${cluster} would delete "${blocker.basename}", which is outside the names of this sync`,
  });
  return true;
}
