import { afterEach, describe, expect, it } from "vitest";
import { upsNumber } from "../../simulators/lib/tracking-numbers";
import { startTracktrySimulator, type TracktrySimulator, type TracktrySimulatorOptions } from "../../simulators/tracktry/index";

// Fixture numbers from the reference (F.6); their check digits pass. Journeys are chosen by the last digit (3 = lost).
const UPS = "1Z999AA10123456784";
const UPS_2 = "1ZCIETST0111111114";
const UPS_3 = "1ZCIETST0422222228";
const USPS = "9400111206206406260787";
const FEDEX = "986578788855";

const UNLIMITED = { perKey: Infinity, realtime: Infinity };
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
const QUOTA_MESSAGE = "Your balance is not enough, please recharge in time, free account can add up to 500 single numbers per month.";

const running: TracktrySimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** Rate limits are off unless a test passes its own: most tests are about other rules. */
async function startSim(options: TracktrySimulatorOptions = {}): Promise<TracktrySimulator> {
  const sim = await startTracktrySimulator({ ...options, rateLimits: options.rateLimits ?? UNLIMITED });
  running.push(sim);
  return sim;
}

interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON; left untyped because tests assert on it field by field. */
  json: any;
}

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json", ...init.headers },
    ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

const v1 = (sim: TracktrySimulator, key: string | null, path: string, init: { method?: string; body?: unknown } = {}) =>
  call(`${sim.url}/v1${path}`, { ...init, headers: key === null ? {} : { "Tracktry-Api-Key": key } });

const post = (sim: TracktrySimulator, key: string, tracking_number: string, carrier_code: string, extra: object = {}) =>
  v1(sim, key, "/trackings/post", { method: "POST", body: { tracking_number, carrier_code, ...extra } });

const batch = (sim: TracktrySimulator, key: string, numbers: string[], carrier_code = "ups") =>
  v1(sim, key, "/trackings/batch", { method: "POST", body: numbers.map((tracking_number) => ({ tracking_number, carrier_code })) });

const numbersOf = (items: Array<{ tracking_number: string }>) => items.map((i) => i.tracking_number);

