import { describe, expect, it } from "vitest";
import {
  ANY_DESTINATION,
  type DeliveredShipment,
  MIN_PREDICTION_SAMPLE,
  predictFromStatistics,
  TransitTimeTally,
  percentileOf,
  performanceByCarrier,
  predictDelivery,
  transitDays,
  transitStats,
} from "~/domain/delivery-performance";

const DAY = 24 * 60 * 60_000;
const SHIPPED = new Date("2026-11-02T09:00:00Z");

function delivered(days: number, overrides: Partial<DeliveredShipment> = {}): DeliveredShipment {
  return {
    carrierCode: "ups",
    destinationCountry: "US",
    shippedAt: SHIPPED,
    deliveredAt: new Date(SHIPPED.getTime() + days * DAY),
    estimatedDeliveryAt: null,
    ...overrides,
  };
}

describe("percentileOf (nearest rank)", () => {
  it("picks the ranked element, clamped to the list", () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileOf(sorted, 50)).toBe(5);
    expect(percentileOf(sorted, 90)).toBe(9);
    expect(percentileOf(sorted, 100)).toBe(10);
    expect(percentileOf(sorted, 0)).toBe(1);
    expect(percentileOf([], 50)).toBeNaN();
  });
});

describe("transitStats", () => {
  it("median and 90th percentile of transit days", () => {
    const stats = transitStats([1, 2, 2, 3, 3, 3, 4, 5, 9, 12].map((d) => delivered(d)))!;
    expect(stats).toMatchObject({ count: 10, medianDays: 3, p90Days: 9, onTimeShare: null });
  });

  it("scan clocks that disagree never make a negative transit", () => {
    expect(transitDays(delivered(-0.1))).toBe(0);
  });

  it("on time means delivered on or before the promised calendar day in the shop's zone", () => {
    const promised = new Date("2026-11-05T03:00:00Z"); // 4 Nov in New York, 5 Nov in UTC
    const lateEvening = new Date("2026-11-05T02:30:00Z"); // still 4 Nov in New York
    const nextMorning = new Date("2026-11-05T14:00:00Z");
    const shipments = [
      delivered(0, { deliveredAt: lateEvening, estimatedDeliveryAt: promised }),
      delivered(0, { deliveredAt: nextMorning, estimatedDeliveryAt: promised }),
      delivered(2),
    ];
    expect(transitStats(shipments, "America/New_York")!.onTimeShare).toBe(0.5);
    expect(transitStats(shipments, "UTC")!.onTimeShare).toBe(1);
  });

  it("no deliveries, no figures", () => {
    expect(transitStats([])).toBeNull();
  });
});

describe("performanceByCarrier", () => {
  it("groups by carrier, largest volume first, and leaves out unknown carriers", () => {
    const rows = performanceByCarrier([
      delivered(2, { carrierCode: "usps" }),
      delivered(3),
      delivered(5),
      delivered(4),
      delivered(1, { carrierCode: null }),
    ]);
    expect(rows.map((row) => [row.carrierCode, row.count, row.medianDays])).toEqual([
      ["ups", 3, 4],
      ["usps", 1, 2],
    ]);
  });
});

