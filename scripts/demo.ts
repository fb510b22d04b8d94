// `npm run demo`: the offline sandbox. Everything runs on this machine with no account: the app's
// web and worker processes, a SQLite database in .data/, and the Shopify and TrackingMore
// simulators. A demo shop gets orders with tracking numbers; the backfill reads them, the worker
// registers them, TrackingMore (simulated) moves parcels along and pushes signed updates, and new
// orders keep arriving through Shopify webhooks. The terminal shows the shipments live.
import { WEB_ENTRY, WEB_NODE_FLAGS } from "../server/web-process.mjs";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { startShopifySimulator } from "../simulators/shopify";
import { upsNumber } from "../simulators/lib/tracking-numbers";
import { startTrackingMoreSimulator } from "../simulators/trackingmore";
import { openDatabase } from "~/db/database.server";
import { applyMigrations } from "~/db/migrations.server";
import { systemClock } from "~/lib/clock";
import { SecretBox } from "~/lib/crypto.server";
import { createLogger } from "~/lib/logger.server";
import { createServiceContext, settingsFromConfig } from "~/services/context.server";
import { connectProvider } from "~/services/provider-accounts.server";
import { ensureShop, requestBackfill } from "~/services/shops.server";
import { loadConfig } from "~/config.server";

const ROOT = resolve(import.meta.dirname, "..");
const SHOP = "tracklight-demo.myshopify.com";
const ACCESS_TOKEN = `shpat_demo_${randomBytes(8).toString("hex")}`;
const TRACKINGMORE_KEY = `demo-trackingmore-${randomBytes(6).toString("hex")}`;
const WEBHOOK_SECRET = randomBytes(16).toString("hex");
const WEB_PORT = Number(process.env.PORT ?? 3000);
const ADVANCE_EVERY_MS = Number(process.env.DEMO_STEP_MS ?? 4_000);

const dataDir = join(ROOT, ".data");
mkdirSync(dataDir, { recursive: true });
const dbFile = join(dataDir, "demo.db");
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });
const databaseUrl = `file:${dbFile}`;
await applyMigrations(databaseUrl);

const trackingMore = await startTrackingMoreSimulator({ port: Number(process.env.TRACKINGMORE_SIM_PORT ?? 4010) });
trackingMore.addAccount({ apiKey: TRACKINGMORE_KEY, email: "ops@tracklight-demo.example", webhookSecret: WEBHOOK_SECRET });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  DATABASE_URL: databaseUrl,
  SHOPIFY_API_KEY: "tracklight-demo",
  SHOPIFY_API_SECRET: randomBytes(24).toString("hex"),
  SHOPIFY_APP_URL: `http://127.0.0.1:${WEB_PORT}`,
  ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  TRACKINGMORE_API_BASE_URL: trackingMore.url,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  PORT: String(WEB_PORT),
  WORKER_POLL_INTERVAL_MS: "200",
  WORKER_SCHEDULE_INTERVAL_MS: "15000",
};
const shopify = await startShopifySimulator({
  port: Number(process.env.SHOPIFY_SIM_PORT ?? 4020),
  apiSecretKey: env.SHOPIFY_API_SECRET!,
  bulkOperationDurationMs: 1_500,
});
env.SHOPIFY_ADMIN_API_ORIGIN = shopify.url;

// The shop as an install leaves it: a Shop row, its offline session, TrackingMore connected.
const appConfig = loadConfig(env);
const db = await openDatabase(databaseUrl);
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
const shop = await ensureShop(services, SHOP);
await db.prisma.session.create({
  data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: ACCESS_TOKEN, scope: appConfig.SCOPES },
});
await connectProvider(services, shop.id, {
  provider: "trackingmore",
  apiVersion: "v4",
  credentials: { apiKey: TRACKINGMORE_KEY, webhookSecret: WEBHOOK_SECRET },
});

