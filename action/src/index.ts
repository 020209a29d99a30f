/** The Action's entry (bundled to action/dist/index.js): runs the step. See ./main.ts. */
import { run } from "./main.ts";

await run();
