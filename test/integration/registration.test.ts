import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { registerPendingShipments } from "~/services/register-shipments.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { connectProvider } from "~/services/provider-accounts.server";
import type { ServiceContext } from "~/services/context.server";
import { RateLimitedError } from "~/domain/errors";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber, type ShopFixture } from "../support/factories";
import { createTestServices } from "../support/services";
import { countJobs } from "../support/jobs";

let database: TestDatabase;
let simulator: TrackingMoreSimulator;
let services: ServiceContext;
let shop: ShopFixture;
let apiKey: string;
let keyCounter = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

async function startSimulator(options: Parameters<typeof startTrackingMoreSimulator>[0] = {}) {
  simulator = await startTrackingMoreSimulator({ rateLimits: { v4Other: Infinity, v4Create: Infinity }, ...options });
  services = createTestServices(database.db, { trackingMoreBaseUrl: simulator.url });
  apiKey = `tm-key-${++keyCounter}-abcdefgh`;
  simulator.addAccount({ apiKey, email: "ops@shop.example", webhookSecret: "whsec-test-0123456789" });
  shop = await createShopWithTrackingMore(services, { apiKey });
}

afterEach(async () => {
  await simulator?.close();
});

async function addFulfillments(count: number, numbersEach: number, firstIndex = 0, company: string | null = "UPS") {
  const numbers: string[] = [];
  for (let f = 0; f < count; f++) {
    const fulfillmentNumbers = Array.from({ length: numbersEach }, (_, i) => upsNumber(firstIndex + f * numbersEach + i));
    numbers.push(...fulfillmentNumbers);
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: fulfillmentNumbers, company }));
  }
  return numbers;
}

function batchCalls() {
  return simulator.calls.filter((call) => call.path === "/v4/trackings/batch");
}

function registrationStates() {
  return database.db.prisma.shipment.groupBy({ by: ["registrationState"], where: { shopId: shop.id }, _count: true });
}

