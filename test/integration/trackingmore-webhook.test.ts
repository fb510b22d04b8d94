import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { registerPendingShipments } from "~/services/register-shipments.server";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JobRunner } from "~/jobs/runner.server";
import { callAction, configureAppEnvironment } from "../support/app-environment";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber, type ShopFixture } from "../support/factories";
import { createTestServices } from "../support/services";
import { countJobs, deleteJobs } from "../support/jobs";

const WEBHOOK_SECRET = "whsec-test-0123456789";
const ACCOUNT_EMAIL = "ops@shop.example";

let database: TestDatabase;
let simulator: TrackingMoreSimulator;
let services: ServiceContext;
let route: typeof import("~/routes/webhooks.trackingmore.$token");
let shop: ShopFixture;
let v2Shop: ShopFixture;
const apiKey = "tm-webhook-key-abcdefgh";
const v2ApiKey = "tm-webhook-v2-key-abcdefgh";
const number = upsNumber(42);
const v2Number = upsNumber(43);

function signV4(timestamp: string, key = WEBHOOK_SECRET) {
  return createHmac("sha256", key).update(timestamp).digest("hex");
}

function v4Request(token: string, body: string, headers: Record<string, string>) {
  return new Request(`https://tracklight.test/webhooks/trackingmore/${token}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });
}

async function trackingBody(trackingNumber: string, key: string) {
  const tracking = simulator.trackings(key).find((candidate) => candidate.trackingNumber === trackingNumber);
  const response = await fetch(`${simulator.url}/v4/trackings/get?tracking_numbers=${trackingNumber}`, { headers: { "Tracking-Api-Key": key } });
  const { data } = (await response.json()) as { data: unknown[] };
  expect(tracking).toBeDefined();
  return JSON.stringify({ meta: { code: 200, message: "Success" }, data: data[0] });
}

async function changedRows() {
  const [jobs, events, shipments] = await Promise.all([
    countJobs(database.db),
    database.db.prisma.trackingEvent.count(),
    database.db.prisma.shipment.findMany({ select: { status: true, version: true } }),
  ]);
  return { jobs, events, shipments };
}

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startTrackingMoreSimulator({ webhookRetryBaseMs: 20 });
  simulator.addAccount({ apiKey, email: ACCOUNT_EMAIL, webhookSecret: WEBHOOK_SECRET });
  simulator.addAccount({ apiKey: v2ApiKey, email: ACCOUNT_EMAIL });
  configureAppEnvironment({ databaseUrl: database.url, trackingMoreBaseUrl: simulator.url });
  route = await import("~/routes/webhooks.trackingmore.$token");
  services = createTestServices(database.db, { trackingMoreBaseUrl: simulator.url });
  shop = await createShopWithTrackingMore(services, { apiKey, webhookSecret: WEBHOOK_SECRET, accountEmail: ACCOUNT_EMAIL });
  v2Shop = await createShopWithTrackingMore(services, { apiKey: v2ApiKey, apiVersion: "v2", accountEmail: ACCOUNT_EMAIL });
  await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [number] }));
  await ingestFulfillment(services, v2Shop.domain, fulfillmentSnapshot({ numbers: [v2Number] }));
  await registerPendingShipments(services, shop.id);
  await registerPendingShipments(services, v2Shop.id);
});

afterAll(async () => {
  await simulator.close();
  await database.dispose();
});

beforeEach(async () => {
  await deleteJobs(database.db);
});

describe(`TrackingMore webhook receiver on ${testDialect()}`, () => {
  it("accepts a signed v4 push, queues it, and the job applies it", async () => {
    await simulator.advance(apiKey, number, "next");
    await simulator.advance(apiKey, number, "next");
    const body = await trackingBody(number, apiKey);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await callAction(route.action, v4Request(shop.webhookToken, body, { timestamp, signature: signV4(timestamp) }), { token: shop.webhookToken });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "ENQUEUED" });
    // Acknowledged before any processing: nothing applied yet.
    expect((await database.db.prisma.shipment.findFirstOrThrow({ where: { trackingNumber: number } })).status).toBe("pending");

    // The same delivery again (TrackingMore retries on any non-2xx) is recognised.
    const again = await callAction(route.action, v4Request(shop.webhookToken, body, { timestamp, signature: signV4(timestamp) }), { token: shop.webhookToken });
    expect(await again.json()).toEqual({ result: "DUPLICATE" });

    await new JobRunner(services, ALL_JOBS).drain();
    const shipment = await database.db.prisma.shipment.findFirstOrThrow({ where: { trackingNumber: number } });
    expect(shipment.status).toBe("transit");
    expect(await database.db.prisma.trackingEvent.count({ where: { shipmentId: shipment.id } })).toBe(2);
  });

  it.each([
    ["an unknown token", "not-a-token", () => ({}), 404],
    ["no signature headers", "shop", () => ({}), 401],
    ["a wrong signature", "shop", (t: string) => ({ timestamp: t, signature: signV4(t, "someone-else") }), 401],
    ["a replayed signature an hour old", "shop", () => { const old = String(Math.floor(Date.now() / 1000) - 3600); return { timestamp: old, signature: signV4(old) }; }, 401],
  ])("refuses %s and changes nothing", async (_label, which, headers, status) => {
    const before = await changedRows();
    const token = which === "shop" ? shop.webhookToken : which;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = await trackingBody(number, apiKey);
    const response = await callAction(route.action, v4Request(token, body, headers(timestamp)), { token });
    expect(response.status).toBe(status);
    expect(await changedRows()).toEqual(before);
  });

  it("refuses malformed JSON with 400 (after a valid signature) and changes nothing", async () => {
    const before = await changedRows();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await callAction(route.action, v4Request(shop.webhookToken, "{not json", { timestamp, signature: signV4(timestamp) }), { token: shop.webhookToken });
    expect(response.status).toBe(400);
    expect(await changedRows()).toEqual(before);
  });

  it("answers 200 but ignores a number this shop never registered", async () => {
    const body = JSON.stringify({ data: { tracking_number: upsNumber(999_999), courier_code: "ups", delivery_status: "delivered" } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await callAction(route.action, v4Request(shop.webhookToken, body, { timestamp, signature: signV4(timestamp) }), { token: shop.webhookToken });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "IGNORED_UNKNOWN_TRACKING" });
    expect(await countJobs(database.db)).toBe(0);
  });

  it("a push for another shop's number, sent to this shop's address, is ignored", async () => {
    const body = await trackingBody(v2Number, v2ApiKey);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await callAction(route.action, v4Request(shop.webhookToken, body, { timestamp, signature: signV4(timestamp) }), { token: shop.webhookToken });
    expect(await response.json()).toEqual({ result: "IGNORED_UNKNOWN_TRACKING" });
  });

  it("refuses a body over 1 MB with 413", async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const huge = JSON.stringify({ data: { tracking_number: number, padding: "x".repeat(1_100_000) } });
    const response = await callAction(route.action, v4Request(shop.webhookToken, huge, { timestamp, signature: signV4(timestamp) }), { token: shop.webhookToken });
    expect(response.status).toBe(413);
  });

  it("verifies v2 pushes by verifyInfo keyed with the account e-mail", async () => {
    await simulator.advance(v2ApiKey, v2Number, "next");
    const response = await fetch(`${simulator.url}/v2/trackings/ups/${v2Number}`, { headers: { "Trackingmore-Api-Key": v2ApiKey } });
    const { data } = (await response.json()) as { data: unknown };
    const timeStr = Math.floor(Date.now() / 1000);
    const signed = { meta: { code: 200, type: "Success", message: "Success" }, data, verifyInfo: { timeStr, signature: createHmac("sha256", ACCOUNT_EMAIL).update(String(timeStr)).digest("hex") } };
    const ok = await callAction(route.action, v4Request(v2Shop.webhookToken, JSON.stringify(signed), {}), { token: v2Shop.webhookToken });
    expect(await ok.json()).toEqual({ result: "ENQUEUED" });

    const forged = { ...signed, verifyInfo: { timeStr, signature: createHmac("sha256", "attacker@example.com").update(String(timeStr)).digest("hex") } };
    const refused = await callAction(route.action, v4Request(v2Shop.webhookToken, JSON.stringify(forged), {}), { token: v2Shop.webhookToken });
    expect(refused.status).toBe(401);

    await new JobRunner(services, ALL_JOBS).drain();
    const shipment = await database.db.prisma.shipment.findFirstOrThrow({ where: { trackingNumber: v2Number } });
    expect(shipment.status).toBe("inforeceived");
  });

  it("a signed push for an uninstalled shop is acknowledged and not applied; a forged one is still refused", async () => {
    const uninstalled = await createShopWithTrackingMore(services, { apiKey, webhookSecret: WEBHOOK_SECRET, accountEmail: ACCOUNT_EMAIL });
    await ingestFulfillment(services, uninstalled.domain, fulfillmentSnapshot({ numbers: [number] }));
    await database.db.prisma.shop.update({ where: { id: uninstalled.id }, data: { uninstalledAt: new Date() } });
    const body = await trackingBody(number, apiKey);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const ok = await callAction(route.action, v4Request(uninstalled.webhookToken, body, { timestamp, signature: signV4(timestamp) }), { token: uninstalled.webhookToken });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ result: "IGNORED_SHOP_INACTIVE" });
    const forged = await callAction(route.action, v4Request(uninstalled.webhookToken, body, { timestamp, signature: signV4(timestamp, "x") }), { token: uninstalled.webhookToken });
    expect(forged.status).toBe(401);
    expect(await countJobs(database.db, { type: "tracking.apply-provider-webhook" })).toBe(0);
  });

  it("only POST is accepted", async () => {
    const response = await route.loader();
    expect(response.status).toBe(405);
  });
});
