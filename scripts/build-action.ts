/**
 * Bundles the Action (action/src/index.ts) into ESM files under action/dist — index.js, the file
 * action.yml runs, and the chunks it loads on demand (the mode in use; @kubernetes/client-node
 * only for kubeconfigs that need it) — plus THIRD_PARTY_LICENSES.txt, the licence notices of
 * every package in the bundle (./third-party-licenses.ts). Deterministic: the same sources and
 * lockfile give the same bytes (a unit test rebuilds into a temp dir and compares every file).
 *
 *   node scripts/build-action.ts [outdir]     (default: action/dist)
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";
import { thirdPartyNotices } from "./third-party-licenses.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const NOTICES_FILE = "THIRD_PARTY_LICENSES.txt";

/**
 * `@actions/github`'s index builds an Octokit client at load time (`lib/utils.js`), so esbuild
 * keeps it although only `context` is used. Its utils module is marked side-effect free: unused,
 * it is dropped (about 1 MB of Octokit and a third copy of undici).
 */
const githubContextOnly: Plugin = {
  name: "actions-github-context-only",
  setup(b) {
    b.onResolve({ filter: /^\.\/utils\.js$/ }, (args) =>
      /[\\/]@actions[\\/]github[\\/]lib[\\/]github\.js$/.test(args.importer)
        ? { path: join(args.resolveDir, "utils.js"), sideEffects: false }
        : undefined,
    );
  },
};

/**
 * `@actions/core` imports its OIDC client (and with it `@actions/http-client`, about 590 KB with
 * its own undici) at load time, although only broker mode asks for an ID token. The Action's
 * first step masks the secrets with `@actions/core`, so everything it loads is paid before the
 * first output. Its `./oidc-utils.js` is replaced by a module that imports the real one on the
 * first `getIDToken()`: kubeconfig mode never loads the HTTP client.
 */
const LAZY = "?lazy";
const lazyOidcClient: Plugin = {
  name: "actions-core-lazy-oidc",
  setup(b) {
    b.onResolve({ filter: /^\.\/oidc-utils\.js$/ }, (args) =>
      /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/.test(args.importer)
        ? { path: join(args.resolveDir, "oidc-utils.js"), suffix: LAZY }
        : undefined,
    );
    b.onLoad({ filter: /[\\/]oidc-utils\.js$/ }, (args) =>
      args.suffix !== LAZY
        ? undefined
        : {
            resolveDir: dirname(args.path),
            loader: "js",
            contents: [
              "export class OidcClient {",
              "  static async getIDToken(audience) {",
              `    const { OidcClient: real } = await import(${JSON.stringify(args.path)});`,
              "    return await real.getIDToken(audience);",
              "  }",
              "}",
            ].join("\n"),
          },
    );
  },
};

export interface BuiltAction {
  outdir: string;
  /** action/dist/index.js (or its equivalent in outdir) */
  entry: string;
  metafile: Metafile;
}

export async function buildAction(outdir = join(root, "action/dist")): Promise<BuiltAction> {
  // chunk names carry a content hash: start empty so no stale chunk stays behind
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["action/src/index.ts"],
    outdir,
    entryNames: "index",
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    plugins: [githubContextOnly, lazyOidcClient],
    // CommonJS dependencies call require(); give them Node's.
    banner: {
      js: "import { createRequire as __konduktorCreateRequire } from 'node:module';\nconst require = __konduktorCreateRequire(import.meta.url);",
    },
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    legalComments: "eof",
    sourcemap: false,
    metafile: true,
    logLevel: "warning",
    charset: "utf8",
  });
  // Node decides ESM vs CommonJS by the nearest package.json: pin it next to the bundle.
  writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "module" }, null, 2)}\n`);
  writeFileSync(
    join(outdir, NOTICES_FILE),
    thirdPartyNotices(result.metafile, root, "action/dist"),
  );
  return { outdir, entry: join(outdir, "index.js"), metafile: result.metafile };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outdir } = await buildAction(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${outdir}`);
}
