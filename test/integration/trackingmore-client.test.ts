import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator, type TrackingMoreSimulatorOptions } from "../../simulators/trackingmore";
import { TrackingMoreV4Provider } from "~/adapters/trackingmore/client-v4.server";
import { TRACKINGMORE_V2_PROFILE, V2FamilyProvider, type V2FamilyProfile } from "~/adapters/trackingmore/v2-family-client.server";
import { AuthenticationError, QuotaExhaustedError, RateLimitedError, ServiceUnavailableError } from "~/domain/errors";
import type { TrackingRegistration } from "~/domain/ports";
import { ProviderThrottle } from "~/lib/provider-throttle.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { upsNumber } from "../support/factories";

const NO_LIMITS = { v4Create: Infinity, v4Other: Infinity, v2: Infinity, v2Realtime: Infinity };

let database: TestDatabase;
let clock: TestClock;
let throttle: ProviderThrottle;
let simulator: TrackingMoreSimulator;
let apiKey: string;
let keyCounter = 0;
const started: TrackingMoreSimulator[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

async function startSimulator(options: TrackingMoreSimulatorOptions = {}) {
  const sim = await startTrackingMoreSimulator({ rateLimits: NO_LIMITS, now: () => clock.now(), ...options });
  started.push(sim);
  return sim;
}

beforeEach(async () => {
  clock = new TestClock(new Date());
  // The real throttle over the test database; waiting for a slot moves the test clock instead of real time.
  throttle = new ProviderThrottle(database.db, clock, { maxWaitMs: 5_000, sleep: async (ms) => clock.advance(ms) });
  simulator = await startSimulator();
  apiKey = `tm-client-key-${++keyCounter}-abcdefgh`;
  simulator.addAccount({ apiKey, email: "ops@shop.example" });
});

afterEach(async () => {
  for (const sim of started.splice(0)) await sim.close();
});

function transport(key: string, sim: TrackingMoreSimulator, timeoutMs: number) {
  return { baseUrl: sim.url, apiKey: key, accountKey: `trackingmore:client-test-${key}`, throttle, clock, timeoutMs, rateLimitPauseMs: 120_000 };
}

function v4(options: { key?: string; sim?: TrackingMoreSimulator; timeoutMs?: number } = {}) {
  return new TrackingMoreV4Provider(transport(options.key ?? apiKey, options.sim ?? simulator, options.timeoutMs ?? 5_000));
}

function v2(options: { key?: string; sim?: TrackingMoreSimulator; profile?: V2FamilyProfile } = {}) {
  return new V2FamilyProvider(options.profile ?? TRACKINGMORE_V2_PROFILE, transport(options.key ?? apiKey, options.sim ?? simulator, 5_000));
}

const ups = (trackingNumber: string, extra: Partial<TrackingRegistration> = {}): TrackingRegistration => ({ trackingNumber, carrierCode: "ups", ...extra });

/** UPS test numbers whose scripted journey ends in a plain delivery (last digit neither 3 nor 7). */
function deliverableNumbers(count: number, from: number): string[] {
  const numbers: string[] = [];
  for (let i = from; numbers.length < count; i++) {
    const number = upsNumber(i);
    if (!/[37]$/.test(number)) numbers.push(number);
  }
  return numbers;
}

function apiCalls() {
  return simulator.calls.filter((call) => call.api !== "control");
}

async function rawCreateV4(trackingNumber: string, key = apiKey) {
  const response = await fetch(`${simulator.url}/v4/trackings/create`, {
    method: "POST",
    headers: { "Tracking-Api-Key": key, "Content-Type": "application/json" },
    body: JSON.stringify({ tracking_number: trackingNumber, courier_code: "ups" }),
  });
  expect(response.status).toBe(200);
}

describe(`TrackingMore v4 client against the simulator on ${testDialect()}`, () => {
  it("register maps every outcome: registered (32-hex id), already registered (4101), rejected with a reason (4110, 4120, 4122)", async () => {
    const [fresh, existing, other] = [upsNumber(1), upsNumber(2), upsNumber(3)];
    await rawCreateV4(existing);
    simulator.resetCalls();

    const outcomes = await v4().register([
      ups(fresh, { orderName: "#1001", destinationCountry: "DE" }),
      ups(existing),
      ups("AB!CD"),
      ups(other, { carrierCode: "no-such-courier" }),
      { trackingNumber: "RR123456785DE", carrierCode: "deutsche-post" },
      { trackingNumber: "RR123456794DE", carrierCode: "deutsche-post", shipDate: new Date("2026-11-20T15:00:00Z") },
    ]);
    expect(apiCalls().map((call) => [call.method, call.path])).toEqual([["POST", "/v4/trackings/batch"]]);
    const byNumber = new Map(outcomes.map((outcome) => [outcome.trackingNumber, outcome]));
    expect(outcomes).toHaveLength(6);
    expect(byNumber.get(fresh)).toEqual({ kind: "registered", trackingNumber: fresh, carrierCode: "ups", providerTrackingId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(byNumber.get("RR123456794DE")).toMatchObject({ kind: "registered", carrierCode: "deutsche-post", providerTrackingId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(byNumber.get(existing)).toEqual({ kind: "already_registered", trackingNumber: existing, carrierCode: "ups", providerTrackingId: null });
    expect(byNumber.get("AB!CD")).toMatchObject({ kind: "rejected", reason: "invalid_number", code: "4110", message: "The value of tracking_number is invalid." });
    expect(byNumber.get(other)).toMatchObject({ kind: "rejected", reason: "invalid_carrier", code: "4120" });
    expect(byNumber.get("RR123456785DE")).toMatchObject({ kind: "rejected", reason: "missing_fields", code: "4122" });

    // What we sent arrived as TrackingMore's fields; the provider's id is the one it stores.
    const stored = new Map(simulator.trackings(apiKey).map((tracking) => [tracking.trackingNumber, tracking]));
    expect(stored.get(fresh)!.id).toBe((byNumber.get(fresh) as { providerTrackingId: string }).providerTrackingId);
    expect(stored.get(fresh)!.info).toMatchObject({ order_number: "#1001", tracking_destination_country: "DE" });
    expect(stored.get("RR123456794DE")!.info).toMatchObject({ tracking_ship_date: "20261120" });
    expect([...stored.keys()].sort()).toEqual([existing, fresh, "RR123456794DE"].sort());

    // Nothing to send: no call.
    expect(await v4().register([])).toEqual([]);
    expect(apiCalls()).toHaveLength(1);
  });

  it("fetch returns mapped observations in calls of at most 40 numbers and leaves out numbers the provider does not know", async () => {
    const numbers = deliverableNumbers(45, 100);
    const client = v4();
    const registered = await client.register(numbers.slice(0, 40).map((n) => ups(n)));
    registered.push(...(await client.register(numbers.slice(40).map((n) => ups(n)))));
    const [inTransit, delivered] = numbers;
    await simulator.advance(apiKey, inTransit!, "next");
    await simulator.advance(apiKey, inTransit!, "next");
    for (let step = 0; step < 6; step++) await simulator.advance(apiKey, delivered!, "next");
    simulator.resetCalls();

    const unknown = upsNumber(999_999);
    const observations = await client.fetch([...numbers, unknown].map((n) => ({ trackingNumber: n, carrierCode: "ups" })));
    const gets = apiCalls();
    expect(gets.map((call) => call.path)).toEqual(["/v4/trackings/get", "/v4/trackings/get"]);
    expect(gets.map((call) => new URLSearchParams(call.query).get("tracking_numbers")!.split(",").length)).toEqual([40, 6]);
    expect(gets.every((call) => new URLSearchParams(call.query).get("courier_code") === "ups")).toBe(true);

    expect(observations.map((o) => o.trackingNumber).sort()).toEqual([...numbers].sort());
    const byNumber = new Map(observations.map((o) => [o.trackingNumber, o]));
    const ids = new Map(simulator.trackings(apiKey).map((tracking) => [tracking.trackingNumber, tracking.id]));
    expect(byNumber.get(inTransit!)).toMatchObject({
      provider: "trackingmore",
      carrierCode: "ups",
      providerTrackingId: ids.get(inTransit!),
      status: "transit",
      substatus: "in_transit",
      rawStatus: "transit/transit001",
    });
    expect(byNumber.get(inTransit!)!.events.map((e) => [e.status, e.description]).sort()).toEqual(
      [
        ["inforeceived", "Shipper created a label, UPS has not received the package yet."],
        ["transit", "Pickup Scan"],
      ].sort(),
    );
    expect(byNumber.get(inTransit!)!.events.every((e) => e.zoneKnown && e.occurredAt instanceof Date)).toBe(true);
    const done = byNumber.get(delivered!)!;
    expect(done).toMatchObject({ status: "delivered", substatus: "delivered" });
    expect(done.events).toHaveLength(6);
    expect(done.deliveredAt).toBeInstanceOf(Date);
    expect(byNumber.get(numbers[2]!)).toMatchObject({ status: "pending", events: [] });
  });

  it("detectCarrier answers the provider's guesses, and [] when it cannot tell (4121)", async () => {
    const client = v4();
    expect(await client.detectCarrier(upsNumber(5))).toEqual(["ups"]);
    expect(await client.detectCarrier("ZZZZ12345")).toEqual([]);
    expect(apiCalls().map((call) => [call.path, call.metaCode])).toEqual([
      ["/v4/couriers/detect", 200],
      ["/v4/couriers/detect", 4121],
    ]);
  });

  it("stopTracking deletes at the provider, tolerates an id already deleted, and looks the id up when it has none", async () => {
    const client = v4();
    const [first, second, never] = [upsNumber(11), upsNumber(12), upsNumber(13)];
    const outcomes = await client.register([ups(first), ups(second)]);
    const idOf = (n: string) => (outcomes.find((o) => o.trackingNumber === n) as { providerTrackingId: string }).providerTrackingId;
    simulator.resetCalls();

    await client.stopTracking({ trackingNumber: first, carrierCode: "ups", providerTrackingId: idOf(first) });
    expect(simulator.trackings(apiKey).map((t) => t.trackingNumber)).toEqual([second]);
    await expect(client.stopTracking({ trackingNumber: first, carrierCode: "ups", providerTrackingId: idOf(first) })).resolves.toBeUndefined();
    expect(apiCalls().map((call) => [call.method, call.path, call.metaCode])).toEqual([
      ["DELETE", `/v4/trackings/delete/${idOf(first)}`, 200],
      ["DELETE", `/v4/trackings/delete/${idOf(first)}`, 4112],
    ]);

    simulator.resetCalls();
    await client.stopTracking({ trackingNumber: second, carrierCode: "ups", providerTrackingId: null });
    expect(simulator.trackings(apiKey)).toEqual([]);
    await client.stopTracking({ trackingNumber: never, carrierCode: "ups" });
    expect(apiCalls().map((call) => [call.method, call.path])).toEqual([
      ["GET", "/v4/trackings/get"],
      ["DELETE", `/v4/trackings/delete/${idOf(second)}`],
      ["GET", "/v4/trackings/get"],
    ]);
  });
});

describe(`TrackingMore error mapping over real HTTP on ${testDialect()}`, () => {
  it("401 → AuthenticationError", async () => {
    const error = await v4({ key: "tm-key-nobody-has-abcdefgh" }).register([ups(upsNumber(20))]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: "401", retryable: false });
  });

  it("4190 → QuotaExhaustedError", async () => {
    simulator.setCredits(apiKey, 0);
    const error = await v4().register([ups(upsNumber(21))]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect(error).toMatchObject({ code: "4190", retryable: false });
  });

  it.each([
    ["v4", { v4Other: 0 }],
    ["v2", { v2: 0 }],
  ] as const)("%s: a 429 pauses the whole account for 120 s; until then no call goes out", async (version, limits) => {
    const limited = await startSimulator({ rateLimits: { ...NO_LIMITS, ...limits } });
    limited.addAccount({ apiKey });
    const client = version === "v4" ? v4({ sim: limited }) : v2({ sim: limited });
    const accountKey = `trackingmore:client-test-${apiKey}`;

    const error = await client.fetch([{ trackingNumber: upsNumber(22), carrierCode: "ups" }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 120_000, retryable: true });
    expect(limited.calls.map((call) => call.httpStatus)).toEqual([429]);
    const row = await database.db.prisma.providerThrottle.findUniqueOrThrow({ where: { key: accountKey } });
    expect(Number(row.pausedUntilMs)).toBe(clock.now().getTime() + 120_000);

    // Any endpoint of the account waits: no HTTP call at all.
    clock.advance(60_000);
    const paused = await client.detectCarrier(upsNumber(23)).catch((caught: unknown) => caught);
    expect(paused).toBeInstanceOf(RateLimitedError);
    expect((paused as RateLimitedError).retryAfterMs).toBe(60_000);
    expect(limited.calls).toHaveLength(1);

    clock.advance(60_001);
    await expect(client.detectCarrier(upsNumber(23))).rejects.toBeInstanceOf(RateLimitedError);
    expect(limited.calls).toHaveLength(2);
  });

  it.each([
    [500, 511],
    [500, 513],
    [503, 503],
  ])("HTTP %i with meta %i → ServiceUnavailableError (retryable)", async (httpStatus, metaCode) => {
    simulator.injectFaults(1, { kind: "http", httpStatus, metaCode });
    const error = await v4().fetch([{ trackingNumber: upsNumber(24), carrierCode: "ups" }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ status: httpStatus, retryable: true });
    expect(apiCalls().map((call) => call.httpStatus)).toEqual([httpStatus]);
  });

  it("a provider that never answers → ServiceUnavailableError after the client's timeout", async () => {
    simulator.injectFaults(1, { kind: "timeout" });
    const error = await v4({ timeoutMs: 300 }).register([ups(upsNumber(25))]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toBe("trackingmore did not answer within 300 ms");
    expect(apiCalls().map((call) => call.httpStatus)).toEqual([0]);
  });
});

describe(`TrackingMore v2 client against the simulator on ${testDialect()}`, () => {
  async function rawCreateV2(trackingNumber: string) {
    const response = await fetch(`${simulator.url}/v2/trackings/post`, {
      method: "POST",
      headers: { "Trackingmore-Api-Key": apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ tracking_number: trackingNumber, carrier_code: "ups" }),
    });
    expect(((await response.json()) as { meta: { code: number } }).meta.code).toBe(200);
  }

  it("register maps the batch's trackings and errors (4016 already there, 4014, 4015)", async () => {
    const [fresh, existing, other] = [upsNumber(31), upsNumber(32), upsNumber(33)];
    await rawCreateV2(existing);
    simulator.resetCalls();
    const outcomes = await v2().register([ups(fresh, { orderName: "#2001", destinationCountry: "GB" }), ups(existing), ups("AB!CD"), ups(other, { carrierCode: "no-such-courier" })]);
    expect(apiCalls().map((call) => [call.path, call.httpStatus, call.metaCode])).toEqual([["/v2/trackings/batch", 200, 201]]);
    const byNumber = new Map(outcomes.map((outcome) => [outcome.trackingNumber, outcome]));
    expect(byNumber.get(fresh)).toEqual({ kind: "registered", trackingNumber: fresh, carrierCode: "ups", providerTrackingId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(byNumber.get(existing)).toEqual({ kind: "already_registered", trackingNumber: existing, carrierCode: "ups", providerTrackingId: null });
    expect(byNumber.get("AB!CD")).toMatchObject({ kind: "rejected", reason: "invalid_number", code: "4014" });
    expect(byNumber.get(other)).toMatchObject({ kind: "rejected", reason: "invalid_carrier", code: "4015" });
    const stored = simulator.trackings(apiKey).find((tracking) => tracking.trackingNumber === fresh)!;
    expect(stored.info).toMatchObject({ order_number: "#2001", tracking_destination_country: "gb" });
  });

  it.each([
    ["an unknown key (4001)", "unknown"],
    ["a deleted key (4002)", "deleted"],
  ])("HTTP 200 with %s → AuthenticationError", async (_label, which) => {
    if (which === "deleted") simulator.deleteKey(apiKey);
    const key = which === "deleted" ? apiKey : "tm-key-nobody-has-abcdefgh";
    const error = await v2({ key }).register([ups(upsNumber(34))]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 200, code: which === "deleted" ? "4002" : "4001" });
  });

  it("HTTP 200 with 4021 (quota) → QuotaExhaustedError", async () => {
    simulator.setCredits(apiKey, 0);
    const error = await v2().register([ups(upsNumber(35))]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect(error).toMatchObject({ status: 200, code: "4021" });
  });

  it("fetch asks GET /trackings/{carrier}/{number} for each number and skips the unknown ones (4017)", async () => {
    const [known, unknown] = [upsNumber(36), upsNumber(37)];
    await v2().register([ups(known)]);
    await simulator.advance(apiKey, known, "next");
    simulator.resetCalls();
    const observations = await v2().fetch([
      { trackingNumber: known, carrierCode: "ups" },
      { trackingNumber: unknown, carrierCode: "ups" },
    ]);
    expect(apiCalls().map((call) => [call.method, call.path, call.metaCode])).toEqual([
      ["GET", `/v2/trackings/ups/${known}`, 200],
      ["GET", `/v2/trackings/ups/${unknown}`, 4017],
    ]);
    expect(observations).toHaveLength(1);
    expect(observations[0]).toMatchObject({
      provider: "trackingmore",
      trackingNumber: known,
      carrierCode: "ups",
      providerTrackingId: simulator.trackings(apiKey)[0]!.id,
      status: "inforeceived",
      substatus: "label_created",
    });
    expect(observations[0]!.events.map((e) => e.description)).toEqual(["Shipper created a label, UPS has not received the package yet."]);
  });

  it("fetchUpdatedSince pages through the trackings changed since a time", async () => {
    const client = v2({ profile: { ...TRACKINGMORE_V2_PROFILE, listPageSize: 25 } });
    const numbers = Array.from({ length: 60 }, (_, i) => upsNumber(300 + i));
    await client.register(numbers.slice(0, 40).map((n) => ups(n)));
    await client.register(numbers.slice(40).map((n) => ups(n)));
    const createdAt = clock.now();
    simulator.resetCalls();

    const pages = [];
    for (let page: number | null = 1; page !== null; ) {
      const result = await client.fetchUpdatedSince(new Date(createdAt.getTime() - 60_000), page);
      pages.push(result);
      page = result.nextPage;
    }
    expect(pages.map((page) => [page.observations.length, page.nextPage])).toEqual([
      [25, 2],
      [25, 3],
      [10, null],
    ]);
    expect(pages.flatMap((page) => page.observations.map((o) => o.trackingNumber)).sort()).toEqual([...numbers].sort());
    const since = String(Math.floor((createdAt.getTime() - 60_000) / 1000));
    expect(apiCalls().map((call) => Object.fromEntries(new URLSearchParams(call.query)))).toEqual([
      { page: "1", limit: "25", update_time_min: since },
      { page: "2", limit: "25", update_time_min: since },
      { page: "3", limit: "25", update_time_min: since },
    ]);

    // Later, only what changed after the given time comes back.
    clock.advance(10 * 60_000);
    const later = clock.now();
    for (const number of numbers.slice(0, 3)) await simulator.advance(apiKey, number, "next");
    const changed = await client.fetchUpdatedSince(later, 1);
    expect(changed.nextPage).toBeNull();
    expect(changed.observations.map((o) => [o.trackingNumber, o.status]).sort()).toEqual(numbers.slice(0, 3).map((n) => [n, "inforeceived"]).sort());
  });

  it("detectCarrier answers codes, [] on 4032; stopTracking deletes and tolerates 4017", async () => {
    const client = v2();
    expect(await client.detectCarrier(upsNumber(40))).toEqual(["ups"]);
    expect(await client.detectCarrier("ZZZZ12345")).toEqual([]);
    const number = upsNumber(41);
    await client.register([ups(number)]);
    await client.stopTracking({ trackingNumber: number, carrierCode: "ups" });
    expect(simulator.trackings(apiKey)).toEqual([]);
    await expect(client.stopTracking({ trackingNumber: number, carrierCode: "ups" })).resolves.toBeUndefined();
    expect(apiCalls().map((call) => [call.method, call.path, call.metaCode])).toEqual([
      ["POST", "/v2/carriers/detect", 200],
      ["POST", "/v2/carriers/detect", 4032],
      ["POST", "/v2/trackings/batch", 201],
      ["DELETE", `/v2/trackings/ups/${number}`, 200],
      ["DELETE", `/v2/trackings/ups/${number}`, 4017],
    ]);
  });
});
