import { createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { readBody, type RunningServer, startHttpServer } from "../../simulators/lib/http-server";
import {
  signV4Webhook,
  startTrackingMoreSimulator,
  type TrackingMoreSimulator,
  type TrackingMoreSimulatorOptions,
} from "../../simulators/trackingmore/index";

// Fixture numbers from the reference (F.6). Journeys are chosen by the last digit: 7 = failed attempt, 3 = lost.
const UPS = "1Z999AA10123456784";
const UPS_2 = "1ZCIETST0111111114";
const UPS_3 = "1ZCIETST0422222228";
const USPS = "9400111206206406260787";
const FEDEX = "986578788855";
const DHL = "3318810025";

const UNLIMITED = { v4Create: Infinity, v4Other: Infinity, v2: Infinity, v2Realtime: Infinity };
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

/** Rate limits are off unless a test passes its own: most tests are about other rules. */
async function startSim(options: TrackingMoreSimulatorOptions = {}): Promise<TrackingMoreSimulator> {
  const sim = await startTrackingMoreSimulator({ ...options, rateLimits: options.rateLimits ?? UNLIMITED });
  running.push(sim);
  return sim;
}

interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON; left untyped because tests assert on it field by field, including fields that must be absent. */
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

const v4 = (sim: TrackingMoreSimulator, key: string | null, path: string, init: { method?: string; body?: unknown } = {}) =>
  call(`${sim.url}/v4${path}`, { ...init, headers: key === null ? {} : { "Tracking-Api-Key": key } });

const v2 = (sim: TrackingMoreSimulator, key: string | null, path: string, init: { method?: string; body?: unknown } = {}) =>
  call(`${sim.url}/v2${path}`, { ...init, headers: key === null ? {} : { "Trackingmore-Api-Key": key } });

const create = (sim: TrackingMoreSimulator, key: string, tracking_number: string, courier_code: string, extra: object = {}) =>
  v4(sim, key, "/trackings/create", { method: "POST", body: { tracking_number, courier_code, ...extra } });

const hmacHex = (key: string, message: string) => createHmac("sha256", key).update(message).digest("hex");

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, asserted field by field. */
  body: any;
}

/** A webhook endpoint; `status(n)` decides the answer to the n-th request (1-based). */
async function receiver(status: (n: number) => number = () => 200): Promise<{ url: string; received: Received[]; server: RunningServer }> {
  const received: Received[] = [];
  const server = await startHttpServer(async (req, res) => {
    const text = (await readBody(req)).toString("utf8");
    received.push({ at: performance.now(), headers: req.headers, body: JSON.parse(text) });
    res.writeHead(status(received.length));
    res.end();
  });
  running.push(server);
  return { url: `${server.url}/hooks/trackingmore`, received, server };
}