describe("Tracktry v1: envelope, codes and authentication", () => {
  it("answers {meta:{code,type,message}, data} under /v1, application errors as HTTP 200 with a meta code", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const created = await post(sim, "k", UPS, "ups", { order_id: "#1001", customer_email: "ann@example.com", title: "Mug", comment: "fragile" });
    expect(created.status).toBe(200);
    expect(created.json.meta).toEqual({ code: 200, type: "Success", message: "Success" });
    expect(created.json.data).toMatchObject({ tracking_number: UPS, carrier_code: "ups", status: "pending", order_id: "#1001", customer_email: "ann@example.com", title: "Mug", comment: "fragile" });
    expect(created.json.data.id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.json.data.created_at).toMatch(ISO_WITH_OFFSET);

    const errors: Array<[string, string, object | string | undefined, number, string]> = [
      ["POST", "/trackings/post", { tracking_number: UPS, carrier_code: "ups" }, 4016, "Tracking already exists."],
      ["POST", "/trackings/post", { carrier_code: "ups" }, 4013, "Tracking_number is required."],
      ["POST", "/trackings/post", { tracking_number: "no!", carrier_code: "ups" }, 4014, "The value of `tracking_number` is invalid."],
      ["POST", "/trackings/post", { tracking_number: USPS, carrier_code: "US-Postal" }, 4015, "The value of `carrier_code` is invalid."],
      ["POST", "/trackings/post", "{not json", 4012, "The request could not be understood or was missing required parameters."],
      ["GET", `/trackings/usps/${USPS}`, undefined, 4017, "Tracking does not exist."],
      ["GET", "/trackings/get?status=inforeceived", undefined, 4033, "The value of `status` is invalid."],
      ["POST", "/carriers/detect", { tracking_number: "ABCDE-12345" }, 4032, "Cannot detect courier. Assign your shipment a courier instead of by auto detection."],
    ];
    for (const [method, path, body, code, message] of errors) {
      const r = await v1(sim, "k", path, { method, body });
      expect({ path, body, status: r.status, meta: r.json.meta, data: r.json.data }).toEqual({
        path,
        body,
        status: 200,
        meta: { code, type: expect.any(String), message },
        data: [],
      });
    }

    // Routing errors are real HTTP statuses, as in the TrackingMore v2 family.
    const unknownPath = await v1(sim, "k", "/trackings/nowhere/at/all/here");
    expect([unknownPath.status, unknownPath.json.meta.code]).toEqual([404, 404]);
    const wrongMethod = await v1(sim, "k", "/trackings/post");
    expect([wrongMethod.status, wrongMethod.json.meta]).toEqual([405, { code: 405, type: "Method Not Allowed", message: "Requested method is not supported for the specified resource." }]);
    // Only /v1 is mounted: no TrackingMore v2 or v4 here.
    for (const other of ["/v2/trackings/get", "/v4/trackings/get"]) {
      const r = await call(`${sim.url}${other}`, { headers: { "Tracktry-Api-Key": "k" } });
      expect(r.status).toBe(404);
      expect(r.json.error).toMatch(/use \/v1, \/__sim$/);
    }
  });

  it("authenticates with Tracktry-Api-Key only: missing 401, unknown 4001, deleted 4002; TrackingMore headers count as missing", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const withHeaders = (headers: Record<string, string>) => call(`${sim.url}/v1/trackings/get`, { headers });

    const missing = await withHeaders({});
    expect([missing.status, missing.json.meta, missing.json.data]).toEqual([
      200,
      { code: 401, type: "Unauthorized", message: "Authentication failed or user does not have permissions for the requested operation." },
      [],
    ]);
    for (const header of ["Trackingmore-Api-Key", "Tracking-Api-Key"]) {
      const r = await withHeaders({ [header]: "k" });
      expect({ header, status: r.status, code: r.json.meta.code }).toEqual({ header, status: 200, code: 401 });
    }
    const unknown = await withHeaders({ "Tracktry-Api-Key": "wrong" });
    expect([unknown.status, unknown.json.meta]).toEqual([200, { code: 4001, type: "Unauthorized", message: "Invalid API key." }]);
    // Header names are case-insensitive.
    expect((await withHeaders({ "TRACKTRY-API-KEY": "k" })).json.meta.code).toBe(200);

    sim.deleteKey("k");
    const deleted = await withHeaders({ "Tracktry-Api-Key": "k" });
    expect([deleted.status, deleted.json.meta.code]).toEqual([200, 4002]);

    expect(sim.calls.map((c) => [c.api, c.apiKey, c.metaCode])).toEqual([
      ["v1", null, 401],
      ["v1", null, 401],
      ["v1", null, 401],
      ["v1", "wrong", 4001],
      ["v1", "k", 200],
      ["v1", "k", 4002],
    ]);
  });
});

