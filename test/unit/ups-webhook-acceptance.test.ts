import { describe, expect, it } from "vitest";
import { acceptTrackAlertEvent, parseTrackAlertEvent } from "~/adapters/ups/webhook";

/**
 * The receiver acknowledges UPS on the light check and the job parses fully later; a body the
 * check accepts but the parse refuses would be stored and never applied, and the reverse would
 * refuse a good event. Both must give the same verdict on every body.
 */

const VALID = {
  trackingNumber: " 1Z999AA10123456784",
  localActivityDate: "20261123",
  localActivityTime: "143000",
  gmtActivityDate: "20261123",
  gmtActivityTime: "183000",
  gmtOffset: "-04.00",
  activityLocation: { city: "ATLANTA", stateProvince: "GA", postalCode: "", country: "US" },
  activityStatus: { type: "I", code: "DP", description: "Departed from Facility" },
  scheduledDeliveryDate: "20261125",
  actualDeliveryDate: "",
  actualDeliveryTime: "",
  deliveryStartTime: "",
  deliveryEndTime: "",
  deliveryTimeDescription: "end of day",
  deliveryPhoto: "",
};

const VALUES: unknown[] = [undefined, null, "", "  ", "x", "20261123", 5, 0, true, false, {}, [], ["a"], { nested: 1 }];

function variants(): string[] {
  const bodies: string[] = [JSON.stringify(VALID), "", "null", "[]", "1", '"text"', "{", "{}", "true"];
  for (const field of Object.keys(VALID)) {
    for (const value of VALUES) bodies.push(JSON.stringify({ ...VALID, [field]: value }));
  }
  for (const parent of ["activityLocation", "activityStatus"] as const) {
    for (const field of [...Object.keys(VALID[parent]), "countryCode", "statusCode", "description"]) {
      for (const value of VALUES) bodies.push(JSON.stringify({ ...VALID, [parent]: { ...VALID[parent], [field]: value } }));
    }
  }
  bodies.push(JSON.stringify({ trackingNumber: "1Z999AA10123456784" }));
  bodies.push(JSON.stringify({ trackingNumber: "1Z999AA10123456784", unknownField: { deep: [1, 2] } }));
  return bodies;
}

describe("acceptTrackAlertEvent", () => {
  const bodies = variants();

  it("agrees with the full parse on every variant", () => {
    const disagreements = bodies.filter((body) => acceptTrackAlertEvent(body).ok !== parseTrackAlertEvent(body).ok);
    expect(disagreements).toEqual([]);
  });

  it("the variants include both verdicts, so agreement is not vacuous", () => {
    const verdicts = bodies.map((body) => acceptTrackAlertEvent(body).ok);
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(50);
    expect(verdicts.filter((ok) => !ok).length).toBeGreaterThan(50);
  });

  it("gives a reason a UPS engineer can read", () => {
    expect(acceptTrackAlertEvent("{")).toEqual({ ok: false, reason: "body is not JSON" });
    expect(acceptTrackAlertEvent(JSON.stringify({ ...VALID, trackingNumber: "  " }))).toEqual({ ok: false, reason: expect.stringContaining("trackingNumber") });
    expect(acceptTrackAlertEvent(JSON.stringify(VALID))).toEqual({ ok: true });
  });
});
