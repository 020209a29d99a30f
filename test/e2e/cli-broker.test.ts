// ksb, the bundled bin, typed in a real terminal (tmux) against the broker in real workerd and
// three real kube-apiservers: an admin registers the clusters and issues a token with the CLI;
// a user creates env / default-from-files / default-from-a-directory / git-ssh secrets, lists
// (own, -u, mcli's `get secrets`), describes and deletes them; the live per-cluster lines and the
// summary show on the terminal; with one apiserver stopped it exits 3 naming the cluster; `-o json`
// parses with the wire schema. Canary values given through an environment variable, a dotenv
// file, the hidden prompt and stdin appear in no output, no config file, no log and no process
// argument list (/proc/<pid>/cmdline read while ksb runs).
import { randomBytes } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ListAnswer } from "../../konduktor/wire/secrets.ts";
import { kubeconfigFor } from "../cluster/cluster.ts";
import { startApiserver, stopApiserver } from "../cluster/control.ts";
import { type RunningBroker, startBroker } from "../support/broker.ts";
import { Terminal } from "./cli-terminal.ts";
import { b64, newOwner, readSecret } from "./support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const clusters = inject("clusters");
const hex = () => randomBytes(6).toString("hex");
const CANARY = {
  env: `canary-env-${hex()}`,
  envFile: `canary-envfile-${hex()}`,
  prompt: `canary-prompt-${hex()}`,
  stdin: `canary-stdin-${hex()}`,
};

/** every file under `dir`, as text */
function allFiles(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
    .join("\n");
}

