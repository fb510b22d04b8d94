import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startUpsSimulator, type UpsSimulator } from "../../simulators/ups";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { JobRunner } from "~/jobs/runner.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { accountFromRow, connectProvider } from "~/services/provider-accounts.server";
import { queueSubscriptionRenewals, registerPendingShipments } from "~/services/register-shipments.server";
import { ensureShop } from "~/services/shops.server";
import { callAction, configureAppEnvironment } from "../support/app-environment";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices } from "../support/services";
import { countJobs, deleteJobs, findFirstJob, listJobs } from "../support/jobs";

/**
 * UPS Track Alert from the app's side: the per-shop webhook receiver (credential, limits, the
 * acknowledgement that stores before it processes), applying stored events, the history fetched
 * once after subscribing, and the 14-day renewals. The simulator runs UPS's production rules.
 */

const CLIENT = { clientId: "ups-client-id-0123456789", clientSecret: "ups-client-secret-0123456789" };
const DAY_MS = 24 * 60 * 60_000;

let database: TestDatabase;
let ups: UpsSimulator;
let clock: TestClock;
let services: ServiceContext;
let route: typeof import("~/routes/webhooks.ups.$token");

interface UpsShop {
  id: string;
  domain: string;
  webhookToken: string;
  credential: string;
}

let sequence = 0;
async function createUpsShop(): Promise<UpsShop> {
  const shop = await ensureShop(services, `ups-shop-${++sequence}.myshopify.com`);
  await connectProvider(services, shop.id, { provider: "ups", credentials: CLIENT });
  await deleteJobs(database.db, { shopId: shop.id });
  const row = await database.db.prisma.providerAccount.findUniqueOrThrow({ where: { shopId_provider: { shopId: shop.id, provider: "ups" } } });
  const account = accountFromRow(services, row);
  if (account.provider !== "ups") throw new Error("expected the UPS account");
  return { id: shop.id, domain: shop.domain, webhookToken: shop.webhookToken, credential: account.credentials.webhookCredential };
}

/** A Track Alert event as UPS posts it: every field a string, blanks where UPS leaves them blank. */
function trackAlertEvent(trackingNumber: string, status: { type: string; code?: string; description: string }, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    trackingNumber,
    localActivityDate: "20261123",
    localActivityTime: "143000",
    gmtActivityDate: "20261123",
    gmtActivityTime: "183000",
    gmtOffset: "-04.00",
    activityLocation: { city: "ATLANTA", stateProvince: "GA", postalCode: "", country: "US" },
    activityStatus: { type: status.type, code: status.code ?? "", description: status.description },
    scheduledDeliveryDate: "20261125",
    actualDeliveryDate: "",
    actualDeliveryTime: "",
    deliveryStartTime: "",
    deliveryEndTime: "",
    deliveryTimeDescription: "end of day",
    deliveryPhoto: "",
    ...extra,
  });
}

function upsRequest(token: string, body: string, credential: string | null): Request {
  const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "UPSPubSubTrackingService" };
  if (credential !== null) headers.credential = credential;
  return new Request(`https://tracklight.test/webhooks/ups/${token}`, { method: "POST", headers, body });
}

async function post(shop: Pick<UpsShop, "webhookToken">, body: string, credential: string | null): Promise<Response> {
  return callAction(route.action, upsRequest(shop.webhookToken, body, credential), { token: shop.webhookToken });
}

async function snapshotOfWrites() {
  const [jobs, events, shipments, accounts] = await Promise.all([
    countJobs(database.db),
    database.db.prisma.trackingEvent.count(),
    database.db.prisma.shipment.findMany({ select: { id: true, status: true, version: true }, orderBy: { id: "asc" } }),
    database.db.prisma.providerAccount.findMany({ select: { id: true, ignoredEvents: true }, orderBy: { id: "asc" } }),
  ]);
  return { jobs, events, shipments, accounts };
}

/** Runs every due job. The receiver route stamps jobs with the real clock, so the test clock never lags behind it. */
function drain() {
  if (clock.now().getTime() < Date.now()) clock.set(new Date());
  return new JobRunner(services, ALL_JOBS).drain();
}

