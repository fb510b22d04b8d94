import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANY_DESTINATION, MIN_PREDICTION_SAMPLE, predictDelivery, type DeliveredShipment } from "~/domain/delivery-performance";
import { JOB_TYPES } from "~/jobs/job-types";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JobRunner } from "~/jobs/runner.server";
import { schedulePeriodicWork } from "~/jobs/scheduler.server";
import type { ServiceContext } from "~/services/context.server";
import { loadPrediction, refreshTransitStatistics, TRANSIT_STATISTICS_WINDOW_DAYS } from "~/services/transit-statistics.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, type ShopFixture } from "../support/factories";
import { createTestServices } from "../support/services";
import { deleteJobs, listJobs } from "../support/jobs";

/**
 * Transit statistics on the run's database: computed in keyset pages from the shop's delivered
 * shipments of the last 180 days, per carrier and country and per carrier, stored, pruned when a
 * route drops out, and read back as the tracking page's prediction. The domain's `predictDelivery`
 * over the same history is the reference: the stored figures must agree with it.
 */

const DAY = 24 * 60 * 60_000;
const NOW = "2026-11-24T12:00:00.000Z";

let database: TestDatabase;
let services: ServiceContext;
const clock = new TestClock(NOW);
let shop: ShopFixture;
let otherShop: ShopFixture;
let sequence = 0;

interface Seed {
  carrierCode: string | null;
  destinationCountry: string | null;
  transitDays: number;
  /** Days before NOW the parcel was delivered. */
  deliveredDaysAgo: number;
  status?: string;
  shippedAt?: "none";
}

async function seed(target: ShopFixture, rows: Seed[]): Promise<DeliveredShipment[]> {
  const now = new Date(NOW).getTime();
  const data = rows.map((row) => {
    const deliveredAt = new Date(now - row.deliveredDaysAgo * DAY);
    return {
      shopId: target.id,
      trackingNumber: `TS${String(++sequence).padStart(8, "0")}`,
      provider: "trackingmore",
      carrierCode: row.carrierCode,
      destinationCountry: row.destinationCountry,
      status: row.status ?? "delivered",
      deliveredAt,
      shippedAt: row.shippedAt === "none" ? null : new Date(deliveredAt.getTime() - row.transitDays * DAY),
    };
  });
  await database.db.prisma.shipment.createMany({ data });
  return data.flatMap((row) =>
    row.status === "delivered" && row.shippedAt
      ? [{ carrierCode: row.carrierCode, destinationCountry: row.destinationCountry, shippedAt: row.shippedAt, deliveredAt: row.deliveredAt, estimatedDeliveryAt: null }]
      : [],
  );
}

async function storedStatistics(shopId: string) {
  const rows = await database.db.prisma.transitStatistic.findMany({ where: { shopId }, orderBy: [{ carrierCode: "asc" }, { destinationCountry: "asc" }] });
  return rows.map(({ carrierCode, destinationCountry, sampleSize, p10Days, medianDays, p90Days }) => ({ carrierCode, destinationCountry, sampleSize, p10Days, medianDays, p90Days }));
}

/** Transit 2..6 days (and a quarter day on top, so minutes count), repeating. */
const spread = (i: number) => 2 + (i % 5) + 0.25;

