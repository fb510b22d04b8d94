import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startShopifySimulator, type ShopifySimulator } from "../../simulators/shopify";
import { restFulfillmentSchema, snapshotFromWebhook } from "~/adapters/shopify-admin/fulfillment-payloads";
import type { FulfillmentSnapshot } from "~/domain/fulfillment";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { JobRunner } from "~/jobs/runner.server";
import { redactCustomer } from "~/services/compliance.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { ensureShop, markShopUninstalled } from "~/services/shops.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices, storeOfflineSession, TEST_API_SECRET } from "../support/services";
import { countJobs, deleteJobs, listJobs } from "../support/jobs";

let database: TestDatabase;
let clock: TestClock;
let services: ServiceContext;
let shop: { id: string; domain: string };
let shopCounter = 0;
let numberCounter = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});
beforeEach(async () => {
  // Every test gets its own shop, so rows and jobs of earlier tests never count.
  clock = new TestClock();
  services = createTestServices(database.db, { clock });
  shop = await ensureShop(services, `ingest-${++shopCounter}.myshopify.com`);
});

const prisma = () => database.db.prisma;

/** A valid UPS number no other test uses. */
function ups(): string {
  return upsNumber(50_000 + ++numberCounter);
}

/** The same fulfillment as Shopify sends it later: its next version, `minutes` after the previous one. */
function nextVersion(
  previous: FulfillmentSnapshot,
  changes: Partial<FulfillmentSnapshot> & { numbers?: string[]; company?: string | null } = {},
  minutes = 1,
): FulfillmentSnapshot {
  const { numbers, company, ...rest } = changes;
  const tracking =
    numbers === undefined
      ? previous.tracking
      : numbers.map((number) => ({ number, company: company === undefined ? (previous.tracking[0]?.company ?? "UPS") : company, url: null }));
  return {
    ...previous,
    tracking,
    updatedAt: new Date((previous.updatedAt ?? clock.now()).getTime() + minutes * 60_000),
    ...rest,
  };
}

function ingest(snapshot: FulfillmentSnapshot) {
  return ingestFulfillment(services, shop.domain, snapshot);
}

async function shipment(trackingNumber: string) {
  return prisma().shipment.findUniqueOrThrow({
    where: { shopId_trackingNumber: { shopId: shop.id, trackingNumber } },
    include: { fulfillments: { include: { fulfillment: { select: { shopifyFulfillmentId: true } } } } },
  });
}

/** Shopify fulfillment ids each shipment is linked to. */
async function links(trackingNumber: string): Promise<string[]> {
  return (await shipment(trackingNumber)).fulfillments.map((link) => link.fulfillment.shopifyFulfillmentId).sort();
}

function jobs(type: string) {
  return listJobs(database.db, { shopId: shop.id, type });
}

/** ShipmentStatusCount must always agree with a count of the shipments themselves. */
async function expectStatusCountsMatchShipments(expectedPending: number) {
  const counted = await prisma().shipment.groupBy({ by: ["status"], where: { shopId: shop.id }, _count: true });
  const kept = await prisma().shipmentStatusCount.findMany({ where: { shopId: shop.id } });
  const nonZero = Object.fromEntries(kept.filter((row) => row.count !== 0).map((row) => [row.status, row.count]));
  expect(nonZero).toEqual(Object.fromEntries(counted.map((row) => [row.status, row._count])));
  expect(nonZero.pending ?? 0).toBe(expectedPending);
}

/** Every row the ingest can write for the shop. */
async function shopRows(options: { withUpdatedAt: boolean }) {
  const strip = <T extends { updatedAt: Date }>(rows: T[]) =>
    options.withUpdatedAt ? rows : rows.map(({ updatedAt: _ignored, ...rest }) => rest);
  const shopId = shop.id;
  return {
    orders: strip(await prisma().order.findMany({ where: { shopId }, orderBy: { shopifyOrderId: "asc" } })),
    fulfillments: strip(await prisma().fulfillment.findMany({ where: { shopId }, orderBy: { shopifyFulfillmentId: "asc" } })),
    shipments: strip(await prisma().shipment.findMany({ where: { shopId }, orderBy: { trackingNumber: "asc" } })),
    links: await prisma().shipmentFulfillment.findMany({
      where: { shipment: { shopId } },
      orderBy: [{ shipmentId: "asc" }, { fulfillmentId: "asc" }],
    }),
    counts: await prisma().shipmentStatusCount.findMany({ where: { shopId }, orderBy: { status: "asc" } }),
    jobs: await listJobs(database.db, { shopId }),
  };
}

