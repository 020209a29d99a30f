/**
 * `secret create|list|describe|delete` (Konduktor's flags and meanings), `sync`, and mcli's verb
 * order as aliases: `create secret env KEY…`, `get secrets`, `describe secret NAME`,
 * `delete secret NAME`.
 */
import { basename } from "node:path";
import type { Argv } from "yargs";
import type { SecretKind } from "../../konduktor/types.ts";
import type { Ctx, GlobalArgs } from "../context.ts";
import { EXIT_CODES_HELP, epilogue, usage } from "../errors.ts";
import {
  type CreateArgs,
  createSecret,
  deleteSecret,
  describeSecret,
  listSecrets,
} from "../secret-flows.ts";
import { runSync, type SyncArgs } from "../sync-flow.ts";

/** Wraps a flow as a yargs handler (yargs hands over its parsed arguments untyped). */
export type Handler = <A>(
  run: (ctx: Ctx, args: A) => Promise<number>,
) => (args: unknown) => Promise<void>;

/** A repeated option as a list (yargs gives a string for one, an array for several). */
export const list = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String);

/** `a,b` (also repeated) as a list. */
export const commaList = (v: unknown): string[] | undefined =>
  v === undefined
    ? undefined
    : list(v)
        .flatMap((s) => s.split(","))
        .map((s) => s.trim())
        .filter(Boolean);

const SECRET_HELP = `Values never need to be on the command line: --inline KEY reads the environment variable KEY (or asks on a terminal, hidden); --inline KEY=- and --from-env-file - read stdin. --inline KEY=VALUE works as in Konduktor, with a warning (the value is then in your shell history and the process list). No value is ever printed.`;

function scopeOptions(y: Argv) {
  return y
    .option("clusters", {
      type: "string",
      describe: "only these broker clusters (a,b); default: every cluster you may use",
      coerce: commaList,
    })
    .option("owner", {
      type: "string",
      describe:
        "the owner hash (broker: when your credential acts for several; direct mode: default KONDUKTOR_USER_ID, ~/.konduktor/user_hash, then Konduktor's hash of user and host)",
    });
}

function createOptions(y: Argv) {
  return scopeOptions(y)
    .positional("name", {
      type: "string",
      describe: "the secret's name (basename)",
      demandOption: true,
    })
    .option("kind", {
      type: "string",
      choices: ["default", "env", "git-ssh"],
      default: "default",
      describe:
        "env: every key becomes an environment variable; git-ssh: one private key; default: mounted files",
    })
    .option("inline", {
      type: "string",
      describe:
        "KEY (value from $KEY or a hidden prompt), KEY=- (from stdin) or KEY=VALUE; repeat for more keys",
      coerce: list,
    })
    .option("from-env-file", {
      type: "string",
      describe: "KEY=VALUE lines, dotenv syntax (- for stdin); repeatable",
      coerce: list,
    })
    .option("from-file", {
      type: "string",
      describe: "a file; its name is the key (gitkey for git-ssh; - for stdin); repeatable",
      coerce: list,
    })
    .option("from-directory", {
      type: "string",
      describe: "a directory, stored as one payload.zip",
    })
    .option("mode", {
      type: "string",
      choices: ["merge", "replace"],
      default: "merge",
      describe:
        "merge: add and overwrite keys, keep the others (Konduktor's create); replace: exactly these keys",
    })
    .option("prune", {
      type: "boolean",
      default: false,
      describe: "merge: also remove keys written before through the broker/ksb and not given now",
    })
    .option("immutable", {
      type: "boolean",
      default: false,
      describe: "create the Secret immutable (Konduktor's CLI can then no longer change it)",
    })
    .option("dry-run", {
      type: "boolean",
      default: false,
      describe: "say what would change on each cluster; write nothing",
    });
}