describe("Tracktry v1: trackings", () => {
  it("batch-creates up to 40 and reports per-item errors (existing, repeated in the batch, invalid)", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    await post(sim, "k", UPS, "ups");

    const r = await v1(sim, "k", "/trackings/batch", {
      method: "POST",
      body: [
        { tracking_number: UPS, carrier_code: "ups" },
        { tracking_number: USPS, carrier_code: "usps", order_id: "#7" },
        { tracking_number: USPS, carrier_code: "usps" },
        { tracking_number: "no!", carrier_code: "usps" },
        { tracking_number: FEDEX, carrier_code: "no-such-carrier" },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.meta).toEqual({ code: 201, type: "Created", message: "The request was successful and a resource was created." });
    expect(r.json.data).toMatchObject({ submitted: 5, added: 1 });
    expect(r.json.data.trackings).toEqual([expect.objectContaining({ tracking_number: USPS, carrier_code: "usps", status: "pending", order_id: "#7" })]);
    expect(r.json.data.errors.map((e: { tracking_number: string; code: number }) => [e.tracking_number, e.code])).toEqual([
      [UPS, 4016],
      [USPS, 4016],
      ["no!", 4014],
      [FEDEX, 4015],
    ]);

    const tooMany = await batch(sim, "k", Array.from({ length: 41 }, (_, i) => upsNumber(i)));
    expect([tooMany.status, tooMany.json.meta.code, tooMany.json.meta.message]).toEqual([200, 4020, "Up to 200 at a time"]);
    const notArray = await v1(sim, "k", "/trackings/batch", { method: "POST", body: { tracking_number: UPS_2, carrier_code: "ups" } });
    expect(notArray.json.meta.code).toBe(4012);
    expect(sim.trackings("k").map((t) => t.trackingNumber)).toEqual([UPS, USPS]);
  });

  it("gets (with an optional language suffix), updates and deletes one tracking by carrier and number", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    await post(sim, "k", UPS, "ups", { customer_email: "bo@example.com" });
    const one = await v1(sim, "k", `/trackings/ups/${UPS}/en`);
    expect(one.json.meta.code).toBe(200);
    expect(one.json.data).toMatchObject({ tracking_number: UPS, carrier_code: "ups", status: "pending", customer_email: ["bo@example.com"] });
    expect(one.json.data.origin_info).toMatchObject({ carrier_code: "ups", trackinfo: [] });

    const updated = await v1(sim, "k", `/trackings/ups/${UPS}`, { method: "PUT", body: { title: "Blue mug", order_id: "#77" } });
    expect(updated.json.meta.code).toBe(200);
    expect(updated.json.data).toMatchObject({ title: "Blue mug", order_id: "#77", customer_email: "bo@example.com" });
    const removed = await v1(sim, "k", `/trackings/ups/${UPS}`, { method: "DELETE" });
    expect([removed.status, removed.json.meta.code]).toEqual([200, 200]);
    expect((await v1(sim, "k", `/trackings/ups/${UPS}`)).json.meta.code).toBe(4017);
    expect((await v1(sim, "k", `/trackings/ups/${UPS}`, { method: "DELETE" })).json.meta.code).toBe(4017);
  });

  it("lists in data.items pages with a string total, oldest update first, filtered by update time and status", async () => {
    let clock = Date.parse("2026-05-01T10:00:00Z");
    const sim = await startSim({ now: () => new Date(clock) });
    sim.addAccount({ apiKey: "k" });
    const numbers = Array.from({ length: 5 }, (_, i) => upsNumber(100 + i));
    expect((await batch(sim, "k", numbers)).json.data.added).toBe(5);
    const t0 = clock / 1000;
    clock += 3_600_000;
    await sim.advance("k", numbers[3]!, "next");
    clock += 3_600_000;
    await sim.advance("k", numbers[0]!, "next");

    const page1 = await v1(sim, "k", "/trackings/get?page=1&limit=2");
    expect(page1.json.meta.code).toBe(200);
    expect(page1.json.data).toMatchObject({ page: 1, limit: 2, total: "5" });
    expect(numbersOf(page1.json.data.items)).toEqual([numbers[1], numbers[2]]);
    const page2 = await v1(sim, "k", "/trackings/get?page=2&limit=2");
    expect(numbersOf(page2.json.data.items)).toEqual([numbers[4], numbers[3]]);
    const page3 = await v1(sim, "k", "/trackings/get?page=3&limit=2");
    expect(numbersOf(page3.json.data.items)).toEqual([numbers[0]]);
    expect((await v1(sim, "k", "/trackings/get?page=4&limit=2")).json.data).toMatchObject({ page: 4, total: "5", items: [] });

    const recent = await v1(sim, "k", `/trackings/get?update_time_min=${t0 + 3600}`);
    expect(recent.json.data.total).toBe("2");
    expect(numbersOf(recent.json.data.items)).toEqual([numbers[3], numbers[0]]);
    expect(recent.json.data.items[0]).toMatchObject({ status: "notfound", substatus: "notfound001" });
    expect(recent.json.data.items[0].updated_at).toMatch(ISO_WITH_OFFSET);
    expect(recent.json.data.items[0].origin_info.trackinfo[0].Date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const pending = await v1(sim, "k", "/trackings/get?status=pending");
    expect(numbersOf(pending.json.data.items)).toEqual([numbers[1], numbers[2], numbers[4]]);
    expect((await v1(sim, "k", "/trackings/get?limit=5000")).json.data.limit).toBe(2000);
    expect((await v1(sim, "k", "/trackings/get?update_time_min=yesterday")).json.meta.code).toBe(4012);
  });

  it("realtime answers data.items and refuses the same number again within 2 hours (4031)", async () => {
    let clock = Date.parse("2026-05-01T10:00:00Z");
    const sim = await startSim({ now: () => new Date(clock) });
    sim.addAccount({ apiKey: "k" });
    const body = { tracking_number: UPS, carrier_code: "ups" };
    const first = await v1(sim, "k", "/trackings/realtime", { method: "POST", body });
    expect(first.json.meta.code).toBe(200);
    expect(numbersOf(first.json.data.items)).toEqual([UPS]);
    clock += 60 * 60 * 1000;
    const again = await v1(sim, "k", "/trackings/realtime", { method: "POST", body });
    expect([again.status, again.json.meta.code]).toEqual([200, 4031]);
    clock += 60 * 60 * 1000;
    expect((await v1(sim, "k", "/trackings/realtime", { method: "POST", body })).json.meta.code).toBe(200);
  });

  it("detects couriers without using quota", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k", remaining: 1 });
    const found = await v1(sim, "k", "/carriers/detect", { method: "POST", body: { tracking_number: UPS } });
    expect(found.json).toEqual({ meta: { code: 200, type: "Success", message: "Success" }, data: [{ name: "UPS", code: "ups" }] });
    expect((await v1(sim, "k", "/carriers/detect", { method: "POST", body: { tracking_number: USPS } })).json.data).toEqual([{ name: "USPS", code: "usps" }]);
    expect(sim.accounts()[0]).toMatchObject({ remaining: 1 });
    const carriers = await v1(sim, "k", "/carriers");
    expect(carriers.json.data.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(["ups", "usps", "fedex", "dhl"]));
  });

  it("advance walks a journey and sets explicit states such as exception005 (sent back to the sender)", async () => {
    const sim = await startSim({ now: () => new Date("2026-05-01T10:00:00Z") });
    sim.addAccount({ apiKey: "k" });
    await post(sim, "k", UPS, "ups");
    const first = await sim.advance("k", UPS, "next");
    expect(first).toMatchObject({ tracking_number: UPS, status: "notfound", substatus: "notfound001" });
    const returned = await sim.advance("k", UPS, {
      status: "exception",
      substatus: "exception005",
      checkpoints: [{ at: new Date("2026-05-03T08:00:00Z"), description: "Returned to shipper", location: "LOUISVILLE, KY" }],
    });
    expect(returned).toMatchObject({ status: "exception", substatus: "exception005", lastEvent: expect.stringContaining("Returned to shipper") });
    const got = await v1(sim, "k", `/trackings/ups/${UPS}`);
    expect(got.json.data).toMatchObject({ status: "exception", substatus: "exception005" });
    expect(got.json.data.origin_info.trackinfo[0]).toMatchObject({ StatusDescription: "Returned to shipper", checkpoint_status: "exception", substatus: "exception005" });
    // A final state: 'next' changes nothing.
    expect(await sim.advance("k", UPS, "next")).toMatchObject({ status: "exception", substatus: "exception005" });
    await expect(sim.advance("k", USPS, "next")).rejects.toThrow(/no tracking/);
  });
});

