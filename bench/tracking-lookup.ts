import { openDatabase } from "~/db/database.server";
import { trackingLinkToken } from "~/services/tracking-links.server";
import { upsNumber } from "../simulators/lib/tracking-numbers";
import { appProxyUrl } from "../test/support/app-proxy";
import { storeOfflineSession } from "../test/support/services";
import { benchServerEnvironment } from "./ack-latency";
import { seedBigShop, startBenchWebServer, stopBenchWebServer } from "./seed-big-shop";
import { freshSqliteDatabase, percentile, report } from "./support";

/**
 * The storefront's JSON lookup (`/proxy/api/track`, behind Shopify's app proxy signature) for a
 * shop with 1,000,000 shipments in SQLite, through the built production server: a mix of
 * order + e-mail, tracking-number and signed-link lookups of orders whose shipments carry 15
 * carrier events each. The baseline is `/proxy/ping` in the same run: the same server, the same
 * signature check and offline-session load, a constant answer. Rounds interleave the two.
 * The rate limits are raised for the run (STOREFRONT_LOOKUPS_PER_*): the limiter's write is
 * still measured, its refusals are not.
 */

const SECRET = "bench-api-secret";
const SHOP = "bench-lookup.myshopify.com";
const SHIPMENTS = Number(process.env.BENCH_LOOKUP_SHIPMENTS ?? 1_000_000);
const SHIPMENTS_PER_ORDER = 4;
const SAMPLED_ORDERS = 300;
const EVENTS_PER_SHIPMENT = 15;
const ROUNDS = 10;
const REQUESTS_PER_ROUND = 60;

type Lookup = Record<string, string>;

export async function trackingLookupLatency(): Promise<void> {
  const databaseUrl = await freshSqliteDatabase("tracking-lookup");
  const db = await openDatabase(databaseUrl);
  const shop = await db.prisma.shop.create({ data: { domain: SHOP, webhookToken: "bench-lookup-token", ianaTimezone: "Europe/Paris" } });
  await storeOfflineSession(db, SHOP, "shpat_bench_lookup");
  await db.close();
  seedBigShop(databaseUrl.slice("file:".length), shop.id, SHIPMENTS, SHIPMENTS_PER_ORDER);

  // Orders spread over the whole table; their shipments get a carrier history and a first scan.
  const orders = Array.from({ length: SAMPLED_ORDERS }, (_, k) => Math.floor(((k + 0.5) * SHIPMENTS) / SHIPMENTS_PER_ORDER / SAMPLED_ORDERS));
  const seeded = await openDatabase(databaseUrl);
  try {
    const shipmentIds = orders.flatMap((o) => Array.from({ length: SHIPMENTS_PER_ORDER }, (_, s) => `s${String(o * SHIPMENTS_PER_ORDER + s).padStart(8, "0")}`));
    const now = Date.now();
    await seeded.prisma.trackingEvent.createMany({
      data: shipmentIds.flatMap((shipmentId) =>
        Array.from({ length: EVENTS_PER_SHIPMENT }, (_, e) => ({
          shipmentId,
          identity: `bench-${e}`,
          occurredAt: new Date(now - (EVENTS_PER_SHIPMENT - e) * 3_600_000),
          status: "transit",
          description: "Departed from facility",
          location: "Louisville, KY, US",
          city: "Louisville",
          state: "KY",
          countryCode: "US",
          source: "bench",
        })),
      ),
    });
    await seeded.prisma.shipment.updateMany({ where: { id: { in: shipmentIds } }, data: { shippedAt: new Date(now - EVENTS_PER_SHIPMENT * 3_600_000), destinationCountry: "US" } });
    await seeded.prisma.transitStatistic.create({
      data: { shopId: shop.id, carrierCode: "ups", destinationCountry: "*", sampleSize: 5000, p10Days: 2, medianDays: 3.5, p90Days: 6, computedAt: new Date(now) },
    });
  } finally {
    await seeded.close();
  }

  const lookups = orders.map((o, k): Lookup => {
    const kind = k % 3;
    if (kind === 0) return { order: String(100_000 + o), email: `Customer${o}@example.com` };
    if (kind === 1) return { number: upsNumber(o * SHIPMENTS_PER_ORDER + 1) };
    return { token: trackingLinkToken(SECRET, SHOP, `o${o}`) };
  });

  const app = await startBenchWebServer({
    ...benchServerEnvironment(databaseUrl, SECRET),
    STOREFRONT_LOOKUPS_PER_CLIENT: "1000000000",
    STOREFRONT_LOOKUPS_PER_SHOP: "1000000000",
  });
  try {
    let client = 0;
    const get = async (path: string, params: Lookup): Promise<number> => {
      const url = appProxyUrl(app.url, path, { shop: SHOP, params, secret: SECRET });
      client += 1;
      const started = performance.now();
      const response = await fetch(url, { headers: { "X-Forwarded-For": `198.51.${(client >> 8) & 255}.${client & 255}`, "Accept-Language": "en-GB,en;q=0.8" } });
      const body = await response.text();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`GET ${path}?${new URLSearchParams(params)} answered ${response.status}: ${body.slice(0, 300)}`);
      if (path !== "/proxy/ping") {
        const shipments = (JSON.parse(body) as { shipments: { events: unknown[] }[] }).shipments;
        if (shipments.length === 0 || shipments[0]!.events.length !== EVENTS_PER_SHIPMENT) throw new Error(`unexpected lookup answer: ${body.slice(0, 300)}`);
      }
      return ms;
    };

    for (const lookup of lookups.slice(0, 30)) {
      await get("/proxy/ping", {});
      await get("/proxy/api/track", lookup);
    }
    const baseline: number[] = [];
    const samples: number[] = [];
    let next = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
        baseline.push(await get("/proxy/ping", {}));
        samples.push(await get("/proxy/api/track", lookups[next++ % lookups.length]!));
      }
    }
    const p95 = percentile(samples.sort((a, b) => a - b), 95);
    const baselineP95 = percentile(baseline.sort((a, b) => a - b), 95);
    report("tracking_lookup_p95_ms", `${p95.toFixed(2)} vs constant ${baselineP95.toFixed(2)}`, "<= 20");
    report("tracking_lookup_p95_ratio", (p95 / baselineP95).toFixed(2), "<= 3");
  } finally {
    await stopBenchWebServer(app.child);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await trackingLookupLatency();
