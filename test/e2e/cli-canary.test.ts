// ksb in a real terminal (tmux) against the broker in real workerd, with a cluster that accepts
// connections and never answers, so each command runs long enough to be looked at: the live
// per-cluster lines (spinners, then the outcome) and the summary naming the cluster that failed
// (exit 3); and canary values given through an environment variable, a dotenv file, the hidden
// prompt and stdin, which appear in no screen, no config file, no broker log and no process
// argument list (/proc/<pid>/cmdline of every process in the terminal, read while ksb runs).
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { kubeconfigFor } from "../cluster/cluster.ts";
import { adminSetup, allFiles, type CliSession, SPINNER, startCliSession } from "./cli-session.ts";
import { b64, newOwner, readSecret } from "./support.ts";

const clusters = inject("clusters");
const hex = () => randomBytes(6).toString("hex");
const CANARY = {
  env: `canary-env-${hex()}`,
  envFile: `canary-envfile-${hex()}`,
  prompt: `canary-prompt-${hex()}`,
  stdin: `canary-stdin-${hex()}`,
};

describe("ksb in a terminal: live lines, and values that never show", () => {
  let s: CliSession;
  let dir = "";
  let logs = "";
  const owner = newOwner();
  const run = (command: string) => s.run(command);

  beforeAll(async () => {
    s = await startCliSession(clusters, { API_TOKEN: CANARY.env });
    dir = s.dir;
    writeFileSync(
      join(dir, "app.env"),
      `# app settings\nDB_PASSWORD="${CANARY.envFile}"\nDB_USER=trainer\n`,
    );
    writeFileSync(join(dir, "stdin.txt"), `${CANARY.stdin}\n`);
    const setup = await adminSetup(s, clusters, owner);
    expect([setup.login, ...setup.adds, setup.token, setup.use].map((r) => r.exit)).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
  });

  afterAll(async () => {
    if (s) ({ logs } = await s.stop());
    for (const c of Object.values(CANARY)) expect(logs).not.toContain(c);
  });

  describe("with a cluster that never answers (so ksb runs long enough to look at it)", () => {
    const sockets: Socket[] = [];
    let hang: Server;
    beforeAll(async () => {
      hang = createServer((socket) => void sockets.push(socket)).listen(0, "127.0.0.1");
      await new Promise((r) => (hang.listening ? r(null) : hang.once("listening", r)));
      const alpha = clusters[0]!;
      const port = (hang.address() as { port: number }).port;
      writeFileSync(
        join(dir, "kc-hang.yaml"),
        kubeconfigFor(alpha, "secrets-editor").replace(alpha.server, `https://127.0.0.1:${port}`),
      );
      const add = await run("ksb --profile admin cluster add hang --kubeconfig kc-hang.yaml");
      expect(add.exit, add.screen).toBe(3); // registered, but not healthy
    });
    afterAll(async () => {
      await run("ksb --profile admin cluster remove hang");
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => hang.close(r));
    });

    it("shows a live line per cluster, then the summary naming the one that failed (exit 3)", async () => {
      await s.term.start(
        "ksb secret create --kind env --inline API_TOKEN live --clusters alpha,hang",
      );
      const during = await s.term.waitFor(new RegExp(`${SPINNER.source} hang`));
      expect(during).toMatch(new RegExp(`${SPINNER.source} alpha\n`));
      const r = await s.term.finish();
      s.screens.push(r.screen);
      expect(r.exit).toBe(3);
      expect(r.screen.split("\n")).toEqual([
        "✔ alpha  created: added API_TOKEN",
        "✖ hang  error timeout",
        expect.stringMatching(/^ {2}› no answer within 4000 ms/),
        "✖ 1 of 2 clusters failed: hang (timeout); synced to the other 1",
      ]);
    });

    it("a value from the environment, a dotenv file, the prompt or stdin is in no process's arguments", async () => {
      const viaEnv = await s.runWatchingArgs(
        "ksb secret create --kind env --inline API_TOKEN c1 --clusters alpha,hang",
        SPINNER,
      );
      const viaFile = await s.runWatchingArgs(
        "ksb secret create --kind env --from-env-file app.env c2 --clusters alpha,hang",
        SPINNER,
      );
      const viaStdin = await s.runWatchingArgs(
        "ksb secret create --kind env --inline STDIN_VALUE=- c3 --clusters alpha,hang < stdin.txt",
        SPINNER,
      );
      // the prompt: ksb waits for the hidden value; type it as a person would
      await s.term.start("ksb secret create --kind env --inline PROMPTED c4 --clusters alpha");
      await s.term.waitFor(/Value of PROMPTED \(hidden\)/);
      const waiting = s.term.processArgs();
      s.argvSeen.push(...waiting);
      await s.term.type(CANARY.prompt);
      await s.term.keys("Enter");
      const viaPrompt = await s.term.finish();
      s.screens.push(viaPrompt.screen);
      for (const r of [viaEnv, viaFile, viaStdin]) {
        expect(r.exit, r.screen).toBe(3);
        expect(
          r.args.some((a) => a.includes("ksb secret create")),
          r.args.join("\n"),
        ).toBe(true);
      }
      expect(waiting.some((a) => a.includes("--inline PROMPTED c4"))).toBe(true);
      expect(viaPrompt.exit, viaPrompt.screen).toBe(0);
      const alpha = clusters[0]!;
      expect((await readSecret(alpha, `c1-${owner}`))?.data).toEqual({
        API_TOKEN: b64(CANARY.env),
      });
      expect((await readSecret(alpha, `c2-${owner}`))?.data).toEqual({
        DB_PASSWORD: b64(CANARY.envFile),
        DB_USER: b64("trainer"),
      });
      expect((await readSecret(alpha, `c3-${owner}`))?.data).toEqual({
        STDIN_VALUE: b64(CANARY.stdin),
      });
      expect((await readSecret(alpha, `c4-${owner}`))?.data).toEqual({
        PROMPTED: b64(CANARY.prompt),
      });
    });
  });

  it("no canary in any screen, config file or process argument list", () => {
    const shown = s.screens.join("\n");
    const files = allFiles(s.home);
    for (const c of Object.values(CANARY)) {
      expect(shown).not.toContain(c);
      expect(files).not.toContain(c);
      expect(s.argvSeen.join("\n")).not.toContain(c);
    }
    expect(s.argvSeen.length).toBeGreaterThan(3);
  });
});