async function shipmentOf(shopId: string, trackingNumber: string) {
  return database.db.prisma.shipment.findUniqueOrThrow({ where: { shopId_trackingNumber: { shopId, trackingNumber } } });
}

beforeAll(async () => {
  database = await createTestDatabase();
  clock = new TestClock(new Date());
  ups = await startUpsSimulator({ environment: "production", now: () => clock.now() });
  ups.addClient(CLIENT);
  configureAppEnvironment({ databaseUrl: database.url });
  route = await import("~/routes/webhooks.ups.$token");
  services = createTestServices(database.db, { upsBaseUrl: ups.url, clock });
});

afterAll(async () => {
  await ups.close();
  await database.dispose();
});

beforeEach(async () => {
  await deleteJobs(database.db);
  clock.set(new Date());
});

describe(`UPS Track Alert webhook receiver on ${testDialect()}`, () => {
  it("stores the raw event before answering 200, then the job applies it to the shipment (number trimmed)", async () => {
    const shop = await createUpsShop();
    const number = upsNumber(7_001);
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [number] }));
    await deleteJobs(database.db);

    // The vendor's own sample pads the number with a leading space.
    const body = trackAlertEvent(` ${number}`, { type: "I", code: "OT", description: "Out For Delivery Today" });
    const response = await post(shop, body, shop.credential);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "ENQUEUED" });
    const stored = await listJobs(database.db, { type: JOB_TYPES.applyUpsEvent });
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0]!.payload)).toEqual({ shopId: shop.id, body });
    // Acknowledged before processing.
    expect((await shipmentOf(shop.id, number)).status).toBe("pending");

    // UPS does not retry, but a proxy might: the same body is stored once.
    expect(await (await post(shop, body, shop.credential)).json()).toEqual({ result: "DUPLICATE" });

    await drain();
    const shipment = await shipmentOf(shop.id, number);
    expect(shipment).toMatchObject({ status: "pickup", substatus: "out_for_delivery" });
    const events = await database.db.prisma.trackingEvent.findMany({ where: { shipmentId: shipment.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ description: "Out For Delivery Today", source: "ups" });
    expect(events[0]!.location).toContain("ATLANTA");
  });

  it.each([
    ["no credential header", null],
    ["a wrong credential", "x".repeat(43)],
    ["another shop's credential", "other"],
  ])("refuses %s with 401 and stores nothing", async (_label, presented) => {
    const shop = await createUpsShop();
    const other = await createUpsShop();
    const credential = presented === "other" ? other.credential : presented;
    const before = await snapshotOfWrites();
    const response = await post(shop, trackAlertEvent(upsNumber(7_002), { type: "D", code: "FS", description: "DELIVERED" }), credential);
    expect(response.status).toBe(401);
    expect(await snapshotOfWrites()).toEqual(before);
  });

  it("answers 404 for an address no shop owns, and 400 for a body that is not JSON or not an event", async () => {
    const shop = await createUpsShop();
    const before = await snapshotOfWrites();
    const unknown = await post({ webhookToken: "no-such-token-0123456789" }, trackAlertEvent(upsNumber(7_003), { type: "I", description: "x" }), shop.credential);
    expect(unknown.status).toBe(404);
    expect((await post(shop, "{not json", shop.credential)).status).toBe(400);
    expect((await post(shop, JSON.stringify({ hello: "world" }), shop.credential)).status).toBe(400);
    expect((await post(shop, trackAlertEvent("   ", { type: "I", description: "x" }), shop.credential)).status).toBe(400);
    expect(await snapshotOfWrites()).toEqual(before);
  });

  it("refuses a body over 64 KB with 413 and stores nothing", async () => {
    const shop = await createUpsShop();
    const before = await snapshotOfWrites();
    const body = trackAlertEvent(upsNumber(7_004), { type: "I", description: "x".repeat(70 * 1024) });
    const response = await post(shop, body, shop.credential);
    expect(response.status).toBe(413);
    expect(await snapshotOfWrites()).toEqual(before);
  });

  it("an event for a number the shop does not track is acknowledged, counted on the UPS account and ignored", async () => {
    const shop = await createUpsShop();
    const response = await post(shop, trackAlertEvent(upsNumber(7_005), { type: "D", code: "FS", description: "DELIVERED" }), shop.credential);
    expect(response.status).toBe(200);
    await drain();
    const account = await database.db.prisma.providerAccount.findUniqueOrThrow({ where: { shopId_provider: { shopId: shop.id, provider: "ups" } } });
    expect(account.ignoredEvents).toBe(1);
    expect(await database.db.prisma.shipment.count({ where: { shopId: shop.id } })).toBe(0);
    const job = await findFirstJob(database.db, { type: JOB_TYPES.applyUpsEvent, shopId: shop.id });
    expect(job.state).toBe("succeeded");
  });

  it("a shop that uninstalled: a genuine event is acknowledged and dropped, a forged one still refused", async () => {
    const shop = await createUpsShop();
    await database.db.prisma.shop.update({ where: { id: shop.id }, data: { uninstalledAt: new Date() } });
    const body = trackAlertEvent(upsNumber(7_006), { type: "I", description: "Departed from Facility" });
    const genuine = await post(shop, body, shop.credential);
    // The receiver caches the shop for a few seconds; the cached entry predates the uninstall only
    // if this shop was looked up before, which it was not.
    expect(await genuine.json()).toEqual({ result: "IGNORED_SHOP_INACTIVE" });
    expect((await post(shop, body, "forged")).status).toBe(401);
    expect(await countJobs(database.db, { type: JOB_TYPES.applyUpsEvent })).toBe(0);
  });

  it("maps an estimate-only update (U) to a new estimated delivery without changing the status", async () => {
    const shop = await createUpsShop();
    const number = upsNumber(7_007);
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [number] }));
    await post(shop, trackAlertEvent(number, { type: "I", code: "DP", description: "Departed from Facility" }, { localActivityTime: "090000", gmtActivityTime: "130000" }), shop.credential);
    await drain();
    expect((await shipmentOf(shop.id, number)).status).toBe("transit");

    await post(
      shop,
      trackAlertEvent(number, { type: "U", description: "The delivery date has been updated" }, { scheduledDeliveryDate: "20261127", deliveryTimeDescription: "estimated delivery window", deliveryStartTime: "090000", deliveryEndTime: "130000" }),
      shop.credential,
    );
    await drain();
    const updated = await shipmentOf(shop.id, number);
    expect(updated.status).toBe("transit");
    expect(updated.estimatedDeliveryAt?.toISOString().slice(0, 10)).toBe("2026-11-27");
  });

  it("only POST is accepted", async () => {
    const response = await route.loader();
    expect(response.status).toBe(405);
  });
});

