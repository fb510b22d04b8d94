import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseTrackingMoreWebhookBody, verifyV2Webhook, verifyV4Webhook } from "~/adapters/trackingmore/webhook.server";

// Test vector of carrier-and-shopify-apis.md §A.3 / §F.1.11.
const SECRET = "2e55b9a3-4dd1-4416-9897-c4bd1e3d738f";
const TIMESTAMP = "1662371528";
const SIGNATURE = "a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06";
const EMAIL = "merchant@example.com";
const MAX_SKEW = 600;
const NOW_MS = Number(TIMESTAMP) * 1000 + 42_000;

const sign = (key: string, message: string) => createHmac("sha256", key).update(message).digest("hex");

const V4_BODY = JSON.stringify({
  code: 200,
  message: "Success",
  data: {
    id: "9a135b15b5d983e1d8950d99022db0c7",
    tracking_number: "9400111206206406260787",
    courier_code: "usps",
    delivery_status: "pickup",
    substatus: "pickup001",
    latest_checkpoint_time: "2024-05-06T07:40:00-07:00",
    origin_info: {
      trackinfo: [
        {
          checkpoint_date: "2024-05-06T07:40:00-07:00",
          checkpoint_delivery_status: "pickup",
          checkpoint_delivery_substatus: "pickup001",
          tracking_detail: "Out for Delivery",
          location: "RENTON, WA 98056",
        },
      ],
    },
    destination_info: null,
  },
});

function v4(overrides: Partial<Parameters<typeof verifyV4Webhook>[0]> = {}) {
  return verifyV4Webhook({
    rawBody: V4_BODY,
    timestamp: TIMESTAMP,
    signature: SIGNATURE,
    keys: { webhookSecret: SECRET },
    nowMs: NOW_MS,
    maxSkewSeconds: MAX_SKEW,
    ...overrides,
  });
}

function v2Body(verifyInfo: unknown, data: unknown = { tracking_number: "300403513351", carrier_code: "4px", status: "transit", substatus: "transit004" }) {
  return JSON.stringify({ meta: { code: 200, type: "Success", message: "Success" }, data, verifyInfo });
}

function v2(rawBody: string, overrides: Partial<Parameters<typeof verifyV2Webhook>[0]> = {}) {
  return verifyV2Webhook({ rawBody, keys: { accountEmail: EMAIL }, nowMs: NOW_MS, maxSkewSeconds: MAX_SKEW, ...overrides });
}

describe("test vector", () => {
  it("node:crypto reproduces the reference signature", () => {
    expect(sign(SECRET, TIMESTAMP)).toBe(SIGNATURE);
  });
});

