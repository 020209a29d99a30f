/** The Action's entry (bundled to action/dist/index.js): runs the step. See ./main.ts. */
import { run } from "./main.ts";

await run();
// The step is over when run() returns. A connection still being opened to a cluster that passed
// its deadline (undici keeps a TLS handshake up to its own 10 s connect timeout after the request
// was aborted) must not hold the runner: exit once what is pending has had a moment to finish.
setTimeout(() => process.exit(), 100).unref();
