// `npm run demo`: the offline sandbox. Everything runs on loopback with no account: the app's web
// and worker processes on a SQLite database in .data/, the Shopify, TrackingMore, Tracktry and UPS
// (Track Alert, test environment) simulators, a mail catcher with a web inbox, a stand-in for the
// shop's storefront (the tracking page block and the app proxy) and one for the Shopify admin
// around the embedded app. A demo shop's orders are imported, registered, moved along by the
// simulated carriers, and e-mailed about; new orders keep arriving by webhook.
//
// `npm run demo -- --check`: the same sandbox, headless, stepping every parcel through its
// scripted journey; then every shipment, e-mail and Shopify fulfillment event is checked against
// what the journeys promise (scripts/demo/check.ts). Exit code 0 only if everything held.
// `--orders N` sets the shop's size (default 300, 120 with --check; the suite's test uses 24).
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startShopifySimulator } from "../simulators/shopify";
import { startTrackingMoreSimulator } from "../simulators/trackingmore";
import { startTracktrySimulator } from "../simulators/tracktry";
import { startUpsSimulator } from "../simulators/ups";
import { startWebServer, startWorker, type RunningWeb, type RunningWorker } from "../test/support/processes";
import { openDatabase } from "~/db/database.server";
import { applyMigrations } from "~/db/migrations.server";
import { systemClock } from "~/lib/clock";
import { SecretBox } from "~/lib/crypto.server";
import { createLogger } from "~/lib/logger.server";
import { createServiceContext, settingsFromConfig } from "~/services/context.server";
import { loadNotificationSettings, saveNotificationSettings } from "~/services/notification-settings.server";
import { connectProvider } from "~/services/provider-accounts.server";
import { updateRoutingRules } from "~/services/provider-routing.server";
import { ensureShop, requestBackfill } from "~/services/shops.server";
import { trackingPageUrl } from "~/services/tracking-links.server";
import { loadConfig } from "~/config.server";
import { startAdminGateway } from "./sandbox/admin-gateway";
import { startMailInbox } from "./sandbox/mail-inbox";
import { startSmtpServer } from "./sandbox/smtp";
import { startStorefront } from "./sandbox/storefront";
import { checkSandbox, formatSummary, type ReceivedMilestoneEmail } from "./demo/check";
import { CARRIER_ROUTES, planDemoOrders, type PlannedOrder } from "./demo/scenario";
import { demoTrackingNumber } from "./demo/tracking-numbers";

const { values: args } = parseArgs({
  options: { check: { type: "boolean", default: false }, orders: { type: "string" } },
  allowPositionals: false,
});
const CHECK = args.check === true;
// --check defaults to a smaller shop: every journey and carrier is in it, and it ends in a few minutes on two busy cores.
const ORDER_COUNT = Number(args.orders ?? process.env.DEMO_ORDERS ?? (CHECK ? 120 : 300));
if (!Number.isInteger(ORDER_COUNT) || ORDER_COUNT < 6 || ORDER_COUNT > 5_000) {
  console.error("--orders must be a whole number from 6 to 5000");
  process.exit(2);
}
const STEP_MS = Number(process.env.DEMO_STEP_MS ?? 3_000);
/** --check gives each stage this long to show everywhere before it reports what did not. */
const STAGE_TIMEOUT_MS = Number(process.env.DEMO_STAGE_TIMEOUT_MS ?? 90_000);

const ROOT = resolve(import.meta.dirname, "..");
const SHOP = "tracklight-demo.myshopify.com";
const API_KEY = "tracklight-demo";
const API_SECRET = randomBytes(24).toString("hex");
const ACCESS_TOKEN = `shpat_demo_${randomBytes(8).toString("hex")}`;
const TRACKINGMORE_KEY = `demo-trackingmore-${randomBytes(6).toString("hex")}`;
const TRACKINGMORE_WEBHOOK_SECRET = randomBytes(16).toString("hex");
const TRACKTRY_KEY = `demo-tracktry-${randomBytes(6).toString("hex")}`;
const UPS_CLIENT = { clientId: `demo-ups-${randomBytes(6).toString("hex")}`, clientSecret: randomBytes(18).toString("hex") };