describe("verifyV4Webhook", () => {
  it("accepts the reference vector and returns the mapped observation", () => {
    const verdict = v4();
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.observation).toMatchObject({
      provider: "trackingmore",
      trackingNumber: "9400111206206406260787",
      status: "pickup",
      substatus: "out_for_delivery",
      asOf: new Date("2024-05-06T14:40:00Z"),
    });
    expect(verdict.observation.events).toHaveLength(1);
  });

  it("accepts an upper-case hex signature", () => {
    expect(v4({ signature: SIGNATURE.toUpperCase() }).ok).toBe(true);
  });

  it("accepts the account e-mail as the key (older accounts), alone or next to a secret", () => {
    const byEmail = sign(EMAIL, TIMESTAMP);
    expect(v4({ signature: byEmail, keys: { accountEmail: EMAIL } }).ok).toBe(true);
    expect(v4({ signature: byEmail, keys: { webhookSecret: SECRET, accountEmail: EMAIL } }).ok).toBe(true);
    expect(v4({ signature: SIGNATURE, keys: { webhookSecret: SECRET, accountEmail: EMAIL } }).ok).toBe(true);
    // The e-mail is only a key when it is configured.
    expect(v4({ signature: byEmail, keys: { webhookSecret: SECRET } })).toMatchObject({ ok: false, status: 401 });
  });

  it.each([
    ["a signature made with another secret", { signature: sign("another-secret", TIMESTAMP) }],
    ["a signature of another timestamp", { signature: sign(SECRET, "1662371529") }],
    ["a signature for a different timestamp header", { timestamp: "1662371529" }],
    ["a truncated signature", { signature: SIGNATURE.slice(0, 63) }],
    ["a base64 signature", { signature: Buffer.from(SIGNATURE, "hex").toString("base64") }],
    ["a signature with a flipped digit", { signature: `${SIGNATURE.slice(0, -1)}7` }],
    ["an empty signature", { signature: "" }],
    ["a missing signature header", { signature: null }],
    ["a missing timestamp header", { timestamp: null }],
    ["an empty timestamp header", { timestamp: "" }],
    ["no configured key", { keys: {} }],
    ["keys that are empty strings or null", { keys: { webhookSecret: "", accountEmail: null } }],
    ["the secret as the signature", { signature: SECRET }],
  ] as const)("refuses %s with 401", (_label, overrides) => {
    const verdict = v4(overrides);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.status).toBe(401);
    expect(verdict.reason).not.toContain(SECRET);
  });

  it("refuses a validly signed timestamp outside maxSkewSeconds, in either direction", () => {
    const ts = Number(TIMESTAMP);
    for (const nowSeconds of [ts + MAX_SKEW + 1, ts - MAX_SKEW - 1, ts + 86_400, ts - 86_400]) {
      const verdict = v4({ nowMs: nowSeconds * 1000 });
      expect(verdict, String(nowSeconds - ts)).toMatchObject({ ok: false, status: 401 });
    }
  });

  it("accepts a timestamp exactly at the skew limit, in either direction", () => {
    const ts = Number(TIMESTAMP);
    for (const nowSeconds of [ts + MAX_SKEW, ts - MAX_SKEW, ts]) {
      expect(v4({ nowMs: nowSeconds * 1000 }).ok, String(nowSeconds - ts)).toBe(true);
    }
  });

  it("uses the skew it is given", () => {
    const nowMs = (Number(TIMESTAMP) + 120) * 1000;
    expect(v4({ nowMs, maxSkewSeconds: 119 }).ok).toBe(false);
    expect(v4({ nowMs, maxSkewSeconds: 120 }).ok).toBe(true);
  });

  it("refuses a validly signed timestamp that is not unix seconds", () => {
    for (const timestamp of ["2022-09-05T09:52:08Z", "1662371528000", "abc", "-1662371528"]) {
      const verdict = v4({ timestamp, signature: sign(SECRET, timestamp) });
      expect(verdict, timestamp).toMatchObject({ ok: false, status: 401 });
    }
  });

  it("answers 400 for a validly signed body that is not JSON", () => {
    expect(v4({ rawBody: "<html>not json</html>" })).toMatchObject({ ok: false, status: 400 });
    expect(v4({ rawBody: "" })).toMatchObject({ ok: false, status: 400 });
  });

  it("answers 401, not 400, for a bad signature on a non-JSON body (nothing is parsed before verification)", () => {
    expect(v4({ rawBody: "not json", signature: sign("wrong", TIMESTAMP) })).toMatchObject({ ok: false, status: 401 });
  });

  it.each([
    ["no data", { code: 200 }],
    ["data without tracking_number", { data: { courier_code: "usps", delivery_status: "transit" } }],
    ["empty tracking_number", { data: { tracking_number: "" } }],
    ["data that is an array", { data: [] }],
    ["a JSON array", []],
    ["JSON null", null],
  ])("answers 400 for a signed body with %s", (_label, body) => {
    expect(v4({ rawBody: JSON.stringify(body) })).toMatchObject({ ok: false, status: 400 });
  });
});

