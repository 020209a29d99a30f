// The OpenAPI document is generated from the zod schemas, and /docs renders it: headless Chromium
// (Debian's package; CHROMIUM_PATH overrides /usr/bin/chromium) opens /docs on the broker in
// workerd and finds the operations.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../support/broker.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("API documentation", () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it("serves an OpenAPI 3.1 document with every operation, without authentication", async () => {
    const res = await broker.request("GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const ops = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(ops).toEqual(
      expect.arrayContaining([
        "DELETE /v1/clusters/{name}",
        "DELETE /v1/secrets/{name}",
        "DELETE /v1/tokens/{id}",
        "GET /v1/clusters",
        "GET /v1/clusters/{name}",
        "GET /v1/clusters/{name}/health",
        "GET /v1/secrets",
        "GET /v1/secrets/{name}",
        "GET /v1/tokens",
        "POST /v1/tokens",
        "PUT /v1/clusters/{name}",
        "PUT /v1/secrets/{name}",
      ]),
    );
    const problem = res.body.components.schemas.Problem;
    expect(problem.type).toBe("object");
    expect(problem.properties).toMatchObject({
      type: { type: "string" },
      title: { type: "string" },
      status: { type: "integer" },
      detail: { type: "string" },
      code: { type: "string" },
      requestId: { type: "string" },
    });
    expect(problem.required).toEqual(
      expect.arrayContaining(["type", "title", "status", "detail", "code", "requestId"]),
    );
    expect(res.body.components.schemas.PutSecret.additionalProperties).toBe(false);
  });

  it("renders /docs in headless Chromium, listing the operations", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith(broker.url) && !r.url().startsWith("data:")) external.push(r.url());
      });
      await page.goto(`${broker.url}/docs`);
      for (const summary of [
        "Create or merge a secret on every target cluster",
        "Describe a secret on every target cluster, and whether they agree",
        "Register (or replace) a cluster",
        "Issue an API token",
      ]) {
        await page.getByText(summary).first().waitFor({ timeout: 30_000 });
      }
      const text = await page.locator("body").textContent();
      expect(text).toContain("Konduktor secrets broker");
      // everything /docs needs is served by the broker: no script, font or call to another host
      expect(external).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
