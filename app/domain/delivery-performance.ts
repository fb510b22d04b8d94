/**
 * Delivery performance from a shop's own delivered history: how long each carrier takes from the
 * first carrier scan to delivery, and how often it delivers by the date it promised. The admin
 * dashboard charts it per carrier; the tracking page uses the same history to predict a delivery
 * date when the carrier gives none. Pure: callers load the rows.
 */

const DAY_MS = 24 * 60 * 60_000;

export interface DeliveredShipment {
  carrierCode: string | null;
  destinationCountry: string | null;
  /** First carrier scan (not the label being printed). */
  shippedAt: Date;
  deliveredAt: Date;
  /** The carrier's estimate as last known before delivery, if it gave one. */
  estimatedDeliveryAt: Date | null;
}

export interface TransitStats {
  /** Delivered shipments the figures are based on. */
  count: number;
  medianDays: number;
  p90Days: number;
  /** Share (0–1) of shipments with an estimate that arrived on or before the estimated day; null when none had one. */
  onTimeShare: number | null;
}

/** Transit days as a customer counts them: fractional, never negative (clock skew between scans). */
export function transitDays(shipment: Pick<DeliveredShipment, "shippedAt" | "deliveredAt">): number {
  return Math.max(0, (shipment.deliveredAt.getTime() - shipment.shippedAt.getTime()) / DAY_MS);
}

