import { defineConfig } from "vitest/config";

// Three projects: `unit` (no cluster, fast), `integration` (real kube-apiservers) and `e2e`
// (the broker in real workerd and the bundled Action, against real kube-apiservers).
// The two slow projects share one set of clusters (test/cluster/global-setup.ts). The projects
// run one after the other (groupOrder): e2e's scheduled sync touches every owner's secrets on the
// shared clusters, which must not happen while integration files assert what a cluster holds.
// Every test must assert something: a test that makes no assertion fails (`requireAssertions`).
const expect = { requireAssertions: true };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          expect,
          include: ["test/unit/**/*.test.ts"],
          sequence: { groupOrder: 0 },
          // some unit tests run the bundled Action as a child process: room for a busy CI machine
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "integration",
          expect,
          include: ["test/integration/**/*.test.ts"],
          sequence: { groupOrder: 1 },
          globalSetup: ["test/cluster/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          expect,
          include: ["test/e2e/**/*.test.ts"],
          sequence: { groupOrder: 2 },
          globalSetup: ["test/cluster/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
