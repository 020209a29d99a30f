/**
 * Direct mode, no broker: the same konduktor/ operations the broker runs, through the
 * @kubernetes/client-node adapter (exec plugins, client certificates, proxies: anything a
 * kubeconfig can say), on every named context of one kubeconfig in parallel (konduktor/fanout per
 * context: its deadline and retries), answering in the broker's wire shapes. The owner is taken as
 * Konduktor takes it (./owner.ts).
 */
import pLimit from "p-limit";
import { type FanoutResult, fanout, isFailure } from "../konduktor/fanout.ts";
import { digestValues } from "../konduktor/format.ts";
import { createClientNodeKubeSecrets } from "../konduktor/kube/client-node-adapter.ts";
import { kubeconfigContexts } from "../konduktor/kube/kubeconfig.ts";
import type { KubeSecrets } from "../konduktor/kube/port.ts";
import { applySecret, deleteOwn, describe, describeListing } from "../konduktor/ops.ts";
import { checkSecretInput, ValidationError } from "../konduktor/secret.ts";
import { type Copy, groupCopies, readCopies } from "../konduktor/sync.ts";
import type { SecretDescription, SecretKind, SecretSource } from "../konduktor/types.ts";
import { applyRowOf, describeAnswerOf, mergeListings } from "../konduktor/wire/answers.ts";
import type {
  DeleteSecretAnswer,
  DescribeSecretAnswer,
  ListSecretsAnswer,
  PutSecretAnswer,
} from "../konduktor/wire/secrets.ts";
import type { SyncAnswerT } from "../konduktor/wire/sync.ts";
import type { Env } from "./config.ts";
import { executeDirectPlan, localKeyring, planDirectSync } from "./direct-sync.ts";
import { usage } from "./errors.ts";
import { defaultContext, kubeconfigPaths, mergeKubeconfigs } from "./kubeconfig-files.ts";
import { getpassUser, konduktorOwner, type OwnerSource } from "./owner.ts";

export interface DirectTarget {
  /** the merged kubeconfig YAML (file paths absolute) */
  kubeconfig: string;
  contexts: string[];
  timeoutMs: number;
  owner: OwnerSource;
}

export interface DirectFlags {
  kubeconfig?: string | undefined;
  contexts?: string | undefined;
  owner?: string | undefined;
  timeoutMs: number;
}

/**
 * Contexts: `all`, a comma list, or (none given) the one Konduktor would use: the first of
 * `kubernetes.allowed_contexts` in ~/.konduktor/config.yaml, else the kubeconfig's current context.
 */
export function resolveDirect(flags: DirectFlags, env: Env = process.env): DirectTarget {
  const kubeconfig = mergeKubeconfigs(kubeconfigPaths(flags.kubeconfig, env));
  const { names } = kubeconfigContexts(kubeconfig);
  let contexts: string[];
  if (flags.contexts === undefined || flags.contexts === "") {
    // as Konduktor picks it: allowed_contexts[0] of its config, else current-context
    contexts = [defaultContext(kubeconfig, env)];
  } else if (flags.contexts === "all") {
    contexts = names;
  } else {
    contexts = [
      ...new Set(
        flags.contexts
          .split(",")
          .map((c) => c.trim())
          .filter(Boolean),
      ),
    ];
    const unknown = contexts.filter((c) => !names.includes(c));
    if (unknown.length) {
      throw usage(
        `--contexts: ${unknown.join(", ")} not in the kubeconfig (it has ${names.join(", ") || "no contexts"})`,
      );
    }
  }
  if (contexts.length === 0) throw usage("the kubeconfig has no contexts");
  return {
    kubeconfig,
    contexts,
    timeoutMs: flags.timeoutMs,
    owner: konduktorOwner(flags.owner, env),
  };
}

function open(target: DirectTarget, context: string, signal: AbortSignal): KubeSecrets {
  return createClientNodeKubeSecrets({
    kubeconfig: target.kubeconfig,
    context,
    cluster: context,
    timeoutMs: target.timeoutMs,
    signal,
  });
}

const limit = pLimit(8);
/** this run's digest keys (./direct-sync.ts `localKeyring`), made on first use */
const keyring = localKeyring();

/** `op` on every context in parallel, one promise per context (so lines show as each ends). */
export function perContext<T extends object>(
  target: DirectTarget,
  op: (kube: KubeSecrets, context: string) => Promise<T>,
  contexts: readonly string[] = target.contexts,
): Map<string, Promise<FanoutResult<T>>> {
  return new Map(
    contexts.map((context) => [
      context,
      limit(() =>
        fanout([context], (c, signal) => op(open(target, c, signal), c), {
          timeoutMs: target.timeoutMs,
          retries: 2,
        }),
      ).then((r) => r[0] as FanoutResult<T>),
    ]),
  );
}

const all = <T>(m: Map<string, Promise<T>>) => Promise.all([...m.values()]);

export interface PutRequest {
  kind: SecretKind;
  source: SecretSource;
  mode: "merge" | "replace";
  prune: boolean;
  immutable: boolean;
  dryRun: boolean;
}

type ApplyRow = PutSecretAnswer["results"][number];