/** What a registration run leaves on a shipment: the provider knows it. */
async function markRegistered(trackingNumber: string) {
  await prisma().shipment.update({
    where: { shopId_trackingNumber: { shopId: shop.id, trackingNumber } },
    data: { registrationState: "registered", providerTrackingId: "0123456789abcdef0123456789abcdef", registeredAt: clock.now() },
  });
}

describe(`ingesting Shopify fulfillments on ${testDialect()}`, () => {
  it("a fulfillment with several numbers: one pending shipment per number, linked, one registration job for the shop", async () => {
    const numbers = [ups(), ups(), ups()];
    const snapshot = fulfillmentSnapshot({ numbers });
    expect(await ingest(snapshot)).toEqual({ result: "APPLIED", added: numbers, removed: [], stopped: [] });

    const order = await prisma().order.findUniqueOrThrow({ where: { shopId_shopifyOrderId: { shopId: shop.id, shopifyOrderId: snapshot.shopifyOrderId } } });
    expect(order).toMatchObject({
      name: snapshot.orderName,
      email: snapshot.customer!.email,
      customerFirstName: "Ada",
      shopifyCustomerId: snapshot.customer!.shopifyCustomerId,
      locale: "en",
      destinationCountry: "US",
      redactedAt: null,
    });
    const fulfillment = await prisma().fulfillment.findUniqueOrThrow({
      where: { shopId_shopifyFulfillmentId: { shopId: shop.id, shopifyFulfillmentId: snapshot.shopifyFulfillmentId } },
    });
    expect(fulfillment).toMatchObject({ orderId: order.id, status: "success", name: snapshot.fulfillmentName, trackingCompany: "UPS", shopifyUpdatedAt: snapshot.updatedAt });
    expect(JSON.parse(fulfillment.lineItems!)).toEqual(snapshot.lineItems);

    const stored = await prisma().shipment.findMany({ where: { shopId: shop.id }, include: { fulfillments: true }, orderBy: { trackingNumber: "asc" } });
    expect(stored.map((row) => row.trackingNumber)).toEqual([...numbers].sort());
    for (const row of stored) {
      expect(row).toMatchObject({
        status: "pending",
        registrationState: "pending",
        provider: "trackingmore",
        providerTrackingId: null,
        destinationCountry: "US",
        carrierCode: "ups",
        createdAt: clock.now(),
      });
      expect(row.fulfillments.map((link) => link.fulfillmentId)).toEqual([fulfillment.id]);
    }

    const register = await jobs(JOB_TYPES.registerShipments);
    expect(register).toHaveLength(1);
    expect(register[0]).toMatchObject({ state: "queued", singletonKey: `register:${shop.id}`, runAt: clock.now() });
    expect(JSON.parse(register[0]!.payload)).toEqual({ shopId: shop.id });
    await expectStatusCountsMatchShipments(3);

    // More numbers while that run still waits: the waiting run takes them too, no second job.
    const more = [ups(), ups()];
    expect(await ingest(fulfillmentSnapshot({ numbers: more }))).toMatchObject({ result: "APPLIED", added: more });
    expect(await jobs(JOB_TYPES.registerShipments)).toHaveLength(1);
    await expectStatusCountsMatchShipments(5);
  });

  it("a fulfillment created without a number gets its shipment only when an update adds one", async () => {
    const created = fulfillmentSnapshot({ numbers: [] });
    expect(await ingest(created)).toEqual({ result: "APPLIED", added: [], removed: [], stopped: [] });
    expect(await prisma().fulfillment.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await prisma().order.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await prisma().shipment.count({ where: { shopId: shop.id } })).toBe(0);
    expect(await jobs(JOB_TYPES.registerShipments)).toHaveLength(0);
    await expectStatusCountsMatchShipments(0);

    const number = ups();
    expect(await ingest(nextVersion(created, { numbers: [number] }))).toEqual({ result: "APPLIED", added: [number], removed: [], stopped: [] });
    expect(await links(number)).toEqual([created.shopifyFulfillmentId]);
    expect((await shipment(number)).registrationState).toBe("pending");
    expect(await jobs(JOB_TYPES.registerShipments)).toHaveLength(1);
    await expectStatusCountsMatchShipments(1);
  });

  it("a number that was never registered and is replaced: the old one stops without a provider call, the new one waits", async () => {
    const [a, b] = [ups(), ups()];
    const created = fulfillmentSnapshot({ numbers: [a] });
    await ingest(created);
    clock.advance(60_000);
    expect(await ingest(nextVersion(created, { numbers: [b] }))).toEqual({ result: "APPLIED", added: [b], removed: [a], stopped: [a] });

    const old = await shipment(a);
    expect(old).toMatchObject({ registrationState: "stopped", stopReason: "tracking_number_removed", stoppedAt: clock.now(), version: 1 });
    expect(old.fulfillments).toEqual([]);
    expect(await jobs(JOB_TYPES.stopProviderTracking)).toHaveLength(0);
    expect(await shipment(b)).toMatchObject({ registrationState: "pending", stopReason: null });
    expect(await links(b)).toEqual([created.shopifyFulfillmentId]);
  });

  it("a registered number that is replaced: stopped, and the provider is told to stop tracking it", async () => {
    const [a, b] = [ups(), ups()];
    const created = fulfillmentSnapshot({ numbers: [a] });
    await ingest(created);
    await markRegistered(a);
    expect(await ingest(nextVersion(created, { numbers: [b] }))).toMatchObject({ result: "APPLIED", stopped: [a] });

    const old = await shipment(a);
    expect(old).toMatchObject({ registrationState: "stopped", stopReason: "tracking_number_removed" });
    const stopJobs = await jobs(JOB_TYPES.stopProviderTracking);
    expect(stopJobs).toHaveLength(1);
    expect(stopJobs[0]!.state).toBe("queued");
    expect(JSON.parse(stopJobs[0]!.payload)).toEqual({
      shopId: shop.id,
      shipmentId: old.id,
      provider: "trackingmore",
      trackingNumber: a,
      carrierCode: old.carrierCode,
      providerTrackingId: old.providerTrackingId,
    });
    expect(await shipment(b)).toMatchObject({ registrationState: "pending" });
    expect(await jobs(JOB_TYPES.registerShipments)).toHaveLength(1);
  });

  it("a cancelled fulfillment stops its numbers as fulfillment_cancelled; registered ones are stopped at the provider", async () => {
    const [a, b] = [ups(), ups()];
    const created = fulfillmentSnapshot({ numbers: [a, b] });
    await ingest(created);
    await markRegistered(b);
    // Shopify's fulfillments/update for a cancellation keeps the tracking numbers, with status "cancelled".
    const outcome = await ingest(nextVersion(created, { status: "cancelled" }));
    expect(outcome).toEqual({ result: "APPLIED", added: [], removed: expect.arrayContaining([a, b]), stopped: expect.arrayContaining([a, b]) });
    expect(outcome).toMatchObject({ removed: { length: 2 }, stopped: { length: 2 } });

    for (const number of [a, b]) {
      expect(await shipment(number)).toMatchObject({ registrationState: "stopped", stopReason: "fulfillment_cancelled", fulfillments: [] });
    }
    const stopJobs = await jobs(JOB_TYPES.stopProviderTracking);
    expect(stopJobs.map((job) => JSON.parse(job.payload).shipmentId)).toEqual([(await shipment(b)).id]);
    expect((await prisma().fulfillment.findFirstOrThrow({ where: { shopId: shop.id } })).status).toBe("cancelled");
  });

  it("the same number on two fulfillments of an order is one shipment, tracked until both are cancelled", async () => {
    const shared = ups();
    const first = fulfillmentSnapshot({ numbers: [shared] });
    const second = fulfillmentSnapshot({ numbers: [shared], shopifyOrderId: first.shopifyOrderId, orderName: first.orderName, fulfillmentName: `${first.orderName}.2` });
    await ingest(first);
    expect(await ingest(second)).toEqual({ result: "APPLIED", added: [shared], removed: [], stopped: [] });

    expect(await prisma().shipment.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await links(shared)).toEqual([first.shopifyFulfillmentId, second.shopifyFulfillmentId].sort());
    expect(await prisma().order.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await jobs(JOB_TYPES.registerShipments)).toHaveLength(1);
    await expectStatusCountsMatchShipments(1);

    expect(await ingest(nextVersion(first, { status: "cancelled" }))).toEqual({ result: "APPLIED", added: [], removed: [shared], stopped: [] });
    expect(await shipment(shared)).toMatchObject({ registrationState: "pending", stopReason: null });
    expect(await links(shared)).toEqual([second.shopifyFulfillmentId]);

    expect(await ingest(nextVersion(second, { status: "cancelled" }))).toEqual({ result: "APPLIED", added: [], removed: [shared], stopped: [shared] });
    expect(await shipment(shared)).toMatchObject({ registrationState: "stopped", stopReason: "fulfillment_cancelled", fulfillments: [] });
    await expectStatusCountsMatchShipments(1);
  });

  it("a number removed and added back resumes the same shipment, waiting for registration again", async () => {
    const number = ups();
    const v1 = fulfillmentSnapshot({ numbers: [number] });
    await ingest(v1);
    const original = await shipment(number);
    // The waiting registration run has happened (no provider connected, so it did nothing).
    await new JobRunner(services, ALL_JOBS).drain();
    expect(await countJobs(database.db, { shopId: shop.id, states: ["queued"] })).toBe(0);

    const v2 = nextVersion(v1, { numbers: [] });
    expect(await ingest(v2)).toMatchObject({ removed: [number], stopped: [number] });
    expect(await shipment(number)).toMatchObject({ registrationState: "stopped", stopReason: "tracking_number_removed" });

    expect(await ingest(nextVersion(v2, { numbers: [number] }))).toEqual({ result: "APPLIED", added: [number], removed: [], stopped: [] });
    const resumed = await shipment(number);
    expect(resumed).toMatchObject({ id: original.id, registrationState: "pending", stoppedAt: null, stopReason: null, createdAt: original.createdAt });
    expect(await links(number)).toEqual([v1.shopifyFulfillmentId]);
    expect(await prisma().shipment.count({ where: { shopId: shop.id } })).toBe(1);
    const queued = await listJobs(database.db, { shopId: shop.id, type: JOB_TYPES.registerShipments, states: ["queued"] });
    expect(queued).toHaveLength(1);
    await expectStatusCountsMatchShipments(1);
  });

  it("a registered number added back before the provider was told to stop resumes as registered, with no new registration", async () => {
    const number = ups();
    const v1 = fulfillmentSnapshot({ numbers: [number] });
    await ingest(v1);
    await deleteJobs(database.db, { shopId: shop.id });
    await markRegistered(number);

    const v2 = nextVersion(v1, { numbers: [] });
    await ingest(v2);
    expect(await jobs(JOB_TYPES.stopProviderTracking)).toHaveLength(1);
    expect(await ingest(nextVersion(v2, { numbers: [number] }))).toMatchObject({ added: [number] });

    expect(await shipment(number)).toMatchObject({ registrationState: "registered", providerTrackingId: "0123456789abcdef0123456789abcdef", stopReason: null });
    expect(await jobs(JOB_TYPES.registerShipments)).toHaveLength(0);
    expect(await prisma().shipment.count({ where: { shopId: shop.id } })).toBe(1);
  });

  it("a delivery older than the version we hold is ignored and changes nothing", async () => {
    const [a, b] = [ups(), ups()];
    const created = fulfillmentSnapshot({ numbers: [a] });
    const updated = nextVersion(created, { numbers: [b] }, 5);
    await ingest(created);
    await ingest(updated);
    const before = await shopRows({ withUpdatedAt: true });

    // Shopify's retry of the create arrives after the update.
    expect(await ingest(created)).toEqual({ result: "IGNORED_STALE" });
    // An update from in between, equally late.
    expect(await ingest(nextVersion(created, { numbers: [a, b], status: "success" }, 2))).toEqual({ result: "IGNORED_STALE" });

    expect(await shopRows({ withUpdatedAt: true })).toEqual(before);
    expect(await shipment(a)).toMatchObject({ registrationState: "stopped" });
    expect(await links(b)).toEqual([created.shopifyFulfillmentId]);
    expect((await prisma().fulfillment.findFirstOrThrow({ where: { shopId: shop.id } })).shopifyUpdatedAt).toEqual(updated.updatedAt);
  });

  it("the same snapshot twice is idempotent: no new rows, no second job", async () => {
    const snapshot = fulfillmentSnapshot({ numbers: [ups(), ups()] });
    await ingest(snapshot);
    const before = await shopRows({ withUpdatedAt: false });
    expect(await ingest(snapshot)).toEqual({ result: "APPLIED", added: [], removed: [], stopped: [] });
    expect(await shopRows({ withUpdatedAt: false })).toEqual(before);
    expect(before.shipments).toHaveLength(2);
    expect(before.jobs).toHaveLength(1);
  });

  it.each([
    { label: 'Shopify names the carrier ("UPS") and the 1Z checks out', company: "UPS", number: upsNumber(7001), url: null, carrierCode: "ups", carrierSource: "shopify", trackingUrl: `https://www.ups.com/track?tracknum=${upsNumber(7001)}` },
    { label: "no company, but a checksum-valid 1Z number", company: null, number: upsNumber(7002), url: null, carrierCode: "ups", carrierSource: "detected", trackingUrl: `https://www.ups.com/track?tracknum=${upsNumber(7002)}` },
    { label: 'company "Other" and a number no format matches', company: "Other", number: "ZZ-NOT-A-NUMBER", url: null, carrierCode: null, carrierSource: null, trackingUrl: null },
    { label: "Shopify's own tracking URL", company: "UPS", number: upsNumber(7003), url: "https://shop.example/track?n=7003", carrierCode: "ups", carrierSource: "shopify", trackingUrl: "https://shop.example/track?n=7003" },
  ])("carrier: $label", async ({ company, number, url, carrierCode, carrierSource, trackingUrl }) => {
    await ingest(fulfillmentSnapshot({ tracking: [{ number, company, url }] }));
    expect(await shipment(number)).toMatchObject({ carrierCode, carrierSource, trackingUrl, trackingCompany: company, registrationState: "pending" });
  });

  it("an uninstalled shop is skipped and nothing is stored", async () => {
    expect(await markShopUninstalled(services, shop.domain)).toBe("UNINSTALLED");
    const before = await shopRows({ withUpdatedAt: true });
    expect(await ingest(fulfillmentSnapshot({ numbers: [ups()] }))).toEqual({ result: "SKIPPED_SHOP_INACTIVE" });
    expect(await shopRows({ withUpdatedAt: true })).toEqual(before);
    expect(before.orders).toEqual([]);
    expect(await ingestFulfillment(services, "never-installed.myshopify.com", fulfillmentSnapshot({ numbers: [ups()] }))).toEqual({ result: "SKIPPED_SHOP_INACTIVE" });
    expect(await prisma().shop.count({ where: { domain: "never-installed.myshopify.com" } })).toBe(0);
  });

  it("after customers/redact, later snapshots of the order do not bring the customer's details back", async () => {
    const customer = { email: "grace@example.com", phone: "+1 555 0100", firstName: "Grace", shopifyCustomerId: "7001", locale: "en-US" };
    const first = fulfillmentSnapshot({ numbers: [ups()], customer });
    await ingest(first);
    const redaction = await redactCustomer(services, {
      shop_domain: shop.domain,
      customer: { id: "7001", email: customer.email, phone: customer.phone },
      orders_to_redact: [first.shopifyOrderId],
    });
    expect(redaction).toEqual({ result: "REDACTED", orders: 1 });
    const redacted = await prisma().order.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(redacted).toMatchObject({ email: null, phone: null, customerFirstName: null, shopifyCustomerId: null, locale: null, redactedAt: clock.now() });

    clock.advance(60_000);
    const late = ups();
    // An update of the same fulfillment and a second fulfillment of the order, both still carrying the customer.
    expect(await ingest(nextVersion(first, { numbers: [...first.tracking.map((entry) => entry.number), late] }))).toMatchObject({ added: [late] });
    await ingest(fulfillmentSnapshot({ numbers: [ups()], customer, shopifyOrderId: first.shopifyOrderId, orderName: first.orderName }));

    const order = await prisma().order.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(order).toMatchObject({ email: null, phone: null, customerFirstName: null, shopifyCustomerId: null, locale: null, redactedAt: redacted.redactedAt });
    // Tracking itself goes on.
    expect(await prisma().shipment.count({ where: { shopId: shop.id } })).toBe(3);
  });

  it("a number replaced by a placeholder on an active fulfillment is stopped as removed, not as cancelled", async () => {
    const number = ups();
    const created = fulfillmentSnapshot({ numbers: [number] });
    await ingest(created);
    expect(await ingest(nextVersion(created, { numbers: ["N/A"] }))).toMatchObject({ stopped: [number] });
    expect(await shipment(number)).toMatchObject({ registrationState: "stopped", stopReason: "tracking_number_removed" });
  });
});

