import { afterEach, describe, expect, it, vi } from "vitest";
import { type AmbientKubeconfig, parseConfig } from "../../action/src/config.ts";
import { readInputs, readSecretInputs, type SecretInputs } from "../../action/src/inputs.ts";
import { kubeconfigSecrets, masksFor, secretsToMask } from "../../action/src/mask.ts";
import { filterKeys, InputError, parseValues, parseValuesInput } from "../../action/src/values.ts";
import { type InputFixture, stubInputs } from "../support/action-fixtures.ts";

const CANARY = "canary-7f3a9c-do-not-print";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The secret inputs as the Action reads them, from a fixture (broker mode unless it says). */
function raw(inputs: InputFixture): SecretInputs {
  stubInputs({ "broker-url": "https://broker.example.com", ...inputs });
  return readSecretInputs();
}

function config(inputs: InputFixture, ambient: AmbientKubeconfig = null) {
  const secrets = raw(inputs);
  return parseConfig(readInputs(), secrets, parseValuesInput(secrets.values), ambient);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("values input", () => {
  it("reads KEY=value lines, keeping '=' and spaces inside values, skipping blanks and comments", () => {
    expect(parseValues("A=1\n\n# comment\nC=a=b=c\nD= spaced \nE=\r\nF=x")).toEqual({
      A: "1",
      C: "a=b=c",
      D: " spaced ",
      E: "",
      F: "x",
    });
  });

  it("reads KEY<<EOF heredocs for multi-line values", () => {
    expect(parseValues("A=1\nKEY<<EOF\nline one\n  line two\nEOF\nB=2")).toEqual({
      A: "1",
      KEY: "line one\n  line two",
      B: "2",
    });
    expect(errorOf(() => parseValues(`K<<END\n${CANARY}\n`)).message).toMatch(/not closed.*END/);
  });

  it("reads toJSON(secrets) (JSON) and YAML maps, keeping every scalar a string", () => {
    const json = JSON.stringify({ github_token: "ghs_x", TOKEN: "a\nb", NUM: "0123" }, null, 2);
    expect(parseValues(json)).toEqual({ github_token: "ghs_x", TOKEN: "a\nb", NUM: "0123" });
    expect(parseValues("A: 0123\nB: true\nC: |\n  x\n  y\n")).toEqual({
      A: "0123",
      B: "true",
      C: "x\ny\n",
    });
    expect(parseValues("  \n")).toEqual({});
  });

  it("never quotes a value in its errors", () => {
    for (const text of [
      `A=1\n${CANARY}`,
      `{"A": "${CANARY}",,}`,
      `A: [${CANARY}]`,
      `A: ${CANARY}\nA: ${CANARY}`,
      `A=${CANARY}\nA=${CANARY}`,
    ]) {
      const error = errorOf(() => parseValues(text));
      expect(error.message).not.toContain(CANARY);
      expect(error.message).toMatch(/^values: /);
    }
  });

  it("a JSON/YAML syntax error names its line and column, never the text", () => {
    expect(errorOf(() => parseValues(`A: 1\nB: [${CANARY}\nC: 2`)).message).toBe(
      "values: not KEY=value lines and not a valid JSON/YAML map (syntax error at line 3 column 1)",
    );
    expect(errorOf(() => parseValues(`{"A": "${CANARY}",,}`)).message).toBe(
      `values: not KEY=value lines and not a valid JSON/YAML map (syntax error at line 1 column ${CANARY.length + 10})`,
    );
  });

  it("names a key given twice in a JSON or YAML map, like in KEY=value lines", () => {
    for (const text of [
      `{"A": "1", "TOKEN": "${CANARY}", "TOKEN": "${CANARY}"}`,
      `A: 1\nTOKEN: ${CANARY}\nTOKEN: ${CANARY}`,
      `A=1\nTOKEN=${CANARY}\nTOKEN=x`,
    ]) {
      expect(errorOf(() => parseValues(text)).message).toBe("values: key TOKEN is given twice");
    }
  });

  it("filters keys with include/exclude globs, case-insensitively", () => {
    const pairs = { TRAIN_A: "1", TRAIN_B: "2", WANDB_API_KEY: "3", github_token: "4", OTHER: "5" };
    expect(filterKeys(pairs, ["train_*", "WANDB_API_KEY"], ["*_B"])).toEqual({
      kept: { TRAIN_A: "1", WANDB_API_KEY: "3" },
      dropped: ["TRAIN_B", "github_token", "OTHER"],
    });
    expect(Object.keys(config({ values: JSON.stringify(pairs), name: "s" }).values)).toEqual([
      "TRAIN_A",
      "TRAIN_B",
      "WANDB_API_KEY",
      "OTHER",
    ]);
  });
});

describe("inputs", () => {
  it("always drops github_token (any case), also when exclude is set, unless include names it", () => {
    const values = JSON.stringify({ GITHUB_TOKEN: "ghs_1", A: "1", B: "2" });
    const keys = (inputs: Record<string, string>) =>
      Object.keys(config({ name: "s", values, ...inputs }).values);
    expect(keys({})).toEqual(["A", "B"]);
    expect(keys({ exclude: "B" })).toEqual(["A"]);
    expect(keys({ include: "*" })).toEqual(["A", "B"]);
    expect(keys({ include: "GITHUB_*, A" })).toEqual(["A"]);
    expect(keys({ include: "github_token, A" })).toEqual(["GITHUB_TOKEN", "A"]);
  });

  it("says the allowed range of timeout-seconds and what to do", () => {
    for (const t of ["0", "abc", "1.5", "3601"]) {
      expect(
        errorOf(() => config({ name: "s", values: "A=1", "timeout-seconds": t })).message,
      ).toBe(
        "invalid input: timeout-seconds: must be a whole number of seconds from 1 to 3600 (default 60); give e.g. timeout-seconds: 120, or leave it out",
      );
    }
    expect(config({ name: "s", values: "A=1", "timeout-seconds": "" }).timeoutMs).toBe(60_000);
  });

  it("defaults: kind env, mode merge, all clusters, fail on partial, audience konduktor-broker", () => {
    const c = config({ name: "train-env", values: "A=1" });
    expect(c).toMatchObject({
      name: "train-env",
      kind: "env",
      mode: "merge",
      clusters: [],
      prune: false,
      dryRun: false,
      failOnPartial: true,
      target: { type: "broker", url: "https://broker.example.com", audience: "konduktor-broker" },
    });
    expect(config({ name: "s", values: "A=1", mode: "replace", prune: "false" }).mode).toBe(
      "replace",
    );
    expect(config({ name: "s", values: "A=1", clusters: "alpha,\nbeta" }).clusters).toEqual([
      "alpha",
      "beta",
    ]);
  });

  it("explains every wrong input without quoting values", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ name: "Bad_Name", values: "A=1" }, /name must be a Kubernetes name: lowercase letters/],
      [{ name: "s", values: "A=1", kind: "file" }, /kind: must be env, default or git-ssh/],
      [{ name: "s", values: "A=1", mode: "upsert" }, /mode: must be merge or replace/],
      [{ name: "s", values: "A=1", prune: "yes" }, /prune: must be true or false/],
      [{ name: "s" }, /nothing to write/],
      [{ name: "s", values: "A=1", files: "a.txt" }, /exactly one source/],
      [{ name: "s", files: "a.txt" }, /kind env takes only values/],
      [{ name: "s", values: "my-key=1" }, /not allowed: my-key/],
      [{ name: "s", values: "A=1", include: "B*" }, /every key was filtered out/],
      [{ name: "s", values: "A=1", mode: "replace", prune: "true" }, /prune applies to mode merge/],
      [
        { name: "s", values: "A=1", "broker-url": "" },
        /give broker-url \(broker mode\) or a kubeconfig/,
      ],
      [
        { name: "s", values: "A=1", kubeconfig: "apiVersion: v1" },
        /exactly one of broker-url .* or kubeconfig .*, not both/,
      ],
      [
        { name: "s", values: "A=1", "broker-url": "", kubeconfig: "apiVersion: v1" },
        /owner is required in kubeconfig mode/,
      ],
      [
        { name: "s", values: "A=1", owner: "XYZ" },
        /owner must be 8 lowercase hexadecimal characters/,
      ],
      [{ name: "s", kind: "git-ssh", values: "A=1" }, /kind git-ssh takes the private key/],
      [{ name: "s", values: "A=1", namespace: "team" }, /^namespace is for kubeconfig mode/],
      [
        { name: "s", values: "A=1", "broker-url": "http://10.0.0.1:8787" },
        /^invalid input: broker-url: http:\/\/10\.0\.0\.1:8787 is plain http to another machine/,
      ],
      [
        { name: "s", values: "A=1", "broker-url": "ftp://broker.example.com" },
        /^invalid input: broker-url: must be an https:\/\/ URL$/,
      ],
      [
        { name: "s", values: "A=1", "broker-url": "https://u:p@broker.example.com" },
        /^invalid input: broker-url: must not contain a user name or password/,
      ],
      [{ name: "s", "git-ssh-key": CANARY }, /git-ssh-key is for kind git-ssh/],
    ];
    for (const [inputs, pattern] of cases) {
      const message = errorOf(() => config({ ...inputs })).message;
      expect(message, JSON.stringify(inputs)).toMatch(pattern);
      expect(message).not.toContain(CANARY);
    }
  });
});

