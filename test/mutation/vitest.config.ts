// The unit project alone, for StrykerJS (stryker.config.json): the root config's other projects
// start real clusters, and the bundle test compares action/dist with a build of the (here
// instrumented) sources, which only holds for the real sources.
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/unit/**/*.test.ts"],
    exclude: [
      ...configDefaults.exclude,
      // builds the Action and compares bytes: fails on instrumented sources, kills nothing
      "test/unit/action-bundle.test.ts",
      // runs the committed bundle in child processes: never runs the mutated sources
      "test/unit/action-run.test.ts",
    ],
    testTimeout: 20_000,
  },
});
