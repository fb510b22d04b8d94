import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type SimCall, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import { ServiceUnavailableError } from "~/domain/errors";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { JobRunner } from "~/jobs/runner.server";
import { schedulePeriodicWork } from "~/jobs/scheduler.server";
import { ProviderThrottle } from "~/lib/provider-throttle.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { pollStaleShipments } from "~/services/poll-shipments.server";
import { registerPendingShipments } from "~/services/register-shipments.server";
import { ensureShop, markShopUninstalled } from "~/services/shops.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber, type ShopFixture } from "../support/factories";
import { createTestServices } from "../support/services";
import { countJobs, deleteJobs, failJobsOnce, listJobs } from "../support/jobs";

const MINUTE = 60_000;
/** Just over the default polling interval (360 minutes). */
const PAST_INTERVAL = 361 * MINUTE;

let database: TestDatabase;
let simulator: TrackingMoreSimulator;
let clock: TestClock;
let services: ServiceContext;
/** Runs while the provider client waits for its next request slot: lets a test act between two pages. */
let whileWaitingForSlot: (() => void) | null = null;
let keyCounter = 0;

beforeEach(async () => {
  database = await createTestDatabase();
  clock = new TestClock(new Date());
  // The simulator keeps time with the test clock, so "updated since" windows line up with ours.
  simulator = await startTrackingMoreSimulator({
    rateLimits: { v4Create: Infinity, v4Other: Infinity, v2: Infinity, v2Realtime: Infinity },
    now: () => clock.now(),
  });
  // The real throttle; waiting for a request slot moves the test clock instead of real time.
  const throttle = new ProviderThrottle(database.db, clock, {
    maxWaitMs: 5_000,
    sleep: async (ms) => {
      clock.advance(ms);
      const action = whileWaitingForSlot;
      whileWaitingForSlot = null;
      action?.();
    },
  });
  services = { ...createTestServices(database.db, { clock, trackingMoreBaseUrl: simulator.url }), throttle };
});

afterEach(async () => {
  whileWaitingForSlot = null;
  await simulator?.close();
  await database?.dispose();
});

async function shopOn(apiVersion: "v4" | "v2"): Promise<ShopFixture & { apiKey: string }> {
  const apiKey = `tm-poll-key-${++keyCounter}-abcdefgh`;
  simulator.addAccount({ apiKey, email: "ops@shop.example", webhookSecret: "whsec-test-0123456789" });
  const shop = await createShopWithTrackingMore(services, { apiKey, apiVersion });
  return { ...shop, apiKey };
}

/** `count` UPS numbers from `firstIndex`, ingested as fulfillments of four numbers (the last one may be shorter). */
async function addShipments(shop: ShopFixture, count: number, firstIndex: number): Promise<string[]> {
  const numbers = Array.from({ length: count }, (_, i) => upsNumber(firstIndex + i));
  for (let start = 0; start < count; start += 4) {
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ numbers: numbers.slice(start, start + 4) }));
  }
  return numbers;
}

function shipmentsByNumber(shopId: string, numbers: string[]) {
  return database.db.prisma.shipment.findMany({ where: { shopId, trackingNumber: { in: numbers } }, orderBy: { trackingNumber: "asc" } });
}

function numbersAsked(call: SimCall): string[] {
  return (new URLSearchParams(call.query).get("tracking_numbers") ?? "").split(",").filter(Boolean);
}

function listCalls() {
  return simulator.calls.filter((call) => call.method === "GET" && (call.path === "/v4/trackings/get" || call.path === "/v2/trackings/get"));
}

