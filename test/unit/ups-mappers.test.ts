import { describe, expect, it } from "vitest";
import { observationFromTrackPackage, upsDateTime } from "~/adapters/ups/mappers";
import { subscriptionResponseSchema, tokenResponseSchema, trackResponseSchema } from "~/adapters/ups/schemas";
import { mapUpsStatus } from "~/adapters/ups/status-codes";
import { parseTrackAlertEvent } from "~/adapters/ups/webhook";
import { SHIPMENT_SUBSTATUSES } from "~/domain/shipment-status";

// Track API response of carrier-and-shopify-apis.md §C.2 (Tracking.yaml example), with the fields it elides filled in.
const TRACK_EXAMPLE = {
  trackResponse: {
    shipment: [
      {
        inquiryNumber: "1Z999AA10123456784",
        userRelation: [],
        warnings: [{ code: "", message: "" }],
        package: [
          {
            trackingNumber: "1Z999AA10123456784",
            packageCount: 1,
            currentStatus: { type: "I", code: "OR", description: "On the Way", simplifiedTextDescription: "On the Way", statusCode: "005" },
            deliveryDate: [{ type: "SDD", date: "20240423" }],
            deliveryTime: { type: "EOD", startTime: "", endTime: "230000" },
            activity: [
              {
                date: "20240422",
                time: "034700",
                gmtDate: "20240422",
                gmtTime: "74700",
                gmtOffset: "-04:00",
                location: { address: { city: "Wayne", stateProvince: "NJ", postalCode: "07470", country: "US", countryCode: "US" }, slic: "8566" },
                status: { type: "I", code: "OR", description: "Origin Scan", simplifiedTextDescription: "On the Way", statusCode: "005" },
              },
              {
                date: "20240421",
                time: "180500",
                gmtDate: "20240421",
                gmtTime: "220500",
                gmtOffset: "-04:00",
                location: { address: { city: "", stateProvince: "", postalCode: "", country: "US", countryCode: "US" }, slic: "" },
                status: { type: "M", code: "MP", description: "Shipper created a label", simplifiedTextDescription: "Label Created", statusCode: "003" },
              },
            ],
            service: { code: "518", description: "UPS Ground", levelCode: "011" },
          },
        ],
      },
    ],
  },
};

// The documented v1 delivery event (carrier-and-shopify-apis.md §C.3), verbatim.
const DELIVERED_EVENT = {
  trackingNumber: "1Z204W4R0308071865",
  localActivityDate: "20240423",
  localActivityTime: "095004",
  activityLocation: { city: "CHARLOTTE", stateProvince: "NC", postalCode: "28209", country: "US" },
  activityStatus: { type: "D", code: "FS", description: "Delivered", descriptionCode: "011" },
  scheduledDeliveryDate: "",
  actualDeliveryDate: "20240423",
  actualDeliveryTime: "095004",
  gmtActivityDate: "20240423",
  gmtActivityTime: "135004",
  deliveryStartTime: "",
  deliveryEndTime: "",
  deliveryTimeDescription: "",
  deliveryPhoto: "",
};

function trackPackage(pkg: Record<string, unknown>) {
  const parsed = trackResponseSchema.parse({ trackResponse: { shipment: [{ package: [{ trackingNumber: "1Z999AA10123456784", ...pkg }] }] } });
  return parsed.trackResponse.shipment![0]!.package![0]!;
}

function alert(body: unknown) {
  const result = parseTrackAlertEvent(typeof body === "string" ? body : JSON.stringify(body));
  if (!result.ok) throw new Error(result.reason);
  return result.observation;
}

describe("mapUpsStatus", () => {
  it.each([
    ["M", "MP", "inforeceived", "label_created"],
    ["MV", "", "exception", "manifest_voided"],
    ["P", "", "transit", "in_transit"],
    ["I", "OR", "transit", "in_transit"],
    ["I", "DP", "transit", "in_transit"],
    ["I", "YP", "transit", "in_transit"],
    ["I", "OT", "pickup", "out_for_delivery"],
    ["D", "OT", "pickup", "out_for_delivery"],
    ["D", "FS", "delivered", "delivered"],
    ["D", null, "delivered", "delivered"],
    ["X", "", "exception", "other"],
    ["X", "RS", "exception", "returning_to_sender"],
    ["RS", "", "exception", "returned_to_sender"],
    ["i", "ot", "pickup", "out_for_delivery"],
  ])("%s/%s → %s/%s", (type, code, status, substatus) => {
    expect(mapUpsStatus(type, code)).toEqual({ status, substatus });
    // Every pair is one the domain knows: the substatus belongs to its status.
    expect(SHIPMENT_SUBSTATUSES[status as keyof typeof SHIPMENT_SUBSTATUSES] as readonly string[]).toContain(substatus);
  });

  it("U (a new delivery date), unknown and missing types change no status", () => {
    expect(mapUpsStatus("U", "")).toBeNull();
    expect(mapUpsStatus("ZZ", "01")).toBeNull();
    expect(mapUpsStatus(null, null)).toBeNull();
  });
});