// A month of orders already fulfilled before the install, for the backfill to find.
shopify.addShop({ domain: SHOP, accessToken: ACCESS_TOKEN, name: "Tracklight Demo", ianaTimezone: "Europe/Paris" });
let nextNumber = 1;
const otherCarriers: Array<[string, string]> = [
  ["USPS", "9400111206206406260787"],
  ["FedEx", "986578788855"],
  ["DHL Express", "3318810025"],
];
for (let index = 0; index < 24; index++) {
  const order = shopify.addOrder(SHOP, { email: `customer${index + 1}@example.com`, createdAt: new Date(Date.now() - (index + 1) * 26 * 3_600_000) });
  const [company, number] = index < otherCarriers.length ? otherCarriers[index]! : ["UPS", upsNumber(nextNumber++, "DEMO01")];
  await shopify.createFulfillment(SHOP, order.id, { trackingCompany: company, trackingNumbers: [number] }, { silent: true });
}

const children: ChildProcess[] = [];
function start(label: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stderr!.on("data", (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk}`));
  children.push(child);
  return child;
}
const web = start("web", [...WEB_NODE_FLAGS, WEB_ENTRY]);
await new Promise<void>((ready, fail) => {
  web.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && ready());
  web.once("exit", (code) => fail(new Error(`the web process exited (${code})`)));
});
start("worker", ["--import", "tsx", "server/worker.ts"]);
shopify.setAppUrl(`http://127.0.0.1:${WEB_PORT}`);
trackingMore.setWebhookUrls(TRACKINGMORE_KEY, [{ url: `http://127.0.0.1:${WEB_PORT}/webhooks/trackingmore/${shop.webhookToken}`, version: "v4" }]);
await requestBackfill(services, shop.id, shop.backfillDays);
trackingMore.startAutoProgress(ADVANCE_EVERY_MS);

// New orders keep coming, through signed fulfillments/create webhooks.
let liveOrders = 0;
const newOrders = setInterval(async () => {
  if (liveOrders >= 20) return;
  liveOrders++;
  const order = shopify.addOrder(SHOP, { email: `live${liveOrders}@example.com` });
  await shopify.createFulfillment(SHOP, order.id, { trackingCompany: "UPS", trackingNumbers: [upsNumber(nextNumber++, "DEMO01")] });
}, 7_000);

async function render(): Promise<void> {
  const [counts, registration, latest, backfill] = await Promise.all([
    db.prisma.shipmentStatusCount.findMany({ where: { shopId: shop.id, count: { gt: 0 } }, orderBy: { status: "asc" } }),
    db.prisma.shipment.groupBy({ by: ["registrationState"], where: { shopId: shop.id }, _count: true }),
    db.prisma.trackingEvent.findMany({
      where: { shipment: { shopId: shop.id } },
      orderBy: { receivedAt: "desc" },
      take: 6,
      include: { shipment: { select: { trackingNumber: true } } },
    }),
    db.prisma.backfillRun.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" } }),
  ]);
  const lines = [
    `Tracklight sandbox — ${SHOP} — web http://127.0.0.1:${WEB_PORT} — Ctrl-C to stop`,
    `simulators: Shopify ${shopify.url}/__sim/health · TrackingMore ${trackingMore.url}/__sim/trackings?apiKey=${TRACKINGMORE_KEY}`,
    "",
    `backfill: ${backfill ? `${backfill.state}, ${backfill.ordersProcessed} orders, ${backfill.trackingNumbersFound} numbers` : "not started"}` +
      `   live orders sent: ${liveOrders}`,
    `registration: ${registration.map((row) => `${row.registrationState} ${row._count}`).join(" · ") || "nothing yet"}`,
    `by status: ${counts.map((row) => `${row.status} ${row.count}`).join(" · ") || "nothing yet"}`,
    "",
    "latest carrier events:",
    ...latest.map((event) => `  ${event.occurredAt.toISOString().slice(0, 16).replace("T", " ")}  ${event.shipment.trackingNumber}  ${event.status ?? ""}  ${event.description}${event.location ? ` — ${event.location}` : ""}`),
  ];
  process.stdout.write(process.stdout.isTTY ? `\x1b[2J\x1b[H${lines.join("\n")}\n` : `${lines.join("\n")}\n\n`);
}
const display = setInterval(() => void render().catch(() => {}), 2_000);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(display);
  clearInterval(newOrders);
  trackingMore.stopAutoProgress();
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((child) => new Promise((done) => (child.exitCode !== null ? done(null) : child.once("exit", done)))));
  await db.close();
  await shopify.close();
  await trackingMore.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
if (process.env.DEMO_DURATION_MS) setTimeout(() => void stop(), Number(process.env.DEMO_DURATION_MS));
