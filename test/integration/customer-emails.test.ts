import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { closeSmtpTransports } from "~/adapters/email/smtp-transport.server";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JobRunner } from "~/jobs/runner.server";
import type { ShipmentSubstatus, ShipmentStatus } from "~/domain/shipment-status";
import type { TrackingObservation } from "~/domain/tracking-observation";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import { collectCustomerData, redactCustomer } from "~/services/compliance.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { loadNotificationSettings, saveNotificationSettings } from "~/services/notification-settings.server";
import { ensureShop } from "~/services/shops.server";
import { registerPendingShipments } from "~/services/register-shipments.server";
import { verifyTrackingLinkToken } from "~/services/tracking-links.server";
import { emailAddressHash, unsubscribeUrl } from "~/services/unsubscribe-links.server";
import { callAction, configureAppEnvironment } from "../support/app-environment";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber, type ShopFixture } from "../support/factories";
import { createTestServices, TEST_API_SECRET } from "../support/services";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { countJobs, deleteJobs, listJobs } from "../support/jobs";

/**
 * Customer e-mails end to end on a real database and a real SMTP server: tracking updates (a
 * signed TrackingMore push through the webhook route, or observations applied as a poll would)
 * record milestones in the outbox, the job queue sends them, and we read what the SMTP server
 * accepted. Exactly once per (shipment, milestone) through duplicates, replays, out-of-order
 * updates and SMTP failures; never after an unsubscribe; never faster than the shop's rate.
 */

const API_KEY = "tm-email-key-abcdefgh";
const WEBHOOK_SECRET = "whsec-email-0123456789";
const APP_URL = "https://tracklight.test";

let database: TestDatabase;
let simulator: TrackingMoreSimulator;
let smtp: TestSmtpServer;
let clock: TestClock;
let services: ServiceContext;
let shop: ShopFixture;
let webhookRoute: typeof import("~/routes/webhooks.trackingmore.$token");
let unsubscribeRoute: typeof import("~/routes/email.unsubscribe.$token");
let numberSeed = 7_000;

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startTrackingMoreSimulator({ webhookRetryBaseMs: 20 });
  simulator.addAccount({ apiKey: API_KEY, email: "ops@shop.example", webhookSecret: WEBHOOK_SECRET });
  smtp = await startSmtpServer();
  configureAppEnvironment({ databaseUrl: database.url, trackingMoreBaseUrl: simulator.url });
  webhookRoute = await import("~/routes/webhooks.trackingmore.$token");
  unsubscribeRoute = await import("~/routes/email.unsubscribe.$token");
  clock = new TestClock(new Date());
  services = createTestServices(database.db, { clock, trackingMoreBaseUrl: simulator.url, settings: { email: smtp.emailSettings() } });
  shop = await createShopWithTrackingMore(services, { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, accountEmail: "ops@shop.example" });
});

afterAll(async () => {
  closeSmtpTransports();
  await smtp.stop();
  await simulator.close();
  await database.dispose();
});

beforeEach(async () => {
  smtp.messages.length = 0;
  await database.db.prisma.rateLimitWindow.deleteMany();
  await saveNotificationSettings(services, shop.id, { emailsPerMinute: 60, milestones: { shipped: { enabled: false }, delivered: { enabled: true }, new_delivery_date: { enabled: false } } });
});

/** Run every due job; the test clock never lags real time (the webhook route stamps jobs with it). */
async function runJobs(): Promise<void> {
  clock.set(new Date(Math.max(clock.now().getTime(), Date.now())));
  await new JobRunner(services, ALL_JOBS).drain();
}

interface Parcel {
  trackingNumber: string;
  orderId: string;
  email: string;
}

async function newParcel(customer: { email?: string; firstName?: string | null; locale?: string | null } = {}): Promise<Parcel> {
  const trackingNumber = upsNumber(++numberSeed);
  const email = customer.email ?? `buyer${numberSeed}@example.com`;
  const snapshot = fulfillmentSnapshot({ numbers: [trackingNumber] });
  snapshot.customer = { ...snapshot.customer!, email, firstName: customer.firstName === undefined ? "Ada" : customer.firstName, locale: customer.locale ?? "en" };
  await ingestFulfillment(services, shop.domain, snapshot);
  const order = await database.db.prisma.order.findUniqueOrThrow({ where: { shopId_shopifyOrderId: { shopId: shop.id, shopifyOrderId: snapshot.shopifyOrderId } } });
  await deleteJobs(database.db, { type: "shipments.register" });
  return { trackingNumber, orderId: order.id, email };
}

