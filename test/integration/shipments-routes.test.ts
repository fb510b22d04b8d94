import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { ensureShop } from "~/services/shops.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot, upsNumber } from "../support/factories";
import { startWebServer, type RunningWeb } from "../support/processes";
import { createTestServices, storeOfflineSession } from "../support/services";
import { mintSessionToken } from "../support/session-token";

/**
 * The shipments pages over HTTP on the built production server, authenticated the way Shopify
 * admin does (a session token signed with the app secret, the shop's stored offline session):
 * each shop sees and changes only its own shipments, whatever id it sends.
 */

const INDEX_ROUTE = "routes/app.shipments._index";
const DETAIL_ROUTE = "routes/app.shipments.$id";
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SHOP_A = "routes-a.myshopify.com";
const SHOP_B = "routes-b.myshopify.com";

let database: TestDatabase;
let services: ServiceContext;
let web: RunningWeb;
let shipmentOfA: string;

function headers(shop: string): Record<string, string> {
  const token = mintSessionToken({ shop, apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET! });
  return { Authorization: `Bearer ${token}`, "User-Agent": BROWSER };
}

/** A Remix single-fetch request, decoded: what the page's loader or action answered. */
async function singleFetch(shop: string | null, path: string, route: string, init: { method?: string; body?: URLSearchParams; search?: string } = {}) {
  const query = new URLSearchParams(init.search ?? "");
  if (!init.method) query.set("_routes", route);
  const response = await fetch(`${web.url}${path}.data?${query}`, {
    method: init.method ?? "GET",
    headers: shop ? headers(shop) : { "User-Agent": BROWSER },
    body: init.body,
    redirect: "manual",
  });
  // Thrown responses (400, 404) come encoded with Remix's own types; their status is what matters here.
  if (response.status !== 200 || !response.headers.get("content-type")?.includes("text/x-script")) {
    await response.body?.cancel();
    return { status: response.status, data: undefined, error: undefined };
  }
  const decoded = await decode(response.body!);
  await decoded.done;
  const value = decoded.value as Record<string, { data?: unknown; error?: unknown }> & { data?: unknown; error?: unknown };
  const entry = init.method ? value : value[route];
  return { status: response.status, data: entry?.data as Record<string, unknown> | undefined, error: entry?.error };
}

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db);
  await ensureShop(services, SHOP_A);
  await ensureShop(services, SHOP_B);
  await storeOfflineSession(database.db, SHOP_A, "shpat_routes_a");
  await storeOfflineSession(database.db, SHOP_B, "shpat_routes_b");
  await ingestFulfillment(services, SHOP_A, fulfillmentSnapshot({ numbers: [upsNumber(11), upsNumber(12)] }));
  await ingestFulfillment(services, SHOP_B, fulfillmentSnapshot({ numbers: [upsNumber(21)] }));
  const shopA = await database.db.prisma.shop.findUniqueOrThrow({ where: { domain: SHOP_A } });
  shipmentOfA = (await database.db.prisma.shipment.findFirstOrThrow({ where: { shopId: shopA.id, trackingNumber: upsNumber(11) } })).id;
  web = await startWebServer({ DATABASE_URL: database.url });
});

afterAll(async () => {
  await web?.stop();
  await database?.dispose();
});

describe(`shipments pages over HTTP on ${testDialect()}`, () => {
  it("lists the session's shop's shipments, filtered", async () => {
    const a = await singleFetch(SHOP_A, "/app/shipments", INDEX_ROUTE);
    expect(a.status).toBe(200);
    expect((a.data!.rows as { trackingNumber: string }[]).map((row) => row.trackingNumber).sort()).toEqual([upsNumber(11), upsNumber(12)]);
    const searched = await singleFetch(SHOP_A, "/app/shipments", INDEX_ROUTE, { search: `q=${upsNumber(12)}&sort=oldest` });
    expect((searched.data!.rows as { trackingNumber: string }[]).map((row) => row.trackingNumber)).toEqual([upsNumber(12)]);
    const b = await singleFetch(SHOP_B, "/app/shipments", INDEX_ROUTE);
    expect((b.data!.rows as { trackingNumber: string }[]).map((row) => row.trackingNumber)).toEqual([upsNumber(21)]);
  });

  it("rejects invalid filters and cursors", async () => {
    expect((await singleFetch(SHOP_A, "/app/shipments", INDEX_ROUTE, { search: "status=lost" })).status).toBe(400);
    expect((await singleFetch(SHOP_A, "/app/shipments", INDEX_ROUTE, { search: "cursor=bogus" })).status).toBe(400);
  });

  it("does not answer without Shopify's session token", async () => {
    const anonymous = await singleFetch(null, "/app/shipments", INDEX_ROUTE);
    expect(anonymous.data).toBeUndefined();
    expect(anonymous.status).not.toBe(200);
  });

  it("shows a shop its own shipment and no other shop's", async () => {
    const own = await singleFetch(SHOP_A, `/app/shipments/${shipmentOfA}`, DETAIL_ROUTE);
    expect(own.status).toBe(200);
    expect(own.data).toMatchObject({ id: shipmentOfA, trackingNumber: upsNumber(11) });
    const other = await singleFetch(SHOP_B, `/app/shipments/${shipmentOfA}`, DETAIL_ROUTE);
    expect(other.status).toBe(404);
    expect(other.data).toBeUndefined();
  });

  it("lets a shop act only on its own shipments", async () => {
    const stopAsB = await singleFetch(SHOP_B, `/app/shipments/${shipmentOfA}`, DETAIL_ROUTE, { method: "POST", body: new URLSearchParams({ intent: "stop" }) });
    expect(stopAsB.data).toMatchObject({ ok: true, affected: 0 });
    const carrierAsB = await singleFetch(SHOP_B, `/app/shipments/${shipmentOfA}`, DETAIL_ROUTE, {
      method: "POST",
      body: new URLSearchParams({ intent: "change_carrier", carrierCode: "fedex" }),
    });
    expect(carrierAsB.status).toBe(404);
    const bulkAsB = await singleFetch(SHOP_B, "/app/shipments", INDEX_ROUTE, {
      method: "POST",
      search: "index",
      body: new URLSearchParams({ intent: "stop", ids: JSON.stringify([shipmentOfA]) }),
    });
    expect(bulkAsB.data).toMatchObject({ ok: true, affected: 0, skipped: 1 });
    expect(await database.db.prisma.shipment.findUniqueOrThrow({ where: { id: shipmentOfA } })).toMatchObject({ registrationState: "pending", carrierCode: "ups" });

    const bulkAsA = await singleFetch(SHOP_A, "/app/shipments", INDEX_ROUTE, {
      method: "POST",
      search: "index",
      body: new URLSearchParams({ intent: "stop", ids: JSON.stringify([shipmentOfA]) }),
    });
    expect(bulkAsA.data).toMatchObject({ ok: true, affected: 1, skipped: 0 });
    expect((await database.db.prisma.shipment.findUniqueOrThrow({ where: { id: shipmentOfA } })).registrationState).toBe("stopped");
  });
});