describe("predictDelivery", () => {
  const history = [
    ...Array.from({ length: MIN_PREDICTION_SAMPLE }, (_, i) => delivered(2 + (i % 5), { destinationCountry: "US" })),
    ...Array.from({ length: 5 }, () => delivered(9, { destinationCountry: "CA" })),
  ];

  it("uses the same carrier and country when there is enough history", () => {
    const prediction = predictDelivery(history, { carrierCode: "ups", destinationCountry: "US", shippedAt: SHIPPED })!;
    expect(prediction.basis).toEqual({ carrierCode: "ups", destinationCountry: "US", sampleSize: MIN_PREDICTION_SAMPLE });
    expect((prediction.expectedAt.getTime() - SHIPPED.getTime()) / DAY).toBe(4);
    expect((prediction.earliestAt.getTime() - SHIPPED.getTime()) / DAY).toBe(2);
    expect((prediction.latestAt.getTime() - SHIPPED.getTime()) / DAY).toBe(6);
  });

  it("falls back to the carrier anywhere when the country has too few deliveries", () => {
    const prediction = predictDelivery(history, { carrierCode: "ups", destinationCountry: "CA", shippedAt: SHIPPED })!;
    expect(prediction.basis).toEqual({ carrierCode: "ups", destinationCountry: null, sampleSize: MIN_PREDICTION_SAMPLE + 5 });
  });

  it("promises nothing without enough history or without a carrier", () => {
    expect(predictDelivery(history.slice(0, MIN_PREDICTION_SAMPLE - 1), { carrierCode: "ups", destinationCountry: "US", shippedAt: SHIPPED })).toBeNull();
    expect(predictDelivery(history, { carrierCode: "fedex", destinationCountry: "US", shippedAt: SHIPPED })).toBeNull();
    expect(predictDelivery(history, { carrierCode: null, destinationCountry: "US", shippedAt: SHIPPED })).toBeNull();
  });
});

describe("TransitTimeTally and predictFromStatistics", () => {
  it("gives the same percentiles as sorting every transit time, to the minute", () => {
    const history = Array.from({ length: 97 }, (_, i) => delivered(((i * 37) % 101) / 7 + 0.5, { destinationCountry: i % 2 ? "us" : "US" }));
    const tally = new TransitTimeTally();
    for (const shipment of history) tally.add(shipment);
    const sorted = history.map(transitDays).sort((a, b) => a - b);
    const [anywhere, us] = tally.statistics();
    expect([anywhere!.destinationCountry, us!.destinationCountry]).toEqual([ANY_DESTINATION, "US"]);
    expect(us!.sampleSize).toBe(97);
    for (const [p, value] of [[10, us!.p10Days], [50, us!.medianDays], [90, us!.p90Days]] as const) {
      expect(Math.abs(value - percentileOf(sorted, p)) * 24 * 60, `p${p}`).toBeLessThanOrEqual(0.5);
    }
  });

  it("keeps only groups with enough deliveries, and skips shipments without a carrier", () => {
    const tally = new TransitTimeTally();
    for (let i = 0; i < MIN_PREDICTION_SAMPLE; i++) tally.add(delivered(3, { destinationCountry: i < 5 ? "CA" : "US" }));
    tally.add(delivered(3, { carrierCode: null }));
    expect(tally.statistics().map((row) => [row.destinationCountry, row.sampleSize])).toEqual([[ANY_DESTINATION, MIN_PREDICTION_SAMPLE]]);
    expect(tally.statistics(5).map((row) => [row.destinationCountry, row.sampleSize])).toEqual([
      [ANY_DESTINATION, MIN_PREDICTION_SAMPLE],
      ["CA", 5],
      ["US", MIN_PREDICTION_SAMPLE - 5],
    ]);
  });

  it("never predicts from a stored row below the minimum sample", () => {
    const row = { carrierCode: "ups", p10Days: 1, medianDays: 2, p90Days: 3 };
    const stats = [
      { ...row, destinationCountry: "CA", sampleSize: MIN_PREDICTION_SAMPLE - 1 },
      { ...row, destinationCountry: ANY_DESTINATION, sampleSize: MIN_PREDICTION_SAMPLE, medianDays: 4 },
    ];
    const prediction = predictFromStatistics(stats, { carrierCode: "ups", destinationCountry: "ca", shippedAt: SHIPPED });
    expect(prediction?.basis).toEqual({ carrierCode: "ups", destinationCountry: null, sampleSize: MIN_PREDICTION_SAMPLE });
    expect(prediction?.expectedAt.getTime()).toBe(SHIPPED.getTime() + 4 * DAY);
  });
});