export function secretCommands(y: Argv, h: Handler): Argv {
  return y
    .command(
      "secret",
      "Create, list, describe and delete Konduktor secrets on every cluster",
      (s) =>
        s
          .command(
            "create <name>",
            "Create (or merge into) a secret on every cluster at once",
            (c) =>
              createOptions(c)
                .epilogue(epilogue(SECRET_HELP))
                .example(
                  "$0 secret create --kind env --inline WANDB_API_KEY wandb",
                  "the value comes from $WANDB_API_KEY, or a hidden prompt",
                )
                .example(
                  "$0 secret create --kind env --from-env-file .env train-env",
                  "every line of .env",
                )
                .example(
                  "$0 secret create --from-file ca.pem --from-file client.key tls",
                  "one key per file",
                )
                .example(
                  "$0 secret create --from-directory ./config app-config",
                  "a directory, as payload.zip",
                )
                .example(
                  "$0 secret create --kind git-ssh --from-file ~/.ssh/id_ed25519 github",
                  "a git-ssh key",
                )
                .example(
                  "$0 --contexts all secret create --kind env --inline API_KEY api",
                  "no broker: every context of your kubeconfig",
                ),
            h(createSecret),
          )
          .command(
            ["list", "ls"],
            "List your secrets (or everyone's with -u) and which clusters hold them",
            (c) =>
              scopeOptions(c)
                .option("all-users", {
                  alias: "u",
                  type: "boolean",
                  default: false,
                  describe: "every user's secrets (names, kinds, owners; never values)",
                })
                .epilogue(EXIT_CODES_HELP)
                .example("$0 secret list", "your secrets: kind, keys, clusters holding each, drift")
                .example("$0 secret list -u -o json", "everyone's, as JSON"),
            h(listSecrets),
          )
          .command(
            "describe <name>",
            "Keys, digests and provenance of a secret on every cluster, and whether they agree",
            (c) =>
              scopeOptions(c)
                .positional("name", { type: "string", demandOption: true })
                .epilogue(EXIT_CODES_HELP)
                .example("$0 secret describe wandb", "one row per cluster; digests, never values"),
            h(describeSecret),
          )
          .command(
            ["delete <name>", "rm <name>"],
            "Delete a secret from every cluster (or --clusters)",
            (c) =>
              scopeOptions(c)
                .positional("name", { type: "string", demandOption: true })
                .epilogue(EXIT_CODES_HELP)
                .example("$0 secret delete wandb", "from every cluster you may use")
                .example("$0 secret delete wandb --clusters gpu-east", "from one cluster only"),
            h(deleteSecret),
          )
          .demandCommand(1, "name a secret command: create, list, describe or delete"),
    )
    .command(
      "sync [names..]",
      "Bring your secrets in line on every cluster (copy what is missing or different)",
      (c) =>
        scopeOptions(c)
          .positional("names", {
            type: "string",
            array: true,
            describe: "only these secrets (names, or prefix* patterns)",
          })
          .option("dry-run", {
            type: "boolean",
            default: false,
            describe: "show the plan, write nothing",
          })
          .option("source", {
            type: "string",
            describe: "copy from this cluster (default: each secret's newest copy)",
          })
          .epilogue(EXIT_CODES_HELP)
          .example("$0 sync --dry-run", "what a sync would copy, per cluster")
          .example("$0 sync wandb --source gpu-east", "copy wandb from gpu-east to the others"),
      h((ctx, args: SyncArgs) => runSync(ctx, { ...args, names: list(args.names) })),
    );
}

/** A secret name from an env key or a file name: lower case, `_` and `.` as `-`. */
export function derivedName(from: string): string {
  return from
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
}

export function mcliAliases(y: Argv, h: Handler): Argv {
  return y
    .command(
      "create <what> <kind> [values..]",
      "mcli's order: create secret env KEY… | create secret git-ssh PATH | create secret default PATH…",
      (c) =>
        scopeOptions(c)
          .positional("what", { choices: ["secret"], describe: "secret" })
          .positional("kind", { choices: ["env", "git-ssh", "default", "mounted"] })
          .positional("values", { type: "string", array: true })
          .option("name", {
            type: "string",
            describe: "the secret's name (default: from the first key or file)",
          })
          .option("dry-run", { type: "boolean", default: false })
          .epilogue(EXIT_CODES_HELP)
          .example(
            "$0 create secret env WANDB_API_KEY",
            "= secret create --kind env --inline WANDB_API_KEY wandb-api-key",
          )
          .example(
            "$0 create secret git-ssh ~/.ssh/id_ed25519 --name github",
            "= secret create --kind git-ssh --from-file … github",
          ),
      h((ctx, args: GlobalArgs & Record<string, unknown>) => {
        const values = list(args.values);
        if (values.length === 0) throw usage("give the keys (env) or the file(s) to store");
        const kind = (args.kind === "mounted" ? "default" : args.kind) as SecretKind;
        const first = values[0] as string;
        const name =
          (args.name as string | undefined) ??
          derivedName(kind === "env" ? (first.split("=")[0] ?? first) : basename(first));
        const create: CreateArgs = {
          ...args,
          name,
          kind,
          inline: kind === "env" ? values : [],
          fromEnvFile: [],
          fromFile: kind === "env" ? [] : values,
          mode: "merge",
          prune: false,
          immutable: false,
          dryRun: args.dryRun === true,
          clusters: args.clusters as string[] | undefined,
          owner: args.owner as string | undefined,
        };
        return createSecret(ctx, create);
      }),
    )
    .command(
      "get <what>",
      "mcli's order: get secrets (= secret list)",
      (c) =>
        scopeOptions(c)
          .positional("what", { choices: ["secrets", "secret"] })
          .option("all-users", { alias: "u", type: "boolean", default: false })
          .epilogue(EXIT_CODES_HELP)
          .example("$0 get secrets", "= secret list"),
      h(listSecrets),
    )
    .command(
      "describe <what> <name>",
      "mcli's order: describe secret NAME (= secret describe NAME)",
      (c) =>
        scopeOptions(c)
          .positional("what", { choices: ["secret"] })
          .epilogue(EXIT_CODES_HELP)
          .example("$0 describe secret wandb", "= secret describe wandb"),
      h(describeSecret),
    )
    .command(
      "delete <what> <name>",
      "mcli's order: delete secret NAME (= secret delete NAME)",
      (c) =>
        scopeOptions(c)
          .positional("what", { choices: ["secret"] })
          .epilogue(EXIT_CODES_HELP)
          .example("$0 delete secret wandb", "= secret delete wandb"),
      h(deleteSecret),
    );
}
