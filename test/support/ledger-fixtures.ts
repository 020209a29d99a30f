/** Test only: a PUT as the ledger sees it (functions/ledger/entry.ts `WriteRequest`), in keyed digests. */
import type { WriteRequest } from "../../functions/ledger/entry.ts";

/** An env secret on `all`, merged, under key id t1, by `token:t`; `over` changes any field. */
export function writeRequest(
  digests: Record<string, string>,
  over: Partial<WriteRequest> = {},
): WriteRequest {
  return {
    kind: "env",
    placement: "all",
    mode: "merge",
    prune: false,
    immutable: false,
    keyId: "t1",
    digests,
    by: "token:t",
    ...over,
  };
}
