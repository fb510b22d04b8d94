import { startTrackingMoreSimulator } from "../simulators/trackingmore";
import { openDatabase } from "~/db/database.server";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JobRunner } from "~/jobs/runner.server";
import { connectProvider } from "~/services/provider-accounts.server";
import { ensureShop } from "~/services/shops.server";
import { benchServiceContext, freshSqliteDatabase, ingestBenchFulfillments, report } from "./support";

/**
 * Provider calls used to register 10,000 new tracking numbers, through the real pipeline
 * (ingestion, durable jobs, the TrackingMore v4 client with its rate limiting) against the
 * simulator at TrackingMore's documented limits. The baseline is the least possible: one
 * batch call per 40 numbers, ⌈10,000 / 40⌉ = 250.
 */

const SHIPMENTS = 10_000;
const DOCUMENTED_BATCH_LIMIT = 40;

export async function registrationCalls(): Promise<void> {
  const simulator = await startTrackingMoreSimulator();
  const apiKey = "bench-trackingmore-key";
  simulator.addAccount({ apiKey, webhookSecret: "bench-webhook-secret" });
  const db = await openDatabase(await freshSqliteDatabase("registration"));
  const services = benchServiceContext(db, { trackingMoreBaseUrl: simulator.url });
  try {
    const shop = await ensureShop(services, "bench-shop.myshopify.com");
    await connectProvider(services, shop.id, { provider: "trackingmore", apiVersion: "v4", credentials: { apiKey } });

    await ingestBenchFulfillments(services, shop, SHIPMENTS, "UPS");

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
