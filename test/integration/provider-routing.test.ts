import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { startTracktrySimulator, type TracktrySimulator } from "../../simulators/tracktry";
import { startUpsSimulator, type UpsSimulator } from "../../simulators/ups";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { JobRunner } from "~/jobs/runner.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { connectProvider, disconnectProvider } from "~/services/provider-accounts.server";
import { pollStaleShipments } from "~/services/poll-shipments.server";
import { applyShopRouting, updateRoutingRules } from "~/services/provider-routing.server";
import { registerPendingShipments } from "~/services/register-shipments.server";
import { applyUpsTrackAlertEvent } from "~/services/ups-events.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber, type ShopFixture } from "../support/factories";
import { createTestServices } from "../support/services";
import { countJobs, deleteJobs } from "../support/jobs";

/**
 * Per-shop routing: UPS numbers to Track Alert once UPS is connected, the rest to TrackingMore,
 * and every switch moves open shipments without a number ever being tracked twice: stopped at
 * the provider it leaves, registered once at the one it joins.
 */

const UPS_CLIENT = { clientId: "routing-ups-client-0123", clientSecret: "routing-ups-secret-0123" };
const USPS = "9400111206206406260787";
const DHL = "3318810025";

let database: TestDatabase;
let trackingMore: TrackingMoreSimulator;
let ups: UpsSimulator;
let tracktry: TracktrySimulator;
let services: ServiceContext;
let apiKeySequence = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  trackingMore = await startTrackingMoreSimulator();
  ups = await startUpsSimulator({ environment: "production" });
  ups.addClient(UPS_CLIENT);
  tracktry = await startTracktrySimulator();
  services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url, upsBaseUrl: ups.url, tracktryBaseUrl: tracktry.url });
});

afterAll(async () => {
  await tracktry.close();
  await ups.close();
  await trackingMore.close();
  await database.dispose();
});

beforeEach(async () => {
  await deleteJobs(database.db);
});

async function shopOnTrackingMore(): Promise<ShopFixture & { apiKey: string }> {
  const apiKey = `routing-tm-key-${++apiKeySequence}-abcdefgh`;
  trackingMore.addAccount({ apiKey, webhookSecret: "whsec-test-0123456789" });
  return { ...(await createShopWithTrackingMore(services, { apiKey })), apiKey };
}

async function shipments(shopId: string) {
  const rows = await database.db.prisma.shipment.findMany({ where: { shopId }, orderBy: { trackingNumber: "asc" } });
  return Object.fromEntries(rows.map((row) => [row.trackingNumber, row]));
}

function drain() {
  return new JobRunner(services, ALL_JOBS).drain();
}

/** Numbers the provider tracks right now, each listed as many times as it is tracked. */
function trackedAtTrackingMore(apiKey: string): string[] {
  return trackingMore.trackings(apiKey).map((tracking) => tracking.trackingNumber).sort();
}

function subscribedAtUps(numbers: readonly string[]): string[] {
  return ups.subscriptions().filter((subscription) => numbers.includes(subscription.trackingNumber)).map((subscription) => subscription.trackingNumber).sort();
}

