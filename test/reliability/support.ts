import type { FulfillmentSnapshot } from "~/domain/fulfillment";
import type { ServiceContext } from "~/services/context.server";
import { ingestInTransaction } from "~/services/ingest-fulfillment.server";

/**
 * What the reliability tests share: a seeded random source (printed, so a failing run can be
 * replayed with RELIABILITY_SEED=<seed>), bounded parallelism and shipments seeded in bulk.
 */

export interface SeededRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  between(min: number, max: number): number;
  /** A shuffled copy (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[];
}

/** mulberry32: tiny, fast and good enough to schedule kills and shuffle work reproducibly. */
export function seededRandom(label: string): SeededRandom {
  const fromEnv = process.env.RELIABILITY_SEED;
  const seed = fromEnv !== undefined && fromEnv !== "" ? Number(fromEnv) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  // Printed on purpose: the seed is what makes a failure replayable.
  process.stdout.write(`[reliability] ${label}: RELIABILITY_SEED=${seed}\n`);
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const between = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const shuffled = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = between(0, i);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };
  return { seed, next, between, shuffled };
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let nextIndex = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (nextIndex < items.length) {
        const index = nextIndex++;
        await work(items[index]!, index);
      }
    }),
  );
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Tracking numbers as Shopify fulfillments (a few per fulfillment, each with a customer e-mail),
 * ingested in large transactions: the shipments wait for registration as after real webhooks.
 * `key` keeps the Shopify ids of several calls apart.
 */
export async function ingestParcels(services: ServiceContext, shop: { id: string; domain: string }, numbers: readonly string[], key: string, perFulfillment = 4): Promise<void> {
  const snapshotOf = (fulfillment: number): FulfillmentSnapshot => ({
    shopifyFulfillmentId: `${key}-f${fulfillment}`,
    shopifyOrderId: `${key}-o${fulfillment}`,
    orderName: `#${key}-${fulfillment}`,
    fulfillmentName: `#${key}-${fulfillment}.1`,
    status: "success",
    updatedAt: new Date(),
    tracking: numbers.slice(fulfillment * perFulfillment, (fulfillment + 1) * perFulfillment).map((number) => ({ number, company: "UPS", url: null })),
    // imageUrl given: no Shopify to ask for product images.
    lineItems: [{ id: `${key}-li${fulfillment}`, title: "Wool socks", quantity: 2, variantTitle: null, sku: null, imageUrl: null }],
    customer: { email: `buyer-${key}-${fulfillment}@reliability.example`, phone: null, firstName: "Ada", shopifyCustomerId: `${key}-c${fulfillment}`, locale: "en" },
    destinationCountry: "GB",
  });
  const fulfillments = Math.ceil(numbers.length / perFulfillment);
  for (let start = 0; start < fulfillments; start += 250) {
    await services.db.prisma.$transaction(async (tx) => {
      for (let f = start; f < Math.min(fulfillments, start + 250); f++) await ingestInTransaction(services, tx, shop, snapshotOf(f));
    });
  }
}
