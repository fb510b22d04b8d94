import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startShopifySimulator, type ShopifySimulator } from "../../simulators/shopify";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import { JobRunner } from "~/jobs/runner.server";
import type { ServiceContext } from "~/services/context.server";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { writeFulfillmentEventJobKey } from "~/services/milestones.server";
import { registerPendingShipments } from "~/services/register-shipments.server";
import { ensureShop, markShopUninstalled } from "~/services/shops.server";
import { WRITE_BACK_SKIP_REASONS } from "~/services/write-fulfillment-event.server";
import { callAction, configureAppEnvironment } from "../support/app-environment";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices, storeOfflineSession, TEST_API_SECRET } from "../support/services";
import { deleteJobs, listJobs } from "../support/jobs";

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
  await deleteJobs(database.db);
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

/** A shop known to Shopify with our app installed: its offline session stored, its row created. */
async function installShop(options: { rateLimit?: { maximumAvailable: number; restoreRate: number }; accessScopes?: string[] } = {}) {
  const domain = `write-back-${++counter}-${testDialect()}.myshopify.com`;
  shopify.addShop({ domain, accessToken: ACCESS_TOKEN, rateLimit: options.rateLimit, accessScopes: options.accessScopes });
  await storeOfflineSession(database.db, domain, ACCESS_TOKEN);
  const shop = await ensureShop(services, domain);
  return { id: shop.id, domain };
}

/** An order shipped in Shopify with one tracking number, ingested the way a fulfillments/create webhook is. */
async function shipOrder(shop: { id: string; domain: string }, trackingNumber: string): Promise<Parcel> {
  const order = shopify.addOrder(shop.domain, { lineItems: [{ title: "Linen shirt", quantity: 1 }] });
  const { fulfillment } = await shopify.createFulfillment(shop.domain, order.id, { trackingCompany: "UPS", trackingNumbers: [trackingNumber] }, { silent: true });
  await ingestFulfillment(
    services,
    shop.domain,
    fulfillmentSnapshot({ shopifyFulfillmentId: String(fulfillment.id), shopifyOrderId: String(order.id), numbers: [trackingNumber] }),
  );
  await deleteJobs(database.db, { shopId: shop.id });
  const ours = await database.db.prisma.fulfillment.findUniqueOrThrow({
    where: { shopId_shopifyFulfillmentId: { shopId: shop.id, shopifyFulfillmentId: String(fulfillment.id) } },
    include: { shipments: true },
  });
  return { shop, fulfillmentGid: fulfillment.admin_graphql_api_id, fulfillmentId: ours.id, shipmentId: ours.shipments[0]!.shipmentId };
}

function trackingNumberFor(n: number): string {
  return upsNumber(700_000 + n + (testDialect() === "postgresql" ? 50_000 : 0));
}

/** A shipped order with the carrier's scans already recorded on its shipment. */
async function shippedParcel(options: Parameters<typeof installShop>[0] = {}): Promise<Parcel> {
  const shop = await installShop(options);
  const parcel = await shipOrder(shop, trackingNumberFor(counter));
  const shipmentId = parcel.shipmentId;
  await database.db.prisma.trackingEvent.createMany({
    data: [
      scan(shipmentId, "2026-11-21T08:00:00Z", "Picked up by UPS", { city: "Louisville", state: "KY", countryCode: "US", postalCode: "40213" }),
      scan(shipmentId, "2026-11-23T07:15:00Z", "Out for delivery", { city: "Ottawa", state: "ON", countryCode: "CA", postalCode: "K2P 2L8" }),
      scan(shipmentId, "2026-11-23T15:42:10Z", "Delivered, front door", { city: "Ottawa", state: "ON", countryCode: "CA", postalCode: "K2P 2L8" }),
    ],
  });
  await database.db.prisma.shipment.update({ where: { id: shipmentId }, data: { estimatedDeliveryAt: new Date("2026-11-23T22:00:00Z") } });
  return parcel;
}