describe("Tracktry quota", () => {
  it("gives accounts 500 numbers a month by default, then answers 4019", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    expect(sim.accounts()).toEqual([{ apiKey: "k", monthlyQuota: 500, remaining: 500, deleted: false }]);
    const numbers = Array.from({ length: 500 }, (_, i) => upsNumber(1000 + i));
    for (let start = 0; start < numbers.length; start += 40) {
      const r = await batch(sim, "k", numbers.slice(start, start + 40));
      expect(r.json.data.errors).toEqual([]);
    }
    expect(sim.trackings("k")).toHaveLength(500);
    expect(sim.accounts()[0]).toMatchObject({ remaining: 0 });

    const single = await post(sim, "k", UPS, "ups");
    expect([single.status, single.json.meta]).toEqual([200, { code: 4019, type: "Bad Request", message: QUOTA_MESSAGE }]);
    const wholeBatch = await batch(sim, "k", [UPS_2]);
    expect([wholeBatch.status, wholeBatch.json.meta.code]).toEqual([200, 4019]);
    // The quota is checked before the payload, so even a duplicate gets 4019.
    expect((await post(sim, "k", numbers[0]!, "ups")).json.meta.code).toBe(4019);
    // Reading, updating and detecting do not need quota.
    expect((await v1(sim, "k", "/trackings/get?limit=1")).json.meta.code).toBe(200);
    expect((await v1(sim, "k", "/carriers/detect", { method: "POST", body: { tracking_number: UPS } })).json.meta.code).toBe(200);
    expect(sim.trackings("k")).toHaveLength(500);
  });

  it("creates a batch's items while quota lasts and answers 4019 for the rest", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k", remaining: 2 });
    const r = await batch(sim, "k", [UPS, UPS, UPS_2, UPS_3, upsNumber(7)]);
    expect(r.json.meta.code).toBe(201);
    expect(r.json.data).toMatchObject({ submitted: 5, added: 2 });
    expect(numbersOf(r.json.data.trackings)).toEqual([UPS, UPS_2]);
    // Per-item validation comes first: the repeated number is 4016, not 4019.
    expect(r.json.data.errors).toEqual([
      { tracking_number: UPS, carrier_code: "ups", code: 4016, message: "Tracking already exists." },
      { tracking_number: UPS_3, carrier_code: "ups", code: 4019, message: QUOTA_MESSAGE },
      { tracking_number: upsNumber(7), carrier_code: "ups", code: 4019, message: QUOTA_MESSAGE },
    ]);
    expect(sim.accounts()[0]).toMatchObject({ remaining: 0 });
  });

  it("refills at the start of each calendar month; setQuota and unmetered accounts", async () => {
    let clock = Date.parse("2026-01-31T23:59:00Z");
    const sim = await startSim({ now: () => new Date(clock), monthlyQuota: 3 });
    sim.addAccount({ apiKey: "k" });
    sim.addAccount({ apiKey: "big", monthlyQuota: Infinity });
    sim.setQuota("k", 0);
    expect((await post(sim, "k", UPS, "ups")).json.meta.code).toBe(4019);

    clock = Date.parse("2026-02-01T00:00:00Z");
    expect((await post(sim, "k", UPS, "ups")).json.meta.code).toBe(200);
    expect(sim.accounts().find((a) => a.apiKey === "k")).toEqual({ apiKey: "k", monthlyQuota: 3, remaining: 2, deleted: false });
    sim.setQuota("k", 1);
    expect((await post(sim, "k", UPS_2, "ups")).json.meta.code).toBe(200);
    expect((await post(sim, "k", UPS_3, "ups")).json.meta.code).toBe(4019);

    const many = Array.from({ length: 40 }, (_, i) => upsNumber(i));
    expect((await batch(sim, "big", many)).json.data.added).toBe(40);
    expect(sim.accounts().find((a) => a.apiKey === "big")).toMatchObject({ monthlyQuota: Infinity, remaining: Infinity });
    expect(() => sim.setQuota("k", -1)).toThrow(/remaining must be a number >= 0/);
    expect(() => sim.setQuota("nobody", 1)).toThrow(/unknown simulator account/);
  });

  it("reports the numbers left this month on getuserinfo, after the month's refill, and none for an unmetered account", async () => {
    let clock = Date.parse("2026-03-31T23:00:00Z");
    const sim = await startSim({ now: () => new Date(clock), monthlyQuota: 3 });
    sim.addAccount({ apiKey: "k" });
    sim.addAccount({ apiKey: "big", monthlyQuota: Infinity });
    expect((await v1(sim, "k", "/trackings/getuserinfo")).json).toEqual({ meta: { code: 200, type: "Success", message: "Success" }, data: { plan: { remaining_order: 3 } } });
    await post(sim, "k", UPS, "ups");
    sim.setQuota("k", 0);
    // No quota left: the account info still answers (it costs nothing) and says so.
    expect((await v1(sim, "k", "/trackings/getuserinfo")).json.data).toEqual({ plan: { remaining_order: 0 } });
    clock = Date.parse("2026-04-01T00:00:00Z");
    expect((await v1(sim, "k", "/trackings/getuserinfo")).json.data).toEqual({ plan: { remaining_order: 3 } });
    expect((await v1(sim, "big", "/trackings/getuserinfo")).json.data).toEqual({ plan: { remaining_order: null } });
  });
});

