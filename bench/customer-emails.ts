import { createHmac } from "node:crypto";
import { openDatabase, type Database } from "~/db/database.server";
import type { FulfillmentSnapshot } from "~/domain/fulfillment";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { connectProvider } from "~/services/provider-accounts.server";
import { ensureShop } from "~/services/shops.server";
import { saveNotificationSettings } from "~/services/notification-settings.server";
import { upsNumber } from "../simulators/lib/tracking-numbers";
import { startWebServer, startWorker, type RunningWeb, type RunningWorker } from "../test/support/processes";
import { countJobs, deleteJobs } from "~/jobs/queue.server";
import { startSmtpServer, type TestSmtpServer } from "../test/support/smtp";
import { BENCH_ENCRYPTION_KEY, benchServiceContext, freshSqliteDatabase, percentile, report } from "./support";

/**
 * Customer e-mails across the real processes (built web server, one worker, SQLite, loopback SMTP):
 * 1. latency from TrackingMore's push being acknowledged to the e-mail being accepted by the SMTP
 *    server, over 1,000 status changes sent at a steady rate;
 * 2. duplicates when every push (out for delivery, then delivered, per parcel) is delivered three
 *    times and all of them in shuffled order.
 */

const SHOP = "bench-emails.myshopify.com";
const SECRET = "bench-api-secret";
const API_KEY = "tm-bench-email-key";
const WEBHOOK_SECRET = "whsec-bench-email";
const LATENCY_CHANGES = 1_000;
const LATENCY_RATE_PER_SECOND = Number(process.env.BENCH_EMAIL_RATE ?? 25);
const DUPLICATE_PARCELS = 300;
const DELIVERIES_PER_PUSH = 3;

interface Parcel {
  trackingNumber: string;
  email: string;
}

async function seedParcels(db: Database, first: number, count: number): Promise<Parcel[]> {
  const services = benchServiceContext(db, {});
  const shop = await ensureShop(services, SHOP);
  const parcels: Parcel[] = [];
  for (let i = first; i < first + count; i++) {
    const trackingNumber = upsNumber(300_000 + i);
    const email = `buyer-${i}@bench.example`;
    const snapshot: FulfillmentSnapshot = {
      shopifyFulfillmentId: String(5_000_000 + i),
      shopifyOrderId: String(6_000_000 + i),
      orderName: `#${20_000 + i}`,
      fulfillmentName: `#${20_000 + i}.1`,
      status: "success",
      updatedAt: new Date(),
      tracking: [{ number: trackingNumber, company: "UPS", url: null }],
      lineItems: [{ id: `li-${i}`, title: "Wool socks", quantity: 2, variantTitle: null, sku: null }],
      customer: { email, phone: null, firstName: "Ada", shopifyCustomerId: `c-${i}`, locale: "en" },
      destinationCountry: "GB",
    };
    await ingestFulfillment(services, SHOP, snapshot);
    parcels.push({ trackingNumber, email });
  }
  // Registered already: only pushes matter here.
  await db.prisma.shipment.updateMany({ where: { shopId: shop.id }, data: { registrationState: "registered", registeredAt: new Date() } });
  await deleteJobs(db);
  return parcels;
}

function pushBody(parcel: Parcel, status: "pickup" | "delivered", at: Date): string {
  const substatus = status === "pickup" ? "pickup001" : "delivered001";
  const when = at.toISOString().replace(/\.\d{3}Z$/, "+00:00");
  return JSON.stringify({
    meta: { code: 200, message: "Success" },
    data: {
      id: `tm-${parcel.trackingNumber}`,
      tracking_number: parcel.trackingNumber,
      courier_code: "ups",
      delivery_status: status,
      substatus,
      latest_checkpoint_time: when,
      update_at: when,
      origin_info: {
        trackinfo: [
          {
            checkpoint_date: when,
            checkpoint_delivery_status: status,
            checkpoint_delivery_substatus: substatus,
            tracking_detail: status === "pickup" ? "Out For Delivery Today" : "Delivered",
            location: "Leeds, GB",
            city: "Leeds",
            country_iso2: "GB",
          },
        ],
      },
    },
  });
}