export function putDirect(
  target: DirectTarget,
  name: string,
  req: PutRequest,
): { results: Map<string, Promise<ApplyRow>>; answer: Promise<PutSecretAnswer> } {
  if (req.prune && req.mode !== "merge") throw usage("--prune applies to --mode merge only");
  const owner = target.owner.owner;
  const { problems, secret } = checkSecretInput({
    owner,
    basename: name,
    kind: req.kind,
    source: req.source,
  });
  if (!secret) throw usage(`the secret is not valid: ${ValidationError.of(problems).message}`);
  const provenance = { actor: `ksb:${getpassUser()}`, via: "ksb:direct" };
  const runs = perContext(target, async (kube) => {
    const r = await applySecret(kube, secret, {
      mode: req.mode,
      prune: req.prune,
      immutable: req.immutable,
      dryRun: req.dryRun,
      provenance,
    });
    return applyRowOf(r);
  });
  const results = runs as Map<string, Promise<ApplyRow>>;
  const answer = (async () => {
    const { digests, contentDigest } = await digestValues(
      (await keyring).current,
      owner,
      name,
      secret.data,
    );
    return {
      name,
      owner,
      kind: req.kind,
      secretName: secret.metadata.name,
      mode: req.mode,
      dryRun: req.dryRun,
      keys: Object.keys(digests),
      digests,
      contentDigest,
      version: null,
      results: await all(results),
    };
  })();
  return { results, answer };
}

export async function listDirect(
  target: DirectTarget,
  allUsers: boolean,
): Promise<ListSecretsAnswer> {
  const owner = allUsers ? null : target.owner.owner;
  const listings = new Map<string, SecretDescription[]>();
  const results = await all(
    perContext(target, async (kube, context) => {
      const items = await describeListing(kube, owner, await keyring);
      listings.set(context, items);
      return { status: "ok" as const, count: items.length };
    }),
  );
  return {
    scope: allUsers ? "all" : "own",
    owner,
    secrets: mergeListings(target.contexts, listings, results),
    results,
  };
}

export async function describeDirect(
  target: DirectTarget,
  name: string,
): Promise<DescribeSecretAnswer> {
  const owner = target.owner.owner;
  const results = await all(
    perContext(target, async (kube) => {
      try {
        return {
          status: "found" as const,
          secret: await describe(kube, owner, name, await keyring),
        };
      } catch (error) {
        if ((error as { code?: unknown }).code === "not_found")
          return { status: "missing" as const };
        throw error;
      }
    }),
  );
  return describeAnswerOf(name, owner, results as DescribeSecretAnswer["results"]);
}

type DeleteRow = DeleteSecretAnswer["results"][number];
/** The broker's delete answer without `version`: direct mode keeps no ledger. */
export type DirectDeleteAnswer = Omit<DeleteSecretAnswer, "version">;

export function deleteDirect(
  target: DirectTarget,
  name: string,
): { results: Map<string, Promise<DeleteRow>>; answer: Promise<DirectDeleteAnswer> } {
  const owner = target.owner.owner;
  const results = perContext(target, async (kube) => {
    const r = await deleteOwn(kube, owner, name);
    return { status: "deleted" as const, secretName: r.name, namespace: r.namespace };
  }) as Map<string, Promise<DeleteRow>>;
  return { results, answer: all(results).then((r) => ({ name, owner, results: r })) };
}

/**
 * A sync of the owner's secrets across the contexts (./direct-sync.ts: plan, then carry it out).
 * Direct mode keeps no ledger: a secret deleted on one context alone is copied back from the
 * others (the broker remembers deletions; see docs/cli.md).
 */
export async function syncDirect(
  target: DirectTarget,
  options: { names?: (basename: string) => boolean; source: string | null; dryRun: boolean },
): Promise<SyncAnswerT> {
  const started = Date.now();
  const owners = [target.owner.owner];
  if (options.source !== null && !target.contexts.includes(options.source)) {
    throw usage(
      `--source ${options.source} is not one of the contexts (${target.contexts.join(", ")})`,
    );
  }
  const copies: Copy[] = [];
  const reads = await all(
    perContext(target, async (kube, context) => {
      const found = await readCopies(kube, context, owners, await keyring);
      copies.push(...found);
      return { status: "read" as const, secrets: found.length };
    }),
  );
  const results = reads.map((r) =>
    isFailure(r)
      ? { cluster: r.cluster, status: "error" as const, code: r.code, message: r.message }
      : { cluster: r.cluster, status: "read" as const, secrets: r.secrets },
  );
  const readable = results.filter((r) => r.status === "read").map((r) => r.cluster);
  const secrets = groupCopies(copies.filter((c) => readable.includes(c.cluster)));
  const plan = planDirectSync({
    clusters: readable,
    secrets,
    source: options.source,
    ...(options.names ? { names: options.names } : {}),
  });
  const entries = options.dryRun
    ? plan.entries.map((e) => ({ ...e, status: "planned" as const }))
    : await executeDirectPlan({
        plan,
        secrets,
        open: (cluster, signal) => open(target, cluster, signal),
        fanout: { timeoutMs: target.timeoutMs, retries: 2 },
        via: "ksb:direct:sync",
        ...(options.names ? { mayDelete: options.names } : {}),
      });
  return {
    dryRun: options.dryRun,
    owners,
    clusters: target.contexts,
    targets: target.contexts,
    source: options.source,
    results,
    plan: entries,
    skipped: plan.skipped,
    unledgered: [],
    summary: {
      secrets: plan.secrets,
      inLine: plan.inLine,
      planned: plan.entries.length,
      done: entries.filter((e) => e.status === "done").length,
      failed: entries.filter((e) => e.status === "error").length,
      unreadableClusters: results.length - readable.length,
      unledgered: 0,
    },
    durationMs: Date.now() - started,
  };
}