/** Trackings the account has beyond this shop's (the dashboard, another shop on the same key), added through the API. */
async function seedOtherTrackings(apiKey: string, count: number, firstIndex: number): Promise<string[]> {
  const numbers = Array.from({ length: count }, (_, i) => upsNumber(firstIndex + i));
  for (let start = 0; start < count; start += 40) {
    const body = numbers.slice(start, start + 40).map((number) => ({ tracking_number: number, courier_code: "ups" }));
    const response = await fetch(`${simulator.url}/v4/trackings/batch`, {
      method: "POST",
      headers: { "Tracking-Api-Key": apiKey, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  }
  return numbers;
}

function query(call: SimCall) {
  return Object.fromEntries(new URLSearchParams(call.query));
}

describe(`polling TrackingMore v4 on ${testDialect()}`, () => {
  it("refreshes 100 stale shipments in 3 calls of at most 40, applies the provider's data, and skips fresh, final and stopped ones", async () => {
    const shop = await shopOn("v4");
    const stale = await addShipments(shop, 100, 0);
    const fresh = await addShipments(shop, 4, 1_000);
    const delivered = await addShipments(shop, 4, 2_000);
    const expired = await addShipments(shop, 4, 3_000);
    const removed = upsNumber(4_000);
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ shopifyFulfillmentId: "ful-removed", shopifyOrderId: "ord-removed", numbers: [removed] }));
    expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 113 });

    // The merchant removed one number from its fulfillment: tracking it stopped.
    await ingestFulfillment(services, shop.domain, fulfillmentSnapshot({ shopifyFulfillmentId: "ful-removed", shopifyOrderId: "ord-removed", numbers: [], updatedAt: new Date("2026-11-21T10:00:00Z") }));
    await database.db.prisma.shipment.updateMany({ where: { shopId: shop.id, trackingNumber: { in: delivered } }, data: { status: "delivered" } });
    await database.db.prisma.shipment.updateMany({ where: { shopId: shop.id, trackingNumber: { in: expired } }, data: { status: "expired" } });
    // At the provider, ten of the stale ones moved on (their pushes were missed), and so did every skipped one.
    const moved = stale.slice(0, 10);
    for (const number of [...moved, ...fresh, ...delivered, ...expired, removed]) {
      await simulator.advance(shop.apiKey, number, "next");
      await simulator.advance(shop.apiKey, number, "next");
    }

    clock.advance(PAST_INTERVAL);
    // Four were heard from five minutes ago (a push arrived).
    await database.db.prisma.shipment.updateMany({ where: { shopId: shop.id, trackingNumber: { in: fresh } }, data: { lastCheckedAt: new Date(clock.now().getTime() - 5 * MINUTE) } });
    simulator.resetCalls();
    const polledAt = clock.now();

    expect(await pollStaleShipments(services, shop.id)).toEqual({ result: "POLLED", checked: 100, updated: 10, calls: 3 });
    expect(simulator.calls).toHaveLength(3);
    const calls = listCalls();
    expect(calls).toHaveLength(3);
    for (const call of calls) expect(numbersAsked(call).length).toBeLessThanOrEqual(40);
    expect(calls.flatMap(numbersAsked).sort()).toEqual([...stale].sort());

    const movedRows = await shipmentsByNumber(shop.id, moved);
    expect(movedRows.map((s) => [s.status, s.substatus])).toEqual(moved.map(() => ["transit", "in_transit"]));
    for (const row of movedRows) {
      expect(await database.db.prisma.trackingEvent.count({ where: { shipmentId: row.id } })).toBe(2);
      expect(row.lastEventDescription).toBe("Pickup Scan");
    }
    const unchanged = await shipmentsByNumber(shop.id, stale.slice(10));
    expect(unchanged.every((s) => s.status === "pending")).toBe(true);
    const polled = await shipmentsByNumber(shop.id, stale);
    expect(polled.every((s) => s.lastCheckedAt?.getTime() === polledAt.getTime())).toBe(true);
    // The skipped ones kept what they had.
    const skipped = await shipmentsByNumber(shop.id, [...delivered, ...expired, removed]);
    expect(skipped.map((s) => [s.status, s.lastCheckedAt])).toEqual([
      ...delivered.map(() => ["delivered", null]),
      ...expired.map(() => ["expired", null]),
      ["pending", null],
    ]);
    expect((await shipmentsByNumber(shop.id, [removed]))[0]!.registrationState).toBe("stopped");
    expect((await shipmentsByNumber(shop.id, fresh)).every((s) => s.status === "pending")).toBe(true);

    // Asked and answered: an immediate second poll makes no call.
    expect(await pollStaleShipments(services, shop.id)).toEqual({ result: "NOT_DUE" });
    expect(simulator.calls).toHaveLength(3);
  });

  it("the scheduled shipments.poll job runs the poll, then finds nothing due", async () => {
    const shop = await shopOn("v4");
    const numbers = await addShipments(shop, 3, 5_000);
    await registerPendingShipments(services, shop.id);
    await simulator.advance(shop.apiKey, numbers[0]!, "next");
    clock.advance(PAST_INTERVAL);
    simulator.resetCalls();

    const runner = new JobRunner(services, ALL_JOBS, { concurrency: 1 });
    await schedulePeriodicWork(services);
    await runner.drain();
    const pollJobs = () => listJobs(database.db, { type: JOB_TYPES.pollShipments });
    expect((await pollJobs()).map((job) => [job.state, job.result])).toEqual([["succeeded", "POLLED"]]);
    expect(listCalls()).toHaveLength(1);
    expect((await shipmentsByNumber(shop.id, [numbers[0]!]))[0]!.status).toBe("inforeceived");

    clock.advance(MINUTE);
    await schedulePeriodicWork(services);
    await runner.drain();
    expect((await pollJobs()).map((job) => [job.state, job.result])).toEqual([
      ["succeeded", "POLLED"],
      ["succeeded", "NOT_DUE"],
    ]);
    expect(listCalls()).toHaveLength(1);
  });
});

