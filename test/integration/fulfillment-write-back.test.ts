import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startShopifySimulator, type ShopifySimulator } from "../../simulators/shopify";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import { JobRunner } from "~/jobs/runner.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { ensureShop, markShopUninstalled } from "~/services/shops.server";
import { WRITE_BACK_SKIP_REASONS } from "~/services/write-fulfillment-event.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices, storeOfflineSession, TEST_API_SECRET } from "../support/services";

/**
 * Milestones written back to Shopify (issue 6): FulfillmentEventWrite rows, as the milestone
 * recording leaves them, run through the real job queue and the real Shopify library against the
 * Shopify simulator, which keeps the fulfillment events Shopify would show.
 */

const ACCESS_TOKEN = "shpat_tracklight_write_back_test";
const HOUR_MS = 60 * 60_000;

let database: TestDatabase;
let shopify: ShopifySimulator;
let clock: TestClock;
let services: ServiceContext;
let counter = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  shopify = await startShopifySimulator({ apiSecretKey: TEST_API_SECRET });
});

afterAll(async () => {
  await shopify?.close();
  await database?.dispose();
});

beforeEach(async () => {
  // Each test drives the queue itself: nothing left from another test may be claimed.
  await database.db.prisma.job.deleteMany();
  clock = new TestClock("2026-11-24T10:00:00.000Z");
  services = createTestServices(database.db, { clock, shopifyAdminOrigin: shopify.url });
});

interface Parcel {
  shop: { id: string; domain: string };
  /** Shopify's fulfillment GID, as the simulator reports events. */
  fulfillmentGid: string;
  fulfillmentId: string;
  shipmentId: string;
}

/**
 * An installed shop with one shipped order, known to Shopify and to us (ingested the way a
 * fulfillments/create webhook is), with the carrier's scans recorded on the shipment.
 */
async function shippedParcel(
  options: { rateLimit?: { maximumAvailable: number; restoreRate: number }; accessScopes?: string[] } = {},
): Promise<Parcel> {
  const n = ++counter;
  const domain = `write-back-${n}-${testDialect()}.myshopify.com`;
  shopify.addShop({ domain, accessToken: ACCESS_TOKEN, rateLimit: options.rateLimit, accessScopes: options.accessScopes });
  await storeOfflineSession(database.db, domain, ACCESS_TOKEN);
  const shop = await ensureShop(services, domain);
  const trackingNumber = upsNumber(700_000 + n + (testDialect() === "postgresql" ? 50_000 : 0));
  const order = shopify.addOrder(domain, { lineItems: [{ title: "Linen shirt", quantity: 1 }] });
  const { fulfillment } = await shopify.createFulfillment(domain, order.id, { trackingCompany: "UPS", trackingNumbers: [trackingNumber] }, { silent: true });
  await ingestFulfillment(
    services,
    domain,
    fulfillmentSnapshot({ shopifyFulfillmentId: String(fulfillment.id), shopifyOrderId: String(order.id), numbers: [trackingNumber] }),
  );
  await database.db.prisma.job.deleteMany({ where: { shopId: shop.id } });
  const ours = await database.db.prisma.fulfillment.findUniqueOrThrow({
    where: { shopId_shopifyFulfillmentId: { shopId: shop.id, shopifyFulfillmentId: String(fulfillment.id) } },
    include: { shipments: true },
  });
  const shipmentId = ours.shipments[0]!.shipmentId;
  await database.db.prisma.trackingEvent.createMany({
    data: [
      scan(shipmentId, "2026-11-21T08:00:00Z", "Picked up by UPS", { city: "Louisville", state: "KY", countryCode: "US", postalCode: "40213" }),
      scan(shipmentId, "2026-11-23T07:15:00Z", "Out for delivery", { city: "Ottawa", state: "ON", countryCode: "CA", postalCode: "K2P 2L8" }),
      scan(shipmentId, "2026-11-23T15:42:10Z", "Delivered, front door", { city: "Ottawa", state: "ON", countryCode: "CA", postalCode: "K2P 2L8" }),
    ],
  });
  await database.db.prisma.shipment.update({ where: { id: shipmentId }, data: { estimatedDeliveryAt: new Date("2026-11-23T22:00:00Z") } });
  return { shop: { id: shop.id, domain }, fulfillmentGid: fulfillment.admin_graphql_api_id, fulfillmentId: ours.id, shipmentId };
}