describe("Tracktry rate limit", () => {
  it("allows 1 request/s per key across endpoints and answers a real HTTP 429 beyond it", async () => {
    const sim = await startSim({ rateLimits: {} });
    sim.addAccount({ apiKey: "k" });
    sim.addAccount({ apiKey: "other" });
    const first = await v1(sim, "k", "/trackings/get");
    expect(first.status).toBe(200);
    // Another endpoint of the same key shares the budget (unlike TrackingMore v2, which limits per endpoint).
    const second = await v1(sim, "k", "/carriers/detect", { method: "POST", body: { tracking_number: UPS } });
    expect(second.status).toBe(429);
    expect(second.json).toEqual({ meta: { code: 429, type: "Too Many Requests", message: "Exceeded API limits. Pause requests, wait two minute, and try again." }, data: [] });
    expect(second.headers.get("retry-after")).toBeNull();
    // Other keys have their own budget; realtime has its own (3/s).
    expect((await v1(sim, "other", "/trackings/get")).status).toBe(200);
    expect((await v1(sim, "k", "/trackings/realtime", { method: "POST", body: { tracking_number: UPS, carrier_code: "ups" } })).status).toBe(200);
    expect(sim.calls.map((c) => [c.apiKey, c.httpStatus, c.metaCode])).toEqual([
      ["k", 200, 200],
      ["k", 429, 429],
      ["other", 200, 200],
      ["k", 200, 200],
    ]);
  });

  it("rejects everything with a limit of 0 and nothing is created by a rejected request", async () => {
    const sim = await startSim({ rateLimits: { perKey: 0, realtime: 0 } });
    sim.addAccount({ apiKey: "k" });
    for (const [method, path, body] of [
      ["POST", "/trackings/post", { tracking_number: UPS, carrier_code: "ups" }],
      ["POST", "/trackings/batch", [{ tracking_number: UPS, carrier_code: "ups" }]],
      ["GET", "/trackings/get", undefined],
      ["POST", "/trackings/realtime", { tracking_number: UPS, carrier_code: "ups" }],
    ] as const) {
      const r = await v1(sim, "k", path, { method, body });
      expect({ path, status: r.status, code: r.json.meta.code }).toEqual({ path, status: 429, code: 429 });
    }
    expect(sim.trackings("k")).toEqual([]);
    // Authentication comes first: a bad key is 4001, not 429.
    expect((await v1(sim, "wrong", "/trackings/get")).json.meta.code).toBe(4001);
  });
});