describe(`polling TrackingMore v2 on ${testDialect()}`, () => {
  it("pages through trackings updated since the watermark (2,000 a page); the watermark moves only after a complete pass", async () => {
    const shop = await shopOn("v2");
    const own = await addShipments(shop, 40, 6_000);
    expect(await registerPendingShipments(services, shop.id)).toMatchObject({ result: "DONE", registered: 40 });
    for (const number of own.slice(0, 5)) {
      await simulator.advance(shop.apiKey, number, "next");
      await simulator.advance(shop.apiKey, number, "next");
    }
    // The account also tracks 2,000 numbers of its own (dashboard, other shops), changed later: a second page.
    clock.advance(MINUTE);
    await seedOtherTrackings(shop.apiKey, 2_000, 100_000);
    const watermark = async () => (await database.db.prisma.providerAccount.findFirstOrThrow({ where: { shopId: shop.id } })).pollWatermark;
    const sinceParam = (from: Date) => String(Math.floor(from.getTime() / 1000));

    // First pass: page 2 fails. Page 1 is applied, the watermark stays.
    clock.advance(PAST_INTERVAL);
    simulator.resetCalls();
    const firstPollAt = clock.now();
    whileWaitingForSlot = () => simulator.injectFaults(1, { kind: "http", httpStatus: 500, metaCode: 500 });
    await expect(pollStaleShipments(services, shop.id)).rejects.toBeInstanceOf(ServiceUnavailableError);
    const firstPass: Array<Record<string, string>> = listCalls().map((call) => ({ ...query(call), status: String(call.httpStatus) }));
    const initialSince = sinceParam(new Date(firstPollAt.getTime() - 30 * 24 * 60 * MINUTE - 10 * MINUTE));
    expect(firstPass).toHaveLength(2);
    expect(firstPass[0]).toMatchObject({ page: "1", limit: "2000", update_time_min: initialSince, status: "200" });
    // The next page is asked by time (from the newest update on page one), not by offset.
    expect(firstPass[1]).toMatchObject({ page: "1", limit: "2000", status: "500" });
    expect(Number(firstPass[1]!.update_time_min)).toBeGreaterThan(Number(initialSince));
    expect((await shipmentsByNumber(shop.id, own.slice(0, 5))).map((s) => s.status)).toEqual(own.slice(0, 5).map(() => "transit"));
    // The progress is kept: a retry starts where page one ended, not from scratch.
    const progress = await watermark();
    expect(progress).not.toBeNull();
    expect(Math.floor((progress!.getTime() - 10 * MINUTE) / 1000)).toBe(Number(firstPass[1]!.update_time_min));

    // The retry is due at once, continues from there and completes the pass.
    simulator.resetCalls();
    const secondPollAt = clock.now();
    expect(await pollStaleShipments(services, shop.id)).toMatchObject({ result: "POLLED", updated: 0 });
    expect(query(listCalls()[0]!)).toMatchObject({ page: "1", update_time_min: firstPass[1]!.update_time_min });
    // Everything up to the start of the (interrupted, then completed) pass has been seen.
    expect(await watermark()).toEqual(firstPollAt);
    expect(secondPollAt >= firstPollAt).toBe(true);
    const retryCalls = listCalls().length;
    expect(await pollStaleShipments(services, shop.id)).toEqual({ result: "NOT_DUE" });
    expect(listCalls()).toHaveLength(retryCalls);

    // Next interval: only what changed since the watermark (minus the overlap) comes back.
    await simulator.advance(shop.apiKey, own[5]!, "next");
    clock.advance(PAST_INTERVAL);
    simulator.resetCalls();
    const thirdPollAt = clock.now();
    expect(await pollStaleShipments(services, shop.id)).toEqual({ result: "POLLED", checked: 1, updated: 1, calls: 1 });
    expect(query(listCalls()[0]!)).toMatchObject({ page: "1", limit: "2000", update_time_min: sinceParam(new Date(firstPollAt.getTime() - 10 * MINUTE)) });
    expect((await shipmentsByNumber(shop.id, [own[5]!]))[0]).toMatchObject({ status: "inforeceived", substatus: "label_created" });
    expect(await watermark()).toEqual(thirdPollAt);
  }, 60_000);

  it("a tracking updated at the provider during a pass does not make another one be skipped", async () => {
    const shop = await shopOn("v2");
    const others = await seedOtherTrackings(shop.apiKey, 2_000, 200_000);
    clock.advance(MINUTE);
    const [number] = await addShipments(shop, 1, 9_000);
    await registerPendingShipments(services, shop.id);
    await simulator.advance(shop.apiKey, number!, "next");
    await simulator.advance(shop.apiKey, number!, "next");

    clock.advance(PAST_INTERVAL);
    simulator.resetCalls();
    // While the client waits for its slot before page 2, a tracking of page 1 gets a new checkpoint.
    whileWaitingForSlot = () => void simulator.advance(shop.apiKey, others[0]!, "next");
    expect(await pollStaleShipments(services, shop.id)).toMatchObject({ result: "POLLED" });
    clock.advance(PAST_INTERVAL);
    expect(await pollStaleShipments(services, shop.id)).toMatchObject({ result: "POLLED" });
    expect((await shipmentsByNumber(shop.id, [number!]))[0]!.status).toBe("transit");
  }, 60_000);
});