describe("upsDateTime", () => {
  it("reads YYYYMMDD + HHMMSS as UTC, restoring the leading zero UPS drops", () => {
    expect(upsDateTime("20240422", "74700")).toEqual(new Date("2024-04-22T07:47:00Z"));
    expect(upsDateTime("20240422", "111356")).toEqual(new Date("2024-04-22T11:13:56Z"));
    expect(upsDateTime("20240422", null)).toEqual(new Date("2024-04-22T00:00:00Z"));
  });

  it("is null for missing or malformed dates", () => {
    expect(upsDateTime(null, "111356")).toBeNull();
    expect(upsDateTime("", "111356")).toBeNull();
    expect(upsDateTime("2024-04-22", "111356")).toBeNull();
  });
});

describe("observationFromTrackPackage (Track API)", () => {
  it("maps the documented package: newest activity first, GMT instants, places, the end-of-day estimate", () => {
    const pkg = trackResponseSchema.parse(TRACK_EXAMPLE).trackResponse.shipment![0]!.package![0]!;
    expect(observationFromTrackPackage(pkg)).toEqual({
      provider: "ups",
      trackingNumber: "1Z999AA10123456784",
      carrierCode: "ups",
      providerTrackingId: null,
      status: "transit",
      substatus: "in_transit",
      rawStatus: "I/OR",
      asOf: new Date("2024-04-22T07:47:00Z"),
      events: [
        {
          occurredAt: new Date("2024-04-22T07:47:00Z"),
          zoneKnown: true,
          status: "transit",
          substatus: "in_transit",
          description: "Origin Scan",
          location: "Wayne, NJ, US",
          city: "Wayne",
          state: "NJ",
          countryCode: "US",
          postalCode: "07470",
          rawStatus: "I/OR",
        },
        {
          occurredAt: new Date("2024-04-21T22:05:00Z"),
          zoneKnown: true,
          status: "inforeceived",
          substatus: "label_created",
          description: "Shipper created a label",
          location: "US",
          city: null,
          state: null,
          countryCode: "US",
          postalCode: null,
          rawStatus: "M/MP",
        },
      ],
      estimatedDelivery: { start: new Date("2024-04-23T00:00:00Z"), end: new Date("2024-04-23T23:00:00Z") },
      deliveredAt: null,
    });
  });

  it("delivered: deliveredAt is the delivery scan's GMT instant, not the local DEL time read as UTC", () => {
    const observation = observationFromTrackPackage(
      trackPackage({
        currentStatus: { type: "D", code: "FS", description: "Delivered" },
        deliveryDate: [{ type: "DEL", date: "20240423" }],
        deliveryTime: { type: "DEL", startTime: "", endTime: "095004" },
        deliveryInformation: { location: "Front Door", receivedBy: "" },
        activity: [
          {
            date: "20240423",
            time: "095004",
            gmtDate: "20240423",
            gmtTime: "135004",
            gmtOffset: "-04:00",
            location: { address: { city: "CHARLOTTE", stateProvince: "NC", postalCode: "28209", countryCode: "US" } },
            status: { type: "D", code: "FS", description: "Delivered" },
          },
          { date: "20240423", time: "071000", gmtDate: "20240423", gmtTime: "111000", status: { type: "I", code: "OT", description: "Out for Delivery" } },
        ],
      }),
    );
    expect(observation).toMatchObject({ status: "delivered", substatus: "delivered", rawStatus: "D/FS", deliveredAt: new Date("2024-04-23T13:50:04Z"), asOf: new Date("2024-04-23T13:50:04Z") });
    expect(observation.estimatedDelivery).toBeUndefined();
    expect(observation.events.map((event) => event.status)).toEqual(["delivered", "pickup"]);
    expect(observation.events[0]).toMatchObject({ location: "CHARLOTTE, NC, US", postalCode: "28209" });
  });

  it("delivered without GMT times falls back to the local DEL date and time", () => {
    const observation = observationFromTrackPackage(
      trackPackage({
        currentStatus: { type: "D", code: "FS" },
        deliveryDate: [{ type: "DEL", date: "20240423" }],
        deliveryTime: { type: "DEL", endTime: "095004" },
        activity: [{ date: "20240423", time: "095004", gmtDate: "", gmtTime: "", status: { type: "D", code: "FS", description: "Delivered" } }],
      }),
    );
    expect(observation.events[0]).toMatchObject({ occurredAt: new Date("2024-04-23T09:50:04Z"), zoneKnown: false });
    expect(observation.deliveredAt).toEqual(new Date("2024-04-23T09:50:04Z"));
  });

  it("U: no status, the rescheduled date (RDD) wins over the scheduled one, a window gives start and end", () => {
    const observation = observationFromTrackPackage(
      trackPackage({
        currentStatus: { type: "U", code: "", description: "Delivery Date Updated" },
        deliveryDate: [
          { type: "SDD", date: "20240423" },
          { type: "RDD", date: "20240424" },
        ],
        deliveryTime: { type: "EDW", startTime: "140000", endTime: "180000" },
        activity: [{ gmtDate: "20240422", gmtTime: "150000", status: { type: "U", description: "Delivery Date Updated" } }],
      }),
    );
    expect(observation).toMatchObject({ status: null, substatus: null, rawStatus: "U", deliveredAt: null });
    expect(observation.estimatedDelivery).toEqual({ start: new Date("2024-04-24T14:00:00Z"), end: new Date("2024-04-24T18:00:00Z") });
  });

  it("keeps going on blank or missing fields: activities without a date are skipped, blanks become null", () => {
    const observation = observationFromTrackPackage(
      trackPackage({
        trackingNumber: " 1Z999AA10123456784 ",
        currentStatus: null,
        deliveryDate: [],
        activity: [{ date: "", time: "", gmtDate: "", gmtTime: "", status: { type: "I", code: "DP" } }, { gmtDate: "20240422", gmtTime: "000000", location: null, status: null }],
      }),
    );
    expect(observation).toMatchObject({ trackingNumber: "1Z999AA10123456784", status: null, rawStatus: null, asOf: new Date("2024-04-22T00:00:00Z") });
    expect(observation.events).toEqual([
      { occurredAt: new Date("2024-04-22T00:00:00Z"), zoneKnown: true, status: null, substatus: null, description: "", location: null, city: null, state: null, countryCode: null, postalCode: null, rawStatus: null },
    ]);
    expect(observation.estimatedDelivery).toBeUndefined();
  });
});

