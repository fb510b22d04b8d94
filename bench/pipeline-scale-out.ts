import { spawn } from "node:child_process";
import pg from "pg";
import { parseTrackingMoreWebhookBody } from "~/adapters/trackingmore/webhook.server";
import { trackingEventIdentity } from "~/domain/status-transition";
import { openDatabase } from "~/db/database.server";
import { applyMigrations } from "~/db/migrations.server";
import { closeJobQueue, jobQueueFor } from "~/jobs/queue.server";
import { connectProvider } from "~/services/provider-accounts.server";
import { saveNotificationSettings } from "~/services/notification-settings.server";
import { ensureShop } from "~/services/shops.server";
import { ensurePostgres } from "../scripts/postgres.mjs";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { upsNumber } from "../simulators/lib/tracking-numbers";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../simulators/trackingmore";
import { eventually, startWebServer, startWorker, type RunningWeb, type RunningWorker } from "../test/support/processes";
import { storeOfflineSession } from "../test/support/services";
import { BENCH_ENCRYPTION_KEY, benchServiceContext, report } from "./support";

/**
 * The whole pipeline on PostgreSQL, every hop over loopback HTTP between the real processes:
 * Shopify (simulator) sends a signed fulfillments/create webhook per order to the built web
 * server; a worker ingests it and registers the number with TrackingMore (simulator); the
 * simulator pushes each step of the parcel's journey back to the web server; a worker applies it.
 * Drained means every checkpoint the simulator pushed is stored. Timed with 1 worker process and
 * with 2 (same WORKER_CONCURRENCY, one web process, a fresh database each run).
 *
 * Why the ratio means something on a shared two-core machine: in production a worker spends most
 * of a job waiting, on the provider's API (hundreds of milliseconds) and on PostgreSQL on another
 * machine (every statement of a job's transaction is a network round trip), so a second worker
 * process adds job slots rather than CPU demand. The bench reproduces both waits: TrackingMore
 * (simulator) answers after PROVIDER_LATENCY_MS, and the app's processes reach PostgreSQL through
 * a forwarding hop that adds DATABASE_ONE_WAY_MS each way (the bench's own checks go direct).
 * The simulated accounts' rate limits are lifted so no account limit caps either run, and
 * WORKER_CONCURRENCY is production's default. A job then waits far longer than it computes, so one
 * worker's slots are the bottleneck and a second worker doubles the work in flight. Where the CPU
 * is the limit instead (a machine busy with other work), the ratio falls toward 1, and the figure
 * says so.
 */

const SECRET = "bench-pipeline-secret";
const SHOPS = Number(process.env.BENCH_PIPELINE_SHOPS ?? 20);
const SHIPMENTS = Number(process.env.BENCH_PIPELINE_SHIPMENTS ?? 500);
/** TrackingMore's API answers in a few hundred milliseconds from a typical host. */
const PROVIDER_LATENCY_MS = Number(process.env.BENCH_PIPELINE_PROVIDER_LATENCY_MS ?? 300);
/** App process → PostgreSQL, each way: a database on another machine in the same region, 2 ms per round trip. */
const DATABASE_ONE_WAY_MS = Number(process.env.BENCH_PIPELINE_DB_ONE_WAY_MS ?? 1);
const WORKER_CONCURRENCY = String(process.env.BENCH_PIPELINE_WORKER_CONCURRENCY ?? 4);
/** Shopify and TrackingMore deliver webhooks from many machines at once; this many in flight. */
const WEBHOOKS_IN_FLIGHT = 16;
const DRAIN_TIMEOUT_MS = 600_000;
const debug = (message: string) => {
  if (process.env.BENCH_DEBUG) process.stderr.write(`[pipeline] ${message}\n`);
};

interface BenchShop {
  id: string;
  domain: string;
  apiKey: string;
  webhookToken: string;
  orderIds: number[];
}

/** Runs `task` over `items` with at most `limit` at once. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * A network hop between the app's processes and PostgreSQL: every chunk is forwarded, in order,
 * `oneWayMs` later in each direction, so each query round trip costs what it costs across a network.
 * It runs in a process of its own, so that relaying does not compete with the simulators for one
 * event loop. Started as `node -e`, it prints the port it listens on.
 */
const RELAY_SOURCE = `
const net = require("node:net");
const [host, port, oneWayMs] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const forward = (from, to) => {
  from.on("data", (chunk) => void setTimeout(() => to.destroyed || to.write(chunk), oneWayMs));
  from.on("end", () => void setTimeout(() => to.end(), oneWayMs));
  from.on("error", () => to.destroy());
};
const server = net.createServer((client) => {
  const upstream = net.createConnection({ host, port });
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  forward(client, upstream);
  forward(upstream, client);
});
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));
`;

async function startNetworkDelay(target: { host: string; port: number }, oneWayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const relay = spawn(process.execPath, ["-e", RELAY_SOURCE, target.host, String(target.port), String(oneWayMs)], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    relay.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    relay.once("exit", (code) => reject(new Error(`the database relay exited (${code})`)));
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => (relay.exitCode !== null ? resolve() : (relay.once("exit", () => resolve()), relay.kill()))),
  };
}

