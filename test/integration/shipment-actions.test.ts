import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { JobRunner } from "~/jobs/runner.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { changeCarrier, redetectCarriers, refreshShipments, resumeTracking, runBulkAction, stopTracking } from "~/services/shipment-actions.server";
import { listShipments, shipmentDetail } from "~/services/shipment-index.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber, type ShopFixture } from "../support/factories";
import { createTestServices } from "../support/services";
import { countJobs, listJobs } from "../support/jobs";

/**
 * The merchant's actions on shipments and the shipment detail, through the real pipeline
 * (registration, stop at provider, polling) against the TrackingMore simulator; and one shop
 * can neither read nor change another's shipments by id.
 */

const USPS = "9400111206206406260787";
const DHL = "3318810025";

let database: TestDatabase;
let trackingMore: TrackingMoreSimulator;
let services: ServiceContext;
let shopA: ShopFixture & { apiKey: string };
let shopB: ShopFixture & { apiKey: string };
const idOf = new Map<string, string>();
let keySequence = 0;

async function shopOnTrackingMore(domain: string): Promise<ShopFixture & { apiKey: string }> {
  const apiKey = `actions-tm-key-${++keySequence}-abcdefgh`;
  trackingMore.addAccount({ apiKey, webhookSecret: "whsec-test-0123456789" });
  return { ...(await createShopWithTrackingMore(services, { domain, apiKey })), apiKey };
}

function drain() {
  return new JobRunner(services, ALL_JOBS).drain();
}

function shipment(number: string) {
  return database.db.prisma.shipment.findUniqueOrThrow({ where: { id: idOf.get(number)! } });
}

/** Retry `check` (after draining, in it) for up to five seconds: for work a provider's rate limit spreads out. */
async function eventually<T>(check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function couriersOf(apiKey: string, trackingNumber: string): string[] {
  return trackingMore
    .trackings(apiKey)
    .filter((tracking) => tracking.trackingNumber === trackingNumber)
    .map((tracking) => tracking.courierCode);
}

function tracked(apiKey: string): string[] {
  return trackingMore
    .trackings(apiKey)
    .map((tracking) => tracking.trackingNumber)
    .sort();
}

beforeAll(async () => {
  database = await createTestDatabase();
  trackingMore = await startTrackingMoreSimulator();
  services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url });
  shopA = await shopOnTrackingMore("actions-a.myshopify.com");
  shopB = await shopOnTrackingMore("actions-b.myshopify.com");
  const snapshot = fulfillmentSnapshot({ numbers: [upsNumber(1), upsNumber(2), USPS, DHL], company: null });
  snapshot.shopifyOrderId = "gid://shopify/Order/5550001";
  snapshot.orderName = "#5001";
  expect((await ingestFulfillment(services, shopA.domain, snapshot)).result).toBe("APPLIED");
  await ingestFulfillment(services, shopB.domain, fulfillmentSnapshot({ numbers: [upsNumber(900)] }));
  await drain();
  for (const row of await database.db.prisma.shipment.findMany({ where: { shopId: shopA.id } })) idOf.set(row.trackingNumber, row.id);
  expect(tracked(shopA.apiKey)).toEqual([upsNumber(1), upsNumber(2), USPS, DHL].sort());
});

afterAll(async () => {
  await trackingMore.close();
  await database.dispose();
});

beforeEach(async () => {
  await drain();
});

