/**
 * Direct mode's sync, without a ledger (the broker's sync, konduktor/sync-plan.ts, judges copies
 * against its ledger and signs what it writes; ksb's direct mode has neither). Per secret the
 * source is the named context or the most recently written copy; the other contexts of its
 * placement that lack it or hold other content get an exact copy (mode replace, the source's
 * immutability, placement and provenance time). A secret deleted on one context alone is copied
 * back (docs/cli.md). git-ssh is one per owner: only the owner's newest git-ssh secret is copied,
 * and never where it would delete one that `names` leaves out. Key names only, never a value.
 */
import { type FanoutOptions, fanout, isFailure } from "../konduktor/fanout.ts";
import { type CopyKeys, formatPlacement, type Keyring } from "../konduktor/format.ts";
import type { KubeSecrets } from "../konduktor/kube/port.ts";
import { applySecret, desiredCopy } from "../konduktor/ops.ts";
import { compareKeys, intentKey, type SecretCopies } from "../konduktor/sync.ts";
import type { SecretDescription } from "../konduktor/types.ts";
import { chooseSource, isPlacedOn, writtenAt } from "../konduktor/wire/answers.ts";
import type { SyncAnswerT } from "../konduktor/wire/sync.ts";

type PlanEntry = Omit<SyncAnswerT["plan"][number], "status" | "writes" | "code" | "message">;
type Skipped = SyncAnswerT["skipped"][number];
type EntryResult = SyncAnswerT["plan"][number];

export interface DirectPlan {
  secrets: number;
  inLine: number;
  entries: PlanEntry[];
  skipped: Skipped[];
}

/**
 * A keyring for one run of ksb: random keys, so that digests compare the copies of this run (the
 * same value on two contexts, the same digest) and cannot be checked against a guess. Direct
 * mode signs nothing, and copies the broker signed show as signed with a key it does not have.
 */
export async function localKeyring(): Promise<Keyring> {
  const key = () =>
    crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 256 }, false, [
      "sign",
      "verify",
    ]);
  const current: CopyKeys = { keyId: "ksb-local", digest: await key(), mac: await key() };
  return { current, byId: (id) => (id === current.keyId ? current : undefined) };
}

const diffText = (keys: ReturnType<typeof compareKeys>) =>
  [
    keys.missing.length ? `missing ${keys.missing.join(", ")}` : "",
    keys.changed.length ? `changed ${keys.changed.join(", ")}` : "",
    keys.extra.length ? `extra ${keys.extra.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join("; ");

/** What a ledger-free sync would do over the readable `clusters`. Pure. */
export function planDirectSync(input: {
  clusters: readonly string[];
  secrets: readonly SecretCopies[];
  source: string | null;
  names?: (basename: string) => boolean;
}): DirectPlan {
  const plan: DirectPlan = { secrets: 0, inLine: 0, entries: [], skipped: [] };
  const gitSshWinner = new Map<string, { basename: string; at: number }>();
  for (const s of input.secrets) {
    if (s.kind !== "git-ssh") continue;
    const at = Math.max(...[...s.copies.values()].map((c) => writtenAt(c.description)));
    const best = gitSshWinner.get(s.owner);
    if (!best || at > best.at) gitSshWinner.set(s.owner, { basename: s.basename, at });
  }
  for (const s of input.secrets) {
    if (input.names && !input.names(s.basename)) continue;
    plan.secrets++;
    const base = { owner: s.owner, secret: s.basename, secretName: s.secretName };
    const winner = gitSshWinner.get(s.owner)?.basename;
    if (s.kind === "git-ssh" && winner !== s.basename) {
      plan.skipped.push({
        ...base,
        reason: `git-ssh is one per owner and "${winner}" is newer: not copied (writing it would delete the newer one)`,
      });
      continue;
    }
    const blockerOn = (cluster: string) =>
      s.kind !== "git-ssh" || !input.names
        ? undefined
        : input.secrets.find(
            (o) =>
              o.owner === s.owner &&
              o.kind === "git-ssh" &&
              o.basename !== s.basename &&
              o.copies.has(cluster) &&
              !input.names?.(o.basename),
          );
    const candidates = new Map<string, SecretDescription>();
    for (const cluster of input.clusters) {
      const copy = s.copies.get(cluster);
      if (copy) candidates.set(cluster, copy.description);
    }
    const source = chooseSource(candidates, input.source);
    const ref = source ? candidates.get(source) : undefined;
    if (!ref) {
      plan.skipped.push({ ...base, reason: `not on the source context ${input.source}` });
      continue;
    }
    const before = [plan.entries.length, plan.skipped.length];
    for (const cluster of input.clusters) {
      if (cluster === source || !isPlacedOn(ref, cluster)) continue;
      const copy = s.copies.get(cluster);
      if (copy && copy.description.contentDigest === ref.contentDigest) continue;
      const blocker = blockerOn(cluster);
      if (blocker) {
        plan.skipped.push({
          ...base,
          cluster,
          reason: `git-ssh is one per owner: writing it on ${cluster} would delete "${blocker.basename}", which is outside the names of this sync`,
        });
        continue;
      }
      const entry = { ...base, cluster, source, version: null };
      if (!copy) {
        plan.entries.push({
          ...entry,
          action: "create",
          keys: Object.keys(ref.digests).sort(),
          reason: `missing on ${cluster}`,
        });
        continue;
      }
      const diff = compareKeys(ref, copy.description);
      plan.entries.push({
        ...entry,
        action: "update",
        keys: [...diff.missing, ...diff.changed, ...diff.extra].sort(),
        reason: `differs from ${source} (${diffText(diff)})`,
      });
    }
    if (plan.entries.length === before[0] && plan.skipped.length === before[1]) plan.inLine++;
  }
  return plan;
}

/** Carries a plan out: one result per entry, in plan order, each with its own deadline. */
export async function executeDirectPlan(input: {
  plan: DirectPlan;
  secrets: readonly SecretCopies[];
  open: (cluster: string, signal: AbortSignal) => KubeSecrets;
  fanout: FanoutOptions;
  via: string;
  mayDelete?: (basename: string) => boolean;
}): Promise<EntryResult[]> {
  const bySecret = new Map(input.secrets.map((s) => [intentKey(s.owner, s.basename), s]));
  const entries = input.plan.entries;
  const results = await fanout(
    entries.map((_, i) => String(i)),
    async (id, signal) => {
      const entry = entries[Number(id)] as PlanEntry;
      const secret = bySecret.get(intentKey(entry.owner, entry.secret)) as SecretCopies;
      const from = secret.copies.get(entry.source as string);
      if (!from) throw new Error(`no copy on ${entry.source}`);
      const prov = from.description.provenance;
      const r = await applySecret(
        input.open(entry.cluster, signal),
        desiredCopy(from.secret, entry.owner, entry.secret),
        {
          mode: "replace",
          immutable: from.description.immutable,
          placement: formatPlacement(from.description.placement),
          ...(input.mayDelete ? { mayDelete: input.mayDelete } : {}),
          provenance: {
            actor: prov?.actor || "unknown",
            via: input.via,
            at: prov?.at ?? from.description.updatedAt ?? new Date().toISOString(),
          },
        },
      );
      return { writes: r.writes };
    },
    input.fanout,
  );
  return results.map((r, i) => {
    const entry = entries[i] as PlanEntry;
    return isFailure(r)
      ? { ...entry, status: "error" as const, code: r.code, message: r.message }
      : { ...entry, status: "done" as const, writes: r.writes };
  });
}
