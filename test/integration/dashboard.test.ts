import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { startTracktrySimulator, type TracktrySimulator } from "../../simulators/tracktry";
import type { TrackingEventInput, TrackingObservation } from "~/domain/tracking-observation";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import type { ServiceContext } from "~/services/context.server";
import { dismissChecklist, forgetProviderQuotas, providerQuotas, QUOTA_CACHE_MS, QUOTA_FAILURE_CACHE_MS, shopDashboard } from "~/services/dashboard.server";
import { connectProvider } from "~/services/provider-accounts.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { listShipments } from "~/services/shipment-index.server";
import { ensureShop } from "~/services/shops.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices } from "../support/services";

/**
 * The home dashboard from shipments stored by the real ingest and moved on by real observations,
 * on the run's database (SQLite or PostgreSQL): attention per reason (the same rules as the
 * index's filter), delivery performance from shippedAt/deliveredAt, sync times, the checklist,
 * and nothing of another shop.
 */

const USPS = "9400111206206406260787";
const DHL = "3318810025";
const DAY = 24 * 60 * 60_000;
const NOW = "2026-11-20T12:00:00.000Z";

let database: TestDatabase;
let services: ServiceContext;
const clock = new TestClock("2026-11-01T12:00:00.000Z");

function event(at: Date, status: TrackingEventInput["status"], description: string): TrackingEventInput {
  return { occurredAt: at, zoneKnown: true, status, substatus: null, description, location: "Louisville, KY", city: "Louisville", state: "KY", countryCode: "US", postalCode: null, rawStatus: null };
}

function observation(trackingNumber: string, status: TrackingObservation["status"], events: TrackingEventInput[], extra: Partial<TrackingObservation> = {}): TrackingObservation {
  return { provider: "trackingmore", trackingNumber, carrierCode: null, providerTrackingId: null, status, substatus: null, rawStatus: null, asOf: null, events, ...extra };
}

async function ingest(domain: string, numbers: string[]): Promise<void> {
  const outcome = await ingestFulfillment(services, domain, fulfillmentSnapshot({ numbers, company: null }));
  expect(outcome.result).toBe("APPLIED");
}

const at = (iso: string) => new Date(iso);

let shopA: { id: string; domain: string };
let shopB: { id: string; domain: string };

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.dispose();
});

