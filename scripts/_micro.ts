import { createHmac, randomUUID } from "node:crypto";
import { openDatabase } from "~/db/database.server";
import { createShopifyApp } from "~/shopify-app.server";
import { loadConfig } from "~/config.server";
import { enqueueJob } from "~/jobs/queue.server";
import { restFulfillmentSchema, snapshotFromWebhook } from "~/adapters/shopify-admin/fulfillment-payloads";
const db = await openDatabase("file:/tmp/exp.db");
const config = loadConfig();
const shopify = createShopifyApp(config, db);
const body = JSON.stringify({ id: 1, order_id: 2, name: "#1.1", status: "success", updated_at: "2026-11-24T09:00:01+00:00", tracking_company: "UPS", tracking_numbers: ["1ZAB12CD0000000003"], email: "a@b.c", destination: { country_code: "GB" }, line_items: [{ id: 3, title: "x", quantity: 1 }] , padding: "x".repeat(1500)});
const hmac = createHmac("sha256", config.SHOPIFY_API_SECRET).update(body).digest("base64");
async function time(name: string, n: number, fn: (i: number) => Promise<unknown> | unknown) {
  for (let i = 0; i < 200; i++) await fn(i);
  const t = performance.now(); for (let i = 0; i < n; i++) await fn(i); const per = (performance.now() - t) / n;
  console.log(name.padEnd(40), (per * 1000).toFixed(0), "µs");
}
const mkReq = () => new Request("http://x/webhooks/fulfillments/create", { method: "POST", body, headers: { "content-type": "application/json", "x-shopify-hmac-sha256": hmac, "x-shopify-topic": "fulfillments/create", "x-shopify-shop-domain": "bench-shop.myshopify.com", "x-shopify-api-version": "2026-10", "x-shopify-webhook-id": randomUUID() } });
await time("new Request", 2000, () => mkReq());
await time("authenticate.webhook (incl. session)", 2000, () => shopify.authenticate.webhook(mkReq()));
await time("sessionStorage.loadSession", 2000, () => shopify.sessionStorage.loadSession("offline_bench-shop.myshopify.com"));
await time("shop.findUnique", 2000, () => db.prisma.shop.findUnique({ where: { domain: "bench-shop.myshopify.com" }, select: { id: true } }));
await time("$queryRaw SELECT 1", 2000, () => db.prisma.$queryRaw`SELECT 1`);
await time("zod + snapshot", 2000, () => snapshotFromWebhook(restFulfillmentSchema.parse(JSON.parse(body))));
await time("enqueueJob insert", 2000, (i) => enqueueJob(db.prisma, new Date(), "shopify.ingest-fulfillment", { shop: "x", snapshot: { a: body } }, { dedupeKey: `m-${i}-${randomUUID()}` }));
await db.close();
