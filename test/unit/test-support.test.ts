// The test harness's own parsers: an audit line that does not parse fails the test rather than
// being dropped (e2e tests count and compare audit lines).
import { describe, expect, it } from "vitest";
import { auditLinesOf } from "../support/broker.ts";

describe("auditLinesOf", () => {
  it("parses every audit line, in order, and skips other output", () => {
    const log = [
      "⎔ Starting local server...",
      '{"type":"audit","action":"secret.put","outcome":"ok"}',
      '{"type":"error","where":"x"}',
      '  {"type":"audit","action":"secret.delete","outcome":"partial"}  ',
      "[wrangler:info] GET /healthz 200 OK",
    ].join("\n");
    expect(auditLinesOf(log)).toEqual([
      { type: "audit", action: "secret.put", outcome: "ok" },
      { type: "audit", action: "secret.delete", outcome: "partial" },
    ]);
    expect(auditLinesOf("")).toEqual([]);
  });

  it("throws on an audit line that does not parse, quoting it", () => {
    const broken = '{"type":"audit","action":"secret.put","outcome":';
    expect(() => auditLinesOf(`{"type":"audit","ok":1}\n${broken}\n`)).toThrow(
      /^an audit line of the broker's log does not parse as JSON \(.+\): \{"type":"audit","action":"secret\.put","outcome":$/,
    );
  });
});