describe("Tracktry has no webhooks", () => {
  it("has no webhook settings, deliveries or controls; changes only show up to the next poll", async () => {
    let clock = Date.parse("2026-05-01T10:00:00Z");
    const sim = await startSim({ now: () => new Date(clock) });
    expect("setWebhookUrls" in sim || "webhookDeliveries" in sim || "whenWebhooksIdle" in sim).toBe(false);
    const untyped = sim.addAccount as (seed: object) => void;
    expect(() => untyped({ apiKey: "k", webhookUrls: [{ url: "http://127.0.0.1:9/hook", version: "v2" }] })).toThrow(/no webhookUrls/);
    expect(() => untyped({ apiKey: "k", webhookSecret: "s3cret" })).toThrow(/no webhookSecret/);
    expect(sim.accounts()).toEqual([]);

    const ctl = (method: string, path: string, body?: unknown) => call(`${sim.url}/__sim${path}`, { method, body });
    const refused = await ctl("POST", "/accounts", { apiKey: "k", webhookUrls: [{ url: "http://127.0.0.1:9/hook", version: "v2" }] });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatch(/Tracktry documents no webhooks/);
    expect((await ctl("PUT", "/webhooks", { apiKey: "k", urls: [] })).status).toBe(404);
    expect((await ctl("GET", "/webhook-deliveries")).status).toBe(404);

    sim.addAccount({ apiKey: "k" });
    await post(sim, "k", UPS, "ups");
    const since = Math.floor(clock / 1000) + 60;
    clock += 3_600_000;
    let last = await sim.advance("k", UPS, "next");
    while (last.status !== "delivered") last = await sim.advance("k", UPS, "next");
    expect(last.origin_info.trackinfo).toHaveLength(6);
    const polled = await v1(sim, "k", `/trackings/get?update_time_min=${since}`);
    expect(polled.json.data.items).toEqual([expect.objectContaining({ tracking_number: UPS, status: "delivered", substatus: "delivered001" })]);
  });
});

