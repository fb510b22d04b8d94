import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackingEventInput } from "~/domain/tracking-observation";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob, rescheduleQueuedJob } from "~/jobs/queue.server";
import { JobRunner } from "~/jobs/runner.server";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import { collectCustomerData, type CustomerDataReport } from "~/services/compliance.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { requestBackfill } from "~/services/shops.server";
import { callAction, configureAppEnvironment } from "../support/app-environment";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices, shopifyWebhookRequest, storeOfflineSession, TEST_API_SECRET } from "../support/services";
import { countJobs, deleteJobs, failJobsOnce, findJob, killJobs, listJobs } from "../support/jobs";

type Action = Parameters<typeof callAction>[0];

let database: TestDatabase;
let services: ServiceContext;
let routes: { dataRequest: Action; redact: Action; shopRedact: Action; fulfillmentCreate: Action };
let shopCounter = 0;
let numberCounter = 0;
let orderIdCounter = 299_900;

beforeAll(async () => {
  database = await createTestDatabase();
  configureAppEnvironment({ databaseUrl: database.url });
  routes = {
    dataRequest: (await import("~/routes/webhooks.customers.data_request")).action as Action,
    redact: (await import("~/routes/webhooks.customers.redact")).action as Action,
    shopRedact: (await import("~/routes/webhooks.shop.redact")).action as Action,
    fulfillmentCreate: (await import("~/routes/webhooks.fulfillments.create")).action as Action,
  };
  services = createTestServices(database.db);
});

afterAll(async () => {
  await database.dispose();
});

const prisma = () => database.db.prisma;

const ADA = { id: 191167, email: "ada@example.com", phone: "+44 20 7946 0001" };
const BOB = { id: 555123, email: "bob@example.com", phone: "+1 555 625 1199" };
/** The same customers as the services see them once the webhook payload is parsed (ids as strings). */
const parsed = (customer: typeof ADA) => ({ ...customer, id: String(customer.id) });

function event(occurredAt: string, status: TrackingEventInput["status"], substatus: TrackingEventInput["substatus"], description: string): TrackingEventInput {
  return { occurredAt: new Date(occurredAt), zoneKnown: true, status, substatus, description, location: "London, GB", city: "London", state: null, countryCode: "GB", postalCode: null, rawStatus: null };
}

interface ShopFixtureWithCustomers {
  id: string;
  domain: string;
  orders: { adaByCustomerId: string; adaByEmail: string; adaByOrderId: string; bob: string };
  numbers: { adaInTransit: string; adaPending: string; adaByEmail: string; adaByOrderId: string; bob: string };
}

/**
 * A shop holding two customers' orders. Ada has three: one carrying her Shopify customer id (from
 * the backfill), one known only by her e-mail (fulfillment webhooks carry no customer id), and one
 * under another e-mail that only Shopify's order list ties to her.
 */
async function shopWithCustomers(label: string): Promise<ShopFixtureWithCustomers> {
  const domain = `${label}-${++shopCounter}.myshopify.com`;
  const shop = await createShopWithTrackingMore(services, { domain, apiKey: `tm-key-${shopCounter}-abcdefgh` });
  await storeOfflineSession(database.db, domain, `shpat_${shopCounter}`);
  const number = () => upsNumber(90_000 + ++numberCounter);
  const orderId = () => String(++orderIdCounter);
  const numbers = { adaInTransit: number(), adaPending: number(), adaByEmail: number(), adaByOrderId: number(), bob: number() };
  const orders = { adaByCustomerId: orderId(), adaByEmail: orderId(), adaByOrderId: orderId(), bob: orderId() };
  const ingest = (shopifyOrderId: string, numbersOf: string[], customer: { email: string | null; phone: string | null; firstName: string; shopifyCustomerId: string | null; locale: string | null }) =>
    ingestFulfillment(services, domain, fulfillmentSnapshot({ shopifyOrderId, orderName: `#${shopifyOrderId}`, numbers: numbersOf, customer }));
  await ingest(orders.adaByCustomerId, [numbers.adaInTransit, numbers.adaPending], { email: ADA.email, phone: ADA.phone, firstName: "Ada", shopifyCustomerId: String(ADA.id), locale: "en-GB" });
  await ingest(orders.adaByEmail, [numbers.adaByEmail], { email: ADA.email, phone: null, firstName: "Ada", shopifyCustomerId: null, locale: null });
  await ingest(orders.adaByOrderId, [numbers.adaByOrderId], { email: "a.lovelace@work.example", phone: null, firstName: "Ada", shopifyCustomerId: null, locale: null });
  await ingest(orders.bob, [numbers.bob], { email: BOB.email, phone: BOB.phone, firstName: "Bob", shopifyCustomerId: String(BOB.id), locale: "en-US" });
  const applied = await applyTrackingObservation(services, shop.id, {
    provider: "trackingmore",
    trackingNumber: numbers.adaInTransit,
    carrierCode: "ups",
    providerTrackingId: "0123456789abcdef0123456789abcdef",
    status: "transit",
    substatus: "departed",
    rawStatus: "transit/transit001",
    asOf: new Date("2026-11-23T08:00:00Z"),
    events: [
      event("2026-11-22T18:00:00Z", "inforeceived", "label_created", "Shipper created a label"),
      event("2026-11-23T08:00:00Z", "transit", "departed", "Departed from facility"),
    ],
  });
  expect(applied).toMatchObject({ result: "UPDATED", newEvents: 2 });
  // Registration waits for a later run: these tests drain only the compliance jobs.
  await parkQueuedJobs({ shopId: shop.id });
  return { id: shop.id, domain, orders, numbers };
}

