/**
 * The secret's data from the command line, with values kept out of argv and shell history:
 *   --inline KEY          the value of the environment variable KEY, else a hidden prompt on a
 *                         terminal (never echoed)
 *   --inline KEY=-        the value from stdin (one trailing newline dropped)
 *   --inline KEY=VALUE    accepted as Konduktor does, with a warning: VALUE is in argv and history
 *   --from-env-file FILE  KEY=VALUE lines in dotenv syntax (`-`: stdin), parsed by `dotenv`
 *   --from-file PATH      one key per file, named after the file (`gitkey` for git-ssh; `-`:
 *                         stdin, git-ssh only)
 *   --from-directory DIR  one payload.zip of the directory (built by konduktor/secret.ts)
 * Sizes are checked before anything is read whole; no value is ever printed.
 */
import { lstat, readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { MAX_SECRET_BYTES } from "../konduktor/secret.ts";
import type { SecretKind, SecretSource } from "../konduktor/types.ts";
import { usage } from "./errors.ts";

/** Files read for one directory secret at most (before zipping) and their total size. */
const MAX_DIRECTORY_FILES = 10_000;
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

export interface SourceFlags {
  kind: SecretKind;
  inline: string[];
  fromEnvFile: string[];
  fromFile: string[];
  fromDirectory?: string | undefined;
}

export interface SourceIo {
  env: Record<string, string | undefined>;
  /** whether a hidden prompt can be shown (stdin is a terminal) */
  interactive: boolean;
  /** reads all of stdin (at most `max` bytes, else throws) */
  readStdin: (max: number) => Promise<Uint8Array>;
  /** asks for a value without echoing it */
  prompt: (message: string) => Promise<string>;
  /** a warning line on stderr */
  warn: (line: string) => void;
}

const KEY_SHOWN = (key: string) => JSON.stringify(key.length > 60 ? `${key.slice(0, 57)}...` : key);

async function readFileBounded(path: string, flag: string): Promise<Uint8Array> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw usage(
      `${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if (!info.isFile()) throw usage(`${flag} ${path}: not a regular file`);
  if (info.size > MAX_SECRET_BYTES) {
    throw usage(
      `${flag} ${path}: ${info.size} bytes; a Kubernetes Secret holds at most ${MAX_SECRET_BYTES} bytes (1 MiB)`,
    );
  }
  return new Uint8Array(await readFile(path));
}

/** Every regular file under `root` (symlinks to files followed; anything else refused), sorted. */
async function walk(root: string, shown: string): Promise<{ path: string; content: Uint8Array }[]> {
  const out: { path: string; content: Uint8Array }[] = [];
  let total = 0;
  const visit = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(dir, e.name);
      const rel = relative(root, full).split(sep).join("/");
      if (e.name === ".DS_Store") continue;
      if (e.isDirectory()) {
        await visit(full);
        continue;
      }
      if (e.isSymbolicLink()) {
        const target = await stat(full).catch(() => null);
        if (!target?.isFile()) {
          throw usage(
            `--from-directory: ${shown}/${rel} is a symbolic link to ${target ? "something that is not a file" : "nothing"}: only links to files are followed`,
          );
        }
      } else if (!e.isFile()) {
        throw usage(
          `--from-directory: ${shown}/${rel} is not a regular file (socket, pipe, device)`,
        );
      }
      if (out.length >= MAX_DIRECTORY_FILES) {
        throw usage(`--from-directory: ${shown} has more than ${MAX_DIRECTORY_FILES} files`);
      }
      const size = (await stat(full)).size;
      total += size;
      if (total > MAX_DIRECTORY_BYTES) {
        throw usage(
          `--from-directory: ${shown} holds more than ${MAX_DIRECTORY_BYTES / 1024 / 1024} MiB; its zip must fit a 1 MiB Secret`,
        );
      }
      out.push({ path: rel, content: new Uint8Array(await readFile(full)) });
    }
  };
  await visit(root);
  return out;
}

function stripOneNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}

/** Builds the SecretSource the flags describe (see the module comment). */
export async function buildSource(flags: SourceFlags, io: SourceIo): Promise<SecretSource> {
  const inlineGiven = flags.inline.length + flags.fromEnvFile.length > 0;
  const kinds = [inlineGiven, flags.fromFile.length > 0, flags.fromDirectory !== undefined];
  if (kinds.filter(Boolean).length !== 1) {
    throw usage(
      "give exactly one source: --inline KEY / --from-env-file FILE (any number), --from-file PATH (any number), or --from-directory DIR",
    );
  }
  const stdinUses =
    flags.inline.filter((i) => i.endsWith("=-")).length +
    flags.fromEnvFile.filter((f) => f === "-").length +
    flags.fromFile.filter((f) => f === "-").length;
  if (stdinUses > 1) throw usage("stdin (-) can be read once per command");
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const stdinText = async (what: string) => {
    try {
      return decoder.decode(await io.readStdin(MAX_SECRET_BYTES));
    } catch (error) {
      if ((error as { exitCode?: number }).exitCode !== undefined) throw error;
      throw usage(`${what}: stdin is not UTF-8 text`);
    }
  };

  if (
    flags.kind === "git-ssh" &&
    (flags.fromFile.length !== 1 || inlineGiven || flags.fromDirectory)
  ) {
    throw usage(
      "a git-ssh secret is one private key: --from-file PATH (or --from-file - for stdin)",
    );
  }
  if (flags.kind === "env" && !inlineGiven) {
    throw usage(
      "an env secret is KEY=VALUE pairs: --inline KEY (any number) or --from-env-file FILE",
    );
  }

  if (inlineGiven) {
    const pairs: Record<string, string> = {};
    const set = (key: string, value: string, where: string) => {
      if (Object.hasOwn(pairs, key)) {
        throw usage(`${where}: key ${KEY_SHOWN(key)} is given twice: give each key once`);
      }
      pairs[key] = value;
    };
    for (const file of flags.fromEnvFile) {
      const text =
        file === "-"
          ? await stdinText("--from-env-file -")
          : decoder.decode(await readFileBounded(resolve(file), "--from-env-file"));
      const parsed = parseDotenv(text);
      if (Object.keys(parsed).length === 0) {
        throw usage(`--from-env-file ${file}: no KEY=VALUE line in it`);
      }
      for (const [k, v] of Object.entries(parsed)) set(k, v, `--from-env-file ${file}`);
    }
    let warned = false;
    for (const item of flags.inline) {
      const eq = item.indexOf("=");
      const key = eq === -1 ? item : item.slice(0, eq);
      if (key === "") throw usage(`--inline ${item.slice(0, 20)}: the key is empty`);
      if (eq === -1) {
        const fromEnv = io.env[key];
        if (fromEnv !== undefined) set(key, fromEnv, `--inline ${key}`);
        else if (io.interactive)
          set(key, await io.prompt(`Value of ${key} (hidden)`), `--inline ${key}`);
        else {
          throw usage(
            `--inline ${KEY_SHOWN(key)}: no value: set the environment variable ${key}, run on a terminal to be asked, or use --inline ${key}=- to read it from stdin`,
          );
        }
      } else if (item.slice(eq + 1) === "-") {
        set(key, stripOneNewline(await stdinText(`--inline ${key}=-`)), `--inline ${key}`);
      } else {
        if (!warned) {
          io.warn(
            `warning: --inline ${key}=… puts the value in your shell history and the process list; next time use --inline ${key} (reads $${key}, or asks) or --from-env-file`,
          );
          warned = true;
        }
        set(key, item.slice(eq + 1), `--inline ${key}`);
      }
    }
    return { type: "inline", pairs };
  }

  if (flags.fromFile.length > 0) {
    const files: { name: string; content: Uint8Array }[] = [];
    for (const path of flags.fromFile) {
      if (path === "-") {
        if (flags.kind !== "git-ssh") {
          throw usage(
            "--from-file - (stdin) names no key: for a default secret use --inline KEY=-",
          );
        }
        files.push({ name: "gitkey", content: await io.readStdin(MAX_SECRET_BYTES) });
        continue;
      }
      const name = flags.kind === "git-ssh" ? "gitkey" : basename(path);
      if (files.some((f) => f.name === name)) {
        throw usage(
          `--from-file: two files are named ${name}; each file becomes the key of its name`,
        );
      }
      files.push({ name, content: await readFileBounded(resolve(path), "--from-file") });
    }
    return { type: "files", files };
  }

  const dir = resolve(flags.fromDirectory as string);
  const info = await lstat(dir).catch(() => null);
  if (!info) throw usage(`--from-directory ${flags.fromDirectory}: does not exist`);
  if (!(await stat(dir)).isDirectory()) {
    throw usage(`--from-directory ${flags.fromDirectory}: not a directory`);
  }
  const entries = await walk(dir, flags.fromDirectory as string);
  if (entries.length === 0) throw usage(`--from-directory ${flags.fromDirectory}: has no files`);
  return { type: "directory", name: basename(dir), entries };
}

/** All of stdin, at most `max` bytes (more is refused before it is kept). */
export async function readAllStdin(max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const bytes = chunk as Uint8Array;
    size += bytes.byteLength;
    if (size > max) throw usage(`stdin holds more than ${max} bytes: a Secret holds at most 1 MiB`);
    chunks.push(bytes);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
