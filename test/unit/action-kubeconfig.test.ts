// Where kubeconfig mode finds its kubeconfig ($KUBECONFIG merged as kubectl, ~/.kube/config) and
// the provenance it writes (the workflow context from @actions/github).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ambientKubeconfig, readKubeconfig } from "../../action/src/kubeconfig-source.ts";
import { provenanceFor, runUrl, type WorkflowContext } from "../../action/src/provenance.ts";
import { KubeconfigError } from "../../konduktor/kube/kubeconfig.ts";
import {
  MAX_KUBECONFIG_FILES,
  mergeKubeconfigFiles,
} from "../../konduktor/kube/kubeconfig-merge.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "kubeconfig-"));
  dirs.push(d);
  return d;
};
const resolveFrom = (file: string, p: string) =>
  p.startsWith("/") ? p : `${file.slice(0, file.lastIndexOf("/"))}/${p}`;

describe("mergeKubeconfigFiles (kubectl's rules)", () => {
  const one = stringify({
    "current-context": "a",
    clusters: [
      { name: "a", cluster: { server: "https://a:6443", "certificate-authority": "ca.crt" } },
    ],
    users: [
      { name: "u", user: { tokenFile: "tok", exec: { command: "./bin/cred", args: ["x"] } } },
    ],
    contexts: [{ name: "a", context: { cluster: "a", user: "u" } }],
  });
  const two = stringify({
    "current-context": "b",
    clusters: [
      { name: "a", cluster: { server: "https://other:6443" } },
      { name: "b", cluster: { server: "https://b:6443", "certificate-authority": "/abs/ca" } },
    ],
    users: [{ name: "v", user: { exec: { command: "aws" } } }],
    contexts: [{ name: "b", context: { cluster: "b", user: "v", namespace: "ns" } }],
  });

  it("first file wins per name and for current-context; relative paths follow their file", () => {
    const merged = parse(
      mergeKubeconfigFiles(
        [
          { path: "/home/ci/one/config", text: one },
          { path: "/tmp/empty", text: "  \n" },
          { path: "/etc/two/config", text: two },
        ],
        resolveFrom,
      ),
    );
    expect(merged).toEqual({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "a",
      clusters: [
        {
          name: "a",
          cluster: { server: "https://a:6443", "certificate-authority": "/home/ci/one/ca.crt" },
        },
        { name: "b", cluster: { server: "https://b:6443", "certificate-authority": "/abs/ca" } },
      ],
      users: [
        {
          name: "u",
          user: {
            tokenFile: "/home/ci/one/tok",
            exec: { command: "/home/ci/one/./bin/cred", args: ["x"] },
          },
        },
        // a command looked up on PATH stays as written
        { name: "v", user: { exec: { command: "aws" } } },
      ],
      contexts: [
        { name: "a", context: { cluster: "a", user: "u" } },
        { name: "b", context: { cluster: "b", user: "v", namespace: "ns" } },
      ],
    });
  });

  it("names the file and a line, never its text; bounds the number of files", () => {
    const bad = () =>
      mergeKubeconfigFiles(
        [{ path: "/k/bad", text: "users:\n- token: sekrit-tok\n bad: [" }],
        resolveFrom,
      );
    expect(bad).toThrow(KubeconfigError);
    expect(bad).toThrow(
      "/k/bad is not valid YAML (near line 3): check its indentation and quoting",
    );
    expect(() =>
      mergeKubeconfigFiles([{ path: "/k/list", text: "- a\n- b" }], resolveFrom),
    ).toThrow(
      "/k/list is not a kubeconfig (not a YAML mapping): remove it from KUBECONFIG or fix it",
    );
    const many = Array.from({ length: MAX_KUBECONFIG_FILES + 1 }, (_, i) => ({
      path: `/k/${i}`,
      text: one,
    }));
    expect(() => mergeKubeconfigFiles(many, resolveFrom)).toThrow(
      `KUBECONFIG lists 33 files; at most ${MAX_KUBECONFIG_FILES} are read: list only the kubeconfigs this step needs`,
    );
  });
});

describe("the kubeconfig kubectl would use", () => {
  it("$KUBECONFIG (every entry, resolved, once), else ~/.kube/config if it exists, else none", () => {
    const home = tmp();
    expect(ambientKubeconfig({ KUBECONFIG: "/a/one::/a/two:/a/one", HOME: home })).toEqual({
      type: "env",
      paths: ["/a/one", "/a/two"],
    });
    expect(ambientKubeconfig({ KUBECONFIG: "", HOME: home })).toBeNull();
    mkdirSync(join(home, ".kube"));
    writeFileSync(join(home, ".kube/config"), "apiVersion: v1\n");
    expect(ambientKubeconfig({ HOME: home })).toEqual({
      type: "home",
      path: join(home, ".kube/config"),
    });
  });

  it("KUBECONFIG naming only missing files says so", async () => {
    await expect(readKubeconfig({ type: "env", paths: ["/nope/a", "/nope/b"] })).rejects.toThrow(
      "KUBECONFIG names no file that exists (/nope/a, /nope/b): run the step that writes the kubeconfig first, or give the kubeconfig input",
    );
  });
});

describe("provenance from the workflow context", () => {
  const ctx: WorkflowContext = {
    repository: "acme/train",
    ref: "refs/heads/main",
    sha: "0123456789abcdef0123456789abcdef01234567",
    workflow: "Deploy",
    runId: 4242,
    runAttempt: 2,
    serverUrl: "https://github.com",
  };

  it("names the repository, ref, workflow, sha and the run's URL", () => {
    expect(provenanceFor(ctx, "kubeconfig")).toEqual({
      actor: 'github:acme/train@refs/heads/main (workflow "Deploy", sha 0123456789ab)',
      via: "github-action:kubeconfig https://github.com/acme/train/actions/runs/4242/attempts/2",
    });
  });

  it("outside a run (no run id, no repository): no URL, question marks", () => {
    expect(runUrl({ ...ctx, runId: Number.NaN })).toBeNull();
    expect(
      provenanceFor(
        { ...ctx, repository: "?", ref: "", workflow: "", sha: "", runId: Number.NaN },
        "kubeconfig",
      ),
    ).toEqual({ actor: "github:?@?", via: "github-action:kubeconfig" });
  });
});