describe("TrackingMore v4: auth and trackings", () => {
  it("answers HTTP 401 / meta 401 with data [] for missing, unknown and deleted keys", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    for (const key of [null, "wrong"]) {
      const r = await v4(sim, key, "/trackings/get");
      expect(r.status).toBe(401);
      expect(r.json.meta.code).toBe(401);
      expect(r.json.meta.message).toMatch(/^Authentication failed or has no permission/);
      expect(r.json.data).toEqual([]);
    }
    expect((await v4(sim, "k", "/trackings/get")).status).toBe(200);
    sim.deleteKey("k");
    const afterDelete = await v4(sim, "k", "/trackings/get");
    expect(afterDelete.status).toBe(401);
    expect(afterDelete.json.meta.code).toBe(401);
  });

  it("creates a full v4 Tracking and rejects a duplicate number+courier with 4101", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const r = await create(sim, "k", UPS, "ups", { order_number: "#1001", customer_email: "ann@example.com", title: "Mug" });
    expect(r.status).toBe(200);
    expect(r.json.meta).toEqual({ code: 200, message: "Request response is successful" });
    const t = r.json.data;
    expect(t.id).toMatch(/^[0-9a-f]{32}$/);
    expect(t).toMatchObject({ tracking_number: UPS, courier_code: "ups", order_number: "#1001", customer_email: "ann@example.com", title: "Mug" });
    expect(t.delivery_status).toBe("pending");
    expect(t.update_at).toMatch(ISO_WITH_OFFSET);
    expect(t).not.toHaveProperty("updated_at");
    expect(t.created_at).toMatch(ISO_WITH_OFFSET);
    expect(t.origin_info.trackinfo).toEqual([]);
    expect(t.origin_info.milestone_date).toHaveProperty("delivery_date", null);

    const dup = await create(sim, "k", UPS, "ups");
    expect(dup.status).toBe(400);
    expect(dup.json).toEqual({ meta: { code: 4101, message: "Tracking No. already exists." }, data: [] });
    // Uniqueness is per number + courier.
    expect((await create(sim, "k", UPS, "fedex")).status).toBe(200);
    expect(sim.trackings("k")).toHaveLength(2);
  });

  it("validates create input: 4111 missing, 4110 malformed, 4120 unknown courier, 4122 courier-required field", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const cases: Array<[object, number]> = [
      [{ courier_code: "ups" }, 4111],
      [{ tracking_number: "", courier_code: "ups" }, 4111],
      [{ tracking_number: "AB12", courier_code: "ups" }, 4110],
      [{ tracking_number: "1Z 999 AA1", courier_code: "ups" }, 4110],
      [{ tracking_number: "X".repeat(51), courier_code: "ups" }, 4110],
      [{ tracking_number: UPS, courier_code: "UPS" }, 4120],
      [{ tracking_number: UPS }, 4120],
      [{ tracking_number: "RR123456789DE", courier_code: "deutsche-post" }, 4122],
    ];
    for (const [body, code] of cases) {
      const r = await v4(sim, "k", "/trackings/create", { method: "POST", body });
      expect({ body, status: r.status, code: r.json.meta.code, data: r.json.data }).toEqual({ body, status: 400, code, data: [] });
    }
    expect(sim.trackings("k")).toHaveLength(0);
  });

  it("rejects a batch of 41 with 4103 and creates nothing", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const items = Array.from({ length: 41 }, (_, i) => ({ tracking_number: `TEST${String(i).padStart(6, "0")}`, courier_code: "usps" }));
    const r = await v4(sim, "k", "/trackings/batch", { method: "POST", body: items });
    expect(r.status).toBe(400);
    expect(r.json.meta.code).toBe(4103);
    expect(r.json.data).toEqual([]);
    expect(sim.trackings("k")).toHaveLength(0);
    const forty = await v4(sim, "k", "/trackings/batch", { method: "POST", body: items.slice(0, 40) });
    expect(forty.status).toBe(200);
    expect(forty.json.data.success).toHaveLength(40);
  });

  it("reports duplicates (existing and within the batch) and invalid items per item", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    await create(sim, "k", UPS, "ups");
    const r = await v4(sim, "k", "/trackings/batch", {
      method: "POST",
      body: [
        { tracking_number: USPS, courier_code: "usps" },
        { tracking_number: UPS, courier_code: "ups" },
        { tracking_number: USPS, courier_code: "usps" },
        { tracking_number: FEDEX, courier_code: "no-such-courier" },
        { courier_code: "dhl" },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.meta.code).toBe(200);
    const created = sim.trackings("k").find((t) => t.trackingNumber === USPS);
    expect(r.json.data.success).toEqual([{ id: created?.id, tracking_number: USPS, courier_code: "usps" }]);
    expect(r.json.data.error.map((e: { tracking_number: string; errorCode: number }) => [e.tracking_number, e.errorCode])).toEqual([
      [UPS, 4101],
      [USPS, 4101],
      [FEDEX, 4120],
      ["", 4111],
    ]);
    expect(r.json.data.error[0]).toEqual({
      id: "",
      tracking_number: UPS,
      courier_code: "ups",
      errorCode: 4101,
      errorMessage: "Tracking No. already exists.",
    });
    expect(sim.trackings("k")).toHaveLength(2);
  });

  it("gets trackings as a plain array, leaves unknown numbers out, pages and caps numbers at 40", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    for (const [n, c] of [[UPS, "ups"], [USPS, "usps"], [FEDEX, "fedex"], [DHL, "dhl"]] as const) await create(sim, "k", n, c);
    const r = await v4(sim, "k", `/trackings/get?tracking_numbers=${UPS},NOTTRACKED123,${FEDEX}`);
    expect(r.status).toBe(200);
    expect(Array.isArray(r.json.data)).toBe(true);
    expect(r.json.data.map((t: { tracking_number: string }) => t.tracking_number).sort()).toEqual([FEDEX, UPS].sort());

    const byCourier = await v4(sim, "k", "/trackings/get?courier_code=usps");
    expect(byCourier.json.data.map((t: { tracking_number: string }) => t.tracking_number)).toEqual([USPS]);

    const page1 = await v4(sim, "k", "/trackings/get?items_amount=3&pages_amount=1");
    const page2 = await v4(sim, "k", "/trackings/get?items_amount=3&pages_amount=2");
    expect(page1.json.data).toHaveLength(3);
    expect(page2.json.data).toHaveLength(1);
    const all = [...page1.json.data, ...page2.json.data].map((t: { tracking_number: string }) => t.tracking_number);
    expect(new Set(all).size).toBe(4);

    const tooMany = Array.from({ length: 41 }, (_, i) => `NUM${String(i).padStart(5, "0")}`).join(",");
    const capped = await v4(sim, "k", `/trackings/get?tracking_numbers=${tooMany}`);
    expect(capped.status).toBe(400);
    expect(capped.json.meta.code).toBe(4103);
  });

  it("updates, retracks (only when expired) and deletes by id; unknown ids are 4112", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const id: string = (await create(sim, "k", UPS, "ups")).json.data.id;
    const updated = await v4(sim, "k", `/trackings/update/${id}`, { method: "PUT", body: { note: "fragile", customer_name: "Ann" } });
    expect(updated.status).toBe(200);
    expect(updated.json.data).toMatchObject({ id, note: "fragile", customer_name: "Ann" });
    expect((await v4(sim, "k", `/trackings/update/${"0".repeat(32)}`, { method: "PUT", body: {} })).json.meta.code).toBe(4112);
    expect((await v4(sim, "k", "/trackings/update/not-an-id", { method: "PUT", body: {} })).status).toBe(400);

    const notExpired = await v4(sim, "k", `/trackings/retrack/${id}`, { method: "POST" });
    expect(notExpired.status).toBe(400);
    expect(notExpired.json.meta.code).toBe(4113);
    await sim.advance("k", UPS, { status: "expired" });
    const retracked = await v4(sim, "k", `/trackings/retrack/${id}`, { method: "POST" });
    expect(retracked.status).toBe(200);
    expect(retracked.json.data.delivery_status).toBe("pending");

    const deleted = await v4(sim, "k", `/trackings/delete/${id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(deleted.json.data.id).toBe(id);
    expect((await v4(sim, "k", `/trackings/get?tracking_numbers=${UPS}`)).json.data).toEqual([]);
    expect((await v4(sim, "k", `/trackings/delete/${id}`, { method: "DELETE" })).json.meta.code).toBe(4112);
  });

  it("answers 404 for unknown paths and 400 'Request type error' for a wrong method", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const unknown = await v4(sim, "k", "/trackings/nope");
    expect([unknown.status, unknown.json.meta.code]).toEqual([404, 404]);
    const wrongMethod = await v4(sim, "k", "/trackings/create");
    expect([wrongMethod.status, wrongMethod.json.meta.code]).toEqual([400, 400]);
    expect(wrongMethod.json.meta.message).toMatch(/^Request type error/);
  });
});

describe("TrackingMore limits", () => {
  it("enforces 3 creates/s and 10 requests/s per other endpoint, per account, with HTTP 429 and no Retry-After", async () => {
    const sim = await startSim({ rateLimits: {} });
    sim.addAccount({ apiKey: "k" });
    sim.addAccount({ apiKey: "other" });
    const numbers = [UPS, UPS_2, UPS_3, "1ZTEST00000000001X"];
    const creates = await Promise.all(numbers.map((n) => create(sim, "k", n, "ups")));
    expect(creates.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
    const limited = creates.find((r) => r.status === 429)!;
    expect(limited.json.meta.code).toBe(429);
    expect(limited.json.meta.message).toMatch(/^Exceeded API request limits/);
    expect(limited.json.data).toEqual([]);
    expect(limited.headers.get("retry-after")).toBeNull();
    expect(sim.trackings("k")).toHaveLength(3);
    // Buckets are per account and per endpoint.
    expect((await create(sim, "other", UPS, "ups")).status).toBe(200);
    expect((await v4(sim, "k", "/couriers/detect", { method: "POST", body: { tracking_number: UPS } })).status).toBe(200);

    const gets = await Promise.all(Array.from({ length: 11 }, () => v4(sim, "k", "/trackings/get")));
    expect(gets.filter((r) => r.status === 200)).toHaveLength(10);
    expect(gets.filter((r) => r.status === 429 && r.json.meta.code === 429)).toHaveLength(1);
  });

  it("limits v2 to 1 request/s per endpoint with a real HTTP 429", async () => {
    const sim = await startSim({ rateLimits: {} });
    sim.addAccount({ apiKey: "k" });
    const first = await v2(sim, "k", "/trackings/get");
    const second = await v2(sim, "k", "/trackings/get");
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(second.json.meta).toEqual({ code: 429, type: "Too Many Requests", message: "Exceeded API limits. Pause requests, wait two minute, and try again." });
    expect((await v2(sim, "k", "/carriers/detect", { method: "POST", body: { tracking_number: UPS } })).status).toBe(200);
  });

  it("charges 1 credit per created tracking and answers 4190 when credits run out", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k", credits: 2 });
    expect((await create(sim, "k", UPS, "ups")).status).toBe(200);
    const batch = await v4(sim, "k", "/trackings/batch", {
      method: "POST",
      body: [UPS_2, UPS_3, "1ZTEST00000000001X"].map((n) => ({ tracking_number: n, courier_code: "ups" })),
    });
    expect(batch.status).toBe(200);
    expect(batch.json.data.success.map((s: { tracking_number: string }) => s.tracking_number)).toEqual([UPS_2]);
    expect(batch.json.data.error.map((e: { errorCode: number }) => e.errorCode)).toEqual([4190, 4190]);
    const single = await create(sim, "k", USPS, "usps");
    expect(single.status).toBe(400);
    expect(single.json.meta.code).toBe(4190);
    const wholeBatch = await v4(sim, "k", "/trackings/batch", { method: "POST", body: [{ tracking_number: FEDEX, courier_code: "fedex" }] });
    expect([wholeBatch.status, wholeBatch.json.meta.code]).toEqual([400, 4190]);
    expect(sim.trackings("k")).toHaveLength(2);
    // Detection stays free in v4.
    expect((await v4(sim, "k", "/couriers/detect", { method: "POST", body: { tracking_number: FEDEX } })).status).toBe(200);
    sim.setCredits("k", 1);
    expect((await create(sim, "k", USPS, "usps")).status).toBe(200);
    const v2Quota = await v2(sim, "k", "/trackings/post", { method: "POST", body: { tracking_number: DHL, carrier_code: "dhl" } });
    expect([v2Quota.status, v2Quota.json.meta.code]).toEqual([200, 4021]);
  });

  it("reports what is left on v2's getuserinfo (free, works with no credits left); none for an unmetered account; no such endpoint on v4", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k", credits: 2 });
    sim.addAccount({ apiKey: "free" });
    const before = await v2(sim, "k", "/trackings/getuserinfo");
    expect([before.status, before.json.meta.code, before.json.data]).toEqual([200, 200, { plan: { remaining_order: 2 } }]);
    await v2(sim, "k", "/trackings/batch", { method: "POST", body: [UPS, UPS_2].map((tracking_number) => ({ tracking_number, carrier_code: "ups" })) });
    const after = await v2(sim, "k", "/trackings/getuserinfo");
    expect(after.json.data).toEqual({ plan: { remaining_order: 0 } });
    expect(sim.trackings("k")).toHaveLength(2);
    // A v2 detection costs 0.2: what is left is whole trackings.
    sim.setCredits("k", 1);
    await v2(sim, "k", "/carriers/detect", { method: "POST", body: { tracking_number: UPS_3 } });
    expect((await v2(sim, "k", "/trackings/getuserinfo")).json.data).toEqual({ plan: { remaining_order: 0 } });
    expect((await v2(sim, "free", "/trackings/getuserinfo")).json.data).toEqual({ plan: { remaining_order: null } });
    expect((await v2(sim, "wrong", "/trackings/getuserinfo")).json.meta.code).toBe(4001);
    expect((await v4(sim, "k", "/trackings/getuserinfo")).status).toBe(404);
  });
});

describe("TrackingMore v2", () => {
  it("reports application errors as HTTP 200 with meta codes", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const noKey = await v2(sim, null, "/trackings/get");
    expect([noKey.status, noKey.json.meta.code]).toEqual([200, 401]);
    const badKey = await v2(sim, "wrong", "/trackings/get");
    expect(badKey.status).toBe(200);
    expect(badKey.json.meta).toEqual({ code: 4001, type: "Unauthorized", message: "Invalid API key." });

    const created = await v2(sim, "k", "/trackings/post", {
      method: "POST",
      body: { tracking_number: UPS, carrier_code: "ups", order_id: "#1002", customer_email: "bo@example.com" },
    });
    expect(created.status).toBe(200);
    expect(created.json.meta).toEqual({ code: 200, type: "Success", message: "Success" });
    expect(created.json.data).toMatchObject({ tracking_number: UPS, carrier_code: "ups", status: "pending", order_id: "#1002", customer_email: "bo@example.com" });
    expect(created.json.data.id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.json.data.created_at).toMatch(ISO_WITH_OFFSET);

    const errors: Array<[string, string, object | undefined, number]> = [
      ["POST", "/trackings/post", { tracking_number: UPS, carrier_code: "ups" }, 4016],
      ["POST", "/trackings/post", { carrier_code: "ups" }, 4013],
      ["POST", "/trackings/post", { tracking_number: "no!", carrier_code: "ups" }, 4014],
      ["POST", "/trackings/post", { tracking_number: USPS, carrier_code: "US-Postal" }, 4015],
      ["GET", `/trackings/usps/${USPS}`, undefined, 4017],
      ["GET", "/trackings/get?status=inforeceived", undefined, 4033],
    ];
    for (const [method, path, body, code] of errors) {
      const r = await v2(sim, "k", path, { method, body });
      expect({ path, body, status: r.status, code: r.json.meta.code }).toEqual({ path, body, status: 200, code });
    }
    const one = await v2(sim, "k", `/trackings/ups/${UPS}`);
    expect(one.json.data).toMatchObject({ tracking_number: UPS, carrier_code: "ups", status: "pending", order_id: "#1002" });
    expect(one.json.data.customer_email).toEqual(["bo@example.com"]);

    sim.deleteKey("k");
    const deleted = await v2(sim, "k", "/trackings/get");
    expect([deleted.status, deleted.json.meta.code]).toEqual([200, 4002]);
  });

  it("batches up to 40 (more is 4020, nothing created) and lists existing numbers as 4016 errors", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const tooMany = Array.from({ length: 41 }, (_, i) => ({ tracking_number: `TEST${String(i).padStart(6, "0")}`, carrier_code: "usps" }));
    const rejected = await v2(sim, "k", "/trackings/batch", { method: "POST", body: tooMany });
    expect(rejected.status).toBe(200);
    expect(rejected.json.meta).toMatchObject({ code: 4020, message: "Up to 200 at a time" });
    expect(sim.trackings("k")).toHaveLength(0);

    await v2(sim, "k", "/trackings/post", { method: "POST", body: { tracking_number: UPS, carrier_code: "ups" } });
    const r = await v2(sim, "k", "/trackings/batch", {
      method: "POST",
      body: [
        { tracking_number: UPS, carrier_code: "ups" },
        { tracking_number: USPS, carrier_code: "usps" },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.meta).toMatchObject({ code: 201, type: "Created" });
    expect(r.json.data).toMatchObject({ submitted: 2, added: 1 });
    expect(r.json.data.trackings.map((t: { tracking_number: string }) => t.tracking_number)).toEqual([USPS]);
    expect(r.json.data.errors).toEqual([{ tracking_number: UPS, carrier_code: "ups", code: 4016, message: "Tracking already exists." }]);
  });

  it("gets (with optional language suffix), updates and deletes one tracking by carrier and number", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    await v2(sim, "k", "/trackings/post", { method: "POST", body: { tracking_number: UPS, carrier_code: "ups" } });
    expect((await v2(sim, "k", `/trackings/ups/${UPS}/en`)).json.data.tracking_number).toBe(UPS);
    const updated = await v2(sim, "k", `/trackings/ups/${UPS}`, { method: "PUT", body: { title: "Blue mug", order_id: "#77" } });
    expect(updated.json.data).toMatchObject({ title: "Blue mug", order_id: "#77" });
    // The same record seen through v4: v2 order_id is v4 order_number.
    expect((await v4(sim, "k", `/trackings/get?tracking_numbers=${UPS}`)).json.data[0]).toMatchObject({ title: "Blue mug", order_number: "#77" });
    const removed = await v2(sim, "k", `/trackings/ups/${UPS}`, { method: "DELETE" });
    expect([removed.status, removed.json.meta.code]).toEqual([200, 200]);
    expect((await v2(sim, "k", `/trackings/ups/${UPS}`)).json.meta.code).toBe(4017);
    const wrongMethod = await v2(sim, "k", "/trackings/post");
    expect([wrongMethod.status, wrongMethod.json.meta.code]).toEqual([405, 405]);
  });

  it("lists with a string total, pages sorted by update time and filters by update_time_min and status", async () => {
    let clock = Date.parse("2024-05-01T10:00:00Z");
    const sim = await startSim({ now: () => new Date(clock) });
    sim.addAccount({ apiKey: "k" });
    for (const [n, c] of [[UPS, "ups"], [USPS, "usps"], [FEDEX, "fedex"]] as const) {
      await v2(sim, "k", "/trackings/post", { method: "POST", body: { tracking_number: n, carrier_code: c } });
    }
    const t0 = clock / 1000;
    clock += 3_600_000;
    await sim.advance("k", USPS, "next");
    clock += 3_600_000;
    await sim.advance("k", UPS, "next");
    const numbersOf = (items: Array<{ tracking_number: string }>) => items.map((i) => i.tracking_number);

    const page1 = await v2(sim, "k", "/trackings/get?page=1&limit=2");
    expect(page1.status).toBe(200);
    expect(page1.json.data).toMatchObject({ page: 1, limit: 2, total: "3" });
    expect(numbersOf(page1.json.data.items)).toEqual([FEDEX, USPS]);
    const page2 = await v2(sim, "k", "/trackings/get?page=2&limit=2");
    expect(numbersOf(page2.json.data.items)).toEqual([UPS]);

    const recent = await v2(sim, "k", `/trackings/get?update_time_min=${t0 + 3600}`);
    expect(recent.json.data.total).toBe("2");
    expect(numbersOf(recent.json.data.items)).toEqual([USPS, UPS]);
    const old = await v2(sim, "k", `/trackings/get?update_time_max=${t0}`);
    expect(numbersOf(old.json.data.items)).toEqual([FEDEX]);

    // v2 has no `inforeceived`: label-created parcels are notfound / notfound001.
    const infoReceived = await v2(sim, "k", "/trackings/get?status=notfound");
    expect(numbersOf(infoReceived.json.data.items)).toEqual([USPS, UPS]);
    expect(infoReceived.json.data.items[0]).toMatchObject({ status: "notfound", substatus: "notfound001" });
    expect(infoReceived.json.data.items[0].origin_info.trackinfo[0].Date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    expect((await v2(sim, "k", "/trackings/get?limit=5000")).json.data.limit).toBe(2000);
  });

  it("realtime returns data.items and refuses the same number again within 2 hours (4031)", async () => {
    let clock = Date.parse("2024-05-01T10:00:00Z");
    const sim = await startSim({ now: () => new Date(clock) });
    sim.addAccount({ apiKey: "k" });
    const body = { tracking_number: UPS, carrier_code: "ups" };
    const first = await v2(sim, "k", "/trackings/realtime", { method: "POST", body });
    expect(first.json.meta.code).toBe(200);
    expect(first.json.data.items.map((i: { tracking_number: string }) => i.tracking_number)).toEqual([UPS]);
    clock += 60 * 60 * 1000;
    const again = await v2(sim, "k", "/trackings/realtime", { method: "POST", body });
    expect([again.status, again.json.meta.code]).toEqual([200, 4031]);
    clock += 60 * 60 * 1000;
    expect((await v2(sim, "k", "/trackings/realtime", { method: "POST", body })).json.meta.code).toBe(200);
  });
});

describe("TrackingMore couriers", () => {
  it("detects couriers by number pattern in v4 (free) and v2 naming", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const expected: Array<[string, string]> = [
      [UPS, "ups"],
      [USPS, "usps"],
      [FEDEX, "fedex"],
      [DHL, "dhl"],
      ["RR123456789CN", "china-post"],
      ["RR123456789GB", "royal-mail"],
      ["LZ123456789US", "usps"],
    ];
    for (const [number, code] of expected) {
      const r = await v4(sim, "k", "/couriers/detect", { method: "POST", body: { tracking_number: number } });
      expect({ number, status: r.status, codes: r.json.data.map((c: { courier_code: string }) => c.courier_code) }).toEqual({
        number,
        status: 200,
        codes: [code],
      });
      expect(typeof r.json.data[0].courier_name).toBe("string");
    }
    const none = await v4(sim, "k", "/couriers/detect", { method: "POST", body: { tracking_number: "ABCDE-12345" } });
    expect([none.status, none.json.meta.code]).toEqual([400, 4121]);

    const v2Found = await v2(sim, "k", "/carriers/detect", { method: "POST", body: { tracking_number: UPS } });
    expect(v2Found.json.data).toEqual([{ name: "UPS", code: "ups" }]);
    const v2None = await v2(sim, "k", "/carriers/detect", { method: "POST", body: { tracking_number: "ABCDE-12345" } });
    expect([v2None.status, v2None.json.meta.code]).toEqual([200, 4032]);
  });

  it("lists TrackingMore courier codes", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    const r = await v4(sim, "k", "/couriers/all");
    expect(r.status).toBe(200);
    const codes: string[] = r.json.data.map((c: { courier_code: string }) => c.courier_code);
    expect(codes.length).toBeGreaterThanOrEqual(40);
    for (const code of ["ups", "usps", "fedex", "dhl", "royal-mail", "canada-post", "hermes", "china-post", "postnl-parcels", "la-poste-colissimo"]) {
      expect(codes).toContain(code);
    }
  });
});

describe("TrackingMore journeys", () => {
  const statusesOf = (trackinfo: Array<{ checkpoint_delivery_substatus: string | null }>) => trackinfo.map((c) => c.checkpoint_delivery_substatus).reverse();

  it("walks the default journey to delivered001 with newest-first checkpoints and a scheduled date once in transit", async () => {
    const sim = await startSim({ now: () => new Date("2024-05-01T10:00:00Z") });
    sim.addAccount({ apiKey: "k" });
    await create(sim, "k", UPS, "ups");
    const first = await sim.advance("k", UPS, "next");
    expect(first.delivery_status).toBe("inforeceived");
    expect(first.scheduled_delivery_date).toBeNull();
    const second = await sim.advance("k", UPS, "next");
    expect(second).toMatchObject({ delivery_status: "transit", substatus: "transit001" });
    expect(second.scheduled_delivery_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    let last = second;
    for (let i = 0; i < 4; i++) last = await sim.advance("k", UPS, "next");
    expect(last).toMatchObject({ delivery_status: "delivered", substatus: "delivered001" });
    expect(statusesOf(last.origin_info.trackinfo)).toEqual(["inforeceived001", "transit001", "transit002", "transit003", "pickup001", "delivered001"]);
    const dates = last.origin_info.trackinfo.map((c) => Date.parse(c.checkpoint_date));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(last.origin_info.trackinfo[0]!.checkpoint_date).toMatch(ISO_WITH_OFFSET);
    expect(last.latest_event).toMatch(/^Delivered,/);
    expect(last.origin_info.milestone_date.delivery_date).toBe(last.latest_checkpoint_time);
    // The journey is over: 'next' changes nothing.
    const after = await sim.advance("k", UPS, "next");
    expect(after.origin_info.trackinfo).toHaveLength(6);
  });

  it("takes a failed delivery attempt for numbers ending in 7 and ends lost (exception007) for numbers ending in 3", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    await create(sim, "k", USPS, "usps");
    await create(sim, "k", "986578788853", "fedex");
    let t = await sim.advance("k", USPS, "next");
    for (let i = 0; i < 7; i++) t = await sim.advance("k", USPS, "next");
    expect(statusesOf(t.origin_info.trackinfo)).toEqual([
      "inforeceived001",
      "transit001",
      "transit002",
      "transit003",
      "pickup001",
      "undelivered002",
      "pickup001",
      "delivered004",
    ]);
    for (let i = 0; i < 4; i++) t = await sim.advance("k", "986578788853", "next");
    expect(t).toMatchObject({ delivery_status: "exception", substatus: "exception007" });
  });

  it("applies explicit steps and rejects unknown statuses", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    await create(sim, "k", UPS, "ups");
    const t = await sim.advance("k", UPS, {
      status: "exception",
      substatus: "exception004",
      checkpoints: [{ at: new Date("2024-05-03T12:00:00Z"), description: "Held at access point, not collected", location: "LEEDS, GB" }],
      scheduledDeliveryDate: null,
    });
    expect(t).toMatchObject({ delivery_status: "exception", substatus: "exception004", scheduled_delivery_date: null });
    expect(t.origin_info.trackinfo[0]).toMatchObject({ tracking_detail: "Held at access point, not collected", checkpoint_delivery_substatus: "exception004", city: "LEEDS" });
    await expect(sim.advance("k", UPS, { status: "lost-in-space" })).rejects.toThrow(/unknown v4 status/);
    await expect(sim.advance("k", "NOTTRACKED1", "next")).rejects.toThrow(/no tracking/);
  });

  it("auto-progresses every non-final tracking", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    await create(sim, "k", UPS, "ups");
    await create(sim, "k", "986578788853", "fedex");
    sim.startAutoProgress(5);
    const deadline = Date.now() + 3000;
    while (sim.trackings("k").some((t) => t.status !== "delivered" && t.status !== "exception") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    sim.stopAutoProgress();
    expect(sim.trackings("k").map((t) => t.status)).toEqual(["delivered", "exception"]);
  });
});

describe("TrackingMore webhooks", () => {
  const SECRET = "2e55b9a3-4dd1-4416-9897-c4bd1e3d738f";

  it("matches the documented v4 signature test vector", () => {
    expect(hmacHex(SECRET, "1662371528")).toBe("a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06");
    expect(signV4Webhook(SECRET, 1662371528)).toBe("a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06");
  });

  it("signs v4 (headers, webhook secret) and v2 (verifyInfo, account e-mail) payloads", async () => {
    const sim = await startSim();
    const r4 = await receiver();
    const r2 = await receiver();
    sim.addAccount({ apiKey: "k", email: "ops@shop.example", webhookSecret: SECRET });
    sim.setWebhookUrls("k", [
      { url: r4.url, version: "v4" },
      { url: r2.url, version: "v2" },
    ]);
    await create(sim, "k", UPS, "ups");
    await sim.advance("k", UPS, "next");

    expect(r4.received).toHaveLength(1);
    const h = r4.received[0]!;
    const timestamp = String(h.headers.timestamp);
    expect(timestamp).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(h.headers.signature).toBe(hmacHex(SECRET, timestamp));
    expect(h.headers.signature).not.toBe(hmacHex("ops@shop.example", timestamp));
    expect(h.body.meta).toEqual({ code: 200, message: "Success" });
    expect(h.body.data).toMatchObject({ tracking_number: UPS, courier_code: "ups", delivery_status: "inforeceived", substatus: "inforeceived001" });
    expect(h.body.data.origin_info.trackinfo).toHaveLength(1);

    expect(r2.received).toHaveLength(1);
    const b = r2.received[0]!.body;
    expect(b.meta).toEqual({ code: 200, type: "Success", message: "Success" });
    expect(typeof b.verifyInfo.timeStr).toBe("number");
    expect(b.verifyInfo.signature).toBe(hmacHex("ops@shop.example", String(b.verifyInfo.timeStr)));
    expect(b.data).toMatchObject({ tracking_number: UPS, carrier_code: "ups", status: "notfound", substatus: "notfound001" });

    const deliveries = sim.webhookDeliveries.map((d) => [d.version, d.url, d.attempt, d.httpStatus]);
    expect(deliveries.sort()).toEqual([
      ["v2", r2.url, 1, 200],
      ["v4", r4.url, 1, 200],
    ]);
  });

  it("signs v4 with the account e-mail when the account has no webhook secret", async () => {
    const sim = await startSim();
    const r4 = await receiver();
    sim.addAccount({ apiKey: "k", email: "legacy@shop.example", webhookUrls: [{ url: r4.url, version: "v4" }] });
    await create(sim, "k", UPS, "ups");
    await sim.advance("k", UPS, "next");
    const h = r4.received[0]!;
    expect(h.headers.signature).toBe(hmacHex("legacy@shop.example", String(h.headers.timestamp)));
  });

  it("retries a failed delivery after 2^n × base, re-signing each attempt", async () => {
    let clock = Date.parse("2024-05-01T10:00:00Z");
    const sim = await startSim({ webhookRetryBaseMs: 40, webhookMaxRetries: 5, now: () => new Date((clock += 1000)) });
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    sim.addAccount({ apiKey: "k", webhookSecret: SECRET, webhookUrls: [{ url: hook.url, version: "v4" }] });
    await create(sim, "k", UPS, "ups");
    await sim.advance("k", UPS, "next");
    expect(sim.webhookDeliveries.map((d) => d.httpStatus)).toEqual([500]);
    await sim.whenWebhooksIdle();

    expect(sim.webhookDeliveries.map((d) => [d.attempt, d.httpStatus])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const [a, b, c] = hook.received as [Received, Received, Received];
    expect(b.at - a.at).toBeGreaterThanOrEqual(80 - 5);
    expect(c.at - b.at).toBeGreaterThanOrEqual(160 - 5);
    expect(c.at - b.at).toBeLessThan(160 + 500);
    const timestamps = hook.received.map((r) => String(r.headers.timestamp));
    expect(new Set(timestamps).size).toBe(3);
    for (const r of hook.received) expect(r.headers.signature).toBe(hmacHex(SECRET, String(r.headers.timestamp)));
    expect(hook.received.map((r) => r.body.data.delivery_status)).toEqual(["inforeceived", "inforeceived", "inforeceived"]);
  });

  it("gives up after webhookMaxRetries retries and retries connection failures too", async () => {
    const sim = await startSim({ webhookRetryBaseMs: 2, webhookMaxRetries: 3 });
    const failing = await receiver(() => 503);
    const gone = await startHttpServer((_req, res) => {
      res.end();
    });
    const goneUrl = `${gone.url}/hook`;
    await gone.close();
    sim.addAccount({
      apiKey: "k",
      webhookUrls: [
        { url: failing.url, version: "v4" },
        { url: goneUrl, version: "v2" },
      ],
    });
    await create(sim, "k", UPS, "ups");
    await sim.advance("k", UPS, "next");
    await sim.whenWebhooksIdle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(failing.received).toHaveLength(4);
    const toFailing = sim.webhookDeliveries.filter((d) => d.url === failing.url);
    expect(toFailing.map((d) => [d.attempt, d.httpStatus])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
      [4, 503],
    ]);
    const toGone = sim.webhookDeliveries.filter((d) => d.url === goneUrl);
    expect(toGone.map((d) => d.attempt)).toEqual([1, 2, 3, 4]);
    expect(toGone.every((d) => d.httpStatus === null && typeof d.error === "string")).toBe(true);
  });

  it("sends only the statuses selected for a URL and allows at most 4 URLs", async () => {
    const sim = await startSim();
    const all = await receiver();
    const deliveredOnly = await receiver();
    const v2NotFound = await receiver();
    sim.addAccount({ apiKey: "k" });
    sim.setWebhookUrls("k", [
      { url: all.url, version: "v4" },
      { url: deliveredOnly.url, version: "v4", statuses: ["delivered"] },
      { url: v2NotFound.url, version: "v2", statuses: ["notfound"] },
    ]);
    await create(sim, "k", UPS, "ups");
    for (let i = 0; i < 7; i++) await sim.advance("k", UPS, "next");
    expect(all.received).toHaveLength(6);
    expect(deliveredOnly.received.map((r) => r.body.data.substatus)).toEqual(["delivered001"]);
    expect(v2NotFound.received.map((r) => [r.body.data.status, r.body.data.substatus])).toEqual([["notfound", "notfound001"]]);

    const five = Array.from({ length: 5 }, (_, i) => ({ url: `http://127.0.0.1:9/${i}`, version: "v4" as const }));
    expect(() => sim.setWebhookUrls("k", five)).toThrow(/at most 4/);
  });
});

