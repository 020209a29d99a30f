/** Notices an answer carries besides its results: what the caller should know, never a value. */

/**
 * An immutable secret cannot be patched: Konduktor's `secret create` (a merge patch) then fails
 * on it with a 422 the user cannot interpret. Said in every PUT answer with `immutable: true`.
 */
export function immutableWarning(name: string): string {
  return `immutable: Kubernetes refuses any change to these copies, so \`konduktor secret create ${name}\` (which patches) fails on them with 422 "field is immutable"; change the secret through the broker (it deletes and re-creates it) or delete it first (\`konduktor secret delete ${name}\`)`;
}