async function push(webUrl: string, token: string, body: string): Promise<void> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(`${webUrl}/webhooks/trackingmore/${token}`, {
    method: "POST",
    headers: { "content-type": "application/json", timestamp, signature: createHmac("sha256", WEBHOOK_SECRET).update(timestamp).digest("hex") },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`push answered ${response.status}`);
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function customerEmailBench(): Promise<void> {
  const databaseUrl = await freshSqliteDatabase("customer-emails");
  const db = await openDatabase(databaseUrl);
  const services = benchServiceContext(db, {});
  const shop = await ensureShop(services, SHOP);
  await connectProvider(services, shop.id, { provider: "trackingmore", apiVersion: "v4", credentials: { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, accountEmail: "ops@bench.example" } });
  // No Shopify in the bench: e-mails only.
  await saveNotificationSettings(services, shop.id, { shopifyWriteBack: false, emailsPerMinute: 10_000 });
  const latencyParcels = await seedParcels(db, 0, LATENCY_CHANGES);
  const duplicateParcels = await seedParcels(db, LATENCY_CHANGES, DUPLICATE_PARCELS);
  const token = shop.webhookToken;

  const smtp: TestSmtpServer = await startSmtpServer();
  const env = {
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "https://tracklight.bench",
    ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
    TRACKINGMORE_API_BASE_URL: "http://127.0.0.1:9",
    WORKER_CONCURRENCY: process.env.BENCH_EMAIL_WORKER_CONCURRENCY ?? "4",
    ...smtp.env(),
  };
  let web: RunningWeb | undefined;
  let worker: RunningWorker | undefined;
  try {
    web = await startWebServer(env);
    worker = startWorker(env);

    // 1. Latency: one "out for delivery" push per parcel at a steady rate.
    const acknowledgedAt = new Map<string, number>();
    const started = Date.now();
    const sends: Promise<void>[] = [];
    for (const [index, parcel] of latencyParcels.entries()) {
      const due = started + (index * 1_000) / LATENCY_RATE_PER_SECOND;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const body = pushBody(parcel, "pickup", new Date(Date.now() - 60_000));
      sends.push(push(web.url, token, body).then(() => void acknowledgedAt.set(parcel.email, Date.now())));
    }
    await Promise.all(sends);
    await waitFor(() => smtp.messages.length >= LATENCY_CHANGES, 180_000, `${LATENCY_CHANGES} e-mails (${worker.output().slice(-500)})`);
    const latencies = smtp.messages
      .map((message) => message.acceptedAtMs - acknowledgedAt.get(message.envelopeTo[0]!)!)
      .sort((a, b) => a - b);
    const shape = `${LATENCY_CHANGES} status changes at ${LATENCY_RATE_PER_SECOND}/s, one worker`;
    report("email_after_webhook_p50_ms", `${percentile(latencies, 50).toFixed(0)} from acknowledgement to accepted by SMTP, ${shape}`, "reported");
    report("email_after_webhook_p99_ms", `${percentile(latencies, 99).toFixed(0)} from acknowledgement to accepted by SMTP, ${shape}`, "<= 2000");

    // 2. Duplicates: out-for-delivery and delivered pushes, each delivered three times, all shuffled.
    smtp.messages.length = 0;
    const now = Date.now();
    const deliveries = duplicateParcels.flatMap((parcel) =>
      [pushBody(parcel, "pickup", new Date(now - 30 * 60_000)), pushBody(parcel, "delivered", new Date(now - 60_000))].flatMap((body) =>
        Array.from({ length: DELIVERIES_PER_PUSH }, () => body),
      ),
    );
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed / 2 ** 31);
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
    }
    for (let i = 0; i < deliveries.length; i += 20) await Promise.all(deliveries.slice(i, i + 20).map((body) => push(web!.url, token, body)));
    await waitFor(
      async () => (await db.prisma.customerNotification.count({ where: { state: { in: ["queued", "sending"] } } })) === 0 &&
        (await countJobs(db, { states: ["queued", "running"], notType: "shipments.poll" })) === 0,
      180_000,
      "the outbox to drain",
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const perMilestone = new Map<string, number>();
    for (const message of smtp.messages) {
      const key = `${message.envelopeTo[0]}|${message.parsed.subject}`;
      perMilestone.set(key, (perMilestone.get(key) ?? 0) + 1);
    }
    const duplicates = [...perMilestone.values()].reduce((sum, count) => sum + count - 1, 0);
    const delivered = smtp.messages.filter((message) => /delivered$/.test(message.parsed.subject ?? "")).length;
    report(
      "email_duplicates",
      `${duplicates} in ${smtp.messages.length} e-mails (${delivered} "delivered" for ${DUPLICATE_PARCELS} parcels) from ${deliveries.length} pushes (each delivered ${DELIVERIES_PER_PUSH} times, shuffled)`,
      "= 0",
    );
  } finally {
    await worker?.stop();
    await web?.stop();
    await smtp.stop();
    await db.close();
  }
}
