import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBody, startHttpServer, type RunningServer } from "../../simulators/lib/http-server";
import { startShopifySimulator, type ShopifySimulator } from "../../simulators/shopify";
import type { FulfillmentSnapshot } from "~/domain/fulfillment";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { JobRunner } from "~/jobs/runner.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { ensureShop, requestBackfill } from "~/services/shops.server";
import { callAction, configureAppEnvironment } from "../support/app-environment";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices, shopifyWebhookRequest, storeOfflineSession, TEST_API_SECRET } from "../support/services";
import { countJobs, findFirstJob, findJob, listJobs } from "../support/jobs";

type Action = Parameters<typeof callAction>[0];

let database: TestDatabase;
let services: ServiceContext;
let routes: { create: Action; update: Action; uninstalled: Action };
let shop: { id: string; domain: string };
const SHOP_DOMAIN = "linen-and-co.myshopify.com";
let numberCounter = 0;
let restIds = 5_528_139_530_000;

beforeAll(async () => {
  database = await createTestDatabase();
  // Routes use the process-wide singletons: point them at this file's database before importing.
  configureAppEnvironment({ databaseUrl: database.url });
  routes = {
    create: (await import("~/routes/webhooks.fulfillments.create")).action as Action,
    update: (await import("~/routes/webhooks.fulfillments.update")).action as Action,
    uninstalled: (await import("~/routes/webhooks.app.uninstalled")).action as Action,
  };
  services = createTestServices(database.db);
  shop = await ensureShop(services, SHOP_DOMAIN);
  await storeOfflineSession(database.db, SHOP_DOMAIN, "shpat_linen_and_co");
});

afterAll(async () => {
  await database.dispose();
});

const prisma = () => database.db.prisma;

function ups(): string {
  return upsNumber(80_000 + ++numberCounter);
}

/** A fulfillments/create|update body as Shopify sends it (reference §E.1), with the customer's full address. */
function restFulfillment(options: { id?: number; orderId?: number; numbers: string[]; company?: string | null; status?: string; updatedAt?: string }) {
  const id = options.id ?? ++restIds;
  const orderId = options.orderId ?? ++restIds;
  const company = options.company === undefined ? "UPS" : options.company;
  const urls = options.numbers.map((number) => `https://www.ups.com/track?tracknum=${number}`);
  const lineItemId = ++restIds;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Fulfillment/${id}`,
    created_at: "2026-11-24T04:59:14-05:00",
    location_id: 91390607708,
    name: "#1002.1",
    order_id: orderId,
    origin_address: {},
    receipt: {},
    service: "manual",
    shipment_status: null,
    status: options.status ?? "success",
    tracking_company: company,
    tracking_number: options.numbers[0] ?? null,
    tracking_numbers: options.numbers,
    tracking_url: urls[0] ?? null,
    tracking_urls: urls,
    updated_at: options.updatedAt ?? "2026-11-24T04:59:15-05:00",
    line_items: [
      {
        id: lineItemId,
        admin_graphql_api_id: `gid://shopify/LineItem/${lineItemId}`,
        fulfillable_quantity: 0,
        fulfillment_service: "manual",
        fulfillment_status: "fulfilled",
        gift_card: false,
        grams: 300,
        name: "Linen shirt - M",
        price: "49.00",
        price_set: { shop_money: { amount: "49.00", currency_code: "USD" }, presentment_money: { amount: "49.00", currency_code: "USD" } },
        product_id: 788032119674292900,
        quantity: 1,
        requires_shipping: true,
        sku: "LS-M",
        title: "Linen shirt",
        variant_id: 39072856,
        variant_title: "M",
        vendor: "Linen & Co",
      },
    ],
    email: "ada.lovelace@example.com",
    destination: {
      first_name: "Ada",
      last_name: "Lovelace",
      address1: "12 Analytical Row",
      address2: "Flat 3",
      city: "Marylebone",
      zip: "NW1 6XE",
      province: "England",
      country: "United Kingdom",
      country_code: "GB",
      phone: "+44 20 7946 0000",
      company: "Difference Engines Ltd",
      latitude: 51.5237,
      longitude: -0.1585,
      name: "Ada Lovelace",
      province_code: "ENG",
    },
  };
}

async function tableCounts() {
  const [jobs, orders, fulfillments, shipments] = await Promise.all([
    countJobs(database.db),
    prisma().order.count(),
    prisma().fulfillment.count(),
    prisma().shipment.count(),
  ]);
  return { jobs, orders, fulfillments, shipments };
}