describe("TrackingMore fault injection and control surface", () => {
  it("answers the next N requests with the injected failure, whatever the endpoint or key", async () => {
    const sim = await startSim();
    sim.addAccount({ apiKey: "k" });
    sim.injectFaults(2, { kind: "http", httpStatus: 500, metaCode: 511 });
    const a = await v4(sim, "k", "/trackings/get");
    const b = await v4(sim, "not-a-key", "/couriers/all");
    for (const r of [a, b]) {
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ meta: { code: 511, message: "Server error. Please contact us: service@trackingmore.org." }, data: [] });
    }
    expect((await v4(sim, "k", "/trackings/get")).status).toBe(200);

    sim.injectFaults(1, { kind: "http", httpStatus: 503, metaCode: 503 });
    const v2Fault = await v2(sim, "k", "/trackings/get");
    expect(v2Fault.status).toBe(503);
    expect(v2Fault.json.meta).toMatchObject({ code: 503, type: "Service Unavailable" });
    expect(sim.calls.filter((c) => c.api !== "control").map((c) => [c.api, c.httpStatus, c.metaCode])).toEqual([
      ["v4", 500, 511],
      ["v4", 500, 511],
      ["v4", 200, 200],
      ["v2", 503, 503],
    ]);
  });

  it("adds latencyMs to API responses but not to the control surface", async () => {
    const sim = await startSim({ latencyMs: 120 });
    sim.addAccount({ apiKey: "k" });
    let started = performance.now();
    expect((await v4(sim, "k", "/trackings/get")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    started = performance.now();
    expect((await call(`${sim.url}/__sim/health`)).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("holds a request forever on a timeout fault until close", async () => {
    const sim = await startTrackingMoreSimulator({ rateLimits: UNLIMITED });
    let pending: Promise<string> | undefined;
    try {
      sim.addAccount({ apiKey: "k" });
      sim.injectFaults(1, { kind: "timeout" });
      const hung = fetch(`${sim.url}/v4/trackings/get`, { headers: { "Tracking-Api-Key": "k" }, signal: AbortSignal.timeout(300) });
      await expect(hung).rejects.toThrow();
      expect(sim.calls[0]).toMatchObject({ path: "/v4/trackings/get", httpStatus: 0 });
      expect((await v4(sim, "k", "/trackings/get")).status).toBe(200);

      sim.injectFaults(1, { kind: "timeout" });
      pending = fetch(`${sim.url}/v4/trackings/get`, { headers: { "Tracking-Api-Key": "k" } }).then(
        () => "answered",
        () => "connection closed",
      );
      while (sim.calls.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    } finally {
      await sim.close();
    }
    expect(await pending).toBe("connection closed");
  });

  it("exposes the controls over HTTP under /__sim and logs them as control calls", async () => {
    const sim = await startSim();
    const ctl = (method: string, path: string, body?: unknown) => call(`${sim.url}/__sim${path}`, { method, body });
    expect((await ctl("POST", "/accounts", { apiKey: "demo", email: "demo@shop.example", credits: null })).status).toBe(201);
    expect((await create(sim, "demo", UPS, "ups")).status).toBe(200);

    const advanced = await ctl("POST", "/advance", { apiKey: "demo", trackingNumber: UPS, step: "next" });
    expect(advanced.status).toBe(200);
    expect(advanced.json.data.delivery_status).toBe("inforeceived");
    const explicit = await ctl("POST", "/advance", {
      apiKey: "demo",
      trackingNumber: UPS,
      step: { status: "transit", substatus: "transit004", checkpoints: [{ at: "2024-05-02T08:00:00Z", description: "Arrived in destination country" }] },
    });
    expect(explicit.json.data.substatus).toBe("transit004");
    expect((await ctl("POST", "/advance", { apiKey: "demo", trackingNumber: UPS, step: { status: "bogus" } })).status).toBe(400);

    const tracked = await ctl("GET", "/trackings?apiKey=demo");
    expect(tracked.json.data.map((t: { trackingNumber: string }) => t.trackingNumber)).toEqual([UPS]);

    const five = Array.from({ length: 5 }, (_, i) => ({ url: `http://127.0.0.1:9/${i}`, version: "v4" }));
    expect((await ctl("PUT", "/webhooks", { apiKey: "demo", urls: five })).status).toBe(400);

    expect((await ctl("POST", "/faults", { count: 1, fault: { kind: "http", httpStatus: 500, metaCode: 512 } })).status).toBe(200);
    expect((await v4(sim, "demo", "/trackings/get")).json.meta.code).toBe(512);

    expect((await ctl("POST", "/credits", { apiKey: "demo", credits: 0 })).status).toBe(200);
    expect((await create(sim, "demo", USPS, "usps")).json.meta.code).toBe(4190);

    expect((await ctl("DELETE", "/accounts/demo")).status).toBe(200);
    expect((await v4(sim, "demo", "/trackings/get")).status).toBe(401);

    const calls = await ctl("GET", "/calls");
    const apiCalls = calls.json.data.filter((c: { api: string }) => c.api !== "control");
    expect(apiCalls.map((c: { path: string; metaCode: number }) => [c.path, c.metaCode])).toEqual([
      ["/v4/trackings/create", 200],
      ["/v4/trackings/get", 512],
      ["/v4/trackings/create", 4190],
      ["/v4/trackings/get", 401],
    ]);
    expect(calls.json.data.some((c: { api: string; path: string }) => c.api === "control" && c.path === "/__sim/advance")).toBe(true);
    expect((await ctl("DELETE", "/calls")).status).toBe(200);
    expect(sim.calls.filter((c) => c.api !== "control")).toHaveLength(0);
  });
});
