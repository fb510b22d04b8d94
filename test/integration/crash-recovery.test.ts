import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { saveNotificationSettings } from "~/services/notification-settings.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, upsNumber, type ShopFixture } from "../support/factories";
import { eventually, startWebServer, startWorker, type AppEnvironment, type RunningWeb, type RunningWorker } from "../support/processes";
import { createTestServices, TEST_API_SECRET } from "../support/services";
import { countJobs, listJobs } from "../support/jobs";

/**
 * kill -9 at random moments, of workers mid-job and of the web server mid-request, while
 * Shopify webhooks and TrackingMore pushes keep arriving. Afterwards every tracking number is
 * registered exactly once, every checkpoint TrackingMore sent is stored exactly once, and no
 * job is lost or dead.
 */

const API_KEY = "tm-chaos-key-abcdefgh";
const WEBHOOK_SECRET = "whsec-chaos-0123456789";
const FULFILLMENTS = 40;
const NUMBERS_PER_FULFILLMENT = 5;
const INITIAL_CREDITS = 1_000_000;

let database: TestDatabase;
let trackingMore: TrackingMoreSimulator;
let shop: ShopFixture;
let env: AppEnvironment;
let web: RunningWeb;
let webPort: number;
const workers: RunningWorker[] = [];
let random = 42;

