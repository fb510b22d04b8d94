import type { IncomingHttpHeaders } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readBody, startHttpServer, type RunningServer } from "../../simulators/lib/http-server";
import { CIE_EVENT_COUNT, CIE_TRACKING_NUMBERS, startUpsSimulator, type UpsCall, type UpsSimulator, type UpsSimulatorOptions } from "../../simulators/ups";
import { UPS_SUBSCRIPTION_DAYS, UpsTrackAlertProvider } from "~/adapters/ups/client.server";
import { UpsTokenSource } from "~/adapters/ups/oauth.server";
import {
  AuthenticationError,
  BadResponseError,
  BatchTooLargeError,
  ExternalServiceError,
  InvalidRequestError,
  RateLimitedError,
  ServiceUnavailableError,
} from "~/domain/errors";
import type { TrackedNumber, TrackingRegistration } from "~/domain/ports";
import { chooseProvider, providerSupports } from "~/domain/routing";
import { decideFailure } from "~/jobs/retry-policy";
import { ProviderThrottle } from "~/lib/provider-throttle.server";
import { buildTrackingProvider, connectProvider, loadProviderAccount, upsWebhookUrl } from "~/services/provider-accounts.server";
import { ensureShop } from "~/services/shops.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { upsNumber } from "../support/factories";
import { createTestServices } from "../support/services";

/**
 * The real UPS adapter (token source, Track Alert subscriptions, Track API) against the UPS
 * simulator on loopback. The simulator, the adapter and the throttle share one test clock.
 */

// Fixture numbers with valid check digits (reference F.6); Roadie 1R numbers have no check digit.
const UPS_FIXTURE = "1Z999AA10123456784";
const [CIE_1, CIE_2] = CIE_TRACKING_NUMBERS as [string, string];
const ROADIE = "1RAB12CD34EF56GH";
const USPS = "9400111206206406260787";
const FEDEX = "986578788855";
const DHL = "3318810025";

const DAY_MS = 24 * 60 * 60_000;
const TOKEN_LIFETIME_MS = 14_399_000;
const DESTINATION = { url: "https://tracklight.test/webhooks/ups/shop-token-abc", credential: "whcred-0123456789abcdef0123456789abcdef0123456" };

let database: TestDatabase;
let clock: TestClock;
let throttle: ProviderThrottle;
let simulator: UpsSimulator;
let client: { clientId: string; clientSecret: string };
let counter = 0;
const running: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

async function startSimulator(options: UpsSimulatorOptions = {}): Promise<UpsSimulator> {
  const sim = await startUpsSimulator({ now: () => clock.now(), ...options });
  running.push(sim);
  return sim;
}

beforeEach(async () => {
  clock = new TestClock("2026-11-24T12:00:00.000Z");
  // The real throttle over the test database; waiting for a slot moves the test clock instead of real time.
  throttle = new ProviderThrottle(database.db, clock, { maxWaitMs: 30_000, sleep: async (ms) => clock.advance(ms) });
  simulator = await startSimulator();
  client = { clientId: `tracklight-app-${++counter}`, clientSecret: `s3cret-value-${counter}` };
  simulator.addClient(client);
});

afterEach(async () => {
  for (const server of running.splice(0).reverse()) await server.close();
});

function build(options: { sim?: UpsSimulator; baseUrl?: string; timeoutMs?: number; credentials?: { clientId: string; clientSecret: string } } = {}) {
  const baseUrl = options.baseUrl ?? (options.sim ?? simulator).url;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const credentials = options.credentials ?? client;
  const tokens = new UpsTokenSource({ baseUrl, ...credentials, clock, timeoutMs });
  const provider = new UpsTrackAlertProvider({ baseUrl, tokens, accountKey: `ups:client-test-${++counter}`, throttle, clock, timeoutMs, destination: DESTINATION });
  return { provider, tokens };
}

const ups = (trackingNumber: string): TrackingRegistration => ({ trackingNumber, carrierCode: "ups" });
const tracked = (trackingNumber: string): TrackedNumber => ({ trackingNumber, carrierCode: "ups" });
const minutesAgo = (minutes: number) => new Date(clock.now().getTime() - minutes * 60_000);

function apiCalls(sim: UpsSimulator = simulator): UpsCall[] {
  return sim.calls.filter((call) => call.api !== "control");
}
function callSummary(sim: UpsSimulator = simulator) {
  return apiCalls(sim).map((call) => [call.api, call.httpStatus, call.errorCode]);
}

/** A package the Track API knows, on its way. */
function knownPackage(trackingNumber: string): void {
  simulator.setPackage(trackingNumber, { activities: [{ at: minutesAgo(120), status: "manifest" }, { at: minutesAgo(60), status: "pickup" }] });
}

async function caught(promise: Promise<unknown>): Promise<ExternalServiceError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ExternalServiceError);
  return error as ExternalServiceError;
}

interface Recorded {
  method: string;
  /** Path with the query string. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Answer {
  status: number;
  body: string;
  contentType?: string;
}

/**
 * A loopback hop in front of the simulator: it records what the adapter sends and can replace an
 * answer (UPS responses the simulator never produces: partial success, gateway garbage).
 */
async function startFront(sim: UpsSimulator, edit?: (request: Recorded, upstream: () => Promise<Answer>) => Promise<Answer>) {
  const requests: Recorded[] = [];
  const server: RunningServer = await startHttpServer(async (req, res) => {
    const body = (await readBody(req)).toString("utf8");
    const request: Recorded = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body };
    requests.push(request);
    const upstream = async (): Promise<Answer> => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && !["host", "content-length", "connection"].includes(name)) headers[name] = value;
      }
      const response = await fetch(`${sim.url}${request.url}`, { method: request.method, headers, ...(request.method === "GET" ? {} : { body }) });
      return { status: response.status, body: await response.text(), contentType: response.headers.get("content-type") ?? undefined };
    };
    const answer = edit ? await edit(request, upstream) : await upstream();
    res.writeHead(answer.status, { "content-type": answer.contentType ?? "application/json" });
    res.end(answer.body);
  });
  running.push(server);
  return { url: server.url, requests };
}

