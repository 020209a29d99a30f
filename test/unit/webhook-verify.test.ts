// Webhook deliveries in-process (fake clusters, the clock fixed with fake timers): the signature is
// verified over the exact bytes sent, and the timestamp window is ±300 s, accepted at exactly 300 s
// on both sides and refused at 301 s, each refusal with its code and message and nothing written.
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TIMESTAMP_TOLERANCE_SECONDS } from "../../functions/hooks/delivery.ts";
import { ADMIN, inProcessBroker } from "../support/in-process-broker.ts";

const NOW_S = 1_900_000_000; // 2030-03-17T17:46:40Z
const OWNER = "0a1b2c3d";
const CANARY = "canary-hook-5d1e-value";

async function setup() {
  const broker = await inProcessBroker(["alpha"]);
  const created = await broker.call("POST", "/v1/hooks", ADMIN, {
    owners: [OWNER],
    names: ["rot-*"],
  });
  expect(created.status, created.text).toBe(201);
  const hook = created.body as { id: string; secret: string };
  let n = 0;
  const deliver = async (
    body: unknown,
    o: { timestamp?: number; secret?: string; sendBody?: string; id?: string } = {},
  ) => {
    const payload = JSON.stringify(body);
    const id = o.id ?? `msg_${++n}`;
    const ts = o.timestamp ?? NOW_S;
    const signature = new Webhook(o.secret ?? hook.secret).sign(id, new Date(ts * 1000), payload);
    return await broker.request("POST", `/v1/hooks/${hook.id}`, {
      body: o.sendBody ?? payload,
      headers: {
        "webhook-id": id,
        "webhook-timestamp": String(ts),
        "webhook-signature": signature,
      },
    });
  };
  const alpha = broker.kubes.get("alpha");
  if (!alpha) throw new Error("no fake for alpha");
  return { ...broker, hook, deliver, alpha };
}

const secretSet = (name: string, value = CANARY) => ({
  name,
  kind: "env",
  source: { type: "inline", pairs: { V: value } },
});

const writes = (calls: { method: string }[]) =>
  calls.filter((c) => ["create", "mergePatch", "replace", "delete"].includes(c.method)).length;