describe("broker-url and the ambient kubeconfig", () => {
  it("http:// only to this machine; a trailing slash is dropped", () => {
    for (const url of ["http://127.0.0.1:8787", "http://localhost:8787/", "http://[::1]:8787"]) {
      expect(config({ name: "s", values: "A=1", "broker-url": url }).target).toMatchObject({
        type: "broker",
        url: url.replace(/\/$/, ""),
      });
    }
  });

  it("no broker-url and no kubeconfig input: the kubeconfig kubectl would use", () => {
    const ambient = { type: "env" as const, paths: ["/k/one", "/k/two"] };
    expect(
      config({ name: "s", values: "A=1", "broker-url": "", owner: "0a1b2c3d" }, ambient).target,
    ).toEqual({
      type: "kubeconfig",
      kubeconfig: ambient,
      contexts: [],
      owner: "0a1b2c3d",
      namespace: "",
    });
    // a broker-url wins over an ambient kubeconfig (it is there for other steps)
    expect(config({ name: "s", values: "A=1" }, ambient).target.type).toBe("broker");
  });
});

describe("masking", () => {
  it("masks each value and each line of a multi-line value", () => {
    expect(masksFor("single")).toEqual(["single"]);
    expect(masksFor("-----BEGIN KEY-----\r\nabcd\n\n-----END KEY-----\n")).toEqual([
      "-----BEGIN KEY-----\nabcd\n\n-----END KEY-----\n",
      "-----BEGIN KEY-----",
      "abcd",
      "-----END KEY-----",
    ]);
    expect(masksFor("   ")).toEqual([]);
  });

  it("one rule for lines: 4+ characters on their own; the whole value always (also short)", () => {
    const json = '{\n  "user": "svc",\n  "key": "k3y-material"\n}';
    expect(masksFor(json)).toEqual([json, '"user": "svc",', '"key": "k3y-material"']);
    expect(masksFor("ab\ncd")).toEqual(["ab\ncd"]);
    expect(masksFor("x")).toEqual(["x"]);
  });

  it("values that do not parse: every raw line of 4+ characters (and what follows = or :) is masked", () => {
    const text = `A=${CANARY}\nnot a pair line\n{\nB: shh-${CANARY}\nxy`;
    const r = raw({ name: "s", values: text });
    const parsed = parseValuesInput(r.values);
    expect(parsed).toBeInstanceOf(InputError);
    expect(secretsToMask(r, parsed)).toEqual([
      `A=${CANARY}`,
      CANARY,
      "not a pair line",
      `B: shh-${CANARY}`,
      `shh-${CANARY}`,
    ]);
  });

  it("masks filtered-out values too, the ssh key, the api token and kubeconfig credentials", () => {
    const r = raw({
      name: "s",
      values: JSON.stringify({ A: "va", github_token: "ghs_dropped" }),
      "git-ssh-key": "key1\nkey2",
      "api-token": "tok-123",
      kubeconfig: "users:\n- name: u\n  user:\n    token: kube-tok\n    client-key-data: a2V5\n",
    });
    const masks = secretsToMask(r, parseValuesInput(r.values));
    for (const m of [
      "va",
      "ghs_dropped",
      "key1",
      "key2",
      "key1\nkey2",
      "tok-123",
      "kube-tok",
      "a2V5",
    ]) {
      expect(masks).toContain(m);
    }
    // a kubeconfig that does not parse: every line of 4+ characters
    expect(kubeconfigSecrets("users:\n  - token: tok-secret\n bad: [")).toEqual([
      "users:",
      "- token: tok-secret",
      "bad: [",
    ]);
  });
});