async function drain() {
  return new JobRunner(services, ALL_JOBS).drain();
}

function shipmentOf(trackingNumber: string, shopId = shop.id) {
  return prisma().shipment.findUnique({ where: { shopId_trackingNumber: { shopId, trackingNumber } } });
}

describe(`Shopify fulfillment webhooks on ${testDialect()}`, () => {
  it("fulfillments/create: 200, one job holding only the minimised snapshot, and the job creates the shipments", async () => {
    const numbers = [ups(), ups()];
    const payload = restFulfillment({ numbers });
    const before = await tableCounts();
    const request = shopifyWebhookRequest({ topic: "fulfillments/create", shop: SHOP_DOMAIN, payload, webhookId: "wh-create-1" });
    const response = await callAction(routes.create, request);
    expect(response.status).toBe(200);
    // Acknowledged before any processing.
    expect(await tableCounts()).toEqual({ ...before, jobs: before.jobs + 1 });

    const job = await findJob(database.db, { dedupeKey: "shopify:wh-create-1" });
    expect(job).toMatchObject({ type: JOB_TYPES.ingestFulfillment, state: "queued" });
    const stored = JSON.parse(job.payload) as { shop: string; snapshot: FulfillmentSnapshot };
    expect(stored.shop).toBe(SHOP_DOMAIN);
    expect(stored.snapshot).toMatchObject({
      shopifyFulfillmentId: String(payload.id),
      shopifyOrderId: String(payload.order_id),
      orderName: "#1002",
      status: "success",
      destinationCountry: "GB",
      customer: { email: "ada.lovelace@example.com", firstName: "Ada", phone: "+44 20 7946 0000" },
    });
    expect(stored.snapshot.tracking.map((entry) => entry.number)).toEqual(numbers);
    // The address, the surname and the prices never reach our database.
    for (const leaked of ["address1", "12 Analytical Row", "Flat 3", "Marylebone", "NW1 6XE", "zip", "city", "Lovelace", "Difference Engines", "latitude", "51.5237", "49.00"]) {
      expect(job.payload).not.toContain(leaked);
    }

    await drain();
    const done = await findJob(database.db, { id: job.id });
    expect(done).toMatchObject({ state: "succeeded", result: "APPLIED" });
    for (const number of numbers) {
      expect(await shipmentOf(number)).toMatchObject({ registrationState: "pending", carrierCode: "ups", destinationCountry: "GB" });
    }
    const order = await prisma().order.findUniqueOrThrow({ where: { shopId_shopifyOrderId: { shopId: shop.id, shopifyOrderId: String(payload.order_id) } } });
    expect(order).toMatchObject({ name: "#1002", email: "ada.lovelace@example.com", customerFirstName: "Ada" });
  });

  it("fulfillments/update: 200, one job, and processing it stops the replaced number", async () => {
    const [a, b] = [ups(), ups()];
    const created = restFulfillment({ numbers: [a] });
    expect((await callAction(routes.create, shopifyWebhookRequest({ topic: "fulfillments/create", shop: SHOP_DOMAIN, payload: created }))).status).toBe(200);
    await drain();

    const updated = { ...restFulfillment({ id: created.id, orderId: created.order_id, numbers: [b] }), updated_at: "2026-11-24T05:10:00-05:00" };
    const before = await tableCounts();
    const response = await callAction(routes.update, shopifyWebhookRequest({ topic: "fulfillments/update", shop: SHOP_DOMAIN, payload: updated, webhookId: "wh-update-1" }));
    expect(response.status).toBe(200);
    expect((await tableCounts()).jobs).toBe(before.jobs + 1);
    const job = await findJob(database.db, { dedupeKey: "shopify:wh-update-1" });
    expect(job.type).toBe(JOB_TYPES.ingestFulfillment);
    expect(job.payload).toContain(b);
    expect(job.payload).not.toContain("12 Analytical Row");

    await drain();
    expect(await shipmentOf(a)).toMatchObject({ registrationState: "stopped", stopReason: "tracking_number_removed" });
    expect(await shipmentOf(b)).toMatchObject({ registrationState: "pending" });
  });

  it("the same X-Shopify-Webhook-Id twice (Shopify retrying) makes one job; both deliveries get 200", async () => {
    const payload = restFulfillment({ numbers: [ups()] });
    const send = () => callAction(routes.create, shopifyWebhookRequest({ topic: "fulfillments/create", shop: SHOP_DOMAIN, payload, webhookId: "wh-retried" }));
    const ingestJobs = () => countJobs(database.db, { type: JOB_TYPES.ingestFulfillment });
    const before = await ingestJobs();
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    expect(await ingestJobs()).toBe(before + 1);
    await drain();
    // Even after the job ran, a late retry is recognised.
    expect((await send()).status).toBe(200);
    expect(await ingestJobs()).toBe(before + 1);
    expect(await listJobs(database.db, { dedupeKey: "shopify:wh-retried" })).toMatchObject([{ state: "succeeded", result: "APPLIED" }]);
  });

  it.each([
    ["signed with another app's secret", (body: string) => createHmac("sha256", "someone-elses-secret").update(body).digest("base64")],
    ["a valid signature of a different body", () => createHmac("sha256", TEST_API_SECRET).update("{}").digest("base64")],
    ["a hex instead of a base64 signature", (body: string) => createHmac("sha256", TEST_API_SECRET).update(body).digest("hex")],
  ])("a bad HMAC (%s) gets 401 and stores nothing", async (_label, sign) => {
    const payload = restFulfillment({ numbers: [ups()] });
    const before = await tableCounts();
    for (const [topic, action] of [["fulfillments/create", routes.create], ["fulfillments/update", routes.update]] as const) {
      const response = await callAction(action, shopifyWebhookRequest({ topic, shop: SHOP_DOMAIN, payload, hmac: sign(JSON.stringify(payload)) }));
      expect(response.status).toBe(401);
    }
    expect(await tableCounts()).toEqual(before);
  });

  it.each(["X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version", "X-Shopify-Webhook-Id"])(
    "a request without %s gets 400 and stores nothing",
    async (header) => {
      const before = await tableCounts();
      const request = shopifyWebhookRequest({ topic: "fulfillments/create", shop: SHOP_DOMAIN, payload: restFulfillment({ numbers: [ups()] }), omitHeaders: [header] });
      expect((await callAction(routes.create, request)).status).toBe(400);
      expect(await tableCounts()).toEqual(before);
    },
  );

  it("only POST is accepted (405)", async () => {
    const signed = shopifyWebhookRequest({ topic: "fulfillments/create", shop: SHOP_DOMAIN, payload: restFulfillment({ numbers: [ups()] }) });
    for (const method of ["GET", "PUT"]) {
      const request = new Request(signed.url, { method, headers: signed.headers, ...(method === "GET" ? {} : { body: "{}" }) });
      expect((await callAction(routes.create, request)).status).toBe(405);
    }
  });

  it("a valid webhook sent to another topic's address gets 400 and stores nothing", async () => {
    const before = await tableCounts();
    const payload = restFulfillment({ numbers: [ups()] });
    expect((await callAction(routes.create, shopifyWebhookRequest({ topic: "fulfillments/update", shop: SHOP_DOMAIN, payload }))).status).toBe(400);
    expect((await callAction(routes.update, shopifyWebhookRequest({ topic: "fulfillments/create", shop: SHOP_DOMAIN, payload }))).status).toBe(400);
    const redact = { shop_id: 954889, shop_domain: SHOP_DOMAIN, customer: { id: 191167, email: "john@example.com" }, orders_to_redact: [] };
    expect((await callAction(routes.create, shopifyWebhookRequest({ topic: "customers/redact", shop: SHOP_DOMAIN, payload: redact }))).status).toBe(400);
    expect((await callAction(routes.uninstalled, shopifyWebhookRequest({ topic: "fulfillments/create", shop: SHOP_DOMAIN, payload }))).status).toBe(400);
    expect(await tableCounts()).toEqual(before);
    expect((await prisma().shop.findUniqueOrThrow({ where: { id: shop.id } })).uninstalledAt).toBeNull();
  });

  it.each([
    ["an empty object", {}],
    ["a fulfillment without its id", (() => { const { id: _id, ...rest } = restFulfillment({ numbers: ["1Z999AA10123456784"] }); return rest; })()],
    ["a fulfillment without its order_id", (() => { const { order_id: _orderId, ...rest } = restFulfillment({ numbers: ["1Z999AA10123456784"] }); return rest; })()],
    ["an order instead of a fulfillment", { name: "#1002", line_items: [], customer: { id: 191167 } }],
    ["a JSON array", [restFulfillment({ numbers: ["1Z999AA10123456784"] })]],
  ])("%s gets 422 and stores nothing", async (_label, payload) => {
    const before = await tableCounts();
    const response = await callAction(routes.create, shopifyWebhookRequest({ topic: "fulfillments/create", shop: SHOP_DOMAIN, payload }));
    expect(response.status).toBe(422);
    expect(await tableCounts()).toEqual(before);
  });
});

