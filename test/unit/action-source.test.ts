// The `directory` source: symbolic links to files are followed; anything else fails naming the path.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ActionConfig } from "../../action/src/config.ts";
import { buildSource } from "../../action/src/source.ts";
import { InputError } from "../../action/src/values.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A workspace with conf/a.txt and whatever `setup` adds; buildSource on directory conf. */
async function fromDirectory(setup: (conf: string, ws: string) => void | Promise<void>) {
  const ws = mkdtempSync(join(tmpdir(), "action-src-"));
  dirs.push(ws);
  const conf = join(ws, "conf");
  mkdirSync(conf);
  writeFileSync(join(conf, "a.txt"), "aaa\n");
  await setup(conf, ws);
  const previous = process.env.GITHUB_WORKSPACE;
  process.env.GITHUB_WORKSPACE = ws;
  try {
    return await buildSource({
      kind: "default",
      values: {},
      files: [],
      directory: "conf",
      gitSshKey: "",
    } as unknown as ActionConfig);
  } finally {
    if (previous === undefined) delete process.env.GITHUB_WORKSPACE;
    else process.env.GITHUB_WORKSPACE = previous;
  }
}

async function failure(setup: (conf: string, ws: string) => void | Promise<void>) {
  const error = await fromDirectory(setup).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as Error).message;
}

describe("directory source", () => {
  it("follows a symbolic link to a regular file (inside or outside the directory), stored under the link's name", async () => {
    const source = await fromDirectory((conf, ws) => {
      writeFileSync(join(ws, "outside.txt"), "outside\n");
      mkdirSync(join(conf, "sub"));
      symlinkSync(join(ws, "outside.txt"), join(conf, "sub/linked.txt"));
      symlinkSync("a.txt", join(conf, "b.txt"));
    });
    expect(source.type).toBe("directory");
    const entries = source.type === "directory" ? source.entries : [];
    expect(entries.map((e) => [e.path, new TextDecoder().decode(e.content)])).toEqual([
      ["a.txt", "aaa\n"],
      ["b.txt", "aaa\n"],
      ["sub/linked.txt", "outside\n"],
    ]);
  });

  it("fails naming a dangling link", async () => {
    expect(await failure((conf) => symlinkSync("missing.txt", join(conf, "gone.txt")))).toBe(
      "directory: conf/gone.txt is a symbolic link to nothing (its target does not exist): remove the link or make it point to a file",
    );
  });

  it("fails naming a link to a directory", async () => {
    expect(await failure((conf, ws) => symlinkSync(ws, join(conf, "loop")))).toBe(
      "directory: conf/loop is a symbolic link to a directory; only links to files are followed: copy the files in instead, or remove the link",
    );
  });

  it("fails naming a socket", async () => {
    const server = createServer();
    try {
      const message = await failure(
        (conf) =>
          new Promise<void>((resolve) => server.listen(join(conf, "agent.sock"), () => resolve())),
      );
      expect(message).toBe(
        "directory: conf/agent.sock is not a regular file (a socket, pipe or device): remove it from the directory",
      );
    } finally {
      server.close();
    }
  });
});
