import type { IncomingHttpHeaders } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { readBody, startHttpServer } from "../../simulators/lib/http-server";
import { upsNumber } from "../../simulators/lib/tracking-numbers";
import { startUpsSimulator, type UpsSimulator, type UpsSimulatorOptions } from "../../simulators/ups/index";

// Fixture numbers (reference F.6): check digits pass.
const UPS = "1Z999AA10123456784";
const CIE_1 = "1ZCIETST0111111114";
const CIE_2 = "1ZCIETST0422222228";
const ROADIE = "1RAB12CD34EF56GH";
const CLIENT = { clientId: "tracklight-client", clientSecret: "s3cret-value" };

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function startSim(options: UpsSimulatorOptions = {}): Promise<UpsSimulator> {
  const sim = await startUpsSimulator(options);
  running.push(sim);
  sim.addClient(CLIENT);
  return sim;
}

/** A settable simulator clock. */
function clock(startIso = "2026-03-02T15:00:00Z") {
  let ms = Date.parse(startIso);
  return { now: () => new Date(ms), advance: (deltaMs: number) => void (ms += deltaMs) };
}

interface Answer {
  status: number;
  /** Parsed JSON, asserted field by field (including fields that must be absent). */
  json: any;
}

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const response = await fetch(url, { method: init.method ?? "GET", headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await response.text();
  return { status: response.status, json: text === "" ? null : JSON.parse(text) };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

function requestToken(sim: UpsSimulator, authorization: string | null = basic(CLIENT.clientId, CLIENT.clientSecret), body = "grant_type=client_credentials", contentType = "application/x-www-form-urlencoded") {
  return call(`${sim.url}/security/v1/oauth/token`, {
    method: "POST",
    headers: { "content-type": contentType, ...(authorization ? { authorization } : {}) },
    body,
  });
}

async function token(sim: UpsSimulator): Promise<string> {
  const r = await requestToken(sim);
  expect(r.status).toBe(200);
  return r.json.access_token as string;
}

const txHeaders = { transId: "a1b2c3d4e5f60718293a4b5c6d7e8f90", transactionSrc: "tracklight" };

function track(sim: UpsSimulator, bearer: string | null, number: string, headers: Record<string, string> = txHeaders, query = "locale=en_US&returnSignature=false&returnMilestones=false&returnPOD=false") {
  return call(`${sim.url}/api/track/v1/details/${encodeURIComponent(number)}?${query}`, {
    headers: { ...headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
  });
}

function subscribeRaw(sim: UpsSimulator, bearer: string, body: string, headers: Record<string, string> = { ...txHeaders, "content-type": "application/json" }) {
  return call(`${sim.url}/api/track/v1/subscription/standard/package`, { method: "POST", headers: { ...headers, authorization: `Bearer ${bearer}` }, body });
}

const subscription = (numbers: unknown[], url: string, credential = "hook-credential-1", extra: object = {}) => ({
  locale: "en_US",
  countryCode: "US",
  trackingNumberList: numbers,
  destination: { url, credentialType: "Bearer", credential },
  ...extra,
});

const subscribe = (sim: UpsSimulator, bearer: string, numbers: unknown[], url: string, credential?: string) =>
  subscribeRaw(sim, bearer, JSON.stringify(subscription(numbers, url, credential)));

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, asserted field by field. */
  body: any;
}

/** A webhook endpoint; `answer(n)` decides the status (and optional delay) of the n-th request. */
async function receiver(answer: (n: number) => { status: number; delayMs?: number } = () => ({ status: 200 })) {
  const received: Received[] = [];
  const server = await startHttpServer(async (req, res) => {
    const text = (await readBody(req)).toString("utf8");
    received.push({ at: performance.now(), headers: req.headers, body: JSON.parse(text) });
    const { status, delayMs } = answer(received.length);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    res.writeHead(status);
    res.end();
  });
  running.push(server);
  return { url: `${server.url}/webhooks/ups`, received };
}

/** Every value of an event body, nested ones included, is a string. */
function allStrings(value: unknown): boolean {
  if (typeof value === "string") return true;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(allStrings);
}

const EVENT_FIELDS = [
  "trackingNumber",
  "localActivityDate",
  "localActivityTime",
  "activityLocation",
  "activityStatus",
  "scheduledDeliveryDate",
  "actualDeliveryDate",
  "actualDeliveryTime",
  "gmtActivityDate",
  "gmtActivityTime",
  "gmtOffset",
  "deliveryStartTime",
  "deliveryEndTime",
  "deliveryTimeDescription",
  "deliveryPhoto",
].sort();

describe("UPS OAuth client credentials", () => {
  it("issues a bearer token whose fields are all strings, and counts issued tokens", async () => {
    const c = clock();
    const sim = await startSim({ now: c.now });
    expect(sim.tokensIssued(CLIENT.clientId)).toBe(0);
    const r = await requestToken(sim);
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(["access_token", "client_id", "expires_in", "issued_at", "refresh_count", "scope", "status", "token_type"]);
    expect(Object.values(r.json).every((v) => typeof v === "string")).toBe(true);
    expect(r.json).toMatchObject({ token_type: "Bearer", client_id: CLIENT.clientId, scope: "", expires_in: "14399", refresh_count: "0", status: "approved" });
    expect(r.json.issued_at).toBe(String(c.now().getTime()));
    expect(r.json.access_token.length).toBeGreaterThan(20);
    expect(sim.tokensIssued(CLIENT.clientId)).toBe(1);
    // Every request issues a new token (caching is the client's job).
    const second = await requestToken(sim);
    expect(second.json.access_token).not.toBe(r.json.access_token);
    expect(sim.tokensIssued(CLIENT.clientId)).toBe(2);
  });

  it("rejects bad credentials with 401 250003 and malformed requests with 400, issuing nothing", async () => {
    const sim = await startSim();
    for (const authorization of [null, basic(CLIENT.clientId, "wrong"), basic("nobody", CLIENT.clientSecret), "Bearer abc", "Basic !!!"]) {
      const r = await requestToken(sim, authorization);
      expect({ authorization, status: r.status, json: r.json }).toEqual({
        authorization,
        status: 401,
        json: { response: { errors: [{ code: "250003", message: "Invalid Access License number" }] } },
      });
    }
    const wrongGrant = await requestToken(sim, undefined, "grant_type=authorization_code");
    expect(wrongGrant.status).toBe(400);
    expect(wrongGrant.json.response.errors[0].code).toEqual(expect.any(String));
    const noGrant = await requestToken(sim, undefined, "");
    expect(noGrant.status).toBe(400);
    const json = await requestToken(sim, undefined, JSON.stringify({ grant_type: "client_credentials" }), "application/json");
    expect(json.status).toBe(400);
    expect(json.json.response.errors[0]).toEqual({ code: "10007", message: "Requested Content Type is not supported" });
    expect(sim.tokensIssued(CLIENT.clientId)).toBe(0);
    const wrongMethod = await call(`${sim.url}/security/v1/oauth/token`);
    expect(wrongMethod.status).toBe(405);
  });

  it("expires tokens after tokenLifetimeSeconds on the simulator clock and on expireTokens(): 401 251004", async () => {
    const c = clock();
    const sim = await startSim({ now: c.now, tokenLifetimeSeconds: 60 });
    sim.setPackage(UPS, { activities: [{ at: c.now(), status: "manifest" }] });
    const first = await requestToken(sim);
    expect(first.json.expires_in).toBe("60");
    const bearer = first.json.access_token as string;
    c.advance(59_000);
    expect((await track(sim, bearer, UPS)).status).toBe(200);
    c.advance(1_000);
    const expired = await track(sim, bearer, UPS);
    expect(expired).toEqual({ status: 401, json: { response: { errors: [{ code: "251004", message: "Bearer Token expired" }] } } });

    const fresh = await token(sim);
    expect((await track(sim, fresh, UPS)).status).toBe(200);
    sim.expireTokens(CLIENT.clientId);
    expect((await track(sim, fresh, UPS)).json.response.errors[0].code).toBe("251004");
    expect((await subscribe(sim, fresh, [UPS], "http://127.0.0.1:9/h")).json.response.errors[0].code).toBe("251004");
  });

  it("answers UJ0001 without a bearer, 250002 for unknown tokens, and stops a revoked client", async () => {
    const sim = await startSim();
    sim.setPackage(UPS, { activities: [{ at: new Date(), status: "manifest" }] });
    const noBearer = await track(sim, null, UPS);
    expect(noBearer).toEqual({ status: 401, json: { response: { errors: [{ code: "UJ0001", message: "Invalid token or token is not present" }] } } });
    expect((await track(sim, "not-a-token", UPS)).json.response.errors[0].code).toBe("250002");

    const bearer = await token(sim);
    expect((await track(sim, bearer, UPS)).status).toBe(200);
    sim.revokeClient(CLIENT.clientId);
    const afterRevoke = await track(sim, bearer, UPS);
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.json.response.errors[0].code).toBe("250002");
    expect((await requestToken(sim)).status).toBe(401);
    // Re-adding reinstates the client, not its old tokens.
    sim.addClient(CLIENT);
    expect((await track(sim, bearer, UPS)).status).toBe(401);
    expect((await track(sim, await token(sim), UPS)).status).toBe(200);
  });

  it("limits requests per client id per second with 429 Quota Limit Exceeded", async () => {
    const sim = await startSim({ rateLimitPerSecond: 2 });
    sim.addClient({ clientId: "other", clientSecret: "x" });
    const bearer = await token(sim); // 1st request of this second
    sim.setPackage(UPS, { activities: [{ at: new Date(), status: "manifest" }] });
    expect((await track(sim, bearer, UPS)).status).toBe(200); // 2nd
    const limited = await track(sim, bearer, UPS);
    expect(limited.status).toBe(429);
    expect(limited.json.response.errors[0].message).toBe("Quota Limit Exceeded");
    expect((await requestToken(sim)).status).toBe(429);
    // Per client id: another client is unaffected.
    expect((await requestToken(sim, basic("other", "x"))).status).toBe(200);
    expect(sim.calls.filter((c) => c.httpStatus === 429).map((c) => [c.api, c.clientId, c.errorCode])).toEqual([
      ["track", CLIENT.clientId, "429"],
      ["oauth", CLIENT.clientId, "429"],
    ]);
  });
});

describe("UPS Track API", () => {
  it("renders TrackApiResponse with activities newest first and UPS date/time strings", async () => {
    const sim = await startSim();
    sim.setPackage(UPS, {
      // Oldest first in, newest first out.
      activities: [
        { at: new Date("2024-04-21T14:05:00Z"), status: "manifest", location: { country: "US" } },
        { at: new Date("2024-04-22T11:13:56Z"), status: "pickup", location: { city: "Wayne", stateProvince: "NJ", postalCode: "07470", slic: "8566" } },
        {
          at: new Date("2024-04-23T07:47:00Z"),
          utcOffsetMinutes: -300,
          status: { type: "I", code: "AR", description: "Arrived at Facility", statusCode: "005" },
          location: { city: "Chicago", stateProvince: "IL", postalCode: "60638" },
        },
      ],
      scheduledDeliveryDate: "2024-04-25",
      destination: { name: "Ann", city: "Portland", stateProvince: "OR", postalCode: "97201" },
      referenceNumbers: [{ type: "SHIPMENT", number: "#1001" }],
    });
    const r = await track(sim, await token(sim), UPS);
    expect(r.status).toBe(200);
    const shipment = r.json.trackResponse.shipment;
    expect(shipment).toHaveLength(1);
    expect(shipment[0].inquiryNumber).toBe(UPS);
    const pkg = shipment[0].package[0];
    expect(pkg.trackingNumber).toBe(UPS);
    expect(pkg.currentStatus).toEqual({ type: "I", code: "AR", description: "Arrived at Facility", simplifiedTextDescription: "On the Way", statusCode: "005" });
    expect(pkg.deliveryDate).toEqual([{ type: "SDD", date: "20240425" }]);
    expect(pkg.deliveryTime).toEqual({ type: "EOD", startTime: "", endTime: "230000" });
    expect(pkg).not.toHaveProperty("deliveryInformation");
    expect(pkg.activity.map((a: any) => a.status.code)).toEqual(["AR", "OR", "MP"]);
    expect(pkg.activity[0]).toEqual({
      date: "20240423",
      time: "024700",
      gmtDate: "20240423",
      // UPS drops the leading zero of gmtTime (Tracking.yaml example "74700").
      gmtTime: "74700",
      gmtOffset: "-05:00",
      location: { address: { city: "Chicago", stateProvince: "IL", postalCode: "60638", country: "US", countryCode: "US" }, slic: "" },
      status: { type: "I", code: "AR", description: "Arrived at Facility", simplifiedTextDescription: "On the Way", statusCode: "005" },
    });
    expect(pkg.activity[1]).toMatchObject({ date: "20240422", time: "071356", gmtTime: "111356", gmtOffset: "-04:00", location: { slic: "8566" } });
    expect(pkg.activity[2].status).toEqual({ type: "M", code: "MP", description: "Shipment Ready for UPS", simplifiedTextDescription: "Label Created", statusCode: "003" });
    for (const a of pkg.activity) {
      expect(a.date).toMatch(/^\d{8}$/);
      expect(a.time).toMatch(/^\d{6}$/);
    }
    expect(pkg.packageAddress).toEqual([
      { type: "DESTINATION", name: "Ann", address: { city: "Portland", stateProvince: "OR", postalCode: "97201", country: "US", countryCode: "US" } },
    ]);
    expect(pkg.referenceNumber).toEqual([{ type: "SHIPMENT", number: "#1001" }]);
    expect(pkg.service).toEqual({ code: "518", description: "UPS Ground", levelCode: "011" });
    expect(pkg.weight).toEqual({ unitOfMeasurement: "LBS", weight: "1.00" });
    expect(pkg).not.toHaveProperty("milestones");
  });

  it("shows a delivered package with DEL date/time and deliveryInformation, and milestones on request", async () => {
    const sim = await startSim();
    sim.setPackage(UPS, {
      activities: [
        { at: new Date("2024-04-22T11:13:56Z"), status: "pickup" },
        { at: new Date("2024-04-23T13:15:19Z"), status: "out_for_delivery" },
        { at: new Date("2024-04-23T13:50:04Z"), status: "delivered", location: { city: "CHARLOTTE", stateProvince: "NC", postalCode: "28209" } },
      ],
      scheduledDeliveryDate: "20240423",
      receivedBy: "ANN",
    });
    const r = await track(sim, await token(sim), UPS, txHeaders, "locale=en_US&returnMilestones=true");
    const pkg = r.json.trackResponse.shipment[0].package[0];
    expect(pkg.currentStatus.type).toBe("D");
    expect(pkg.deliveryDate).toEqual([{ type: "DEL", date: "20240423" }]);
    expect(pkg.deliveryTime).toEqual({ type: "DEL", startTime: "", endTime: "095004" });
    expect(pkg.deliveryInformation).toMatchObject({ location: "Front Door", receivedBy: "ANN" });
    expect(pkg.milestones.map((m: any) => [m.description, m.current, m.linkedActivity ?? null])).toEqual([
      ["Label Created", false, null],
      ["On the Way", false, "2"],
      ["Out for Delivery", false, "1"],
      ["Delivered", true, "0"],
    ]);
  });

  it("answers 404 151044 for unknown numbers, 400 151018 for malformed ones and 400 for missing headers", async () => {
    const sim = await startSim();
    const bearer = await token(sim);
    expect(await track(sim, bearer, upsNumber(1))).toEqual({
      status: 404,
      json: { response: { errors: [{ code: "151044", message: "No tracking information available" }] } },
    });
    for (const bad of ["1Z12", "1Z999AA1012345678", "ABC$1234567", "X".repeat(35)]) {
      const r = await track(sim, bearer, bad);
      expect({ bad, status: r.status, code: r.json.response.errors[0].code }).toEqual({ bad, status: 400, code: "151018" });
    }
    sim.setPackage(UPS, { activities: [{ at: new Date(), status: "manifest" }] });
    // Lookup is case-insensitive.
    expect((await track(sim, bearer, UPS.toLowerCase())).status).toBe(200);
    const noTransId = await track(sim, bearer, UPS, { transactionSrc: "tracklight" });
    expect(noTransId.status).toBe(400);
    expect(noTransId.json.response.errors).toEqual([{ code: expect.any(String), message: expect.stringMatching(/transId/) }]);
    const noSrc = await track(sim, bearer, UPS, { transId: "abc" });
    expect(noSrc.status).toBe(400);
    expect(noSrc.json.response.errors[0].message).toMatch(/transactionSrc/);
    expect((await call(`${sim.url}/api/track/v1/details/${UPS}`, { method: "POST", headers: { authorization: `Bearer ${bearer}`, ...txHeaders } })).status).toBe(405);
    expect((await call(`${sim.url}/api/track/v9/nothing`)).status).toBe(404);
    expect(sim.calls.at(-3)).toMatchObject({ api: "track", clientId: CLIENT.clientId, httpStatus: 400, errorCode: noSrc.json.response.errors[0].code, transId: "abc" });
  });
});

describe("UPS Track Alert subscriptions", () => {
  it("rejects more than 100 numbers with VSS220 and subscribes nothing", async () => {
    const sim = await startSim();
    const bearer = await token(sim);
    const numbers = Array.from({ length: 101 }, (_, i) => upsNumber(i));
    const r = await subscribe(sim, bearer, numbers, "http://127.0.0.1:9/h");
    expect(r.status).toBe(400);
    expect(r.json.response.errors).toEqual([{ code: "VSS220", message: expect.stringMatching(/^You have submitted over 100 tracking numbers/) }]);
    expect(r.json).not.toHaveProperty("validTrackingNumbers");
    expect(sim.subscriptions()).toEqual([]);
    // Exactly 100 is fine.
    expect((await subscribe(sim, bearer, numbers.slice(0, 100), "http://127.0.0.1:9/h")).status).toBe(200);
    expect(sim.subscriptions()).toHaveLength(100);
  });

  it("lists invalid numbers: 200 when one is valid, 400 VSS210 when none is", async () => {
    const c = clock();
    const sim = await startSim({ now: c.now });
    const bearer = await token(sim);
    const mixed = await subscribe(sim, bearer, [UPS, "1Z1234567$8", ` ${CIE_1}`, UPS.toLowerCase(), ROADIE, UPS, 42], "http://127.0.0.1:9/h");
    expect(mixed).toEqual({
      status: 200,
      json: { validTrackingNumbers: [UPS, ROADIE], invalidTrackingNumbers: ["1Z1234567$8", ` ${CIE_1}`, UPS.toLowerCase(), "42"] },
    });
    const allValid = await subscribe(sim, bearer, [CIE_2], "http://127.0.0.1:9/h");
    expect(allValid).toEqual({ status: 200, json: { validTrackingNumbers: [CIE_2] } });
    const none = await subscribe(sim, bearer, ["1Z1234567$8", "1RSHORT"], "http://127.0.0.1:9/h");
    expect(none.status).toBe(400);
    expect(none.json).toEqual({
      response: { errors: [{ code: "VSS210", message: "The Subscription request should have at least one valid tracking number. The Subscription request has been rejected." }] },
      invalidTrackingNumbers: ["1Z1234567$8", "1RSHORT"],
    });
    expect(sim.subscriptions().map((s) => s.trackingNumber)).toEqual([UPS, ROADIE, CIE_2]);
    const s = sim.subscriptions()[0]!;
    expect(s).toMatchObject({ clientId: CLIENT.clientId, url: "http://127.0.0.1:9/h", credential: "hook-credential-1", credentialType: "Bearer" });
    expect(s.subscribedAt.getTime()).toBe(c.now().getTime());
    expect(s.expiresAt.getTime() - s.subscribedAt.getTime()).toBe(14 * 86_400_000);
  });

  it("checks headers and fields in the documented order with the documented codes", async () => {
    const sim = await startSim();
    const bearer = await token(sim);
    const url = "http://127.0.0.1:9/h";
    const ok = subscription([UPS], url);
    const json = { ...txHeaders, "content-type": "application/json" };
    const cases: Array<[string, string, Record<string, string>, string]> = [
      ["no transId", JSON.stringify(ok), { transactionSrc: "t", "content-type": "application/json" }, "VSS002"],
      ["no transactionSrc", JSON.stringify(ok), { transId: "t", "content-type": "application/json" }, "VSS004"],
      ["transId over 32 characters", JSON.stringify(ok), { ...json, transId: "x".repeat(33) }, "VSS003"],
      ["empty body", "", json, "VSS110"],
      ["empty object", "{}", json, "VSS110"],
      ["not JSON", "{nope", json, "VSS000"],
      ["text content type", JSON.stringify(ok), { ...txHeaders, "content-type": "text/plain" }, "10007"],
      ["no list", JSON.stringify({ ...ok, trackingNumberList: undefined }), json, "VSS200"],
      ["empty list", JSON.stringify({ ...ok, trackingNumberList: [] }), json, "VSS200"],
      ["no locale", JSON.stringify({ ...ok, locale: undefined }), json, "VSS300"],
      ["other locale", JSON.stringify({ ...ok, locale: "fr_FR" }), json, "VSS310"],
      ["bad country", JSON.stringify({ ...ok, countryCode: "usa" }), json, "VSS400"],
      ["no destination", JSON.stringify({ ...ok, destination: undefined }), json, "VSS500"],
      ["no url", JSON.stringify({ ...ok, destination: { ...ok.destination, url: "" } }), json, "VSS600"],
      ["long url", JSON.stringify({ ...ok, destination: { ...ok.destination, url: `http://127.0.0.1:9/${"a".repeat(2100)}` } }), json, "VSS610"],
      ["no credential", JSON.stringify({ ...ok, destination: { ...ok.destination, credential: undefined } }), json, "VSS700"],
      ["no credentialType", JSON.stringify({ ...ok, destination: { ...ok.destination, credentialType: "" } }), json, "VSS800"],
      // Order: the list is checked before the locale, the locale before the destination.
      ["no list and no locale", JSON.stringify({ destination: ok.destination }), json, "VSS200"],
      ["bad locale and no destination", JSON.stringify({ locale: "xx", trackingNumberList: [UPS] }), json, "VSS310"],
    ];
    for (const [name, body, headers, code] of cases) {
      const r = await subscribeRaw(sim, bearer, body, headers);
      expect({ name, status: r.status, code: r.json.response?.errors?.[0]?.code }).toEqual({ name, status: 400, code });
    }
    expect(sim.subscriptions()).toEqual([]);
    expect((await subscribeRaw(sim, bearer, JSON.stringify(ok), json)).status).toBe(200);
  });

  it("applies injected faults before anything else, then recovers", async () => {
    const sim = await startSim();
    const bearer = await token(sim);
    sim.injectFaults(2, { kind: "http", httpStatus: 500, code: "VSS100", api: "trackalert" });
    // A fault scoped to Track Alert leaves other APIs alone.
    expect((await track(sim, bearer, UPS)).status).toBe(404);
    for (let i = 0; i < 2; i += 1) {
      const r = await subscribe(sim, bearer, [UPS], "http://127.0.0.1:9/h");
      expect(r).toEqual({ status: 500, json: { response: { errors: [{ code: "VSS100", message: "We're sorry, the system is temporarily unavailable.  Please try again later." }] } } });
    }
    expect(sim.subscriptions()).toEqual([]);
    expect((await subscribe(sim, bearer, [UPS], "http://127.0.0.1:9/h")).status).toBe(200);

    sim.injectFaults(1, { kind: "timeout" });
    const held = await fetch(`${sim.url}/security/v1/oauth/token`, { method: "POST", signal: AbortSignal.timeout(200) }).then(
      () => "answered",
      (error: Error) => error.name,
    );
    expect(held).toBe("TimeoutError");
    expect(sim.calls.at(-1)).toMatchObject({ api: "oauth", httpStatus: 0 });
    expect(() => sim.injectFaults(1, { kind: "http", httpStatus: 700, code: "x" })).toThrow();
  });
});

describe("UPS Track Alert in CIE", () => {
  it("rejects any number other than the two CIE test numbers with VSS215, delivering nothing", async () => {
    const sim = await startSim({ environment: "cie", cieEventSpacingMs: 5 });
    const hook = await receiver();
    const bearer = await token(sim);
    const r = await subscribe(sim, bearer, [CIE_1, UPS], hook.url);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      response: { errors: [{ code: "VSS215", message: "The tracking number that was submitted is not a valid CIE tracking number and has been rejected." }] },
      invalidTrackingNumbers: [UPS],
    });
    expect((await subscribe(sim, bearer, [upsNumber(7)], hook.url)).json.response.errors[0].code).toBe("VSS215");
    // Malformed numbers are still just listed invalid.
    expect((await subscribe(sim, bearer, ["1Z$"], hook.url)).json.response.errors[0].code).toBe("VSS210");
    await new Promise((resolve) => setTimeout(resolve, 60));
    await sim.whenDeliveriesIdle();
    expect(hook.received).toEqual([]);
    expect(sim.deliveries).toEqual([]);
    await expect(sim.pushEvent(CIE_1, { preset: "delivered" })).rejects.toThrow(/production/);
  });

  it("plays the documented 7-event sequence to the destination, spaced, with credential and user agent", async () => {
    const spacing = 60;
    const sim = await startSim({ environment: "cie", cieEventSpacingMs: spacing });
    const hook = await receiver();
    const bearer = await token(sim);
    const submitted = performance.now();
    const r = await subscribe(sim, bearer, [CIE_1], hook.url, "opaque-credential-1+/=");
    expect(r).toEqual({ status: 200, json: { validTrackingNumbers: [CIE_1] } });
    // Before the first event the Track API has nothing for the number.
    expect((await track(sim, bearer, CIE_1)).status).toBe(404);
    await sim.whenDeliveriesIdle();

    expect(hook.received).toHaveLength(7);
    const bodies = hook.received.map((e) => e.body);
    expect(bodies.map((b) => [b.activityStatus.type, b.activityStatus.code, b.activityStatus.descriptionCode])).toEqual([
      ["M", "MP", "003"],
      ["I", "OR", "005"],
      ["I", "DP", "005"],
      ["I", "YP", "071"],
      ["I", "YP", "071"],
      ["I", "OT", "021"],
      ["D", "FS", "011"],
    ]);
    for (const e of hook.received) {
      expect(e.headers.credential).toBe("opaque-credential-1+/=");
      expect(e.headers["user-agent"]).toBe("UPSPubSubTrackingService");
      expect(e.headers["content-type"]).toMatch(/^application\/json/);
      expect(Object.keys(e.body).sort()).toEqual(EVENT_FIELDS);
      expect(allStrings(e.body)).toBe(true);
    }
    // The documented first example carries a leading space; the others do not.
    expect(bodies.map((b) => b.trackingNumber)).toEqual([` ${CIE_1}`, ...Array(6).fill(CIE_1)]);
    // Example 2 as documented (UPSTrackAlert.yaml v1), number substituted.
    expect(bodies[1]).toEqual({
      trackingNumber: CIE_1,
      localActivityDate: "20240422",
      localActivityTime: "212901",
      activityLocation: { city: "Hickory", stateProvince: "NC", postalCode: "", country: "US" },
      activityStatus: { type: "I", code: "OR", description: "On the Way", descriptionCode: "005" },
      scheduledDeliveryDate: "20240423",
      actualDeliveryDate: "",
      actualDeliveryTime: "",
      gmtActivityDate: "20240423",
      gmtActivityTime: "012901",
      gmtOffset: "-04.00",
      deliveryStartTime: "",
      deliveryEndTime: "",
      deliveryTimeDescription: "end of day",
      deliveryPhoto: "",
    });
    expect(bodies[6]).toMatchObject({
      activityLocation: { city: "CHARLOTTE", stateProvince: "NC", postalCode: "28209", country: "US" },
      scheduledDeliveryDate: "",
      actualDeliveryDate: "20240423",
      actualDeliveryTime: "095004",
      deliveryTimeDescription: "",
    });
    expect(bodies[0]).toMatchObject({ scheduledDeliveryDate: "", deliveryTimeDescription: "", activityLocation: { city: "", country: "US" } });

    // Spacing: the first event one gap after the answer, then one gap between events (timers never fire early).
    const times = hook.received.map((e) => e.at);
    expect(times[0]! - submitted).toBeGreaterThanOrEqual(spacing - 5);
    expect(times[6]! - times[0]!).toBeGreaterThanOrEqual(6 * spacing - 10);
    for (let i = 1; i < 7; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThan(spacing / 3);

    // The Track API history is what Track Alert produced.
    const history = (await track(sim, bearer, CIE_1)).json.trackResponse.shipment[0].package[0];
    expect(history.activity.map((a: any) => a.status.code)).toEqual(["FS", "OT", "YP", "YP", "DP", "OR", "MP"]);
    expect(history.deliveryDate).toEqual([{ type: "DEL", date: "20240423" }]);
    // CIE creates no subscription.
    expect(sim.subscriptions()).toEqual([]);
    expect(sim.deliveries.map((d) => [d.trackingNumber, d.httpStatus])).toEqual(Array(7).fill([CIE_1, 200]));
  });

  it("replays the sequence for every submission and both test numbers", async () => {
    const sim = await startSim({ environment: "cie", cieEventSpacingMs: 2 });
    const hook = await receiver();
    const bearer = await token(sim);
    expect((await subscribe(sim, bearer, [CIE_1, CIE_2], hook.url)).status).toBe(200);
    await sim.whenDeliveriesIdle();
    expect((await subscribe(sim, bearer, [CIE_2], hook.url)).status).toBe(200);
    await sim.whenDeliveriesIdle();
    const count = (n: string) => hook.received.filter((e) => e.body.trackingNumber.trim() === n).length;
    expect([count(CIE_1), count(CIE_2)]).toEqual([7, 14]);
    // The latest run is the Track API history (not an accumulation of runs).
    const pkg = (await track(sim, bearer, CIE_2)).json.trackResponse.shipment[0].package[0];
    expect(pkg.activity).toHaveLength(7);
  });

  it("can date the sequence so that the delivery scan is now", async () => {
    const c = clock("2026-03-02T18:30:00.400Z");
    const sim = await startSim({ environment: "cie", cieEventSpacingMs: 1, cieTimestamps: "now", now: c.now });
    const hook = await receiver();
    await subscribe(sim, await token(sim), [CIE_1], hook.url);
    await sim.whenDeliveriesIdle();
    // In order even when events are due faster than the receiver answers.
    expect(hook.received.map((e) => e.body.activityStatus.code)).toEqual(["MP", "OR", "DP", "YP", "YP", "OT", "FS"]);
    const last = hook.received.at(-1)!.body;
    expect([last.gmtActivityDate, last.gmtActivityTime, last.localActivityTime, last.actualDeliveryDate]).toEqual(["20260302", "183000", "143000", "20260302"]);
    expect(hook.received[1]!.body.scheduledDeliveryDate).toBe("20260302");
  });
});

