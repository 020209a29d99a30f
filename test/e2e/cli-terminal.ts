/**
 * A real terminal for the CLI e2e tests: a tmux server on its own socket running bash with a given
 * environment, where commands are typed as a person types them and the screen is read back.
 * Also: the process list of that terminal (`/proc/<pid>/cmdline` of what runs in it).
 *
 *   const term = await Terminal.start({ env, cwd });
 *   const r = await term.run("ksb secret list");   // { exit, screen }
 *   await term.type("ksb login --url …"); await term.waitFor(/Token/); await term.keys("secret", "Enter");
 *   await term.stop();
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Terminal {
  private readonly socket: string;
  private readonly session: string;
  /** the number of the command started last: its exit marker is `::exit-<n>=<code>` */
  private count = 0;
  private constructor(socket: string, session: string) {
    this.socket = socket;
    this.session = session;
  }

  static async start(options: {
    env: Record<string, string>;
    cwd: string;
    width?: number;
    height?: number;
  }): Promise<Terminal> {
    const socket = `ksb-e2e-${process.pid}-${randomBytes(3).toString("hex")}`;
    const session = "cli";
    const envArgs = Object.entries({ ...options.env, PS1: "$ ", TERM: "xterm-256color" }).map(
      ([k, v]) => `${k}=${v}`,
    );
    execFileSync("tmux", [
      "-L",
      socket,
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      String(options.width ?? 200),
      "-y",
      String(options.height ?? 60),
      "-c",
      options.cwd,
      "env",
      "-i",
      ...envArgs,
      "bash",
      "--noprofile",
      "--norc",
    ]);
    const term = new Terminal(socket, session);
    await term.waitFor(/^\$/m, 10_000);
    return term;
  }

  private tmux(...args: string[]): string {
    return execFileSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
  }

  /** The visible screen and the scrollback, wrapped lines joined. */
  screen(): string {
    return this.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", this.session);
  }

  /** Types text literally (no Enter). */
  async type(text: string): Promise<void> {
    this.tmux("send-keys", "-t", this.session, "-l", text);
  }

  /** Presses keys by name, e.g. "Enter". */
  async keys(...names: string[]): Promise<void> {
    this.tmux("send-keys", "-t", this.session, ...names);
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (pattern.test(s)) return s;
      if (Date.now() > until)
        throw new Error(`terminal: no ${pattern} within ${timeoutMs} ms:\n${s}`);
      await sleep(50);
    }
  }

  /** Clears the screen and scrollback, types `command` and Enter, returns right away. */
  async start(command: string): Promise<void> {
    this.count++;
    await this.type("clear");
    await this.keys("Enter");
    await sleep(100);
    this.tmux("clear-history", "-t", this.session);
    await this.type(`${command}; echo "::exit-${this.count}=$?"`);
    await this.keys("Enter");
  }

  /**
   * Waits for the command started last to end: its exit code and what the screen showed between
   * the typed command and its exit marker (numbered, so a marker left on the screen by an earlier
   * command never matches).
   */
  async finish(timeoutMs = 60_000): Promise<{ exit: number; screen: string }> {
    const marker = new RegExp(`^::exit-${this.count}=(\\d+)$`, "m");
    const screen = await this.waitFor(marker, timeoutMs);
    const exit = Number(marker.exec(screen)?.[1]);
    const lines = screen.split("\n");
    const last = lines.findIndex((l) => marker.test(l));
    const typed = `echo "::exit-${this.count}=$?"`;
    const first = lines.slice(0, last).findLastIndex((l) => l.includes(typed));
    return {
      exit,
      screen: lines
        .slice(first + 1, last)
        .join("\n")
        .trimEnd(),
    };
  }

  async run(command: string, timeoutMs?: number): Promise<{ exit: number; screen: string }> {
    await this.start(command);
    return await this.finish(timeoutMs);
  }

  /** pid of the shell in the terminal */
  shellPid(): number {
    return Number(this.tmux("display-message", "-p", "-t", this.session, "#{pane_pid}").trim());
  }

  /** The command lines (argv joined by spaces) of every process the shell started, and theirs. */
  processArgs(): string[] {
    const parentOf = new Map<number, number>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        parentOf.set(Number(entry), ppid);
      } catch {
        // gone
      }
    }
    const shell = this.shellPid();
    const isDescendant = (pid: number): boolean => {
      for (let p = parentOf.get(pid), n = 0; p !== undefined && n < 20; p = parentOf.get(p), n++) {
        if (p === shell) return true;
      }
      return false;
    };
    const out: string[] = [];
    for (const pid of parentOf.keys()) {
      if (!isDescendant(pid)) continue;
      try {
        out.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim());
      } catch {
        // gone
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    try {
      this.tmux("kill-server");
    } catch {
      // already gone
    }
  }
}