describe(`app/uninstalled on ${testDialect()}`, () => {
  it("marks the shop uninstalled, deletes its sessions, cancels its queued jobs, skips later ingests; a reinstall resumes", async () => {
    const leaving = await ensureShop(services, "leaving-soon.myshopify.com");
    await storeOfflineSession(database.db, leaving.domain, "shpat_leaving");
    await ingestFulfillment(services, leaving.domain, fulfillmentSnapshot({ numbers: [ups()] }));
    const register = await findFirstJob(database.db, { shopId: leaving.id, type: JOB_TYPES.registerShipments, states: ["queued"] });
    // The neighbour's queued work must not be touched.
    await ingestFulfillment(services, SHOP_DOMAIN, fulfillmentSnapshot({ numbers: [ups()] }));
    const neighbourJobs = await listJobs(database.db, { shopId: shop.id, states: ["queued"] });
    expect(neighbourJobs.length).toBeGreaterThan(0);

    // A forged uninstall changes nothing.
    const body = { id: 690933842, name: "Leaving Soon", domain: leaving.domain, myshopify_domain: leaving.domain };
    const forged = shopifyWebhookRequest({ topic: "app/uninstalled", shop: leaving.domain, payload: body, secret: "not-our-secret" });
    expect((await callAction(routes.uninstalled, forged)).status).toBe(401);
    expect((await prisma().shop.findUniqueOrThrow({ where: { id: leaving.id } })).uninstalledAt).toBeNull();
    expect(await prisma().session.count({ where: { shop: leaving.domain } })).toBe(1);

    const response = await callAction(routes.uninstalled, shopifyWebhookRequest({ topic: "app/uninstalled", shop: leaving.domain, payload: body }));
    expect(response.status).toBe(200);
    expect((await prisma().shop.findUniqueOrThrow({ where: { id: leaving.id } })).uninstalledAt).toBeInstanceOf(Date);
    expect(await prisma().session.count({ where: { shop: leaving.domain } })).toBe(0);
    expect(await findJob(database.db, { id: register.id })).toMatchObject({ state: "cancelled", singletonKey: null });
    expect(await prisma().session.count({ where: { shop: SHOP_DOMAIN } })).toBe(1);
    expect(await listJobs(database.db, { shopId: shop.id, states: ["queued"] })).toEqual(neighbourJobs);

    // A fulfillment webhook that Shopify still delivers afterwards is accepted but not applied.
    const late = ups();
    const lateDelivery = shopifyWebhookRequest({ topic: "fulfillments/create", shop: leaving.domain, payload: restFulfillment({ numbers: [late] }), webhookId: "wh-after-uninstall" });
    expect((await callAction(routes.create, lateDelivery)).status).toBe(200);
    await drain();
    expect(await findJob(database.db, { dedupeKey: "shopify:wh-after-uninstall" })).toMatchObject({ state: "succeeded", result: "SKIPPED_SHOP_INACTIVE" });
    expect(await shipmentOf(late, leaving.id)).toBeNull();

    // Reinstalling brings the shop back, with its data.
    const back = await ensureShop(services, leaving.domain);
    expect(back).toMatchObject({ id: leaving.id, uninstalledAt: null, webhookToken: leaving.webhookToken });
    expect(await prisma().shipment.count({ where: { shopId: leaving.id } })).toBe(1);
    const again = ups();
    expect(await ingestFulfillment(services, leaving.domain, fulfillmentSnapshot({ numbers: [again] }))).toMatchObject({ result: "APPLIED", added: [again] });
  });

  it("a backfill cut short by app/uninstalled can be started again after a reinstall", async () => {
    const domain = "backfill-interrupted.myshopify.com";
    const installed = await ensureShop(services, domain);
    const firstRun = await requestBackfill(services, installed.id, 30);
    expect(firstRun).toEqual(expect.any(String));
    const body = { id: 690933843, domain, myshopify_domain: domain };
    expect((await callAction(routes.uninstalled, shopifyWebhookRequest({ topic: "app/uninstalled", shop: domain, payload: body }))).status).toBe(200);
    expect(await findJob(database.db, { dedupeKey: `backfill:${firstRun}` })).toMatchObject({ state: "cancelled" });

    await ensureShop(services, domain);
    const secondRun = await requestBackfill(services, installed.id, 30);
    expect(secondRun).toEqual(expect.any(String));
  });
});