describe(`UPS OAuth client credentials against the simulator on ${testDialect()}`, () => {
  it("caches the token (expires_in is a string) until shortly before it expires, then renews it before UPS would refuse it", async () => {
    const number = upsNumber(1);
    knownPackage(number);
    const { provider } = build();
    const issuedAt = clock.now().getTime();
    // 30 calls spread over the token's life up to five minutes before its end: one token.
    const lastCachedMs = TOKEN_LIFETIME_MS - 5 * 60_000 - 1_000;
    for (let i = 0; i < 30; i++) {
      clock.set(new Date(issuedAt + Math.floor((i * lastCachedMs) / 29)));
      expect(await provider.fetch([tracked(number)])).toHaveLength(1);
    }
    expect(simulator.tokensIssued(client.clientId)).toBe(1);

    // A second before UPS's expiry the old token would still work, but we renew first.
    clock.set(new Date(issuedAt + TOKEN_LIFETIME_MS - 1_000));
    expect(await provider.fetch([tracked(number)])).toHaveLength(1);
    expect(simulator.tokensIssued(client.clientId)).toBe(2);
    // Renewed ahead of time: UPS never had to refuse a token.
    expect(apiCalls().filter((call) => call.httpStatus === 401)).toEqual([]);
    expect(apiCalls().filter((call) => call.api === "oauth")).toHaveLength(2);
  });

  it("caches a short-lived token too, instead of requesting one per call", async () => {
    simulator = await startSimulator({ tokenLifetimeSeconds: 120 });
    simulator.addClient(client);
    const number = upsNumber(2);
    knownPackage(number);
    const { provider } = build();
    const issuedAt = clock.now().getTime();
    for (const seconds of [0, 20, 40, 60]) {
      clock.set(new Date(issuedAt + seconds * 1000));
      expect(await provider.fetch([tracked(number)])).toHaveLength(1);
    }
    expect(simulator.tokensIssued(client.clientId)).toBe(1);
    clock.set(new Date(issuedAt + 119_000));
    expect(await provider.fetch([tracked(number)])).toHaveLength(1);
    expect(simulator.tokensIssued(client.clientId)).toBe(2);
    expect(apiCalls().filter((call) => call.httpStatus === 401)).toEqual([]);
  });

  it("20 concurrent calls that need a token share one token request, also when UPS expired the token they all hold", async () => {
    const numbers = Array.from({ length: 20 }, (_, i) => upsNumber(100 + i));
    numbers.forEach(knownPackage);
    const { provider, tokens } = build();

    const first = await Promise.all(numbers.map((number) => provider.fetch([tracked(number)])));
    expect(first.map((observations) => observations.map((o) => o.trackingNumber))).toEqual(numbers.map((number) => [number]));
    expect(simulator.tokensIssued(client.clientId)).toBe(1);
    expect(tokens.requests).toBe(1);
    expect(apiCalls().filter((call) => call.api === "oauth")).toHaveLength(1);
    expect(apiCalls().filter((call) => call.api === "track" && call.httpStatus === 200)).toHaveLength(20);

    // UPS expires the token we still consider fresh: the callers that get 401 251004 refresh once between them.
    simulator.expireTokens(client.clientId);
    simulator.resetCalls();
    const second = await Promise.all(numbers.map((number) => provider.fetch([tracked(number)])));
    expect(second.every((observations) => observations.length === 1)).toBe(true);
    expect(simulator.tokensIssued(client.clientId)).toBe(2);
    expect(apiCalls().filter((call) => call.api === "oauth")).toEqual([expect.objectContaining({ httpStatus: 200 })]);
    const track = apiCalls().filter((call) => call.api === "track");
    expect(track.filter((call) => call.httpStatus === 200)).toHaveLength(20);
    const refused = track.filter((call) => call.httpStatus !== 200);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((call) => call.httpStatus === 401 && call.errorCode === "251004")).toBe(true);
  });

  it("a 401 251004 (token expired) gets one new token and one retry, which succeeds", async () => {
    const number = upsNumber(3);
    knownPackage(number);
    const { provider } = build();
    await provider.fetch([tracked(number)]);
    simulator.expireTokens(client.clientId);
    simulator.resetCalls();

    expect(await provider.fetch([tracked(number)])).toEqual([expect.objectContaining({ trackingNumber: number, status: "transit" })]);
    expect(callSummary()).toEqual([
      ["track", 401, "251004"],
      ["oauth", 200, null],
      ["track", 200, null],
    ]);
    expect(simulator.tokensIssued(client.clientId)).toBe(2);

    // Same for a subscription.
    simulator.expireTokens(client.clientId);
    simulator.resetCalls();
    expect(await provider.register([ups(number)])).toEqual([expect.objectContaining({ kind: "registered", trackingNumber: number })]);
    expect(callSummary()).toEqual([
      ["trackalert", 401, "251004"],
      ["oauth", 200, null],
      ["trackalert", 200, null],
    ]);
  });

  it("a 401 250002 (token unknown to UPS: the client was revoked and reinstated) gets one new token and one retry", async () => {
    const number = upsNumber(4);
    knownPackage(number);
    const { provider } = build();
    await provider.fetch([tracked(number)]);
    simulator.revokeClient(client.clientId);
    simulator.addClient(client);
    simulator.resetCalls();

    expect(await provider.fetch([tracked(number)])).toHaveLength(1);
    expect(callSummary()).toEqual([
      ["track", 401, "250002"],
      ["oauth", 200, null],
      ["track", 200, null],
    ]);
  });

  it("a revoked client gives a non-retryable AuthenticationError after one token attempt, with no loop", async () => {
    const number = upsNumber(5);
    knownPackage(number);
    const { provider } = build();
    await provider.fetch([tracked(number)]);
    simulator.revokeClient(client.clientId);
    simulator.resetCalls();

    const error = await caught(provider.fetch([tracked(number)]));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ retryable: false, service: "ups", status: 401, code: "250003" });
    expect(decideFailure(error, 1, 5)).toMatchObject({ kind: "dead" });
    expect(callSummary()).toEqual([
      ["track", 401, "250002"],
      ["oauth", 401, "250003"],
    ]);

    // The next job asks for a token once and stops there.
    simulator.resetCalls();
    const again = await caught(provider.register([ups(number)]));
    expect(again).toBeInstanceOf(AuthenticationError);
    expect(callSummary()).toEqual([["oauth", 401, "250003"]]);

    // Wrong secret from the start: the same.
    const { provider: wrong } = build({ credentials: { clientId: client.clientId, clientSecret: "not-the-secret" } });
    simulator.addClient(client);
    simulator.resetCalls();
    expect(await caught(wrong.fetch([tracked(number)]))).toBeInstanceOf(AuthenticationError);
    expect(callSummary()).toEqual([["oauth", 401, "250003"]]);
  });

  it("a second 401 after the refresh is not retried again", async () => {
    const number = upsNumber(6);
    knownPackage(number);
    const { provider } = build();
    await provider.fetch([tracked(number)]);
    simulator.resetCalls();
    simulator.injectFaults(2, { kind: "http", httpStatus: 401, code: "251004", api: "track" });

    const error = await caught(provider.fetch([tracked(number)]));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.retryable).toBe(false);
    expect(callSummary()).toEqual([
      ["track", 401, "251004"],
      ["oauth", 200, null],
      ["track", 401, "251004"],
    ]);
  });

  it("token endpoint failures are typed: 429 rate limited (retry after a pause), 5xx retryable, garbage retryable", async () => {
    const number = upsNumber(7);
    knownPackage(number);
    const { provider } = build();

    simulator.injectFaults(1, { kind: "http", httpStatus: 429, code: "429", api: "oauth" });
    const limited = await caught(provider.fetch([tracked(number)]));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 60_000, status: 429 });
    expect(decideFailure(limited, 1, 5)).toEqual({ kind: "retry", delayMs: 60_000, consumesAttempt: false });

    simulator.injectFaults(1, { kind: "http", httpStatus: 500, code: "10004", api: "oauth" });
    const down = await caught(provider.fetch([tracked(number)]));
    expect(down).toBeInstanceOf(ServiceUnavailableError);
    expect(down).toMatchObject({ retryable: true, status: 500 });

    // A 200 without a token (here UPS's error envelope) is no token.
    simulator.injectFaults(1, { kind: "http", httpStatus: 200, code: "10004", api: "oauth" });
    const garbage = await caught(provider.fetch([tracked(number)]));
    expect(garbage).toBeInstanceOf(ServiceUnavailableError);
    expect(garbage.retryable).toBe(true);

    // None of them cached anything: the next call gets a token and succeeds.
    expect(simulator.tokensIssued(client.clientId)).toBe(0);
    expect(await provider.fetch([tracked(number)])).toHaveLength(1);
    expect(simulator.tokensIssued(client.clientId)).toBe(1);
    expect(apiCalls().filter((call) => call.api === "track")).toHaveLength(1);
  });
});