describe("verifyV2Webhook", () => {
  const timeStr = 1662371500;

  it.each([
    ["a number", timeStr],
    ["a string", String(timeStr)],
  ])("accepts verifyInfo.timeStr as %s", (_label, value) => {
    const verdict = v2(v2Body({ timeStr: value, signature: sign(EMAIL, String(timeStr)) }));
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.observation).toMatchObject({
      provider: "trackingmore",
      trackingNumber: "300403513351",
      status: "transit",
      substatus: "arrived_in_destination_country",
    });
  });

  it("accepts an upper-case signature", () => {
    expect(v2(v2Body({ timeStr, signature: sign(EMAIL, String(timeStr)).toUpperCase() })).ok).toBe(true);
  });

  it.each([
    ["no verifyInfo", undefined],
    ["verifyInfo null", null],
    ["no signature", { timeStr }],
    ["no timeStr", { signature: sign(EMAIL, String(timeStr)) }],
    ["timeStr as an object", { timeStr: { value: timeStr }, signature: sign(EMAIL, String(timeStr)) }],
    ["signature as a number", { timeStr, signature: 12345 }],
  ])("answers 401 for %s", (_label, verifyInfo) => {
    expect(v2(v2Body(verifyInfo))).toMatchObject({ ok: false, status: 401 });
  });

  it("answers 401 for a wrong key or a signature of another time", () => {
    expect(v2(v2Body({ timeStr, signature: sign("other@example.com", String(timeStr)) }))).toMatchObject({ ok: false, status: 401 });
    expect(v2(v2Body({ timeStr, signature: sign(EMAIL, String(timeStr + 1)) }))).toMatchObject({ ok: false, status: 401 });
  });

  it("does not accept the v4 webhook secret as the v2 key", () => {
    const body = v2Body({ timeStr, signature: sign(SECRET, String(timeStr)) });
    expect(v2(body, { keys: { webhookSecret: SECRET } })).toMatchObject({ ok: false, status: 401 });
    expect(v2(body, { keys: { webhookSecret: SECRET, accountEmail: EMAIL } })).toMatchObject({ ok: false, status: 401 });
  });

  it("answers 401 when no account e-mail is configured", () => {
    expect(v2(v2Body({ timeStr, signature: sign(EMAIL, String(timeStr)) }), { keys: {} })).toMatchObject({ ok: false, status: 401 });
  });

  it("refuses a validly signed stale timeStr in either direction", () => {
    const body = v2Body({ timeStr, signature: sign(EMAIL, String(timeStr)) });
    expect(v2(body, { nowMs: (timeStr + MAX_SKEW + 1) * 1000 })).toMatchObject({ ok: false, status: 401 });
    expect(v2(body, { nowMs: (timeStr - MAX_SKEW - 1) * 1000 })).toMatchObject({ ok: false, status: 401 });
    expect(v2(body, { nowMs: (timeStr + MAX_SKEW) * 1000 }).ok).toBe(true);
  });

  it("answers 400 for a body that is not JSON", () => {
    expect(v2("timeStr=1&signature=x")).toMatchObject({ ok: false, status: 400 });
  });

  it("answers 400 for a validly signed body without a tracking", () => {
    const verifyInfo = { timeStr, signature: sign(EMAIL, String(timeStr)) };
    expect(v2(v2Body(verifyInfo, { carrier_code: "4px" }))).toMatchObject({ ok: false, status: 400 });
    expect(v2(v2Body(verifyInfo, null))).toMatchObject({ ok: false, status: 400 });
  });
});

describe("parseTrackingMoreWebhookBody", () => {
  it("parses a stored v4 body again (the job re-reads what intake verified)", () => {
    const verdict = parseTrackingMoreWebhookBody(V4_BODY, "v4");
    expect(verdict).toMatchObject({ ok: true, observation: { trackingNumber: "9400111206206406260787", status: "pickup" } });
  });

  it("parses a v2 body with its verifyInfo", () => {
    const body = v2Body({ timeStr: 1, signature: "x" });
    expect(parseTrackingMoreWebhookBody(body, "v2")).toMatchObject({ ok: true, observation: { trackingNumber: "300403513351" } });
  });

  it("does not read one version's body as the other", () => {
    // A v4 body has no verifyInfo, which the v2 shape requires.
    expect(parseTrackingMoreWebhookBody(V4_BODY, "v2")).toMatchObject({ ok: false, status: 400 });
  });

  it.each([
    ["not JSON", "{", "v4"],
    ["not JSON", "{", "v2"],
    ["no data", "{}", "v4"],
    ["no data", JSON.stringify({ verifyInfo: { timeStr: 1, signature: "x" } }), "v2"],
  ] as const)("answers 400 for %s (%s)", (_label, body, version) => {
    expect(parseTrackingMoreWebhookBody(body, version)).toMatchObject({ ok: false, status: 400 });
  });
});
