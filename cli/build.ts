/**
 * Bundles the CLI (cli/main.ts and the konduktor/ code it imports) into one ESM file,
 * cli/dist/ksb.js: the package's `bin`. Dependencies stay external (npm installs them with the
 * package), so the file is small and runs on plain Node ≥ 22.18 — which does not strip types
 * under node_modules, so a `.ts` bin would fail after `npm install -g` or `npx`. Deterministic:
 * a unit test rebuilds into a temp dir and compares with the committed file.
 *
 *   node cli/build.ts [outdir]     (default: cli/dist; `npm run build:cli`)
 */
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export async function buildCli(outdir = join(root, "cli/dist")): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, "ksb.js");
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: { ksb: "cli/main.ts" },
    outdir,
    // direct mode and `cluster add --service-account` (@kubernetes/client-node, slow to load)
    // are chunks loaded only when used
    splitting: true,
    chunkNames: "[name]-[hash]",
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node22.18",
    format: "esm",
    banner: { js: "#!/usr/bin/env node" },
    entryNames: "[name]",
    legalComments: "none",
    sourcemap: false,
    metafile: false,
    logLevel: "warning",
    charset: "utf8",
  });
  chmodSync(outfile, 0o755);
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildCli(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${out}`);
}
