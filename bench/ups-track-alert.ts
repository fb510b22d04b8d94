import { startUpsSimulator } from "../simulators/ups";
import { openDatabase } from "~/db/database.server";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { JobRunner } from "~/jobs/runner.server";
import { accountFromRow, connectProvider } from "~/services/provider-accounts.server";
import { ensureShop } from "~/services/shops.server";
import { benchServerEnvironment, compareAckLatency, startServers } from "./ack-latency";
import { benchServiceContext, freshSqliteDatabase, ingestBenchFulfillments, report } from "./support";
import { countJobs, deleteJobs } from "~/jobs/queue.server";

const UPS_CLIENT = { clientId: "bench-ups-client", clientSecret: "bench-ups-secret" };
const SHOP = "bench-ups-shop.myshopify.com";

/**
 * UPS Track Alert event acknowledgement: UPS does not retry and expects an answer within
 * milliseconds, so the production server must store each event and answer nearly as fast as a
 * bare node:http server that stores nothing. 1,000 events/s, 10 s measured on each server in
 * alternating rounds. Afterwards every acknowledged event must be in the database.
 */
export async function upsWebhookAckLatency(): Promise<void> {
  const databaseUrl = await freshSqliteDatabase("ups-webhook-ack");
  const db = await openDatabase(databaseUrl);
  const services = benchServiceContext(db, {});
  const shop = await ensureShop(services, SHOP);
  await connectProvider(services, shop.id, { provider: "ups", credentials: UPS_CLIENT });
  await deleteJobs(db);
  const account = accountFromRow(services, await db.prisma.providerAccount.findUniqueOrThrow({ where: { shopId_provider: { shopId: shop.id, provider: "ups" } } }));
  if (account.provider !== "ups") throw new Error("expected the UPS account");

  const servers = await startServers(benchServerEnvironment(databaseUrl, "bench-api-secret"));
  try {
    const rate = 1_000;
    const path = `/webhooks/ups/${shop.webhookToken}`;
    const result = await compareAckLatency(`${servers.app.url}${path}`, `${servers.bare.url}${path}`, {
      kind: "ups",
      ratePerSecond: rate,
      warmupMs: 3_000,
      roundMs: 2_500,
      rounds: 4,
      secret: account.credentials.webhookCredential,
      shop: SHOP,
    });
    if (result.errors > 0) throw new Error(`${result.errors} UPS events were not acknowledged during the benchmark`);
    const stored = await countJobs(db, { type: JOB_TYPES.applyUpsEvent, shopId: shop.id });
    const lost = result.appAcknowledged - stored;
    const at = `${rate} req/s, ${result.app.requests} requests`;
    report("ups_webhook_ack_p50_ms", `${result.app.p50.toFixed(2)} vs bare node:http ${result.bare.p50.toFixed(2)} at ${at}`, "reported");
    report("ups_webhook_ack_p99_ms", `${result.app.p99.toFixed(2)} vs bare node:http ${result.bare.p99.toFixed(2)} at ${at}`, "reported");
    report("ups_webhook_ack_p99_ratio", (result.app.p99 / result.bare.p99).toFixed(2), "<= 1.5");
    report("ups_webhook_events_lost", `${lost} of ${result.appAcknowledged} acknowledged (${stored} stored)`, "= 0");
  } finally {
    await servers.stop();
    await db.close();
  }
}

/**
 * Track Alert subscription calls for 10,000 new UPS numbers, through the real pipeline
 * (ingestion, routing, durable registration jobs, the UPS client) against the simulator. UPS
 * takes at most 100 numbers per request, so the least possible is ⌈N/100⌉.
 */
export async function upsSubscriptionCalls(): Promise<void> {
  const shipments = 10_000;
  const ups = await startUpsSimulator({ environment: "production" });
  ups.addClient(UPS_CLIENT);
  const db = await openDatabase(await freshSqliteDatabase("ups-subscriptions"));
  const services = benchServiceContext(db, { upsBaseUrls: { production: ups.url, cie: ups.url } });
  try {
    const shop = await ensureShop(services, SHOP);
    await connectProvider(services, shop.id, { provider: "ups", credentials: UPS_CLIENT });
    await ingestBenchFulfillments(services, shop, shipments, "UPS");
    ups.resetCalls();
    // Registration only: the history fetch that follows each subscription is a separate job.
    await new JobRunner(services, ALL_JOBS.filter((job) => job.type === JOB_TYPES.registerShipments), { concurrency: 2 }).drain();
    const subscribed = await db.prisma.shipment.count({ where: { shopId: shop.id, provider: "ups", registrationState: "registered" } });
    if (subscribed !== shipments) throw new Error(`only ${subscribed} of ${shipments} shipments were subscribed`);
    const calls = ups.calls.filter((call) => call.api === "trackalert").length;
    const minimum = Math.ceil(shipments / 100);
    report(`ups_subscription_calls_${shipments}`, `${calls} Track Alert calls vs ⌈N/100⌉ ${minimum} (ratio ${(calls / minimum).toFixed(2)})`, `= ${minimum}`);
  } finally {
    await db.close();
    await ups.close();
  }
}
