// ksb, the bundled bin, typed in a real terminal (tmux) against the broker in real workerd and
// three real kube-apiservers: an admin registers the clusters and issues a token with the CLI;
// a user creates env / default-from-files / default-from-a-directory / git-ssh secrets, lists
// (own, -u, mcli's `get secrets`), describes, syncs and deletes them; the per-cluster lines and
// the summary show on the terminal; with one apiserver stopped it exits 3 naming the cluster;
// `-o json` parses with the wire schema. (Live lines and canaries: cli-canary.test.ts.)
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ListAnswer } from "../../konduktor/wire/secrets.ts";
import { startApiserver, stopApiserver } from "../cluster/control.ts";
import { adminSetup, type CliSession, startCliSession } from "./cli-session.ts";
import { b64, newOwner, readSecret } from "./support.ts";

const clusters = inject("clusters");
const CANARY = { env: `canary-env-${randomBytes(6).toString("hex")}` };

describe("ksb in a terminal, against the broker", () => {
  let s: CliSession;
  let dir = "";
  const owner = newOwner();
  const run = (command: string) => s.run(command);

  beforeAll(async () => {
    s = await startCliSession(clusters, { API_TOKEN: CANARY.env });
    dir = s.dir;
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
  });

  afterAll(async () => {
    await startApiserver("gamma").catch(() => {});
    if (s) {
      const { logs } = await s.stop();
      expect(logs).not.toContain(CANARY.env);
    }
  });

  it("an admin logs in, registers three clusters and issues a token saved as a profile", async () => {
    const { login, adds, token, use } = await adminSetup(s, clusters, owner);
    const url = s.broker.url;
    expect(login.exit, login.screen).toBe(0);
    expect(login.screen).toBe(
      `✔ Logged in to ${url} with an admin token as profile "admin" (saved in ${s.home}/.config/ksb/config.json, mode 0600)`,
    );
    for (const [i, c] of clusters.entries()) {
      const add = adds[i]!;
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
    expect(token.exit, token.screen).toBe(0);
    expect(token.screen).toMatch(
      new RegExp(
        `✔ token [0-9a-f]{16} for owner ${owner} on all \\(write, read\\), expires .*; saved as profile "alice" \\(not printed\\)`,
      ),
    );
    expect(use.screen).toBe(`✔ Using profile "alice" (${url})`);
    const config = join(s.home, ".config", "ksb", "config.json");
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(config, "utf8")).profiles)).toEqual([
      "admin",
      "alice",
    ]);
  });

  it("whoami shows the token's owner, clusters, rights and expiry, and the admin token's", async () => {
    const me = await run("ksb whoami");
    expect(me.exit, me.screen).toBe(0);
    const rows = me.screen.split("\n").map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r[0])).toEqual([
      "broker",
      "caller",
      "owners",
      "clusters",
      "rights",
      "expires",
    ]);
    expect(rows.slice(2, 5)).toEqual([
      ["owners", owner],
      ["clusters", "all"],
      ["rights", "write, read"],
    ]);
    expect(rows[1]?.[1]).toMatch(/^token:[0-9a-f]{16} \(token, cli-e2e\)$/);
    expect(rows[5]?.[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const admin = await run("ksb --profile admin whoami -o json > whoami.json");
    expect(admin.exit, admin.screen).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "whoami.json"), "utf8")).whoami).toEqual({
      id: "admin",
      kind: "admin",
      label: null,
      owners: [],
      clusters: "all",
      rights: { write: false, read: false, listAllUsers: false },
      expiresAt: null,
    });
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
        `^secret train-env \\(owner ${owner}\\): the clusters agree \\(hmac-sha256:test1:[0-9a-f]{64}\\)$`,
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
});