describe("ksb in a terminal, against the broker", () => {
  let broker: RunningBroker;
  let term: Terminal;
  const dir = mkdtempSync(join(tmpdir(), "ksb-e2e-"));
  const home = join(dir, "home");
  const owner = newOwner();
  const screens: string[] = [];
  const argvSeen: string[] = [];

  const run = async (command: string) => {
    const r = await term.run(command);
    screens.push(r.screen);
    return r;
  };

  /** Starts `command`, reads the terminal's process list while it runs, then finishes it. */
  const runWatchingArgs = async (command: string, ready: RegExp) => {
    await term.start(command);
    await term.waitFor(ready);
    const args = term.processArgs();
    argvSeen.push(...args);
    const r = await term.finish();
    screens.push(r.screen);
    return { ...r, args };
  };

  beforeAll(async () => {
    broker = await startBroker({
      caPems: clusters.map((c) => c.caPem),
      vars: { CLUSTER_TIMEOUT_MS: "4000", CLUSTER_RETRIES: "1" },
    });
    mkdirSync(join(home, ".config"), { recursive: true });
    mkdirSync(join(dir, "bin"));
    // as `npm install -g` links it: the bundled bin on PATH
    symlinkSync(join(ROOT, "cli/dist/ksb.js"), join(dir, "bin", "ksb"));
    for (const c of clusters)
      writeFileSync(join(dir, `kc-${c.name}.yaml`), kubeconfigFor(c, "secrets-editor"));
    writeFileSync(
      join(dir, "app.env"),
      `# app settings\nDB_PASSWORD="${CANARY.envFile}"\nDB_USER=trainer\n`,
    );
    writeFileSync(join(dir, "stdin.txt"), `${CANARY.stdin}\n`);
    mkdirSync(join(dir, "certs"));
    writeFileSync(join(dir, "certs", "ca.pem"), "-----BEGIN CERTIFICATE-----\nca\n");
    writeFileSync(join(dir, "certs", "client.key"), "client key bytes");
    mkdirSync(join(dir, "conf", "nested"), { recursive: true });
    writeFileSync(join(dir, "conf", "settings.yaml"), "lr: 0.1\n");
    writeFileSync(join(dir, "conf", "nested", "extra.txt"), "extra");
    writeFileSync(
      join(dir, "id_test"),
      "-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n-----END OPENSSH PRIVATE KEY-----\n",
    );
    term = await Terminal.start({
      cwd: dir,
      env: {
        PATH: `${join(dir, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: home,
        XDG_CONFIG_HOME: join(home, ".config"),
        LANG: "C.UTF-8",
        ADMIN_TOKEN: broker.adminToken,
        BROKER: broker.url,
        API_TOKEN: CANARY.env,
      },
    });
  });

  afterAll(async () => {
    await term?.stop();
    await startApiserver("gamma").catch(() => {});
    if (broker) {
      const logs = broker.logs();
      await broker.stop();
      for (const c of Object.values(CANARY)) expect(logs).not.toContain(c);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("an admin logs in, registers three clusters and issues a token saved as a profile", async () => {
    const login = await run('printf %s "$ADMIN_TOKEN" | ksb login --url "$BROKER" --profile admin');
    expect(login.exit, login.screen).toBe(0);
    expect(login.screen).toBe(
      `✔ Logged in to ${broker.url} with an admin token as profile "admin" (saved in ${home}/.config/ksb/config.json, mode 0600)`,
    );
    for (const c of clusters) {
      const add = await run(
        `ksb --profile admin cluster add ${c.name} --kubeconfig kc-${c.name}.yaml`,
      );
      expect(add.exit, add.screen).toBe(0);
      expect(add.screen).toContain(
        `✔ registered cluster "${c.name}" (context ${c.name}-secrets-editor): ${c.server}, namespace konduktor`,
      );
      expect(add.screen).toMatch(
        /✔ health: reachable, v1\.36\.3, may get\/list\/create\/update\/patch\/delete Secrets in konduktor/,
      );
    }
    const list = await run("ksb --profile admin cluster list");
    expect(list.screen.split("\n").map((l) => l.split(/\s+/)[0])).toEqual([
      "NAME",
      "alpha",
      "beta",
      "gamma",
    ]);
    const token = await run(
      `ksb --profile admin token create --owner ${owner} --label cli-e2e --save-profile alice`,
    );
    expect(token.exit, token.screen).toBe(0);
    expect(token.screen).toMatch(
      new RegExp(
        `✔ token [0-9a-f]{16} for owner ${owner} on all \\(write, read\\), expires .*; saved as profile "alice" \\(not printed\\)`,
      ),
    );
    expect((await run("ksb profile use alice")).screen).toBe(
      `✔ Using profile "alice" (${broker.url})`,
    );
    const config = join(home, ".config", "ksb", "config.json");
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(config, "utf8")).profiles)).toEqual([
      "admin",
      "alice",
    ]);
  });

  it("creates an env secret from an environment variable on every cluster, with a line per cluster", async () => {
    const r = await run("ksb secret create --kind env --inline API_TOKEN train-env");
    expect(r.exit, r.screen).toBe(0);
    expect(r.screen.split("\n")).toEqual([
      "✔ alpha  created: added API_TOKEN",
      "✔ beta  created: added API_TOKEN",
      "✔ gamma  created: added API_TOKEN",
      "✔ Synced to 3 of 3 clusters",
    ]);
    for (const c of clusters) {
      const s = await readSecret(c, `train-env-${owner}`);
      expect(s?.metadata.labels).toEqual({
        parent: "konduktor",
        "trainy.ai/secret-owner": owner,
        "trainy.ai/secret-basename": "train-env",
        "trainy.ai/secret-kind": "env",
      });
      expect(s?.data).toEqual({ API_TOKEN: b64(CANARY.env) });
    }
  });

  it("creates default secrets from files and from a directory, and a git-ssh secret", async () => {
    const files = await run(
      "ksb secret create --from-file certs/ca.pem --from-file certs/client.key tls",
    );
    expect(files.exit, files.screen).toBe(0);
    expect(files.screen).toContain("✔ alpha  created: added ca.pem, client.key");
    const dirSecret = await run("ksb secret create --from-directory conf app-config");
    expect(dirSecret.exit, dirSecret.screen).toBe(0);
    const git = await run("ksb secret create --kind git-ssh --from-file id_test github");
    expect(git.exit, git.screen).toBe(0);
    expect(git.screen.split("\n").at(-1)).toBe("✔ Synced to 3 of 3 clusters");
    for (const c of clusters) {
      expect((await readSecret(c, `tls-${owner}`))?.data).toEqual({
        "ca.pem": b64("-----BEGIN CERTIFICATE-----\nca\n"),
        "client.key": b64("client key bytes"),
      });
      const zip = (await readSecret(c, `app-config-${owner}`))?.data?.["payload.zip"] ?? "";
      const entries = unzipSync(Buffer.from(zip, "base64"));
      expect(
        Object.keys(entries)
          .filter((k) => !k.endsWith("/"))
          .sort(),
      ).toEqual(["conf/nested/extra.txt", "conf/settings.yaml"]);
      const g = await readSecret(c, `github-${owner}`);
      expect(g?.metadata.labels?.["trainy.ai/secret-kind"]).toBe("git-ssh");
      expect(Object.keys(g?.data ?? {})).toEqual(["gitkey"]);
    }
  });

  it("lists (own, -u, mcli's get secrets) and describes", async () => {
    const own = await run("ksb secret list");
    expect(own.exit, own.screen).toBe(0);
    const rows = own.screen.split("\n").map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(["NAME", "KIND", "OWNER", "KEYS", "CLUSTERS", "DRIFT"]);
    expect(rows.slice(1)).toEqual([
      ["app-config", "default", owner, "payload.zip", "alpha, beta, gamma", "in line"],
      ["github", "git-ssh", owner, "gitkey", "alpha, beta, gamma", "in line"],
      ["tls", "default", owner, "ca.pem, client.key", "alpha, beta, gamma", "in line"],
      ["train-env", "env", owner, "API_TOKEN", "alpha, beta, gamma", "in line"],
    ]);
    expect((await run("ksb get secrets")).screen).toBe(own.screen);
    // this token may not list every user's secrets: refused, with the broker's reason
    const all = await run("ksb secret list -u");
    expect(all.exit).toBe(1);
    expect(all.screen).toBe(
      "✖ cannot list: this credential may not list the secrets of all users [forbidden] — this credential may not do this: ask the broker's admin",
    );
    const admin = await run(
      `ksb --profile admin token create --owner ${owner} --list-all-users --save-profile lister`,
    );
    expect(admin.exit, admin.screen).toBe(0);
    const everyone = await run("ksb --profile lister secret list -u");
    expect(everyone.exit, everyone.screen).toBe(0);
    expect(everyone.screen).toMatch(new RegExp(`\\ntrain-env\\s+env\\s+${owner}\\s+API_TOKEN`));
    const described = await run("ksb secret describe train-env");
    expect(described.exit, described.screen).toBe(0);
    const lines = described.screen.split("\n");
    expect(lines[0]).toMatch(
      new RegExp(
        `^secret train-env \\(owner ${owner}\\): the clusters agree \\(sha256:[0-9a-f]{64}\\)$`,
      ),
    );
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/).slice(0, 4))).toEqual(
      clusters.map((c) => [c.name, "found", "env", "API_TOKEN"]),
    );
  });

  it("-o json prints the broker's answer, which parses with the wire schema", async () => {
    const r = await run("ksb -o json secret list > list.json");
    expect(r.exit).toBe(0);
    const answer = ListAnswer.parse(JSON.parse(readFileSync(join(dir, "list.json"), "utf8")));
    expect(answer.secrets.map((s) => s.name)).toEqual(["app-config", "github", "tls", "train-env"]);
    expect(answer.results.map((x) => [x.cluster, x.status])).toEqual(
      clusters.map((c) => [c.name, "ok"]),
    );
  });

  describe("with a cluster that never answers (so ksb runs long enough to look at it)", () => {
    const sockets: Socket[] = [];
    let hang: Server;
    beforeAll(async () => {
      hang = createServer((s) => void sockets.push(s)).listen(0, "127.0.0.1");
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
      for (const s of sockets) s.destroy();
      await new Promise((r) => hang.close(r));
    });

    it("shows a live line per cluster, then the summary naming the one that failed (exit 3)", async () => {
      await term.start(
        "ksb secret create --kind env --inline API_TOKEN live --clusters alpha,hang",
      );
      const during = await term.waitFor(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] hang/);
      expect(during).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] alpha\n/);
      const r = await term.finish();
      screens.push(r.screen);
      expect(r.exit).toBe(3);
      expect(r.screen.split("\n")).toEqual([
        "✔ alpha  created: added API_TOKEN",
        "✖ hang  error timeout",
        expect.stringMatching(/^ {2}› no answer within 4000 ms/),
        "✖ 1 of 2 clusters failed: hang (timeout); synced to the other 1",
      ]);
    });

    it("a value from the environment, a dotenv file, the prompt or stdin is in no process's arguments", async () => {
      const viaEnv = await runWatchingArgs(
        "ksb secret create --kind env --inline API_TOKEN c1 --clusters alpha,hang",
        /⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/,
      );
      const viaFile = await runWatchingArgs(
        "ksb secret create --kind env --from-env-file app.env c2 --clusters alpha,hang",
        /⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/,
      );
      const viaStdin = await runWatchingArgs(
        "ksb secret create --kind env --inline STDIN_VALUE=- c3 --clusters alpha,hang < stdin.txt",
        /⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/,
      );
      // the prompt: ksb waits for the hidden value; type it as a person would
      await term.start("ksb secret create --kind env --inline PROMPTED c4 --clusters alpha");
      await term.waitFor(/Value of PROMPTED \(hidden\)/);
      const waiting = term.processArgs();
      argvSeen.push(...waiting);
      await term.type(CANARY.prompt);
      await term.keys("Enter");
      const viaPrompt = await term.finish();
      screens.push(viaPrompt.screen);
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

  it("with one apiserver stopped: exit 3, the stopped cluster named, the others written", async () => {
    await stopApiserver("gamma");
    try {
      const r = await run("ksb secret create --kind env --inline API_TOKEN after-stop");
      expect(r.exit, r.screen).toBe(3);
      const lines = r.screen.split("\n");
      expect(lines.slice(0, 3)).toEqual([
        "✔ alpha  created: added API_TOKEN",
        "✔ beta  created: added API_TOKEN",
        "✖ gamma  error unreachable",
      ]);
      expect(lines.at(-1)).toBe(
        "✖ 1 of 3 clusters failed: gamma (unreachable); synced to the other 2",
      );
    } finally {
      await startApiserver("gamma");
    }
  });

  it("sync --dry-run plans the copy the stopped cluster missed; sync makes it", async () => {
    const plan = await run("ksb sync --dry-run after-stop");
    expect(plan.exit, plan.screen).toBe(0);
    expect(plan.screen.split("\n")).toEqual([
      // every secret of the owner is read (earlier tests made some); the plan covers the name
      expect.stringMatching(/^✔ alpha {2}read \(\d+ secrets\)$/),
      expect.stringMatching(/^✔ beta {2}read \(\d+ secrets\)$/),
      expect.stringMatching(/^✔ gamma {2}read \(\d+ secrets\)$/),
      expect.stringMatching(
        new RegExp(
          `^• create after-stop \\(owner ${owner}\\) on gamma from (alpha|beta): API_TOKEN \\(planned\\)$`,
        ),
      ),
      "✔ Plan: 1 change(s) over 3 clusters, 0 of 1 secret(s) already in line (dry run: nothing written)",
    ]);
    expect(await readSecret(clusters[2]!, `after-stop-${owner}`)).toBeNull();
    const done = await run("ksb sync after-stop");
    expect(done.exit, done.screen).toBe(0);
    expect(done.screen.split("\n").at(-1)).toBe(
      "✔ Synced: 1 change(s) over 3 clusters, 0 of 1 secret(s) already in line",
    );
    expect((await readSecret(clusters[2]!, `after-stop-${owner}`))?.data).toEqual({
      API_TOKEN: b64(CANARY.env),
    });
  });

  it("admin: tokens, webhooks and OIDC bindings", async () => {
    const tokens = await run("ksb --profile admin token list");
    expect(tokens.exit, tokens.screen).toBe(0);
    const rows = tokens.screen
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => [r[1], r[2]]).sort()).toEqual([
      ["cli-e2e", owner],
      ["–", owner],
    ]);
    const lister = rows.find((r) => r[1] === "–")?.[0] as string;
    const revoked = await run(`ksb --profile admin token revoke ${lister}`);
    expect(revoked.screen).toMatch(
      new RegExp(`^✔ revoked token ${lister} \\(no label\\) at \\d{4}-`),
    );
    const refused = await run("ksb --profile lister secret list");
    expect(refused.exit).toBe(1);
    expect(refused.screen).toMatch(
      /^✖ cannot list: .* \[unauthorized\] — the token is wrong, expired or revoked: run `ksb login` again$/,
    );
    const hook = await run(
      `ksb --profile admin hook create --owner ${owner} --names 'db-*,wandb' --label rotation > hook-secret.txt`,
    );
    expect(hook.exit, hook.screen).toBe(0);
    expect(hook.screen).toMatch(
      new RegExp(
        `^✔ webhook (wh_[0-9a-f]{16}): deliveries to POST /v1/hooks/wh_[0-9a-f]{16} for owner ${owner}, names db-\\*, wandb, clusters all\\. Its signing secret is shown once, below\\.$`,
      ),
    );
    expect(readFileSync(join(dir, "hook-secret.txt"), "utf8")).toMatch(/^whsec_[A-Za-z0-9+/=]+\n$/);
    const id = /(wh_[0-9a-f]{16})/.exec(hook.screen)?.[1] as string;
    expect((await run("ksb --profile admin hook list")).screen).toMatch(
      new RegExp(`\\n${id}\\s+rotation\\s+${owner}\\s+db-\\*, wandb\\s+all\\s+yes`),
    );
    expect((await run(`ksb --profile admin hook delete ${id}`)).screen).toBe(
      `✔ deleted webhook ${id}: its deliveries are refused from now on`,
    );
    const binding = await run(
      `ksb --profile admin oidc-binding put train-main --repository acme/train --ref refs/heads/main --owner ${owner} --clusters alpha,beta`,
    );
    expect(binding.screen).toBe(
      `✔ created OIDC binding train-main: workflows matching repository=acme/train, ref=refs/heads/main act as ${owner} on alpha, beta (write, read)`,
    );
    const bad = await run(
      `ksb --profile admin oidc-binding put any --repository '*/*' --owner ${owner}`,
    );
    expect([bad.exit, bad.screen]).toEqual([
      2,
      "✖ not sent: match.repository: must name the owner literally: owner/repo or owner/* (a binding for every owner on GitHub is refused)",
    ]);
    expect((await run("ksb --profile admin oidc-binding list")).screen.split("\n")[1]).toMatch(
      new RegExp(
        `^train-main\\s+repository=acme/train ref=refs/heads/main\\s+${owner}\\s+alpha, beta\\s+write, read$`,
      ),
    );
    expect((await run("ksb --profile admin oidc-binding delete train-main")).screen).toBe(
      "✔ deleted OIDC binding train-main",
    );
  });

  it("deletes (secret delete, and mcli's delete secret) from every cluster", async () => {
    const r = await run("ksb secret delete train-env");
    expect(r.exit, r.screen).toBe(0);
    expect(r.screen.split("\n")).toEqual([
      `✔ alpha  deleted konduktor/train-env-${owner}`,
      `✔ beta  deleted konduktor/train-env-${owner}`,
      `✔ gamma  deleted konduktor/train-env-${owner}`,
      "✔ Deleted from 3 of 3 clusters",
    ]);
    const alias = await run("ksb delete secret tls");
    expect(alias.exit, alias.screen).toBe(0);
    for (const c of clusters) {
      expect(await readSecret(c, `train-env-${owner}`)).toBeNull();
      expect(await readSecret(c, `tls-${owner}`)).toBeNull();
    }
  });

  it("no canary in any screen, config file or process argument list", () => {
    const shown = screens.join("\n");
    const files = allFiles(home);
    for (const c of Object.values(CANARY)) {
      expect(shown).not.toContain(c);
      expect(files).not.toContain(c);
      expect(argvSeen.join("\n")).not.toContain(c);
    }
    expect(argvSeen.length).toBeGreaterThan(3);
  });
});