let inWindow: DeliveredShipment[];

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db, { clock });
  shop = await createShopWithTrackingMore(services, { domain: `stats-${testDialect()}.myshopify.com`, apiKey: "tm-stats-abcdefgh" });
  otherShop = await createShopWithTrackingMore(services, { domain: `stats-other-${testDialect()}.myshopify.com`, apiKey: "tm-stats-other-abcdefgh" });

  // UPS to the US: 30 deliveries; 12 of them delivered at the very same instant, so pages split ties.
  const usTies = Array.from({ length: 12 }, (_, i): Seed => ({ carrierCode: "ups", destinationCountry: "US", transitDays: spread(i), deliveredDaysAgo: 10 }));
  const usSpread = Array.from({ length: 18 }, (_, i): Seed => ({ carrierCode: "ups", destinationCountry: "US", transitDays: spread(i + 3), deliveredDaysAgo: 5 + i * 3 }));
  // UPS to Canada: too few for a country figure, they count towards UPS anywhere.
  const ca = Array.from({ length: 5 }, (_, i): Seed => ({ carrierCode: "ups", destinationCountry: "ca", transitDays: 8 + i, deliveredDaysAgo: 20 + i }));
  // DHL to Germany: exactly the minimum, delivered 150–169 days ago (in the window today, not in 40 days).
  const de = Array.from({ length: MIN_PREDICTION_SAMPLE }, (_, i): Seed => ({ carrierCode: "dhl", destinationCountry: "DE", transitDays: 1 + (i % 3), deliveredDaysAgo: 150 + i }));
  // Never counted: outside the window, not delivered, no first scan, no carrier.
  const ignored: Seed[] = [
    ...Array.from({ length: 25 }, (): Seed => ({ carrierCode: "ups", destinationCountry: "US", transitDays: 30, deliveredDaysAgo: TRANSIT_STATISTICS_WINDOW_DAYS + 1 })),
    ...Array.from({ length: 25 }, (): Seed => ({ carrierCode: "ups", destinationCountry: "US", transitDays: 30, deliveredDaysAgo: 1, status: "exception" })),
    ...Array.from({ length: 25 }, (): Seed => ({ carrierCode: "ups", destinationCountry: "US", transitDays: 30, deliveredDaysAgo: 1, shippedAt: "none" })),
    ...Array.from({ length: 25 }, (): Seed => ({ carrierCode: null, destinationCountry: "US", transitDays: 30, deliveredDaysAgo: 1 })),
  ];
  inWindow = [...(await seed(shop, [...usTies, ...usSpread, ...ca, ...de, ...ignored])).filter((row) => row.carrierCode && row.deliveredAt.getTime() >= new Date(NOW).getTime() - TRANSIT_STATISTICS_WINDOW_DAYS * DAY)];
  // Another shop's deliveries: slow UPS to the US, never part of this shop's figures.
  await seed(otherShop, Array.from({ length: 30 }, (): Seed => ({ carrierCode: "ups", destinationCountry: "US", transitDays: 40, deliveredDaysAgo: 3 })));
}, 120_000);

afterAll(async () => {
  await database?.dispose();
});

