import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifySimulator, type ShopifySimulator } from "../../simulators/shopify";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, upsNumber, type ShopFixture } from "../support/factories";
import { eventually, startWebServer, startWorker, type RunningWeb, type RunningWorker } from "../support/processes";
import { createTestServices, storeOfflineSession, TEST_API_SECRET } from "../support/services";
import { countJobs, listJobs } from "../support/jobs";

/**
 * The whole pipeline as it runs in production, every hop over loopback HTTP: Shopify (simulator)
 * sends a signed fulfillment webhook to the built app server, the worker process registers the
 * numbers with TrackingMore (simulator), TrackingMore pushes signed updates back to the app
 * server, and the worker folds them into the shipment.
 */

const SHOP = "e2e-shop.myshopify.com";
const ACCESS_TOKEN = "shpat_e2e_token";
const API_KEY = "tm-e2e-key-abcdefgh";
const WEBHOOK_SECRET = "whsec-e2e-0123456789";

let database: TestDatabase;
let trackingMore: TrackingMoreSimulator;
let shopify: ShopifySimulator;
let web: RunningWeb;
let worker: RunningWorker;
let shop: ShopFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  trackingMore = await startTrackingMoreSimulator({ webhookRetryBaseMs: 50 });
  trackingMore.addAccount({ apiKey: API_KEY, email: "ops@e2e.example", webhookSecret: WEBHOOK_SECRET });
  shopify = await startShopifySimulator({ apiSecretKey: TEST_API_SECRET, webhookRetryBaseMs: 50 });
  shopify.addShop({ domain: SHOP, accessToken: ACCESS_TOKEN });

  const services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url });
  shop = await createShopWithTrackingMore(services, { domain: SHOP, apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET });
  await storeOfflineSession(database.db, SHOP, ACCESS_TOKEN);

  const env = {
    DATABASE_URL: database.url,
    TRACKINGMORE_API_BASE_URL: trackingMore.url,
    SHOPIFY_ADMIN_API_ORIGIN: shopify.url,
    WORKER_POLL_INTERVAL_MS: "50",
    JOB_LEASE_MS: "5000",
  };
  web = await startWebServer(env);
  worker = startWorker(env);
  shopify.setAppUrl(web.url);
  trackingMore.setWebhookUrls(API_KEY, [{ url: `${web.url}/webhooks/trackingmore/${shop.webhookToken}`, version: "v4" }]);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await web?.stop();
  await shopify?.close();
  await trackingMore?.close();
  await database?.dispose();
});

async function shipment(trackingNumber: string) {
  return database.db.prisma.shipment.findUniqueOrThrow({ where: { shopId_trackingNumber: { shopId: shop.id, trackingNumber } } });
}

describe(`fulfillment → TrackingMore → live status, across processes, on ${testDialect()}`, () => {
  const first = upsNumber(1_001);
  const second = upsNumber(1_002);

  it("a Shopify fulfillment webhook ends with both numbers registered at TrackingMore once", async () => {
    const order = shopify.addOrder(SHOP, { email: "ada@example.com" });
    const { delivery } = await shopify.createFulfillment(SHOP, order.id, { trackingCompany: "UPS", trackingNumbers: [first, second] });
    expect(delivery?.httpStatus).toBe(200);

    await eventually(async () => (await shipment(second).catch(() => null))?.registrationState === "registered" && (await shipment(first)).registrationState === "registered", {
      describe: () => worker.output(),
    });
    const created = trackingMore.trackings(API_KEY).map((tracking) => tracking.trackingNumber).sort();
    expect(created).toEqual([first, second].sort());
    expect(trackingMore.calls.filter((call) => call.path === "/v4/trackings/batch")).toHaveLength(1);
  });

  it("TrackingMore's signed pushes move the status forward to delivered, event by event", async () => {
    for (let step = 0; step < 6; step++) await trackingMore.advance(API_KEY, first, "next");
    await trackingMore.whenWebhooksIdle();
    expect(trackingMore.webhookDeliveries.every((delivery) => delivery.httpStatus === 200)).toBe(true);

    const simulated = trackingMore.trackings(API_KEY).find((tracking) => tracking.trackingNumber === first)!;
    const final = await eventually(async () => {
      const current = await shipment(first);
      return current.status === "delivered" ? current : undefined;
    }, { describe: async () => JSON.stringify(await shipment(first)) });
    expect(final.deliveredAt).not.toBeNull();
    expect(await database.db.prisma.trackingEvent.count({ where: { shipmentId: final.id } })).toBe(simulated.checkpoints.length);
    const counts = await database.db.prisma.shipmentStatusCount.findMany({ where: { shopId: shop.id, count: { not: 0 } } });
    expect(Object.fromEntries(counts.map((row) => [row.status, row.count]))).toEqual({ delivered: 1, pending: 1 });
  });

  it("a replayed old push after delivery changes nothing", async () => {
    const earlyDelivery = trackingMore.webhookDeliveries.find((delivery) => delivery.trackingNumber === first && delivery.body.includes('"delivery_status":"transit"'));
    expect(earlyDelivery).toBeDefined();
    // Re-signed now (fresh timestamp), as TrackingMore does on each attempt: the body is what is old.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const { createHmac } = await import("node:crypto");
    const response = await fetch(`${web.url}/webhooks/trackingmore/${shop.webhookToken}`, {
      method: "POST",
      headers: { "content-type": "application/json", timestamp, signature: createHmac("sha256", WEBHOOK_SECRET).update(timestamp).digest("hex") },
      body: earlyDelivery!.body,
    });
    expect(response.status).toBe(200);
    const before = await shipment(first);
    const eventsBefore = await database.db.prisma.trackingEvent.count({ where: { shipmentId: before.id } });
    await eventually(async () => (await countJobs(database.db, { states: ["queued", "running"] })) === 0);
    const after = await shipment(first);
    expect(after.status).toBe("delivered");
    expect(after.deliveredAt).toEqual(before.deliveredAt);
    expect(await database.db.prisma.trackingEvent.count({ where: { shipmentId: after.id } })).toBe(eventsBefore);
  });

  it("editing the fulfillment to another number stops the old one, also at TrackingMore", async () => {
    const fulfillment = shopify.getFulfillment(SHOP, (await database.db.prisma.fulfillment.findFirstOrThrow({ where: { shopId: shop.id } })).shopifyFulfillmentId);
    const replacement = upsNumber(1_003);
    const { delivery } = await shopify.updateFulfillment(SHOP, String(fulfillment!.id), { trackingNumbers: [first, replacement] });
    expect(delivery?.httpStatus).toBe(200);
    await eventually(async () => (await shipment(second)).registrationState === "stopped" && (await shipment(replacement).catch(() => null))?.registrationState === "registered", {
      describe: () => worker.output(),
    });
    await eventually(async () => !trackingMore.trackings(API_KEY).some((tracking) => tracking.trackingNumber === second), {
      describe: () => JSON.stringify(trackingMore.calls.slice(-5)),
    });
    expect((await shipment(first)).registrationState).toBe("registered");
  });

  it("no job failed anywhere along the way", async () => {
    await eventually(async () => (await countJobs(database.db, { states: ["queued", "running"], dueBy: new Date() })) === 0);
    const failed = await listJobs(database.db, { states: ["dead"] });
    expect(failed).toEqual([]);
  });
});
