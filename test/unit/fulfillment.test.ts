import { describe, expect, it } from "vitest";
import { isBulkChildLine, restFulfillmentSchema, snapshotFromWebhook, snapshotsFromBulkLine } from "~/adapters/shopify-admin/fulfillment-payloads";
import { desiredTracking, diffTrackingNumbers, isActiveFulfillment, type FulfillmentSnapshot } from "~/domain/fulfillment";

function snapshot(tracking: FulfillmentSnapshot["tracking"], status = "success"): FulfillmentSnapshot {
  return {
    shopifyFulfillmentId: "5528139530588",
    shopifyOrderId: "6127428141404",
    orderName: "#1002",
    fulfillmentName: "#1002.1",
    status,
    updatedAt: null,
    tracking,
    lineItems: null,
    customer: null,
    destinationCountry: null,
  };
}

const t = (number: string, company: string | null = null, url: string | null = null) => ({ number, company, url });

describe("desiredTracking", () => {
  it("normalises numbers (whitespace, zero-width characters, case)", () => {
    const result = desiredTracking(snapshot([t(" 1z999aa1 0123456784 ", "UPS"), t("9400\u200B1112 0620 6406 2607 87", "USPS")]));
    expect(result.map((entry) => entry.number)).toEqual(["1Z999AA10123456784", "9400111206206406260787"]);
  });

  it("de-duplicates after normalising, keeping the first entry's company and URL", () => {
    const result = desiredTracking(
      snapshot([
        t("h008wa0009067598", "Hermes", "https://www.evri.com/track/#/parcel/H008WA0009067598"),
        t("H008WA0009067598", "Evri", null),
        t(" H008 WA00 0906 7598 ", null, "https://other.example/"),
      ]),
    );
    expect(result).toEqual([t("H008WA0009067598", "Hermes", "https://www.evri.com/track/#/parcel/H008WA0009067598")]);
  });

  it("drops junk shorter than 4 characters after normalising", () => {
    const result = desiredTracking(snapshot([t(""), t("   "), t("N/A"), t("a b c"), t("1234"), t("-")]));
    expect(result.map((entry) => entry.number)).toEqual(["1234"]);
  });

  it("trims the company and turns empty company or URL into null", () => {
    expect(desiredTracking(snapshot([t("3318810025", "  DHL Express  ", "")]))).toEqual([t("3318810025", "DHL Express", null)]);
    expect(desiredTracking(snapshot([t("986578788855", "   ", "https://fedex.com/t/986578788855")]))).toEqual([
      t("986578788855", null, "https://fedex.com/t/986578788855"),
    ]);
  });

  it.each(["cancelled", "error", "failure", "CANCELLED", "Failure"])("is empty for a %s fulfillment", (status) => {
    expect(isActiveFulfillment(status)).toBe(false);
    expect(desiredTracking(snapshot([t("1Z999AA10123456784", "UPS")], status))).toEqual([]);
  });

  it.each(["success", "pending", "open", "SUCCESS"])("keeps the numbers of a %s fulfillment", (status) => {
    expect(isActiveFulfillment(status)).toBe(true);
    expect(desiredTracking(snapshot([t("1Z999AA10123456784", "UPS")], status))).toHaveLength(1);
  });
});

describe("diffTrackingNumbers", () => {
  it.each([
    ["nothing to nothing", [], [], [], []],
    ["first numbers", [], ["A1", "B2"], ["A1", "B2"], []],
    ["all removed", ["A1", "B2"], [], [], ["A1", "B2"]],
    ["same set in another order", ["A1", "B2"], ["B2", "A1"], [], []],
    ["one replaced", ["A1", "B2"], ["A1", "C3"], ["C3"], ["B2"]],
    ["typo fixed and one added", ["1Z999AA1012345678"], ["1Z999AA10123456784", "3318810025"], ["1Z999AA10123456784", "3318810025"], ["1Z999AA1012345678"]],
  ])("%s", (_label, current, desired, added, removed) => {
    expect(diffTrackingNumbers(current, desired)).toEqual({ added, removed });
  });
});