describe(`registration with TrackingMore v4 on ${testDialect()}`, () => {
  beforeEach(async () => {
    await startSimulator();
  });

  it("registers 100 numbers in ⌈100/40⌉ = 3 calls, each number exactly once", async () => {
    const numbers = await addFulfillments(25, 4);
    const result = await registerPendingShipments(services, shop.id);
    expect(result).toMatchObject({ result: "DONE", registered: 100, rejected: 0 });
    expect(batchCalls()).toHaveLength(3);
    expect(simulator.calls.filter((call) => call.api === "v4")).toHaveLength(3);

    const atProvider = simulator.trackings(apiKey).map((tracking) => tracking.trackingNumber);
    expect(atProvider.sort()).toEqual([...numbers].sort());
    const stored = await database.db.prisma.shipment.findMany({ where: { shopId: shop.id } });
    expect(stored.every((shipment) => shipment.registrationState === "registered" && shipment.providerTrackingId?.match(/^[0-9a-f]{32}$/))).toBe(true);

    // Nothing left: a second run makes no call at all.
    simulator.resetCalls();
    expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 0 });
    expect(simulator.calls).toHaveLength(0);
  });

  it("a number the provider already has counts as registered and its data is fetched", async () => {
    const [number] = await addFulfillments(1, 1, 500);
    // Our earlier attempt got through before a crash: TrackingMore already tracks it, with history.
    await fetch(`${simulator.url}/v4/trackings/create`, {
      method: "POST",
      headers: { "Tracking-Api-Key": apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ tracking_number: number, courier_code: "ups" }),
    });
    await simulator.advance(apiKey, number!, "next");
    await simulator.advance(apiKey, number!, "next");
    simulator.resetCalls();

    const result = await registerPendingShipments(services, shop.id);
    expect(result).toMatchObject({ result: "DONE", registered: 1 });
    expect(simulator.calls.map((call) => call.path)).toEqual(["/v4/trackings/batch", "/v4/trackings/get"]);
    expect(simulator.trackings(apiKey).filter((tracking) => tracking.trackingNumber === number)).toHaveLength(1);

    const shipment = await database.db.prisma.shipment.findFirstOrThrow({ where: { shopId: shop.id, trackingNumber: number } });
    expect(shipment.registrationState).toBe("registered");
    expect(shipment.providerTrackingId).toMatch(/^[0-9a-f]{32}$/);
    expect(shipment.status).toBe("transit");
    expect(await database.db.prisma.trackingEvent.count({ where: { shipmentId: shipment.id } })).toBe(2);
  });

  it("a run that died after sending leaves a lease; the next run re-sends and nothing is created twice", async () => {
    const numbers = await addFulfillments(2, 5, 600);
    // Simulate the crash: the batch reached TrackingMore, our process died before recording it.
    for (const number of numbers) {
      await fetch(`${simulator.url}/v4/trackings/create`, {
        method: "POST",
        headers: { "Tracking-Api-Key": apiKey, "Content-Type": "application/json" },
        body: JSON.stringify({ tracking_number: number, courier_code: "ups" }),
      });
    }
    await database.db.prisma.shipment.updateMany({
      where: { shopId: shop.id },
      data: { registrationState: "registering", registrationClaim: "dead-run", registrationLeaseUntil: new Date(Date.now() + 60_000) },
    });
    expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 0 });

    await database.db.prisma.shipment.updateMany({ where: { shopId: shop.id }, data: { registrationLeaseUntil: new Date(Date.now() - 1) } });
    expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 10 });
    const counts = new Map<string, number>();
    for (const tracking of simulator.trackings(apiKey)) counts.set(tracking.trackingNumber, (counts.get(tracking.trackingNumber) ?? 0) + 1);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(counts.size).toBe(10);
  });

  it("asks the provider for the carrier only when Shopify and the number format cannot tell", async () => {
    // No company, and a number whose format matches no carrier's checksum.
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: ["1ZAB12CD0000000004"], company: null }));
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [upsNumber(700)], company: null }));
    const result = await registerPendingShipments(services, shop.id);
    expect(result).toMatchObject({ result: "DONE", registered: 2 });
    const detectCalls = simulator.calls.filter((call) => call.path === "/v4/couriers/detect");
    expect(detectCalls).toHaveLength(1);
    const detected = await database.db.prisma.shipment.findFirstOrThrow({ where: { trackingNumber: "1ZAB12CD0000000004" } });
    expect(detected).toMatchObject({ carrierCode: "ups", carrierSource: "provider" });
    const local = await database.db.prisma.shipment.findFirstOrThrow({ where: { trackingNumber: upsNumber(700) } });
    expect(local).toMatchObject({ carrierCode: "ups", carrierSource: "detected" });
  });

  it("a number no one can identify fails with a reason instead of blocking the batch", async () => {
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: ["ZZ-NOT-A-NUMBER"], company: null }));
    await addFulfillments(1, 2, 800);
    const result = await registerPendingShipments(services, shop.id);
    expect(result).toMatchObject({ result: "DONE", registered: 2, rejected: 1 });
    const failed = await database.db.prisma.shipment.findFirstOrThrow({ where: { trackingNumber: "ZZ-NOT-A-NUMBER" } });
    expect(failed.registrationState).toBe("failed");
    expect(failed.registrationError).toContain("carrier_unknown");
  });

  it("a refused API key blocks the shop with a reason, without a retry storm, until the merchant fixes it", async () => {
    await addFulfillments(2, 3, 900);
    simulator.deleteKey(apiKey);
    expect(await registerPendingShipments(services, shop.id)).toEqual({ result: "BLOCKED_NOW", reason: "auth_failed" });
    const account = await database.db.prisma.providerAccount.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(account.blockedReason).toBe("auth_failed");
    expect(account.blockedMessage).toContain("refused the API key");

    const callsAfterBlock = simulator.calls.length;
    for (let i = 0; i < 5; i++) expect(await registerPendingShipments(services, shop.id)).toEqual({ result: "SKIPPED_PROVIDER_BLOCKED" });
    expect(simulator.calls.length).toBe(callsAfterBlock);
    expect(await registrationStates()).toEqual([{ registrationState: "pending", _count: 6 }]);

    // The merchant pastes a working key: the block clears and a registration run is queued.
    const newKey = `${apiKey}-new`;
    simulator.addAccount({ apiKey: newKey });
    await connectProvider(services, shop.id, { provider: "trackingmore", apiVersion: "v4", credentials: { apiKey: newKey, webhookSecret: "whsec-test-0123456789" } });
    expect(await countJobs(database.db, { shopId: shop.id, type: "shipments.register", states: ["queued"] })).toBe(1);
    expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 6 });
  });

  it("quota running out part-way blocks the shop and keeps the rest waiting; nothing is lost or doubled after a top-up", async () => {
    const numbers = await addFulfillments(10, 10, 1000);
    simulator.setCredits(apiKey, 50);
    expect(await registerPendingShipments(services, shop.id)).toEqual({ result: "BLOCKED_NOW", reason: "quota_exhausted" });
    expect(await registrationStates()).toEqual(
      expect.arrayContaining([
        { registrationState: "registered", _count: 50 },
        { registrationState: "pending", _count: 50 },
      ]),
    );
    const account = await database.db.prisma.providerAccount.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(account.blockedReason).toBe("quota_exhausted");

    simulator.setCredits(apiKey, 1000);
    await connectProvider(services, shop.id, { provider: "trackingmore", apiVersion: "v4", credentials: { apiKey, webhookSecret: "whsec-test-0123456789" } });
    expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 50 });
    expect(simulator.trackings(apiKey).map((tracking) => tracking.trackingNumber).sort()).toEqual([...numbers].sort());
  });

  it("a server error releases the batch for a retry; the retry registers each number once", async () => {
    const numbers = await addFulfillments(1, 5, 1200);
    simulator.injectFaults(1, { kind: "http", httpStatus: 500, metaCode: 511 });
    await expect(registerPendingShipments(services, shop.id)).rejects.toMatchObject({ name: "ServiceUnavailableError", retryable: true });
    expect(await registrationStates()).toEqual([{ registrationState: "pending", _count: 5 }]);
    expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 5 });
    expect(simulator.trackings(apiKey).map((tracking) => tracking.trackingNumber).sort()).toEqual([...numbers].sort());
  });

  it("a batch the provider says is too large is split until it fits", async () => {
    await simulator.close();
    await startSimulator({ batchLimit: 15 });
    const numbers = await addFulfillments(8, 5, 1300);
    expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 40 });
    // 40 → 4103 → 20 + 20 → each 4103 → 10 + 10 + 10 + 10: 7 calls, 4 accepted.
    const calls = batchCalls();
    expect(calls).toHaveLength(7);
    expect(calls.filter((call) => call.metaCode === 200)).toHaveLength(4);
    expect(simulator.trackings(apiKey).map((tracking) => tracking.trackingNumber).sort()).toEqual([...numbers].sort());
  });
});