describe(`polling when the provider refuses the key on ${testDialect()}`, () => {
  it.each(["v4", "v2"] as const)("%s: blocks the account and makes no further calls", async (apiVersion) => {
    const shop = await shopOn(apiVersion);
    await addShipments(shop, 4, 7_000);
    await registerPendingShipments(services, shop.id);
    simulator.deleteKey(shop.apiKey);
    clock.advance(PAST_INTERVAL);
    simulator.resetCalls();

    expect(await pollStaleShipments(services, shop.id)).toEqual({ result: "BLOCKED_NOW", reason: "auth_failed" });
    expect(simulator.calls).toHaveLength(1);
    const account = await database.db.prisma.providerAccount.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(account).toMatchObject({ blockedReason: "auth_failed", blockedAt: clock.now() });
    expect(account.blockedMessage).toContain("refused the API key");

    clock.advance(PAST_INTERVAL);
    for (let i = 0; i < 3; i++) expect(await pollStaleShipments(services, shop.id)).toEqual({ result: "SKIPPED_PROVIDER_BLOCKED" });
    expect(simulator.calls).toHaveLength(1);
    // Nor does the scheduler queue polls for it any more.
    expect(await schedulePeriodicWork(services)).toMatchObject({ polls: 0 });
  });
});

describe(`schedulePeriodicWork on ${testDialect()}`, () => {
  it("queues one poll per active unblocked shop and registrations where numbers wait, once however often it ticks", async () => {
    // Hourly pruning and daily statistics are keyed by the hour and the day: the later ticks must
    // not cross either boundary, so start ten minutes into an hour.
    const HOUR = 60 * MINUTE;
    clock.advance(HOUR - (clock.now().getTime() % HOUR) + 10 * MINUTE);
    const withRegistered = await shopOn("v4");
    await addShipments(withRegistered, 2, 8_000);
    await database.db.prisma.shipment.updateMany({ where: { shopId: withRegistered.id }, data: { registrationState: "registered", registeredAt: clock.now() } });
    const withPending = await shopOn("v4");
    await addShipments(withPending, 2, 8_100);
    const blocked = await shopOn("v4");
    await addShipments(blocked, 2, 8_200);
    await database.db.prisma.providerAccount.updateMany({ where: { shopId: blocked.id }, data: { blockedReason: "auth_failed", blockedAt: clock.now() } });
    const uninstalled = await shopOn("v2");
    await addShipments(uninstalled, 2, 8_300);
    await markShopUninstalled(services, uninstalled.domain);
    const noProvider = await ensureShop(services, `no-provider-${testDialect()}.myshopify.com`);
    await addShipments({ id: noProvider.id, domain: noProvider.domain, webhookToken: noProvider.webhookToken }, 2, 8_400);
    const expiredLease = await shopOn("v4");
    await addShipments(expiredLease, 2, 8_500);
    await database.db.prisma.shipment.updateMany({
      where: { shopId: expiredLease.id },
      data: { registrationState: "registering", registrationClaim: "dead-run", registrationLeaseUntil: new Date(clock.now().getTime() - 1) },
    });
    const liveLease = await shopOn("v4");
    await addShipments(liveLease, 2, 8_600);
    await database.db.prisma.shipment.updateMany({
      where: { shopId: liveLease.id },
      data: { registrationState: "registering", registrationClaim: "live-run", registrationLeaseUntil: new Date(clock.now().getTime() + MINUTE) },
    });
    // Ingesting queued registrations already; the scheduler is what this test is about.
    await deleteJobs(database.db);

    const queued = async (type: string) =>
      (await listJobs(database.db, { type, states: ["queued"] })).map((job) => job.shopId).sort();
    expect(await schedulePeriodicWork(services)).toEqual({ polls: 4, registrations: 4 });
    const expectedPolls = [withRegistered.id, withPending.id, expiredLease.id, liveLease.id].sort();
    const expectedRegistrations = [withPending.id, blocked.id, noProvider.id, expiredLease.id].sort();
    expect(await queued(JOB_TYPES.pollShipments)).toEqual(expectedPolls);
    expect(await queued(JOB_TYPES.registerShipments)).toEqual(expectedRegistrations);
    expect(await countJobs(database.db, { type: JOB_TYPES.pruneJobs })).toBe(1);
    expect(await queued(JOB_TYPES.refreshTransitStatistics)).toEqual(expectedPolls);

    // Workers tick on every process: a second and third tick add nothing.
    clock.advance(MINUTE);
    await schedulePeriodicWork(services);
    await schedulePeriodicWork(services);
    expect(await queued(JOB_TYPES.pollShipments)).toEqual(expectedPolls);
    expect(await queued(JOB_TYPES.registerShipments)).toEqual(expectedRegistrations);
    expect(await queued(JOB_TYPES.refreshTransitStatistics)).toEqual(expectedPolls);
    expect(await countJobs(database.db)).toBe(2 * expectedPolls.length + expectedRegistrations.length + 1);
  });

  it("leaves a shop's registration alone while its job waits out a retry's backoff", async () => {
    const shop = await shopOn("v4");
    await addShipments(shop, 2, 8_700);
    await deleteJobs(database.db);
    await schedulePeriodicWork(services);
    const [registration] = await listJobs(database.db, { type: JOB_TYPES.registerShipments, shopId: shop.id });
    // The job ran, the provider failed, and it waits ten minutes: its singleton key was released when it started.
    await failJobsOnce(database.db, [registration!.id], new Date(clock.now().getTime() + 10 * MINUTE), "provider unavailable", clock.now());

    clock.advance(MINUTE);
    await schedulePeriodicWork(services);
    const registrations = await listJobs(database.db, { type: JOB_TYPES.registerShipments, shopId: shop.id });
    expect(registrations.map((job) => job.id)).toEqual([registration!.id]);
  });
});