describe(`UPS Track Alert subscriptions against the simulator on ${testDialect()}`, () => {
  it("POSTs the documented request and answers registered outcomes that lapse 14 days after the injected clock", async () => {
    const front = await startFront(simulator);
    const { provider } = build({ baseUrl: front.url });
    const subscribedAt = clock.now();

    const outcomes = await provider.register([ups(UPS_FIXTURE), ups(ROADIE), ups(upsNumber(10))]);
    const expiresAt = new Date(subscribedAt.getTime() + 14 * DAY_MS);
    expect(UPS_SUBSCRIPTION_DAYS).toBe(14);
    expect(outcomes).toEqual(
      [UPS_FIXTURE, ROADIE, upsNumber(10)].map((trackingNumber) => ({ kind: "registered", trackingNumber, carrierCode: "ups", providerTrackingId: null, subscriptionExpiresAt: expiresAt })),
    );

    const posts = front.requests.filter((request) => request.url.startsWith("/api/track/"));
    expect(posts).toHaveLength(1);
    const [post] = posts as [Recorded];
    expect(post.method).toBe("POST");
    expect(post.url).toBe("/api/track/v1/subscription/standard/package");
    expect(post.headers.transid).toMatch(/^[0-9a-f]{32}$/);
    expect(post.headers.transactionsrc).toBe("tracklight");
    expect(post.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(post.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(post.body)).toEqual({
      locale: "en_US",
      countryCode: "US",
      trackingNumberList: [UPS_FIXTURE, ROADIE, upsNumber(10)],
      destination: { url: DESTINATION.url, credentialType: "Bearer", credential: DESTINATION.credential },
    });

    // UPS holds the subscriptions with our destination, for the same 14 days.
    expect(simulator.subscriptions().map((s) => ({ trackingNumber: s.trackingNumber, url: s.url, credential: s.credential, credentialType: s.credentialType, expiresAt: s.expiresAt }))).toEqual(
      [UPS_FIXTURE, ROADIE, upsNumber(10)].map((trackingNumber) => ({ trackingNumber, url: DESTINATION.url, credential: DESTINATION.credential, credentialType: "Bearer", expiresAt })),
    );
    // The token request is the documented client-credentials form.
    const [tokenRequest] = front.requests.filter((request) => request.url === "/security/v1/oauth/token") as [Recorded];
    expect(tokenRequest.method).toBe("POST");
    expect(tokenRequest.headers.authorization).toBe(`Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`);
    expect(tokenRequest.body).toBe("grant_type=client_credentials");

    // Renewing later restarts the 14 days from the clock of the renewal.
    clock.advance(10 * DAY_MS);
    const [renewed] = await provider.register([ups(UPS_FIXTURE)]);
    expect(renewed).toMatchObject({ kind: "registered", subscriptionExpiresAt: new Date(subscribedAt.getTime() + 24 * DAY_MS) });
    expect(simulator.subscriptions().find((s) => s.trackingNumber === UPS_FIXTURE)!.expiresAt).toEqual(new Date(subscribedAt.getTime() + 24 * DAY_MS));
    // Every request carries its own transaction id.
    const transIds = apiCalls().filter((call) => call.api === "trackalert").map((call) => call.transId);
    expect(new Set(transIds).size).toBe(2);
  });

  it("sends at most 100 numbers per request: 250 numbers are 3 requests of 100, 100 and 50", async () => {
    const front = await startFront(simulator);
    const { provider } = build({ baseUrl: front.url });
    const numbers = Array.from({ length: 250 }, (_, i) => upsNumber(1_000 + i));

    const outcomes = await provider.register(numbers.map(ups));
    expect(outcomes.map((o) => [o.kind, o.trackingNumber])).toEqual(numbers.map((n) => ["registered", n]));
    const subscriptionCalls = apiCalls().filter((call) => call.api === "trackalert");
    expect(subscriptionCalls.map((call) => call.httpStatus)).toEqual([200, 200, 200]);
    const sent = front.requests.filter((request) => request.url.startsWith("/api/track/")).map((request) => (JSON.parse(request.body) as { trackingNumberList: string[] }).trackingNumberList);
    expect(sent.map((list) => list.length)).toEqual([100, 100, 50]);
    expect(sent.flat()).toEqual(numbers);
    expect(simulator.subscriptions()).toHaveLength(250);
  });

  it("numbers UPS lists in invalidTrackingNumbers (a documented partial success) are rejected with the reason; the valid ones are registered", async () => {
    const [good, refused] = [upsNumber(20), upsNumber(21)];
    // UPS may refuse a number the simulator accepts; the answer is otherwise UPS's own (padded numbers included).
    const front = await startFront(simulator, async (request, upstream) => {
      if (!request.url.startsWith("/api/track/v1/subscription")) return upstream();
      await upstream();
      return { status: 200, body: JSON.stringify({ validTrackingNumbers: [` ${good} `], invalidTrackingNumbers: [refused] }) };
    });
    const { provider } = build({ baseUrl: front.url });

    const outcomes = await provider.register([ups(good), ups(refused)]);
    expect(outcomes).toEqual([
      { kind: "registered", trackingNumber: good, carrierCode: "ups", providerTrackingId: null, subscriptionExpiresAt: new Date(clock.now().getTime() + 14 * DAY_MS) },
      { kind: "rejected", trackingNumber: refused, carrierCode: "ups", reason: "invalid_number", code: "invalidTrackingNumbers", message: expect.stringContaining("invalidTrackingNumbers") },
    ]);
  });

  it("400 VSS210 (no valid number) rejects every number with UPS's code and message", async () => {
    const { provider } = build();
    simulator.injectFaults(1, { kind: "http", httpStatus: 400, code: "VSS210", api: "trackalert" });
    const outcomes = await provider.register([ups(upsNumber(30)), ups(upsNumber(31))]);
    expect(outcomes).toEqual(
      [upsNumber(30), upsNumber(31)].map((trackingNumber) => ({
        kind: "rejected",
        trackingNumber,
        carrierCode: "ups",
        reason: "invalid_number",
        code: "VSS210",
        message: expect.stringContaining("should have at least one valid tracking number"),
      })),
    );
  });

  it("CIE: VSS215 for non-CIE numbers is handled per number, and the CIE numbers are still subscribed", async () => {
    const received: Array<{ credential: string | undefined; trackingNumber: string }> = [];
    const receiver = await startHttpServer(async (req, res) => {
      const body = JSON.parse((await readBody(req)).toString("utf8")) as { trackingNumber: string };
      received.push({ credential: req.headers.credential as string | undefined, trackingNumber: body.trackingNumber.trim() });
      res.writeHead(200).end();
    });
    running.push(receiver);
    const cie = await startSimulator({ environment: "cie", cieEventSpacingMs: 1 });
    cie.addClient(client);
    const baseUrl = cie.url;
    const tokens = new UpsTokenSource({ baseUrl, ...client, clock, timeoutMs: 5_000 });
    const provider = new UpsTrackAlertProvider({
      baseUrl,
      tokens,
      accountKey: `ups:cie-test-${++counter}`,
      throttle,
      clock,
      timeoutMs: 5_000,
      destination: { url: `${receiver.url}/webhooks/ups/cie`, credential: DESTINATION.credential },
    });

    const outcomes = await provider.register([ups(CIE_1), ups(upsNumber(40)), ups(CIE_2), ups(UPS_FIXTURE)]);
    expect(outcomes.map((o) => [o.trackingNumber, o.kind, o.kind === "rejected" ? o.code : null])).toEqual([
      [CIE_1, "registered", null],
      [upsNumber(40), "rejected", "VSS215"],
      [CIE_2, "registered", null],
      [UPS_FIXTURE, "rejected", "VSS215"],
    ]);
    const rejected = outcomes.find((o) => o.trackingNumber === upsNumber(40));
    expect(rejected).toMatchObject({ reason: "invalid_number", message: expect.stringContaining("not a valid CIE tracking number") });
    expect(callSummary(cie).filter(([api]) => api === "trackalert")).toEqual([
      ["trackalert", 400, "VSS215"],
      ["trackalert", 200, null],
      ["trackalert", 400, "VSS215"],
      ["trackalert", 200, null],
      ["trackalert", 400, "VSS215"],
    ]);

    // CIE plays its test events for the accepted numbers only, to our destination with our credential.
    await cie.whenDeliveriesIdle();
    expect(received.filter((r) => r.trackingNumber === CIE_1)).toHaveLength(CIE_EVENT_COUNT);
    expect(received.filter((r) => r.trackingNumber === CIE_2)).toHaveLength(CIE_EVENT_COUNT);
    expect(received).toHaveLength(2 * CIE_EVENT_COUNT);
    expect(received.every((r) => r.credential === DESTINATION.credential)).toBe(true);
  });

  it("numbers that are not 1Z/1R never reach UPS; routing agrees", async () => {
    const front = await startFront(simulator);
    const { provider } = build({ baseUrl: front.url });
    // Other carriers' numbers, and UPS numbers not in the exact shape Track Alert accepts (case, padding, length).
    const foreign = [USPS, FEDEX, DHL, UPS_FIXTURE.toLowerCase(), ` ${UPS_FIXTURE}`, `${UPS_FIXTURE}\n`, UPS_FIXTURE.slice(0, -1)];

    const onlyForeign = await provider.register(foreign.map(ups));
    expect(onlyForeign).toEqual(
      foreign.map((trackingNumber) => ({ kind: "rejected", trackingNumber, carrierCode: "ups", reason: "invalid_number", code: "NOT_UPS", message: expect.any(String) })),
    );
    // Not even a token was requested.
    expect(front.requests).toEqual([]);
    expect(simulator.tokensIssued(client.clientId)).toBe(0);

    const mixed = await provider.register([ups(USPS), ups(UPS_FIXTURE), ups(FEDEX), ups(ROADIE)]);
    expect(mixed.map((o) => [o.trackingNumber, o.kind])).toEqual([
      [USPS, "rejected"],
      [FEDEX, "rejected"],
      [UPS_FIXTURE, "registered"],
      [ROADIE, "registered"],
    ]);
    const sent = front.requests.filter((request) => request.url.startsWith("/api/track/")).map((request) => (JSON.parse(request.body) as { trackingNumberList: string[] }).trackingNumberList);
    expect(sent).toEqual([[UPS_FIXTURE, ROADIE]]);

    // The router never sends such numbers to UPS in the first place.
    const routing = { defaultProvider: "trackingmore" as const, byCarrier: { ups: "ups" as const, usps: "ups" as const } };
    const connected = new Set(["trackingmore", "ups"] as const);
    expect(providerSupports("ups", { trackingNumber: UPS_FIXTURE, carrierCode: "ups" })).toBe(true);
    expect(providerSupports("ups", { trackingNumber: ROADIE, carrierCode: "ups" })).toBe(true);
    expect(providerSupports("ups", { trackingNumber: upsNumber(50), carrierCode: "ups" })).toBe(true);
    for (const trackingNumber of foreign) expect(providerSupports("ups", { trackingNumber, carrierCode: "ups" })).toBe(false);
    expect(providerSupports("ups", { trackingNumber: UPS_FIXTURE, carrierCode: "usps" })).toBe(false);
    expect(providerSupports("ups", { trackingNumber: UPS_FIXTURE, carrierCode: null })).toBe(false);
    expect(chooseProvider(routing, { trackingNumber: UPS_FIXTURE, carrierCode: "ups" }, connected)).toBe("ups");
    // A UPS shipment under a number of another shape (SurePost's USPS leg) goes to the default provider.
    expect(chooseProvider(routing, { trackingNumber: USPS, carrierCode: "ups" }, connected)).toBe("trackingmore");
    expect(chooseProvider(routing, { trackingNumber: USPS, carrierCode: "usps" }, connected)).toBe("trackingmore");
    expect(await provider.detectCarrier(UPS_FIXTURE)).toEqual(["ups"]);
    expect(await provider.detectCarrier(USPS)).toEqual([]);
  });

  it("other refusals are typed: VSS220 batch too large, VSS300 invalid request, 403 blocked merchant", async () => {
    const { provider } = build();
    simulator.injectFaults(1, { kind: "http", httpStatus: 400, code: "VSS220", api: "trackalert" });
    const tooLarge = await caught(provider.register([ups(upsNumber(60))]));
    expect(tooLarge).toBeInstanceOf(BatchTooLargeError);

    simulator.injectFaults(1, { kind: "http", httpStatus: 400, code: "VSS300", api: "trackalert" });
    const invalid = await caught(provider.register([ups(upsNumber(60))]));
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect(invalid).toMatchObject({ retryable: false, status: 400, code: "VSS300" });

    simulator.injectFaults(1, { kind: "http", httpStatus: 403, code: "250001", message: "Blocked Merchant", api: "trackalert" });
    const blocked = await caught(provider.register([ups(upsNumber(60))]));
    expect(blocked).toBeInstanceOf(AuthenticationError);
    expect(blocked.retryable).toBe(false);
  });
});

describe(`UPS Track API against the simulator on ${testDialect()}`, () => {
  it("maps each activity type to our statuses, with UPS's times, the delivery and the estimate", async () => {
    const t = (iso: string) => new Date(iso);
    const charlotte = { city: "CHARLOTTE", stateProvince: "NC", postalCode: "28209", country: "US" };
    const wayne = { city: "Wayne", stateProvince: "NJ", postalCode: "07470", country: "US" };
    const manifested = { at: t("2026-11-22T13:05:00Z"), status: "manifest" as const, location: wayne };
    const picked = { at: t("2026-11-22T21:30:00Z"), status: "pickup" as const, location: wayne };
    const moving = { at: t("2026-11-23T07:47:00Z"), status: "in_transit" as const, location: wayne };
    const outForDelivery = { at: t("2026-11-24T12:10:00Z"), status: "out_for_delivery" as const, location: charlotte };
    const numbers = {
      manifest: upsNumber(70),
      void: upsNumber(71),
      transit: upsNumber(72),
      out: upsNumber(73),
      delivered: upsNumber(74),
      exception: upsNumber(75),
      updated: upsNumber(76),
    };
    simulator.setPackage(numbers.manifest, { activities: [manifested] });
    simulator.setPackage(numbers.void, { activities: [manifested, { at: t("2026-11-22T15:00:00Z"), status: "manifest_void" }] });
    simulator.setPackage(numbers.transit, { activities: [manifested, picked, moving], scheduledDeliveryDate: "2026-11-26" });
    simulator.setPackage(numbers.out, { activities: [manifested, picked, moving, outForDelivery], scheduledDeliveryDate: "2026-11-24", deliveryWindow: { startTime: "14:00", endTime: "18:00" } });
    // Delivered at 09:50:04 local (-04:00), 13:50:04 GMT, as in UPS's documented event.
    const deliveredAt = t("2026-11-24T13:50:04Z");
    simulator.setPackage(numbers.delivered, {
      activities: [manifested, picked, moving, outForDelivery, { at: deliveredAt, status: "delivered", location: charlotte, utcOffsetMinutes: -240 }],
      scheduledDeliveryDate: "2026-11-24",
      deliveryLocation: "Front Door",
    });
    simulator.setPackage(numbers.exception, { activities: [manifested, picked, moving, { at: t("2026-11-24T08:00:00Z"), status: "exception", location: wayne }], scheduledDeliveryDate: "2026-11-25" });
    simulator.setPackage(numbers.updated, {
      activities: [manifested, picked, { at: t("2026-11-23T09:00:00Z"), status: "updated_delivery", location: wayne }],
      scheduledDeliveryDate: "2026-11-25",
      rescheduledDeliveryDate: "2026-11-27",
    });
    const { provider } = build();

    const observations = await provider.fetch(Object.values(numbers).map(tracked));
    const by = new Map(observations.map((o) => [o.trackingNumber, o]));
    expect(observations).toHaveLength(7);
    const summary = (n: string) => {
      const o = by.get(n)!;
      return { status: o.status, substatus: o.substatus, rawStatus: o.rawStatus };
    };
    expect(summary(numbers.manifest)).toEqual({ status: "inforeceived", substatus: "label_created", rawStatus: "M/MP" });
    expect(summary(numbers.void)).toEqual({ status: "exception", substatus: "manifest_voided", rawStatus: "MV" });
    expect(summary(numbers.transit)).toEqual({ status: "transit", substatus: "in_transit", rawStatus: "I/DP" });
    expect(summary(numbers.out)).toEqual({ status: "pickup", substatus: "out_for_delivery", rawStatus: "I/OT" });
    expect(summary(numbers.delivered)).toEqual({ status: "delivered", substatus: "delivered", rawStatus: "D/FS" });
    expect(summary(numbers.exception)).toEqual({ status: "exception", substatus: "other", rawStatus: "X" });
    // U changes the estimate only.
    expect(summary(numbers.updated)).toEqual({ status: null, substatus: null, rawStatus: "U" });

    for (const o of observations) {
      expect(o).toMatchObject({ provider: "ups", carrierCode: "ups", providerTrackingId: null });
      expect(o.events.every((event) => event.zoneKnown)).toBe(true);
      expect(o.asOf).toEqual(new Date(Math.max(...o.events.map((event) => event.occurredAt.getTime()))));
    }

    // Every activity, at its GMT instant (07:47:00 GMT comes as "74700"), with its place and its own status.
    const transit = by.get(numbers.transit)!;
    expect(transit.events.map((event) => [event.occurredAt, event.status, event.substatus, event.rawStatus])).toEqual([
      [moving.at, "transit", "in_transit", "I/DP"],
      [picked.at, "transit", "in_transit", "I/OR"],
      [manifested.at, "inforeceived", "label_created", "M/MP"],
    ]);
    expect(transit.events[0]).toMatchObject({ description: "On the Way", location: "Wayne, NJ, US", city: "Wayne", state: "NJ", countryCode: "US", postalCode: "07470" });
    expect(transit.estimatedDelivery).toEqual({ start: t("2026-11-26T00:00:00Z"), end: t("2026-11-26T23:00:00Z") });
    expect(transit.deliveredAt).toBeNull();

    expect(by.get(numbers.out)!.estimatedDelivery).toEqual({ start: t("2026-11-24T14:00:00Z"), end: t("2026-11-24T18:00:00Z") });

    // Delivered: the delivery instant and place.
    const delivered = by.get(numbers.delivered)!;
    expect(delivered.deliveredAt).toEqual(deliveredAt);
    expect(delivered.asOf).toEqual(deliveredAt);
    expect(delivered.events[0]).toEqual({
      occurredAt: deliveredAt,
      zoneKnown: true,
      status: "delivered",
      substatus: "delivered",
      description: "Delivered",
      location: "CHARLOTTE, NC, US",
      city: "CHARLOTTE",
      state: "NC",
      countryCode: "US",
      postalCode: "28209",
      rawStatus: "D/FS",
    });
    expect(delivered.events).toHaveLength(5);

    expect(by.get(numbers.void)!.events.map((event) => event.substatus)).toEqual(["manifest_voided", "label_created"]);
    expect(by.get(numbers.exception)!.events[0]).toMatchObject({ status: "exception", substatus: "other", occurredAt: t("2026-11-24T08:00:00Z") });

    const updated = by.get(numbers.updated)!;
    expect(updated.estimatedDelivery).toEqual({ start: t("2026-11-27T00:00:00Z"), end: t("2026-11-27T23:00:00Z") });
    expect(updated.events[0]).toMatchObject({ status: null, substatus: null, rawStatus: "U" });
    expect(updated.deliveredAt).toBeNull();
  });

  it("GETs /api/track/v1/details/{number} with the documented query and headers, one number per call; unknown numbers are left out", async () => {
    const front = await startFront(simulator);
    const { provider } = build({ baseUrl: front.url });
    const [known, unknown] = [upsNumber(80), upsNumber(81)];
    knownPackage(known);

    const observations = await provider.fetch([tracked(known), tracked(unknown)]);
    expect(observations.map((o) => o.trackingNumber)).toEqual([known]);
    const gets = front.requests.filter((request) => request.url.startsWith("/api/track/"));
    expect(gets.map((request) => [request.method, request.url])).toEqual(
      [known, unknown].map((n) => ["GET", `/api/track/v1/details/${n}?locale=en_US&returnSignature=false&returnMilestones=false&returnPOD=false`]),
    );
    for (const request of gets) {
      expect(request.headers.transid).toMatch(/^[0-9a-f]{32}$/);
      expect(request.headers.transactionsrc).toBe("tracklight");
      expect(request.headers.authorization).toMatch(/^Bearer /);
    }
    expect(callSummary().filter(([api]) => api === "track")).toEqual([
      ["track", 200, null],
      ["track", 404, "151044"],
    ]);
    expect(provider.pollStrategy).toEqual({ kind: "by_numbers", maxNumbersPerFetch: 1 });
    expect(provider.registrationBringsHistory).toBe(false);

    // A number UPS calls malformed (400 151018) is a refused request, not a missing one.
    const malformed = await caught(provider.fetch([tracked("1Z999AA1")]));
    expect(malformed).toBeInstanceOf(InvalidRequestError);
    expect(malformed).toMatchObject({ retryable: false, status: 400, code: "151018" });
  });
});

describe(`UPS errors against the simulator on ${testDialect()}`, () => {
  it("429 on the Track API is a RateLimitedError with retryAfterMs, and the account pauses so the next call does not reach UPS", async () => {
    const number = upsNumber(90);
    knownPackage(number);
    const { provider } = build();
    await provider.fetch([tracked(number)]);
    simulator.resetCalls();

    simulator.injectFaults(1, { kind: "http", httpStatus: 429, code: "429", api: "track" });
    const limited = await caught(provider.fetch([tracked(number)]));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited).toMatchObject({ retryable: true, service: "ups", status: 429, code: "429", retryAfterMs: 60_000 });
    expect(decideFailure(limited, 1, 5)).toEqual({ kind: "retry", delayMs: 60_000, consumesAttempt: false });

    const paused = await caught(provider.register([ups(number)]));
    expect(paused).toBeInstanceOf(RateLimitedError);
    expect(paused.retryAfterMs).toBeGreaterThan(0);
    expect(paused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(callSummary()).toEqual([["track", 429, "429"]]);

    // Once the pause is over, calls go through again.
    clock.advance(60_001);
    expect(await provider.fetch([tracked(number)])).toHaveLength(1);
  });

  it("429 on a subscription is a RateLimitedError with retryAfterMs", async () => {
    const { provider } = build();
    simulator.injectFaults(1, { kind: "http", httpStatus: 429, code: "429", api: "trackalert" });
    const limited = await caught(provider.register([ups(upsNumber(91))]));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited).toMatchObject({ retryable: true, status: 429, retryAfterMs: 60_000 });
    expect(simulator.subscriptions()).toEqual([]);
  });

  it("5xx answers (500 10004, 500 VSS100, 503) are retryable ServiceUnavailableErrors", async () => {
    const number = upsNumber(92);
    knownPackage(number);
    const { provider } = build();

    simulator.injectFaults(1, { kind: "http", httpStatus: 500, code: "10004", api: "track" });
    const track = await caught(provider.fetch([tracked(number)]));
    expect(track).toBeInstanceOf(ServiceUnavailableError);
    expect(track).toMatchObject({ retryable: true, service: "ups", status: 500, code: "10004" });
    expect(decideFailure(track, 1, 5)).toMatchObject({ kind: "retry", consumesAttempt: true });

    simulator.injectFaults(1, { kind: "http", httpStatus: 500, code: "VSS100", api: "trackalert" });
    const subscription = await caught(provider.register([ups(number)]));
    expect(subscription).toBeInstanceOf(ServiceUnavailableError);
    expect(subscription).toMatchObject({ retryable: true, status: 500, code: "VSS100" });

    simulator.injectFaults(1, { kind: "http", httpStatus: 503, code: "10004", api: "trackalert" });
    expect(await caught(provider.register([ups(number)]))).toBeInstanceOf(ServiceUnavailableError);

    // A 5xx does not pause the account: the next call goes through.
    expect(await provider.fetch([tracked(number)])).toHaveLength(1);
    expect(await provider.register([ups(number)])).toEqual([expect.objectContaining({ kind: "registered" })]);
  });

  it("a UPS that does not answer in time, or cannot be reached, is a retryable ServiceUnavailableError", async () => {
    const number = upsNumber(93);
    knownPackage(number);
    const { provider } = build({ timeoutMs: 300 });
    await provider.fetch([tracked(number)]);
    simulator.injectFaults(1, { kind: "timeout", api: "track" });
    const timedOut = await caught(provider.fetch([tracked(number)]));
    expect(timedOut).toBeInstanceOf(ServiceUnavailableError);
    expect(timedOut.retryable).toBe(true);

    const { provider: unreachable } = build({ baseUrl: "http://127.0.0.1:9" });
    const refused = await caught(unreachable.register([ups(number)]));
    expect(refused).toBeInstanceOf(ServiceUnavailableError);
    expect(refused.retryable).toBe(true);
  });

  it("malformed or garbage bodies are typed errors, never a crash", async () => {
    const number = upsNumber(94);
    knownPackage(number);
    let garbage: Answer | null = null;
    const front = await startFront(simulator, async (request, upstream) => {
      if (!garbage || request.url.startsWith("/security/")) return upstream();
      const answer = garbage;
      garbage = null;
      return answer;
    });
    const { provider } = build({ baseUrl: front.url });

    // 200 whose body is not JSON.
    garbage = { status: 200, body: "<html><body>OK</body></html>", contentType: "text/html" };
    expect(await caught(provider.fetch([tracked(number)]))).toBeInstanceOf(BadResponseError);
    garbage = { status: 200, body: "not json at all", contentType: "text/plain" };
    expect(await caught(provider.register([ups(number)]))).toBeInstanceOf(BadResponseError);
    // JSON of the wrong shape.
    garbage = { status: 200, body: JSON.stringify({ trackResponse: { shipment: [{ package: [{ trackingNumber: 42 }] }] } }) };
    expect(await caught(provider.fetch([tracked(number)]))).toBeInstanceOf(BadResponseError);
    garbage = { status: 200, body: JSON.stringify({ validTrackingNumbers: "all of them" }) };
    expect(await caught(provider.register([ups(number)]))).toBeInstanceOf(BadResponseError);
    // A truncated body.
    garbage = { status: 200, body: '{"trackResponse":{"shipment":[{"package":[{"trackingNum' };
    expect(await caught(provider.fetch([tracked(number)]))).toBeInstanceOf(BadResponseError);
    // A gateway's HTML error page.
    garbage = { status: 502, body: "<html><h1>502 Bad Gateway</h1></html>", contentType: "text/html" };
    const gateway = await caught(provider.fetch([tracked(number)]));
    expect(gateway).toBeInstanceOf(ServiceUnavailableError);
    expect(gateway).toMatchObject({ status: 502, code: undefined });
    // A 400 without UPS's error envelope.
    garbage = { status: 400, body: "" };
    expect(await caught(provider.register([ups(number)]))).toBeInstanceOf(InvalidRequestError);

    // The simulator's own error envelope with HTTP 200 is not a Track or Track Alert answer either:
    // in particular it must not turn into "UPS refused every number".
    simulator.injectFaults(1, { kind: "http", httpStatus: 200, code: "10004", api: "track" });
    expect(await caught(provider.fetch([tracked(number)]))).toBeInstanceOf(BadResponseError);
    simulator.injectFaults(1, { kind: "http", httpStatus: 200, code: "10004", api: "trackalert" });
    expect(await caught(provider.register([ups(number)]))).toBeInstanceOf(BadResponseError);

    // The provider still works afterwards.
    expect(await provider.fetch([tracked(number)])).toHaveLength(1);
    expect(await provider.register([ups(number)])).toEqual([expect.objectContaining({ kind: "registered" })]);
  });
});