/** Queued jobs wait for a later attempt (as after a failed one), so that a drain runs only what a test sends. */
async function parkQueuedJobs(where: { shopId?: string | null; id?: string }) {
  const now = new Date();
  const later = new Date(now.getTime() + 3_600_000);
  const queued = await listJobs(database.db, { ...where, states: ["queued"] });
  const due = queued.filter((job) => job.runAt <= now).map((job) => job.id);
  await failJobsOnce(database.db, due, later, "ServiceUnavailableError: provider answered 503", now);
  // Not due yet: it simply waits longer.
  for (const job of queued.filter((candidate) => !due.includes(candidate.id))) await rescheduleQueuedJob(database.db, job.id, later);
}

/**
 * A TrackingMore push waiting in the queue: its body can echo the customer's e-mail
 * (`customer_email`). "dead": failed for good, kept for a manual replay; "queued": waiting for a retry.
 */
async function providerPush(shopId: string, email: string, state: "dead" | "queued"): Promise<string> {
  const dedupeKey = `push:${shopId}:${email}:${state}`;
  const body = JSON.stringify({ meta: { code: 200 }, data: { tracking_number: upsNumber(99_999), courier_code: "ups", customer_email: email, delivery_status: "transit" } });
  await enqueueJob(prisma(), new Date(), JOB_TYPES.applyProviderWebhook, { shopId, provider: "trackingmore", apiVersion: "v4", body }, { shopId, dedupeKey });
  const job = await findJob(database.db, { dedupeKey });
  if (state === "dead") await killJobs(database.db, [job.id], "gave up");
  else await parkQueuedJobs({ id: job.id });
  return job.id;
}

async function drain() {
  return new JobRunner(services, ALL_JOBS).drain();
}

function complianceRequest(topic: string, shop: string, payload: unknown, options: { webhookId?: string; secret?: string } = {}) {
  return shopifyWebhookRequest({ topic, shop, payload, ...options });
}

function routeFor(topic: string): Action {
  return topic === "customers/data_request" ? routes.dataRequest : topic === "customers/redact" ? routes.redact : routes.shopRedact;
}

function payloadFor(topic: string, shop: ShopFixtureWithCustomers) {
  if (topic === "shop/redact") return { shop_id: 954889, shop_domain: shop.domain };
  if (topic === "customers/redact") return { shop_id: 954889, shop_domain: shop.domain, customer: ADA, orders_to_redact: [Number(shop.orders.adaByOrderId)] };
  return { shop_id: 954889, shop_domain: shop.domain, orders_requested: [Number(shop.orders.adaByOrderId)], customer: ADA, data_request: { id: 9999 } };
}