function scan(shipmentId: string, at: string, description: string, where: { city: string; state: string; countryCode: string; postalCode: string }) {
  return { shipmentId, identity: `${at}|${description}`, occurredAt: new Date(at), description, source: "test", ...where };
}

/** A milestone as the recording leaves it: a queued row and its job, committed together. */
async function recordMilestone(parcel: Parcel, milestone: string, happenedAt: string, dedupeKey = milestone) {
  const write = await database.db.prisma.fulfillmentEventWrite.create({
    data: { shopId: parcel.shop.id, shipmentId: parcel.shipmentId, fulfillmentId: parcel.fulfillmentId, milestone, dedupeKey, happenedAt: new Date(happenedAt) },
  });
  await enqueueJob(database.db, clock.now(), JOB_TYPES.writeFulfillmentEvent, { writeId: write.id }, { shopId: parcel.shop.id, dedupeKey: `write-back:${write.id}` });
  return write;
}

function runner() {
  return new JobRunner(services, ALL_JOBS, { concurrency: 1, random: () => 0.5 });
}

function eventsOf(parcel: Parcel) {
  return shopify.fulfillmentEvents(parcel.shop.domain).filter((event) => event.fulfillmentId === parcel.fulfillmentGid);
}

function writeRow(id: string) {
  return database.db.prisma.fulfillmentEventWrite.findUniqueOrThrow({ where: { id } });
}

function writeJobs() {
  return database.db.prisma.job.findMany({ where: { type: JOB_TYPES.writeFulfillmentEvent }, orderBy: { id: "asc" } });
}

