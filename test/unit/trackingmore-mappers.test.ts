import { describe, expect, it } from "vitest";
import { parseProviderDate, parseProviderInstant } from "~/adapters/shared/provider-dates";
import { observationFromV2, observationFromV4 } from "~/adapters/trackingmore/mappers";
import { v2TrackingSchema, v4TrackingSchema, v4WebhookBodySchema } from "~/adapters/trackingmore/schemas";
import { SHIPMENT_SUBSTATUSES } from "~/domain/shipment-status";

// The v4 example of carrier-and-shopify-apis.md §A.2 (create response `data`), verbatim.
const V4_EXAMPLE = {
  id: "9a135b15b5d983e1d8950d99022db0c7",
  tracking_number: "9400111206206406260787",
  courier_code: "usps",
  order_number: "#1001",
  created_at: "2024-05-01T10:00:00+00:00",
  update_at: "2024-05-01T10:00:05+00:00",
  delivery_status: "transit",
  substatus: "transit001",
  archived: "false",
  updating: false,
  latest_event: "Arrived at USPS Regional Facility,LOS ANGELES CA,2024-05-02 08:00",
  latest_checkpoint_time: "2024-05-02T08:00:00-07:00",
  transit_time: 1,
  origin_info: {
    courier_code: "usps",
    courier_phone: "1 800 275 8777",
    weblink: "https://www.usps.com/",
    reference_number: null,
    milestone_date: {
      inforeceived_date: "2024-05-01T09:00:00-07:00",
      pickup_date: null,
      outfordelivery_date: null,
      delivery_date: null,
      returning_date: null,
      returned_date: null,
    },
    trackinfo: [
      {
        checkpoint_date: "2024-05-02T08:00:00-07:00",
        checkpoint_delivery_status: "transit",
        checkpoint_delivery_substatus: "transit002",
        tracking_detail: "Arrived at USPS Regional Facility",
        location: "LOS ANGELES CA",
        country_iso2: "US",
        state: "CA",
        city: "LOS ANGELES",
        zip: "90052",
        raw_status: "",
      },
    ],
  },
  destination_info: { courier_code: "", courier_phone: "", weblink: "", reference_number: "", milestone_date: {}, trackinfo: [] },
};

/** The same shipment a few days later, delivered, with checkpoints from both legs (as a webhook would send it). */
function deliveredV4(overrides: Record<string, unknown> = {}) {
  return {
    ...V4_EXAMPLE,
    delivery_status: "delivered",
    substatus: "delivered004",
    latest_checkpoint_time: "2024-05-06T14:05:00-07:00",
    scheduled_delivery_date: "2024-05-06",
    destination_country: "us",
    signed_by: "",
    origin_info: {
      ...V4_EXAMPLE.origin_info,
      milestone_date: { ...V4_EXAMPLE.origin_info.milestone_date, delivery_date: null },
      trackinfo: [
        {
          checkpoint_date: "2024-05-03T06:10:00+08:00",
          checkpoint_delivery_status: "transit",
          checkpoint_delivery_substatus: "transit007",
          tracking_detail: "Departed facility",
          location: "SHENZHEN",
          country_iso2: "CN",
          state: null,
          city: "Shenzhen",
          zip: null,
          raw_status: "DEPARTED",
        },
      ],
    },
    destination_info: {
      courier_code: "usps",
      milestone_date: { delivery_date: "2024-05-06T14:05:00-07:00" },
      trackinfo: [
        {
          checkpoint_date: "2024-05-06T14:05:00-07:00",
          checkpoint_delivery_status: "delivered",
          checkpoint_delivery_substatus: "delivered004",
          tracking_detail: "Delivered, Front Door/Porch",
          location: "RENTON, WA 98056",
          country_iso2: "us",
          state: "WA",
          city: "RENTON",
          zip: 98056,
          raw_status: "",
        },
        {
          checkpoint_date: "2024-05-06T07:40:00-07:00",
          checkpoint_delivery_status: "pickup",
          checkpoint_delivery_substatus: "pickup001",
          tracking_detail: "Out for Delivery",
          location: "RENTON, WA 98056",
          country_iso2: "USA",
          state: "WA",
          city: "RENTON",
          zip: "98056",
          raw_status: "",
        },
      ],
    },
    ...overrides,
  };
}