describe(`rate limits on ${testDialect()}`, () => {
  it("a 429 pauses the whole account for 120 s and puts the batch back", async () => {
    await startSimulator({ rateLimits: { v4Other: 0 } });
    await addFulfillments(1, 3, 1400);
    const error = await registerPendingShipments(services, shop.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(120_000);
    expect(await registrationStates()).toEqual([{ registrationState: "pending", _count: 3 }]);

    // While paused, no call reaches the provider at all.
    const calls = simulator.calls.length;
    const again = await registerPendingShipments(services, shop.id).catch((caught: unknown) => caught);
    expect(again).toBeInstanceOf(RateLimitedError);
    expect((again as RateLimitedError).retryAfterMs).toBeGreaterThan(110_000);
    expect(simulator.calls.length).toBe(calls);
  });

  it("keeps under TrackingMore's documented 10 requests per second without a single 429", async () => {
    await startSimulator({ rateLimits: { v4Other: 10 } });
    await addFulfillments(10, 4, 1500);
    await database.db.prisma.shipment.updateMany({ where: { shopId: shop.id }, data: { carrierCode: null } });
    // 40 detect calls and a batch call in a burst: unthrottled they would take far less than a second.
    const result = await registerPendingShipments(services, shop.id);
    expect(result).toMatchObject({ result: "DONE", registered: 40 });
    expect(simulator.calls.filter((call) => call.api === "v4")).toHaveLength(41);
    expect(simulator.calls.filter((call) => call.httpStatus === 429)).toHaveLength(0);
  }, 60_000);
});