/** Shopify's own call, as another client (or our crashed run) would make it. */
async function createEventInShopify(parcel: Parcel, event: Record<string, unknown>) {
  const response = await fetch(`${shopify.url}/${parcel.shop.domain}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": ACCESS_TOKEN },
    body: JSON.stringify({
      query: "mutation($e: FulfillmentEventInput!) { fulfillmentEventCreate(fulfillmentEvent: $e) { fulfillmentEvent { id } userErrors { message } } }",
      variables: { e: { fulfillmentId: parcel.fulfillmentGid, ...event } },
    }),
  });
  const body = (await response.json()) as { data: { fulfillmentEventCreate: { fulfillmentEvent: { id: string } } } };
  return body.data.fulfillmentEventCreate.fulfillmentEvent.id;
}

describe("a milestone written back to Shopify", () => {
  it("becomes one fulfillment event with the status, time, estimate and location", async () => {
    const parcel = await shippedParcel();
    const write = await recordMilestone(parcel, "out_for_delivery", "2026-11-23T07:15:00Z");

    expect(await runner().drain()).toBe(1);

    const events = eventsOf(parcel);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "OUT_FOR_DELIVERY",
      happenedAt: "2026-11-23T07:15:00.000Z",
      estimatedDeliveryAt: "2026-11-23T22:00:00.000Z",
      message: "Out for delivery",
      city: "Ottawa",
      province: "ON",
      country: "Canada",
      zip: "K2P 2L8",
      apiVersion: "2026-10",
    });
    const row = await writeRow(write.id);
    expect(row).toMatchObject({ state: "written", shopifyEventId: events[0]!.id, reason: null, attempts: 1 });
    expect(row.writtenAt).toEqual(clock.now());
    expect((await writeJobs())[0]).toMatchObject({ state: "succeeded", result: "WRITTEN" });
  });

  it("sends Shopify the first scan as CARRIER_PICKED_UP and a delivery without an estimate, so the order shows Delivered", async () => {
    const parcel = await shippedParcel();
    await recordMilestone(parcel, "shipped", "2026-11-21T08:00:00Z");
    await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");

    await runner().drain();

    expect(eventsOf(parcel).map((e) => [e.status, e.happenedAt, e.estimatedDeliveryAt, e.city])).toEqual([
      ["CARRIER_PICKED_UP", "2026-11-21T08:00:00.000Z", "2026-11-23T22:00:00.000Z", "Louisville"],
      ["DELIVERED", "2026-11-23T15:42:10.000Z", null, "Ottawa"],
    ]);
    const response = await fetch(`${shopify.url}/${parcel.shop.domain}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": ACCESS_TOKEN },
      body: JSON.stringify({ query: "query($id: ID!) { fulfillment(id: $id) { displayStatus deliveredAt } }", variables: { id: parcel.fulfillmentGid } }),
    });
    expect(((await response.json()) as { data: unknown }).data).toEqual({ fulfillment: { displayStatus: "DELIVERED", deliveredAt: "2026-11-23T15:42:10Z" } });
  });

  it("writes once however often the job runs: a second run and a duplicate job find the row written", async () => {
    const parcel = await shippedParcel();
    const write = await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");
    await enqueueJob(database.db, clock.now(), JOB_TYPES.writeFulfillmentEvent, { writeId: write.id }, { shopId: parcel.shop.id });

    await runner().drain();
    await enqueueJob(database.db, clock.now(), JOB_TYPES.writeFulfillmentEvent, { writeId: write.id }, { shopId: parcel.shop.id });
    await runner().drain();

    expect(eventsOf(parcel)).toHaveLength(1);
    expect((await writeJobs()).map((job) => job.result).sort()).toEqual(["ALREADY_SETTLED", "ALREADY_SETTLED", "WRITTEN"]);
    expect((await writeRow(write.id)).attempts).toBe(1);
  });

  it("two runs of the same row at once create one event: the second loses the claim", async () => {
    const parcel = await shippedParcel();
    const write = await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");
    await enqueueJob(database.db, clock.now(), JOB_TYPES.writeFulfillmentEvent, { writeId: write.id }, { shopId: parcel.shop.id });

    await new JobRunner(services, ALL_JOBS, { concurrency: 2 }).runDue();

    expect(eventsOf(parcel)).toHaveLength(1);
    // Which run gets there first is up to the scheduler; only one may write.
    const results = (await writeJobs()).map((job) => job.result);
    expect(results.filter((result) => result === "WRITTEN")).toHaveLength(1);
    expect(results.filter((result) => result === "IN_PROGRESS_ELSEWHERE" || result === "ALREADY_SETTLED")).toHaveLength(1);
  });

  it("adopts the event Shopify accepted before a crash instead of creating a second one", async () => {
    const parcel = await shippedParcel();
    const write = await recordMilestone(parcel, "out_for_delivery", "2026-11-23T07:15:00.400Z");
    // The crashed run: Shopify stored the event (to the second), our commit never happened.
    const createdBeforeCrash = await createEventInShopify(parcel, { status: "OUT_FOR_DELIVERY", happenedAt: "2026-11-23T07:15:00Z" });

    await runner().drain();

    expect(eventsOf(parcel).map((e) => e.id)).toEqual([createdBeforeCrash]);
    expect(await writeRow(write.id)).toMatchObject({ state: "written", shopifyEventId: createdBeforeCrash });
    expect((await writeJobs())[0]!.result).toBe("ADOPTED");
  });

  it("does not adopt an event of another status or time: it creates its own", async () => {
    const parcel = await shippedParcel();
    await recordMilestone(parcel, "out_for_delivery", "2026-11-23T07:15:00Z");
    await createEventInShopify(parcel, { status: "IN_TRANSIT", happenedAt: "2026-11-23T07:15:00Z" });
    await createEventInShopify(parcel, { status: "OUT_FOR_DELIVERY", happenedAt: "2026-11-22T07:15:00Z" });

    await runner().drain();

    expect(eventsOf(parcel).map((e) => e.status)).toEqual(["IN_TRANSIT", "OUT_FOR_DELIVERY", "OUT_FOR_DELIVERY"]);
    expect((await writeJobs())[0]!.result).toBe("WRITTEN");
  });
});