/** What a provider would report: the status and one checkpoint at `at`. */
function observation(parcel: Parcel, status: ShipmentStatus, substatus: ShipmentSubstatus | null, at: Date, description: string): TrackingObservation {
  return {
    provider: "trackingmore",
    trackingNumber: parcel.trackingNumber,
    carrierCode: "ups",
    providerTrackingId: null,
    status,
    substatus,
    rawStatus: null,
    asOf: at,
    events: [{ occurredAt: at, zoneKnown: true, status, substatus, description, location: "Lyon", city: "Lyon", state: null, countryCode: "FR", postalCode: null, rawStatus: null }],
  };
}

const minutesAgo = (minutes: number) => new Date(clock.now().getTime() - minutes * 60_000);

/**
 * The parcel's outbox rows in the order their events happened. The first carrier scan also earns
 * "shipped" (off by default, so recorded as skipped); left out unless asked for.
 */
async function notifications(parcel: Parcel, options: { withShipped?: boolean } = {}) {
  return database.db.prisma.customerNotification.findMany({
    where: { shipment: { trackingNumber: parcel.trackingNumber }, ...(options.withShipped ? {} : { milestone: { not: "shipped" } }) },
    orderBy: [{ occurredAt: "asc" }, { milestone: "asc" }],
  });
}