describe(`dashboard on ${testDialect()}`, () => {
  beforeAll(async () => {
    services = createTestServices(database.db, { clock });
    shopA = await createShopWithTrackingMore(services, { domain: "dash-a.myshopify.com", apiKey: "tm-dash-a-abcdefgh" });
    shopB = await createShopWithTrackingMore(services, { domain: "dash-b.myshopify.com", apiKey: "tm-dash-b-abcdefgh" });

    // Created 2026-11-01: UPS 0–9, USPS, DHL.
    await ingest(shopA.domain, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => upsNumber(i)));
    await ingest(shopA.domain, [USPS, DHL]);
    await ingest(shopB.domain, [upsNumber(0), upsNumber(50), upsNumber(51)]);
    clock.set(NOW);

    // Shop A, UPS: four delivered with transit 2, 3, 4 and 10 days; estimates met for the first three.
    const transits = [2, 3, 4, 10];
    for (const [i, days] of transits.entries()) {
      const shipped = new Date(at("2026-11-05T15:00:00Z").getTime() + i * DAY);
      const delivered = new Date(shipped.getTime() + days * DAY);
      const estimate = i < 3 ? delivered : new Date(shipped.getTime() + 5 * DAY);
      await applyTrackingObservation(
        services,
        shopA.id,
        observation(upsNumber(i), "delivered", [event(new Date(shipped.getTime() - DAY), "inforeceived", "Label created"), event(shipped, "transit", "Picked up"), event(delivered, "delivered", "Delivered")], {
          estimatedDelivery: { start: estimate, end: null },
        }),
      );
    }
    // USPS delivered in 1.5 days, no estimate.
    await applyTrackingObservation(services, shopA.id, observation(USPS, "delivered", [event(at("2026-11-10T08:00:00Z"), "transit", "Accepted"), event(at("2026-11-11T20:00:00Z"), "delivered", "Delivered")]));
    // Attention: an exception, a failed attempt, one stuck in transit (last scan 10 days ago > 7), one moving (2 days ago).
    await applyTrackingObservation(services, shopA.id, observation(upsNumber(4), "exception", [event(at("2026-11-18T10:00:00Z"), "exception", "Damaged")]));
    await applyTrackingObservation(services, shopA.id, observation(upsNumber(5), "undelivered", [event(at("2026-11-19T10:00:00Z"), "undelivered", "No one home")]));
    await applyTrackingObservation(services, shopA.id, observation(upsNumber(6), "transit", [event(at("2026-11-10T10:00:00Z"), "transit", "Departed")]));
    await applyTrackingObservation(services, shopA.id, observation(upsNumber(7), "transit", [event(at("2026-11-18T10:00:00Z"), "transit", "Departed")]));
    // Registration failed for one still pending; UPS 9 and DHL stay pending since 2026-11-01 (19 days > 5).
    await database.db.prisma.shipment.updateMany({ where: { shopId: shopA.id, trackingNumber: upsNumber(8) }, data: { registrationState: "failed" } });

    // Shop B: an exception and a delivered UPS shipment, none of which may show in A's figures.
    await applyTrackingObservation(services, shopB.id, observation(upsNumber(50), "exception", [event(at("2026-11-19T10:00:00Z"), "exception", "Lost")]));
    await applyTrackingObservation(services, shopB.id, observation(upsNumber(51), "delivered", [event(at("2026-11-01T10:00:00Z"), "transit", "Picked up"), event(at("2026-11-02T10:00:00Z"), "delivered", "Delivered")]));
  }, 120_000);

  it("counts shipments needing attention per reason, the same ones the index's filter lists", async () => {
    const dashboard = await shopDashboard(services, shopA.domain);
    const counts = Object.fromEntries(dashboard.attention.map((row) => [row.reason, row.count]));
    expect(counts).toEqual({ exception: 1, failed_attempt: 1, stuck: 1, pending_too_long: 3, registration_failed: 1 });
    expect(dashboard.attention.every((row) => !row.capped && row.href.startsWith("/app/shipments?attention=1"))).toBe(true);

    const listed = await listShipments(services, shopA.id, { attention: "1" });
    const byReason: Record<string, number> = {};
    for (const row of listed.rows) for (const reason of row.attention) byReason[reason] = (byReason[reason] ?? 0) + 1;
    expect(byReason).toEqual(counts);

    // The overview it builds on: status counts kept by the pipeline.
    expect(dashboard.countsByStatus).toMatchObject({ delivered: 5, exception: 1, undelivered: 1, transit: 2, pending: 3 });
  });

  it("reports transit per carrier from the first carrier scan to delivery, in the shop's time zone", async () => {
    const dashboard = await shopDashboard(services, shopA.domain);
    expect(dashboard.performance.timeZone).toBe("UTC");
    const ups = dashboard.performance.carriers.find((row) => row.carrierCode === "ups");
    const usps = dashboard.performance.carriers.find((row) => row.carrierCode === "usps");
    expect(ups).toMatchObject({ carrierName: expect.any(String), count: 4, medianDays: 3, p90Days: 10 });
    expect(ups!.onTimeShare).toBeCloseTo(0.75);
    expect(usps).toMatchObject({ count: 1, medianDays: 1.5, p90Days: 1.5, onTimeShare: null });
    expect(dashboard.performance.sampled).toBe(5);
  });

  it("keeps shippedAt at the earliest carrier scan, never later, and ignores the label", async () => {
    const row = async (number: string) => database.db.prisma.shipment.findFirstOrThrow({ where: { shopId: shopA.id, trackingNumber: number } });
    expect((await row(upsNumber(0))).shippedAt?.toISOString()).toBe("2026-11-05T15:00:00.000Z");
    // A later scan reported afterwards does not move it.
    await applyTrackingObservation(services, shopA.id, observation(upsNumber(7), "transit", [event(at("2026-11-19T10:00:00Z"), "transit", "Arrived")]));
    expect((await row(upsNumber(7))).shippedAt?.toISOString()).toBe("2026-11-18T10:00:00.000Z");
    // An earlier scan reported late moves it earlier.
    await applyTrackingObservation(services, shopA.id, observation(upsNumber(7), "transit", [event(at("2026-11-17T09:00:00Z"), "pickup", "Picked up")]));
    expect((await row(upsNumber(7))).shippedAt?.toISOString()).toBe("2026-11-17T09:00:00.000Z");
    // Label only: not shipped.
    await applyTrackingObservation(services, shopA.id, observation(upsNumber(9), "inforeceived", [event(at("2026-11-19T09:00:00Z"), "inforeceived", "Label created")]));
    expect((await row(upsNumber(9))).shippedAt).toBeNull();
    // First observed with events already stored (e.g. imported before this column existed): computed from them.
    const dhl = await row(DHL);
    await database.db.prisma.trackingEvent.create({
      data: { shipmentId: dhl.id, identity: "stored-scan", occurredAt: at("2026-11-03T07:00:00Z"), zoneKnown: true, status: "transit", description: "Shipment picked up", source: "trackingmore", receivedAt: at(NOW) },
    });
    await applyTrackingObservation(services, shopA.id, observation(DHL, "transit", [event(at("2026-11-04T07:00:00Z"), "transit", "Processed")]));
    expect((await row(DHL)).shippedAt?.toISOString()).toBe("2026-11-03T07:00:00.000Z");
  });

  it("shows when provider data last arrived", async () => {
    const dashboard = await shopDashboard(services, shopA.domain);
    expect(dashboard.sync.lastDataReceivedAt).toBe(NOW);
  });

  it("keeps the shops apart", async () => {
    const dashboard = await shopDashboard(services, shopB.domain);
    const counts = Object.fromEntries(dashboard.attention.map((row) => [row.reason, row.count]));
    expect(counts).toEqual({ exception: 1, failed_attempt: 0, stuck: 0, pending_too_long: 1, registration_failed: 0 });
    expect(dashboard.performance.carriers.map((row) => [row.carrierCode, row.count])).toEqual([["ups", 1]]);
  });

  it("shows the checklist until a provider is connected and the merchant hides it", async () => {
    const lonely = await ensureShop(services, "dash-new.myshopify.com");
    expect((await shopDashboard(services, lonely.domain)).checklist).toMatchObject({
      visible: true,
      providerConnected: false,
      themeEditorUrl: "https://dash-new.myshopify.com/admin/themes/current/editor?context=apps",
    });
    // Dismissed without a provider: still shown, the first step is not done.
    await dismissChecklist(services, lonely.domain);
    expect((await shopDashboard(services, lonely.domain)).checklist).toMatchObject({ visible: true, dismissed: true });

    expect((await shopDashboard(services, shopA.domain)).checklist).toMatchObject({ visible: true, providerConnected: true, dismissed: false });
    await dismissChecklist(services, shopA.domain);
    expect((await shopDashboard(services, shopA.domain)).checklist).toMatchObject({ visible: false });
    expect((await shopDashboard(services, shopB.domain)).checklist.visible).toBe(true);
  });
});

