// `ksb <command> --help` for every command: readable, with an example and the exit codes.
import { describe, expect, it } from "vitest";
import { run } from "../../cli/main.ts";

describe("ksb --help", () => {
  const COMMANDS = [
    [],
    ["login"],
    ["logout"],
    ["whoami"],
    ["profile", "list"],
    ["profile", "use"],
    ["secret", "create"],
    ["secret", "list"],
    ["secret", "describe"],
    ["secret", "delete"],
    ["sync"],
    ["cluster", "add"],
    ["cluster", "list"],
    ["cluster", "health"],
    ["cluster", "remove"],
    ["token", "create"],
    ["token", "list"],
    ["token", "revoke"],
    ["hook", "create"],
    ["hook", "list"],
    ["hook", "delete"],
    ["oidc-binding", "put"],
    ["oidc-binding", "list"],
    ["oidc-binding", "delete"],
    ["create"],
    ["get"],
    ["describe"],
    ["delete"],
  ];

  it.each(COMMANDS.map((words) => ({ command: words.join(" "), words })))(
    "ksb $command --help is readable and has an example",
    async ({ words }) => {
      const lines: string[] = [];
      const original = console.log;
      console.log = (...a: unknown[]) => lines.push(a.join(" "));
      try {
        expect(await run([...words, "--help"])).toBe(0);
      } finally {
        console.log = original;
      }
      const help = lines.join("\n");
      expect(help).toContain(`ksb ${words.join(" ")}`.trim());
      if (words.length > 0) expect(help).toMatch(/\nExamples:\n {2}ksb /);
      expect(help.replace(/\s+/g, " ")).toContain(
        "Exit codes: 0 every cluster succeeded, 1 failed, 2 usage (wrong command line or input; nothing was sent to a cluster), 3 partial",
      );
    },
  );
});