/** A loopback HTTP server that hands Shopify's deliveries to the route actions, as Remix would. */
async function startRouteServer(table: Record<string, Action>): Promise<RunningServer & { failures: unknown[] }> {
  const failures: unknown[] = [];
  const server = await startHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "https://tracklight.test");
    const action = table[url.pathname];
    if (!action) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || ["host", "connection", "content-length", "transfer-encoding"].includes(name)) continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(await readBody(req));
    try {
      const response = await callAction(action, new Request(url, { method: req.method, headers, body }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      failures.push(error);
      res.writeHead(500).end();
    }
  });
  return Object.assign(server, { failures });
}

describe(`end to end with the Shopify simulator on ${testDialect()}`, () => {
  let simulator: ShopifySimulator;
  let app: Awaited<ReturnType<typeof startRouteServer>>;
  const domain = "sim-shop.myshopify.com";

  beforeAll(async () => {
    app = await startRouteServer({
      "/webhooks/fulfillments/create": routes.create,
      "/webhooks/fulfillments/update": routes.update,
      "/webhooks/app/uninstalled": routes.uninstalled,
    });
    simulator = await startShopifySimulator({ apiSecretKey: TEST_API_SECRET, appUrl: app.url });
    simulator.addShop({ domain, accessToken: "shpat_sim_shop" });
    await ensureShop(services, domain);
    await storeOfflineSession(database.db, domain, "shpat_sim_shop");
  });

  afterAll(async () => {
    await simulator?.close();
    await app?.close();
  });

  it("a fulfillment created and edited in Shopify reaches the app over HTTP and is tracked", async () => {
    const simShop = await prisma().shop.findUniqueOrThrow({ where: { domain } });
    const order = simulator.addOrder(domain, {
      customer: { firstName: "Mary", lastName: "Somerville", email: "mary@example.com" },
      shippingAddress: { firstName: "Mary", lastName: "Somerville", address1: "7 Burntisland Road", city: "Jedburgh", zip: "TD8 6AA", countryCode: "GB" },
      lineItems: [{ title: "Telescope", quantity: 1, sku: "TEL-1" }],
    });
    const [a, b, c] = [ups(), ups(), ups()];
    const { fulfillment, delivery } = await simulator.createFulfillment(domain, order.id, { trackingCompany: "UPS", trackingNumbers: [a, b] });
    expect(delivery).toMatchObject({ httpStatus: 200 });
    const job = await findJob(database.db, { dedupeKey: `shopify:${delivery!.webhookId}` });
    expect(job.payload).not.toContain("Burntisland");
    expect(job.payload).not.toContain("TD8 6AA");

    await drain();
    for (const number of [a, b]) {
      expect(await shipmentOf(number, simShop.id)).toMatchObject({ registrationState: "pending", carrierCode: "ups", destinationCountry: "GB" });
    }
    const storedOrder = await prisma().order.findUniqueOrThrow({ where: { shopId_shopifyOrderId: { shopId: simShop.id, shopifyOrderId: String(order.id) } } });
    expect(storedOrder).toMatchObject({ name: order.name, email: "mary@example.com" });

    const edit = await simulator.updateFulfillment(domain, fulfillment.id, { trackingNumbers: [a, c] });
    expect(edit.delivery).toMatchObject({ httpStatus: 200 });
    await drain();
    expect(await shipmentOf(b, simShop.id)).toMatchObject({ registrationState: "stopped", stopReason: "tracking_number_removed" });
    expect(await shipmentOf(a, simShop.id)).toMatchObject({ registrationState: "pending" });
    expect(await shipmentOf(c, simShop.id)).toMatchObject({ registrationState: "pending" });

    const deliveries = simulator.webhookDeliveries.filter((record) => record.shop === domain);
    expect(deliveries.map((record) => [record.topic, record.httpStatus, record.attempt])).toEqual([
      ["fulfillments/create", 200, 1],
      ["fulfillments/update", 200, 1],
    ]);
    expect(app.failures).toEqual([]);
  });

  it("a forged delivery is refused with 401 over HTTP, and app/uninstalled from Shopify stops the shop", async () => {
    const forged = await simulator.sendWebhook(domain, "fulfillments/create", restFulfillment({ numbers: [ups()] }), { hmacOverride: "bm90LWEtc2lnbmF0dXJl", retry: false });
    expect(forged.httpStatus).toBe(401);

    const { delivery } = await simulator.uninstallApp(domain);
    expect(delivery).toMatchObject({ httpStatus: 200 });
    expect((await prisma().shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeInstanceOf(Date);
    expect(await prisma().session.count({ where: { shop: domain } })).toBe(0);
    expect(app.failures).toEqual([]);
  });
});