// Reference §E.1 fulfillments/create example, plus the fields the app reads (email, destination, line items)
// and the address fields it must not keep.
const WEBHOOK_PAYLOAD = {
  id: 5528139530588,
  admin_graphql_api_id: "gid://shopify/Fulfillment/5528139530588",
  created_at: "2024-06-07T16:59:14+01:00",
  location_id: 91390607708,
  name: "#1002.1",
  order_id: 6127428141404,
  origin_address: {},
  receipt: {},
  service: "manual",
  shipment_status: null,
  status: "success",
  tracking_company: "Hermes",
  tracking_number: "H008WA0009067598",
  tracking_numbers: ["H008WA0009067598"],
  tracking_url: "https://www.evri.com/track/#/parcel/H008WA0009067598",
  tracking_urls: ["https://www.evri.com/track/#/parcel/H008WA0009067598"],
  updated_at: "2024-06-07T16:59:15+01:00",
  email: "jane.doe@example.com",
  destination: {
    first_name: "Jane",
    last_name: "Doe-Secretname",
    address1: "221B Baker Street",
    address2: "Flat 2",
    city: "Marylebone",
    zip: "NW1 6XE",
    province: "England",
    country: "United Kingdom",
    country_code: "gb",
    phone: "+44 20 7946 0958",
    company: "Private Residence Ltd",
    latitude: 51.5237,
    longitude: -0.1585,
    name: "Jane Doe-Secretname",
  },
  line_items: [
    {
      id: 15366380159068,
      variant_id: 47123,
      title: "Merino Scarf",
      quantity: 2,
      sku: "SCARF-M",
      variant_title: "Moss / One size",
      price: "39.00",
      vendor: "Tracklight Test Shop",
    },
    { id: "15366380191836", title: "Gift wrap", quantity: "1", sku: "", variant_title: null, price: "0.00" },
  ],
};

const parse = (payload: unknown) => snapshotFromWebhook(restFulfillmentSchema.parse(payload));