describe(`buildTrackingProvider for UPS on ${testDialect()}`, () => {
  it("picks the CIE or the production base URL from the account's environment, with the shop's webhook destination", async () => {
    const production = simulator;
    // CIE events would go to the app's public URL: space them far enough apart that none is sent during the test.
    const cie = await startSimulator({ environment: "cie", cieEventSpacingMs: 3_600_000 });
    const services = createTestServices(database.db, { clock, settings: { upsBaseUrls: { production: production.url, cie: cie.url } } });
    const cieClient = { clientId: `cie-app-${++counter}`, clientSecret: `cie-secret-${counter}` };
    cie.addClient(cieClient);

    const cieShop = await ensureShop(services, `ups-cie-${counter}.myshopify.com`);
    await connectProvider(services, cieShop.id, { provider: "ups", environment: "cie", credentials: cieClient });
    const productionShop = await ensureShop(services, `ups-production-${counter}.myshopify.com`);
    await connectProvider(services, productionShop.id, { provider: "ups", credentials: client });

    const cieAccount = (await loadProviderAccount(services, cieShop.id, "ups"))!;
    const productionAccount = (await loadProviderAccount(services, productionShop.id, "ups"))!;
    expect([cieAccount.environment, productionAccount.environment]).toEqual(["cie", "production"]);
    const cieProvider = await buildTrackingProvider(services, cieAccount);
    const productionProvider = await buildTrackingProvider(services, productionAccount);
    expect(cieProvider).toBeInstanceOf(UpsTrackAlertProvider);
    expect(productionProvider).toBeInstanceOf(UpsTrackAlertProvider);

    expect(await cieProvider.register([ups(CIE_1)])).toEqual([expect.objectContaining({ kind: "registered", trackingNumber: CIE_1 })]);
    expect(callSummary(cie)).toEqual([
      ["oauth", 200, null],
      ["trackalert", 200, null],
    ]);
    expect(apiCalls(production)).toEqual([]);

    const number = upsNumber(95);
    expect(await productionProvider.register([ups(number)])).toEqual([expect.objectContaining({ kind: "registered", trackingNumber: number })]);
    expect(callSummary(production)).toEqual([
      ["oauth", 200, null],
      ["trackalert", 200, null],
    ]);
    expect(apiCalls(cie)).toHaveLength(2);
    const webhookCredential = productionAccount.provider === "ups" ? productionAccount.credentials.webhookCredential : "";
    expect(webhookCredential.length).toBeGreaterThanOrEqual(43);
    expect(production.subscriptions()).toEqual([
      expect.objectContaining({ trackingNumber: number, clientId: client.clientId, url: upsWebhookUrl(services, productionShop.webhookToken), credential: webhookCredential, credentialType: "Bearer" }),
    ]);
    expect(upsWebhookUrl(services, productionShop.webhookToken)).toBe(`https://tracklight.test/webhooks/ups/${productionShop.webhookToken}`);
  });
});