const started = Date.now();
const log = (message: string) => process.stdout.write(`[demo ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

// ---- everything started is stopped on the way out, newest first ---------------------------------
const cleanups: Array<() => Promise<unknown>> = [];
let web: RunningWeb | undefined;
let worker: RunningWorker | undefined;
let stopping: Promise<void> | null = null;
function stopEverything(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    // Whatever hangs, the app's processes do not outlive the demo.
    setTimeout(() => {
      for (const child of [web?.process, worker?.process]) if (child && child.exitCode === null) child.kill("SIGKILL");
      process.exit(exitCode === 0 ? 1 : exitCode);
    }, 20_000).unref();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    process.exit(exitCode);
  })();
  return stopping;
}
process.on("SIGINT", () => void stopEverything(CHECK ? 130 : 0));
process.on("SIGTERM", () => void stopEverything(CHECK ? 143 : 0));

// ---- database -----------------------------------------------------------------------------------
const dataDir = join(ROOT, ".data");
mkdirSync(dataDir, { recursive: true });
const dbFile = join(dataDir, CHECK ? `demo-check-${process.pid}.db` : "demo.db");
const removeDatabase = () => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });
};
removeDatabase();
const databaseUrl = `file:${dbFile}`;
await applyMigrations(databaseUrl);
const db = await openDatabase(databaseUrl);
cleanups.push(async () => {
  await db.close();
  // DEMO_KEEP_DATABASE=1 leaves a --check run's database for a look at what went wrong.
  if (CHECK && !process.env.DEMO_KEEP_DATABASE) removeDatabase();
});

// ---- simulators, mail catcher, admin stand-in ---------------------------------------------------
// Rate limits off: the sandbox squeezes days of parcels into minutes on two cores.
const trackingMore = await startTrackingMoreSimulator({ rateLimits: { v4Create: Infinity, v4Other: Infinity, v2: Infinity, v2Realtime: Infinity } });
cleanups.push(() => trackingMore.close());
trackingMore.addAccount({ apiKey: TRACKINGMORE_KEY, email: "ops@tracklight-demo.example", webhookSecret: TRACKINGMORE_WEBHOOK_SECRET });
const tracktry = await startTracktrySimulator({ rateLimits: { perKey: Infinity, realtime: Infinity } });
cleanups.push(() => tracktry.close());
tracktry.addAccount({ apiKey: TRACKTRY_KEY, monthlyQuota: Infinity });
// UPS's test environment (CIE): its two test numbers each play UPS's documented seven events.
// Eight seconds apart: an "out for delivery" e-mail still pending when "delivered" arrives is
// rightly never sent, so closer events would make the e-mails the check expects a matter of load.
const ups = await startUpsSimulator({ environment: "cie", cieTimestamps: "now", cieEventSpacingMs: 8_000 });
cleanups.push(() => ups.close());
ups.addClient(UPS_CLIENT);
const shopify = await startShopifySimulator({ apiSecretKey: API_SECRET, bulkOperationDurationMs: 1_500 });
cleanups.push(() => shopify.close());
const smtp = await startSmtpServer();
cleanups.push(() => smtp.stop());
const gateway = await startAdminGateway({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
cleanups.push(() => gateway.close());

const env = {
  DATABASE_URL: databaseUrl,
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET,
  SHOPIFY_APP_URL: gateway.appUrl,
  SHOPIFY_ADMIN_API_ORIGIN: shopify.url,
  ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  TRACKINGMORE_API_BASE_URL: trackingMore.url,
  TRACKTRY_API_BASE_URL: tracktry.url,
  UPS_API_BASE_URL: ups.url,
  UPS_CIE_API_BASE_URL: ups.url,
  SMTP_URL: smtp.url,
  MAIL_FROM: "tracking@tracklight-demo.example",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  WORKER_POLL_INTERVAL_MS: "100",
  // The scheduler also asks Tracktry (no webhooks) for changes; the demo shop polls at every tick.
  WORKER_SCHEDULE_INTERVAL_MS: CHECK ? "2000" : "5000",
};

// ---- the demo shop, as an install leaves it -----------------------------------------------------
const appConfig = loadConfig({ ...process.env, ...env, NODE_ENV: "production" });
const services = createServiceContext({
  db,
  clock: systemClock,
  log: createLogger("silent"),
  secrets: new SecretBox(appConfig.ENCRYPTION_KEY),
  settings: settingsFromConfig(appConfig),
  shopifyAdmin: async () => {
    throw new Error("the demo seeds through services that do not call Shopify");
  },
});
// On Shopify Plus's Admin API limits (1,000 points a second): on the standard plan's 50, writing
// every milestone of a few hundred parcels back to Shopify takes minutes.
shopify.addShop({ domain: SHOP, accessToken: ACCESS_TOKEN, name: "Tracklight Demo", ianaTimezone: "Europe/Paris", rateLimit: { maximumAvailable: 20_000, restoreRate: 1_000 } });
const shop = await ensureShop(services, SHOP);
await db.prisma.session.create({
  data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: ACCESS_TOKEN, scope: appConfig.SCOPES },
});
// Minutes of sandbox stand for days of parcels: the shop polls Tracktry at every scheduler tick
// (merchants choose 30 minutes or more in Settings).
await db.prisma.shop.update({ where: { id: shop.id }, data: { pollIntervalMinutes: 0 } });
await connectProvider(services, shop.id, { provider: "trackingmore", apiVersion: "v4", credentials: { apiKey: TRACKINGMORE_KEY, webhookSecret: TRACKINGMORE_WEBHOOK_SECRET } });
await connectProvider(services, shop.id, { provider: "tracktry", credentials: { apiKey: TRACKTRY_KEY } });
await connectProvider(services, shop.id, { provider: "ups", environment: "cie", credentials: UPS_CLIENT });
await updateRoutingRules(services, shop.id, { defaultProvider: "trackingmore", carrierProviders: CARRIER_ROUTES });
// A shop this busy sends more than the default 60 e-mails a minute.
await saveNotificationSettings(services, shop.id, { emailsPerMinute: 10_000 });

const plan = planDemoOrders(ORDER_COUNT, new Date());
const fulfillmentTrackingNumbers = new Map<string, string>();
const orderIdsByNumber = new Map<string, number>();
for (const planned of plan) {
  const order = shopify.addOrder(SHOP, planned.order);
  const { fulfillment } = await shopify.createFulfillment(SHOP, order.id, { trackingCompany: planned.trackingCompany, trackingNumbers: [planned.trackingNumber] }, { silent: true });
  fulfillmentTrackingNumbers.set(String(fulfillment.id), planned.trackingNumber);
  orderIdsByNumber.set(planned.trackingNumber, order.id);
}
log(`seeded ${plan.length} orders (${[...new Set(plan.map((order) => order.trackingCompany))].join(", ")})`);

// ---- the app --------------------------------------------------------------------------------------
try {
  web = await startWebServer(env);
} catch (error) {
  console.error(String(error));
  await stopEverything(1);
}
cleanups.push(() => web!.stop());
gateway.setAppTarget(web!.url);
worker = startWorker(env);
cleanups.push(() => worker!.stop());
shopify.setAppUrl(web!.url);
trackingMore.setWebhookUrls(TRACKINGMORE_KEY, [{ url: `${web!.url}/webhooks/trackingmore/${shop.webhookToken}`, version: "v4" }]);
const storefront = await startStorefront({ appUrl: web!.url, shop: SHOP, secret: API_SECRET });
cleanups.push(() => storefront.close());
const inbox = await startMailInbox(smtp.messages);
cleanups.push(() => inbox.close());
await requestBackfill(services, shop.id, 30);

async function waitUntil(what: string, done: () => Promise<boolean>, timeoutMs = STAGE_TIMEOUT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (worker!.process.exitCode !== null || web!.process.exitCode !== null) throw new Error(`an app process exited while waiting for ${what}:\n${worker!.output().slice(-2_000)}`);
    if (Date.now() > deadline) {
      log(`gave up waiting for ${what} after ${timeoutMs / 1000}s`);
      return false;
    }
    await sleep(200);
  }
  return true;
}

async function registrationSettled(): Promise<boolean> {
  const counts = await db.prisma.shipment.groupBy({ by: ["registrationState"], where: { shopId: shop.id }, _count: true });
  const total = counts.reduce((sum, row) => sum + row._count, 0);
  const settled = counts.filter((row) => row.registrationState === "registered" || row.registrationState === "failed").reduce((sum, row) => sum + row._count, 0);
  return total === plan.length && settled === total;
}

async function outboxDrained(): Promise<boolean> {
  const [emails, writes] = await Promise.all([
    db.prisma.customerNotification.count({ where: { shopId: shop.id, state: { in: ["queued", "sending"] } } }),
    db.prisma.fulfillmentEventWrite.count({ where: { shopId: shop.id, state: "queued" } }),
  ]);
  return emails === 0 && writes === 0;
}

const JOURNEY_STATUSES = new Set(["inforeceived", "transit", "pickup", "undelivered", "delivered", "exception"]);
/** Every parcel the simulators moved shows the simulator's status in the app. */
async function appCaughtUp(): Promise<boolean> {
  const simulated = new Map<string, string>();
  for (const tracking of [...trackingMore.trackings(TRACKINGMORE_KEY), ...tracktry.trackings(TRACKTRY_KEY)]) {
    if (JOURNEY_STATUSES.has(tracking.status)) simulated.set(tracking.trackingNumber, tracking.status);
  }
  const shipments = await db.prisma.shipment.findMany({ where: { shopId: shop.id, trackingNumber: { in: [...simulated.keys()] } }, select: { trackingNumber: true, status: true } });
  return shipments.length === simulated.size && shipments.every((shipment) => shipment.status === simulated.get(shipment.trackingNumber));
}

if (CHECK) {
  await runCheck();
} else {
  await runInteractive();
}

// ---- --check ------------------------------------------------------------------------------------
async function runCheck(): Promise<void> {
  const failures: string[] = [];
  if (!(await waitUntil("every shipment to be imported and registered", registrationSettled))) failures.push("registration did not settle");
  log("imported and registered; stepping the journeys");
  for (let step = 1; failures.length === 0; step++) {
    const moving = [
      ...trackingMore.trackings(TRACKINGMORE_KEY).filter((tracking) => !["delivered", "exception", "expired"].includes(tracking.status)).map((tracking) => () => trackingMore.advance(TRACKINGMORE_KEY, tracking.trackingNumber, "next")),
      ...tracktry.trackings(TRACKTRY_KEY).filter((tracking) => !["delivered", "exception", "expired"].includes(tracking.status)).map((tracking) => () => tracktry.advance(TRACKTRY_KEY, tracking.trackingNumber, "next")),
    ];
    if (moving.length === 0) break;
    for (let i = 0; i < moving.length; i += 10) await Promise.all(moving.slice(i, i + 10).map((advance) => advance()));
    const caughtUp = await waitUntil(`step ${step} to reach the app`, async () => (await appCaughtUp()) && (await outboxDrained()));
    log(`step ${step}: ${moving.length} parcels moved${caughtUp ? ", shown in the app, e-mails and Shopify events out" : ""}`);
    if (!caughtUp) failures.push(`step ${step} did not reach the app in time`);
  }
  // UPS plays its own event stream; then everything still queued goes out.
  await waitUntil("UPS's test numbers to be delivered", async () => (await db.prisma.shipment.count({ where: { shopId: shop.id, provider: "ups", status: "delivered" } })) === plan.filter((order) => order.provider === "ups" && order.expected.finalStatus === "delivered").length);
  await ups.whenDeliveriesIdle();
  await waitUntil("the e-mail and write-back outbox to drain", outboxDrained);
  await sleep(1_000);

  const settings = await loadNotificationSettings(services, shop.id);
  const result = checkSandbox(plan, await observe(), {
    emailMilestones: new Set(Object.entries(settings.milestones).filter(([, milestone]) => milestone.enabled).map(([name]) => name)),
    shopifyWriteBack: settings.shopifyWriteBack,
  });
  result.failures.unshift(...failures);
  process.stdout.write(`\n${formatSummary(result)}\n\n`);
  if (result.failures.length === 0) {
    log(`check passed: ${plan.length} shipments, ${smtp.messages.length} e-mails, ${shopify.fulfillmentEvents(SHOP).length} Shopify fulfillment events, as the journeys promise`);
    await stopEverything(0);
  } else {
    process.stdout.write(`check FAILED (${result.failures.length}):\n${result.failures.slice(0, 50).map((failure) => `  - ${failure}`).join("\n")}\n`);
    if (result.failures.length > 50) process.stdout.write(`  … and ${result.failures.length - 50} more\n`);
    await stopEverything(1);
  }
}

async function observe() {
  const shipments = await db.prisma.shipment.findMany({ where: { shopId: shop.id }, select: { trackingNumber: true, registrationState: true, status: true } });
  const bareId = (messageId: string | null) => (messageId ?? "").replace(/^<|>$/g, "");
  const notifications = await db.prisma.customerNotification.findMany({
    where: { shopId: shop.id, messageId: { not: null } },
    select: { messageId: true, milestone: true, shipment: { select: { trackingNumber: true } } },
  });
  const byMessageId = new Map(notifications.map((row) => [bareId(row.messageId), row]));
  const emails: ReceivedMilestoneEmail[] = [];
  let strayEmails = 0;
  for (const message of smtp.messages) {
    const row = byMessageId.get(bareId(message.messageId));
    if (row) emails.push({ trackingNumber: row.shipment.trackingNumber, milestone: row.milestone });
    else strayEmails++;
  }
  const shopifyEvents = new Map<string, string[]>();
  // In the order Shopify shows them: by when they happened, then by when they were written.
  const events = [...shopify.fulfillmentEvents(SHOP)].sort((a, b) => (a.happenedAt ?? "").localeCompare(b.happenedAt ?? "") || a.createdAt.localeCompare(b.createdAt));
  for (const event of events) {
    const trackingNumber = fulfillmentTrackingNumbers.get(/(\d+)$/.exec(event.fulfillmentId)?.[1] ?? "");
    if (trackingNumber) shopifyEvents.set(trackingNumber, [...(shopifyEvents.get(trackingNumber) ?? []), event.status]);
  }
  return { shipments, emails, shopifyEvents, strayEmails };
}

// ---- interactive --------------------------------------------------------------------------------
async function runInteractive(): Promise<void> {
  await waitUntil("the first shipments", async () => (await db.prisma.shipment.count({ where: { shopId: shop.id } })) > 0, 60_000);
  // A few parcels move at each tick, so the screens keep changing for several minutes.
  let advancing = false;
  const progress = setInterval(() => {
    if (advancing) return;
    advancing = true;
    const open = (trackings: ReadonlyArray<{ trackingNumber: string; status: string }>) => trackings.filter((tracking) => !["delivered", "exception", "expired"].includes(tracking.status));
    const moves = [
      ...open(trackingMore.trackings(TRACKINGMORE_KEY)).map((tracking) => () => trackingMore.advance(TRACKINGMORE_KEY, tracking.trackingNumber, "next")),
      ...open(tracktry.trackings(TRACKTRY_KEY)).map((tracking) => () => tracktry.advance(TRACKTRY_KEY, tracking.trackingNumber, "next")),
    ].filter(() => Math.random() < 0.08);
    void Promise.all(moves.map((move) => move().catch(() => undefined))).finally(() => (advancing = false));
  }, STEP_MS);
  cleanups.push(async () => clearInterval(progress));

  // New orders keep coming, through signed fulfillments/create webhooks.
  let liveOrders = 0;
  const newOrders = setInterval(() => {
    if (liveOrders >= 30) return;
    liveOrders++;
    const carrier = liveOrders % 2 ? "usps" : "fedex";
    const email = `live${liveOrders}@example.com`;
    const order = shopify.addOrder(SHOP, { email, customer: { firstName: "Robin", email, locale: "en" }, lineItems: [{ title: "Gift card sleeve", quantity: 1, price: "5.00" }] });
    void shopify.createFulfillment(SHOP, order.id, { trackingCompany: carrier === "usps" ? "USPS" : "FedEx", trackingNumbers: [demoTrackingNumber(carrier, 90_000 + liveOrders)] }).catch(() => undefined);
  }, 7_000);
  cleanups.push(async () => clearInterval(newOrders));

  const sample = samplePlannedOrder();
  const sampleOrder = await db.prisma.order.findFirst({ where: { shopId: shop.id, email: sample.email } });
  const signedLink = sampleOrder ? trackingPageUrl(API_SECRET, SHOP, sampleOrder.id).replace(`https://${SHOP}`, storefront.url) : null;
  const sampleName = shopify.getOrder(SHOP, orderIdsByNumber.get(sample.trackingNumber)!)?.name ?? "";
  const where = [
    `Tracklight sandbox — ${SHOP} — Ctrl-C stops everything`,
    "",
    `  Admin (embedded, through the admin stand-in):  ${gateway.adminUrl("/app")}`,
    `  Storefront tracking page:                       ${storefront.url}/pages/track`,
    `      try order ${sampleName} with ${sample.email}`,
    ...(signedLink ? [`      or the signed link from its e-mails: ${signedLink}`] : []),
    `  Mail inbox:                                     ${inbox.url}`,
    `  Simulators: Shopify ${shopify.url}  TrackingMore ${trackingMore.url}  Tracktry ${tracktry.url}  UPS (CIE) ${ups.url}`,
  ];

  async function render(): Promise<void> {
    const [counts, registration, latest, backfill, emailsByState] = await Promise.all([
      db.prisma.shipmentStatusCount.findMany({ where: { shopId: shop.id, count: { gt: 0 } }, orderBy: { status: "asc" } }),
      db.prisma.shipment.groupBy({ by: ["registrationState"], where: { shopId: shop.id }, _count: true }),
      db.prisma.trackingEvent.findMany({
        where: { shipment: { shopId: shop.id } },
        orderBy: { receivedAt: "desc" },
        take: 6,
        include: { shipment: { select: { trackingNumber: true } } },
      }),
      db.prisma.backfillRun.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" } }),
      db.prisma.customerNotification.groupBy({ by: ["state"], where: { shopId: shop.id }, _count: true }),
    ]);
    const lines = [
      ...where,
      "",
      `backfill: ${backfill ? `${backfill.state}, ${backfill.ordersProcessed} orders, ${backfill.trackingNumbersFound} numbers` : "not started"}   live orders sent: ${liveOrders}`,
      `registration: ${registration.map((row) => `${row.registrationState} ${row._count}`).join(" · ") || "nothing yet"}`,
      `by status: ${counts.map((row) => `${row.status} ${row.count}`).join(" · ") || "nothing yet"}`,
      `e-mails: ${emailsByState.map((row) => `${row.state} ${row._count}`).join(" · ") || "none yet"} (inbox: ${smtp.messages.length})   Shopify fulfillment events: ${shopify.fulfillmentEvents(SHOP).length}`,
      "",
      "latest carrier events:",
      ...latest.map((event) => `  ${event.occurredAt.toISOString().slice(0, 16).replace("T", " ")}  ${event.shipment.trackingNumber}  ${event.status ?? ""}  ${event.description}${event.location ? ` — ${event.location}` : ""}`),
    ];
    process.stdout.write(process.stdout.isTTY ? `\x1b[2J\x1b[H${lines.join("\n")}\n` : `${lines.join("\n")}\n\n`);
  }
  const display = setInterval(() => void render().catch(() => undefined), 2_000);
  cleanups.push(async () => clearInterval(display));
  if (process.env.DEMO_DURATION_MS) setTimeout(() => void stopEverything(0), Number(process.env.DEMO_DURATION_MS));
}

function samplePlannedOrder(): PlannedOrder {
  return plan.find((order) => order.provider === "trackingmore" && order.expected.finalStatus === "delivered") ?? plan[0]!;
}
