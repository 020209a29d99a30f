/**
 * Bundles the Action (action/src/main.ts) into one ESM file, action/dist/index.js, the file
 * action.yml runs. Deterministic: the same sources and lockfile give the same bytes (a unit test
 * rebuilds into a temp dir and compares with the committed bundle).
 *
 *   node scripts/build-action.ts [outdir]     (default: action/dist)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export async function buildAction(outdir = join(root, "action/dist")): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, "index.js");
  await build({
    absWorkingDir: root,
    entryPoints: ["action/src/main.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    // CommonJS dependencies call require(); give them Node's.
    banner: {
      js: "import { createRequire as __konduktorCreateRequire } from 'node:module';\nconst require = __konduktorCreateRequire(import.meta.url);",
    },
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    legalComments: "eof",
    sourcemap: false,
    metafile: false,
    logLevel: "warning",
    charset: "utf8",
  });
  // Node decides ESM vs CommonJS by the nearest package.json: pin it next to the bundle.
  writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "module" }, null, 2)}\n`);
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildAction(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${out}`);
}