/** Everything stored for a shop, for "untouched" comparisons. */
async function everythingOf(shopId: string, domain: string) {
  const p = prisma();
  const shipments = await p.shipment.findMany({ where: { shopId }, orderBy: { trackingNumber: "asc" } });
  return {
    shop: await p.shop.findUnique({ where: { id: shopId } }),
    accounts: await p.providerAccount.findMany({ where: { shopId } }),
    orders: await p.order.findMany({ where: { shopId }, orderBy: { shopifyOrderId: "asc" } }),
    fulfillments: await p.fulfillment.findMany({ where: { shopId }, orderBy: { shopifyFulfillmentId: "asc" } }),
    shipments,
    links: await p.shipmentFulfillment.findMany({ where: { shipment: { shopId } }, orderBy: [{ shipmentId: "asc" }, { fulfillmentId: "asc" }] }),
    events: await p.trackingEvent.findMany({ where: { shipmentId: { in: shipments.map((row) => row.id) } }, orderBy: { id: "asc" } }),
    counts: await p.shipmentStatusCount.findMany({ where: { shopId }, orderBy: { status: "asc" } }),
    backfills: await p.backfillRun.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    dataRequests: await p.customerDataRequest.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    jobs: await listJobs(database.db, { shopId }),
    sessions: await p.session.findMany({ where: { shop: domain }, orderBy: { id: "asc" } }),
  };
}

