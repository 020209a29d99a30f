/**
 * Exit codes (documented in docs/cli.md and every command's help):
 *   0  everything succeeded (every cluster)
 *   1  failed: nothing succeeded (no broker answer, a refused credential, every cluster failed)
 *   2  usage: the command line or the input is wrong (checked before any cluster is touched)
 *   3  partial: some clusters succeeded and some failed (each is named)
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI explains in one message (never a value) and exits with. */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.failed) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Wrong command line or input: exit 2. */
export function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

/** The exit code of per-cluster outcomes: all ok 0, none ok 1, some 3 (no cluster: 1). */
export function exitFor(ok: number, failed: number): ExitCode {
  if (failed === 0 && ok > 0) return EXIT.ok;
  if (ok === 0) return EXIT.failed;
  return EXIT.partial;
}

/** The exit codes in words, for every command's help. */
export const EXIT_CODES_HELP =
  "Exit codes: 0 every cluster succeeded, 1 failed, 2 usage (wrong command line or input; nothing was sent to a cluster), 3 partial (some clusters failed: each is named).";

/** A command's help epilogue: its own text, then the exit codes. */
export function epilogue(text: string): string {
  return `${text}\n\n${EXIT_CODES_HELP}`;
}