describe(`provider quota on the dashboard on ${testDialect()}`, () => {
  let trackingMore: TrackingMoreSimulator;
  let tracktry: TracktrySimulator;
  let quotaServices: ServiceContext;
  const quotaClock = new TestClock("2026-11-20T12:00:00.000Z");
  /** Past the throttle's 1 request/s spacing, so each case starts with a free slot. */
  const nextSecond = () => quotaClock.set(new Date(quotaClock.now().getTime() + 2_000).toISOString());
  const accountCalls = (sim: { calls: ReadonlyArray<{ path: string; apiKey: string | null }> }, apiKey: string) =>
    sim.calls.filter((call) => call.path.endsWith("/trackings/getuserinfo") && call.apiKey === apiKey).length;

  beforeAll(async () => {
    trackingMore = await startTrackingMoreSimulator({ rateLimits: { v2: Infinity, v4Other: Infinity } });
    tracktry = await startTracktrySimulator({ rateLimits: { perKey: Infinity, realtime: Infinity } });
    quotaServices = createTestServices(database.db, { clock: quotaClock, trackingMoreBaseUrl: trackingMore.url, tracktryBaseUrl: tracktry.url });
  });

  afterAll(async () => {
    await trackingMore?.close();
    await tracktry?.close();
  });

  beforeEach(() => {
    forgetProviderQuotas();
    nextSecond();
  });

  it("shows what TrackingMore v2 has left, asks once per account within the cache time, and again after it", async () => {
    trackingMore.addAccount({ apiKey: "tm-v2-quota-abcdefgh", credits: 1234 });
    const shop = await createShopWithTrackingMore(quotaServices, { domain: "quota-v2.myshopify.com", apiKey: "tm-v2-quota-abcdefgh", apiVersion: "v2" });
    expect(await providerQuotas(quotaServices, shop.domain)).toEqual([{ provider: "trackingmore", state: "remaining", remaining: 1234 }]);

    // A second shop on the same TrackingMore account shares the answer: no second call.
    const sibling = await createShopWithTrackingMore(quotaServices, { domain: "quota-v2-sibling.myshopify.com", apiKey: "tm-v2-quota-abcdefgh", apiVersion: "v2" });
    trackingMore.setCredits("tm-v2-quota-abcdefgh", 1000);
    const [again, siblings] = await Promise.all([providerQuotas(quotaServices, shop.domain), providerQuotas(quotaServices, sibling.domain)]);
    expect(again).toEqual([{ provider: "trackingmore", state: "remaining", remaining: 1234 }]);
    expect(siblings).toEqual(again);
    expect(accountCalls(trackingMore, "tm-v2-quota-abcdefgh")).toBe(1);

    quotaClock.set(new Date(quotaClock.now().getTime() + QUOTA_CACHE_MS + 1).toISOString());
    expect(await providerQuotas(quotaServices, shop.domain)).toEqual([{ provider: "trackingmore", state: "remaining", remaining: 1000 }]);
    expect(accountCalls(trackingMore, "tm-v2-quota-abcdefgh")).toBe(2);
  });

  it("shows Tracktry's numbers left this month; TrackingMore v4 and UPS report none and are not asked", async () => {
    tracktry.addAccount({ apiKey: "tt-quota-abcdefgh", monthlyQuota: 500, remaining: 321 });
    trackingMore.addAccount({ apiKey: "tm-v4-quota-abcdefgh" });
    const shop = await createShopWithTrackingMore(quotaServices, { domain: "quota-mixed.myshopify.com", apiKey: "tm-v4-quota-abcdefgh", apiVersion: "v4" });
    await connectProvider(quotaServices, shop.id, { provider: "tracktry", credentials: { apiKey: "tt-quota-abcdefgh" } });
    await connectProvider(quotaServices, shop.id, { provider: "ups", credentials: { clientId: "ups-quota-client", clientSecret: "ups-quota-secret" } });
    const callsBefore = trackingMore.calls.length;

    expect(await providerQuotas(quotaServices, shop.domain)).toEqual([
      { provider: "trackingmore", state: "not_reported" },
      { provider: "tracktry", state: "remaining", remaining: 321 },
      { provider: "ups", state: "not_reported" },
    ]);
    expect(trackingMore.calls.length).toBe(callsBefore);
    expect(accountCalls(tracktry, "tt-quota-abcdefgh")).toBe(1);
  });

  it("does not ask for a blocked account (the page's banner says what to do) and says why when the provider refuses", async () => {
    trackingMore.addAccount({ apiKey: "tm-v2-blocked-abcdefgh" });
    const blocked = await createShopWithTrackingMore(quotaServices, { domain: "quota-blocked.myshopify.com", apiKey: "tm-v2-blocked-abcdefgh", apiVersion: "v2" });
    await database.db.prisma.providerAccount.updateMany({ where: { shopId: blocked.id }, data: { blockedReason: "auth_failed", blockedMessage: "Invalid API key." } });
    expect(await providerQuotas(quotaServices, blocked.domain)).toEqual([{ provider: "trackingmore", state: "blocked" }]);
    expect(accountCalls(trackingMore, "tm-v2-blocked-abcdefgh")).toBe(0);

    trackingMore.addAccount({ apiKey: "tm-v2-deleted-abcdefgh" });
    const refused = await createShopWithTrackingMore(quotaServices, { domain: "quota-refused.myshopify.com", apiKey: "tm-v2-deleted-abcdefgh", apiVersion: "v2" });
    trackingMore.deleteKey("tm-v2-deleted-abcdefgh");
    expect(await providerQuotas(quotaServices, refused.domain)).toEqual([{ provider: "trackingmore", state: "unavailable", problem: "bad_credentials" }]);
    // A refusal is kept for less time than an answer, then asked again.
    quotaClock.set(new Date(quotaClock.now().getTime() + QUOTA_FAILURE_CACHE_MS + 1).toISOString());
    trackingMore.addAccount({ apiKey: "tm-v2-deleted-abcdefgh", credits: 7 });
    expect(await providerQuotas(quotaServices, refused.domain)).toEqual([{ provider: "trackingmore", state: "remaining", remaining: 7 }]);
  });

  it("answers only for the session's own shop", async () => {
    expect(await providerQuotas(quotaServices, "quota-nobody.myshopify.com")).toEqual([]);
  });
});