describe(`transit statistics on ${testDialect()}`, () => {
  it("stores p10, median and p90 per carrier and country and per carrier, agreeing with the domain's prediction", async () => {
    const outcome = await refreshTransitStatistics(services, shop.id);
    expect(outcome).toEqual({ result: "REFRESHED", deliveries: 30 + 5 + MIN_PREDICTION_SAMPLE, statistics: 4, removed: 0 });

    const stored = await storedStatistics(shop.id);
    expect(stored.map((row) => [row.carrierCode, row.destinationCountry, row.sampleSize])).toEqual([
      ["dhl", ANY_DESTINATION, MIN_PREDICTION_SAMPLE],
      ["dhl", "DE", MIN_PREDICTION_SAMPLE],
      ["ups", ANY_DESTINATION, 35],
      ["ups", "US", 30],
    ]);
    const ups = stored.find((row) => row.carrierCode === "ups" && row.destinationCountry === "US")!;
    expect([ups.p10Days, ups.medianDays, ups.p90Days]).toEqual([2.25, 4.25, 6.25]);

    // The same rule as predicting from raw history.
    const shippedAt = new Date(NOW);
    for (const [carrierCode, destinationCountry] of [["ups", "US"], ["ups", "CA"], ["ups", "FR"], ["dhl", "DE"], ["fedex", "US"]] as const) {
      const fromHistory = predictDelivery(inWindow, { carrierCode, destinationCountry, shippedAt });
      const fromStatistics = await loadPrediction(services, shop.id, { carrierCode, destinationCountry, shippedAt });
      expect(fromStatistics, `${carrierCode} → ${destinationCountry}`).toEqual(fromHistory);
    }
  });

  it("prefers the destination country, falls back to the carrier anywhere, and predicts nothing without a first scan or history", async () => {
    await refreshTransitStatistics(services, shop.id);
    const shippedAt = new Date("2026-11-23T08:00:00Z");
    const toUs = await loadPrediction(services, shop.id, { carrierCode: "ups", destinationCountry: "us", shippedAt });
    expect(toUs?.basis).toEqual({ carrierCode: "ups", destinationCountry: "US", sampleSize: 30 });
    expect(toUs?.expectedAt.toISOString()).toBe("2026-11-27T14:00:00.000Z");
    const toCanada = await loadPrediction(services, shop.id, { carrierCode: "ups", destinationCountry: "CA", shippedAt });
    expect(toCanada?.basis).toEqual({ carrierCode: "ups", destinationCountry: null, sampleSize: 35 });
    expect(await loadPrediction(services, shop.id, { carrierCode: "ups", destinationCountry: null, shippedAt })).toMatchObject({ basis: { sampleSize: 35 } });
    expect(await loadPrediction(services, shop.id, { carrierCode: "ups", destinationCountry: "US", shippedAt: null })).toBeNull();
    expect(await loadPrediction(services, shop.id, { carrierCode: "fedex", destinationCountry: "US", shippedAt })).toBeNull();
    expect(await loadPrediction(services, otherShop.id, { carrierCode: "dhl", destinationCountry: "DE", shippedAt })).toBeNull();
  });

  it("reads in pages without losing or repeating deliveries that share an instant", async () => {
    await refreshTransitStatistics(services, shop.id);
    const whole = await storedStatistics(shop.id);
    for (const pageSize of [1, 5, 7, 12]) {
      const outcome = await refreshTransitStatistics(services, shop.id, pageSize);
      expect(outcome.deliveries, `page size ${pageSize}`).toBe(30 + 5 + MIN_PREDICTION_SAMPLE);
      expect(await storedStatistics(shop.id)).toEqual(whole);
    }
  });

  it("removes a route whose deliveries left the window, and leaves other shops alone", async () => {
    await refreshTransitStatistics(services, otherShop.id);
    const otherBefore = await storedStatistics(otherShop.id);
    expect(otherBefore.map((row) => [row.destinationCountry, row.medianDays])).toEqual([
      [ANY_DESTINATION, 40],
      ["US", 40],
    ]);

    clock.set(new Date(new Date(NOW).getTime() + 40 * DAY));
    try {
      const outcome = await refreshTransitStatistics(services, shop.id);
      expect(outcome).toMatchObject({ statistics: 2, removed: 2 });
      expect((await storedStatistics(shop.id)).map((row) => `${row.carrierCode}:${row.destinationCountry}`)).toEqual(["ups:*", "ups:US"]);
      expect(await loadPrediction(services, shop.id, { carrierCode: "dhl", destinationCountry: "DE", shippedAt: clock.now() })).toBeNull();
      expect(await storedStatistics(otherShop.id)).toEqual(otherBefore);
    } finally {
      clock.set(NOW);
      await refreshTransitStatistics(services, shop.id);
    }
  });

  it("is refreshed by a job the scheduler queues once per shop and day", async () => {
    await database.db.prisma.transitStatistic.deleteMany({ where: { shopId: shop.id } });
    await deleteJobs(database.db);
    const refreshJobs = () => listJobs(database.db, { type: JOB_TYPES.refreshTransitStatistics, shopId: shop.id });

    await schedulePeriodicWork(services);
    clock.advance(60_000);
    await schedulePeriodicWork(services);
    expect(await refreshJobs()).toHaveLength(1);

    // Only the refresh: the polls the scheduler also queued are not what this test is about.
    await deleteJobs(database.db, { notType: JOB_TYPES.refreshTransitStatistics });
    await new JobRunner(services, ALL_JOBS).drain();
    expect((await refreshJobs()).map((job) => [job.state, job.result])).toEqual([["succeeded", "REFRESHED"]]);
    expect(await storedStatistics(shop.id)).toHaveLength(4);

    clock.advance(DAY);
    await schedulePeriodicWork(services);
    expect(await refreshJobs()).toHaveLength(2);
    clock.set(NOW);
  });
});
