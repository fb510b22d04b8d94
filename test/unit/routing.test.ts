import { describe, expect, it } from "vitest";
import { chooseProvider, parseRouting, providerSupports, UPS_TRACK_ALERT_NUMBER } from "~/domain/routing";
import type { ProviderId } from "~/domain/tracking-observation";

const UPS_1Z = "1Z999AA10123456784";
const USPS = "9400111206206406260787";
const ALL: readonly ProviderId[] = ["trackingmore", "tracktry", "ups"];

describe("UPS Track Alert numbers", () => {
  it.each([
    [UPS_1Z, true],
    ["1ZCIETST0111111114", true],
    ["1R12345678901234", true], // Roadie, 16 characters
    ["1R" + "1".repeat(26), true], // Roadie, 28 characters
    ["1R" + "1".repeat(15), false],
    ["1Z999AA1012345678", false], // 17 characters
    [" 1Z999AA10123456784", false], // not trimmed here: normalisation happens first
    ["1z999aa10123456784", false],
    [USPS, false],
    ["T1234567890", false], // UPS Mail Innovations-style numbers are not Track Alert numbers
  ])("%s → %s", (number, accepted) => {
    expect(UPS_TRACK_ALERT_NUMBER.test(number)).toBe(accepted);
  });
});

describe("providerSupports", () => {
  it("UPS only for a UPS carrier and a 1Z/1R number; the aggregators for everything", () => {
    expect(providerSupports("ups", { carrierCode: "ups", trackingNumber: UPS_1Z })).toBe(true);
    expect(providerSupports("ups", { carrierCode: "usps", trackingNumber: UPS_1Z })).toBe(false);
    expect(providerSupports("ups", { carrierCode: "ups", trackingNumber: USPS })).toBe(false);
    expect(providerSupports("ups", { carrierCode: null, trackingNumber: UPS_1Z })).toBe(false);
    for (const aggregator of ["trackingmore", "tracktry"] as const) {
      expect(providerSupports(aggregator, { carrierCode: null, trackingNumber: USPS })).toBe(true);
    }
  });
});

describe("chooseProvider", () => {
  const routing = { defaultProvider: "trackingmore" as const, byCarrier: { ups: "ups" as const, dhl: "tracktry" as const } };

  it("sends UPS numbers to Track Alert when UPS is connected, everything else to the default", () => {
    const connected = new Set<ProviderId>(["trackingmore", "ups"]);
    expect(chooseProvider(routing, { carrierCode: "ups", trackingNumber: UPS_1Z }, connected)).toBe("ups");
    expect(chooseProvider(routing, { carrierCode: "usps", trackingNumber: USPS }, connected)).toBe("trackingmore");
    expect(chooseProvider(routing, { carrierCode: null, trackingNumber: USPS }, connected)).toBe("trackingmore");
  });

  it("falls back to the default when the routed provider is not connected or cannot take the number", () => {
    expect(chooseProvider(routing, { carrierCode: "ups", trackingNumber: UPS_1Z }, new Set<ProviderId>(["trackingmore"]))).toBe("trackingmore");
    // A UPS shipment with a number Track Alert refuses (e.g. a SurePost USPS leg).
    expect(chooseProvider(routing, { carrierCode: "ups", trackingNumber: USPS }, new Set<ProviderId>(["trackingmore", "ups"]))).toBe("trackingmore");
    expect(chooseProvider(routing, { carrierCode: "dhl", trackingNumber: "3318810025" }, new Set<ProviderId>(["trackingmore", "tracktry"]))).toBe("tracktry");
    expect(chooseProvider(routing, { carrierCode: "dhl", trackingNumber: "3318810025" }, new Set<ProviderId>(["trackingmore"]))).toBe("trackingmore");
  });
});

describe("parseRouting", () => {
  it("reads the stored rules and drops what it does not know", () => {
    expect(parseRouting("tracktry", JSON.stringify({ ups: "ups", dhl: "trackingmore", fedex: "aftership", usps: 3 }), ALL)).toEqual({
      defaultProvider: "tracktry",
      byCarrier: { ups: "ups", dhl: "trackingmore" },
    });
  });

  it("a corrupt or missing value routes nothing specially; an unknown default becomes TrackingMore", () => {
    expect(parseRouting("trackingmore", "{not json", ALL)).toEqual({ defaultProvider: "trackingmore", byCarrier: {} });
    expect(parseRouting("trackingmore", null, ALL)).toEqual({ defaultProvider: "trackingmore", byCarrier: {} });
    expect(parseRouting("aftership", "[]", ALL).defaultProvider).toBe("trackingmore");
  });
});