describe(`compliance webhooks on ${testDialect()}`, () => {
  it.each(["customers/data_request", "customers/redact", "shop/redact"])("%s: a bad HMAC gets 401 and stores nothing; a good one 200 and one job", async (topic) => {
    const shop = await shopWithCustomers("hmac");
    const payload = payloadFor(topic, shop);
    const before = { jobs: await countJobs(database.db), everything: await everythingOf(shop.id, shop.domain) };

    const forged = await callAction(routeFor(topic), complianceRequest(topic, shop.domain, payload, { secret: "not-the-app-secret" }));
    expect(forged.status).toBe(401);
    const tampered = shopifyWebhookRequest({ topic, shop: shop.domain, payload, hmac: createHmac("sha256", TEST_API_SECRET).update("{}").digest("base64") });
    expect((await callAction(routeFor(topic), tampered)).status).toBe(401);
    expect(await countJobs(database.db)).toBe(before.jobs);

    const response = await callAction(routeFor(topic), complianceRequest(topic, shop.domain, payload, { webhookId: `wh-${topic}-${shop.id}` }));
    expect(response.status).toBe(200);
    expect(await countJobs(database.db)).toBe(before.jobs + 1);
    const job = await findJob(database.db, { dedupeKey: `shopify:wh-${topic}-${shop.id}` });
    const type = { "customers/data_request": JOB_TYPES.customerDataRequest, "customers/redact": JOB_TYPES.redactCustomer, "shop/redact": JOB_TYPES.redactShop }[topic];
    expect(job).toMatchObject({ type, state: "queued" });
    expect(JSON.parse(job.payload)).toMatchObject({ shop_domain: shop.domain });
    // Acknowledged only: nothing of the shop changed yet, apart from the queued job itself.
    const afterAck = await everythingOf(shop.id, shop.domain);
    expect({ ...afterAck, jobs: afterAck.jobs.filter((row) => row.id !== job.id) }).toEqual(before.everything);
    // The jobs' effects are the subject of the tests below; this one is not run.
    await deleteJobs(database.db, { id: job.id });
  });

  it("customers/data_request: the job stores a report of exactly that customer's orders and shipments", async () => {
    const shop = await shopWithCustomers("report");
    const other = await shopWithCustomers("report-other");
    const payload = { shop_id: 954889, shop_domain: shop.domain, orders_requested: [Number(shop.orders.adaByOrderId)], customer: ADA, data_request: { id: 9999 } };
    const webhookId = `wh-data-request-${shop.id}`;
    expect((await callAction(routes.dataRequest, complianceRequest("customers/data_request", shop.domain, payload, { webhookId }))).status).toBe(200);
    expect(await prisma().customerDataRequest.count({ where: { shopId: shop.id } })).toBe(0);
    await drain();

    const rows = await prisma().customerDataRequest.findMany({ where: { shopId: shop.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ shopifyRequestId: "9999", shopifyCustomerId: String(ADA.id) });
    const report = JSON.parse(rows[0]!.report) as CustomerDataReport;
    expect(report.customer).toEqual({ shopifyCustomerId: String(ADA.id), email: ADA.email, phone: ADA.phone });
    const orders = [...report.orders]
      .sort((a, b) => a.shopifyOrderId.localeCompare(b.shopifyOrderId))
      .map((order) => ({ ...order, shipments: [...order.shipments].sort((a, b) => a.trackingNumber.localeCompare(b.trackingNumber)) }));
    const shipment = (trackingNumber: string, status = "pending", events = 0) => ({ trackingNumber, carrier: "ups", status, events, deliveredAt: null, emailsSent: [] });
    expect(orders).toEqual(
      [
        {
          shopifyOrderId: shop.orders.adaByCustomerId,
          name: `#${shop.orders.adaByCustomerId}`,
          email: ADA.email,
          phone: ADA.phone,
          firstName: "Ada",
          locale: "en-GB",
          shipments: [shipment(shop.numbers.adaInTransit, "transit", 2), shipment(shop.numbers.adaPending)].sort((a, b) => a.trackingNumber.localeCompare(b.trackingNumber)),
        },
        { shopifyOrderId: shop.orders.adaByEmail, name: `#${shop.orders.adaByEmail}`, email: ADA.email, phone: null, firstName: "Ada", locale: null, shipments: [shipment(shop.numbers.adaByEmail)] },
        { shopifyOrderId: shop.orders.adaByOrderId, name: `#${shop.orders.adaByOrderId}`, email: "a.lovelace@work.example", phone: null, firstName: "Ada", locale: null, shipments: [shipment(shop.numbers.adaByOrderId)] },
      ],
    );
    // Nothing of Bob, nothing of the other shop (which has a customer with the same e-mail).
    for (const foreign of [BOB.email, shop.numbers.bob, shop.orders.bob, other.numbers.adaByEmail, other.orders.adaByEmail, other.orders.adaByCustomerId]) {
      expect(rows[0]!.report).not.toContain(foreign);
    }
    expect(await prisma().customerDataRequest.count({ where: { shopId: other.id } })).toBe(0);
    expect(await findJob(database.db, { dedupeKey: `shopify:${webhookId}` })).toMatchObject({ state: "succeeded", result: "REPORTED" });
  });

  it("customers/redact: the customer's details are erased, everything else stays, and a repeated delivery does nothing more", async () => {
    const shop = await shopWithCustomers("redact");
    const other = await shopWithCustomers("redact-other");
    await collectCustomerData(services, { shop_domain: shop.domain, customer: parsed(ADA), orders_requested: [], data_request: { id: "1" } });
    await collectCustomerData(services, { shop_domain: shop.domain, customer: parsed(BOB), orders_requested: [], data_request: { id: "2" } });
    await collectCustomerData(services, { shop_domain: other.domain, customer: parsed(ADA), orders_requested: [], data_request: { id: "3" } });

    const adaDead = await providerPush(shop.id, ADA.email, "dead");
    const adaQueued = await providerPush(shop.id, ADA.email, "queued");
    const bobDead = await providerPush(shop.id, BOB.email, "dead");
    const otherShopAda = await providerPush(other.id, ADA.email, "dead");

    const before = await everythingOf(shop.id, shop.domain);
    const otherBefore = await everythingOf(other.id, other.domain);
    const payload = { shop_id: 954889, shop_domain: shop.domain, customer: ADA, orders_to_redact: [Number(shop.orders.adaByOrderId)] };
    const send = () => callAction(routes.redact, complianceRequest("customers/redact", shop.domain, payload, { webhookId: `wh-redact-${shop.id}` }));
    expect((await send()).status).toBe(200);
    expect(await drain()).toBe(1);

    const after = await everythingOf(shop.id, shop.domain);
    const redactedAt = after.orders.find((order) => order.shopifyOrderId === shop.orders.adaByCustomerId)!.redactedAt;
    expect(redactedAt).toBeInstanceOf(Date);
    for (const orderId of [shop.orders.adaByCustomerId, shop.orders.adaByEmail, shop.orders.adaByOrderId]) {
      expect(after.orders.find((order) => order.shopifyOrderId === orderId)).toMatchObject({
        email: null,
        phone: null,
        customerFirstName: null,
        shopifyCustomerId: null,
        locale: null,
        redactedAt,
        name: `#${orderId}`,
        destinationCountry: "US",
      });
    }
    expect(after.orders.find((order) => order.shopifyOrderId === shop.orders.bob)).toEqual(before.orders.find((order) => order.shopifyOrderId === shop.orders.bob));
    // Tracking data is not personal data: shipments, links and events stay as they were.
    expect(after.shipments).toEqual(before.shipments);
    expect(after.links).toEqual(before.links);
    expect(after.events).toEqual(before.events);
    expect(after.events).toHaveLength(2);
    // Ada's earlier report is gone, Bob's stays.
    expect(after.dataRequests.map((row) => row.shopifyCustomerId)).toEqual([String(BOB.id)]);
    // Jobs of this shop that carry her e-mail are gone; Bob's stays.
    const remaining = new Set(after.jobs.map((job) => job.id));
    expect(remaining.has(adaDead)).toBe(false);
    expect(remaining.has(adaQueued)).toBe(false);
    expect(remaining.has(bobDead)).toBe(true);
    // The other shop, where the same e-mail belongs to someone the merchant there knows, is untouched.
    expect(await everythingOf(other.id, other.domain)).toEqual(otherBefore);
    expect(otherBefore.jobs.map((job) => job.id)).toContain(otherShopAda);

    // Shopify retries with the same webhook id: acknowledged, nothing queued, nothing changes.
    const jobsBefore = await countJobs(database.db);
    expect((await send()).status).toBe(200);
    expect(await countJobs(database.db)).toBe(jobsBefore);
    expect(await drain()).toBe(0);
    expect(await everythingOf(shop.id, shop.domain)).toEqual(after);
  });

  it("customers/redact also deletes queued and dead fulfillment jobs carrying the customer's e-mail", async () => {
    const shop = await shopWithCustomers("redact-jobs");
    const fulfillmentWebhook = async (webhookId: string, orderId: number) => {
      const payload = {
        id: orderId + 1_000_000,
        order_id: orderId,
        name: `#${orderId}.1`,
        status: "success",
        tracking_company: "UPS",
        tracking_numbers: [upsNumber(95_000 + orderId % 1000)],
        updated_at: "2026-11-24T04:59:15-05:00",
        email: ADA.email,
        destination: { first_name: "Ada", last_name: "Lovelace", address1: "12 Analytical Row", city: "London", zip: "NW1 6XE", country_code: "GB", phone: ADA.phone },
      };
      expect((await callAction(routes.fulfillmentCreate, complianceRequest("fulfillments/create", shop.domain, payload, { webhookId }))).status).toBe(200);
      return findJob(database.db, { dedupeKey: `shopify:${webhookId}` });
    };
    // One failed for good; the other, for an order Ada asks to erase, waits for its retry.
    const dead = await fulfillmentWebhook(`wh-dead-${shop.id}`, 410_001);
    await killJobs(database.db, [dead.id], "gave up");
    const waiting = await fulfillmentWebhook(`wh-waiting-${shop.id}`, 410_002);
    await parkQueuedJobs({ id: waiting.id });
    expect(dead.payload).toContain(ADA.email);

    const payload = { shop_id: 954889, shop_domain: shop.domain, customer: ADA, orders_to_redact: [410_002, Number(shop.orders.adaByOrderId)] };
    expect((await callAction(routes.redact, complianceRequest("customers/redact", shop.domain, payload))).status).toBe(200);
    await drain();

    // Later, the waiting job's retry is due.
    await rescheduleQueuedJob(database.db, waiting.id, new Date());
    await drain();
    const ordersWithHerEmail = await prisma().order.findMany({ where: { shopId: shop.id, email: ADA.email } });
    expect(ordersWithHerEmail).toEqual([]);
    const jobsWithHerEmail = await listJobs(database.db, { shopId: shop.id, payloadContains: ADA.email });
    expect(jobsWithHerEmail.map((job) => ({ type: job.type, state: job.state, shopId: job.shopId }))).toEqual([]);
  });

  it("customers/redact deletes only jobs carrying that exact e-mail, not a look-alike where '_' matches any character", async () => {
    const shop = await shopWithCustomers("redact-like");
    const redacted = await providerPush(shop.id, "john_doe@example.com", "dead");
    const lookAlike = await providerPush(shop.id, "john.doe@example.com", "queued");
    const payload = { shop_id: 954889, shop_domain: shop.domain, customer: { id: 777001, email: "john_doe@example.com" }, orders_to_redact: [] };
    expect((await callAction(routes.redact, complianceRequest("customers/redact", shop.domain, payload))).status).toBe(200);
    await drain();
    expect(await countJobs(database.db, { id: redacted })).toBe(0);
    expect(await countJobs(database.db, { id: lookAlike })).toBe(1);
  });

  it("shop/redact: every row of the shop is deleted, another shop's data is untouched", async () => {
    const shop = await shopWithCustomers("gone");
    const other = await shopWithCustomers("staying");
    for (const fixture of [shop, other]) {
      await collectCustomerData(services, { shop_domain: fixture.domain, customer: parsed(ADA), orders_requested: [], data_request: { id: "7" } });
      expect(await requestBackfill(services, fixture.id, 30)).toEqual(expect.any(String));
      await parkQueuedJobs({ shopId: fixture.id });
      await enqueueJob(prisma(), new Date(), JOB_TYPES.pollShipments, { shopId: fixture.id }, { shopId: fixture.id, dedupeKey: `poll:${fixture.id}` });
      await killJobs(database.db, [(await findJob(database.db, { dedupeKey: `poll:${fixture.id}` })).id], "gave up");
    }
    const before = await everythingOf(shop.id, shop.domain);
    // Every kind of row is there to be deleted.
    for (const [table, rows] of Object.entries(before)) {
      if (table === "shop") expect(rows).not.toBeNull();
      else expect(rows, table).not.toHaveLength(0);
    }
    // (The in-transit shipment's first carrier scan also queued its write-back to Shopify.)
    expect(before.jobs.filter((job) => job.type !== JOB_TYPES.writeFulfillmentEvent).map((job) => job.state).sort()).toEqual(["dead", "queued", "queued"]);
    const otherBefore = await everythingOf(other.id, other.domain);

    const webhookId = `wh-shop-redact-${shop.id}`;
    const response = await callAction(routes.shopRedact, complianceRequest("shop/redact", shop.domain, { shop_id: 954889, shop_domain: shop.domain }, { webhookId }));
    expect(response.status).toBe(200);
    expect(await drain()).toBe(1);
    expect(await findJob(database.db, { dedupeKey: `shopify:${webhookId}` })).toMatchObject({ state: "succeeded", result: "REDACTED" });

    const after = await everythingOf(shop.id, shop.domain);
    expect(after.shop).toBeNull();
    for (const [table, rows] of Object.entries(after)) {
      if (table !== "shop") expect(rows, table).toEqual([]);
    }
    // Rows that reference the deleted shipments and fulfillments by id, looked up directly.
    expect(await prisma().trackingEvent.count({ where: { shipmentId: { in: before.shipments.map((row) => row.id) } } })).toBe(0);
    expect(await prisma().shipmentFulfillment.count({ where: { fulfillmentId: { in: before.fulfillments.map((row) => row.id) } } })).toBe(0);
    expect(await prisma().shop.count({ where: { domain: shop.domain } })).toBe(0);

    expect(await everythingOf(other.id, other.domain)).toEqual(otherBefore);
  });

  it("shop/redact also deletes the shop's fulfillment jobs, which carry its customers' details", async () => {
    const shop = await shopWithCustomers("gone-jobs");
    const payload = {
      id: 6_100_001,
      order_id: 6_100_000,
      name: "#1042.1",
      status: "success",
      tracking_company: "UPS",
      tracking_numbers: [upsNumber(96_001)],
      updated_at: "2026-11-24T04:59:15-05:00",
      email: ADA.email,
      destination: { first_name: "Ada", address1: "12 Analytical Row", city: "London", zip: "NW1 6XE", country_code: "GB", phone: ADA.phone },
    };
    expect((await callAction(routes.fulfillmentCreate, complianceRequest("fulfillments/create", shop.domain, payload, { webhookId: `wh-gone-${shop.id}` }))).status).toBe(200);
    const job = await findJob(database.db, { dedupeKey: `shopify:wh-gone-${shop.id}` });
    await killJobs(database.db, [job.id], "gave up");

    expect((await callAction(routes.shopRedact, complianceRequest("shop/redact", shop.domain, { shop_id: 954889, shop_domain: shop.domain }))).status).toBe(200);
    await drain();
    expect(await prisma().shop.count({ where: { domain: shop.domain } })).toBe(0);
    expect(await listJobs(database.db, { payloadContains: shop.domain })).toEqual([]);
  });
});
