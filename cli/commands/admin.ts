/** `login`, `logout`, `whoami`, `profile`, and the admin groups: cluster, token, hook, oidc-binding. */
import type { Argv } from "yargs";
import {
  bindingDelete,
  bindingList,
  bindingPut,
  clusterAdd,
  clusterHealth,
  clusterList,
  clusterRemove,
  hookCreate,
  hookDelete,
  hookList,
  type TokenCreateArgs,
  tokenCreate,
  tokenList,
  tokenRevoke,
} from "../admin-flows.ts";
import type { GlobalArgs } from "../context.ts";
import { EXIT_CODES_HELP, epilogue, usage } from "../errors.ts";
import {
  type JobTokenCreateArgs,
  jobTokenCreate,
  jobTokenList,
  jobTokenRevoke,
} from "../job-flows.ts";
import { login, logout, profileList, profileUse, whoami } from "../session-flows.ts";
import { commaList, type Handler, list } from "./secrets.ts";

const owners = (y: Argv) =>
  y.option("owner", {
    type: "string",
    describe: "an owner hash (repeatable)",
    coerce: list,
    demandOption: true,
  });
const clusters = (y: Argv) =>
  y.option("clusters", {
    type: "string",
    describe: "cluster names a,b (default: all)",
    coerce: commaList,
  });

export function sessionCommands(y: Argv, h: Handler): Argv {
  return y
    .command(
      "login",
      "Save a broker URL and token as a profile (the token from a hidden prompt or stdin, never the command line)",
      (c) =>
        c
          .example("$0 login --url https://broker.example.com", "asks for the token (hidden)")
          .example(
            'printf %s "$TOKEN" | $0 login --url https://broker.example.com --profile ci',
            "the token on stdin",
          )
          .epilogue(
            epilogue(
              "http:// is accepted only for this machine (localhost, 127.0.0.1, ::1). The config file is $XDG_CONFIG_HOME/ksb/config.json (mode 0600). KSB_URL, KSB_TOKEN and KSB_PROFILE override it.",
            ),
          ),
      h(login),
    )
    .command(
      "logout",
      "Remove a profile and its token",
      (c) => c.epilogue(EXIT_CODES_HELP).example("$0 logout --profile ci", "forget profile ci"),
      h(logout),
    )
    .command(
      "whoami",
      "The broker, the credential, and (when the broker says) its owners, clusters, rights and expiry",
      (c) =>
        c
          .epilogue(EXIT_CODES_HELP)
          .example("$0 whoami", "who am I at the current profile's broker"),
      h(whoami),
    )
    .command("profile", "List profiles or pick the current one", (p) =>
      p
        .command(
          ["list", "ls"],
          "List the saved profiles (never their tokens)",
          (c) => c.epilogue(EXIT_CODES_HELP).example("$0 profile list", "* marks the current one"),
          h(profileList),
        )
        .command(
          "use <name>",
          "Make a profile the current one",
          (c) =>
            c
              .positional("name", { type: "string", demandOption: true })
              .epilogue(EXIT_CODES_HELP)
              .example("$0 profile use staging", "use staging from now on"),
          h((ctx, a: { name: string }) => profileUse(ctx, a.name)),
        )
        .demandCommand(1, "name a profile command: list or use"),
    );
}

