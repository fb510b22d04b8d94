import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTracktrySimulator, type TracktrySimulator, type TracktrySimulatorOptions } from "../../simulators/tracktry";
import { TRACKINGMORE_SUBSTATUSES } from "~/adapters/trackingmore/status-codes";
import { V2FamilyProvider, type V2FamilyProfile } from "~/adapters/trackingmore/v2-family-client.server";
import { TRACKTRY_PROFILE } from "~/adapters/tracktry/profile";
import { AuthenticationError, QuotaExhaustedError, RateLimitedError, ServiceUnavailableError } from "~/domain/errors";
import type { TrackingRegistration } from "~/domain/ports";
import { ProviderThrottle } from "~/lib/provider-throttle.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { upsNumber } from "../support/factories";

// The client spaces requests with the test clock, so they reach the simulator back to back: its real-time limit is off
// except in the 429 test.
const NO_LIMITS = { perKey: Infinity, realtime: Infinity };
const QUOTA_MESSAGE = "Your balance is not enough, please recharge in time, free account can add up to 500 single numbers per month.";

let database: TestDatabase;
let clock: TestClock;
let throttle: ProviderThrottle;
let simulator: TracktrySimulator;
let apiKey: string;
let keyCounter = 0;
const started: TracktrySimulator[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

async function startSimulator(options: TracktrySimulatorOptions = {}) {
  const sim = await startTracktrySimulator({ rateLimits: NO_LIMITS, now: () => clock.now(), ...options });
  started.push(sim);
  return sim;
}

beforeEach(async () => {
  clock = new TestClock(new Date());
  // The real throttle over the test database; waiting for a slot moves the test clock instead of real time.
  throttle = new ProviderThrottle(database.db, clock, { maxWaitMs: 5_000, sleep: async (ms) => clock.advance(ms) });
  simulator = await startSimulator();
  apiKey = `tracktry-client-key-${++keyCounter}-abcdefgh`;
  simulator.addAccount({ apiKey });
});

afterEach(async () => {
  for (const sim of started.splice(0)) await sim.close();
});

function client(options: { key?: string; sim?: TracktrySimulator; profile?: V2FamilyProfile; timeoutMs?: number } = {}) {
  const key = options.key ?? apiKey;
  return new V2FamilyProvider(options.profile ?? TRACKTRY_PROFILE, {
    baseUrl: (options.sim ?? simulator).url,
    apiKey: key,
    accountKey: `tracktry:client-test-${key}`,
    throttle,
    clock,
    timeoutMs: options.timeoutMs ?? 5_000,
    rateLimitPauseMs: 120_000,
  });
}

const ups = (trackingNumber: string, extra: Partial<TrackingRegistration> = {}): TrackingRegistration => ({ trackingNumber, carrierCode: "ups", ...extra });

function apiCalls(sim: TracktrySimulator = simulator) {
  return sim.calls.filter((call) => call.api !== "control");
}

async function rawPost(trackingNumber: string) {
  const response = await fetch(`${simulator.url}/v1/trackings/post`, {
    method: "POST",
    headers: { "Tracktry-Api-Key": apiKey, "Content-Type": "application/json" },
    body: JSON.stringify({ tracking_number: trackingNumber, carrier_code: "ups" }),
  });
  expect(((await response.json()) as { meta: { code: number } }).meta.code).toBe(200);
}

describe(`Tracktry through the v2-family client against the simulator on ${testDialect()}`, () => {
  it("register maps the batch: registered (32-hex id), already registered (4016), rejected with a reason (4014, 4015)", async () => {
    const [fresh, existing, other] = [upsNumber(1), upsNumber(2), upsNumber(3)];
    await rawPost(existing);
    simulator.resetCalls();

    const outcomes = await client().register([ups(fresh, { orderName: "#3001", destinationCountry: "DE" }), ups(existing), ups("AB!CD"), ups(other, { carrierCode: "no-such-courier" })]);
    // One batch call to /v1 with Tracktry's header (the simulator logs the key only from that header).
    expect(apiCalls().map((call) => [call.method, call.path, call.apiKey, call.httpStatus, call.metaCode])).toEqual([["POST", "/v1/trackings/batch", apiKey, 200, 201]]);
    expect(outcomes).toHaveLength(4);
    const byNumber = new Map(outcomes.map((outcome) => [outcome.trackingNumber, outcome]));
    expect(byNumber.get(fresh)).toEqual({ kind: "registered", trackingNumber: fresh, carrierCode: "ups", providerTrackingId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(byNumber.get(existing)).toEqual({ kind: "already_registered", trackingNumber: existing, carrierCode: "ups", providerTrackingId: null });
    expect(byNumber.get("AB!CD")).toMatchObject({ kind: "rejected", reason: "invalid_number", code: "4014", message: "The value of `tracking_number` is invalid." });
    expect(byNumber.get(other)).toMatchObject({ kind: "rejected", carrierCode: "no-such-courier", reason: "invalid_carrier", code: "4015" });

    const stored = new Map(simulator.trackings(apiKey).map((tracking) => [tracking.trackingNumber, tracking]));
    expect(stored.get(fresh)!.id).toBe((byNumber.get(fresh) as { providerTrackingId: string }).providerTrackingId);
    expect(stored.get(fresh)!.info).toMatchObject({ order_number: "#3001", tracking_destination_country: "de" });
    expect([...stored.keys()].sort()).toEqual([existing, fresh].sort());

    expect(await client().register([])).toEqual([]);
    expect(apiCalls()).toHaveLength(1);
  });

  it("when the monthly quota runs out mid-batch, the rest are rejected as quota_exhausted (4019); the next batch throws QuotaExhaustedError", async () => {
    simulator.setQuota(apiKey, 2);
    const numbers = [upsNumber(10), upsNumber(11), upsNumber(12), upsNumber(14)];
    const outcomes = await client().register(numbers.map((n) => ups(n)));
    expect(outcomes.map((o) => [o.trackingNumber, o.kind])).toEqual([
      [numbers[0], "registered"],
      [numbers[1], "registered"],
      [numbers[2], "rejected"],
      [numbers[3], "rejected"],
    ]);
    for (const rejected of outcomes.slice(2)) {
      expect(rejected).toMatchObject({ kind: "rejected", reason: "quota_exhausted", code: "4019", message: QUOTA_MESSAGE });
    }
    expect(simulator.trackings(apiKey).map((t) => t.trackingNumber)).toEqual(numbers.slice(0, 2));

    const error = await client().register([ups(numbers[2]!)]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect(error).toMatchObject({ service: "tracktry", status: 200, code: "4019", retryable: false });
    expect(apiCalls().map((call) => call.metaCode)).toEqual([201, 4019]);
  });

  it("a new month refills the default 500-number quota", async () => {
    clock.set("2026-03-31T23:00:00Z");
    const sim = await startSimulator();
    sim.addAccount({ apiKey });
    sim.setQuota(apiKey, 0);
    await expect(client({ sim }).register([ups(upsNumber(20))])).rejects.toBeInstanceOf(QuotaExhaustedError);
    clock.set("2026-04-01T00:00:30Z");
    expect(await client({ sim }).register([ups(upsNumber(20))])).toMatchObject([{ kind: "registered" }]);
    expect(sim.accounts()).toEqual([{ apiKey, monthlyQuota: 500, remaining: 499, deleted: false }]);
  });

  it("fetchUpdatedSince pages through data.items of the trackings changed since a time", async () => {
    const paged = client({ profile: { ...TRACKTRY_PROFILE, listPageSize: 25 } });
    const numbers = Array.from({ length: 60 }, (_, i) => upsNumber(300 + i));
    await paged.register(numbers.slice(0, 40).map((n) => ups(n)));
    await paged.register(numbers.slice(40).map((n) => ups(n)));
    const createdAt = clock.now();
    simulator.resetCalls();

    const pages = [];
    for (let page: number | null = 1; page !== null; ) {
      const result = await paged.fetchUpdatedSince(new Date(createdAt.getTime() - 60_000), page);
      pages.push(result);
      page = result.nextPage;
    }
    expect(pages.map((page) => [page.observations.length, page.nextPage])).toEqual([
      [25, 2],
      [25, 3],
      [10, null],
    ]);
    expect(pages.flatMap((page) => page.observations.map((o) => o.trackingNumber)).sort()).toEqual([...numbers].sort());
    expect(pages.every((page) => page.observations.every((o) => o.provider === "tracktry" && o.status === "pending"))).toBe(true);
    expect(pages[0]!.latestUpdate).toBeInstanceOf(Date);
    const since = String(Math.floor((createdAt.getTime() - 60_000) / 1000));
    expect(apiCalls().map((call) => [call.path, Object.fromEntries(new URLSearchParams(call.query))])).toEqual([
      ["/v1/trackings/get", { page: "1", limit: "25", update_time_min: since }],
      ["/v1/trackings/get", { page: "2", limit: "25", update_time_min: since }],
      ["/v1/trackings/get", { page: "3", limit: "25", update_time_min: since }],
    ]);

    // Later, only what changed after the given time comes back, in one page of the profile's size.
    clock.advance(10 * 60_000);
    const later = clock.now();
    for (const number of numbers.slice(0, 3)) await simulator.advance(apiKey, number, "next");
    const changed = await client().fetchUpdatedSince(later, 1);
    expect(changed.nextPage).toBeNull();
    expect(changed.observations.map((o) => [o.trackingNumber, o.status, o.substatus]).sort()).toEqual(
      numbers.slice(0, 3).map((n) => [n, "inforeceived", "label_created"]).sort(),
    );
    expect(new URLSearchParams(apiCalls().at(-1)!.query).get("limit")).toBe("2000");
  });

  it("fetch asks GET /v1/trackings/{carrier}/{number} for each number and skips the unknown ones (4017)", async () => {
    const [known, unknown] = [upsNumber(36), upsNumber(38)];
    await client().register([ups(known)]);
    await simulator.advance(apiKey, known, "next");
    await simulator.advance(apiKey, known, "next");
    simulator.resetCalls();
    const observations = await client().fetch([
      { trackingNumber: known, carrierCode: "ups" },
      { trackingNumber: unknown, carrierCode: "ups" },
    ]);
    expect(apiCalls().map((call) => [call.method, call.path, call.metaCode])).toEqual([
      ["GET", `/v1/trackings/ups/${known}`, 200],
      ["GET", `/v1/trackings/ups/${unknown}`, 4017],
    ]);
    expect(observations).toHaveLength(1);
    expect(observations[0]).toMatchObject({
      provider: "tracktry",
      trackingNumber: known,
      carrierCode: "ups",
      providerTrackingId: simulator.trackings(apiKey)[0]!.id,
      status: "transit",
      substatus: "in_transit",
      rawStatus: "transit/transit001",
    });
    expect(observations[0]!.asOf).toBeInstanceOf(Date);
    expect(observations[0]!.events.map((e) => [e.status, e.description]).sort()).toEqual(
      [
        ["inforeceived", "Shipper created a label, UPS has not received the package yet."],
        ["transit", "Pickup Scan"],
      ].sort(),
    );
  });

  it("maps Tracktry's own exception substatuses: exception005 is returned_to_sender (TrackingMore's table would say other)", async () => {
    const [returned, customs, stale] = [upsNumber(40), upsNumber(41), upsNumber(42)];
    await client().register([returned, customs, stale].map((n) => ups(n)));
    await simulator.advance(apiKey, returned, "next");
    clock.advance(60_000);
    await simulator.advance(apiKey, returned, {
      status: "exception",
      substatus: "exception005",
      checkpoints: [{ at: clock.now(), description: "Returned to shipper", location: "LOUISVILLE, KY" }],
    });
    await simulator.advance(apiKey, customs, { status: "exception", substatus: "exception006" });
    await simulator.advance(apiKey, stale, { status: "exception", substatus: "exception001" });

    const numbers = [returned, customs, stale].map((n) => ({ trackingNumber: n, carrierCode: "ups" }));
    const byNumber = new Map((await client().fetch(numbers)).map((o) => [o.trackingNumber, o]));
    expect(byNumber.get(returned)).toMatchObject({ status: "exception", substatus: "returned_to_sender", rawStatus: "exception/exception005" });
    const newest = byNumber.get(returned)!.events.find((e) => e.description === "Returned to shipper");
    expect(newest).toMatchObject({ status: "exception", substatus: "returned_to_sender", location: "LOUISVILLE, KY" });
    expect(byNumber.get(customs)).toMatchObject({ status: "exception", substatus: "customs_hold" });
    expect(byNumber.get(stale)).toMatchObject({ status: "exception", substatus: "delayed" });

    // The same answer read with TrackingMore's table: the profile is what makes the difference.
    const withTrackingMoreTable = client({ profile: { ...TRACKTRY_PROFILE, substatuses: TRACKINGMORE_SUBSTATUSES } });
    expect(await withTrackingMoreTable.fetch([numbers[0]!])).toMatchObject([{ status: "exception", substatus: "other" }]);
  });

  it("detectCarrier answers codes, [] on 4032, and uses no quota; stopTracking deletes and tolerates 4017", async () => {
    simulator.setQuota(apiKey, 1);
    const tracktry = client();
    expect(await tracktry.detectCarrier(upsNumber(50))).toEqual(["ups"]);
    expect(await tracktry.detectCarrier("9400111206206406260787")).toEqual(["usps"]);
    expect(await tracktry.detectCarrier("ZZZZ12345")).toEqual([]);
    expect(simulator.accounts()[0]).toMatchObject({ remaining: 1 });
    const number = upsNumber(51);
    await tracktry.register([ups(number)]);
    await tracktry.stopTracking({ trackingNumber: number, carrierCode: "ups" });
    expect(simulator.trackings(apiKey)).toEqual([]);
    await expect(tracktry.stopTracking({ trackingNumber: number, carrierCode: "ups" })).resolves.toBeUndefined();
    expect(apiCalls().map((call) => [call.method, call.path, call.metaCode])).toEqual([
      ["POST", "/v1/carriers/detect", 200],
      ["POST", "/v1/carriers/detect", 200],
      ["POST", "/v1/carriers/detect", 4032],
      ["POST", "/v1/trackings/batch", 201],
      ["DELETE", `/v1/trackings/ups/${number}`, 200],
      ["DELETE", `/v1/trackings/ups/${number}`, 4017],
    ]);
  });
});

describe(`Tracktry error mapping over real HTTP on ${testDialect()}`, () => {
  it.each([
    ["an unknown key (4001)", "unknown", "4001"],
    ["a deleted key (4002)", "deleted", "4002"],
    ["the right key under TrackingMore's header (401)", "trackingmore-header", "401"],
  ])("HTTP 200 with %s → AuthenticationError, not retryable", async (_label, which, code) => {
    if (which === "deleted") simulator.deleteKey(apiKey);
    const tracktry =
      which === "unknown"
        ? client({ key: "tracktry-key-nobody-has-abcdefgh" })
        : which === "trackingmore-header"
          ? client({ profile: { ...TRACKTRY_PROFILE, apiKeyHeader: "Trackingmore-Api-Key" } })
          : client();
    const error = await tracktry.register([ups(upsNumber(60))]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ service: "tracktry", status: 200, code, retryable: false });
    expect(simulator.trackings(apiKey)).toEqual([]);
  });

  it("a 429 → RateLimitedError (retryable, retryAfterMs 120 s) and pauses the whole account; until then no call goes out", async () => {
    const limited = await startSimulator({ rateLimits: { perKey: 0 } });
    limited.addAccount({ apiKey });
    const tracktry = client({ sim: limited });
    const accountKey = `tracktry:client-test-${apiKey}`;

    const error = await tracktry.fetchUpdatedSince(clock.now(), 1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ service: "tracktry", status: 429, code: "429", retryAfterMs: 120_000, retryable: true });
    expect(limited.calls.map((call) => [call.path, call.httpStatus])).toEqual([["/v1/trackings/get", 429]]);
    const row = await database.db.prisma.providerThrottle.findUniqueOrThrow({ where: { key: accountKey } });
    expect(Number(row.pausedUntilMs)).toBe(clock.now().getTime() + 120_000);

    // Every endpoint of the account waits: no HTTP call at all.
    clock.advance(60_000);
    const paused = await tracktry.detectCarrier(upsNumber(61)).catch((caught: unknown) => caught);
    expect(paused).toBeInstanceOf(RateLimitedError);
    expect(paused).toMatchObject({ retryAfterMs: 60_000, retryable: true });
    expect(limited.calls).toHaveLength(1);

    clock.advance(60_001);
    await expect(tracktry.register([ups(upsNumber(62))])).rejects.toBeInstanceOf(RateLimitedError);
    expect(limited.calls.map((call) => [call.path, call.httpStatus])).toEqual([
      ["/v1/trackings/get", 429],
      ["/v1/trackings/batch", 429],
    ]);
    expect(limited.trackings(apiKey)).toEqual([]);
  });

  it.each([
    [500, 500],
    [503, 503],
  ])("HTTP %i with meta %i → ServiceUnavailableError (retryable)", async (httpStatus, metaCode) => {
    simulator.injectFaults(1, { kind: "http", httpStatus, metaCode });
    const error = await client().fetch([{ trackingNumber: upsNumber(63), carrierCode: "ups" }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ service: "tracktry", status: httpStatus, retryable: true });
  });

  it("a provider that never answers → ServiceUnavailableError after the client's timeout", async () => {
    simulator.injectFaults(1, { kind: "timeout" });
    const error = await client({ timeoutMs: 300 }).register([ups(upsNumber(64))]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toBe("tracktry did not answer within 300 ms");
    expect(apiCalls().map((call) => call.httpStatus)).toEqual([0]);
  });
});
