// `npm run deploy` (scripts/deploy.ts) against a stand-in `wrangler` on PATH that records every call
// and keeps a small account state (KV namespaces, the Worker, its secrets): first run, re-run, a
// secret already set, a secret lost on Cloudflare, not logged in. And the real `wrangler deploy
// --dry-run` for the bundle (its size in the log).
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { applyEdits, modify } from "jsonc-parser";
import { afterEach, describe, expect, it } from "vitest";
import { bundleWorker } from "../../scripts/worker-bundle.ts";
import { REPO_ROOT } from "../support/action-runner.ts";

interface State {
  kv: { id: string; title: string }[];
  worker: boolean;
  secrets: Record<string, string>;
  loggedIn: boolean;
  calls: { args: string[]; stdin: boolean }[];
}

/** The stand-in: answers like wrangler 4 for the commands deploy.ts uses; records args (and, for
 *  this test only, the secret values it was given, to check them). */
const STANDIN = `
const fs = require("node:fs");
const file = process.env.STANDIN_STATE;
const state = JSON.parse(fs.readFileSync(file, "utf8"));
const argv = process.argv.slice(2);
const args = argv.slice(0, argv.indexOf("--config"));
const stdin = args[0] === "secret" && args[1] === "put" ? fs.readFileSync(0, "utf8") : "";
state.calls.push({ args: argv, stdin: stdin !== "" });
const save = () => fs.writeFileSync(file, JSON.stringify(state));
const fail = (text) => { save(); process.stderr.write(text + "\\n"); process.exit(1); };
if (!state.loggedIn) fail("✘ [ERROR] You are not logged in. Run \`wrangler login\`.");
const cmd = args.slice(0, 3).join(" ");
if (cmd === "kv namespace list") console.log(JSON.stringify(state.kv, null, "  "));
else if (cmd === "kv namespace create") {
  if (!args.includes("--update-config=false")) fail("would prompt");
  const id = (state.kv.length + 1).toString(16).padStart(32, "a");
  state.kv.push({ id, title: args[3] });
  console.log('🌀 Creating namespace with title "' + args[3] + '"\\n✨ Success!');
} else if (args.slice(0, 2).join(" ") === "secret list") {
  if (!state.worker) fail('✘ [ERROR] Worker "konduktor-broker" not found.\\n\\nIf this is a new Worker, run \`wrangler deploy\` first to create it.');
  console.log(JSON.stringify(Object.keys(state.secrets).map((name) => ({ name, type: "secret_text" }))));
} else if (args.slice(0, 2).join(" ") === "secret put") {
  state.worker = true;
  state.secrets[args[2]] = stdin;
  console.log("✨ Success! Uploaded secret " + args[2]);
} else if (args[0] === "deploy") {
  state.worker = true;
  console.log("Uploaded konduktor-broker\\nDeployed konduktor-broker triggers");
} else fail("stand-in: unexpected " + args.join(" "));
save();
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(state: Partial<State> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "deploy-"));
  dirs.push(dir);
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin/wrangler"), `#!${process.execPath}\n${STANDIN}`, { mode: 0o755 });
  cpSync(join(REPO_ROOT, "wrangler.jsonc"), join(dir, "wrangler.jsonc"));
  const stateFile = join(dir, "state.json");
  writeFileSync(
    stateFile,
    JSON.stringify({ kv: [], worker: false, secrets: {}, loggedIn: true, calls: [], ...state }),
  );
  const config = join(dir, "wrangler.jsonc");
  const run = () => {
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, "scripts/deploy.ts"), "--config", config],
      {
        encoding: "utf8",
        env: {
          PATH: `${join(dir, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin`,
          STANDIN_STATE: stateFile,
          HOME: dir,
        },
      },
    );
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const read = (): State => JSON.parse(readFileSync(stateFile, "utf8"));
  const calls = () =>
    read().calls.map((c) => c.args.slice(0, c.args.indexOf("--config")).join(" "));
  return {
    dir,
    config,
    run,
    read,
    calls,
    secretsFile: join(dir, ".konduktor-secrets.konduktor-broker.env"),
  };
}

const kvId = (config: string) => /"id": "([0-9a-f]+)"/.exec(readFileSync(config, "utf8"))?.[1];

