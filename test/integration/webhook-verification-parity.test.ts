import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyShopifyWebhook } from "~/adapters/shopify-admin/webhook-verification.server";
import { createShopifyApp } from "~/shopify-app.server";
import { loadConfig } from "~/config.server";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { storeOfflineSession, TEST_API_SECRET } from "../support/services";

/**
 * Our webhook verification must decide exactly as `authenticate.webhook` of
 * @shopify/shopify-app-remix does (docs/decisions/0006-webhook-acknowledgement-path.md).
 * Every case is given to both, and their outcomes are compared.
 */

let database: TestDatabase;
let shopify: ReturnType<typeof createShopifyApp>;
const SHOP = "parity-shop.myshopify.com";

beforeAll(async () => {
  database = await createTestDatabase();
  shopify = createShopifyApp(loadConfig({ ...process.env, DATABASE_URL: database.url }), database.db);
  await storeOfflineSession(database.db, SHOP, "shpat_parity");
});
afterAll(async () => {
  await database.dispose();
});

interface Case {
  name: string;
  method?: string;
  body?: string;
  headers?: Record<string, string | null>;
}

const payload = JSON.stringify({ id: 1, order_id: 2, note: "Grüße — ünïcödé ✓", tracking_numbers: ["1ZCIETST0111111114"] });

function signed(body: string, secret = TEST_API_SECRET) {
  return createHmac("sha256", secret).update(body).digest("base64");
}

function baseHeaders(body: string): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "X-Shopify-Hmac-Sha256": signed(body),
    "X-Shopify-Topic": "fulfillments/create",
    "X-Shopify-Shop-Domain": SHOP,
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": randomUUID(),
  };
}

const cases: Case[] = [
  { name: "a valid delivery" },
  { name: "a valid delivery with unicode in the body", body: payload },
  { name: "another topic with dots", headers: { "X-Shopify-Topic": "customers/data_request" } },
  { name: "a signature made with another secret", headers: { "X-Shopify-Hmac-Sha256": signed(payload, "someone-else") } },
  { name: "a signature of another body", headers: { "X-Shopify-Hmac-Sha256": signed("{}") } },
  { name: "an empty signature", headers: { "X-Shopify-Hmac-Sha256": "" } },
  { name: "no signature header", headers: { "X-Shopify-Hmac-Sha256": null } },
  { name: "no topic header", headers: { "X-Shopify-Topic": null } },
  { name: "no shop header", headers: { "X-Shopify-Shop-Domain": null } },
  { name: "no API version header", headers: { "X-Shopify-API-Version": null } },
  { name: "no webhook id header", headers: { "X-Shopify-Webhook-Id": null } },
  { name: "a GET", method: "GET" },
  { name: "a PUT", method: "PUT" },
];

function requestFor(testCase: Case): { request: Request; body: string } {
  const body = testCase.body ?? payload;
  const headers = baseHeaders(body);
  for (const [name, value] of Object.entries(testCase.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  const method = testCase.method ?? "POST";
  const request = new Request(`https://tracklight.test/webhooks/fulfillments/create`, {
    method,
    headers,
    ...(method === "GET" ? {} : { body }),
  });
  return { request, body };
}

async function libraryOutcome(request: Request) {
  try {
    const context = await shopify.authenticate.webhook(request);
    return { status: 200, topic: context.topic as string, shop: context.shop, webhookId: context.webhookId, payload: context.payload };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status };
    throw thrown;
  }
}

function ourOutcome(request: Request, body: string) {
  const verdict = verifyShopifyWebhook({ method: request.method, headers: request.headers, rawBody: request.method === "GET" ? "" : body, apiSecret: TEST_API_SECRET });
  return verdict.ok ? { status: 200, topic: verdict.topic, shop: verdict.shop, webhookId: verdict.webhookId, payload: verdict.payload } : { status: verdict.status };
}

describe(`webhook verification matches authenticate.webhook (${testDialect()})`, () => {
  it.each(cases)("$name", async (testCase) => {
    const first = requestFor(testCase);
    const library = await libraryOutcome(first.request);
    // A request body can be read once; the same request is built again for our verifier.
    const again = new Request(first.request.url, { method: first.request.method, headers: first.request.headers, ...(first.request.method === "GET" ? {} : { body: first.body }) });
    expect(ourOutcome(again, first.body)).toEqual(library);
  });

  it("the cases cover every outcome: accepted, 400, 401 and 405", async () => {
    const statuses = new Set<number>();
    for (const testCase of cases) statuses.add((await libraryOutcome(requestFor(testCase).request)).status);
    expect([...statuses].sort()).toEqual([200, 400, 401, 405]);
  });
});
