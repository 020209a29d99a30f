/**
 * The data source of the secret (konduktor/types.ts `SecretSource`) from the checked inputs:
 * inline values, files, a directory (walked recursively) or the git-ssh key.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import type { SecretSource } from "../../konduktor/types.ts";
import type { ActionConfig } from "./config.ts";
import { masksFor } from "./mask.ts";
import { InputError } from "./values.ts";

const MAX_BYTES = 1024 * 1024;

function workspacePath(path: string): string {
  return resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), path);
}

async function readOne(path: string, input: string): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(`${input}: ${path} is not a file`);
    if (info.size > MAX_BYTES) {
      throw new InputError(
        `${input}: ${path} is ${info.size} bytes; a Kubernetes Secret holds at most 1 MiB`,
      );
    }
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `${input}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"}); paths are relative to the workspace — check out the repository or write the file in an earlier step`,
    );
  }
}

/**
 * Every regular file under `dir`, sorted. A symbolic link to a regular file is followed (stored
 * under the link's name, with the target's content, as Python's zip does); anything else — a
 * dangling link, a link to a directory (could loop or leave the directory), a socket, pipe or
 * device — fails naming its path, rather than being left out silently.
 */
async function walk(
  root: string,
  dir: string,
  shown: string,
  out: { path: string; content: Uint8Array }[],
) {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    const rel = relative(root, full).split(sep).join("/");
    const where = `${shown.replace(/\/+$/, "")}/${rel}`;
    if (e.isDirectory()) {
      await walk(root, full, shown, out);
      continue;
    }
    if (e.isSymbolicLink()) {
      let target: Awaited<ReturnType<typeof stat>>;
      try {
        target = await stat(full);
      } catch {
        throw new InputError(
          `directory: ${where} is a symbolic link to nothing (its target does not exist): remove the link or make it point to a file`,
        );
      }
      if (!target.isFile()) {
        throw new InputError(
          `directory: ${where} is a symbolic link to ${target.isDirectory() ? "a directory" : "something that is not a regular file"}; only links to files are followed: copy the files in instead, or remove the link`,
        );
      }
    } else if (!e.isFile()) {
      throw new InputError(
        `directory: ${where} is not a regular file (a socket, pipe or device): remove it from the directory`,
      );
    }
    out.push({ path: rel, content: await readOne(full, "directory") });
  }
}

export async function buildSource(config: ActionConfig): Promise<SecretSource> {
  if (config.kind === "git-ssh") {
    if (config.gitSshKey.trim() !== "") {
      let key = config.gitSshKey.replace(/\r\n/g, "\n");
      if (!key.endsWith("\n")) key += "\n"; // ssh refuses a key without the final newline
      return { type: "files", files: [{ name: "gitkey", content: new TextEncoder().encode(key) }] };
    }
    const path = workspacePath(config.files[0] ?? "");
    return { type: "files", files: [{ name: "gitkey", content: await readOne(path, "files") }] };
  }
  if (Object.keys(config.values).length > 0) return { type: "inline", pairs: config.values };
  if (config.files.length > 0) {
    const files = [];
    const seen = new Set<string>();
    for (const f of config.files) {
      const name = basename(f);
      if (seen.has(name)) {
        throw new InputError(
          `files: two files are named ${name}; each file becomes the key of its base name`,
        );
      }
      seen.add(name);
      files.push({ name, content: await readOne(workspacePath(f), "files") });
    }
    return { type: "files", files };
  }
  const dir = workspacePath(config.directory);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch {
    throw new InputError(`directory: ${config.directory} does not exist in the workspace`);
  }
  if (!info.isDirectory())
    throw new InputError(`directory: ${config.directory} is not a directory`);
  const entries: { path: string; content: Uint8Array }[] = [];
  await walk(dir, dir, config.directory, entries);
  if (entries.length === 0) throw new InputError(`directory: ${config.directory} has no files`);
  return { type: "directory", name: basename(dir), entries };
}

/** Text lines of file contents, to mask (binary content is skipped; it cannot be printed). */
export function sourceSecrets(source: SecretSource): string[] {
  const contents =
    source.type === "files"
      ? source.files.map((f) => f.content)
      : source.type === "directory"
        ? source.entries.map((e) => e.content)
        : [];
  const out: string[] = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (const c of contents) {
    if (c.byteLength > 64 * 1024) continue;
    try {
      const text = decoder.decode(c);
      out.push(...masksFor(text.trim()));
    } catch {
      // binary
    }
  }
  return [...new Set(out.filter((s) => s !== ""))];
}