// The v2 get-one example of §A.1 (checkpoint Date without a zone).
const V2_EXAMPLE = {
  id: "a543163dd2474af66f64c48e3085cdfa",
  tracking_number: "300403513351",
  carrier_code: "4px",
  status: "delivered",
  created_at: "2018-04-16T06:30:02+00:00",
  updated_at: "2018-04-16T06:30:02+00:00",
  order_create_time: "2018-04-01 10:08",
  customer_email: ["x@example.com"],
  title: null,
  order_id: null,
  comment: null,
  customer_name: null,
  archived: false,
  original_country: "China",
  destination_country: "United States",
  itemTimeLength: 36,
  stayTimeLength: 2,
  service_code: null,
  substatus: "delivered001",
  origin_info: {
    ItemReceived: "2020-09-24 16:09:45",
    ItemDispatched: null,
    weblink: "https://...",
    phone: null,
    carrier_code: "4px",
    trackinfo: [
      {
        Date: "2020-10-30 14:42:00",
        StatusDescription: "Delivered, In/At Mailbox",
        Details: "SHREVEPORT,71118",
        checkpoint_status: "delivered",
        substatus: "delivered001",
      },
      {
        Date: "2020-10-29 08:05",
        StatusDescription: "Out for Delivery",
        Details: "SHREVEPORT,71118",
        checkpoint_status: "pickup",
        substatus: "pickup001",
      },
    ],
  },
  destination_info: {
    trackinfo: [
      { Date: "2020/10/20 23:59:59", StatusDescription: "Arrived at Sort Facility", Details: "", checkpoint_status: "transit", substatus: "" },
      { Date: "not a date", StatusDescription: "Garbled", Details: null, checkpoint_status: "transit", substatus: null },
    ],
  },
  lastEvent: "Delivered,RENTON, WA 98056,2015-11-02 17:11",
  lastUpdateTime: "2015-11-02 17:11",
};