describe("parseTrackAlertEvent (Track Alert push)", () => {
  it("maps the documented delivery event; deliveredAt is the GMT instant of the delivery", () => {
    expect(alert(DELIVERED_EVENT)).toEqual({
      provider: "ups",
      trackingNumber: "1Z204W4R0308071865",
      carrierCode: "ups",
      providerTrackingId: null,
      status: "delivered",
      substatus: "delivered",
      rawStatus: "D/FS",
      asOf: new Date("2024-04-23T13:50:04Z"),
      events: [
        {
          occurredAt: new Date("2024-04-23T13:50:04Z"),
          zoneKnown: true,
          status: "delivered",
          substatus: "delivered",
          description: "Delivered",
          location: "CHARLOTTE, NC, US",
          city: "CHARLOTTE",
          state: "NC",
          countryCode: "US",
          postalCode: "28209",
          rawStatus: "D/FS",
        },
      ],
      deliveredAt: new Date("2024-04-23T13:50:04Z"),
    });
  });

  it("a delivery without GMT time uses actualDeliveryDate/Time (local, read as UTC)", () => {
    const observation = alert({ ...DELIVERED_EVENT, gmtActivityDate: "", gmtActivityTime: "" });
    expect(observation.events[0]).toMatchObject({ occurredAt: new Date("2024-04-23T09:50:04Z"), zoneKnown: false });
    expect(observation.deliveredAt).toEqual(new Date("2024-04-23T09:50:04Z"));
  });

  it("trims the leading space of the documented first event; out for delivery is type I code OT; the end-of-day date is the estimate", () => {
    const manifest = alert({
      ...DELIVERED_EVENT,
      trackingNumber: " 1ZCIETST0111111114",
      activityStatus: { type: "M", code: "MP", description: "Shipment Ready for UPS", descriptionCode: "003" },
      activityLocation: { city: "", stateProvince: "", postalCode: "", country: "" },
      actualDeliveryDate: "",
      actualDeliveryTime: "",
    });
    expect(manifest).toMatchObject({ trackingNumber: "1ZCIETST0111111114", status: "inforeceived", substatus: "label_created", deliveredAt: null });
    expect(manifest.events[0]).toMatchObject({ location: null, city: null, countryCode: null });
    expect(manifest.estimatedDelivery).toBeUndefined();

    const out = alert({
      ...DELIVERED_EVENT,
      activityStatus: { type: "I", code: "OT", description: "Out for Delivery", descriptionCode: "021" },
      scheduledDeliveryDate: "20240423",
      actualDeliveryDate: "",
      actualDeliveryTime: "",
      deliveryTimeDescription: "end of day",
    });
    expect(out).toMatchObject({ status: "pickup", substatus: "out_for_delivery", rawStatus: "I/OT", deliveredAt: null });
    expect(out.estimatedDelivery).toEqual({ start: new Date("2024-04-23T00:00:00Z"), end: null });
  });

  it("U changes only the estimate; a window gives start and end", () => {
    const updated = alert({
      ...DELIVERED_EVENT,
      activityStatus: { type: "U", code: "", description: "Delivery Date Updated", descriptionCode: "" },
      scheduledDeliveryDate: "20240425",
      actualDeliveryDate: "",
      actualDeliveryTime: "",
      deliveryStartTime: "140000",
      deliveryEndTime: "180000",
      deliveryTimeDescription: "estimated delivery window",
    });
    expect(updated).toMatchObject({ status: null, substatus: null, rawStatus: "U", deliveredAt: null });
    expect(updated.estimatedDelivery).toEqual({ start: new Date("2024-04-25T14:00:00Z"), end: new Date("2024-04-25T18:00:00Z") });
  });

  it("exceptions and voided manifests", () => {
    expect(alert({ ...DELIVERED_EVENT, activityStatus: { type: "X", code: "", description: "Exception" }, actualDeliveryDate: "" })).toMatchObject({ status: "exception", substatus: "other", deliveredAt: null });
    expect(alert({ ...DELIVERED_EVENT, activityStatus: { type: "MV", code: "", description: "Shipment Canceled" }, actualDeliveryDate: "" })).toMatchObject({ status: "exception", substatus: "manifest_voided" });
  });

  it("refuses bodies that are not an event instead of throwing", () => {
    expect(parseTrackAlertEvent("not json")).toEqual({ ok: false, reason: expect.stringContaining("not JSON") });
    expect(parseTrackAlertEvent("")).toMatchObject({ ok: false });
    expect(parseTrackAlertEvent("null")).toMatchObject({ ok: false });
    expect(parseTrackAlertEvent("[]")).toMatchObject({ ok: false });
    expect(parseTrackAlertEvent(JSON.stringify({ ...DELIVERED_EVENT, trackingNumber: "   " }))).toMatchObject({ ok: false });
    expect(parseTrackAlertEvent(JSON.stringify({ activityStatus: { type: "D" } }))).toMatchObject({ ok: false });
  });

  it("an event with no usable time has no events and no asOf, but keeps its status", () => {
    const observation = alert({ trackingNumber: "1Z999AA10123456784", activityStatus: { type: "I", code: "DP" } });
    expect(observation).toMatchObject({ status: "transit", asOf: null, events: [], deliveredAt: null });
  });
});

