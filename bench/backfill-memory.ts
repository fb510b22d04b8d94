import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "~/db/database.server";
import { ensureShop } from "~/services/shops.server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { upsNumber } from "../simulators/lib/tracking-numbers";
import { storeOfflineSession } from "../test/support/services";
import { BENCH_ENCRYPTION_KEY, benchServiceContext, freshSqliteDatabase, report, ROOT } from "./support";

/**
 * Backfill of 100,000 orders from the Shopify simulator's bulk JSONL, by the command a merchant's
 * operator runs (`npm run backfill`, scripts/backfill.ts: the same job step a worker runs), timed,
 * with the peak resident memory of that process compared with backfilling 10,000 orders. The
 * backfill streams the file and commits in fixed-size transactions, so the peak must not grow with
 * the shop: the target is a ratio of at most 1.2.
 */

const SECRET = "bench-backfill-secret";
const LARGE = Number(process.env.BENCH_BACKFILL_ORDERS ?? 100_000);
const SMALL = LARGE / 10;
const DAY_MS = 86_400_000;
const SAMPLE_EVERY_MS = 50;

interface BackfillMeasurement {
  seconds: number;
  peakRssBytes: number;
  summary: string;
}

/** VmHWM: the kernel's record of the process's peak resident set, so sampling cannot miss the peak between samples. */
function peakRssOf(pid: number, field = "VmHWM"): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function backfill(shopify: ShopifySimulator, orders: number): Promise<BackfillMeasurement> {
  const databaseUrl = await freshSqliteDatabase(`backfill-${orders}`);
  const db = await openDatabase(databaseUrl);
  const domain = `bench-backfill-${orders}.myshopify.com`;
  const accessToken = `shpat_bench_backfill_${orders}`;
  try {
    shopify.addShop({ domain, accessToken });
    const now = Date.now();
    shopify.addOrders(domain, orders, (i) => ({
      createdAt: new Date(now - (1 + (i % 28)) * DAY_MS),
      lineItems: [{ title: "Wool socks", quantity: 2 }],
      fulfillments: [{ trackingCompany: "UPS", trackingNumbers: [upsNumber(1_000_000 + i)] }],
    }));
    await storeOfflineSession(db, domain, accessToken);
    await ensureShop(benchServiceContext(db, {}), domain);
  } finally {
    await db.close();
  }

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "https://tracklight.bench",
    SHOPIFY_ADMIN_API_ORIGIN: shopify.url,
    ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
    // For looking into memory, e.g. --max-old-space-size=128 tells retained memory from garbage V8 has not yet collected.
    ...(process.env.BENCH_BACKFILL_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_BACKFILL_NODE_OPTIONS } : {}),
  };
  const startedAt = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/backfill.ts"), domain, "--days", "30"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (process.env.BENCH_DEBUG) process.stderr.write(`[backfill ${((performance.now() - startedAt) / 1000).toFixed(1)} s, peak ${(peakRssBytes / 1024 / 1024).toFixed(0)} MB, now ${((peakRssOf(child.pid!, "VmRSS") ?? 0) / 1024 / 1024).toFixed(0)} MB] ${chunk.toString()}`);
  });
  let peakRssBytes = 0;
  const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, peakRssOf(child.pid!) ?? 0)), SAMPLE_EVERY_MS);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
  clearInterval(sampler);
  // 100,000 orders make a database of several hundred megabytes: nothing reads it afterwards.
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${databaseUrl.slice("file:".length)}${suffix}`, { force: true });
  const seconds = (performance.now() - startedAt) / 1000;
  const summary = stderr.trimEnd().split("\n").at(-1) ?? "";
  if (code !== 0 || !summary.includes(`completed: ${orders.toLocaleString("en-US")} orders`)) {
    throw new Error(`backfill of ${orders} orders ended with ${code}: ${stderr.slice(-2_000)}`);
  }
  return { seconds, peakRssBytes, summary };
}

export async function backfillMemory(): Promise<void> {
  // Shopify prepares the export in the background; the simulator's minimum keeps the wait short.
  const shopify = await startShopifySimulator({ apiSecretKey: SECRET, bulkOperationDurationMs: 100 });
  try {
    const small = await backfill(shopify, SMALL);
    const large = await backfill(shopify, LARGE);
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    report("backfill_100k_seconds", `${large.seconds.toFixed(1)} for ${LARGE} orders (${SMALL}: ${small.seconds.toFixed(1)}), SQLite, npm run backfill`, "reported");
    report(
      "backfill_peak_rss_ratio_100k_vs_10k",
      `${(large.peakRssBytes / small.peakRssBytes).toFixed(2)} (${mb(large.peakRssBytes)} MB vs ${mb(small.peakRssBytes)} MB peak RSS of the backfilling process)`,
      "<= 1.2",
    );
  } finally {
    await shopify.close();
  }
}

if (process.argv[1] === import.meta.filename) await backfillMemory();