describe(`shipment actions on ${testDialect()}`, () => {
  it("stops tracking at the provider, and resumes with one registration", async () => {
    expect(await stopTracking(services, shopA.id, [idOf.get(upsNumber(1))!, "no-such-id"])).toEqual({ affected: 1, skipped: 1 });
    expect(await shipment(upsNumber(1))).toMatchObject({ registrationState: "stopped", stopReason: "stopped_by_merchant" });
    await drain();
    expect(tracked(shopA.apiKey)).toEqual([upsNumber(2), USPS, DHL].sort());
    // Stopping again changes nothing.
    expect(await stopTracking(services, shopA.id, [idOf.get(upsNumber(1))!])).toEqual({ affected: 0, skipped: 1 });

    expect(await resumeTracking(services, shopA.id, [idOf.get(upsNumber(1))!, idOf.get(upsNumber(2))!])).toEqual({ affected: 1, skipped: 1 });
    expect((await shipment(upsNumber(1))).registrationState).toBe("pending");
    await drain();
    expect(await shipment(upsNumber(1))).toMatchObject({ registrationState: "registered", stoppedAt: null, stopReason: null });
    expect(tracked(shopA.apiKey)).toEqual([upsNumber(1), upsNumber(2), USPS, DHL].sort());
  });

  it("refresh now polls the selected shipments at once", async () => {
    const before = await shipment(upsNumber(2));
    expect(before.registrationState).toBe("registered");
    // Heard from a minute ago: not due for hours.
    await database.db.prisma.shipment.updateMany({ where: { shopId: shopA.id }, data: { lastCheckedAt: new Date(Date.now() - 60_000) } });
    expect(await runBulkAction(services, shopA.id, "refresh", [before.id])).toEqual({ affected: 1, skipped: 0 });
    const jobs = await listJobs(database.db, { shopId: shopA.id, states: ["queued"] });
    expect(jobs.map((job) => job.type)).toEqual([JOB_TYPES.pollShipments]);
    await drain();
    const after = await shipment(upsNumber(2));
    expect(after.lastCheckedAt!.getTime()).toBeGreaterThan(Date.now() - 30_000);
    // Only the refreshed one was asked about.
    expect((await shipment(USPS)).lastCheckedAt!.getTime()).toBeLessThan(Date.now() - 50_000);
  });

  it("re-detects a wrong carrier and registers the number again under the right one", async () => {
    // The merchant picked the wrong carrier: the number is tracked at TrackingMore as USPS.
    await changeCarrier(services, shopA.id, idOf.get(upsNumber(2))!, { carrierCode: "usps" });
    await drain();
    expect(await shipment(upsNumber(2))).toMatchObject({ carrierCode: "usps", carrierSource: "merchant", registrationState: "registered" });
    expect(couriersOf(shopA.apiKey, upsNumber(2))).toEqual(["usps"]);

    expect(await redetectCarriers(services, shopA.id, [idOf.get(upsNumber(2))!])).toEqual({ affected: 1, skipped: 0 });
    expect(await shipment(upsNumber(2))).toMatchObject({ carrierCode: "ups", carrierSource: "detected", registrationState: "pending" });
    await drain();
    expect(await shipment(upsNumber(2))).toMatchObject({ carrierCode: "ups", registrationState: "registered" });
    // Tracked once, under the right carrier; the USPS tracking is gone.
    expect(couriersOf(shopA.apiKey, upsNumber(2))).toEqual(["ups"]);
    expect(tracked(shopA.apiKey)).toEqual([upsNumber(1), upsNumber(2), USPS, DHL].sort());
    // Nothing to change the second time.
    expect(await redetectCarriers(services, shopA.id, [idOf.get(upsNumber(2))!])).toEqual({ affected: 0, skipped: 1 });
    expect((await shipment(upsNumber(2))).registrationState).toBe("registered");
  });

  it("changes the carrier to the merchant's choice, from the known carriers only", async () => {
    await expect(changeCarrier(services, shopA.id, idOf.get(DHL)!, { carrierCode: "not-a-carrier" })).rejects.toBeInstanceOf(ZodError);
    expect(await changeCarrier(services, shopA.id, idOf.get(DHL)!, { carrierCode: "fedex" })).toEqual({ result: "CHANGED" });
    expect(await changeCarrier(services, shopA.id, idOf.get(DHL)!, { carrierCode: "fedex" })).toEqual({ result: "UNCHANGED" });
    expect(await shipment(DHL)).toMatchObject({ carrierCode: "fedex", carrierSource: "merchant", registrationState: "pending" });
    const queued = await listJobs(database.db, { shopId: shopA.id, states: ["queued"] });
    expect(queued.map((job) => job.type).sort()).toEqual([JOB_TYPES.registerShipments, JOB_TYPES.stopProviderTracking].sort());
    await drain();
    expect((await shipment(DHL)).carrierCode).toBe("fedex");
  });

  it("shows a shipment's detail: order link, carrier, provider, status, timeline newest first, registration", async () => {
    const id = idOf.get(USPS)!;
    await database.db.prisma.shipment.update({
      where: { id },
      data: { status: "transit", substatus: "departed", rawStatus: "InTransit/Departed", estimatedDeliveryAt: new Date("2026-11-28T00:00:00Z") },
    });
    await database.db.prisma.trackingEvent.createMany({
      data: [
        { shipmentId: id, identity: "e1", occurredAt: new Date("2026-11-20T08:00:00Z"), status: "inforeceived", description: "Label created", source: "test" },
        { shipmentId: id, identity: "e3", occurredAt: new Date("2026-11-22T08:00:00Z"), status: "transit", description: "Departed", city: "Memphis", state: "TN", countryCode: "US", source: "test" },
        { shipmentId: id, identity: "e2", occurredAt: new Date("2026-11-21T08:00:00Z"), status: "transit", description: "Arrived", location: "Louisville, KY", source: "test" },
      ],
    });
    const detail = await shipmentDetail(services, shopA.id, id);
    expect(detail).toMatchObject({
      trackingNumber: USPS,
      carrierCode: "usps",
      carrierName: "USPS",
      provider: "trackingmore",
      status: "transit",
      substatus: "departed",
      rawStatus: "InTransit/Departed",
      estimatedDeliveryAt: "2026-11-28T00:00:00.000Z",
      registration: { state: "registered", error: null },
      orders: [{ name: "#5001", adminUrl: "https://admin.shopify.com/store/actions-a/orders/5550001" }],
    });
    expect(detail!.events.map((event) => [event.description, event.location])).toEqual([
      ["Departed", "Memphis, TN, US"],
      ["Arrived", "Louisville, KY"],
      ["Label created", null],
    ]);
    expect(await shipmentDetail(services, shopA.id, "no-such-id")).toBeNull();
  });

  it("one shop can neither read nor change another shop's shipments by id", async () => {
    const ids = [...idOf.values()];
    const before = await database.db.prisma.shipment.findMany({ where: { shopId: shopA.id }, orderBy: { id: "asc" } });
    const jobsBefore = await countJobs(database.db);

    for (const id of ids) expect(await shipmentDetail(services, shopB.id, id)).toBeNull();
    for (const action of ["refresh", "stop", "resume", "redetect"] as const) {
      expect(await runBulkAction(services, shopB.id, action, ids)).toEqual({ affected: 0, skipped: ids.length });
    }
    expect(await changeCarrier(services, shopB.id, ids[0]!, { carrierCode: "fedex" })).toEqual({ result: "NOT_FOUND" });
    const listed = await listShipments(services, shopB.id, {});
    expect(listed.rows.map((row) => row.trackingNumber)).toEqual([upsNumber(900)]);

    expect(await database.db.prisma.shipment.findMany({ where: { shopId: shopA.id }, orderBy: { id: "asc" } })).toEqual(before);
    expect(await countJobs(database.db)).toBe(jobsBefore);
    await drain();
    expect(tracked(shopA.apiKey)).toEqual([upsNumber(1), upsNumber(2), USPS, DHL].sort());
  });

  it("refresh now starts the next pass at once for a provider polled by changes (TrackingMore v2)", async () => {
    trackingMore.addAccount({ apiKey: "actions-tm-v2-key-abcdefgh", webhookSecret: "whsec-test-0123456789" });
    const shop = await createShopWithTrackingMore(services, { domain: "actions-v2.myshopify.com", apiKey: "actions-tm-v2-key-abcdefgh", apiVersion: "v2" });
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [upsNumber(700)] }));
    // TrackingMore v2 allows one call a second: registration may come back for a second run.
    const row = await eventually(async () => {
      await drain();
      const shipment = await database.db.prisma.shipment.findFirstOrThrow({ where: { shopId: shop.id } });
      expect(shipment.registrationState).toBe("registered");
      return shipment;
    });
    // A pass finished a minute ago: the next one is hours away.
    const lastPass = new Date(Date.now() - 60_000);
    await database.db.prisma.providerAccount.updateMany({ where: { shopId: shop.id }, data: { pollWatermark: lastPass, pollPassStartedAt: null } });
    expect(await refreshShipments(services, shop.id, [row.id])).toEqual({ affected: 1, skipped: 0 });
    await eventually(async () => {
      await drain();
      const account = await database.db.prisma.providerAccount.findFirstOrThrow({ where: { shopId: shop.id } });
      expect(account.pollPassStartedAt).toBeNull();
      expect(account.pollWatermark!.getTime()).toBeGreaterThan(lastPass.getTime());
    });
  });
});