describe("Tracktry control surface and faults", () => {
  it("answers the next N requests with an injected failure in the v1 envelope", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    sim.injectFaults(2, { kind: "http", httpStatus: 503, metaCode: 503 });
    for (const key of ["k", "not-a-key"]) {
      const r = await v1(sim, key, "/trackings/get");
      expect([r.status, r.json.meta.code, r.json.meta.type]).toEqual([503, 503, "Service Unavailable"]);
    }
    expect((await v1(sim, "k", "/trackings/get")).status).toBe(200);
    expect(() => sim.injectFaults(1, { kind: "http", httpStatus: 42, metaCode: 1 })).toThrow(/httpStatus: 100-599/);
  });

  it("exposes the controls over HTTP under /__sim and logs them as control calls", async () => {
    const sim = await startSim();
    const ctl = (method: string, path: string, body?: unknown) => call(`${sim.url}/__sim${path}`, { method, body });
    expect((await ctl("GET", "/health")).json).toEqual({ ok: true, data: { url: sim.url } });
    expect((await ctl("POST", "/accounts", { apiKey: "demo", monthlyQuota: null })).status).toBe(201);
    expect((await ctl("POST", "/accounts", { apiKey: "free" })).status).toBe(201);
    expect((await ctl("POST", "/accounts", { apiKey: "bad", monthlyQuota: -5 })).status).toBe(400);
    expect((await ctl("GET", "/accounts")).json.data).toEqual([
      { apiKey: "demo", monthlyQuota: null, remaining: null, deleted: false },
      { apiKey: "free", monthlyQuota: 500, remaining: 500, deleted: false },
    ]);

    expect((await post(sim, "demo", UPS, "ups")).json.meta.code).toBe(200);
    const advanced = await ctl("POST", "/advance", { apiKey: "demo", trackingNumber: UPS, step: "next" });
    expect(advanced.json.data).toMatchObject({ tracking_number: UPS, status: "notfound", substatus: "notfound001" });
    const explicit = await ctl("POST", "/advance", { apiKey: "demo", trackingNumber: UPS, step: { status: "exception", substatus: "exception005" } });
    expect(explicit.json.data).toMatchObject({ status: "exception", substatus: "exception005" });
    expect((await ctl("POST", "/advance", { apiKey: "demo", trackingNumber: UPS, step: { status: "bogus" } })).status).toBe(400);
    expect((await ctl("GET", "/trackings?apiKey=demo")).json.data.map((t: { trackingNumber: string }) => t.trackingNumber)).toEqual([UPS]);

    expect((await ctl("POST", "/quota", { apiKey: "free", remaining: 0 })).status).toBe(200);
    expect((await ctl("POST", "/quota", { apiKey: "free" })).status).toBe(400);
    expect((await post(sim, "free", UPS, "ups")).json.meta.code).toBe(4019);
    expect((await ctl("POST", "/faults", { count: 1, fault: { kind: "http", httpStatus: 500, metaCode: 500 } })).status).toBe(200);
    expect((await v1(sim, "demo", "/trackings/get")).status).toBe(500);
    expect((await ctl("DELETE", "/accounts/demo")).status).toBe(200);
    expect((await v1(sim, "demo", "/trackings/get")).json.meta.code).toBe(4002);

    const calls = await ctl("GET", "/calls");
    const apiCalls = calls.json.data.filter((c: { api: string }) => c.api !== "control");
    expect(apiCalls.map((c: { api: string; path: string; metaCode: number }) => [c.api, c.path, c.metaCode])).toEqual([
      ["v1", "/v1/trackings/post", 200],
      ["v1", "/v1/trackings/post", 4019],
      ["v1", "/v1/trackings/get", 500],
      ["v1", "/v1/trackings/get", 4002],
    ]);
    expect(calls.json.data.some((c: { api: string; path: string }) => c.api === "control" && c.path === "/__sim/quota")).toBe(true);
    expect((await ctl("DELETE", "/calls")).status).toBe(200);
    expect(sim.calls.filter((c) => c.api !== "control")).toHaveLength(0);
  });
});
