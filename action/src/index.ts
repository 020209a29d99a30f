/** The Action's entry (bundled to action/dist/index.js): runs the step. See ./main.ts. */
import { run } from "./main.ts";

await run();
// The step is over when run() returns. Anything still pending (a connection the client-node
// adapter opened for a cluster that passed its deadline) must not hold the runner: exit once it
// has had a moment to finish.
setTimeout(() => process.exit(), 100).unref();