export function adminCommands(y: Argv, h: Handler): Argv {
  const ADMIN = "Needs the broker's admin token (a profile logged in with it).";
  return y
    .command("cluster", "Register, list, check and remove clusters (admin)", (g) =>
      g
        .command(
          "add <name>",
          "Register a kubeconfig context with the broker (what npm run register-cluster does)",
          (c) =>
            c
              .positional("name", { type: "string", demandOption: true })
              .option("context", {
                type: "string",
                describe: "the kubeconfig context (default: current-context)",
              })
              .option("service-account", {
                type: "boolean",
                default: false,
                describe:
                  "register a ServiceAccount token made with the context (client certificates, exec plugins: EKS, GKE, kind)",
              })
              .option("sa-name", {
                type: "string",
                describe: "the ServiceAccount's name (default konduktor-broker)",
              })
              .option("token-days", {
                type: "number",
                default: 365,
                describe: "the ServiceAccount token's lifetime",
              })
              .option("sync", {
                type: "boolean",
                default: false,
                describe: "copy every owner's secrets onto the new cluster",
              })
              .epilogue(
                epilogue(
                  `${ADMIN} The kubeconfig is --kubeconfig, else $KUBECONFIG, else ~/.kube/config; only the one context leaves this machine.`,
                ),
              )
              .example("$0 cluster add gpu-east", "the current context")
              .example(
                "$0 cluster add gpu-west --context eks-west --service-account",
                "an EKS context, through a ServiceAccount token",
              ),
          h(clusterAdd),
        )
        .command(
          ["list", "ls"],
          "List registered clusters",
          (c) => c.epilogue(epilogue(ADMIN)).example("$0 cluster list", "name, server, namespace"),
          h(clusterList),
        )
        .command(
          "health <name>",
          "Check a cluster: reachable, version, what the stored credential may do",
          (c) =>
            c
              .positional("name", { type: "string", demandOption: true })
              .epilogue(epilogue(ADMIN))
              .example("$0 cluster health gpu-east", "exit 0 when healthy"),
          h(clusterHealth),
        )
        .command(
          ["remove <name>", "rm <name>"],
          "Remove a cluster from the registry (its secrets stay)",
          (c) =>
            c
              .positional("name", { type: "string", demandOption: true })
              .epilogue(epilogue(ADMIN))
              .example("$0 cluster remove gpu-old", "forget gpu-old"),
          h(clusterRemove),
        )
        .demandCommand(1, "name a cluster command: add, list, health or remove"),
    )
    .command("token", "Issue, list and revoke API tokens (admin)", (g) =>
      g
        .command(
          "create",
          "Issue an API token for owners and clusters; printed once (or saved as a profile)",
          (c) =>
            clusters(owners(c))
              .option("label", { type: "string", describe: "a name for lists and audit lines" })
              .option("read-only", {
                type: "boolean",
                default: false,
                describe: "list and describe only",
              })
              .option("list-all-users", {
                type: "boolean",
                default: false,
                describe: "may list every user's secrets (-u)",
              })
              .option("days", {
                type: "number",
                default: 30,
                describe: "lifetime in days (at most 366)",
              })
              .option("save-profile", {
                type: "string",
                describe: "save the token as this profile instead of printing it",
              })
              .option("for-jobs", {
                type: "boolean",
                default: false,
                describe:
                  "API access inside the owner's Konduktor jobs: the broker keeps the env secret konduktor-broker-<owner> (KSB_URL, KSB_TOKEN) on its clusters and rotates the token; never printed",
              })
              .option("hours", {
                type: "number",
                default: 24,
                describe: "--for-jobs: each job token's lifetime; the cron replaces it at half",
              })
              .option("url", {
                type: "string",
                describe: "--for-jobs: the broker URL jobs call (default: the one you use)",
              })
              .epilogue(epilogue(ADMIN))
              .example("$0 token create --owner 0a1b2c3d --label alice", "prints the token once")
              .example(
                "$0 token create --owner 0a1b2c3d --save-profile alice",
                "never printed: saved as profile alice",
              )
              .example(
                "$0 token create --for-jobs --owner 0a1b2c3d --hours 12",
                "ksb works inside 0a1b2c3d's Konduktor jobs, no login",
              ),
          h((ctx, a: TokenCreateArgs & JobTokenCreateArgs & { forJobs: boolean }) =>
            a.forJobs ? jobTokenCreate(ctx, a) : tokenCreate(ctx, a),
          ),
        )
        .command(
          ["list", "ls"],
          "List tokens (never the tokens themselves)",
          (c) =>
            c
              .option("for-jobs", {
                type: "boolean",
                default: false,
                describe: "the owners whose jobs have API access",
              })
              .epilogue(epilogue(ADMIN))
              .example("$0 token list", "id, label, owners, expiry")
              .example("$0 token list --for-jobs", "owner, secret, token id, rotation, pending"),
          h((ctx, a: GlobalArgs & { forJobs: boolean }) =>
            a.forJobs ? jobTokenList(ctx, a) : tokenList(ctx, a),
          ),
        )
        .command(
          "revoke [id]",
          "Revoke a token (it stops working at once), or an owner's job access",
          (c) =>
            c
              .positional("id", { type: "string", describe: "the token's id" })
              .option("for-jobs", {
                type: "boolean",
                default: false,
                describe: "end the owner's job access: its tokens revoked, its secret deleted",
              })
              .option("owner", { type: "string", describe: "--for-jobs: the owner", coerce: list })
              .epilogue(epilogue(ADMIN))
              .example("$0 token revoke 3f2a9c0d1e4b5a67", "by its id")
              .example(
                "$0 token revoke --for-jobs --owner 0a1b2c3d",
                "konduktor-broker-0a1b2c3d deleted from every cluster",
              ),
          h((ctx, a: GlobalArgs & { id?: string; forJobs: boolean; owner?: string[] }) => {
            if (a.forJobs) return jobTokenRevoke(ctx, { ...a, owner: a.owner ?? [] });
            if (!a.id) throw usage("name the token: ksb token revoke <id> (see ksb token list)");
            return tokenRevoke(ctx, { ...a, id: a.id });
          }),
        )
        .demandCommand(1, "name a token command: create, list or revoke"),
    )
    .command("hook", "Create, list and delete signed webhooks (admin)", (g) =>
      g
        .command(
          "create",
          "Create a webhook bound to owners, secret names and clusters; its signing secret is printed once",
          (c) =>
            clusters(owners(c))
              .option("names", {
                type: "string",
                describe: "secret names or prefix* patterns it may touch (a,b)",
                coerce: commaList,
                demandOption: true,
              })
              .option("label", { type: "string" })
              .option("sync", {
                type: "boolean",
                default: true,
                describe: "may deliveries be sync requests (--no-sync: secret sets only)",
              })
              .epilogue(epilogue(ADMIN))
              .example(
                "$0 hook create --owner 0a1b2c3d --names 'db-*' --label vault",
                "for a rotation system",
              ),
          h(hookCreate),
        )
        .command(
          ["list", "ls"],
          "List webhooks (never their secrets)",
          (c) => c.epilogue(epilogue(ADMIN)).example("$0 hook list", "id, owners, names"),
          h(hookList),
        )
        .command(
          ["delete <id>", "rm <id>"],
          "Delete a webhook",
          (c) =>
            c
              .positional("id", { type: "string", demandOption: true })
              .epilogue(epilogue(ADMIN))
              .example("$0 hook delete wh_3f2a9c0d1e4b5a67", "by its id"),
          h(hookDelete),
        )
        .demandCommand(1, "name a hook command: create, list or delete"),
    )
    .command("oidc-binding", "Which GitHub workflows act as which owners (admin)", (g) =>
      g
        .command(
          "put <id>",
          "Create or replace a GitHub OIDC binding",
          (c) =>
            clusters(owners(c))
              .positional("id", { type: "string", demandOption: true })
              .option("repository", {
                type: "string",
                demandOption: true,
                describe: "owner/repo (globs: owner/*)",
              })
              .option("ref", { type: "string", describe: "e.g. refs/heads/main, refs/tags/v*" })
              .option("environment", { type: "string" })
              .option("workflow", { type: "string", describe: "the workflow's name" })
              .option("event-name", { type: "string", describe: "e.g. push" })
              .option("read-only", { type: "boolean", default: false })
              .option("list-all-users", { type: "boolean", default: false })
              .option("description", { type: "string" })
              .epilogue(epilogue(ADMIN))
              .example(
                "$0 oidc-binding put train-main --repository acme/train --ref refs/heads/main --owner 0a1b2c3d",
                "main of acme/train acts as 0a1b2c3d",
              ),
          h(bindingPut),
        )
        .command(
          ["list", "ls"],
          "List OIDC bindings",
          (c) => c.epilogue(epilogue(ADMIN)).example("$0 oidc-binding list", "id, match, owners"),
          h(bindingList),
        )
        .command(
          ["delete <id>", "rm <id>"],
          "Delete an OIDC binding",
          (c) =>
            c
              .positional("id", { type: "string", demandOption: true })
              .epilogue(epilogue(ADMIN))
              .example("$0 oidc-binding delete train-main", "by its id"),
          h(bindingDelete),
        )
        .demandCommand(1, "name an oidc-binding command: put, list or delete"),
    );
}
