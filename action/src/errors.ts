/** A failure of the step whose message is ours (safe to print: it names inputs, never values). */
export class StepError extends Error {
  override name = "StepError";
}
