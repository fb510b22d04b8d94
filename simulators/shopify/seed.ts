import { readFile } from "node:fs/promises";
import type { ShopifySimulator } from "./index";
import type { SimOrderInput, SimShopInput } from "./model";

/**
 * Seed file for the CLI and the demo:
 *
 * {
 *   "appUrl": "http://127.0.0.1:3000",            // optional
 *   "shops": [{
 *     "domain": "demo-shop.myshopify.com", "accessToken": "shpat_demo", "name": "Demo Shop",
 *     "orders": [ { "email": "a@example.com", "lineItems": [{ "title": "Mug", "quantity": 2 }],
 *                   "fulfillments": [{ "trackingCompany": "UPS", "trackingNumbers": ["1Z999AA10123456784"] }] } ],
 *     "generateOrders": { "count": 500, "template": { … SimOrderInput … } }   // optional
 *   }]
 * }
 *
 * Seeded fulfillments are created silently: seeding describes a store's past, not new events.
 */

export interface SeedFile {
  appUrl?: string;
  shops: Array<SimShopInput & { orders?: SimOrderInput[]; generateOrders?: { count: number; template?: SimOrderInput } }>;
}

export function applySeed(sim: ShopifySimulator, seed: SeedFile): { shops: number; orders: number } {
  if (!seed || !Array.isArray(seed.shops)) throw new Error("seed must be an object with a shops array");
  if (seed.appUrl) sim.setAppUrl(seed.appUrl);
  let orders = 0;
  for (const { orders: list, generateOrders, ...shop } of seed.shops) {
    sim.addShop(shop);
    for (const o of list ?? []) {
      sim.addOrder(shop.domain, o);
      orders++;
    }
    if (generateOrders && generateOrders.count > 0) {
      const template = generateOrders.template ?? {};
      sim.addOrders(shop.domain, generateOrders.count, () => template);
      orders += generateOrders.count;
    }
  }
  return { shops: seed.shops.length, orders };
}

export async function loadSeedFile(path: string): Promise<SeedFile> {
  return JSON.parse(await readFile(path, "utf8")) as SeedFile;
}