function scan(shipmentId: string, at: string, description: string, where: { city: string; state: string; countryCode: string; postalCode: string }) {
  return { shipmentId, identity: `${at}|${description}`, occurredAt: new Date(at), description, source: "test", ...where };
}

/** A milestone as the recording leaves it: a queued row and its job, committed together. */
async function recordMilestone(parcel: Parcel, milestone: string, happenedAt: string, dedupeKey = milestone) {
  const write = await database.db.prisma.fulfillmentEventWrite.create({
    data: { shopId: parcel.shop.id, shipmentId: parcel.shipmentId, fulfillmentId: parcel.fulfillmentId, milestone, dedupeKey, happenedAt: new Date(happenedAt) },
  });
  await enqueueJob(database.db, clock.now(), JOB_TYPES.writeFulfillmentEvent, { writeId: write.id }, { shopId: parcel.shop.id, dedupeKey: writeFulfillmentEventJobKey(write.id) });
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
  return listJobs(database.db, { type: JOB_TYPES.writeFulfillmentEvent });
}

/** Shopify's Admin GraphQL as any client with the shop's token reaches it. */
async function shopifyGraphql<T>(domain: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${shopify.url}/${domain}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": ACCESS_TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as T;
}

/** Another client's event, or the one our crashed run got Shopify to store. */
async function createEventInShopify(parcel: Parcel, event: Record<string, unknown>) {
  const body = await shopifyGraphql<{ data: { fulfillmentEventCreate: { fulfillmentEvent: { id: string } } } }>(
    parcel.shop.domain,
    "mutation($e: FulfillmentEventInput!) { fulfillmentEventCreate(fulfillmentEvent: $e) { fulfillmentEvent { id } userErrors { message } } }",
    { e: { fulfillmentId: parcel.fulfillmentGid, ...event } },
  );
  return body.data.fulfillmentEventCreate.fulfillmentEvent.id;
}