describe(`provider routing on ${testDialect()}`, () => {
  it("connecting UPS moves the shop's open UPS shipments to Track Alert and leaves the rest; nothing is tracked twice", async () => {
    const shop = await shopOnTrackingMore();
    const upsNumbers = [upsNumber(8_001), upsNumber(8_002), upsNumber(8_003)];
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: upsNumbers }));
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [USPS], company: "USPS" }));
    await drain();
    expect(trackedAtTrackingMore(shop.apiKey)).toEqual([...upsNumbers, USPS].sort());

    await connectProvider(services, shop.id, { provider: "ups", credentials: UPS_CLIENT });
    await drain();

    const after = await shipments(shop.id);
    for (const number of upsNumbers) expect(after[number]).toMatchObject({ provider: "ups", registrationState: "registered" });
    expect(after[USPS]).toMatchObject({ provider: "trackingmore", registrationState: "registered" });
    // Stopped at TrackingMore (deleted there), subscribed once at UPS.
    expect(trackedAtTrackingMore(shop.apiKey)).toEqual([USPS]);
    expect(subscribedAtUps(upsNumbers)).toEqual([...upsNumbers].sort());
    expect(ups.calls.filter((call) => call.api === "trackalert" && call.httpStatus === 200)).toHaveLength(1);

    // Applying the same routing again moves nothing and calls nobody.
    trackingMore.resetCalls();
    ups.resetCalls();
    expect(await applyShopRouting(services, shop.id)).toEqual({ result: "APPLIED", moved: 0, stopsQueued: 0, conflicts: 0 });
    await drain();
    expect(trackingMore.calls.filter((call) => call.api !== "control")).toHaveLength(0);
    expect(ups.calls.filter((call) => call.api === "trackalert")).toHaveLength(0);

    // A new fulfillment is routed on arrival: the UPS number straight to UPS, the DHL one to TrackingMore.
    const later = upsNumber(8_004);
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [later] }));
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [DHL], company: "DHL Express" }));
    const routed = await shipments(shop.id);
    expect(routed[later]!.provider).toBe("ups");
    expect(routed[DHL]!.provider).toBe("trackingmore");
  });

  it("switching the shop from TrackingMore to Tracktry re-registers its open shipments there once, and Tracktry's polling keeps them current", async () => {
    const shop = await shopOnTrackingMore();
    const open = [upsNumber(8_401), USPS];
    const delivered = upsNumber(8_402);
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [open[0]!, delivered] }));
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [USPS], company: "USPS" }));
    await drain();
    await database.db.prisma.shipment.updateMany({ where: { shopId: shop.id, trackingNumber: delivered }, data: { status: "delivered" } });

    const tracktryKey = `routing-tracktry-key-${++apiKeySequence}`;
    tracktry.addAccount({ apiKey: tracktryKey });
    await connectProvider(services, shop.id, { provider: "tracktry", credentials: { apiKey: tracktryKey } });
    await drain();

    const after = await shipments(shop.id);
    for (const number of open) expect(after[number]).toMatchObject({ provider: "tracktry", registrationState: "registered" });
    // A finished shipment is not re-registered anywhere.
    expect(after[delivered]).toMatchObject({ provider: "trackingmore", status: "delivered" });
    expect(tracktry.trackings(tracktryKey).map((tracking) => tracking.trackingNumber).sort()).toEqual([...open].sort());
    expect(trackedAtTrackingMore(shop.apiKey)).toEqual([delivered]);
    // A second pass changes nothing and calls nobody.
    tracktry.resetCalls();
    expect(await applyShopRouting(services, shop.id)).toMatchObject({ moved: 0 });
    await drain();
    expect(tracktry.calls.filter((call) => call.api !== "control")).toHaveLength(0);

    // No webhooks from Tracktry: its polling brings the news.
    await tracktry.advance(tracktryKey, open[0]!, "next");
    await tracktry.advance(tracktryKey, open[0]!, "next");
    await database.db.prisma.shipment.updateMany({ where: { shopId: shop.id }, data: { lastCheckedAt: new Date(Date.now() - 24 * 60 * 60_000) } });
    const polled = await pollStaleShipments(services, shop.id);
    expect(polled.result).not.toMatch(/SKIPPED/);
    const current = (await shipments(shop.id))[open[0]!]!;
    expect(current.status).not.toBe("pending");
    expect(await database.db.prisma.trackingEvent.count({ where: { shipmentId: current.id } })).toBeGreaterThan(0);
    expect(new Set((await database.db.prisma.trackingEvent.findMany({ where: { shipmentId: current.id } })).map((event) => event.source))).toEqual(new Set(["tracktry"]));
  });

  it("disconnecting UPS brings its open shipments back to TrackingMore, registered there once; delivered ones stay put", async () => {
    const shop = await shopOnTrackingMore();
    await connectProvider(services, shop.id, { provider: "ups", credentials: UPS_CLIENT });
    const [open, done] = [upsNumber(8_101), upsNumber(8_102)];
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [open, done] }));
    await drain();
    // UPS posts the delivery to the shop's address (no server listens there in this test); the
    // body it sent is applied the way the receiver's job applies it.
    const [delivery] = await ups.pushEvent(done, { preset: "delivered" });
    expect(await applyUpsTrackAlertEvent(services, shop.id, delivery!.body)).toEqual({ result: "UPDATED" });

    trackingMore.resetCalls();
    await disconnectProvider(services, shop.id, "ups");
    await drain();
    const after = await shipments(shop.id);
    expect(after[open]).toMatchObject({ provider: "trackingmore", registrationState: "registered" });
    expect(after[done]).toMatchObject({ provider: "ups", status: "delivered" });
    expect(trackedAtTrackingMore(shop.apiKey)).toEqual([open]);
    const shop_ = await database.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    expect(JSON.parse(shop_.carrierProviders ?? "{}")).toEqual({});
    expect(shop_.trackingProvider).toBe("trackingmore");
  });

  it("a registration in flight when the shipment moves is stopped at the provider it reached, and the new one registers it once", async () => {
    // A slow TrackingMore: the registration call is still out when the merchant connects UPS.
    const slow = await startTrackingMoreSimulator({ latencyMs: 400 });
    const slowServices = createTestServices(database.db, { trackingMoreBaseUrl: slow.url, upsBaseUrl: ups.url });
    try {
      const apiKey = "routing-slow-tm-key-abcdefgh";
      slow.addAccount({ apiKey, webhookSecret: "whsec-test-0123456789" });
      const shop = await createShopWithTrackingMore(slowServices, { apiKey });
      const number = upsNumber(8_201);
      await ingestFulfillment(slowServices, shop.domain, fulfillmentSnapshot({ numbers: [number] }));
      await deleteJobs(database.db);

      const registering = registerPendingShipments(slowServices, shop.id);
      for (;;) {
        const row = await database.db.prisma.shipment.findFirstOrThrow({ where: { shopId: shop.id, trackingNumber: number } });
        if (row.registrationState === "registering") break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await connectProvider(slowServices, shop.id, { provider: "ups", credentials: UPS_CLIENT });
      await applyShopRouting(slowServices, shop.id);
      await registering;
      // TrackingMore did create it; the settlement found its claim gone and queued a stop there.
      expect(await countJobs(database.db, { type: JOB_TYPES.stopProviderTracking, shopId: shop.id })).toBe(1);

      await new JobRunner(slowServices, ALL_JOBS).drain();
      const row = await database.db.prisma.shipment.findFirstOrThrow({ where: { shopId: shop.id, trackingNumber: number } });
      expect(row).toMatchObject({ provider: "ups", registrationState: "registered" });
      expect(slow.trackings(apiKey).map((tracking) => tracking.trackingNumber)).toEqual([]);
      expect(subscribedAtUps([number])).toEqual([number]);
    } finally {
      await slow.close();
    }
  });

  it("the merchant's own rules: a carrier routed to UPS must be UPS; an invalid rule changes nothing", async () => {
    const shop = await shopOnTrackingMore();
    await connectProvider(services, shop.id, { provider: "ups", credentials: UPS_CLIENT });
    const before = await database.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    await expect(updateRoutingRules(services, shop.id, { defaultProvider: "trackingmore", carrierProviders: { fedex: "ups" } })).rejects.toThrow(/UPS Track Alert only tracks UPS numbers/);
    await expect(updateRoutingRules(services, shop.id, { defaultProvider: "aftership", carrierProviders: {} })).rejects.toThrow();
    const unchanged = await database.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    expect(unchanged.carrierProviders).toBe(before.carrierProviders);

    // Sending UPS numbers back to TrackingMore is a rule change like any other.
    const number = upsNumber(8_301);
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [number] }));
    await drain();
    expect((await shipments(shop.id))[number]!.provider).toBe("ups");
    await updateRoutingRules(services, shop.id, { defaultProvider: "trackingmore", carrierProviders: {} });
    await drain();
    expect((await shipments(shop.id))[number]).toMatchObject({ provider: "trackingmore", registrationState: "registered" });
    expect(trackedAtTrackingMore(shop.apiKey)).toEqual([number]);
  });
});
