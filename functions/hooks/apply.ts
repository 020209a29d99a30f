/**
 * What a verified delivery does, within its hook's scope: a secret set (the PUT /v1/secrets/{name}
 * semantics) or a sync request (POST /v1/sync). Every scope check happens before any write.
 */
import { LABEL_BASENAME, LABEL_KIND, LABEL_OWNER } from "../../konduktor/secret.ts";
import type { SecretSet } from "../../konduktor/wire/secrets.ts";
import { audit } from "../audit.ts";
import { authorizeOwner } from "../auth/authorize.ts";
import type { Caller } from "../auth/caller.ts";
import type { AppContext } from "../context.ts";
import { ApiError } from "../problem.ts";
import type { HookRecord } from "../registry/hooks.ts";
import { authorized, onClusters, putAnswer } from "../secrets/http.ts";
import { checkBasename, secretFromBody } from "../secrets/input.ts";
import type { DeliveryRecord } from "../store/deliveries.ts";
import {
  nameMatcher,
  type SyncRequest,
  syncOutcomeOf,
  syncScopeFor,
  syncStatus,
} from "../sync/request.ts";
import { runSync, type SyncOutcome, syncLogFields } from "../sync/service.ts";

/** The caller a delivery acts as: the hook's owners and clusters, write and read. */
export function hookCaller(hook: HookRecord): Caller {
  return {
    id: `hook:${hook.id}`,
    kind: "token",
    owners: hook.owners,
    clusters: hook.clusters,
    rights: { write: true, read: true, listAllUsers: false },
    ...(hook.label ? { label: hook.label } : {}),
  };
}

function outOfScope(message: string): ApiError {
  return new ApiError("forbidden", message);
}

function checkNameInScope(hook: HookRecord, name: string, field: string): void {
  if (!nameMatcher(hook.names)(name)) {
    throw outOfScope(
      `${field} "${name}" is outside this hook's scope (it may touch ${hook.names.map((n) => `"${n}"`).join(", ")}): nothing was written; an admin creates a hook with the names it needs`,
    );
  }
}

/** What leads every delivery's answer. */
function answerPrefix(delivery: DeliveryRecord) {
  return { hook: delivery.hookId, deliveryId: delivery.deliveryId, replay: false as const };
}

/** A delivery's answer: the PUT or sync answer led by the hook and delivery id, and its status. */
export interface Delivered {
  body: ReturnType<typeof answerPrefix> &
    (Awaited<ReturnType<typeof putAnswer>>["body"] | SyncOutcome);
  status: 200 | 207;
}

/**
 * Applies a secret set: the PUT /v1/secrets/{name} semantics within the hook's scope. A git-ssh
 * secret is one per owner (writing one deletes the owner's others): when the owner has a git-ssh
 * secret outside the hook's names on a target cluster, the delivery is refused (403) before any write.
 */
export async function applySecretSet(
  c: AppContext,
  hook: HookRecord,
  body: SecretSet,
  delivery: DeliveryRecord,
): Promise<Delivered> {
  const { name } = body;
  checkBasename(name, "");
  checkNameInScope(hook, name, "name");
  if (body.owner !== undefined && !hook.owners.includes(body.owner)) {
    throw outOfScope(
      `owner ${body.owner} is outside this hook's scope (owners ${hook.owners.join(", ")}): nothing was written`,
    );
  }
  // the Secret is checked before the clusters are chosen (as PUT /v1/secrets/{name} does)
  const owner = authorizeOwner(c.get("caller"), { right: "write", owner: body.owner });
  const secret = secretFromBody(owner, name, body);
  const { scope, clusters } = await authorized(c, {
    right: "write",
    owners: { one: owner },
    clusters: body.clusters,
  });
  const inScope = nameMatcher(hook.names);
  if (body.kind === "git-ssh") {
    const outside = new Set<string>();
    // a cluster that cannot be listed is guarded by mayDelete in applySecret (per-cluster error)
    await onClusters(c, clusters, async (kube) => {
      for (const s of await kube.list(`${LABEL_OWNER}=${owner},${LABEL_KIND}=git-ssh`)) {
        const basename = s.metadata.labels?.[LABEL_BASENAME] ?? s.metadata.name;
        if (basename !== name && !inScope(basename)) outside.add(basename);
      }
      return { status: "listed" };
    });
    if (outside.size > 0) {
      const names = [...outside].sort().map((n) => `"${n}"`);
      throw outOfScope(
        `owner ${owner} has the git-ssh secret ${names.join(", ")}, which is outside this hook's scope: writing git-ssh secret "${name}" would delete it (git-ssh is one per owner); nothing was written`,
      );
    }
  }
  // the newest delivery wins: an older one (by its first webhook-timestamp) changes nothing
  const newer = await c.get("services").stores.deliveries.acceptNewest(owner, name, {
    timestamp: delivery.timestamp,
    hookId: hook.id,
    deliveryId: delivery.deliveryId,
  });
  if (newer) {
    throw new ApiError(
      "webhook_stale",
      `delivery ${delivery.deliveryId} (webhook-timestamp ${delivery.timestamp}) is older than delivery ${newer.deliveryId} (webhook-timestamp ${newer.timestamp}), already applied to secret "${name}": nothing was written; send the current value as a new delivery`,
      { newerDeliveryId: newer.deliveryId },
    );
  }
  const put = await putAnswer(c, {
    owner,
    name,
    body,
    secret,
    clusters,
    placement: scope.placement,
    via: `webhook:${hook.id}`,
    mayDelete: inScope,
  });
  return { body: { ...answerPrefix(delivery), ...put.body }, status: put.status };
}

/** Runs a sync request within the hook's owners, clusters and names. */
export async function applySync(
  c: AppContext,
  hook: HookRecord,
  body: SyncRequest,
  delivery: DeliveryRecord,
): Promise<Delivered> {
  if (!hook.allowSync) {
    throw outOfScope(
      "this hook may not run syncs (allowSync is false): send a secret set, or ask an admin for a hook with allowSync",
    );
  }
  for (const [i, n] of (body.names ?? []).entries()) checkNameInScope(hook, n, `sync.names.${i}`);
  const services = c.get("services");
  const { scope, registered } = await syncScopeFor(services, c.get("caller"), body);
  const inHook = nameMatcher(hook.names);
  const asked = body.names ? nameMatcher(body.names) : null;
  const outcome = await runSync(
    services,
    {
      ...scope,
      names: (n) => inHook(n) && (asked === null || asked(n)),
      dryRun: body.dryRun,
      via: `sync:hook:${hook.id}`,
    },
    registered,
  );
  audit(c, {
    action: body.dryRun ? "sync.plan" : "sync",
    via: `webhook:${hook.id}`,
    outcome: syncOutcomeOf(outcome),
    ...syncLogFields(outcome),
  });
  const answer = { ...answerPrefix(delivery), ...outcome };
  return { body: answer, status: syncStatus(outcome, answer) };
}
