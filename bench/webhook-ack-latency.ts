import { openDatabase } from "~/db/database.server";
import { benchServerEnvironment, compareAckLatency, startServers } from "./ack-latency";
import { freshSqliteDatabase, report } from "./support";

/**
 * Shopify-webhook acknowledgement latency of the production server (built Remix app, SQLite,
 * HMAC check, validation, durable enqueue) against a bare node:http server answering 200.
 */

const SECRET = "bench-api-secret";
const SHOP = "bench-shop.myshopify.com";
const RATE_PER_SECOND = 200;

export async function webhookAckLatency(): Promise<void> {
  const databaseUrl = await freshSqliteDatabase("webhook-ack");
  // The shop is installed, as it is for every real webhook.
  const db = await openDatabase(databaseUrl);
  await db.prisma.shop.create({ data: { domain: SHOP, webhookToken: "bench-webhook-token" } });
  await db.close();
  const servers = await startServers(benchServerEnvironment(databaseUrl, SECRET));
  try {
    const result = await compareAckLatency(`${servers.app.url}/webhooks/fulfillments/create`, `${servers.bare.url}/webhooks/fulfillments/create`, {
      kind: "shopify",
      ratePerSecond: RATE_PER_SECOND,
      warmupMs: 5_000,
      roundMs: 2_500,
      rounds: 8,
      secret: SECRET,
      shop: SHOP,
    });
    if (result.errors > 0) throw new Error(`${result.errors} requests failed during the latency benchmark`);
    const rate = `${RATE_PER_SECOND} req/s, ${result.app.requests} requests`;
    report("webhook_ack_p50_ms", `${result.app.p50.toFixed(2)} vs bare node:http ${result.bare.p50.toFixed(2)} at ${rate}`, "reported");
    report("webhook_ack_p99_ms", `${result.app.p99.toFixed(2)} vs bare node:http ${result.bare.p99.toFixed(2)} at ${rate}`, "reported");
    report("webhook_ack_p99_ratio", (result.app.p99 / result.bare.p99).toFixed(2), "<= 2");
  } finally {
    await servers.stop();
  }
}