/**
 * The checkpoints a drained app has stored: each parcel's last push carries its whole journey, read
 * with the app's own parser and told apart by the app's own identity (a checkpoint repeated within a
 * minute at the same place is one event).
 */
function distinctCheckpoints(trackingMore: TrackingMoreSimulator): number {
  const lastPush = new Map<string, string>();
  for (const delivery of trackingMore.webhookDeliveries) lastPush.set(delivery.trackingNumber, delivery.body);
  let events = 0;
  for (const body of lastPush.values()) {
    const parsed = parseTrackingMoreWebhookBody(body, "v4");
    if (!parsed.ok) throw new Error(`the simulator pushed a body the app cannot read: ${parsed.reason}`);
    events += new Set(parsed.observation.events.map(trackingEventIdentity)).size;
  }
  return events;
}

async function freshPostgresDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl.replace(/\/[^/]*$/, "/postgres") });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = serverUrl.replace(/\/[^/]*$/, `/${name}`);
  await applyMigrations(url);
  return url;
}

async function dropPostgresDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl.replace(/\/[^/]*$/, "/postgres") });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => admin.end());
}

/** Seconds from the first fulfillment webhook until every pushed checkpoint is stored. */
async function drainSeconds(serverUrl: string, workers: number): Promise<number> {
  const databaseName = `tracklight_bench_pipeline_${workers}w`;
  const databaseUrl = await freshPostgresDatabase(serverUrl, databaseName);
  const db = await openDatabase(databaseUrl);
  // Jobs the bench's own calls enqueue (connecting a provider) go to the app's engine, as the app's do.
  jobQueueFor(db);
  const services = benchServiceContext(db, {});
  const trackingMore: TrackingMoreSimulator = await startTrackingMoreSimulator({
    latencyMs: PROVIDER_LATENCY_MS,
    rateLimits: { v4Create: Infinity, v4Other: Infinity, v2: Infinity, v2Realtime: Infinity },
    webhookRetryBaseMs: 250,
  });
  const shopify: ShopifySimulator = await startShopifySimulator({ apiSecretKey: SECRET, webhookRetryBaseMs: 250 });
  const databaseAddress = new URL(databaseUrl);
  const network = await startNetworkDelay({ host: databaseAddress.hostname, port: Number(databaseAddress.port) }, DATABASE_ONE_WAY_MS);
  const appDatabaseUrl = Object.assign(new URL(databaseUrl), { port: String(network.port) }).toString();
  let web: RunningWeb | undefined;
  const running: RunningWorker[] = [];
  try {
    const shops: BenchShop[] = [];
    for (let s = 0; s < SHOPS; s++) {
      const domain = `bench-pipeline-${s}.myshopify.com`;
      const apiKey = `tm-bench-pipeline-${s}`;
      const webhookSecret = `whsec-bench-pipeline-${s}`;
      shopify.addShop({ domain, accessToken: `shpat_bench_${s}` });
      trackingMore.addAccount({ apiKey, email: `ops-${s}@bench.example`, webhookSecret });
      await storeOfflineSession(db, domain, `shpat_bench_${s}`);
      const shop = await ensureShop(services, domain);
      await connectProvider(services, shop.id, { provider: "trackingmore", apiVersion: "v4", credentials: { apiKey, webhookSecret, accountEmail: `ops-${s}@bench.example` } });
      // The pipeline under test ends at the stored status; e-mails and Shopify write-back have benches of their own.
      await saveNotificationSettings(services, shop.id, { shopifyWriteBack: false });
      const perShop = Math.floor(SHIPMENTS / SHOPS) + (s < SHIPMENTS % SHOPS ? 1 : 0);
      const orderIds = shopify.addOrders(domain, perShop).map((order) => Number(order.id));
      shops.push({ id: shop.id, domain, apiKey, webhookToken: shop.webhookToken, orderIds });
    }

    const env = {
      DATABASE_URL: appDatabaseUrl,
      SHOPIFY_API_KEY: "bench-api-key",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "https://tracklight.bench",
      ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
      TRACKINGMORE_API_BASE_URL: trackingMore.url,
      SHOPIFY_ADMIN_API_ORIGIN: shopify.url,
      WORKER_CONCURRENCY,
      WORKER_POLL_INTERVAL_MS: "100",
    };
    web = await startWebServer(env);
    for (let w = 0; w < workers; w++) running.push(startWorker({ ...env, LOG_LEVEL: "info" }));
    // The clock starts when every worker is up (loading the app takes seconds, and is not throughput).
    await eventually(async () => running.every((worker) => worker.output().includes("worker started")), { timeoutMs: 120_000, describe: () => running.map((worker) => worker.output()).join("\n---\n") });
    shopify.setAppUrl(web.url);
    for (const shop of shops) trackingMore.setWebhookUrls(shop.apiKey, [{ url: `${web.url}/webhooks/trackingmore/${shop.webhookToken}`, version: "v4" }]);
    const workerOutput = () => running.map((worker) => worker.output().slice(-1_000)).join("\n---\n");

    const startedAt = performance.now();
    // Orders are shipped round-robin over the shops, as a mixed merchant base does.
    const fulfillments = Array.from({ length: SHIPMENTS }, (_, i) => ({ shop: shops[i % SHOPS]!, orderId: shops[i % SHOPS]!.orderIds[Math.floor(i / SHOPS)]!, number: upsNumber(700_000 + i) }));
    const shipping = inPool(fulfillments, WEBHOOKS_IN_FLIGHT, async ({ shop, orderId, number }) => {
      const { delivery } = await shopify.createFulfillment(shop.domain, orderId, { trackingCompany: "UPS", trackingNumbers: [number] });
      if (delivery?.httpStatus !== 200) throw new Error(`fulfillments/create answered ${delivery?.httpStatus}`);
    }).then(() => debug(`${((performance.now() - startedAt) / 1000).toFixed(1)} s: every fulfillment webhook acknowledged`));

    // The carrier scans each registered parcel, step by step, until its journey ends; every step is a push.
    const finalStatuses = new Set(["delivered", "exception", "expired"]);
    let journeysEnded = 0;
    const inFlight = new Set<string>();
    while (journeysEnded < SHIPMENTS) {
      if (performance.now() - startedAt > DRAIN_TIMEOUT_MS) throw new Error(`journeys did not end (${journeysEnded} of ${SHIPMENTS}):\n${workerOutput()}`);
      const due: Array<{ apiKey: string; trackingNumber: string }> = [];
      journeysEnded = 0;
      for (const shop of shops) {
        for (const tracking of trackingMore.trackings(shop.apiKey)) {
          if (finalStatuses.has(tracking.status)) journeysEnded++;
          else if (!inFlight.has(tracking.trackingNumber)) due.push({ apiKey: shop.apiKey, trackingNumber: tracking.trackingNumber });
        }
      }
      debug(`${((performance.now() - startedAt) / 1000).toFixed(1)} s: journeys ended ${journeysEnded}, due ${due.length}, in flight ${inFlight.size}, registered ${shops.reduce((n, shop) => n + trackingMore.trackings(shop.apiKey).length, 0)}`);
      if (due.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      for (const { trackingNumber } of due) inFlight.add(trackingNumber);
      await inPool(due, WEBHOOKS_IN_FLIGHT, async ({ apiKey, trackingNumber }) => {
        await trackingMore.advance(apiKey, trackingNumber, "next");
        inFlight.delete(trackingNumber);
      });
    }
    await shipping;

    const expectedEvents = distinctCheckpoints(trackingMore);
    debug(`journeys done at ${((performance.now() - startedAt) / 1000).toFixed(1)} s; ${expectedEvents} distinct checkpoints pushed`);
    await eventually(async () => (await db.prisma.trackingEvent.count()) === expectedEvents, {
      timeoutMs: DRAIN_TIMEOUT_MS,
      describe: async () => `${await db.prisma.trackingEvent.count()} of ${expectedEvents} checkpoints stored\n${workerOutput()}`,
    });
    const seconds = (performance.now() - startedAt) / 1000;

    const registered = await db.prisma.shipment.count({ where: { registrationState: "registered" } });
    if (registered !== SHIPMENTS) throw new Error(`${registered} of ${SHIPMENTS} shipments registered`);
    return seconds;
  } finally {
    for (const worker of running) await worker.stop();
    await web?.stop();
    await shopify.close();
    await trackingMore.close();
    await network.close();
    await closeJobQueue(db);
    await db.close();
    await dropPostgresDatabase(serverUrl, databaseName);
  }
}

export async function pipelineScaleOut(): Promise<void> {
  const postgres = await ensurePostgres();
  try {
    const oneWorker = await drainSeconds(postgres.url, 1);
    const twoWorkers = await drainSeconds(postgres.url, 2);
    const throughput = (seconds: number) => SHIPMENTS / seconds;
    const shape = `${SHIPMENTS} shipments over ${SHOPS} shops, webhook → registered → pushed → stored, TrackingMore at ${PROVIDER_LATENCY_MS} ms, WORKER_CONCURRENCY ${WORKER_CONCURRENCY}`;
    report(
      "pipeline_pg_throughput",
      `1 worker ${throughput(oneWorker).toFixed(1)}/s (${oneWorker.toFixed(1)} s), 2 workers ${throughput(twoWorkers).toFixed(1)}/s (${twoWorkers.toFixed(1)} s); ${shape}`,
      "reported",
    );
    report("pipeline_pg_throughput_ratio_2v1", (oneWorker / twoWorkers).toFixed(2), ">= 1.7");
  } finally {
    await postgres.stopIfStarted();
  }
}

if (process.argv[1] === import.meta.filename) await pipelineScaleOut();
