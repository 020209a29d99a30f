/**
 * `ksb`: Konduktor secrets on every cluster, through the broker or straight to every context of a
 * kubeconfig. Parsing, help and shell completion: yargs. Exit codes: ./errors.ts (0 ok, 1 failed,
 * 2 usage, 3 partial). The published bin is the bundle of this file (cli/dist/ksb.js, built by
 * `npm run build:cli`); `node cli/main.ts` runs it from a clone.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import password from "@inquirer/password";
import yargs from "yargs";
import { adminCommands, sessionCommands } from "./commands/admin.ts";
import { type Handler, mcliAliases, secretCommands } from "./commands/secrets.ts";
import type { Ctx } from "./context.ts";
import { CliError, EXIT, EXIT_CODES_HELP } from "./errors.ts";
import { consoleOut, type OutputFormat } from "./output.ts";
import { readAllStdin } from "./source.ts";

/** This package's version, from its package.json (found upwards from this file or the bundle). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "konduktor-secrets-broker" && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return "unknown";
}

export const VERSION = packageVersion();

const EPILOGUE = `${EXIT_CODES_HELP}

Broker mode uses the current profile (ksb login), or KSB_URL and KSB_TOKEN. Direct mode (--kubeconfig or --contexts) writes to kubeconfig contexts with no broker, as owner KONDUKTOR_USER_ID, else ~/.konduktor/user_hash, else Konduktor's hash of user and host.

Values are never printed and never need to be on the command line (--inline KEY reads $KEY or asks). Docs: docs/cli.md`;

/** The process's real stdio as the commands' I/O. */
export function processCtx(format: OutputFormat): Ctx {
  return {
    out: consoleOut(format),
    env: process.env,
    version: VERSION,
    io: {
      env: process.env,
      interactive: process.stdin.isTTY === true,
      readStdin: readAllStdin,
      prompt: async (message) => {
        try {
          return await password({ message, mask: false }, { output: process.stderr });
        } catch (error) {
          if ((error as Error).name === "ExitPromptError") throw new CliError("cancelled");
          throw error;
        }
      },
      warn: (line) => process.stderr.write(`${line}\n`),
    },
  };
}

/** Runs one command line; resolves with the exit code (never exits the process itself). */
export async function run(argv: readonly string[], makeCtx = processCtx): Promise<number> {
  let code: number = EXIT.ok;
  let ctx: Ctx | undefined;
  const h: Handler =
    <A>(flow: (ctx: Ctx, args: A) => Promise<number>) =>
    async (args: unknown) => {
      ctx = makeCtx((args as { output: OutputFormat }).output);
      code = await flow(ctx, args as A);
    };
  const cli = yargs([...argv])
    .scriptName("ksb")
    .usage(
      "$0 <command> [options]\n\nKonduktor secrets on every cluster at once: through the broker, or straight to every context of a kubeconfig.",
    )
    .option("profile", {
      type: "string",
      global: true,
      describe: "broker profile (default: the current one; KSB_PROFILE)",
    })
    .option("url", {
      type: "string",
      global: true,
      describe: "broker URL for this command (KSB_URL)",
    })
    .option("output", {
      alias: "o",
      choices: ["text", "json"],
      default: "text",
      global: true,
      describe: "json: the answer, for scripts",
    })
    .option("kubeconfig", {
      type: "string",
      global: true,
      describe: "direct mode: this kubeconfig (a path list like KUBECONFIG)",
    })
    .option("contexts", {
      type: "string",
      global: true,
      describe: "direct mode: all, or contexts a,b (default: current-context)",
    })
    .option("timeout", {
      type: "number",
      default: 30,
      global: true,
      describe: "seconds to wait for the broker / each cluster",
    });
  sessionCommands(cli, h);
  secretCommands(cli, h);
  adminCommands(cli, h);
  mcliAliases(cli, h);
  cli
    .completion("completion", "Print a bash/zsh completion script (ksb completion >> ~/.bashrc)")
    .demandCommand(1, "name a command (ksb --help lists them)")
    .recommendCommands()
    .strict()
    .help()
    .alias("help", "h")
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue(EPILOGUE)
    .exitProcess(false)
    .fail((message, error) => {
      if (error instanceof CliError) throw error;
      if (error) throw error;
      throw new CliError(
        `${message}\nRun the command with --help for its options and examples.`,
        EXIT.usage,
      );
    });
  try {
    await cli.parseAsync();
  } catch (error) {
    const note = (line: string) =>
      (ctx?.out.note ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
    if (error instanceof CliError) {
      note(error.message.startsWith("✖") ? error.message : `✖ ${error.message}`);
      return error.exitCode;
    }
    // anything else may carry a library's text: its kind only (KSB_DEBUG=1 for the stack)
    const e = error as { name?: string; code?: unknown; stack?: string };
    note(
      `✖ unexpected ${e?.name ?? "error"}${typeof e?.code === "string" ? ` (${e.code})` : ""}; run with KSB_DEBUG=1 for details`,
    );
    if (process.env.KSB_DEBUG) note(String(e?.stack));
    return EXIT.failed;
  }
  return code;
}

function isEntry(): boolean {
  try {
    return (
      realpathSync(resolve(process.argv[1] ?? "")) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

if (isEntry()) {
  process.exitCode = await run(process.argv.slice(2));
}
