/**
 * Where kubeconfig mode gets its kubeconfig, and reading it:
 *  - the kubeconfig input: its YAML, or a path in the workspace;
 *  - else, as kubectl does: every file of `$KUBECONFIG` (merged; files that do not exist are
 *    skipped), else ~/.kube/config. That is what azure/k8s-set-context,
 *    google-github-actions/get-gke-credentials (`$KUBECONFIG`) and `aws eks update-kubeconfig`
 *    (~/.kube/config) leave for the next step.
 * The credentials of every file are masked as soon as it is read, before anything is printed.
 */

import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, resolve } from "node:path";
import * as core from "@actions/core";
import { KubeconfigError } from "../../konduktor/kube/kubeconfig.ts";
import {
  type KubeconfigFile,
  mergeKubeconfigFiles,
} from "../../konduktor/kube/kubeconfig-merge.ts";
import type { AmbientKubeconfig, KubeconfigSource } from "./config.ts";
import { StepError } from "./errors.ts";
import { kubeconfigSecrets } from "./mask.ts";

/** A kubeconfig file larger than this is not a kubeconfig. */
const MAX_KUBECONFIG_BYTES = 1024 * 1024;

/** The kubeconfig kubectl would use here (no file is read): `$KUBECONFIG`, else ~/.kube/config. */
export function ambientKubeconfig(env: NodeJS.ProcessEnv = process.env): AmbientKubeconfig {
  const listed = (env.KUBECONFIG ?? "").split(delimiter).filter((p) => p.trim() !== "");
  if (listed.length > 0) return { type: "env", paths: [...new Set(listed.map((p) => resolve(p)))] };
  const home = resolve(env.HOME || homedir(), ".kube", "config");
  return existsSync(home) ? { type: "home", path: home } : null;
}

/** How the source is named in the log (paths only). */
export function describeSource(source: KubeconfigSource): string {
  switch (source.type) {
    case "input":
      return "the kubeconfig input";
    case "env":
      return `$KUBECONFIG (${source.paths.length} file${source.paths.length === 1 ? "" : "s"})`;
    case "home":
      return `${source.path} (no kubeconfig input, KUBECONFIG not set)`;
  }
}

async function readMasked(path: string, what: string): Promise<string> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_KUBECONFIG_BYTES) {
      throw new StepError(
        `${what}: ${path} is ${info.isFile() ? `${info.size} bytes, not a kubeconfig (at most 1 MiB)` : "not a file"}`,
      );
    }
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof StepError) throw error;
    throw new StepError(
      `${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  for (const secret of kubeconfigSecrets(text)) core.setSecret(secret);
  return text;
}

const fromFile = (file: string, path: string) =>
  isAbsolute(path) ? path : resolve(dirname(file), path);

/** Files merged as kubectl merges them; relative paths inside made absolute (to their file). */
function merged(files: KubeconfigFile[]): string {
  try {
    return mergeKubeconfigFiles(files, fromFile);
  } catch (error) {
    if (error instanceof KubeconfigError) throw new StepError(error.message);
    throw error;
  }
}

/**
 * The kubeconfig text for a source. The input's own YAML was masked with the other inputs; a file
 * is masked here as soon as it is read.
 */
export async function readKubeconfig(source: KubeconfigSource): Promise<string> {
  if (source.type === "input") {
    const trimmed = source.text.trim();
    if (trimmed.includes("\n") || trimmed.includes(":")) return source.text;
    const path = resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), trimmed);
    if (!existsSync(path)) {
      throw new StepError(
        "kubeconfig: not kubeconfig YAML and not a readable file path: pass the kubeconfig's content (e.g. the KUBECONFIG repository secret) or a path in the workspace",
      );
    }
    return merged([{ path, text: await readMasked(path, "kubeconfig") }]);
  }
  if (source.type === "home") {
    return merged([{ path: source.path, text: await readMasked(source.path, "~/.kube/config") }]);
  }
  const files: KubeconfigFile[] = [];
  for (const path of source.paths.filter((p) => existsSync(p))) {
    files.push({ path, text: await readMasked(path, "KUBECONFIG") });
  }
  if (files.length === 0) {
    throw new StepError(
      `KUBECONFIG names no file that exists (${source.paths.join(", ")}): run the step that writes the kubeconfig first, or give the kubeconfig input`,
    );
  }
  return merged(files);
}