// Deterministic "randomness" so a failure can be replayed with the same kill schedule.
function nextRandom(): number {
  random = (random * 1_103_515_245 + 12_345) % 2 ** 31;
  return random / 2 ** 31;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function fulfillmentPayload(index: number) {
  const numbers = Array.from({ length: NUMBERS_PER_FULFILLMENT }, (_, i) => upsNumber(50_000 + index * NUMBERS_PER_FULFILLMENT + i));
  return {
    id: 9_000_000 + index,
    order_id: 8_000_000 + index,
    name: `#${5000 + index}.1`,
    status: "success",
    created_at: "2026-11-24T09:00:00+00:00",
    updated_at: "2026-11-24T09:00:00+00:00",
    tracking_company: "UPS",
    tracking_number: numbers[0],
    tracking_numbers: numbers,
    tracking_urls: [],
    email: `buyer${index}@example.com`,
    line_items: [{ id: 7_000_000 + index, title: "Wool socks", quantity: 2 }],
  };
}

/** Deliver like Shopify: same webhook id on every attempt, retried until acknowledged. */
async function deliverShopifyWebhook(index: number): Promise<void> {
  const body = JSON.stringify(fulfillmentPayload(index));
  const webhookId = `chaos-${index}-${randomUUID()}`;
  const headers = {
    "content-type": "application/json",
    "x-shopify-hmac-sha256": createHmac("sha256", TEST_API_SECRET).update(body).digest("base64"),
    "x-shopify-topic": "fulfillments/create",
    "x-shopify-shop-domain": shop.domain,
    "x-shopify-api-version": "2026-10",
    "x-shopify-webhook-id": webhookId,
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${webPort}/webhooks/fulfillments/create`, { method: "POST", headers, body });
      if (response.ok) return;
    } catch {
      // The web server is down (killed): Shopify retries later.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`webhook ${index} was never acknowledged`);
}

async function restartWeb(): Promise<void> {
  await web.process.kill("SIGKILL");
  await new Promise((resolve) => web.process.once("exit", resolve));
  web = await startWebServer({ ...env, PORT: String(webPort) });
}

beforeAll(async () => {
  database = await createTestDatabase();
  // Latency keeps requests in flight long enough for kills to land in the middle of them.
  trackingMore = await startTrackingMoreSimulator({ latencyMs: 15, webhookRetryBaseMs: 25, rateLimits: { v4Other: Infinity, v4Create: Infinity } });
  trackingMore.addAccount({ apiKey: API_KEY, email: "ops@chaos.example", webhookSecret: WEBHOOK_SECRET, credits: INITIAL_CREDITS });
  const services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url });
  shop = await createShopWithTrackingMore(services, { domain: "chaos-shop.myshopify.com", apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET });
  // No Shopify here: milestones are not written back (customer-emails-crash and the write-back tests cover those jobs).
  await saveNotificationSettings(services, shop.id, { shopifyWriteBack: false });
  webPort = await freePort();
  env = {
    DATABASE_URL: database.url,
    TRACKINGMORE_API_BASE_URL: trackingMore.url,
    WORKER_POLL_INTERVAL_MS: "20",
    WORKER_CONCURRENCY: "4",
    JOB_LEASE_MS: "1200",
    WORKER_SCHEDULE_INTERVAL_MS: "500",
    // Keeps the registration lease (derived from it) short, so batches of killed workers come back quickly.
    PROVIDER_HTTP_TIMEOUT_MS: "1000",
  };
  web = await startWebServer({ ...env, PORT: String(webPort) });
  trackingMore.setWebhookUrls(API_KEY, [{ url: `http://127.0.0.1:${webPort}/webhooks/trackingmore/${shop.webhookToken}`, version: "v4" }]);
  workers.push(startWorker(env), startWorker(env));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await web?.stop();
  await trackingMore?.close();
  await database?.dispose();
});

describe(`kill -9 at any moment on ${testDialect()}`, () => {
  it("loses nothing and registers nothing twice", async () => {
    let chaos = true;
    let kills = 0;
    const chaosLoop = (async () => {
      while (chaos) {
        await new Promise((resolve) => setTimeout(resolve, 80 + nextRandom() * 400));
        if (!chaos) break;
        const index = Math.floor(nextRandom() * workers.length);
        await workers[index]!.kill9();
        workers[index] = startWorker(env);
        kills++;
        if (kills % 7 === 0) await restartWeb();
      }
    })();

    // Shopify traffic, spread over the chaos.
    await Promise.all(
      Array.from({ length: FULFILLMENTS }, async (_, index) => {
        await new Promise((resolve) => setTimeout(resolve, index * 60));
        await deliverShopifyWebhook(index);
      }),
    );
    // TrackingMore traffic: every registered number moves three steps, pushed while kills go on.
    const allNumbers = Array.from({ length: FULFILLMENTS }, (_, index) => fulfillmentPayload(index).tracking_numbers).flat();
    const advanced = new Set<string>();
    for (let round = 0; round < 3; round++) {
      await eventually(async () => trackingMore.trackings(API_KEY).length === allNumbers.length, { timeoutMs: 90_000 });
      for (const number of allNumbers) {
        await trackingMore.advance(API_KEY, number, "next");
        advanced.add(number);
      }
    }
    chaos = false;
    await chaosLoop;
    expect(kills).toBeGreaterThan(5);

    await trackingMore.whenWebhooksIdle();
    await eventually(
      async () => {
        const [unsettled, registered] = await Promise.all([
          countJobs(database.db, { states: ["queued", "running"], notType: "shipments.poll" }),
          database.db.prisma.shipment.count({ where: { shopId: shop.id, registrationState: "registered" } }),
        ]);
        return unsettled === 0 && registered === allNumbers.length;
      },
      {
        timeoutMs: 90_000,
        describe: async () => JSON.stringify(Object.groupBy(await listJobs(database.db), (job) => `${job.type} ${job.state}`)),
      },
    );
    // Registered exactly once: one tracking per number at TrackingMore, one credit per number.
    const atProvider = trackingMore.trackings(API_KEY);
    expect(atProvider.map((tracking) => tracking.trackingNumber).sort()).toEqual([...allNumbers].sort());
    const account = trackingMore.accounts().find((candidate) => candidate.apiKey === API_KEY)!;
    expect(INITIAL_CREDITS - account.credits).toBe(allNumbers.length);

    // Nothing lost: every shipment holds exactly the checkpoints TrackingMore has, and its status.
    const shipments = await database.db.prisma.shipment.findMany({ where: { shopId: shop.id }, include: { _count: { select: { events: true } } } });
    expect(shipments).toHaveLength(allNumbers.length);
    const mismatches = shipments.filter((shipment) => {
      const remote = atProvider.find((tracking) => tracking.trackingNumber === shipment.trackingNumber)!;
      return shipment._count.events !== remote.checkpoints.length || shipment.status !== remote.status;
    });
    expect(mismatches.map((shipment) => shipment.trackingNumber)).toEqual([]);

    // The per-status counters agree with the rows they count.
    const counters = await database.db.prisma.shipmentStatusCount.findMany({ where: { shopId: shop.id, count: { not: 0 } } });
    const actual = await database.db.prisma.shipment.groupBy({ by: ["status"], where: { shopId: shop.id }, _count: true });
    expect(Object.fromEntries(counters.map((row) => [row.status, row.count]))).toEqual(Object.fromEntries(actual.map((row) => [row.status, row._count])));

    expect((await listJobs(database.db, { states: ["dead"] })).map(({ type, lastError }) => ({ type, lastError }))).toEqual([]);
    expect(await database.db.prisma.order.count({ where: { shopId: shop.id } })).toBe(FULFILLMENTS);
  }, 240_000);
});