describe(`line item images of webhook fulfillments on ${testDialect()}`, () => {
  const ACCESS_TOKEN = "shpat_tracklight_images_test";
  let shopify: ShopifySimulator;
  let withShopify: ServiceContext;

  beforeAll(async () => {
    shopify = await startShopifySimulator({ apiSecretKey: TEST_API_SECRET });
  });
  afterAll(async () => {
    await shopify?.close();
  });
  beforeEach(async () => {
    withShopify = createTestServices(database.db, { clock, shopifyAdminOrigin: shopify.url });
    shopify.addShop({ domain: shop.domain, accessToken: ACCESS_TOKEN });
    await storeOfflineSession(database.db, shop.domain, ACCESS_TOKEN);
  });

  /** Shopify's fulfillments/create payload for a new fulfillment of an order with a pictured lamp and an unpictured bulb. */
  async function webhookFulfillment() {
    const order = shopify.addOrder(shop.domain, {
      lineItems: [
        { title: "Lamp", quantity: 1, imageUrl: "https://cdn.shopify.com/s/files/lamp.png" },
        { title: "Bulb", quantity: 2, imageUrl: null },
      ],
    });
    const { fulfillment } = await shopify.createFulfillment(shop.domain, order.id, { trackingCompany: "UPS", trackingNumbers: [ups()] }, { silent: true });
    return snapshotFromWebhook(restFulfillmentSchema.parse(fulfillment));
  }

  const imageCalls = () => shopify.graphqlCalls.filter((call) => call.shop === shop.domain && call.query.includes("FulfillmentLineItemImages"));
  const storedItems = async (snapshot: FulfillmentSnapshot) =>
    JSON.parse((await prisma().fulfillment.findFirstOrThrow({ where: { shopId: shop.id, shopifyFulfillmentId: snapshot.shopifyFulfillmentId } })).lineItems!);

  it("asks Shopify once per fulfillment, and keeps the images through later updates", async () => {
    const created = await webhookFulfillment();
    expect(created.lineItems!.every((item) => item.imageUrl === undefined)).toBe(true);
    expect(await ingestFulfillment(withShopify, shop.domain, created)).toMatchObject({ result: "APPLIED" });
    expect((await storedItems(created)).map((item: { title: string; imageUrl: string | null }) => [item.title, item.imageUrl])).toEqual([
      ["Lamp", "https://cdn.shopify.com/s/files/lamp.png"],
      ["Bulb", null],
    ]);
    expect(imageCalls()).toHaveLength(1);

    await ingestFulfillment(withShopify, shop.domain, nextVersion(created, { numbers: [...created.tracking.map((entry) => entry.number), ups()] }));
    expect(imageCalls()).toHaveLength(1);
    expect((await storedItems(created)).map((item: { imageUrl: string | null }) => item.imageUrl)).toEqual(["https://cdn.shopify.com/s/files/lamp.png", null]);
  });

  it("ingests without images when Shopify cannot be asked, and asks again with the next update", async () => {
    const created = await webhookFulfillment();
    // A stored token Shopify no longer accepts: the Admin API answers 401.
    await storeOfflineSession(database.db, shop.domain, "shpat_revoked");
    expect(await ingestFulfillment(withShopify, shop.domain, created)).toMatchObject({ result: "APPLIED", added: [created.tracking[0]!.number] });
    expect((await storedItems(created)).map((item: { title: string; imageUrl?: string | null }) => [item.title, item.imageUrl])).toEqual([
      ["Lamp", undefined],
      ["Bulb", undefined],
    ]);

    expect(imageCalls().map((call) => call.status)).toEqual([401]);
    await storeOfflineSession(database.db, shop.domain, ACCESS_TOKEN);
    await ingestFulfillment(withShopify, shop.domain, nextVersion(created));
    expect((await storedItems(created)).map((item: { imageUrl?: string | null }) => item.imageUrl)).toEqual(["https://cdn.shopify.com/s/files/lamp.png", null]);
  });
});
