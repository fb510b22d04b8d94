import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { ensureShop } from "~/services/shops.server";
import { appProxyUrl, tamperedUrl } from "../support/app-proxy";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot, upsNumber } from "../support/factories";
import { startWebServer, type RunningWeb } from "../support/processes";
import { createTestServices } from "../support/services";

/**
 * The app proxy on two built production web processes sharing one database, as a deployment
 * with several instances runs: the per-client budget is one budget whichever process answers,
 * and the real Remix server keeps each answer's content type (JSON, Liquid) and refuses
 * unsigned requests.
 */

const SHOP = "proxy-processes.myshopify.com";
const EMAIL = "kay@example.com";

let database: TestDatabase;
let services: ServiceContext;
let webA: RunningWeb;
let webB: RunningWeb;

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db);
  await ensureShop(services, SHOP);
  await ingestFulfillment(
    services,
    SHOP,
    fulfillmentSnapshot({ shopifyOrderId: "9001", orderName: "#2001", numbers: [upsNumber(31)], customer: { email: EMAIL, phone: null, firstName: "Kay", shopifyCustomerId: "9101", locale: "en" } }),
  );
  const env = {
    DATABASE_URL: database.url,
    STOREFRONT_LOOKUP_WINDOW_SECONDS: String(1_000_000_000),
    STOREFRONT_LOOKUPS_PER_CLIENT: "6",
    STOREFRONT_FAILED_LOOKUP_COST: "3",
  };
  [webA, webB] = await Promise.all([startWebServer(env), startWebServer(env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([webA?.stop(), webB?.stop()]);
  await database?.dispose();
});

function lookup(web: RunningWeb, params: Record<string, string>, client: string) {
  return fetch(appProxyUrl(web.url, "/proxy/api/track", { shop: SHOP, params }), { headers: { "X-Forwarded-For": client } });
}

describe(`app proxy across two web processes on ${testDialect()}`, () => {
  it("shares one client's budget between the processes", async () => {
    const client = "192.0.2.50";
    const miss = { order: "2001", email: "guess@example.com" };
    expect((await lookup(webA, miss, client)).status).toBe(404);
    expect((await lookup(webB, miss, client)).status).toBe(404);
    const refused = await lookup(webA, { order: "2001", email: EMAIL }, client);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await lookup(webB, { order: "2001", email: EMAIL }, client)).status).toBe(429);
    // Another client is untouched, on either process.
    expect((await lookup(webB, { order: "2001", email: EMAIL }, "192.0.2.51")).status).toBe(200);
  });

  it("serves JSON as application/json and the page as Liquid through the real server", async () => {
    const json = await lookup(webA, { number: upsNumber(31) }, "192.0.2.60");
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await json.json()) as { shipments: { trackingNumber: string }[] }).shipments.map((s) => s.trackingNumber)).toEqual([upsNumber(31)]);

    const page = await fetch(appProxyUrl(webB.url, "/proxy", { shop: SHOP, params: { order: "#2001", email: EMAIL } }), { headers: { "X-Forwarded-For": "192.0.2.61" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("application/liquid");
    expect(await page.text()).toContain(upsNumber(31));

    // Shopify's Liquid processing adds a trailing slash to the page's form action: /apps/track/ → /proxy/.
    const slashed = await fetch(appProxyUrl(webB.url, "/proxy/", { shop: SHOP, params: { number: upsNumber(31) } }), { headers: { "X-Forwarded-For": "192.0.2.62" } });
    expect(slashed.status).toBe(200);
    expect(await slashed.text()).toContain(upsNumber(31));

    const ping = await fetch(appProxyUrl(webA.url, "/proxy/ping", { shop: SHOP }));
    expect(await ping.json()).toEqual({ ok: true });
  });

  it("refuses unsigned and stale requests on the real server", async () => {
    const signed = appProxyUrl(webA.url, "/proxy/api/track", { shop: SHOP, params: { number: upsNumber(31) } });
    expect((await fetch(tamperedUrl(signed, "signature", null))).status).toBe(400);
    expect((await fetch(appProxyUrl(webA.url, "/proxy/api/track", { shop: SHOP, params: { number: upsNumber(31) }, timestamp: Math.floor(Date.now() / 1000) - 120 }))).status).toBe(400);
    expect((await fetch(tamperedUrl(appProxyUrl(webA.url, "/proxy/ping", { shop: SHOP }), "signature", "f".repeat(64)))).status).toBe(400);
  });
});
