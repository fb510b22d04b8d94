import { decode } from "turbo-stream";
import { openDatabase } from "~/db/database.server";
import { storeOfflineSession } from "../test/support/services";
import { mintSessionToken } from "../test/support/session-token";
import { benchServerEnvironment } from "./ack-latency";
import { seedBigShop, startBenchWebServer, stopBenchWebServer } from "./seed-big-shop";
import { freshSqliteDatabase, percentile, report } from "./support";

/**
 * The shipments index at 1,000,000 shipments of one shop (SQLite), through the built production
 * server over HTTP, authenticated as Shopify admin does (a session token signed with the app
 * secret and the shop's stored offline session). Each case's p95 is compared with the same
 * route, same authentication, for a shop with no shipments: what the page costs without the
 * data, measured in the same run, in interleaved rounds.
 */

const SECRET = "bench-api-secret";
const API_KEY = "bench-api-key";
const BIG_SHOP = "bench-index.myshopify.com";
const EMPTY_SHOP = "bench-index-empty.myshopify.com";
const SHIPMENTS = Number(process.env.BENCH_INDEX_SHIPMENTS ?? 1_000_000);
const SHIPMENTS_PER_ORDER = 4;
const ROUNDS = 10;
const REQUESTS_PER_ROUND = 20;
const DEEP_PAGES = 2_000;
const ROUTE_ID = "routes/app.shipments._index";
/** The library answers bots (Node's default user agent included) 410; App Bridge's requests come from the merchant's browser. */
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

interface IndexPage {
  rows: { id: string; trackingNumber: string }[];
  nextCursor: string | null;
}

export async function shipmentsIndexLatency(): Promise<void> {
  const seedStarted = Date.now();
  const databaseUrl = await freshSqliteDatabase("shipments-index");
  const db = await openDatabase(databaseUrl);
  const big = await db.prisma.shop.create({ data: { domain: BIG_SHOP, webhookToken: "bench-index-token" } });
  await db.prisma.shop.create({ data: { domain: EMPTY_SHOP, webhookToken: "bench-index-empty-token" } });
  await storeOfflineSession(db, BIG_SHOP, "shpat_bench_index");
  await storeOfflineSession(db, EMPTY_SHOP, "shpat_bench_index_empty");
  await db.close();
  seedBigShop(databaseUrl.slice("file:".length), big.id, SHIPMENTS, SHIPMENTS_PER_ORDER);
  const seedSeconds = (Date.now() - seedStarted) / 1000;

  const app = await startBenchWebServer(benchServerEnvironment(databaseUrl, SECRET));
  try {
    const get = async (shop: string, params: Record<string, string>): Promise<{ ms: number; page: IndexPage }> => {
      const token = mintSessionToken({ shop, apiKey: API_KEY, apiSecret: SECRET });
      // The app uses Remix single fetch: the browser asks for `<path>.data?_routes=<route id>`, answered as a turbo stream.
      const query = new URLSearchParams({ ...params, _routes: ROUTE_ID });
      const started = performance.now();
      const response = await fetch(`${app.url}/app/shipments.data?${query}`, { headers: { Authorization: `Bearer ${token}`, "User-Agent": BROWSER } });
      const body = await response.arrayBuffer();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`GET /app/shipments.data?${query} answered ${response.status}: ${Buffer.from(body).toString().slice(0, 300)}`);
      const decoded = await decode(new Blob([body]).stream());
      await decoded.done;
      const route = (decoded.value as Record<string, { data?: IndexPage; error?: unknown }>)[ROUTE_ID];
      if (!route?.data) throw new Error(`no data for ${ROUTE_ID}: ${JSON.stringify(decoded.value).slice(0, 300)}`);
      return { ms, page: route.data };
    };

    // The deep page: follow the cursors from the first page, as a merchant paging on would.
    let cursor = "";
    for (let page = 0; page < DEEP_PAGES; page++) {
      const { page: result } = await get(BIG_SHOP, cursor ? { cursor } : {});
      if (!result.nextCursor) throw new Error(`ran out of pages at ${page}`);
      cursor = result.nextCursor;
    }
    const searchOrder = `#${100_000 + Math.floor(SHIPMENTS / SHIPMENTS_PER_ORDER / 3)}`;
    const cases: { name: string; params: Record<string, string>; expectRows: (page: IndexPage) => boolean }[] = [
      { name: "first_page", params: {}, expectRows: (page) => page.rows.length === 50 },
      { name: "filtered", params: { status: "exception" }, expectRows: (page) => page.rows.length === 50 },
      { name: "attention", params: { attention: "1" }, expectRows: (page) => page.rows.length === 50 },
      { name: "search", params: { q: searchOrder }, expectRows: (page) => page.rows.length === SHIPMENTS_PER_ORDER },
      { name: "deep_page", params: { cursor }, expectRows: (page) => page.rows.length === 50 },
    ];
    for (const { name, params, expectRows } of cases) {
      const { page } = await get(BIG_SHOP, params);
      if (!expectRows(page)) throw new Error(`case ${name} returned ${page.rows.length} rows`);
    }

    const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    const baseline: number[] = [];
    // Warm-up, unmeasured.
    for (let i = 0; i < 20; i++) {
      await get(EMPTY_SHOP, {});
      for (const c of cases) await get(BIG_SHOP, c.params);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
        baseline.push((await get(EMPTY_SHOP, {})).ms);
        for (const c of cases) samples.get(c.name)!.push((await get(BIG_SHOP, c.params)).ms);
      }
    }
    const baselineP95 = percentile(baseline.sort((a, b) => a - b), 95);
    report("shipments_index_seed_seconds", `${seedSeconds.toFixed(1)} for ${SHIPMENTS} shipments`, "reported");
    for (const c of cases) {
      const p95 = percentile(samples.get(c.name)!.sort((a, b) => a - b), 95);
      report(`shipments_index_${c.name}_p95_ms`, `${p95.toFixed(2)} vs baseline ${baselineP95.toFixed(2)}`, "<= 100");
      report(`shipments_index_${c.name}_ratio`, (p95 / baselineP95).toFixed(2), "<= 5");
    }
  } finally {
    await stopBenchWebServer(app.child);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await shipmentsIndexLatency();