/** Nearest-rank percentile of an ascending list; NaN for an empty one. */
export function percentileOf(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Delivered by the estimated day: compared by calendar day in the shop's time zone, as the promise was made. */
function deliveredOnTime(shipment: DeliveredShipment, timeZone: string): boolean | null {
  if (!shipment.estimatedDeliveryAt) return null;
  return calendarDay(shipment.deliveredAt, timeZone) <= calendarDay(shipment.estimatedDeliveryAt, timeZone);
}

function calendarDay(date: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD, which sorts as a string.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

export function transitStats(shipments: readonly DeliveredShipment[], timeZone = "UTC"): TransitStats | null {
  if (shipments.length === 0) return null;
  const days = shipments.map(transitDays).sort((a, b) => a - b);
  const verdicts = shipments.map((shipment) => deliveredOnTime(shipment, timeZone)).filter((verdict): verdict is boolean => verdict !== null);
  return {
    count: shipments.length,
    medianDays: percentileOf(days, 50),
    p90Days: percentileOf(days, 90),
    onTimeShare: verdicts.length === 0 ? null : verdicts.filter(Boolean).length / verdicts.length,
  };
}

/** Per carrier, largest volume first; shipments without a known carrier are left out. */
export function performanceByCarrier(shipments: readonly DeliveredShipment[], timeZone = "UTC"): Array<{ carrierCode: string } & TransitStats> {
  const groups = new Map<string, DeliveredShipment[]>();
  for (const shipment of shipments) {
    if (!shipment.carrierCode) continue;
    const group = groups.get(shipment.carrierCode) ?? [];
    group.push(shipment);
    groups.set(shipment.carrierCode, group);
  }
  return [...groups]
    .map(([carrierCode, group]) => ({ carrierCode, ...transitStats(group, timeZone)! }))
    .sort((a, b) => b.count - a.count || a.carrierCode.localeCompare(b.carrierCode));
}

export interface DeliveryPrediction {
  /** Most likely delivery time: shipped + median transit. */
  expectedAt: Date;
  /** A range covering most deliveries: shipped + 10th to 90th percentile. */
  earliestAt: Date;
  latestAt: Date;
  basis: { carrierCode: string; destinationCountry: string | null; sampleSize: number };
}

/** Fewer deliveries than this say too little to promise a date from. */
export const MIN_PREDICTION_SAMPLE = 20;

/** The destination of a statistic over a carrier's deliveries to every country. */
export const ANY_DESTINATION = "*";

/** Transit days of a shop's deliveries with one carrier to one country (or to `ANY_DESTINATION`). */
export interface TransitStatistic {
  carrierCode: string;
  destinationCountry: string;
  sampleSize: number;
  p10Days: number;
  medianDays: number;
  p90Days: number;
}

const MINUTES_PER_DAY = 24 * 60;

/**
 * Transit times of delivered shipments per (carrier, country) and per carrier, fed one page of
 * history at a time. Times are counted per whole minute of transit, so memory grows with the
 * number of distinct transit times (bounded), not with the number of deliveries.
 */
export class TransitTimeTally {
  private readonly groups = new Map<string, { carrierCode: string; destinationCountry: string; total: number; minutes: Map<number, number> }>();

  add(shipment: Pick<DeliveredShipment, "carrierCode" | "destinationCountry" | "shippedAt" | "deliveredAt">): void {
    if (!shipment.carrierCode) return;
    const minutes = Math.round(transitDays(shipment) * MINUTES_PER_DAY);
    const country = shipment.destinationCountry?.trim().toUpperCase();
    this.count(shipment.carrierCode, ANY_DESTINATION, minutes);
    if (country) this.count(shipment.carrierCode, country, minutes);
  }

  private count(carrierCode: string, destinationCountry: string, minutes: number): void {
    const key = `${carrierCode}\u0000${destinationCountry}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { carrierCode, destinationCountry, total: 0, minutes: new Map() };
      this.groups.set(key, group);
    }
    group.total += 1;
    group.minutes.set(minutes, (group.minutes.get(minutes) ?? 0) + 1);
  }

  /** Groups with at least `minSample` deliveries: fewer would not be used for a prediction anyway. */
  statistics(minSample = MIN_PREDICTION_SAMPLE): TransitStatistic[] {
    return [...this.groups.values()]
      .filter((group) => group.total >= minSample)
      .map((group) => {
        const ascending = [...group.minutes].sort((a, b) => a[0] - b[0]);
        // Nearest rank, as `percentileOf`, over counted values.
        const percentile = (p: number) => {
          const rank = Math.min(group.total, Math.max(1, Math.ceil((p / 100) * group.total)));
          let seen = 0;
          for (const [minutes, count] of ascending) {
            seen += count;
            if (seen >= rank) return minutes / MINUTES_PER_DAY;
          }
          return Number.NaN;
        };
        return {
          carrierCode: group.carrierCode,
          destinationCountry: group.destinationCountry,
          sampleSize: group.total,
          p10Days: percentile(10),
          medianDays: percentile(50),
          p90Days: percentile(90),
        };
      })
      .sort((a, b) => a.carrierCode.localeCompare(b.carrierCode) || a.destinationCountry.localeCompare(b.destinationCountry));
  }
}

/**
 * Predict a delivery window for a shipment the carrier gave no estimate for, from this shop's
 * deliveries with the same carrier to the same country, or with the same carrier anywhere when
 * that country has too few. Null when neither has enough history: better no date than a wrong one.
 */
export function predictFromStatistics(
  statistics: readonly TransitStatistic[],
  shipment: { carrierCode: string | null; destinationCountry: string | null; shippedAt: Date },
): DeliveryPrediction | null {
  const { carrierCode } = shipment;
  if (!carrierCode) return null;
  const country = shipment.destinationCountry?.trim().toUpperCase();
  const usable = (destination: string) =>
    statistics.find((row) => row.carrierCode === carrierCode && row.destinationCountry === destination && row.sampleSize >= MIN_PREDICTION_SAMPLE);
  const basis = (country ? usable(country) : undefined) ?? usable(ANY_DESTINATION);
  if (!basis) return null;
  const at = (days: number) => new Date(shipment.shippedAt.getTime() + days * DAY_MS);
  return {
    expectedAt: at(basis.medianDays),
    earliestAt: at(basis.p10Days),
    latestAt: at(basis.p90Days),
    basis: { carrierCode, destinationCountry: basis.destinationCountry === ANY_DESTINATION ? null : basis.destinationCountry, sampleSize: basis.sampleSize },
  };
}

/** `predictFromStatistics` over raw history (tests, small shops); the tracking page reads stored statistics. */
export function predictDelivery(
  history: readonly DeliveredShipment[],
  shipment: { carrierCode: string | null; destinationCountry: string | null; shippedAt: Date },
): DeliveryPrediction | null {
  const tally = new TransitTimeTally();
  for (const past of history) if (past.carrierCode === shipment.carrierCode) tally.add(past);
  return predictFromStatistics(tally.statistics(), shipment);
}
