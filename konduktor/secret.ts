/**
 * The Konduktor secret format (docs/konduktor-format.md): one input (owner, basename, kind, source)
 * checked as a whole and built into the Kubernetes Secret `konduktor secret create` would write.
 * The parts: names, labels and annotations in ./format.ts, validation in ./validate.ts, building the
 * data from inline pairs, files or a directory in ./build-data.ts (all re-exported here).
 *
 * Runtime-neutral (workerd, Node). Validation messages name the field and say how to fix it; they
 * may quote key names, basenames and sizes, never a value.
 */
import { buildData } from "./build-data.ts";
import {
  LABEL_BASENAME,
  LABEL_KIND,
  LABEL_OWNER,
  LABEL_PARENT,
  PARENT_VALUE,
  secretLabels,
  secretName,
} from "./format.ts";
import { type KubeSecret, SECRET_KINDS, type SecretKind, type SecretSource } from "./types.ts";
import {
  isSecretKind,
  ValidationError,
  validateBasename,
  validateNamespace,
  validateOwner,
  validateSize,
} from "./validate.ts";

export { DIRECTORY_KEY, GIT_SSH_KEY } from "./build-data.ts";
export {
  baseName,
  decodedSize,
  isEnvVarName,
  isSecretKind,
  MAX_BASENAME_LENGTH,
  MAX_KEY_LENGTH,
  MAX_SECRET_BYTES,
  ValidationError,
  validateBasename,
  validateKey,
  validateNamespace,
  validateOwner,
  validateSize,
} from "./validate.ts";
export {
  LABEL_BASENAME,
  LABEL_KIND,
  LABEL_OWNER,
  LABEL_PARENT,
  PARENT_VALUE,
  secretLabels,
  secretName,
};

export interface SecretInput {
  /** the owner hash: 8 lowercase hex characters */
  owner: string;
  /** the name the user typed (`konduktor secret create <basename>`) */
  basename: string;
  /** `default` when absent */
  kind?: SecretKind;
  source: SecretSource;
  /** the namespace of the target context; set on the built Secret when given */
  namespace?: string;
}

/**
 * Checks everything about an input and returns ALL problems (empty when it is valid), together
 * with the Secret when it is valid.
 */
export function checkSecretInput(input: SecretInput): {
  problems: ValidationError[];
  secret: KubeSecret | null;
} {
  const problems: ValidationError[] = [];
  if (!input || typeof input !== "object") {
    return {
      problems: [new ValidationError("input", "the secret input is missing")],
      secret: null,
    };
  }
  problems.push(...validateOwner(input.owner));
  problems.push(...validateBasename(input.basename));
  if (input.namespace !== undefined) problems.push(...validateNamespace(input.namespace));
  const kindOk = input.kind === undefined || isSecretKind(input.kind);
  if (!kindOk) {
    problems.push(
      new ValidationError(
        "kind",
        `kind must be one of ${SECRET_KINDS.join(", ")} (or left out for default)`,
      ),
    );
    return { problems, secret: null };
  }
  const { data } = buildData(input, problems);
  if (problems.length === 0) problems.push(...validateSize(data));
  if (problems.length > 0) return { problems, secret: null };
  const kind = input.kind ?? "default";
  const secret: KubeSecret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secretName(input.basename, input.owner),
      ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
      labels: secretLabels(input.owner, input.basename, kind),
    },
    type: "Opaque",
    data,
  };
  return { problems: [], secret };
}

/** Every problem with an input (empty when valid). */
export function validateSecretInput(input: SecretInput): ValidationError[] {
  return checkSecretInput(input).problems;
}

/**
 * Builds the Kubernetes Secret `konduktor secret create` would write. Throws a `ValidationError`
 * (whose `problems` lists every problem found) when the input is not valid.
 */
export function buildSecret(input: SecretInput): KubeSecret {
  const { problems, secret } = checkSecretInput(input);
  if (!secret) throw ValidationError.of(problems);
  return secret;
}

/** The Konduktor identity of a Secret read from a cluster, or null when it has no owner/basename labels. */
export function konduktorIdentity(
  secret: KubeSecret,
): { owner: string; basename: string; kind: SecretKind | "(none)" } | null {
  const labels = secret.metadata.labels ?? {};
  const owner = labels[LABEL_OWNER];
  const basename = labels[LABEL_BASENAME];
  if (!owner || !basename) return null;
  const kind = labels[LABEL_KIND];
  return { owner, basename, kind: isSecretKind(kind) ? kind : "(none)" };
}
