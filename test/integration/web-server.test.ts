import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callAction, configureAppEnvironment } from "../support/app-environment";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { startWebServer, type RunningWeb } from "../support/processes";
import { createTestServices, TEST_API_SECRET } from "../support/services";
import { createShopWithTrackingMore, type ShopFixture } from "../support/factories";
import { countJobs, listJobs } from "../support/jobs";

/**
 * The production server answers webhooks through its direct dispatch (server/web.mjs) and
 * everything else through Remix. The direct path must answer exactly as the route's Remix
 * action does, and must not swallow requests that are not webhooks.
 */

let database: TestDatabase;
let web: RunningWeb;
let shop: ShopFixture;
let createRoute: typeof import("~/routes/webhooks.fulfillments.create");
let trackingMoreRoute: typeof import("~/routes/webhooks.trackingmore.$token");

beforeAll(async () => {
  database = await createTestDatabase();
  configureAppEnvironment({ databaseUrl: database.url });
  createRoute = await import("~/routes/webhooks.fulfillments.create");
  trackingMoreRoute = await import("~/routes/webhooks.trackingmore.$token");
  shop = await createShopWithTrackingMore(createTestServices(database.db), { domain: "web-shop.myshopify.com", apiKey: "tm-web-key-abcdefgh" });
  web = await startWebServer({ DATABASE_URL: database.url });
}, 60_000);

afterAll(async () => {
  await web?.stop();
  await database?.dispose();
});

function fulfillment(id: number) {
  return JSON.stringify({ id, order_id: id + 1, name: `#${id}.1`, status: "success", tracking_company: "UPS", tracking_numbers: ["1ZCIETST0111111114"] });
}

function shopifyHeaders(body: string, overrides: Record<string, string> = {}) {
  return {
    "content-type": "application/json",
    "x-shopify-hmac-sha256": createHmac("sha256", TEST_API_SECRET).update(body).digest("base64"),
    "x-shopify-topic": "fulfillments/create",
    "x-shopify-shop-domain": shop.domain,
    "x-shopify-api-version": "2026-10",
    "x-shopify-webhook-id": randomUUID(),
    ...overrides,
  };
}

async function viaServer(path: string, init: RequestInit) {
  const response = await fetch(`${web.url}${path}`, init);
  return { status: response.status, body: await response.text() };
}

async function viaAction(action: Parameters<typeof callAction>[0], path: string, init: RequestInit, params: Record<string, string> = {}) {
  const response = await callAction(action, new Request(`https://tracklight.test${path}`, init), params);
  return { status: response.status, body: await response.text() };
}

describe(`production server webhook dispatch on ${testDialect()}`, () => {
  it.each([
    ["a valid delivery", (body: string) => shopifyHeaders(body)],
    ["a bad signature", (body: string) => shopifyHeaders(body, { "x-shopify-hmac-sha256": "bm9wZQ==" })],
    ["a missing webhook id", (body: string) => { const headers: Record<string, string> = shopifyHeaders(body); delete headers["x-shopify-webhook-id"]; return headers; }],
    ["another topic sent here", (body: string) => shopifyHeaders(body, { "x-shopify-topic": "orders/create" })],
  ])("answers %s exactly as the Remix action does", async (_label, headersFor) => {
    const serverBody = fulfillment(Math.floor(Math.random() * 1e9));
    const actionBody = fulfillment(Math.floor(Math.random() * 1e9));
    const served = await viaServer("/webhooks/fulfillments/create", { method: "POST", headers: headersFor(serverBody), body: serverBody });
    const acted = await viaAction(createRoute.action, "/webhooks/fulfillments/create", { method: "POST", headers: headersFor(actionBody), body: actionBody });
    expect(served).toEqual(acted);
  });

  it("stores one job per delivered webhook through the direct path", async () => {
    const body = fulfillment(424_242);
    const headers = shopifyHeaders(body);
    expect((await viaServer("/webhooks/fulfillments/create", { method: "POST", headers, body })).status).toBe(200);
    expect((await viaServer("/webhooks/fulfillments/create", { method: "POST", headers, body })).status).toBe(200);
    const jobs = await listJobs(database.db, { dedupeKey: `shopify:${headers["x-shopify-webhook-id"]}` });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.shopId).toBe(shop.id);
  });

  it("refuses a body over the route's limit with 413 and stores nothing", async () => {
    const before = await countJobs(database.db);
    const body = JSON.stringify({ id: 1, padding: "x".repeat(2 * 1024 * 1024 + 10) });
    const served = await viaServer("/webhooks/fulfillments/create", { method: "POST", headers: shopifyHeaders(body), body });
    expect(served.status).toBe(413);
    expect(await countJobs(database.db)).toBe(before);
  });

  it("answers TrackingMore pushes with the same JSON as the action, unknown tokens included", async () => {
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: "{}" };
    const served = await viaServer("/webhooks/trackingmore/no-such-token", init);
    const acted = await viaAction(trackingMoreRoute.action, "/webhooks/trackingmore/no-such-token", init, { token: "no-such-token" });
    expect(served).toEqual({ status: 404, body: JSON.stringify({ result: "unknown webhook address" }) });
    expect(served).toEqual(acted);
  });

  it("leaves everything else to Remix: a GET on a webhook address, unknown webhook paths, pages", async () => {
    expect((await viaServer("/webhooks/trackingmore/some-token", { method: "GET" })).status).toBe(405);
    expect((await viaServer("/webhooks/not-a-topic", { method: "POST", body: "{}" })).status).toBe(404);
    const login = await fetch(`${web.url}/auth/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("Log in to Tracklight");
  });
});
