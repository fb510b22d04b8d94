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

/**
 * Predict a delivery window for a shipment the carrier gave no estimate for, from this shop's
 * deliveries with the same carrier to the same country, or with the same carrier anywhere when
 * that country has too few. Null when neither has enough history: better no date than a wrong one.
 */
export function predictDelivery(
  history: readonly DeliveredShipment[],
  shipment: { carrierCode: string | null; destinationCountry: string | null; shippedAt: Date },
): DeliveryPrediction | null {
  if (!shipment.carrierCode) return null;
  const sameCarrier = history.filter((past) => past.carrierCode === shipment.carrierCode);
  const sameRoute = shipment.destinationCountry ? sameCarrier.filter((past) => past.destinationCountry === shipment.destinationCountry) : [];
  const [basis, country] =
    sameRoute.length >= MIN_PREDICTION_SAMPLE ? [sameRoute, shipment.destinationCountry] : sameCarrier.length >= MIN_PREDICTION_SAMPLE ? [sameCarrier, null] : [null, null];
  if (!basis) return null;
  const days = basis.map(transitDays).sort((a, b) => a - b);
  const at = (d: number) => new Date(shipment.shippedAt.getTime() + d * DAY_MS);
  return {
    expectedAt: at(percentileOf(days, 50)),
    earliestAt: at(percentileOf(days, 10)),
    latestAt: at(percentileOf(days, 90)),
    basis: { carrierCode: shipment.carrierCode, destinationCountry: country, sampleSize: basis.length },
  };
}
