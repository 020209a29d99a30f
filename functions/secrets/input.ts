/**
 * A secrets request read into what the service needs: the basename checked, and the Konduktor
 * Secret the body asks for built once (konduktor/secret.ts) from its wire `source`
 * (konduktor/wire/source.ts). Every problem is a 400 naming the field, before any cluster is
 * touched. The request and answer schemas are the wire contract, konduktor/wire/secrets.ts.
 */
import { checkSecretInput, validateBasename } from "../../konduktor/secret.ts";
import type { KubeSecret } from "../../konduktor/types.ts";
import type { PutSecret } from "../../konduktor/wire/secrets.ts";
import { fromWireSource } from "../../konduktor/wire/source.ts";
import { ApiError, invalidInput } from "../problem.ts";

export type { PutSecret };

/** 400 unless `name` is a valid basename; `fieldPrefix` says where it came from (the path). */
export function checkBasename(name: string, fieldPrefix = "path: "): void {
  const problems = validateBasename(name, "name");
  if (problems.length) {
    throw invalidInput(
      problems.map((p) => ({ field: `${fieldPrefix}${p.field}`, message: p.message })),
    );
  }
}

/** Checks a PUT body for `owner` and builds the Secret `<name>-<owner>` once (400 when not valid). */
export function secretFromBody(owner: string, name: string, body: PutSecret): KubeSecret {
  if (body.prune && body.mode !== "merge") {
    throw new ApiError("invalid_input", "prune applies to mode merge only", {
      errors: [{ field: "prune", message: 'only with mode "merge"' }],
    });
  }
  const decoded = fromWireSource(body.source);
  if (decoded.source === null) {
    throw invalidInput(decoded.problems, {
      lead: "the request is not valid",
      fieldsInDetail: true,
    });
  }
  const { problems, secret } = checkSecretInput({
    owner,
    basename: name,
    kind: body.kind,
    source: decoded.source,
  });
  if (!secret) {
    throw invalidInput(problems, { lead: "the secret is not valid" });
  }
  return secret;
}