/** What Shopify admin shows for the fulfillment. */
async function shopifyFulfillment(parcel: Parcel) {
  const body = await shopifyGraphql<{ data: { fulfillment: { displayStatus: string; deliveredAt: string | null } } }>(
    parcel.shop.domain,
    "query($id: ID!) { fulfillment(id: $id) { displayStatus deliveredAt } }",
    { id: parcel.fulfillmentGid },
  );
  return body.data.fulfillment;
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
    expect(await shopifyFulfillment(parcel)).toEqual({ displayStatus: "DELIVERED", deliveredAt: "2026-11-23T15:42:10Z" });
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
    await shopifyGraphql(parcel.shop.domain, `mutation { ${cancels.join(" ")} }`);

    await runner().runDue();

    const [job] = await writeJobs();
    expect(job).toMatchObject({ state: "queued", attempts: 0 });
    const waitMs = job!.runAt.getTime() - clock.now().getTime();
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

  it("a new estimate seen after a carrier scan does not make that scan's milestone look stale", async () => {
    const parcel = await shippedParcel();
    // The estimate moved when we processed an update (stamped with our time); the carrier's failed
    // attempt from earlier that morning reaches us afterwards.
    await recordMilestone(parcel, "new_delivery_date", "2026-11-23T16:00:00Z", "new_delivery_date:2026-11-25");
    await runner().drain();
    const attempt = await recordMilestone(parcel, "failed_attempt", "2026-11-23T15:42:10Z");
    await runner().drain();

    expect(await writeRow(attempt.id)).toMatchObject({ state: "written" });
    expect(eventsOf(parcel).map((e) => e.status)).toContain("ATTEMPTED_DELIVERY");
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

describe("end to end: the carrier's delivery reaches Shopify", () => {
  const API_KEY = "tm-write-back-key-abcdefgh";
  const WEBHOOK_SECRET = "whsec-write-back-0123456789";
  let trackingMore: TrackingMoreSimulator;
  let webhookRoute: typeof import("~/routes/webhooks.trackingmore.$token");

  beforeAll(async () => {
    trackingMore = await startTrackingMoreSimulator({});
    trackingMore.addAccount({ apiKey: API_KEY, email: "ops@shop.example", webhookSecret: WEBHOOK_SECRET });
    configureAppEnvironment({ databaseUrl: database.url, trackingMoreBaseUrl: trackingMore.url, shopifyAdminOrigin: shopify.url });
    webhookRoute = await import("~/routes/webhooks.trackingmore.$token");
  });

  afterAll(async () => {
    await trackingMore?.close();
  });

  /** TrackingMore's signed push of the tracking as it now stands, through the webhook route. */
  async function pushFromTrackingMore(webhookToken: string, trackingNumber: string) {
    const response = await fetch(`${trackingMore.url}/v4/trackings/get?tracking_numbers=${trackingNumber}`, { headers: { "Tracking-Api-Key": API_KEY } });
    const { data } = (await response.json()) as { data: unknown[] };
    const timestamp = String(Math.floor(Date.now() / 1000));
    const request = new Request(`https://tracklight.test/webhooks/trackingmore/${webhookToken}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", timestamp, signature: createHmac("sha256", WEBHOOK_SECRET).update(timestamp).digest("hex") },
      body: JSON.stringify({ meta: { code: 200, message: "Success" }, data: data[0] }),
    });
    const acknowledged = await callAction(webhookRoute.action, request, { token: webhookToken });
    expect(acknowledged.status).toBe(200);
  }

  it("a TrackingMore push delivering the parcel makes the order's fulfillment show DELIVERED in Shopify, once", async () => {
    services = createTestServices(database.db, { clock, shopifyAdminOrigin: shopify.url, trackingMoreBaseUrl: trackingMore.url });
    const installed = await installShop();
    const shop = await createShopWithTrackingMore(services, { domain: installed.domain, apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, accountEmail: "ops@shop.example" });
    const parcel = await shipOrder(installed, trackingNumberFor(counter));
    const trackingNumber = (await database.db.prisma.shipment.findUniqueOrThrow({ where: { id: parcel.shipmentId } })).trackingNumber;
    await registerPendingShipments(services, shop.id);
    const deliveredAt = new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000);
    await trackingMore.advance(API_KEY, trackingNumber, {
      status: "delivered",
      substatus: "delivered001",
      checkpoints: [
        { at: new Date(deliveredAt.getTime() - 26 * HOUR_MS), description: "Picked up", location: "Louisville, KY, US" },
        { at: deliveredAt, description: "Delivered, front door", location: "Ottawa, ON, CA" },
      ],
    });

    // Delivered twice, as TrackingMore retries; the route stamps jobs with real time, so the test clock follows it.
    await pushFromTrackingMore(shop.webhookToken, trackingNumber);
    await pushFromTrackingMore(shop.webhookToken, trackingNumber);
    clock.set(new Date(Date.now()));
    await runner().drain();

    expect(await shopifyFulfillment(parcel)).toEqual({ displayStatus: "DELIVERED", deliveredAt: deliveredAt.toISOString().replace(".000Z", "Z") });
    const delivered = eventsOf(parcel).filter((event) => event.status === "DELIVERED");
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ happenedAt: deliveredAt.toISOString(), message: "Delivered, front door" });
    const rows = await database.db.prisma.fulfillmentEventWrite.findMany({ where: { fulfillmentId: parcel.fulfillmentId, milestone: "delivered" } });
    expect(rows).toMatchObject([{ state: "written", shopifyEventId: delivered[0]!.id }]);
  });
});

describe("recording what one carrier update earns", () => {
  it("a failed attempt that also moves the delivery date is one Shopify event (carrying the new estimate), not two racing ones", async () => {
    const parcel = await shippedParcel();
    const shipment = await database.db.prisma.shipment.update({
      where: { id: parcel.shipmentId },
      data: { status: "pickup", substatus: "out_for_delivery", estimatedDeliveryAt: new Date("2026-11-23T22:00:00Z") },
    });
    const at = new Date("2026-11-23T18:05:00Z");
    await applyTrackingObservation(services, parcel.shop.id, {
      provider: shipment.provider as "trackingmore",
      trackingNumber: shipment.trackingNumber,
      carrierCode: "ups",
      providerTrackingId: null,
      status: "undelivered",
      substatus: "recipient_not_home",
      rawStatus: "undelivered",
      asOf: at,
      estimatedDelivery: { start: new Date("2026-11-25T22:00:00Z"), end: null },
      events: [
        { occurredAt: at, zoneKnown: true, status: "undelivered", substatus: "recipient_not_home", description: "Customer not home", location: null, city: "Ottawa", state: "ON", countryCode: "CA", postalCode: null, rawStatus: "undelivered" },
      ],
    });

    // The update earned both (the customer's e-mail log shows the new date), but Shopify gets one event.
    const earned = await database.db.prisma.customerNotification.findMany({ where: { shipmentId: parcel.shipmentId } });
    expect(earned.map((row) => row.milestone)).toEqual(expect.arrayContaining(["failed_attempt", "new_delivery_date"]));
    const rows = await database.db.prisma.fulfillmentEventWrite.findMany({ where: { shipmentId: parcel.shipmentId } });
    expect(rows.map((row) => row.milestone)).toContain("failed_attempt");
    expect(rows.map((row) => row.milestone)).not.toContain("new_delivery_date");
    await runner().drain();
    const attempted = eventsOf(parcel).filter((event) => event.status === "ATTEMPTED_DELIVERY");
    expect(attempted).toHaveLength(1);
    expect(new Date(attempted[0]!.estimatedDeliveryAt as string).toISOString()).toBe("2026-11-25T22:00:00.000Z");
  });
});

describe("a fulfillment that carries several parcels", () => {
  it("shows Delivered in Shopify only once its last parcel is delivered, with that parcel's time", async () => {
    const shop = await installShop();
    const [first, second] = [trackingNumberFor(counter * 10 + 1), trackingNumberFor(counter * 10 + 2)];
    const order = shopify.addOrder(shop.domain, { lineItems: [{ title: "Bookshelf", quantity: 2 }] });
    const { fulfillment } = await shopify.createFulfillment(shop.domain, order.id, { trackingCompany: "UPS", trackingNumbers: [first, second] }, { silent: true });
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ shopifyFulfillmentId: String(fulfillment.id), shopifyOrderId: String(order.id), numbers: [first, second] }));
    await deleteJobs(database.db, { shopId: shop.id });
    const fulfillmentGid = fulfillment.admin_graphql_api_id;
    const provider = (await database.db.prisma.shipment.findFirstOrThrow({ where: { shopId: shop.id, trackingNumber: first } })).provider as "trackingmore";

    const deliver = (trackingNumber: string, at: string) =>
      applyTrackingObservation(services, shop.id, {
        provider,
        trackingNumber,
        carrierCode: "ups",
        providerTrackingId: null,
        status: "delivered",
        substatus: "delivered",
        rawStatus: "delivered",
        asOf: new Date(at),
        deliveredAt: new Date(at),
        events: [
          { occurredAt: new Date(at), zoneKnown: true, status: "delivered", substatus: "delivered", description: "Delivered", location: "Ottawa, ON, CA", city: "Ottawa", state: "ON", countryCode: "CA", postalCode: null, rawStatus: "delivered" },
        ],
      });

    await deliver(first, "2026-11-23T10:00:00Z");
    await runner().drain();
    const deliveredEvents = () => shopify.fulfillmentEvents(shop.domain).filter((event) => event.fulfillmentId === fulfillmentGid && event.status === "DELIVERED");
    expect(deliveredEvents()).toHaveLength(0);
    const firstRows = await database.db.prisma.fulfillmentEventWrite.findMany({ where: { milestone: "delivered", shipment: { trackingNumber: first } } });
    expect(firstRows).toMatchObject([{ state: "skipped", reason: WRITE_BACK_SKIP_REASONS.otherParcelsUndelivered }]);

    await deliver(second, "2026-11-24T09:30:00Z");
    await runner().drain();
    expect(deliveredEvents()).toHaveLength(1);
    expect(deliveredEvents()[0]).toMatchObject({ happenedAt: "2026-11-24T09:30:00.000Z" });
  });
});