function v4Push(body: string): Request {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return new Request(`${APP_URL}/webhooks/trackingmore/${shop.webhookToken}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", timestamp, signature: createHmac("sha256", WEBHOOK_SECRET).update(timestamp).digest("hex") },
    body,
  });
}

async function pushFromSimulator(trackingNumber: string): Promise<string> {
  const response = await fetch(`${simulator.url}/v4/trackings/get?tracking_numbers=${trackingNumber}`, { headers: { "Tracking-Api-Key": API_KEY } });
  const { data } = (await response.json()) as { data: unknown[] };
  const body = JSON.stringify({ meta: { code: 200, message: "Success" }, data: data[0] });
  const acknowledged = await callAction(webhookRoute.action, v4Push(body), { token: shop.webhookToken });
  expect(acknowledged.status).toBe(200);
  return body;
}

describe(`customer e-mails on ${testDialect()}`, () => {
  it("a pushed status change sends exactly one e-mail: recipient, headers, both parts, language and a working signed link", async () => {
    const parcel = await newParcel({ email: "Claire.Martin@example.com", firstName: "Claire", locale: "fr-CA" });
    await registerPendingShipments(services, shop.id);
    await simulator.advance(API_KEY, parcel.trackingNumber, {
      status: "pickup",
      substatus: "pickup001",
      checkpoints: [{ at: new Date(Date.now() - 60_000), description: "Out for delivery", location: "Lyon" }],
    });
    const body = await pushFromSimulator(parcel.trackingNumber);
    await runJobs();

    const [received] = await smtp.waitForMessages(1);
    const [row] = await notifications(parcel);
    expect(row).toMatchObject({ milestone: "out_for_delivery", state: "sent", attempts: 1 });
    expect(received!.envelopeTo).toEqual(["Claire.Martin@example.com"]);
    expect(received!.envelopeFrom).toBe("tracking@tracklight.test");
    expect(received!.messageId).toBe(`<${row!.id}@tracklight.test>`);
    expect(row!.messageId).toBe(received!.messageId);
    expect(received!.parsed.subject).toBe(`Votre commande ${await orderName(parcel)} est en cours de livraison`);
    expect(received!.parsed.text).toContain("Bonjour Claire,");
    expect(received!.parsed.html).toContain('<html lang="fr"');

    const unsubscribe = unsubscribeUrl(APP_URL, TEST_API_SECRET, shop.domain, parcel.orderId, parcel.email);
    expect(received!.header("List-Unsubscribe")).toBe(`<${unsubscribe}>, <mailto:tracking@tracklight.test?subject=unsubscribe>`);
    expect(received!.header("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");

    const link = /https:\/\/[^\s"]+\/apps\/track\?token=[^\s"&]+/.exec(received!.parsed.text ?? "")?.[0];
    expect(link).toBeDefined();
    const token = new URL(link!).searchParams.get("token")!;
    expect(new URL(link!).hostname).toBe(shop.domain);
    expect(verifyTrackingLinkToken(TEST_API_SECRET, shop.domain, token)).toBe(parcel.orderId);
    expect(received!.parsed.html).toContain(`href="${link!.replaceAll("&", "&amp;")}"`);

    // TrackingMore delivers the same push again, and a poll later reports the same state: nothing more is sent.
    const again = await callAction(webhookRoute.action, v4Push(body), { token: shop.webhookToken });
    expect(await again.json()).toEqual({ result: "DUPLICATE" });
    await applyTrackingObservation(services, shop.id, observation(parcel, "pickup", "out_for_delivery", minutesAgo(1), "Out for delivery"));
    await runJobs();
    expect(smtp.messages).toHaveLength(1);
    expect(await notifications(parcel)).toHaveLength(1);
  });

  it("out of order: 'delivered' first, then the older 'out for delivery' arrives: one e-mail, 'delivered'", async () => {
    const parcel = await newParcel();
    await applyTrackingObservation(services, shop.id, observation(parcel, "delivered", "left_at_door", minutesAgo(5), "Delivered"));
    await applyTrackingObservation(services, shop.id, observation(parcel, "pickup", "out_for_delivery", minutesAgo(90), "Out for delivery"));
    await runJobs();
    await smtp.waitForMessages(1);
    expect(smtp.messages.map((message) => message.envelopeTo[0])).toEqual([parcel.email]);
    expect(smtp.messages[0]!.parsed.subject).toMatch(/has been delivered$/);
    expect((await notifications(parcel)).map((row) => [row.milestone, row.state])).toEqual([["delivered", "sent"]]);
  });

  it("both recorded before the worker ran: the one overtaken by the parcel is skipped as superseded", async () => {
    const parcel = await newParcel();
    await applyTrackingObservation(services, shop.id, observation(parcel, "pickup", "out_for_delivery", minutesAgo(90), "Out for delivery"));
    await applyTrackingObservation(services, shop.id, observation(parcel, "delivered", "signed_for", minutesAgo(5), "Delivered"));
    await runJobs();
    await smtp.waitForMessages(1);
    const rows = await notifications(parcel);
    expect(rows.map((row) => [row.milestone, row.state, row.reason])).toEqual([
      ["out_for_delivery", "skipped", "superseded"],
      ["delivered", "sent", null],
    ]);
    expect(smtp.messages).toHaveLength(1);
  });

  it("a temporary SMTP failure (451) is retried with backoff, then the e-mail goes out once", async () => {
    const parcel = await newParcel();
    smtp.failNext(451, 2);
    await applyTrackingObservation(services, shop.id, observation(parcel, "undelivered", "recipient_not_home", minutesAgo(2), "Recipient not home"));
    await runJobs();
    expect((await notifications(parcel))[0]).toMatchObject({ state: "queued", attempts: 1 });
    expect((await notifications(parcel))[0]!.lastError).toMatch(/451/);
    expect(smtp.messages).toHaveLength(0);
    for (let round = 0; round < 2; round++) {
      clock.advance(10 * 60_000);
      await runJobs();
    }
    await smtp.waitForMessages(1);
    expect(smtp.refusedCount()).toBeGreaterThanOrEqual(2);
    const [row] = await notifications(parcel);
    expect(row).toMatchObject({ milestone: "failed_attempt", state: "sent", attempts: 3 });
    expect(smtp.messages[0]!.messageId).toBe(row!.messageId);
    clock.advance(60 * 60_000);
    await runJobs();
    expect(smtp.messages).toHaveLength(1);
  });

  it("a permanent SMTP failure (550) is recorded as failed with the server's answer, and not retried", async () => {
    const parcel = await newParcel();
    smtp.failNext(550);
    await applyTrackingObservation(services, shop.id, observation(parcel, "exception", "customs_hold", minutesAgo(2), "Held at customs"));
    await runJobs();
    clock.advance(60 * 60_000);
    await runJobs();
    const [row] = await notifications(parcel);
    expect(row).toMatchObject({ milestone: "exception", state: "failed", reason: "rejected", attempts: 1 });
    expect(row!.lastError).toMatch(/550/);
    expect(smtp.messages).toHaveLength(0);
  });

  it("the unsubscribe page asks on GET (changes nothing), one-click POST suppresses, and later milestones are skipped", async () => {
    const parcel = await newParcel();
    const url = unsubscribeUrl(APP_URL, TEST_API_SECRET, shop.domain, parcel.orderId, parcel.email);
    const token = url.split("/").pop()!;
    const page = await unsubscribeRoute.loader({ request: new Request(url), params: { token }, context: {} });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form method="post"/);
    expect(await database.db.prisma.emailSuppression.count({ where: { shopId: shop.id } })).toBe(0);

    // Mail providers send RFC 8058's one-click POST as multipart/form-data or urlencoded.
    const oneClickForm = new FormData();
    oneClickForm.set("List-Unsubscribe", "One-Click");
    const oneClick = new Request(url, { method: "POST", body: oneClickForm });
    const done = await callAction(unsubscribeRoute.action, oneClick, { token });
    expect(done.status).toBe(200);
    expect(await database.db.prisma.emailSuppression.findMany({ where: { shopId: shop.id }, select: { scope: true, subject: true } })).toEqual([
      { scope: "order", subject: parcel.orderId },
    ]);

    await applyTrackingObservation(services, shop.id, observation(parcel, "delivered", "left_at_door", minutesAgo(2), "Delivered"));
    await runJobs();
    expect((await notifications(parcel)).map((row) => [row.state, row.reason])).toEqual([["skipped", "unsubscribed"]]);
    expect(smtp.messages).toHaveLength(0);
  });

  it("'all my orders' suppresses the address for the shop's other orders too", async () => {
    const first = await newParcel({ email: "sam@example.com" });
    const second = await newParcel({ email: "SAM@example.com" });
    const url = unsubscribeUrl(APP_URL, TEST_API_SECRET, shop.domain, first.orderId, first.email);
    const token = url.split("/").pop()!;
    const confirm = new Request(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "everyOrder=on" });
    expect((await callAction(unsubscribeRoute.action, confirm, { token })).status).toBe(200);
    expect(await database.db.prisma.emailSuppression.count({ where: { shopId: shop.id, scope: "customer", subject: emailAddressHash("sam@example.com") } })).toBe(1);

    await applyTrackingObservation(services, shop.id, observation(second, "delivered", "left_at_door", minutesAgo(2), "Delivered"));
    await runJobs();
    expect((await notifications(second)).map((row) => row.reason)).toEqual(["unsubscribed"]);
    expect(smtp.messages).toHaveLength(0);
  });

  it.each([
    ["a token with a forged signature", (token: string) => `${token.slice(0, -4)}AAAA`],
    ["a token for another shop", (token: string) => token],
    ["garbage", () => "not-a-token"],
  ])("refuses %s with 404 on GET and POST and changes nothing", async (label, tamper) => {
    const parcel = await newParcel();
    const domain = label === "a token for another shop" ? "other-shop.myshopify.com" : shop.domain;
    const token = tamper(unsubscribeUrl(APP_URL, TEST_API_SECRET, domain, parcel.orderId, parcel.email).split("/").pop()!);
    const before = await database.db.prisma.emailSuppression.count();
    const url = `${APP_URL}/email/unsubscribe/${token}`;
    expect((await unsubscribeRoute.loader({ request: new Request(url), params: { token }, context: {} })).status).toBe(404);
    const post = new Request(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect((await callAction(unsubscribeRoute.action, post, { token })).status).toBe(404);
    expect(await database.db.prisma.emailSuppression.count()).toBe(before);
  });

  it("the per-shop rate limit defers e-mails over it to the next minute, without losing any", async () => {
    await saveNotificationSettings(services, shop.id, { emailsPerMinute: 1 });
    clock.set(new Date(Math.ceil(Math.max(clock.now().getTime(), Date.now()) / 60_000) * 60_000 + 1_000));
    const parcels = [await newParcel(), await newParcel()];
    for (const parcel of parcels) {
      await applyTrackingObservation(services, shop.id, observation(parcel, "delivered", "left_at_door", minutesAgo(2), "Delivered"));
    }
    await runJobs();
    expect(smtp.messages).toHaveLength(1);
    const deferred = await (await listJobs(database.db, { type: "notifications.send-customer-email", states: ["queued"] }))[0];
    expect(deferred).not.toBeNull();
    clock.advance(60_000);
    await runJobs();
    await smtp.waitForMessages(2);
    expect(new Set(smtp.messages.map((message) => message.envelopeTo[0]))).toEqual(new Set(parcels.map((parcel) => parcel.email)));
  });

  it("switched-off and stale milestones are recorded as skipped, never sent; switching off after recording skips at send time", async () => {
    const parcel = await newParcel();
    // "shipped" is off by default: the first carrier scan is recorded, not sent.
    await applyTrackingObservation(services, shop.id, observation(parcel, "transit", "in_transit", minutesAgo(30), "Picked up"));
    // An out-for-delivery scan that reached us 100 hours late (over the default 72).
    const stale = await newParcel();
    await applyTrackingObservation(services, shop.id, observation(stale, "pickup", "out_for_delivery", minutesAgo(100 * 60), "Out for delivery"));
    expect(await countJobs(database.db, { type: "notifications.send-customer-email", states: ["queued"] })).toBe(0);

    await applyTrackingObservation(services, shop.id, observation(parcel, "delivered", "left_at_door", minutesAgo(2), "Delivered"));
    await saveNotificationSettings(services, shop.id, { milestones: { delivered: { enabled: false } } });
    await runJobs();
    expect((await notifications(parcel, { withShipped: true })).map((row) => [row.milestone, row.state, row.reason])).toEqual([
      ["shipped", "skipped", "disabled"],
      ["delivered", "skipped", "disabled"],
    ]);
    expect((await notifications(stale)).map((row) => [row.milestone, row.state, row.reason])).toEqual([["out_for_delivery", "skipped", "stale"]]);
    expect(smtp.messages).toHaveLength(0);
  });

  it("a delivery date moved by a day or more is e-mailed once per new date (when switched on)", async () => {
    await saveNotificationSettings(services, shop.id, { milestones: { new_delivery_date: { enabled: true } } });
    const parcel = await newParcel();
    const day = (iso: string) => ({ start: new Date(iso), end: null });
    const withEstimate = (minutes: number, description: string, estimate: string) => ({
      ...observation(parcel, "transit", "in_transit", minutesAgo(minutes), description),
      estimatedDelivery: day(estimate),
    });
    await applyTrackingObservation(services, shop.id, withEstimate(60, "Arrived at hub", "2099-11-26T00:00:00Z"));
    await applyTrackingObservation(services, shop.id, withEstimate(50, "Delayed: weather", "2099-11-28T00:00:00Z"));
    await applyTrackingObservation(services, shop.id, withEstimate(50, "Delayed: weather", "2099-11-28T00:00:00Z"));
    await applyTrackingObservation(services, shop.id, withEstimate(40, "Departed hub", "2099-11-28T09:00:00Z"));
    await runJobs();
    await smtp.waitForMessages(1);
    expect((await notifications(parcel)).map((row) => [row.dedupeKey, row.state])).toEqual([["new_delivery_date:2099-11-28", "sent"]]);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.parsed.subject).toMatch(/^New delivery date for your order/);
  });

  it("an order without an e-mail address records 'no_email'", async () => {
    const parcel = await newParcel({ email: "" });
    await applyTrackingObservation(services, shop.id, observation(parcel, "delivered", "left_at_door", minutesAgo(2), "Delivered"));
    await runJobs();
    expect((await notifications(parcel)).map((row) => [row.state, row.reason])).toEqual([["skipped", "no_email"]]);
  });

  it("without an SMTP server configured (SMTP_URL unset) nothing is sent and the row says why", async () => {
    const parcel = await newParcel();
    await applyTrackingObservation(services, shop.id, observation(parcel, "delivered", "left_at_door", minutesAgo(2), "Delivered"));
    const unconfigured = createTestServices(database.db, { clock, settings: { email: { ...smtp.emailSettings(), smtpUrl: null } } });
    clock.set(new Date(Math.max(clock.now().getTime(), Date.now())));
    await new JobRunner(unconfigured, ALL_JOBS).drain();
    expect((await notifications(parcel)).map((row) => [row.state, row.reason])).toEqual([["skipped", "not_configured"]]);
    expect(smtp.messages).toHaveLength(0);
  });

  it("a queued row whose job went missing is queued again by the scheduler's sweep and sent once", async () => {
    const parcel = await newParcel();
    await applyTrackingObservation(services, shop.id, observation(parcel, "delivered", "left_at_door", minutesAgo(2), "Delivered"));
    await deleteJobs(database.db, { type: "notifications.send-customer-email" });
    const { schedulePeriodicWork } = await import("~/jobs/scheduler.server");
    clock.advance(2 * 60_000);
    await schedulePeriodicWork(services);
    await schedulePeriodicWork(services);
    await runJobs();
    await smtp.waitForMessages(1);
    expect(smtp.messages).toHaveLength(1);
    expect((await notifications(parcel))[0]!.state).toBe("sent");
  });

  it("notification settings: defaults until saved, a bad value stores nothing and names the field", async () => {
    const fresh = await ensureShop(services, "settings-shop.myshopify.com");
    const defaults = await loadNotificationSettings(services, fresh.id);
    expect(Object.fromEntries(Object.entries(defaults.milestones).map(([milestone, value]) => [milestone, value.enabled]))).toEqual({
      shipped: false,
      out_for_delivery: true,
      delivered: true,
      failed_attempt: true,
      exception: true,
      available_for_pickup: false,
      new_delivery_date: false,
    });
    expect(defaults).toMatchObject({ maxEventAgeHours: 72, emailsPerMinute: 60, shopifyWriteBack: true, senderName: null });

    const refused = await saveNotificationSettings(services, fresh.id, {
      accentColor: "red",
      logoUrl: "http://cdn.example.com/logo.png",
      senderName: 'Shop <evil@example.com>',
      milestones: { delivered: { subject: "Line one\nBcc: someone@example.com" } },
      emailsPerMinute: 0,
    });
    expect(refused.ok).toBe(false);
    expect(refused.ok ? [] : refused.errors.map((error) => error.field).sort()).toEqual(["accentColor", "emailsPerMinute", "logoUrl", "milestones.delivered.subject", "senderName"]);
    expect(await database.db.prisma.shopNotificationSettings.count({ where: { shopId: fresh.id } })).toBe(0);
    expect((await saveNotificationSettings(services, fresh.id, { milestones: { teleported: { enabled: true } } })).ok).toBe(false);

    const saved = await saveNotificationSettings(services, fresh.id, {
      senderName: "Sample Shop",
      accentColor: "#FFD400",
      logoUrl: "https://cdn.example.com/logo.png",
      replyTo: "help@shop.example",
      milestones: { shipped: { enabled: true, subject: "On its way, {first_name}!" } },
    });
    expect(saved.ok).toBe(true);
    const loaded = await loadNotificationSettings(services, fresh.id);
    expect(loaded.milestones.shipped).toEqual({ enabled: true, subject: "On its way, {first_name}!", intro: null });
    expect(loaded.milestones.delivered.enabled).toBe(true);
    expect(loaded).toMatchObject({ senderName: "Sample Shop", accentColor: "#FFD400", replyTo: "help@shop.example" });
    // Clearing a text brings back the default.
    await saveNotificationSettings(services, fresh.id, { milestones: { shipped: { subject: "" } } });
    expect((await loadNotificationSettings(services, fresh.id)).milestones.shipped).toEqual({ enabled: true, subject: null, intro: null });
  });

  it("customers/redact forgets the customer's unsubscribe records; customers/data_request lists the e-mails sent", async () => {
    const parcel = await newParcel({ email: "redact.me@example.com" });
    await applyTrackingObservation(services, shop.id, observation(parcel, "delivered", "left_at_door", minutesAgo(2), "Delivered"));
    await runJobs();
    await smtp.waitForMessages(1);
    const order = await database.db.prisma.order.findUniqueOrThrow({ where: { id: parcel.orderId } });

    const report = await collectCustomerData(services, { shop_domain: shop.domain, customer: { id: order.shopifyCustomerId!, email: parcel.email }, orders_requested: [] } as never);
    const stored = JSON.parse((await database.db.prisma.customerDataRequest.findUniqueOrThrow({ where: { id: report.reportId! } })).report);
    expect(stored.orders[0].shipments[0].emailsSent).toEqual([{ milestone: "delivered", sentAt: expect.any(String) }]);

    const url = unsubscribeUrl(APP_URL, TEST_API_SECRET, shop.domain, parcel.orderId, parcel.email);
    const token = url.split("/").pop()!;
    const confirm = new Request(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "everyOrder=on" });
    await callAction(unsubscribeRoute.action, confirm, { token });
    expect(await database.db.prisma.emailSuppression.count({ where: { subject: { in: [parcel.orderId, emailAddressHash(parcel.email)] } } })).toBe(2);
    await redactCustomer(services, { shop_domain: shop.domain, customer: { id: order.shopifyCustomerId!, email: parcel.email }, orders_to_redact: [order.shopifyOrderId] } as never);
    expect(await database.db.prisma.emailSuppression.count({ where: { subject: { in: [parcel.orderId, emailAddressHash(parcel.email)] } } })).toBe(0);
  });
});

async function orderName(parcel: Parcel): Promise<string> {
  return (await database.db.prisma.order.findUniqueOrThrow({ where: { id: parcel.orderId } })).name!;
}
