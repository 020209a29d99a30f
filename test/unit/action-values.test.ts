import { describe, expect, it } from "vitest";
import {
  parseConfig,
  parseValuesInput,
  type RawInputs,
  readRawInputs,
} from "../../action/src/inputs.ts";
import { kubeconfigSecrets, masksFor, secretsToMask } from "../../action/src/mask.ts";
import { filterKeys, InputError, parseValues } from "../../action/src/values.ts";

const CANARY = "canary-7f3a9c-do-not-print";

function raw(inputs: Record<string, string>): RawInputs {
  const env: Record<string, string> = {
    INPUT_CLUSTERS: "all",
    INPUT_MODE: "merge",
    INPUT_KIND: "env",
    INPUT_PRUNE: "false",
    "INPUT_DRY-RUN": "false",
    "INPUT_FAIL-ON-PARTIAL": "true",
    "INPUT_BROKER-URL": "https://broker.example.com",
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return readRawInputs(env);
}

function config(inputs: Record<string, string>) {
  const r = raw(inputs);
  return parseConfig(r, parseValuesInput(r));
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
      [{ name: "s", values: "A=1", "broker-url": "" }, /exactly one of broker-url/],
      [{ name: "s", values: "A=1", kubeconfig: "apiVersion: v1" }, /exactly one of broker-url/],
      [
        { name: "s", values: "A=1", "broker-url": "", kubeconfig: "apiVersion: v1" },
        /owner is required in kubeconfig mode/,
      ],
      [{ name: "s", values: "A=1", owner: "XYZ" }, /owner must be 8 hexadecimal characters/],
      [{ name: "s", kind: "git-ssh", values: "A=1" }, /kind git-ssh takes the private key/],
      [{ name: "s", "git-ssh-key": CANARY }, /git-ssh-key is for kind git-ssh/],
    ];
    for (const [inputs, pattern] of cases) {
      const message = errorOf(() => config({ ...inputs })).message;
      expect(message, JSON.stringify(inputs)).toMatch(pattern);
      expect(message).not.toContain(CANARY);
    }
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
    const parsed = parseValuesInput(r);
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
    const masks = secretsToMask(r, parseValuesInput(r));
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
