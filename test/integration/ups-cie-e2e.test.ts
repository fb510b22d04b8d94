import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CIE_EVENT_COUNT, CIE_TRACKING_NUMBERS, startUpsSimulator, type UpsSimulator } from "../../simulators/ups";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { connectProvider } from "~/services/provider-accounts.server";
import { saveNotificationSettings } from "~/services/notification-settings.server";
import { ensureShop } from "~/services/shops.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot } from "../support/factories";
import { eventually, startWebServer, startWorker, type RunningWeb, type RunningWorker } from "../support/processes";
import { createTestServices } from "../support/services";
import { countJobs } from "../support/jobs";

/**
 * UPS's Customer Integration Environment, end to end over loopback as production runs it: the
 * worker subscribes a CIE test number with the shop's destination and credential, the simulator
 * plays UPS's documented seven-event sequence to the app server's per-shop address, and the
 * worker folds each stored event into the shipment until it is delivered. The Track API history
 * fetched right after subscribing overlaps the pushed events; nothing may appear twice.
 */

const CLIENT = { clientId: "cie-client-id-0123456789", clientSecret: "cie-client-secret-0123456789" };
const SHOP = "cie-shop.myshopify.com";

let database: TestDatabase;
let ups: UpsSimulator;
let web: RunningWeb;
let worker: RunningWorker;
let shopId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  // Shorter than UPS's one second between events; the order and content are UPS's.
  ups = await startUpsSimulator({ environment: "cie", cieTimestamps: "now", cieEventSpacingMs: 150 });
  ups.addClient(CLIENT);
  web = await startWebServer({ DATABASE_URL: database.url });
  const env = { DATABASE_URL: database.url, SHOPIFY_APP_URL: web.url, UPS_CIE_API_BASE_URL: ups.url, WORKER_POLL_INTERVAL_MS: "50", JOB_LEASE_MS: "5000" };
  const services = createTestServices(database.db, { settings: { appUrl: web.url } });
  const shop = await ensureShop(services, SHOP);
  shopId = shop.id;
  await connectProvider(services, shop.id, { provider: "ups", environment: "cie", credentials: CLIENT });
  // No Shopify here: milestones are not written back (the write-back has its own tests).
  await saveNotificationSettings(services, shop.id, { shopifyWriteBack: false });
  await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [CIE_TRACKING_NUMBERS[0]!], company: "UPS" }));
  worker = startWorker(env);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await web?.stop();
  await ups?.close();
  await database?.dispose();
});

describe(`UPS CIE sequence, across processes, on ${testDialect()}`, () => {
  it("drives a shipment from manifest to delivered, each event once", async () => {
    const number = CIE_TRACKING_NUMBERS[0]!;
    const shipment = () => database.db.prisma.shipment.findUniqueOrThrow({ where: { shopId_trackingNumber: { shopId, trackingNumber: number } } });

    // First sign of life: subscribed, and the first pushed event (manifest) applied.
    await eventually(async () => (await shipment()).registrationState === "registered", { describe: () => worker.output() });
    await ups.whenDeliveriesIdle();
    const delivered = await eventually(
      async () => {
        const current = await shipment();
        return current.status === "delivered" && (await countJobs(database.db, { states: ["queued", "running"] })) === 0 ? current : undefined;
      },
      { describe: async () => `${JSON.stringify(await shipment())}\n${worker.output()}` },
    );

    const deliveries = ups.deliveries;
    expect(deliveries).toHaveLength(CIE_EVENT_COUNT);
    expect(deliveries.every((delivery) => delivery.httpStatus === 200)).toBe(true);
    expect(delivered.deliveredAt).not.toBeNull();
    expect(delivered.lastEventLocation).not.toBeNull();

    const events = await database.db.prisma.trackingEvent.findMany({ where: { shipmentId: delivered.id }, orderBy: { occurredAt: "asc" } });
    expect(events).toHaveLength(CIE_EVENT_COUNT);
    expect(events.map((event) => event.status)).toEqual(["inforeceived", "transit", "transit", "transit", "transit", "pickup", "delivered"]);
    expect(new Set(events.map((event) => event.identity)).size).toBe(CIE_EVENT_COUNT);

    // The subscription used the shop's own address and a credential that only this shop has.
    const subscribe = ups.calls.filter((call) => call.api === "trackalert");
    expect(subscribe).toHaveLength(1);
    expect(subscribe[0]!.httpStatus).toBe(200);
  });

  it("a number that is not a CIE test number gets UPS's VSS215 reason and is not retried", async () => {
    const services = createTestServices(database.db, { settings: { appUrl: web.url } });
    const foreign = "1Z999AA10123456784";
    await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [foreign], company: "UPS" }));
    const refused = await eventually(async () => {
      const current = await database.db.prisma.shipment.findUnique({ where: { shopId_trackingNumber: { shopId, trackingNumber: foreign } } });
      return current?.registrationState === "failed" ? current : undefined;
    }, { describe: () => worker.output() });
    expect(refused.registrationError).toMatch(/VSS215/);
    const attempts = ups.calls.filter((call) => call.api === "trackalert" && call.errorCode === "VSS215");
    expect(attempts).toHaveLength(1);
  });
});