describe("parseProviderInstant", () => {
  it.each([
    ["ISO with Z", "2024-05-02T15:00:00Z", "2024-05-02T15:00:00.000Z"],
    ["ISO with lower-case z and millis", "2024-05-02T15:00:00.250z", "2024-05-02T15:00:00.250Z"],
    ["ISO with +08:00", "2024-05-03T06:10:00+08:00", "2024-05-02T22:10:00.000Z"],
    ["ISO with -07:00", "2024-05-02T08:00:00-07:00", "2024-05-02T15:00:00.000Z"],
    ["ISO with +0800 (no colon)", "2024-05-03T06:10:00+0800", "2024-05-02T22:10:00.000Z"],
    ["a space instead of T", "2024-05-02 08:00:00-07:00", "2024-05-02T15:00:00.000Z"],
    ["unix seconds", "1662371528", "2022-09-05T09:52:08.000Z"],
    ["unix seconds with surrounding spaces", " 1662371528 ", "2022-09-05T09:52:08.000Z"],
  ])("%s → that instant, zone known", (_label, input, iso) => {
    expect(parseProviderInstant(input)).toEqual({ date: new Date(iso), zoneKnown: true });
  });

  it.each([
    ["minutes only", "2020-10-30 14:42", "2020-10-30T14:42:00.000Z"],
    ["seconds", "2020-10-30 14:42:07", "2020-10-30T14:42:07.000Z"],
    ["T separator", "2020-10-30T14:42:07", "2020-10-30T14:42:07.000Z"],
    ["slashes", "2017/08/27 16:51", "2017-08-27T16:51:00.000Z"],
    ["one-digit hour", "2020-10-30 9:05", "2020-10-30T09:05:00.000Z"],
    ["date only", "2024-04-23", "2024-04-23T00:00:00.000Z"],
  ])("wall-clock %s → read as UTC, zone unknown", (_label, input, iso) => {
    expect(parseProviderInstant(input)).toEqual({ date: new Date(iso), zoneKnown: false });
  });

  it("does not depend on the process time zone for wall-clock times", () => {
    const original = process.env.TZ;
    try {
      for (const zone of ["America/Los_Angeles", "Asia/Shanghai", "UTC"]) {
        process.env.TZ = zone; // Node re-reads TZ when it is assigned
        expect(parseProviderInstant("2020-10-30 14:42")?.date.toISOString(), zone).toBe("2020-10-30T14:42:00.000Z");
        expect(parseProviderDate("20240423")?.toISOString(), zone).toBe("2024-04-23T00:00:00.000Z");
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });

  it.each([
    ["garbage", "garbage"],
    ["empty", ""],
    ["blank", "   "],
    ["null", null],
    ["undefined", undefined],
    ["impossible hour with zone", "2024-05-02T99:00:00Z"],
    ["unix milliseconds", "1662371528000"],
    ["short number", "12345"],
    ["date with words", "30 Oct 2020"],
    ["trailing junk", "2020-10-30 14:42 local"],
  ])("%s → null", (_label, input) => {
    expect(parseProviderInstant(input)).toBeNull();
  });

  it("refuses impossible wall-clock dates instead of rolling them over", () => {
    for (const text of ["2024-02-30 10:00", "2024-13-01", "2024-04-31 08:00:00", "2024-01-01 25:00"]) {
      expect(parseProviderInstant(text), text).toBeNull();
    }
    expect(parseProviderInstant("2024-02-29 10:00")?.date.toISOString()).toBe("2024-02-29T10:00:00.000Z");
  });
});

describe("parseProviderDate", () => {
  it.each([
    ["20240423", "2024-04-23T00:00:00.000Z"],
    ["2024-04-23", "2024-04-23T00:00:00.000Z"],
    [" 20241231 ", "2024-12-31T00:00:00.000Z"],
    ["2024-04-23T10:00:00+02:00", "2024-04-23T08:00:00.000Z"],
  ])("%j → %s", (input, iso) => {
    expect(parseProviderDate(input)).toEqual(new Date(iso));
  });

  it.each([null, undefined, "", "soon", "2024-4"])("%j → null", (input) => {
    expect(parseProviderDate(input)).toBeNull();
  });
});

describe("observationFromV4", () => {
  it("maps the §A.2 example", () => {
    const observation = observationFromV4(v4TrackingSchema.parse(V4_EXAMPLE));
    expect(observation).toEqual({
      provider: "trackingmore",
      trackingNumber: "9400111206206406260787",
      carrierCode: "usps",
      providerTrackingId: "9a135b15b5d983e1d8950d99022db0c7",
      status: "transit",
      substatus: "in_transit",
      rawStatus: "transit/transit001",
      asOf: new Date("2024-05-02T15:00:00Z"),
      events: [
        {
          occurredAt: new Date("2024-05-02T15:00:00Z"),
          zoneKnown: true,
          status: "transit",
          substatus: "arrived_at_hub",
          description: "Arrived at USPS Regional Facility",
          location: "LOS ANGELES CA",
          city: "LOS ANGELES",
          state: "CA",
          countryCode: "US",
          postalCode: "90052",
          // raw_status is "" in the example, so the provider's status pair is kept instead.
          rawStatus: "transit/transit002",
        },
      ],
      deliveredAt: null,
      signedBy: null,
      destinationCountry: null,
    });
    expect(observation).not.toHaveProperty("estimatedDelivery");
  });

  it("maps a delivered tracking with checkpoints from both legs", () => {
    const observation = observationFromV4(v4TrackingSchema.parse(deliveredV4()));
    expect(observation).toMatchObject({
      status: "delivered",
      substatus: "left_at_door",
      rawStatus: "delivered/delivered004",
      asOf: new Date("2024-05-06T21:05:00Z"),
      deliveredAt: new Date("2024-05-06T21:05:00Z"),
      estimatedDelivery: { start: new Date("2024-05-06T00:00:00Z"), end: null },
      destinationCountry: "US",
      signedBy: null,
    });
    expect(observation.events.map((e) => [e.occurredAt.toISOString(), e.status, e.substatus, e.countryCode, e.postalCode, e.rawStatus])).toEqual([
      ["2024-05-02T22:10:00.000Z", "transit", "departed", "CN", null, "DEPARTED"],
      ["2024-05-06T21:05:00.000Z", "delivered", "left_at_door", "US", "98056", "delivered/delivered004"],
      // "USA" is not a two-letter code, so no country is guessed from it.
      ["2024-05-06T14:40:00.000Z", "pickup", "out_for_delivery", null, "98056", "pickup/pickup001"],
    ]);
    for (const event of observation.events) {
      expect(event.zoneKnown).toBe(true);
      expect(SHIPMENT_SUBSTATUSES[event.status!] as readonly string[]).toContain(event.substatus);
    }
  });

  it("takes deliveredAt from the destination milestone, else the origin milestone, and only when delivered", () => {
    const fromOrigin = deliveredV4({
      origin_info: { milestone_date: { delivery_date: "2024-05-06T13:00:00-07:00" }, trackinfo: [] },
      destination_info: { milestone_date: { delivery_date: null }, trackinfo: [] },
    });
    expect(observationFromV4(v4TrackingSchema.parse(fromOrigin)).deliveredAt).toEqual(new Date("2024-05-06T20:00:00Z"));

    const both = deliveredV4({ origin_info: { milestone_date: { delivery_date: "2024-05-06T13:00:00-07:00" } } });
    expect(observationFromV4(v4TrackingSchema.parse(both)).deliveredAt).toEqual(new Date("2024-05-06T21:05:00Z"));

    const notDelivered = deliveredV4({ delivery_status: "exception", substatus: "exception011" });
    const observation = observationFromV4(v4TrackingSchema.parse(notDelivered));
    expect(observation.status).toBe("exception");
    expect(observation.deliveredAt).toBeNull();

    const noMilestone = deliveredV4({ destination_info: { trackinfo: [] } });
    expect(observationFromV4(v4TrackingSchema.parse(noMilestone)).deliveredAt).toBeNull();
  });

  it.each([
    ["us", "US"],
    ["GB", "GB"],
    ["USA", null],
    ["United States", null],
    ["", null],
    [null, null],
    [840, null],
  ])("destination_country %j → %j", (value, expected) => {
    expect(observationFromV4(v4TrackingSchema.parse({ ...V4_EXAMPLE, destination_country: value })).destinationCountry).toBe(expected);
  });

  it("accepts a compact scheduled_delivery_date and ignores an unparseable one", () => {
    const compact = observationFromV4(v4TrackingSchema.parse({ ...V4_EXAMPLE, scheduled_delivery_date: "20240507" }));
    expect(compact.estimatedDelivery).toEqual({ start: new Date("2024-05-07T00:00:00Z"), end: null });
    const junk = observationFromV4(v4TrackingSchema.parse({ ...V4_EXAMPLE, scheduled_delivery_date: "TBD" }));
    expect(junk).not.toHaveProperty("estimatedDelivery");
  });

  it("tolerates a bare tracking with empty and null fields", () => {
    const parsed = v4TrackingSchema.parse({
      id: "",
      tracking_number: "LK894734223CN",
      courier_code: null,
      delivery_status: "",
      substatus: null,
      latest_checkpoint_time: "",
      scheduled_delivery_date: null,
      origin_info: null,
      destination_info: { trackinfo: null, milestone_date: null },
    });
    expect(observationFromV4(parsed)).toEqual({
      provider: "trackingmore",
      trackingNumber: "LK894734223CN",
      carrierCode: null,
      providerTrackingId: null,
      status: null,
      substatus: null,
      rawStatus: null,
      asOf: null,
      events: [],
      deliveredAt: null,
      signedBy: null,
      destinationCountry: null,
    });
  });

  it("skips checkpoints without a usable date and falls back to raw_status for the description", () => {
    const parsed = v4TrackingSchema.parse({
      ...V4_EXAMPLE,
      origin_info: {
        trackinfo: [
          { checkpoint_date: null, tracking_detail: "no date" },
          { checkpoint_date: "yesterday", tracking_detail: "bad date" },
          { checkpoint_date: "2024-05-02 06:00", raw_status: "ACCEPTED", checkpoint_delivery_status: "mystery" },
          { checkpoint_date: "2024-05-02 07:00" },
        ],
      },
    });
    const observation = observationFromV4(parsed);
    expect(observation.events).toHaveLength(2);
    expect(observation.events[0]).toMatchObject({
      occurredAt: new Date("2024-05-02T06:00:00Z"),
      zoneKnown: false,
      status: null,
      substatus: null,
      description: "ACCEPTED",
      rawStatus: "ACCEPTED",
    });
    expect(observation.events[1]).toMatchObject({ description: "", rawStatus: null, location: null, countryCode: null });
  });

  it("maps the tracking inside a webhook body", () => {
    const body = v4WebhookBodySchema.parse({ code: 200, message: "Success", data: deliveredV4() });
    expect(observationFromV4(body.data)).toMatchObject({ trackingNumber: "9400111206206406260787", status: "delivered" });
  });

  it("the schema refuses a tracking without a tracking number", () => {
    expect(v4TrackingSchema.safeParse({ ...V4_EXAMPLE, tracking_number: "" }).success).toBe(false);
    const { tracking_number: _omitted, ...withoutNumber } = V4_EXAMPLE;
    expect(v4TrackingSchema.safeParse(withoutNumber).success).toBe(false);
  });
});

describe("observationFromV2", () => {
  it("maps the §A.1 item: zone-less dates read as UTC with zoneKnown false", () => {
    const observation = observationFromV2(v2TrackingSchema.parse(V2_EXAMPLE), "trackingmore");
    expect(observation).toMatchObject({
      provider: "trackingmore",
      trackingNumber: "300403513351",
      carrierCode: "4px",
      providerTrackingId: "a543163dd2474af66f64c48e3085cdfa",
      status: "delivered",
      substatus: "delivered",
      rawStatus: "delivered/delivered001",
      asOf: new Date("2015-11-02T17:11:00Z"),
      destinationCountry: null,
    });
    expect(observation).not.toHaveProperty("estimatedDelivery");
    expect(observation.events).toEqual([
      {
        occurredAt: new Date("2020-10-30T14:42:00Z"),
        zoneKnown: false,
        status: "delivered",
        substatus: "delivered",
        description: "Delivered, In/At Mailbox",
        location: "SHREVEPORT,71118",
        city: null,
        state: null,
        countryCode: null,
        postalCode: null,
        rawStatus: "delivered/delivered001",
      },
      expect.objectContaining({ occurredAt: new Date("2020-10-29T08:05:00Z"), zoneKnown: false, status: "pickup", substatus: "out_for_delivery" }),
      // From destination_info; empty Details becomes null, empty substatus falls back to the default.
      expect.objectContaining({
        occurredAt: new Date("2020-10-20T23:59:59Z"),
        status: "transit",
        substatus: "in_transit",
        location: null,
        rawStatus: "transit",
      }),
    ]);
  });

  it("keeps the provider it is told (Tracktry shares the shape)", () => {
    expect(observationFromV2(v2TrackingSchema.parse(V2_EXAMPLE), "tracktry").provider).toBe("tracktry");
  });

  it("reads v2's info received (notfound + not found001) as inforeceived", () => {
    const item = { ...V2_EXAMPLE, status: "notfound", substatus: "not found001", origin_info: null, destination_info: null };
    expect(observationFromV2(v2TrackingSchema.parse(item), "trackingmore")).toMatchObject({
      status: "inforeceived",
      substatus: "label_created",
      rawStatus: "notfound/not found001",
      events: [],
    });
  });

  it("tolerates a minimal item with nulls", () => {
    const parsed = v2TrackingSchema.parse({ tracking_number: "RP893531375SG", status: null, lastUpdateTime: "", origin_info: { trackinfo: null } });
    expect(observationFromV2(parsed, "trackingmore")).toEqual({
      provider: "trackingmore",
      trackingNumber: "RP893531375SG",
      carrierCode: null,
      providerTrackingId: null,
      status: null,
      substatus: null,
      rawStatus: null,
      asOf: null,
      events: [],
      destinationCountry: null,
    });
  });
});