describe("snapshotFromWebhook", () => {
  it("maps the reference fulfillments/create payload", () => {
    expect(parse(WEBHOOK_PAYLOAD)).toEqual({
      shopifyFulfillmentId: "5528139530588",
      shopifyOrderId: "6127428141404",
      orderName: "#1002",
      fulfillmentName: "#1002.1",
      status: "success",
      updatedAt: new Date("2024-06-07T15:59:15Z"),
      tracking: [t("H008WA0009067598", "Hermes", "https://www.evri.com/track/#/parcel/H008WA0009067598")],
      lineItems: [
        { id: "15366380159068", title: "Merino Scarf", quantity: 2, variantTitle: "Moss / One size", sku: "SCARF-M" },
        { id: "15366380191836", title: "Gift wrap", quantity: 1, variantTitle: null, sku: null },
      ],
      customer: { email: "jane.doe@example.com", phone: "+44 20 7946 0958", firstName: "Jane", shopifyCustomerId: null, locale: null },
      destinationCountry: "GB",
    });
  });

  it("keeps none of the address fields it does not need", () => {
    const serialized = JSON.stringify(parse(WEBHOOK_PAYLOAD));
    for (const value of ["221B Baker Street", "Flat 2", "Marylebone", "NW1 6XE", "England", "United Kingdom", "Doe-Secretname", "Private Residence", "51.5237", "39.00", "Tracklight Test Shop"]) {
      expect(serialized).not.toContain(value);
    }
    for (const key of ["address1", "address2", "city", "zip", "province", "latitude", "last_name", "price"]) {
      expect(serialized).not.toContain(`"${key}"`);
    }
  });

  it("takes every number of tracking_numbers with the URL at the same index", () => {
    const snapshot = parse({
      ...WEBHOOK_PAYLOAD,
      tracking_company: "UPS",
      tracking_number: "1ZCIETST0111111114",
      tracking_numbers: ["1ZCIETST0111111114", "1ZCIETST0422222228", "1Z999AA10123456784"],
      tracking_url: "https://ups.example/1",
      tracking_urls: ["https://ups.example/1", "https://ups.example/2"],
    });
    expect(snapshot.tracking).toEqual([
      t("1ZCIETST0111111114", "UPS", "https://ups.example/1"),
      t("1ZCIETST0422222228", "UPS", "https://ups.example/2"),
      t("1Z999AA10123456784", "UPS", null),
    ]);
  });

  it.each([
    ["tracking_numbers missing", { tracking_numbers: undefined, tracking_urls: undefined }],
    ["tracking_numbers null", { tracking_numbers: null, tracking_urls: null }],
  ])("falls back to the single tracking_number and tracking_url when %s", (_label, overrides) => {
    const snapshot = parse({ ...WEBHOOK_PAYLOAD, ...overrides });
    expect(snapshot.tracking).toEqual([t("H008WA0009067598", "Hermes", "https://www.evri.com/track/#/parcel/H008WA0009067598")]);
  });

  it("falls back to the single tracking_number when tracking_numbers is empty", () => {
    const snapshot = parse({ ...WEBHOOK_PAYLOAD, tracking_numbers: [], tracking_urls: undefined });
    expect(snapshot.tracking.map((entry) => entry.number)).toEqual(["H008WA0009067598"]);
    expect(snapshot.tracking[0]!.url).toBe("https://www.evri.com/track/#/parcel/H008WA0009067598");
  });

  it("keeps tracking_url for the fallback number when tracking_urls is []", () => {
    const snapshot = parse({ ...WEBHOOK_PAYLOAD, tracking_numbers: [], tracking_urls: [] });
    expect(snapshot.tracking).toEqual([
      expect.objectContaining({ number: "H008WA0009067598", url: "https://www.evri.com/track/#/parcel/H008WA0009067598" }),
    ]);
  });

  it("has no tracking when the fulfillment has no number yet (tracking is added later by an update)", () => {
    const snapshot = parse({ ...WEBHOOK_PAYLOAD, tracking_number: null, tracking_numbers: [], tracking_url: null, tracking_urls: [], tracking_company: null });
    expect(snapshot.tracking).toEqual([]);
  });

  it("derives the order name from the fulfillment name", () => {
    expect(parse({ ...WEBHOOK_PAYLOAD, name: "#1002.12" }).orderName).toBe("#1002");
    expect(parse({ ...WEBHOOK_PAYLOAD, name: "TL-2024.5.3" }).orderName).toBe("TL-2024.5");
    expect(parse({ ...WEBHOOK_PAYLOAD, name: "#1002" }).orderName).toBe("#1002");
    expect(parse({ ...WEBHOOK_PAYLOAD, name: null })).toMatchObject({ orderName: null, fulfillmentName: null });
  });

  it.each([
    ["SUCCESS", "success"],
    ["Cancelled", "cancelled"],
    [undefined, "success"],
  ])("lower-cases the status %j", (status, expected) => {
    expect(parse({ ...WEBHOOK_PAYLOAD, status }).status).toBe(expected);
  });

  it("has no customer without e-mail or destination, and null line items when they are absent", () => {
    const snapshot = parse({ ...WEBHOOK_PAYLOAD, email: null, destination: null, line_items: undefined });
    expect(snapshot.customer).toBeNull();
    expect(snapshot.destinationCountry).toBeNull();
    expect(snapshot.lineItems).toBeNull();
  });

  it("keeps the e-mail without a destination", () => {
    expect(parse({ ...WEBHOOK_PAYLOAD, destination: undefined }).customer).toEqual({
      email: "jane.doe@example.com",
      phone: null,
      firstName: null,
      shopifyCustomerId: null,
      locale: null,
    });
  });

  it("treats blank text as missing and an unparseable updated_at as unknown", () => {
    const snapshot = parse({ ...WEBHOOK_PAYLOAD, email: "  ", tracking_company: " ", updated_at: "yesterday", destination: { country_code: "" } });
    expect(snapshot.updatedAt).toBeNull();
    expect(snapshot.tracking[0]!.company).toBeNull();
    expect(snapshot.destinationCountry).toBeNull();
    expect(snapshot.customer).toEqual({ email: null, phone: null, firstName: null, shopifyCustomerId: null, locale: null });
  });

  it("the schema requires the fulfillment and order ids", () => {
    expect(restFulfillmentSchema.safeParse({ ...WEBHOOK_PAYLOAD, id: undefined }).success).toBe(false);
    expect(restFulfillmentSchema.safeParse({ ...WEBHOOK_PAYLOAD, order_id: null }).success).toBe(false);
  });
});

