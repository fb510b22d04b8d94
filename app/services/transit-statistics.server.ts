import {
  ANY_DESTINATION,
  TransitTimeTally,
  predictFromStatistics,
  type DeliveryPrediction,
  type TransitStatistic,
} from "~/domain/delivery-performance";
import type { ServiceContext } from "./context.server";

/**
 * Transit-time statistics per shop, carrier and destination country, kept in TransitStatistic so
 * that the tracking page predicts a delivery date with one indexed read instead of going through
 * the shop's delivered history on every lookup. Refreshed daily by a job.
 */

const DAY_MS = 24 * 60 * 60_000;
/** Deliveries of the last this many days count: recent enough to reflect how carriers perform now. */
export const TRANSIT_STATISTICS_WINDOW_DAYS = 180;
/** Deliveries read per query: a shop with a million shipments is read in pages, never at once. */
export const TRANSIT_STATISTICS_PAGE_SIZE = 2_000;

export interface TransitStatisticsRefresh {
  result: "REFRESHED";
  /** Delivered shipments the statistics were computed from. */
  deliveries: number;
  statistics: number;
  removed: number;
}

export async function refreshTransitStatistics(ctx: ServiceContext, shopId: string, pageSize = TRANSIT_STATISTICS_PAGE_SIZE): Promise<TransitStatisticsRefresh> {
  const prisma = ctx.db.prisma;
  const computedAt = ctx.clock.now();
  const since = new Date(computedAt.getTime() - TRANSIT_STATISTICS_WINDOW_DAYS * DAY_MS);
  const tally = new TransitTimeTally();
  let deliveries = 0;
  // Keyset pages over the index (shopId, status, deliveredAt): each page starts where the last one
  // ended, so the database never scans the window again; ids break ties between equal instants.
  let after: { deliveredAt: Date; id: string } | null = null;
  for (;;) {
    const page: Array<{ id: string; carrierCode: string | null; destinationCountry: string | null; shippedAt: Date | null; deliveredAt: Date | null }> =
      await prisma.shipment.findMany({
        where: {
          shopId,
          status: "delivered",
          deliveredAt: { gte: after ? after.deliveredAt : since },
          ...(after ? { NOT: { deliveredAt: after.deliveredAt, id: { lte: after.id } } } : {}),
        },
        orderBy: [{ deliveredAt: "asc" }, { id: "asc" }],
        take: pageSize,
        select: { id: true, carrierCode: true, destinationCountry: true, shippedAt: true, deliveredAt: true },
      });
    for (const row of page) {
      if (!row.carrierCode || !row.shippedAt || !row.deliveredAt) continue;
      tally.add({ carrierCode: row.carrierCode, destinationCountry: row.destinationCountry, shippedAt: row.shippedAt, deliveredAt: row.deliveredAt });
      deliveries += 1;
    }
    const last = page.at(-1);
    if (page.length < pageSize || !last?.deliveredAt) break;
    after = { deliveredAt: last.deliveredAt, id: last.id };
  }

  const statistics = tally.statistics();
  const fresh = new Set(statistics.map((row) => `${row.carrierCode}\u0000${row.destinationCountry}`));
  const removed = await prisma.$transaction(async (tx) => {
    for (const row of statistics) {
      const values = { sampleSize: row.sampleSize, p10Days: row.p10Days, medianDays: row.medianDays, p90Days: row.p90Days, computedAt };
      await tx.transitStatistic.upsert({
        where: { shopId_carrierCode_destinationCountry: { shopId, carrierCode: row.carrierCode, destinationCountry: row.destinationCountry } },
        create: { shopId, carrierCode: row.carrierCode, destinationCountry: row.destinationCountry, ...values },
        update: values,
      });
    }
    // Routes whose deliveries fell out of the window (or below the minimum sample) predict nothing any more.
    const stored = await tx.transitStatistic.findMany({ where: { shopId }, select: { carrierCode: true, destinationCountry: true } });
    const stale = stored.filter((row) => !fresh.has(`${row.carrierCode}\u0000${row.destinationCountry}`));
    for (const row of stale) {
      await tx.transitStatistic.delete({ where: { shopId_carrierCode_destinationCountry: { shopId, ...row } } });
    }
    return stale.length;
  });
  ctx.log.info({ shopId, deliveries, statistics: statistics.length, removed }, "transit statistics refreshed");
  return { result: "REFRESHED", deliveries, statistics: statistics.length, removed };
}

/** The shop's prediction for a shipment the carrier gave no date for; null before its first carrier scan. */
export async function loadPrediction(
  ctx: ServiceContext,
  shopId: string,
  shipment: { carrierCode: string | null; destinationCountry: string | null; shippedAt: Date | null },
): Promise<DeliveryPrediction | null> {
  const { carrierCode, shippedAt } = shipment;
  if (!carrierCode || !shippedAt) return null;
  const country = shipment.destinationCountry?.trim().toUpperCase();
  // Primary key (shopId, carrierCode, destinationCountry): at most two rows.
  const rows: TransitStatistic[] = await ctx.db.prisma.transitStatistic.findMany({
    where: { shopId, carrierCode, destinationCountry: { in: country ? [country, ANY_DESTINATION] : [ANY_DESTINATION] } },
    select: { carrierCode: true, destinationCountry: true, sampleSize: true, p10Days: true, medianDays: true, p90Days: true },
  });
  return predictFromStatistics(rows, { carrierCode, destinationCountry: country ?? null, shippedAt });
}
