// The launcher itself: a cluster starts on its own ports and data dir, its apiserver can be
// stopped and restarted with its data kept, and stop() leaves no process and no files behind.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { adminRequest, TEST_NAMESPACE, TestCluster } from "../cluster/cluster.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("TestCluster lifecycle", () => {
  it("restarts its apiserver with data kept, then stops leaving nothing behind", async () => {
    const cluster = await TestCluster.start({ name: "lifecycle" });
    const { info } = cluster;
    const pids = cluster.pids;
    try {
      expect(pids).toHaveLength(2);
      expect(pids.every(alive)).toBe(true);
      expect(existsSync(info.dataDir)).toBe(true);
      const made = await adminRequest(
        info,
        "POST",
        `/api/v1/namespaces/${TEST_NAMESPACE}/configmaps`,
        {
          metadata: { name: "kept" },
        },
      );
      expect(made.status).toBe(201);

      await cluster.stopApiserver();
      expect(cluster.apiserverRunning).toBe(false);
      await expect(adminRequest(info, "GET", "/readyz")).rejects.toThrow(/ECONNREFUSED/);

      await cluster.startApiserver();
      const kept = await adminRequest(
        info,
        "GET",
        `/api/v1/namespaces/${TEST_NAMESPACE}/configmaps/kept`,
      );
      expect(kept.status).toBe(200);
    } finally {
      await cluster.stop();
    }
    expect(cluster.pids).toEqual([]);
    expect(pids.some(alive)).toBe(false);
    expect(existsSync(info.dataDir)).toBe(false);
  });
});