describe("what Shopify refuses", () => {
  it("records userErrors as a failed write with Shopify's reason, without retrying", async () => {
    const parcel = await shippedParcel();
    await shopify.updateFulfillment(parcel.shop.domain, parcel.fulfillmentGid.split("/").pop()!, { status: "cancelled" }, { silent: true });
    const write = await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");

    await runner().drain();

    const row = await writeRow(write.id);
    expect(row.state).toBe("failed");
    expect(row.reason).toContain("Fulfillment is cancelled");
    expect(row.lastError).toBe(row.reason);
    expect(eventsOf(parcel)).toHaveLength(0);
    expect((await writeJobs())[0]).toMatchObject({ state: "succeeded", result: "FAILED" });
  });

  it("records a shop that did not grant write_fulfillments as failed, with Shopify's reason", async () => {
    const parcel = await shippedParcel({ accessScopes: ["read_orders", "read_fulfillments"] });
    const write = await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");

    await runner().drain();

    const row = await writeRow(write.id);
    expect(row.state).toBe("failed");
    expect(row.reason).toContain("write_fulfillments");
    expect(eventsOf(parcel)).toHaveLength(0);
  });

  it("records a fulfillment Shopify does not know as failed", async () => {
    const parcel = await shippedParcel();
    await database.db.prisma.fulfillment.update({ where: { id: parcel.fulfillmentId }, data: { shopifyFulfillmentId: "999999999" } });
    const write = await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");

    await runner().drain();

    expect(await writeRow(write.id)).toMatchObject({ state: "failed", reason: "Shopify does not know fulfillment gid://shopify/Fulfillment/999999999" });
  });

  it("waits out Shopify's throttling for as long as the cost extension says, then writes", async () => {
    const parcel = await shippedParcel({ rateLimit: { maximumAvailable: 100, restoreRate: 50 } });
    const write = await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");
    // Nine mutations' worth of cost (10 each, never refunded) leaves less than the events query needs.
    const cancels = Array.from({ length: 9 }, (_, i) => `c${i}: bulkOperationCancel(id: "gid://shopify/BulkOperation/1") { userErrors { message } }`);
    await fetch(`${shopify.url}/${parcel.shop.domain}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": ACCESS_TOKEN },
      body: JSON.stringify({ query: `mutation { ${cancels.join(" ")} }` }),
    });

    await runner().runDue();

    const [job] = await writeJobs();
    expect(job).toMatchObject({ state: "queued", attempts: 0 });
    const waitMs = Number(job!.runAtMs) - clock.now().getTime();
    // The events query costs 53 points; at 50 a second a nearly empty bucket refills in about a second.
    expect(waitMs).toBeGreaterThan(250);
    expect(waitMs).toBeLessThanOrEqual(1_100);
    expect(await writeRow(write.id)).toMatchObject({ state: "queued", lastError: "Shopify throttled the query" });
    expect(eventsOf(parcel)).toHaveLength(0);

    // Shopify's bucket refills in real time; the queue's schedule follows the test clock.
    await sleep(waitMs + 200);
    clock.advance(waitMs);
    await runner().drain();

    expect(await writeRow(write.id)).toMatchObject({ state: "written" });
    expect(eventsOf(parcel).map((e) => e.status)).toEqual(["DELIVERED"]);
  });

  it("keeps the row queued while Shopify cannot be reached, and records it as failed when the queue gives up", async () => {
    const parcel = await shippedParcel();
    const unreachable = await startShopifySimulator({ apiSecretKey: TEST_API_SECRET });
    await unreachable.close();
    services = createTestServices(database.db, { clock, shopifyAdminOrigin: unreachable.url });
    const write = await database.db.prisma.fulfillmentEventWrite.create({
      data: { shopId: parcel.shop.id, shipmentId: parcel.shipmentId, fulfillmentId: parcel.fulfillmentId, milestone: "delivered", dedupeKey: "delivered", happenedAt: new Date("2026-11-23T15:42:10Z") },
    });
    await enqueueJob(database.db, clock.now(), JOB_TYPES.writeFulfillmentEvent, { writeId: write.id }, { shopId: parcel.shop.id, maxAttempts: 2 });

    await runner().runDue();
    expect(await writeRow(write.id)).toMatchObject({ state: "queued", lastError: "Shopify could not be reached" });
    expect((await writeJobs())[0]).toMatchObject({ state: "queued", attempts: 1 });

    clock.advance(HOUR_MS);
    await runner().runDue();
    expect(await writeRow(write.id)).toMatchObject({ state: "failed", reason: "Shopify could not be reached" });
    expect((await writeJobs())[0]).toMatchObject({ state: "succeeded", result: "FAILED" });
  });
});

describe("when nothing is written", () => {
  it("skips when the shop switched write-back off", async () => {
    const parcel = await shippedParcel();
    await database.db.prisma.shopNotificationSettings.create({ data: { shopId: parcel.shop.id, shopifyWriteBack: false } });
    const write = await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");

    await runner().drain();

    expect(await writeRow(write.id)).toMatchObject({ state: "skipped", reason: WRITE_BACK_SKIP_REASONS.disabled });
    expect(eventsOf(parcel)).toHaveLength(0);
  });

  it("skips when the app was uninstalled", async () => {
    const parcel = await shippedParcel();
    await markShopUninstalled(services, parcel.shop.domain);
    // The uninstall cancels queued jobs; a row queued again afterwards (the recording's sweep) must still not write.
    const write = await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");

    await runner().drain();

    expect(await writeRow(write.id)).toMatchObject({ state: "skipped", reason: WRITE_BACK_SKIP_REASONS.uninstalled });
    const writeBackCalls = shopify.graphqlCalls.filter(
      (call) => call.shop === parcel.shop.domain && (call.operationName === "FulfillmentEvents" || call.operationName === "CreateFulfillmentEvent"),
    );
    expect(writeBackCalls).toHaveLength(0);
  });

  it("skips a milestone Shopify has no status for", async () => {
    const parcel = await shippedParcel();
    const write = await recordMilestone(parcel, "returned_to_sender", "2026-11-23T15:42:10Z");

    await runner().drain();

    expect(await writeRow(write.id)).toMatchObject({ state: "skipped", reason: WRITE_BACK_SKIP_REASONS.noShopifyStatus });
  });

  it("never moves Shopify backwards: an older milestone arriving after a newer one, or anything after delivered, is skipped", async () => {
    const parcel = await shippedParcel();
    await recordMilestone(parcel, "delivered", "2026-11-23T15:42:10Z");
    await runner().drain();
    const late = await recordMilestone(parcel, "out_for_delivery", "2026-11-23T07:15:00Z");
    const afterDelivery = await recordMilestone(parcel, "exception", "2026-11-24T09:00:00Z");

    await runner().drain();

    expect(eventsOf(parcel).map((e) => e.status)).toEqual(["DELIVERED"]);
    expect(await writeRow(late.id)).toMatchObject({ state: "skipped", reason: WRITE_BACK_SKIP_REASONS.superseded });
    expect(await writeRow(afterDelivery.id)).toMatchObject({ state: "skipped", reason: WRITE_BACK_SKIP_REASONS.superseded });
  });

  it("does not undo a delivery someone else recorded in Shopify", async () => {
    const parcel = await shippedParcel();
    await createEventInShopify(parcel, { status: "DELIVERED", happenedAt: "2026-11-23T15:00:00Z" });
    const write = await recordMilestone(parcel, "failed_attempt", "2026-11-23T16:00:00Z");

    await runner().drain();

    expect(await writeRow(write.id)).toMatchObject({ state: "skipped", reason: WRITE_BACK_SKIP_REASONS.deliveredInShopify });
    expect(eventsOf(parcel)).toHaveLength(1);
  });

  it("a new delivery date keeps the status Shopify shows and carries the new estimate", async () => {
    const parcel = await shippedParcel();
    await recordMilestone(parcel, "out_for_delivery", "2026-11-23T07:15:00Z");
    await runner().drain();
    await database.db.prisma.shipment.update({ where: { id: parcel.shipmentId }, data: { estimatedDeliveryAt: new Date("2026-11-25T18:00:00Z") } });
    clock.advance(HOUR_MS);
    await recordMilestone(parcel, "new_delivery_date", "2026-11-23T12:00:00Z", "new_delivery_date:2026-11-25");

    await runner().drain();

    expect(eventsOf(parcel).map((e) => [e.status, e.estimatedDeliveryAt])).toEqual([
      ["OUT_FOR_DELIVERY", "2026-11-23T22:00:00.000Z"],
      ["OUT_FOR_DELIVERY", "2026-11-25T18:00:00.000Z"],
    ]);
  });
});
