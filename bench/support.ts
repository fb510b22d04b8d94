import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "~/config.server";
import { upsNumber } from "../simulators/lib/tracking-numbers";
import type { Database } from "~/db/database.server";
import type { FulfillmentSnapshot } from "~/domain/fulfillment";
import { applyMigrations } from "~/db/migrations.server";
import { systemClock } from "~/lib/clock";
import { SecretBox } from "~/lib/crypto.server";
import { createLogger } from "~/lib/logger.server";
import { createServiceContext, settingsFromConfig, type ServiceContext, type ServiceSettings } from "~/services/context.server";
import { ingestInTransaction } from "~/services/ingest-fulfillment.server";

export const ROOT = resolve(import.meta.dirname, "..");

/** One printed figure: `bench <name>: <value> (target <target>)`. */
export function report(name: string, value: string, target: string): void {
  console.log(`bench ${name}: ${value} (target ${target})`);
}

/** A fresh, migrated SQLite database for one benchmark. */
export async function freshSqliteDatabase(name: string): Promise<string> {
  const dir = join(ROOT, ".tmp", "bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.db`);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  const url = `file:${file}`;
  await applyMigrations(url);
  return url;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Run a script with the project's Node and the tsx loader; resolves with its stdout. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolveOutput, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, script), ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => (code === 0 ? resolveOutput(output) : reject(new Error(`${script} exited with ${code}`))));
  });
}

export const BENCH_ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");

/** The real service context over a bench database, with the providers' base URLs pointed at simulators. */
export function benchServiceContext(db: Database, settings: Partial<ServiceSettings>): ServiceContext {
  const config = loadConfig({ SHOPIFY_API_KEY: "bench", SHOPIFY_API_SECRET: "bench", SHOPIFY_APP_URL: "https://tracklight.bench", ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY });
  return createServiceContext({
    db,
    clock: systemClock,
    log: createLogger("silent"),
    secrets: new SecretBox(BENCH_ENCRYPTION_KEY),
    settings: { ...settingsFromConfig(config), ...settings },
    shopifyAdmin: async () => {
      throw new Error("not used by the benchmarks");
    },
  });
}

const NUMBERS_PER_FULFILLMENT = 4;

/** `count` new UPS tracking numbers (check digits valid), four per fulfillment, ingested as Shopify would send them. */
export async function ingestBenchFulfillments(services: ServiceContext, shop: { id: string }, count: number, company: string): Promise<void> {
  const fulfillments = Math.ceil(count / NUMBERS_PER_FULFILLMENT);
  for (let start = 0; start < fulfillments; start += 250) {
    await services.db.prisma.$transaction(async (tx) => {
      for (let f = start; f < Math.min(fulfillments, start + 250); f++) {
        const numbers = Array.from({ length: NUMBERS_PER_FULFILLMENT }, (_, i) => f * NUMBERS_PER_FULFILLMENT + i).filter((i) => i < count);
        const snapshot: FulfillmentSnapshot = {
          shopifyFulfillmentId: String(1_000_000 + f),
          shopifyOrderId: String(2_000_000 + f),
          orderName: `#${10_000 + f}`,
          fulfillmentName: `#${10_000 + f}.1`,
          status: "success",
          updatedAt: new Date(),
          tracking: numbers.map((i) => ({ number: upsNumber(i), company, url: null })),
          lineItems: null,
          customer: null,
          destinationCountry: "US",
        };
        await ingestInTransaction(services, tx, shop, snapshot);
      }
    });
  }
}