describe("snapshotsFromBulkLine", () => {
  const orderLine = {
    id: "gid://shopify/Order/6127428141404",
    legacyResourceId: "6127428141404",
    name: "#1002",
    email: "jane.doe@example.com",
    phone: "+447946000000",
    customer: { id: "gid://shopify/Customer/7390123", firstName: "Jane", locale: "en-GB", lastName: "Doe" },
    shippingAddress: { countryCodeV2: "gb", address1: "221B Baker Street", city: "Marylebone", zip: "NW1 6XE" },
    fulfillments: [
      {
        id: "gid://shopify/Fulfillment/5528139530588",
        legacyResourceId: "5528139530588",
        status: "SUCCESS",
        updatedAt: "2024-06-07T15:59:15Z",
        trackingInfo: [
          { number: "H008WA0009067598", company: "Hermes", url: "https://www.evri.com/track/#/parcel/H008WA0009067598" },
          { number: "3318810025", company: "DHL Express", url: null },
        ],
      },
      {
        id: "gid://shopify/Fulfillment/5528139563356",
        status: "CANCELLED",
        updatedAt: null,
        trackingInfo: [{ number: null, company: "UPS", url: null }, { number: "  ", company: null, url: null }, { number: "1ZCIETST0111111114", company: "UPS", url: "" }],
      },
    ],
  };

  it("returns one snapshot per fulfillment with numeric ids", () => {
    const customer = { email: "jane.doe@example.com", phone: "+447946000000", firstName: "Jane", shopifyCustomerId: "7390123", locale: "en-GB" };
    expect(snapshotsFromBulkLine(orderLine)).toEqual([
      {
        shopifyFulfillmentId: "5528139530588",
        shopifyOrderId: "6127428141404",
        orderName: "#1002",
        fulfillmentName: null,
        status: "success",
        updatedAt: new Date("2024-06-07T15:59:15Z"),
        tracking: [
          t("H008WA0009067598", "Hermes", "https://www.evri.com/track/#/parcel/H008WA0009067598"),
          t("3318810025", "DHL Express", null),
        ],
        lineItems: null,
        customer,
        destinationCountry: "GB",
      },
      {
        // No legacyResourceId: the gid's tail is the numeric id.
        shopifyFulfillmentId: "5528139563356",
        shopifyOrderId: "6127428141404",
        orderName: "#1002",
        fulfillmentName: null,
        status: "cancelled",
        updatedAt: null,
        tracking: [t("1ZCIETST0111111114", "UPS", null)],
        lineItems: null,
        customer,
        destinationCountry: "GB",
      },
    ]);
  });

  it("takes the order id from the gid without legacyResourceId, and accepts numeric legacy ids", () => {
    const [first] = snapshotsFromBulkLine({ ...orderLine, legacyResourceId: undefined });
    expect(first!.shopifyOrderId).toBe("6127428141404");
    const [numeric] = snapshotsFromBulkLine({ ...orderLine, legacyResourceId: 6127428141404, fulfillments: [{ ...orderLine.fulfillments[0]!, legacyResourceId: 5528139530588 }] });
    expect(numeric).toMatchObject({ shopifyOrderId: "6127428141404", shopifyFulfillmentId: "5528139530588" });
  });

  it("keeps no shipping address field but the country", () => {
    const serialized = JSON.stringify(snapshotsFromBulkLine(orderLine));
    for (const value of ["221B Baker Street", "Marylebone", "NW1 6XE", "Doe"]) expect(serialized).not.toContain(value);
  });

  it("works without customer, address or fulfillments", () => {
    expect(snapshotsFromBulkLine({ id: "gid://shopify/Order/1", fulfillments: null })).toEqual([]);
    const [only] = snapshotsFromBulkLine({
      id: "gid://shopify/Order/1",
      fulfillments: [{ id: "gid://shopify/Fulfillment/2", status: "SUCCESS", trackingInfo: null }],
    });
    expect(only).toMatchObject({
      shopifyOrderId: "1",
      shopifyFulfillmentId: "2",
      orderName: null,
      tracking: [],
      customer: { email: null, phone: null, firstName: null, shopifyCustomerId: null, locale: null },
      destinationCountry: null,
    });
  });

  describe("line items (lines after the order's, with __parentId)", () => {
    const item = (id: number, extra: Record<string, unknown> = {}) => ({
      id: `gid://shopify/LineItem/${id}`,
      title: `Item ${id}`,
      variantTitle: "M",
      sku: `SKU-${id}`,
      quantity: 2,
      unfulfilledQuantity: 0,
      image: { url: `https://cdn.shopify.com/s/files/item-${id}.png` },
      __parentId: orderLine.id,
      ...extra,
    });

    it("go to the order's only active fulfillment, with the quantity shipped and the image", () => {
      const [active, cancelled] = snapshotsFromBulkLine(orderLine, [
        item(1),
        item(2, { unfulfilledQuantity: 1, image: null, variantTitle: null }),
        item(3, { unfulfilledQuantity: 2 }),
        item(4, { __parentId: "gid://shopify/Order/1" }),
      ]);
      expect(active!.lineItems).toEqual([
        { id: "1", title: "Item 1", quantity: 2, variantTitle: "M", sku: "SKU-1", imageUrl: "https://cdn.shopify.com/s/files/item-1.png" },
        { id: "2", title: "Item 2", quantity: 1, variantTitle: null, sku: "SKU-2", imageUrl: null },
      ]);
      expect(cancelled!.lineItems).toBeNull();
    });

    it("stay unknown when the order has several active fulfillments, or came without item lines", () => {
      const split = { ...orderLine, fulfillments: orderLine.fulfillments.map((f) => ({ ...f, status: "SUCCESS" })) };
      expect(snapshotsFromBulkLine(split, [item(1)]).map((snapshot) => snapshot.lineItems)).toEqual([null, null]);
      expect(snapshotsFromBulkLine(orderLine)[0]!.lineItems).toBeNull();
    });

    it("are recognised as the order's lines", () => {
      expect(isBulkChildLine(item(1))).toBe(true);
      expect(isBulkChildLine(orderLine)).toBe(false);
      expect(isBulkChildLine(null)).toBe(false);
    });
  });

  it.each([
    ["a child line of another type", { id: "gid://shopify/LineItem/15366380159068", __parentId: "gid://shopify/Order/6127428141404", fulfillments: [] }],
    ["a fulfillment line", { id: "gid://shopify/Fulfillment/5528139530588", status: "SUCCESS", fulfillments: orderLine.fulfillments }],
    ["null", null],
    ["a string", "gid://shopify/Order/1"],
    ["an object without id", { name: "#1002" }],
    ["an order with malformed fulfillments", { id: "gid://shopify/Order/1", fulfillments: [{ id: 5 }] }],
  ])("returns [] for %s", (_label, line) => {
    expect(snapshotsFromBulkLine(line)).toEqual([]);
  });
});