describe(`UPS subscriptions on ${testDialect()}`, () => {
  it("subscribes 1Z numbers with the shop's destination and credential, then fetches the history once with the Track API", async () => {
    const shop = await createUpsShop();
    const number = upsNumber(7_101);
    const start = clock.now();
    ups.setPackage(number, {
      activities: [
        { at: new Date(start.getTime() - 2 * DAY_MS), status: "manifest" },
        { at: new Date(start.getTime() - DAY_MS), status: "pickup" },
      ],
    });
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [number] }));
    ups.resetCalls();
    await drain();

    const subscription = ups.subscriptions().find((candidate) => candidate.trackingNumber === number);
    expect(subscription).toMatchObject({ url: `${services.settings.appUrl}/webhooks/ups/${shop.webhookToken}`, credential: shop.credential });
    expect(shop.credential.length).toBeGreaterThanOrEqual(43); // 32 random bytes, base64url
    const shipment = await shipmentOf(shop.id, number);
    expect(shipment).toMatchObject({ provider: "ups", registrationState: "registered", status: "transit" });
    expect(subscription!.expiresAt.getTime() - subscription!.subscribedAt.getTime()).toBe(14 * DAY_MS);
    expect(shipment.subscriptionExpiresAt?.getTime()).toBe(subscription!.expiresAt.getTime());
    expect(await database.db.prisma.trackingEvent.count({ where: { shipmentId: shipment.id } })).toBe(2);
    const paths = ups.calls.filter((call) => call.api !== "control" && call.api !== "oauth").map((call) => `${call.method} ${call.path}`);
    expect(paths).toEqual(["POST /api/track/v1/subscription/standard/package", `GET /api/track/v1/details/${number}`]);

    // A second scheduler tick finds nothing to fetch: the history was fetched once.
    ups.resetCalls();
    await drain();
    expect(ups.calls.filter((call) => call.api === "track")).toHaveLength(0);
  });

  it("a shop on UPS alone: a USPS number is refused locally with a reason the merchant can act on, never sent to UPS", async () => {
    const shop = await createUpsShop();
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: ["9400111206206406260787"], company: "USPS" }));
    ups.resetCalls();
    await drain();
    const shipment = await shipmentOf(shop.id, "9400111206206406260787");
    expect(shipment.registrationState).toBe("failed");
    expect(shipment.registrationError).toMatch(/1Z/);
    expect(ups.calls.filter((call) => call.api === "trackalert")).toHaveLength(0);
  });

  it("resubscribes undelivered shipments two days before the 14 days lapse; delivered ones and uninstalled shops lapse", async () => {
    const shop = await createUpsShop();
    const gone = await createUpsShop();
    const [moving, delivered, ofGoneShop] = [upsNumber(7_201), upsNumber(7_202), upsNumber(7_203)];
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: [moving, delivered] }));
    await ingestFulfillment(services, gone.domain, fulfillmentSnapshot({ numbers: [ofGoneShop] }));
    for (const shopId of [shop.id, gone.id]) await registerPendingShipments(services, shopId);
    await post(shop, trackAlertEvent(delivered, { type: "D", code: "FS", description: "DELIVERED" }, { actualDeliveryDate: "20261123", actualDeliveryTime: "143000" }), shop.credential);
    await drain();
    expect((await shipmentOf(shop.id, delivered)).status).toBe("delivered");
    await database.db.prisma.shop.update({ where: { id: gone.id }, data: { uninstalledAt: clock.now() } });
    const firstExpiry = (await shipmentOf(shop.id, moving)).subscriptionExpiresAt!;

    // Eleven days on: nothing is due yet.
    clock.advance(11 * DAY_MS);
    expect(await queueSubscriptionRenewals(services)).not.toContain(shop.id);

    // Twelve and a half days on: inside the 48-hour margin.
    clock.advance(1.5 * DAY_MS);
    const due = await queueSubscriptionRenewals(services);
    expect(due).toContain(shop.id);
    expect(due).not.toContain(gone.id);
    ups.resetCalls();
    await registerPendingShipments(services, shop.id);
    const subscribeCalls = ups.calls.filter((call) => call.api === "trackalert");
    expect(subscribeCalls).toHaveLength(1);
    const renewed = await shipmentOf(shop.id, moving);
    expect(renewed.registrationState).toBe("registered");
    expect(renewed.subscriptionExpiresAt!.getTime()).toBe(clock.now().getTime() + 14 * DAY_MS);
    expect(renewed.subscriptionExpiresAt!.getTime()).toBeGreaterThan(firstExpiry.getTime());
    const atUps = ups.subscriptions().filter((subscription) => [moving, delivered, ofGoneShop].includes(subscription.trackingNumber));
    expect(atUps.find((s) => s.trackingNumber === moving)!.expiresAt.getTime()).toBe(renewed.subscriptionExpiresAt!.getTime());
    expect(atUps.find((s) => s.trackingNumber === delivered)!.expiresAt.getTime()).toBe(firstExpiry.getTime());
    expect(atUps.find((s) => s.trackingNumber === ofGoneShop)!.expiresAt.getTime()).toBeLessThanOrEqual(firstExpiry.getTime());

    // Renewing does not fetch the history again.
    expect(ups.calls.filter((call) => call.api === "track")).toHaveLength(0);
    // And a second tick right after finds nothing due for this shop.
    expect(await queueSubscriptionRenewals(services)).not.toContain(shop.id);
  });
});