describe("npm run deploy (stand-in wrangler)", () => {
  it("first run: creates the KV namespace, writes its id, generates and sets both secrets, deploys", () => {
    const s = setup({ kv: [{ id: "f".repeat(32), title: "someone-else" }] });
    const before = readFileSync(s.config, "utf8");
    const r = s.run();
    expect(r.code, r.out).toBe(0);
    expect(s.calls()).toEqual([
      "kv namespace list",
      "kv namespace create konduktor-broker-KONDUKTOR_KV --update-config=false",
      "kv namespace list",
      "secret list --format json",
      "secret put ADMIN_TOKEN",
      "secret put KEK",
      "deploy",
    ]);
    expect(s.read().calls.every((c) => c.args.at(-1) === s.config)).toBe(true);
    const id = "2".padStart(32, "a");
    // only the id changed; the comments stay
    expect(readFileSync(s.config, "utf8")).toBe(
      before.replace('"id": "00000000000000000000000000000000"', `"id": "${id}"`),
    );
    const { secrets } = s.read();
    expect(secrets.ADMIN_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secrets.KEK ?? "", "base64")).toHaveLength(32);
    expect(statSync(s.secretsFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(s.secretsFile, "utf8")).toContain(
      `\nADMIN_TOKEN=${secrets.ADMIN_TOKEN}\nKEK=${secrets.KEK}\n`,
    );
    for (const v of Object.values(secrets)) expect(r.out).not.toContain(v);
    expect(r.out).toContain(
      `deploy: KV namespace KONDUKTOR_KV: created "konduktor-broker-KONDUKTOR_KV" (${id})`,
    );
    expect(r.out).toContain(
      "deploy: Worker konduktor-broker does not exist yet: it is created with its secrets",
    );
    expect(r.out).toContain(
      `deploy: the admin token is in ${s.secretsFile} (mode 600): put it in your password manager, then delete the file`,
    );
  });

  it("re-run: nothing created, no secret touched, one deploy; the config is not rewritten", () => {
    const s = setup();
    expect(s.run().code).toBe(0);
    const config = readFileSync(s.config, "utf8");
    const secrets = s.read().secrets;
    const first = s.calls().length;
    const r = s.run();
    expect(r.code, r.out).toBe(0);
    expect(s.calls().slice(first)).toEqual(["secret list --format json", "deploy"]);
    expect(readFileSync(s.config, "utf8")).toBe(config);
    expect(s.read().secrets).toEqual(secrets);
    expect(r.out).toContain("deploy: ADMIN_TOKEN is already set on the Worker: left as is");
    expect(r.out).toContain("deploy: KEK is already set on the Worker: left as is");
  });

  it("a secret already set and the namespace already there: only the other secret is put", () => {
    const s = setup({
      kv: [{ id: "b".repeat(32), title: "konduktor-broker-KONDUKTOR_KV" }],
      worker: true,
      secrets: { KEK: "kept-kek" },
    });
    const r = s.run();
    expect(r.code, r.out).toBe(0);
    expect(s.calls()).toEqual([
      "kv namespace list",
      "secret list --format json",
      "secret put ADMIN_TOKEN",
      "deploy",
    ]);
    expect(kvId(s.config)).toBe("b".repeat(32));
    expect(s.read().secrets.KEK).toBe("kept-kek");
    expect(readFileSync(s.secretsFile, "utf8")).not.toContain("KEK=");
    expect(r.out).toContain(
      'deploy: KV namespace KONDUKTOR_KV: using the existing "konduktor-broker-KONDUKTOR_KV"',
    );
  });

  it("a KEK lost on Cloudflare comes back from the secrets file, never a new one", () => {
    const s = setup({ worker: true, secrets: { ADMIN_TOKEN: "t".repeat(43) } });
    writeFileSync(s.secretsFile, "KEK=the-saved-kek\n", { mode: 0o600 });
    const r = s.run();
    expect(r.code, r.out).toBe(0);
    expect(s.read().secrets.KEK).toBe("the-saved-kek");
    expect(r.out).toContain(
      `deploy: KEK set on the Worker again, with the value saved in ${s.secretsFile}`,
    );
  });

  it("not logged in: fails with what to do, writes nothing", () => {
    const s = setup({ loggedIn: false });
    const before = readFileSync(s.config, "utf8");
    const r = s.run();
    expect(r.code).toBe(1);
    expect(r.out).toContain("deploy: wrangler kv namespace list failed:");
    expect(r.out).toContain("Log in with `npx wrangler login`, or set CLOUDFLARE_API_TOKEN");
    expect(s.calls()).toEqual(["kv namespace list"]);
    expect(readFileSync(s.config, "utf8")).toBe(before);
    expect(readdirSync(s.dir)).not.toContain(".konduktor-secrets.konduktor-broker.env");
  });

  it("a Durable Object class without a migration fails before any call", () => {
    const s = setup();
    const config = readFileSync(s.config, "utf8");
    const binding = { name: "LEDGER", class_name: "Ledger" };
    const text = applyEdits(
      config,
      modify(config, ["durable_objects", "bindings", -1], binding, { isArrayInsertion: true }),
    );
    writeFileSync(s.config, text);
    const r = s.run();
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'deploy: Durable Object LEDGER: class Ledger has no migration in wrangler.jsonc ("migrations": [{ "tag": "v1", "new_sqlite_classes": ["Ledger"] }]): wrangler deploy creates it from there',
    );
    expect(s.calls()).toEqual([]);
  });
});

describe("wrangler deploy --dry-run (the real wrangler)", () => {
  it("bundles the Worker; its gzip size is within the free plan's 3 MiB", () => {
    const out = mkdtempSync(join(tmpdir(), "worker-dry-run-"));
    dirs.push(out);
    const main = bundleWorker(out);
    const files = readdirSync(out, { recursive: true })
      .map(String)
      .filter((f) => /\.(m?js|wasm)$/.test(f));
    expect(files).toContain(main);
    const raw = files.reduce((n, f) => n + readFileSync(join(out, f)).length, 0);
    const gzip = files.reduce(
      (n, f) => n + gzipSync(readFileSync(join(out, f)), { level: 9 }).length,
      0,
    );
    console.log(`worker bundle (dry run): ${files.length} files, ${raw} bytes, ${gzip} bytes gzip`);
    expect(gzip).toBeLessThan(3 * 1024 * 1024);
  }, 120_000);
});
