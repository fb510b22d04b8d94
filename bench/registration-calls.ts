import { startTrackingMoreSimulator } from "../simulators/trackingmore";
import { upsNumber } from "../simulators/lib/tracking-numbers";
import { openDatabase } from "~/db/database.server";
import type { FulfillmentSnapshot } from "~/domain/fulfillment";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JobRunner } from "~/jobs/runner.server";
import { systemClock } from "~/lib/clock";
import { SecretBox } from "~/lib/crypto.server";
import { createLogger } from "~/lib/logger.server";
import { loadConfig } from "~/config.server";
import { createServiceContext, settingsFromConfig } from "~/services/context.server";
import { ingestInTransaction } from "~/services/ingest-fulfillment.server";
import { connectProvider } from "~/services/provider-accounts.server";
import { ensureShop } from "~/services/shops.server";
import { freshSqliteDatabase, report } from "./support";

/**
 * Provider calls used to register 10,000 new tracking numbers, through the real pipeline
 * (ingestion, durable jobs, the TrackingMore v4 client with its rate limiting) against the
 * simulator at TrackingMore's documented limits. The baseline is the least possible: one
 * batch call per 40 numbers, ⌈10,000 / 40⌉ = 250.
 */

const SHIPMENTS = 10_000;
const NUMBERS_PER_FULFILLMENT = 4;
const DOCUMENTED_BATCH_LIMIT = 40;
const BENCH_KEY = Buffer.alloc(32, 9).toString("base64");

export async function registrationCalls(): Promise<void> {
  const simulator = await startTrackingMoreSimulator();
  const apiKey = "bench-trackingmore-key";
  simulator.addAccount({ apiKey, webhookSecret: "bench-webhook-secret" });
  const db = await openDatabase(await freshSqliteDatabase("registration"));
  const services = createServiceContext({
    db,
    clock: systemClock,
    log: createLogger("silent"),
    secrets: new SecretBox(BENCH_KEY),
    settings: {
      ...settingsFromConfig(loadConfig({ SHOPIFY_API_KEY: "bench", SHOPIFY_API_SECRET: "bench", SHOPIFY_APP_URL: "https://tracklight.bench", ENCRYPTION_KEY: BENCH_KEY })),
      trackingMoreBaseUrl: simulator.url,
    },
    shopifyAdmin: async () => {
      throw new Error("not used by this benchmark");
    },
  });
  try {
    const shop = await ensureShop(services, "bench-shop.myshopify.com");
    await connectProvider(services, shop.id, { provider: "trackingmore", apiVersion: "v4", credentials: { apiKey } });

    const fulfillments = SHIPMENTS / NUMBERS_PER_FULFILLMENT;
    for (let start = 0; start < fulfillments; start += 250) {
      await db.prisma.$transaction(async (tx) => {
        for (let f = start; f < Math.min(fulfillments, start + 250); f++) {
          const snapshot: FulfillmentSnapshot = {
            shopifyFulfillmentId: String(1_000_000 + f),
            shopifyOrderId: String(2_000_000 + f),
            orderName: `#${10_000 + f}`,
            fulfillmentName: `#${10_000 + f}.1`,
            status: "success",
            updatedAt: new Date(),
            tracking: Array.from({ length: NUMBERS_PER_FULFILLMENT }, (_, i) => ({ number: upsNumber(f * NUMBERS_PER_FULFILLMENT + i), company: "UPS", url: null })),
            lineItems: null,
            customer: null,
            destinationCountry: "US",
          };
          await ingestInTransaction(services, tx, shop, snapshot);
        }
      });
    }

    simulator.resetCalls();
    await new JobRunner(services, ALL_JOBS, { concurrency: 2 }).drain();
    const registered = await db.prisma.shipment.count({ where: { shopId: shop.id, registrationState: "registered" } });
    if (registered !== SHIPMENTS) throw new Error(`only ${registered} of ${SHIPMENTS} shipments were registered`);
    const calls = simulator.calls.filter((call) => call.api === "v4").length;
    const minimum = Math.ceil(SHIPMENTS / DOCUMENTED_BATCH_LIMIT);
    report(`registration_calls_${SHIPMENTS}`, `${calls} provider calls vs minimum ${minimum} (ratio ${(calls / minimum).toFixed(2)})`, `= ${minimum}`);
  } finally {
    await db.close();
    await simulator.close();
  }
}