describe("UPS Track Alert webhooks in production", () => {
  it("pushes events only to live subscriptions, and re-subscribing renews for 14 days", async () => {
    const c = clock();
    const sim = await startSim({ now: c.now });
    const hook = await receiver();
    const other = await receiver();
    const bearer = await token(sim);
    expect((await subscribe(sim, bearer, [UPS, upsNumber(2)], hook.url, "cred-A")).status).toBe(200);

    const results = await sim.pushEvent(UPS, { preset: "pickup" });
    expect(results.map((d) => [d.url, d.httpStatus, d.trackingNumber])).toEqual([[hook.url, 200, UPS]]);
    expect(hook.received).toHaveLength(1);
    const event = hook.received[0]!;
    expect(event.headers.credential).toBe("cred-A");
    expect(event.headers["user-agent"]).toBe("UPSPubSubTrackingService");
    expect(allStrings(event.body)).toBe(true);
    expect(Object.keys(event.body).sort()).toEqual(EVENT_FIELDS);
    expect(event.body).toMatchObject({ trackingNumber: UPS, activityStatus: { type: "I", code: "OR" }, localActivityDate: "20260302", localActivityTime: "110000", gmtActivityTime: "150000", gmtOffset: "-04.00" });
    expect(event.body.scheduledDeliveryDate).toBe("20260304");
    expect(event.body.deliveryTimeDescription).toBe("end of day");
    // A number nobody subscribed gets no delivery.
    expect(await sim.pushEvent(upsNumber(3), { preset: "manifest" })).toEqual([]);

    // Subscribing again with a new destination and credential replaces the old one.
    c.advance(13 * 86_400_000);
    expect((await subscribe(sim, await token(sim), [UPS], other.url, "cred-B")).status).toBe(200);
    c.advance(86_400_000 + 1000); // the first subscription of upsNumber(2) is now past 14 days
    expect(await sim.pushEvent(upsNumber(2), { preset: "in_transit" })).toEqual([]);
    const renewed = await sim.pushEvent(UPS, { preset: "out_for_delivery" });
    expect(renewed.map((d) => d.url)).toEqual([other.url]);
    expect(other.received[0]!.headers.credential).toBe("cred-B");
    c.advance(14 * 86_400_000);
    expect(await sim.pushEvent(UPS, { preset: "delivered" })).toEqual([]);
    expect(hook.received).toHaveLength(1);
    expect(other.received).toHaveLength(1);
    expect(sim.subscriptions().map((s) => [s.trackingNumber, s.url])).toEqual([
      [upsNumber(2), hook.url],
      [UPS, other.url],
    ]);
  });

  it("fills delivery fields only on the delivery event and updates the Track API", async () => {
    const c = clock();
    const sim = await startSim({ now: c.now });
    const hook = await receiver();
    const bearer = await token(sim);
    sim.setPackage(UPS, {
      activities: [{ at: new Date(c.now().getTime() - 3_600_000), status: "pickup" }],
      scheduledDeliveryDate: "2026-03-03",
      destination: { city: "Portland", stateProvince: "OR", postalCode: "97201" },
    });
    await subscribe(sim, bearer, [UPS], hook.url);
    await sim.pushEvent(UPS, { preset: "updated_delivery" });
    c.advance(60_000);
    await sim.pushEvent(UPS, {
      status: { type: "I", code: "OT", description: "Out for Delivery", statusCode: "021" },
      utcOffsetMinutes: -480,
      location: { city: "Portland", stateProvince: "OR", postalCode: "97201" },
      deliveryWindow: { startTime: "13:00", endTime: "15:00" },
    });
    c.advance(60_000);
    await sim.pushEvent(UPS, { preset: "delivered" });
    const [updated, outForDelivery, delivered] = hook.received.map((e) => e.body);
    expect(updated).toMatchObject({ activityStatus: { type: "U" }, scheduledDeliveryDate: "20260304", actualDeliveryDate: "" });
    expect(outForDelivery).toMatchObject({
      localActivityTime: "070100",
      gmtOffset: "-08.00",
      activityLocation: { city: "Portland", postalCode: "" },
      deliveryStartTime: "130000",
      deliveryEndTime: "150000",
      deliveryTimeDescription: "estimated delivery window",
      actualDeliveryTime: "",
    });
    expect(delivered).toMatchObject({
      activityStatus: { type: "D", code: "FS", description: "Delivered", descriptionCode: "011" },
      activityLocation: { city: "Portland", stateProvince: "OR", postalCode: "97201" },
      scheduledDeliveryDate: "",
      actualDeliveryDate: "20260302",
      actualDeliveryTime: "110200",
      deliveryStartTime: "",
      deliveryTimeDescription: "",
    });
    const pkg = (await track(sim, bearer, UPS)).json.trackResponse.shipment[0].package[0];
    expect(pkg.activity.map((a: any) => a.status.type)).toEqual(["D", "I", "U", "I"]);
    expect(pkg.deliveryDate).toEqual([{ type: "DEL", date: "20260302" }]);
  });

  it("does not retry failed deliveries: errors, slow receivers and refused connections are recorded once", async () => {
    const sim = await startSim({ webhookTimeoutMs: 150 });
    const failing = await receiver(() => ({ status: 503 }));
    const slow = await receiver(() => ({ status: 200, delayMs: 400 }));
    const bearer = await token(sim);
    const closed = await startHttpServer(() => undefined);
    const refusedUrl = `${closed.url}/h`;
    await closed.close();
    sim.addClient({ clientId: "c2", clientSecret: "x" });
    sim.addClient({ clientId: "c3", clientSecret: "x" });
    const token2 = (await requestToken(sim, basic("c2", "x"))).json.access_token;
    const token3 = (await requestToken(sim, basic("c3", "x"))).json.access_token;
    await subscribe(sim, bearer, [UPS], failing.url);
    await subscribe(sim, token2, [UPS], slow.url);
    await subscribe(sim, token3, [UPS], refusedUrl);

    const results = await sim.pushEvent(UPS, { preset: "exception" });
    expect(results.map((d) => [d.url, d.httpStatus, d.error === undefined])).toEqual([
      [failing.url, 503, true],
      [slow.url, null, false],
      [refusedUrl, null, false],
    ]);
    expect(results[1]!.error).toMatch(/150 ms/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sim.whenDeliveriesIdle();
    expect(failing.received).toHaveLength(1);
    expect(slow.received).toHaveLength(1);
    expect(sim.deliveries).toHaveLength(3);
  });
});

describe("UPS control endpoints", () => {
  it("drives clients, packages, events, faults and the logs over HTTP", async () => {
    const sim = await startUpsSimulator({});
    running.push(sim);
    const hook = await receiver();
    const control = (method: string, path: string, body?: unknown) =>
      call(`${sim.url}/__sim${path}`, { method, headers: { "content-type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

    expect((await control("GET", "/health")).json.data.environment).toBe("production");
    expect((await control("POST", "/clients", CLIENT)).status).toBe(201);
    expect((await control("POST", "/clients", { clientId: "" })).status).toBe(400);
    const bearer = await token(sim);
    expect((await control("GET", "/clients")).json.data).toEqual([{ clientId: CLIENT.clientId, revoked: false, tokensIssued: 1 }]);

    const put = await control("PUT", `/packages/${UPS}`, {
      activities: [{ at: "2026-03-01T12:00:00Z", status: "manifest" }, { at: "2026-03-02T12:00:00Z", status: { type: "I", code: "AR", description: "Arrived" } }],
      scheduledDeliveryDate: "2026-03-04",
    });
    expect(put.status).toBe(200);
    expect((await control("PUT", `/packages/${UPS}`, { activities: [{ at: "yesterday", status: "manifest" }] })).status).toBe(400);
    expect((await track(sim, bearer, UPS)).json.trackResponse.shipment[0].package[0].currentStatus.code).toBe("AR");

    await subscribe(sim, bearer, [UPS], hook.url);
    expect((await control("GET", "/subscriptions")).json.data.map((s: any) => s.trackingNumber)).toEqual([UPS]);
    const pushed = await control("POST", "/events", { trackingNumber: UPS, event: { preset: "delivered" } });
    expect(pushed.json.data.map((d: any) => d.httpStatus)).toEqual([200]);
    expect(hook.received[0]!.body.activityStatus.code).toBe("FS");
    expect((await control("GET", "/deliveries")).json.data).toHaveLength(1);

    await control("POST", "/tokens/expire", {});
    expect((await track(sim, bearer, UPS)).json.response.errors[0].code).toBe("251004");
    expect((await control("POST", "/faults", { count: 1, fault: { kind: "http", httpStatus: 500, code: "10004" } })).status).toBe(200);
    expect((await requestToken(sim)).json.response.errors[0]).toEqual({ code: "10004", message: "Something went wrong while processing your request, please try again later" });
    expect((await control("DELETE", `/clients/${CLIENT.clientId}`)).status).toBe(200);
    expect((await requestToken(sim)).status).toBe(401);

    const calls = (await control("GET", "/calls")).json.data as Array<{ api: string; httpStatus: number; errorCode: string | null }>;
    expect(calls.filter((c) => c.api !== "control").map((c) => [c.api, c.httpStatus, c.errorCode])).toEqual([
      ["oauth", 200, null],
      ["track", 200, null],
      ["trackalert", 200, null],
      ["track", 401, "251004"],
      ["oauth", 500, "10004"],
      ["oauth", 401, "250003"],
    ]);
    await control("DELETE", "/calls");
    expect(sim.calls.filter((c) => c.api !== "control")).toEqual([]);
    expect((await control("GET", "/nothing")).status).toBe(404);
  });
});
