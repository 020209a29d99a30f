// Webhook deliveries in-process (fake clusters, the clock fixed with fake timers): the signature is
// verified over the exact bytes sent, and the timestamp window is ±300 s, accepted at exactly 300 s
// on both sides and refused at 301 s, each refusal with its code and message and nothing written.
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TIMESTAMP_TOLERANCE_SECONDS } from "../../functions/routes/hooks.ts";
import { ADMIN, inProcessBroker } from "../support/in-process-broker.ts";

const NOW_S = 1_900_000_000; // 2030-03-17T17:46:40Z
const OWNER = "0a1b2c3d";
const CANARY = "canary-hook-5d1e-value";

async function setup() {
  const broker = inProcessBroker();
  await broker.register("alpha");
  const created = await broker.call("POST", "/v1/hooks", {
    token: ADMIN,
    json: { owners: [OWNER], names: ["rot-*"] },
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
    return await broker.call("POST", `/v1/hooks/${hook.id}`, {
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
    expect(res.body).toMatchObject({ hook: hook.id, replay: false });
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
      broker.call("POST", `/v1/hooks/${hook.id}`, {
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
    const { call, hook, alpha } = await setup();
    const send = (ts: string) =>
      call("POST", `/v1/hooks/${hook.id}`, {
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
});