describe("webhook deliveries: timestamp window and signature", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW_S * 1000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the tolerance is 300 s", () => {
    expect(TIMESTAMP_TOLERANCE_SECONDS).toBe(300);
  });

  it.each([
    ["300 s in the past", -300, "rot-past"],
    ["300 s in the future", 300, "rot-future"],
    ["now", 0, "rot-now"],
  ])("a delivery signed %s is applied", async (_what, offset, name) => {
    const { deliver, alpha, hook } = await setup();
    const res = await deliver(secretSet(name), { timestamp: NOW_S + offset });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ hook: hook.id, deliveryId: "msg_1", replay: false });
    expect(res.body.results).toEqual([
      expect.objectContaining({ cluster: "alpha", status: "created", writes: 1 }),
    ]);
    expect([...alpha.store.keys()]).toEqual([`${name}-${OWNER}`]);
    expect(res.text).not.toContain(CANARY);
  });

  it.each([
    [-301, "301 s in the past"],
    [301, "301 s in the future"],
    [-3600, "3600 s in the past"],
  ])("a delivery signed at %i s is refused: %s, nothing written", async (offset, said) => {
    const { deliver, alpha, logs, hook } = await setup();
    const res = await deliver(secretSet("rot-late"), { timestamp: NOW_S + offset });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("webhook_timestamp_out_of_range");
    expect(res.body.detail).toBe(
      `webhook-timestamp is ${said}; deliveries are accepted within 300 s of the broker's clock: sign each attempt with the current time (and check the sender's clock); nothing was written`,
    );
    expect(alpha.calls).toEqual([]);
    expect(alpha.store.size).toBe(0);
    expect(logs.filter((l) => l.type === "audit" && l.action === "hook.delivery")).toEqual([
      expect.objectContaining({
        outcome: "denied",
        hook: hook.id,
        code: "webhook_timestamp_out_of_range",
        status: 401,
      }),
    ]);
  });

  it("a delivery signed with another secret is refused, nothing written", async () => {
    const { deliver, alpha } = await setup();
    const wrong = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const res = await deliver(secretSet("rot-wrong"), { secret: wrong });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("webhook_signature_invalid");
    expect(res.body.detail).toBe(
      "webhook-signature does not match: it must be \"v1,<base64 of HMAC-SHA256(key, '<webhook-id>.<webhook-timestamp>.<body>')>\", where key is the base64-decoded part of the hook's whsec_ secret and body the exact bytes sent; nothing was written",
    );
    expect(alpha.calls).toEqual([]);
    expect(res.text).not.toContain(CANARY);
  });

  it("a body changed after signing is refused, nothing written", async () => {
    const { deliver, alpha } = await setup();
    const res = await deliver(secretSet("rot-tamper", "signed"), {
      sendBody: JSON.stringify(secretSet("rot-tamper", CANARY)),
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("webhook_signature_invalid");
    // one byte more (a trailing newline) is another body too
    const newline = await deliver(secretSet("rot-tamper"), {
      sendBody: `${JSON.stringify(secretSet("rot-tamper"))}\n`,
    });
    expect([newline.status, newline.body.code]).toEqual([401, "webhook_signature_invalid"]);
    expect(alpha.calls).toEqual([]);
  });

  it("a signature for another webhook-id or timestamp is refused", async () => {
    const broker = await setup();
    const { hook, alpha } = broker;
    const payload = JSON.stringify(secretSet("rot-moved"));
    const signature = new Webhook(hook.secret).sign("msg_a", new Date(NOW_S * 1000), payload);
    const send = (id: string, ts: number) =>
      broker.request("POST", `/v1/hooks/${hook.id}`, {
        body: payload,
        headers: {
          "webhook-id": id,
          "webhook-timestamp": String(ts),
          "webhook-signature": signature,
        },
      });
    const otherId = await send("msg_b", NOW_S);
    expect([otherId.status, otherId.body.code]).toEqual([401, "webhook_signature_invalid"]);
    const otherTime = await send("msg_a", NOW_S - 1);
    expect([otherTime.status, otherTime.body.code]).toEqual([401, "webhook_signature_invalid"]);
    expect(writes(alpha.calls)).toBe(0);
    const right = await send("msg_a", NOW_S);
    expect(right.status, right.text).toBe(200);
    expect(writes(alpha.calls)).toBe(1);
  });

  it("a timestamp that is not whole seconds is invalid input (400), checked before the signature", async () => {
    const { request, hook, alpha } = await setup();
    const send = (ts: string) =>
      request("POST", `/v1/hooks/${hook.id}`, {
        body: "{}",
        headers: { "webhook-id": "msg_x", "webhook-timestamp": ts, "webhook-signature": "v1,x" },
      });
    for (const ts of ["yesterday", "1900000000.5", "-5", "1e9"]) {
      const res = await send(ts);
      expect([res.status, res.body.code, res.body.detail], ts).toEqual([
        400,
        "invalid_input",
        "webhook-timestamp must be the delivery time in whole seconds since the Unix epoch",
      ]);
    }
    const empty = await send("");
    expect([empty.status, empty.body.code, empty.body.detail]).toEqual([
      401,
      "webhook_unsigned",
      "missing header(s) webhook-timestamp: sign every delivery the Standard Webhooks way with the hook's secret (see docs/sync.md)",
    ]);
    expect(alpha.calls).toEqual([]);
  });

  it("an unknown hook id is 404, quoting at most 40 characters of it", async () => {
    const { request, logs } = await setup();
    const long = `wh_${"0".repeat(60)}`;
    const res = await request("POST", `/v1/hooks/${long}`, { body: "{}" });
    expect([res.status, res.body.code, res.body.detail]).toEqual([
      404,
      "unknown_hook",
      `no webhook with id "${long.slice(0, 40)}": check the delivery URL (an admin lists hooks with GET /v1/hooks and creates them with POST /v1/hooks)`,
    ]);
    expect(logs.filter((l) => l.type === "audit").at(-1)).toMatchObject({
      action: "hook.delivery",
      outcome: "invalid",
      code: "unknown_hook",
    });
  });

  it("names every missing header; an empty header counts as missing", async () => {
    const { request, hook, alpha, logs } = await setup();
    const none = await request("POST", `/v1/hooks/${hook.id}`, { body: "{}" });
    expect([none.status, none.body.code, none.body.detail]).toEqual([
      401,
      "webhook_unsigned",
      "missing header(s) webhook-id, webhook-timestamp, webhook-signature: sign every delivery the Standard Webhooks way with the hook's secret (see docs/sync.md)",
    ]);
    const noId = await request("POST", `/v1/hooks/${hook.id}`, {
      body: "{}",
      headers: {
        "webhook-id": "",
        "webhook-timestamp": String(NOW_S),
        "webhook-signature": "v1,x",
      },
    });
    expect(noId.body.detail).toMatch(/^missing header\(s\) webhook-id: /);
    // the refusal's audit line names the hook
    expect(logs.filter((l) => l.type === "audit").at(-1)).toMatchObject({
      outcome: "denied",
      hook: hook.id,
      code: "webhook_unsigned",
    });
    expect(alpha.calls).toEqual([]);
  });

  it("a webhook-id must be 1-200 of letters, digits and . _ : -; the audit line names it once valid", async () => {
    const { deliver, alpha, logs, hook } = await setup();
    for (const id of ["bad id", "a/b", "x".repeat(201), "é"]) {
      const res = await deliver(secretSet("rot-id"), { id });
      expect([res.status, res.body.code, res.body.detail], id).toEqual([
        400,
        "invalid_input",
        "webhook-id must be 1-200 characters of letters, digits, '.', '_', ':' or '-' (a unique id per delivery, the same on retries)",
      ]);
    }
    expect(alpha.calls).toEqual([]);
    const longest = `a.b_c:d-${"x".repeat(192)}`;
    expect(longest).toHaveLength(200);
    const ok = await deliver(secretSet("rot-id"), { id: longest });
    expect(ok.status, ok.text).toBe(200);
    const late = await deliver(secretSet("rot-id"), { id: "msg_late", timestamp: NOW_S - 400 });
    expect(late.status).toBe(401);
    expect(logs.filter((l) => l.type === "audit").at(-1)).toMatchObject({
      hook: hook.id,
      deliveryId: "msg_late",
      code: "webhook_timestamp_out_of_range",
    });
  });

  it("a correctly signed body that is not JSON is 400 malformed_json (the signature covers raw bytes)", async () => {
    const broker = await setup();
    const { hook, alpha } = broker;
    const raw = '{"name": "rot-x", ';
    const signature = new Webhook(hook.secret).sign("msg_raw", new Date(NOW_S * 1000), raw);
    const res = await broker.request("POST", `/v1/hooks/${hook.id}`, {
      body: raw,
      headers: {
        "webhook-id": "msg_raw",
        "webhook-timestamp": String(NOW_S),
        "webhook-signature": signature,
      },
    });
    expect([res.status, res.body.code, res.body.detail]).toEqual([
      400,
      "malformed_json",
      "the delivery body is not valid JSON: check quotes, commas and brackets",
    ]);
    expect(alpha.calls).toEqual([]);
  });

  it("a hook whose secret the broker cannot open (its key is gone) is a 500, not the sender's fault", async () => {
    const first = await setup();
    // the same store under another KEK, without the old one in KEK_PREVIOUS
    const other = await inProcessBroker([], { records: first.records });
    const payload = JSON.stringify(secretSet("rot-kek"));
    const signature = new Webhook(first.hook.secret).sign("msg_k", new Date(NOW_S * 1000), payload);
    const res = await other.request("POST", `/v1/hooks/${first.hook.id}`, {
      body: payload,
      headers: {
        "webhook-id": "msg_k",
        "webhook-timestamp": String(NOW_S),
        "webhook-signature": signature,
      },
    });
    expect([res.status, res.body.code]).toEqual([500, "internal_error"]);
    expect(other.logs.filter((l) => l.type === "error")).toEqual([
      expect.objectContaining({ requestId: res.body.requestId }),
    ]);
    expect(first.alpha.calls).toEqual([]);
  });
});
