// The CLI builds a secret's data without values on the command line: --inline KEY reads $KEY or
// asks (hidden), KEY=- and --from-env-file - read stdin, dotenv files are parsed by dotenv; a
// KEY=VALUE works with a warning; every wrong combination is refused before anything is read.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildSource, type SourceFlags, type SourceIo } from "../../cli/source.ts";

const dir = mkdtempSync(join(tmpdir(), "ksb-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(over: Partial<SourceIo> & { stdin?: string } = {}) {
  const calls = { prompts: [] as string[], warnings: [] as string[], stdinReads: 0 };
  const value: SourceIo = {
    env: {},
    interactive: false,
    readStdin: async () => {
      calls.stdinReads++;
      return new TextEncoder().encode(over.stdin ?? "");
    },
    prompt: async (m) => {
      calls.prompts.push(m);
      return "typed-value";
    },
    warn: (l) => calls.warnings.push(l),
    ...over,
  };
  return { io: value, calls };
}

const flags = (f: Partial<SourceFlags>): SourceFlags => ({
  kind: "default",
  inline: [],
  fromEnvFile: [],
  fromFile: [],
  ...f,
});

describe("building the source from flags", () => {
  it("--inline KEY: from the environment, else a hidden prompt on a terminal", async () => {
    const a = io({ env: { API_KEY: "from-env" } });
    expect(await buildSource(flags({ kind: "env", inline: ["API_KEY"] }), a.io)).toEqual({
      type: "inline",
      pairs: { API_KEY: "from-env" },
    });
    const b = io({ interactive: true });
    expect(await buildSource(flags({ kind: "env", inline: ["TOKEN"] }), b.io)).toEqual({
      type: "inline",
      pairs: { TOKEN: "typed-value" },
    });
    expect(b.calls.prompts).toEqual(["Value of TOKEN (hidden)"]);
    expect([...a.calls.warnings, ...b.calls.warnings]).toEqual([]);
  });

  it("--inline KEY with no value and no terminal says the three ways", async () => {
    await expect(buildSource(flags({ kind: "env", inline: ["NOPE"] }), io().io)).rejects.toThrow(
      '--inline "NOPE": no value: set the environment variable NOPE, run on a terminal to be asked, or use --inline NOPE=- to read it from stdin',
    );
  });

  it("KEY=- reads stdin (one trailing newline dropped); stdin is read once", async () => {
    const a = io({ stdin: "line1\nline2\n" });
    expect(await buildSource(flags({ kind: "env", inline: ["K=-"] }), a.io)).toEqual({
      type: "inline",
      pairs: { K: "line1\nline2" },
    });
    await expect(
      buildSource(flags({ inline: ["A=-"], fromEnvFile: ["-"] }), io().io),
    ).rejects.toThrow("stdin (-) can be read once per command");
  });

  it("--from-env-file: dotenv syntax (quotes, comments, export), merged with --inline", async () => {
    const file = join(dir, "app.env");
    writeFileSync(file, "# comment\nexport A=1\nB=\"two words\"\nC='x=y'\n");
    const a = io({ env: { D: "4" } });
    expect(
      await buildSource(flags({ kind: "env", fromEnvFile: [file], inline: ["D"] }), a.io),
    ).toEqual({
      type: "inline",
      pairs: { A: "1", B: "two words", C: "x=y", D: "4" },
    });
    await expect(
      buildSource(flags({ kind: "env", fromEnvFile: [file], inline: ["A=9"] }), io().io),
    ).rejects.toThrow('--inline A: key "A" is given twice: give each key once');
  });

  it("--inline KEY=VALUE is accepted with one warning", async () => {
    const a = io();
    expect(await buildSource(flags({ inline: ["A=1", "B=2"] }), a.io)).toEqual({
      type: "inline",
      pairs: { A: "1", B: "2" },
    });
    expect(a.calls.warnings).toEqual([
      "warning: --inline A=… puts the value in your shell history and the process list; next time use --inline A (reads $A, or asks) or --from-env-file",
    ]);
  });

  it("files: the key is the file's name (gitkey for git-ssh; - is stdin for git-ssh)", async () => {
    writeFileSync(join(dir, "ca.pem"), "PEM");
    const s = await buildSource(flags({ fromFile: [join(dir, "ca.pem")] }), io().io);
    expect(s).toEqual({
      type: "files",
      files: [{ name: "ca.pem", content: new TextEncoder().encode("PEM") }],
    });
    const git = await buildSource(
      flags({ kind: "git-ssh", fromFile: ["-"] }),
      io({ stdin: "KEY\n" }).io,
    );
    expect(git).toEqual({
      type: "files",
      files: [{ name: "gitkey", content: new TextEncoder().encode("KEY\n") }],
    });
    await expect(buildSource(flags({ fromFile: ["-"] }), io().io)).rejects.toThrow(
      "--from-file - (stdin) names no key: for a default secret use --inline KEY=-",
    );
  });

  it("a directory: every file (sorted, .DS_Store left out); a dangling link is refused", async () => {
    const d = join(dir, "conf");
    mkdirSync(join(d, "sub"), { recursive: true });
    writeFileSync(join(d, "b.txt"), "b");
    writeFileSync(join(d, "sub", "a.txt"), "a");
    writeFileSync(join(d, ".DS_Store"), "x");
    const s = await buildSource(flags({ fromDirectory: d }), io().io);
    expect(s.type === "directory" && [s.name, s.entries.map((e) => e.path)]).toEqual([
      "conf",
      ["b.txt", "sub/a.txt"],
    ]);
    symlinkSync(join(d, "missing"), join(d, "dangling"));
    await expect(buildSource(flags({ fromDirectory: d }), io().io)).rejects.toThrow(
      /conf\/dangling is a symbolic link to nothing/,
    );
  });

  it.each([
    [flags({}), "give exactly one source"],
    [flags({ inline: ["A=1"], fromFile: ["x"] }), "give exactly one source"],
    [flags({ kind: "env", fromFile: ["x"] }), "an env secret is KEY=VALUE pairs"],
    [flags({ kind: "git-ssh", inline: ["A=1"] }), "a git-ssh secret is one private key"],
  ])("refuses %# before reading anything", async (f, message) => {
    const a = io();
    await expect(buildSource(f, a.io)).rejects.toThrow(message);
    expect(a.calls.stdinReads).toBe(0);
  });
});