describe("UPS response schemas", () => {
  it("expires_in is a string of seconds (numbers tolerated)", () => {
    expect(tokenResponseSchema.parse({ access_token: "eyJabc", token_type: "Bearer", expires_in: "14399", status: "approved" }).expires_in).toBe(14_399);
    expect(tokenResponseSchema.parse({ access_token: "eyJabc", expires_in: 3600 }).expires_in).toBe(3600);
    expect(tokenResponseSchema.safeParse({ access_token: "", expires_in: "14399" }).success).toBe(false);
  });

  it("a subscription answer names at least one list; an absent list is empty", () => {
    expect(subscriptionResponseSchema.parse({ validTrackingNumbers: ["1Z999AA10123456784"] })).toMatchObject({ validTrackingNumbers: ["1Z999AA10123456784"], invalidTrackingNumbers: [] });
    expect(subscriptionResponseSchema.parse({ invalidTrackingNumbers: ["1Z1234567$8"] })).toMatchObject({ validTrackingNumbers: [], invalidTrackingNumbers: ["1Z1234567$8"] });
    expect(subscriptionResponseSchema.safeParse({}).success).toBe(false);
    expect(subscriptionResponseSchema.safeParse({ response: { errors: [{ code: "10004", message: "x" }] } }).success).toBe(false);
  });
});
