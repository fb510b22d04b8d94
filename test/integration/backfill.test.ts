import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startShopifySimulator, type ShopifySimulator, type SimOrderInput } from "../../simulators/shopify";
import { ordersWithTrackingQuery, ShopifyBulkOperations } from "~/adapters/shopify-admin/bulk-operations.server";
import { ShopifyAdminClient } from "~/adapters/shopify-admin/client.server";
import { snapshotsFromBulkLine } from "~/adapters/shopify-admin/fulfillment-payloads";
import { ALL_JOBS } from "~/jobs/definitions.server";
import { JOB_TYPES } from "~/jobs/job-types";
import { JobRunner } from "~/jobs/runner.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { ensureShop, markShopUninstalled, onShopInstalled, requestBackfill } from "~/services/shops.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { upsNumber } from "../support/factories";
import { createTestServices, storeOfflineSession, TEST_API_SECRET } from "../support/services";
import { claimJobsAs, countJobs, deleteJobs, listJobs } from "../support/jobs";
// The lease the queue engines hold a claimed job for in tests (the default JOB_LEASE_MS).
const JOB_LEASE_MS = 60_000;

const DAY_MS = 24 * 60 * 60_000;
const ACCESS_TOKEN = "shpat_tracklight_backfill_test";

let database: TestDatabase;
let shopify: ShopifySimulator;
let clock: TestClock;
let services: ServiceContext;
let shopCounter = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  // Bulk operations finish within a few polls; every reschedule is crossed by moving the test clock.
  shopify = await startShopifySimulator({ apiSecretKey: TEST_API_SECRET, bulkOperationDurationMs: 40 });
});

afterAll(async () => {
  await shopify?.close();
  await database?.dispose();
});

beforeEach(async () => {
  // Every test drives the queue itself: nothing left over from another test may be claimed.
  await deleteJobs(database.db);
  clock = new TestClock(new Date());
  services = createTestServices(database.db, { clock, shopifyAdminOrigin: shopify.url });
});

/** A shop as it is after an install: known to Shopify, with its offline session stored and its row created. */
async function installShop(options: { ianaTimezone?: string } = {}) {
  const domain = `backfill-${++shopCounter}-${testDialect()}.myshopify.com`;
  shopify.addShop({ domain, accessToken: ACCESS_TOKEN, ...options });
  await storeOfflineSession(database.db, domain, ACCESS_TOKEN);
  const shop = await ensureShop(services, domain);
  return { id: shop.id, domain };
}

function daysAgo(days: number): Date {
  return new Date(clock.now().getTime() - days * DAY_MS);
}

function shippedOrder(createdAt: Date, trackingNumbers: string[]): SimOrderInput {
  return { createdAt, fulfillments: [{ trackingCompany: "UPS", trackingNumbers }] };
}

function backfillRun(runId: string) {
  return database.db.prisma.backfillRun.findUniqueOrThrow({ where: { id: runId } });
}

function isFinished(state: string) {
  return state === "completed" || state === "failed";
}

/**
 * Run the job queue as the worker would, one job at a time, until the run is finished. When
 * nothing is due the clock moves past the backfill's reschedule (and real time lets the simulated
 * bulk operation progress).
 */
async function driveBackfill(runId: string, runner = new JobRunner(services, ALL_JOBS, { concurrency: 1, random: () => 0.5 })) {
  for (let round = 0; round < 1_000; round++) {
    const ran = await runner.runDue();
    const run = await backfillRun(runId);
    if (isFinished(run.state)) return run;
    if (ran === 0) {
      clock.advance(2_000);
      await sleep(15);
    }
  }
  throw new Error(`backfill run ${runId} did not finish`);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 2_000; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function onlyBulkOperation(domain: string) {
  const operations = shopify.bulkOperations(domain);
  expect(operations).toHaveLength(1);
  return operations[0]!;
}

function jobsOf(shopId: string, type: string) {
  return listJobs(database.db, { shopId, type });
}

describe(`backfill through a Shopify bulk operation on ${testDialect()}`, () => {
  it("reads only the last N days, turns tracked fulfillments into pending shipments and reports exact progress", async () => {
    const shop = await installShop();
    // Inside the window: 5 orders with one number each, one order with two fulfillments (2 + 1 numbers),
    // one fulfillment without any number, and 3 orders nobody shipped yet.
    const single = [0, 1, 2, 3, 4].map((i) => upsNumber(100 + i));
    for (const [i, number] of single.entries()) shopify.addOrder(shop.domain, shippedOrder(daysAgo(2 + i), [number]));
    const split = shopify.addOrder(shop.domain, { createdAt: daysAgo(8), lineItems: [{ title: "Mug" }, { title: "Cap" }] });
    const [mug, cap] = split.lineItems;
    await shopify.createFulfillment(shop.domain, split.id, { trackingCompany: "UPS", trackingNumbers: [upsNumber(110), upsNumber(111)], lineItems: [{ lineItemId: mug!.id, quantity: 1 }] }, { silent: true });
    await shopify.createFulfillment(shop.domain, split.id, { trackingCompany: "UPS", trackingNumbers: [upsNumber(112)], lineItems: [{ lineItemId: cap!.id, quantity: 1 }] }, { silent: true });
    shopify.addOrder(shop.domain, { createdAt: daysAgo(9), fulfillments: [{ trackingCompany: null, trackingNumbers: [] }] });
    shopify.addOrders(shop.domain, 3, (i) => ({ createdAt: daysAgo(10 + i) }));
    // Outside the window: shipped, but older than 30 days.
    const old = [0, 1, 2, 3].map((i) => upsNumber(200 + i));
    for (const [i, number] of old.entries()) shopify.addOrder(shop.domain, shippedOrder(daysAgo(35 + 5 * i), [number]));

    const requestedAt = clock.now();
    const runId = await requestBackfill(services, shop.id, 30);
    expect(runId).not.toBeNull();
    const queued = await jobsOf(shop.id, JOB_TYPES.backfillShop);
    expect(queued.map((job) => [job.state, JSON.parse(job.payload)])).toEqual([["queued", { shopId: shop.id, runId }]]);

    const run = await driveBackfill(runId!);
    const operation = onlyBulkOperation(shop.domain);
    expect(operation.status).toBe("COMPLETED");
    // The query is the adapter's, with the date filter of this run.
    expect(operation.query).toBe(ordersWithTrackingQuery(run.sinceDate));
    expect(operation.query).toContain(`created_at:>='${run.sinceDate.toISOString().replace(/\.\d{3}Z$/, "Z")}'`);
    expect(run.sinceDate.getTime()).toBe(requestedAt.getTime() - 30 * DAY_MS);

    expect(run).toMatchObject({
      state: "completed",
      error: null,
      bulkOperationId: operation.id,
      // One line per order in the window (fulfillments come inline): 5 + 1 + 1 + 3, and one per
      // line item after its order (one each, two in the split order): 11.
      linesProcessed: 21,
      totalObjects: 21,
      // Orders that had at least one fulfillment.
      ordersProcessed: 7,
      trackingNumbersFound: 8,
      totalBytes: Number(operation.fileSize),
      bytesRead: Number(operation.fileSize),
    });
    expect(run.totalBytes).toBeGreaterThan(0);
    expect(run.startedAt).not.toBeNull();
    expect(run.finishedAt).not.toBeNull();

    const shipments = await database.db.prisma.shipment.findMany({ where: { shopId: shop.id }, orderBy: { trackingNumber: "asc" } });
    expect(shipments.map((s) => s.trackingNumber)).toEqual([...single, upsNumber(110), upsNumber(111), upsNumber(112)].sort());
    expect(shipments.every((s) => s.status === "pending" && s.registrationState === "pending" && s.carrierCode === "ups")).toBe(true);
    // The order with two fulfillments: both stored, linked to their own numbers.
    const splitOrder = await database.db.prisma.order.findFirstOrThrow({
      where: { shopId: shop.id, shopifyOrderId: String(split.id) },
      include: { fulfillments: { include: { shipments: { include: { shipment: true } } } } },
    });
    expect(splitOrder.name).toBe(split.name);
    expect(splitOrder.destinationCountry).toBe("US");
    expect(splitOrder.fulfillments.map((f) => f.shipments.map((link) => link.shipment.trackingNumber).sort()).sort()).toEqual(
      [[upsNumber(110), upsNumber(111)].sort(), [upsNumber(112)]].sort(),
    );
    // Orders nobody shipped are not stored; nothing older than the window is.
    expect(await database.db.prisma.order.count({ where: { shopId: shop.id } })).toBe(7);
    expect(await database.db.prisma.shipment.count({ where: { shopId: shop.id, trackingNumber: { in: old } } })).toBe(0);

    // Registration is queued once (singleton) and left to the worker.
    const register = await jobsOf(shop.id, JOB_TYPES.registerShipments);
    expect(register.map((job) => job.state)).toEqual(["queued"]);
    expect((await jobsOf(shop.id, JOB_TYPES.backfillShop)).map((job) => [job.state, job.result])).toEqual([["succeeded", "COMPLETED"]]);
  });

  it("stores the shipped items with their images from the order's item lines, where one fulfillment holds them all", async () => {
    const shop = await installShop();
    const partial = shopify.addOrder(shop.domain, {
      createdAt: daysAgo(2),
      lineItems: [
        { title: "Lamp", variantTitle: "Brass", quantity: 2, imageUrl: "https://cdn.shopify.com/s/files/lamp.png" },
        { title: "Bulb", variantTitle: null, quantity: 3, imageUrl: null },
        { title: "Shade", quantity: 1 },
      ],
    });
    const [lamp, bulb] = partial.lineItems;
    await shopify.createFulfillment(
      shop.domain,
      partial.id,
      { trackingCompany: "UPS", trackingNumbers: [upsNumber(130)], lineItems: [{ lineItemId: lamp!.id, quantity: 2 }, { lineItemId: bulb!.id, quantity: 1 }] },
      { silent: true },
    );
    const split = shopify.addOrder(shop.domain, { createdAt: daysAgo(3), lineItems: [{ title: "Mug" }, { title: "Cap" }] });
    await shopify.createFulfillment(shop.domain, split.id, { trackingCompany: "UPS", trackingNumbers: [upsNumber(131)], lineItems: [{ lineItemId: split.lineItems[0]!.id, quantity: 1 }] }, { silent: true });
    await shopify.createFulfillment(shop.domain, split.id, { trackingCompany: "UPS", trackingNumbers: [upsNumber(132)], lineItems: [{ lineItemId: split.lineItems[1]!.id, quantity: 1 }] }, { silent: true });

    const run = await driveBackfill((await requestBackfill(services, shop.id, 30))!);
    expect(run).toMatchObject({ state: "completed", linesProcessed: 2 + 3 + 2, ordersProcessed: 2, trackingNumbersFound: 3 });
    const stored = async (number: string) => {
      const link = await database.db.prisma.shipmentFulfillment.findFirstOrThrow({ where: { shipment: { shopId: shop.id, trackingNumber: number } }, include: { fulfillment: true } });
      return link.fulfillment.lineItems === null ? null : JSON.parse(link.fulfillment.lineItems);
    };
    expect(await stored(upsNumber(130))).toEqual([
      { id: String(lamp!.id), title: "Lamp", quantity: 2, variantTitle: "Brass", sku: expect.any(String), imageUrl: "https://cdn.shopify.com/s/files/lamp.png" },
      { id: String(bulb!.id), title: "Bulb", quantity: 1, variantTitle: null, sku: expect.any(String), imageUrl: null },
    ]);
    // Shopify's bulk queries cannot list a fulfillment's own items: for a split order they stay unknown.
    expect(await stored(upsNumber(131))).toBeNull();
    expect(await stored(upsNumber(132))).toBeNull();
  });

  it("processes lines while the file is still downloading (held mid-file), then finishes", async () => {
    const shop = await installShop();
    const orders = 5_000;
    // One order in twenty shipped: the file is large, ingestion stays quick.
    shopify.addOrders(shop.domain, orders, (i) => (i % 20 === 0 ? shippedOrder(daysAgo(1 + (i % 20)), [upsNumber(10_000 + i)]) : { createdAt: daysAgo(1 + (i % 20)) }));
    const hold = shopify.holdBulkDownload(400_000);
    const runId = (await requestBackfill(services, shop.id, 30))!;

    const finished = driveBackfill(runId);
    await hold.reached;
    // The download is stopped at 400 kB; what arrived is processed and committed already.
    const during = await waitFor("lines processed before the download finished", async () => {
      const run = await backfillRun(runId);
      return run.linesProcessed > 0 ? run : undefined;
    });
    expect(during.state).toBe("downloading");
    expect(during.totalBytes).toBeGreaterThan(1_000_000);
    expect(during.bytesRead).toBeGreaterThan(0);
    expect(during.bytesRead).toBeLessThanOrEqual(400_000);
    expect(during.bytesRead).toBeLessThan(during.totalBytes!);
    expect(during.linesProcessed).toBeLessThan(2 * orders);
    expect(await database.db.prisma.shipment.count({ where: { shopId: shop.id } })).toBeGreaterThan(0);

    hold.release();
    const run = await finished;
    // Every order has one line item, on a line of its own.
    expect(run).toMatchObject({
      state: "completed",
      linesProcessed: 2 * orders,
      totalObjects: 2 * orders,
      ordersProcessed: orders / 20,
      trackingNumbersFound: orders / 20,
      bytesRead: run.totalBytes,
    });
    expect(await database.db.prisma.shipment.count({ where: { shopId: shop.id } })).toBe(orders / 20);
  });

  it("completes a shop of 20,000 orders", async () => {
    const shop = await installShop();
    const orders = 20_000;
    shopify.addOrders(shop.domain, orders, (i) => (i % 100 === 0 ? shippedOrder(daysAgo(1 + (i % 25)), [upsNumber(50_000 + i)]) : { createdAt: daysAgo(1 + (i % 25)) }));
    const runId = (await requestBackfill(services, shop.id, 30))!;
    const run = await driveBackfill(runId);
    expect(run).toMatchObject({
      state: "completed",
      linesProcessed: 2 * orders,
      totalObjects: 2 * orders,
      ordersProcessed: orders / 100,
      trackingNumbersFound: orders / 100,
      bytesRead: run.totalBytes,
    });
    const stored = await database.db.prisma.shipment.findMany({ where: { shopId: shop.id }, select: { trackingNumber: true } });
    expect(new Set(stored.map((s) => s.trackingNumber))).toEqual(new Set(Array.from({ length: orders / 100 }, (_, k) => upsNumber(50_000 + 100 * k))));
  }, 60_000);

  it("resumes after a crash at the line it had reached: nothing before it is ingested again, nothing is doubled", async () => {
    const shop = await installShop();
    const orders = 1_000;
    const shipped = (i: number) => i % 4 === 0;
    shopify.addOrders(shop.domain, orders, (i) => (shipped(i) ? shippedOrder(daysAgo(3), [upsNumber(80_000 + i)]) : { createdAt: daysAgo(3) }));
    const runId = (await requestBackfill(services, shop.id, 30))!;

    // The crashed worker had started the bulk operation (with the adapter the job uses) and recorded it…
    const bulk = new ShopifyBulkOperations(new ShopifyAdminClient(await services.shopifyAdmin(shop.domain)));
    const started = await bulk.start(ordersWithTrackingQuery((await backfillRun(runId)).sinceDate));
    if (started.kind !== "started") throw new Error(`bulk operation not started: ${started.message}`);
    const operation = await waitFor("the bulk operation to complete", () => {
      const op = onlyBulkOperation(shop.domain);
      return op.status === "COMPLETED" ? op : undefined;
    });
    expect(operation.id).toBe(started.id);

    // The crashed worker got through K lines (K / 2 orders, each followed by its one line item):
    // their data committed together with the progress.
    const K = 400;
    const text = await (await fetch(operation.url!)).text();
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(2 * orders);
    for (let i = 0; i < K; i += 2) {
      for (const snapshot of snapshotsFromBulkLine(JSON.parse(lines[i]!), [JSON.parse(lines[i + 1]!)])) await ingestFulfillment(services, shop.domain, snapshot);
    }
    const shippedBeforeK = Array.from({ length: K / 2 }, (_, i) => i).filter(shipped).length;
    await database.db.prisma.backfillRun.update({
      where: { id: runId },
      data: {
        state: "downloading",
        bulkOperationId: operation.id,
        startedAt: clock.now(),
        totalObjects: orders,
        totalBytes: Number(operation.fileSize),
        linesProcessed: K,
        ordersProcessed: shippedBeforeK,
        trackingNumbersFound: shippedBeforeK,
        bytesRead: Buffer.byteLength(lines.slice(0, K).join("\n") + "\n"),
      },
    });
    // …and died holding the job: its lease ran out.
    const job = (await jobsOf(shop.id, JOB_TYPES.backfillShop))[0]!;
    await claimJobsAs(database.db, "worker-that-crashes", clock.now(), [job.id]);
    clock.advance(JOB_LEASE_MS + 1);
    const before = new Map(
      (await database.db.prisma.fulfillment.findMany({ where: { shopId: shop.id }, select: { shopifyFulfillmentId: true, updatedAt: true } })).map((f) => [
        f.shopifyFulfillmentId,
        f.updatedAt.getTime(),
      ]),
    );
    expect(before.size).toBe(shippedBeforeK);
    await sleep(20); // so that touching a row again would change its updatedAt

    const run = await driveBackfill(runId, new JobRunner(services, ALL_JOBS, { concurrency: 1, workerId: "worker-that-takes-over" }));
    expect(run).toMatchObject({ state: "completed", linesProcessed: 2 * orders, ordersProcessed: orders / 4, trackingNumbersFound: orders / 4, bytesRead: Number(operation.fileSize) });
    // The same bulk operation was used; no second one was started.
    expect(shopify.bulkOperations(shop.domain)).toHaveLength(1);

    const shipments = await database.db.prisma.shipment.findMany({ where: { shopId: shop.id }, select: { trackingNumber: true } });
    expect(shipments).toHaveLength(orders / 4);
    expect(new Set(shipments.map((s) => s.trackingNumber))).toEqual(new Set(Array.from({ length: orders / 4 }, (_, k) => upsNumber(80_000 + 4 * k))));
    expect(await database.db.prisma.shipmentFulfillment.count({ where: { shipment: { shopId: shop.id } } })).toBe(orders / 4);
    expect(await database.db.prisma.fulfillment.count({ where: { shopId: shop.id } })).toBe(orders / 4);
    expect(await database.db.prisma.order.count({ where: { shopId: shop.id } })).toBe(orders / 4);
    // The first K lines were skipped, not ingested again.
    const after = await database.db.prisma.fulfillment.findMany({ where: { shopId: shop.id }, select: { shopifyFulfillmentId: true, updatedAt: true } });
    const untouched = after.filter((f) => before.get(f.shopifyFulfillmentId) === f.updatedAt.getTime());
    expect(untouched).toHaveLength(shippedBeforeK);
  });

  it("a FAILED bulk operation fails the run with Shopify's error code and ingests nothing", async () => {
    const shop = await installShop();
    shopify.addOrders(shop.domain, 20, (i) => shippedOrder(daysAgo(2), [upsNumber(90_000 + i)]));
    shopify.failNextBulkOperation(shop.domain, "ACCESS_DENIED");
    const runId = (await requestBackfill(services, shop.id, 30))!;
    const run = await driveBackfill(runId);
    expect(onlyBulkOperation(shop.domain)).toMatchObject({ status: "FAILED", errorCode: "ACCESS_DENIED" });
    expect(run.state).toBe("failed");
    expect(run.error).toContain("ACCESS_DENIED");
    expect(run.finishedAt).not.toBeNull();
    expect(run.linesProcessed).toBe(0);
    expect(await database.db.prisma.shipment.count({ where: { shopId: shop.id } })).toBe(0);
    expect(await jobsOf(shop.id, JOB_TYPES.registerShipments)).toEqual([]);
    // A failed run does not block the next request.
    expect(await requestBackfill(services, shop.id, 30)).not.toBeNull();
  });

  it("an empty result completes with zero everywhere and downloads nothing", async () => {
    const shop = await installShop();
    shopify.addOrders(shop.domain, 5, (i) => shippedOrder(daysAgo(40 + i), [upsNumber(95_000 + i)]));
    const runId = (await requestBackfill(services, shop.id, 30))!;
    const run = await driveBackfill(runId);
    const operation = onlyBulkOperation(shop.domain);
    expect(operation).toMatchObject({ status: "COMPLETED", objectCount: "0", url: null });
    expect(run).toMatchObject({
      state: "completed",
      error: null,
      totalObjects: 0,
      totalBytes: 0,
      bytesRead: 0,
      linesProcessed: 0,
      ordersProcessed: 0,
      trackingNumbersFound: 0,
    });
    expect(await database.db.prisma.shipment.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("a shop uninstalled by the time its backfill job runs fails the run without calling Shopify", async () => {
    const shop = await installShop();
    shopify.addOrders(shop.domain, 3, (i) => shippedOrder(daysAgo(2), [upsNumber(96_000 + i)]));
    const runId = (await requestBackfill(services, shop.id, 30))!;
    // app/uninstalled was recorded while a worker was already claiming the job (a queued one would be cancelled).
    await database.db.prisma.shop.update({ where: { id: shop.id }, data: { uninstalledAt: clock.now() } });

    const run = await driveBackfill(runId);
    expect(run).toMatchObject({ state: "failed", error: "the app was uninstalled", bulkOperationId: null });
    expect(run.finishedAt).not.toBeNull();
    expect(shopify.graphqlCalls.filter((call) => call.shop === shop.domain)).toHaveLength(0);
    expect(shopify.bulkOperations(shop.domain)).toHaveLength(0);
    expect((await jobsOf(shop.id, JOB_TYPES.backfillShop)).map((job) => [job.state, job.result])).toEqual([["succeeded", "SKIPPED_SHOP_INACTIVE"]]);
    expect(await database.db.prisma.shipment.count({ where: { shopId: shop.id } })).toBe(0);
  });

  // Regression: the uninstall cancels the queued job, so the run must not stay "in progress" and block
  // every later backfill after a reinstall.
  it("an uninstall during a backfill fails its run, so after a reinstall a new backfill can be requested", async () => {
    const shop = await installShop();
    const runId = (await requestBackfill(services, shop.id, 30))!;
    expect(await markShopUninstalled(services, shop.domain)).toBe("UNINSTALLED");
    expect((await jobsOf(shop.id, JOB_TYPES.backfillShop)).map((job) => job.state)).toEqual(["cancelled"]);

    await ensureShop(services, shop.domain); // reinstalled
    await storeOfflineSession(database.db, shop.domain, ACCESS_TOKEN);
    expect(await backfillRun(runId)).toMatchObject({ state: "failed", error: "the app was uninstalled" });
    const again = await requestBackfill(services, shop.id, 30);
    expect(again).toEqual(expect.any(String));
    expect((await driveBackfill(again!)).state).toBe("completed");
  });

  it("onShopInstalled queues exactly one backfill of the shop's configured days; a second install queues none", async () => {
    const domain = `installed-${++shopCounter}-${testDialect()}.myshopify.com`;
    shopify.addShop({ domain, accessToken: ACCESS_TOKEN });
    await storeOfflineSession(database.db, domain, ACCESS_TOKEN);
    const now = clock.now();
    expect(await onShopInstalled(services, domain)).toBe("BACKFILL_QUEUED");
    const shop = await database.db.prisma.shop.findUniqueOrThrow({ where: { domain } });
    const runs = await database.db.prisma.backfillRun.findMany({ where: { shopId: shop.id } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ state: "queued", sinceDate: new Date(now.getTime() - shop.backfillDays * DAY_MS) });
    expect((await jobsOf(shop.id, JOB_TYPES.backfillShop)).map((job) => JSON.parse(job.payload))).toEqual([{ shopId: shop.id, runId: runs[0]!.id }]);

    expect(await onShopInstalled(services, domain)).toBe("BACKFILL_ALREADY_QUEUED");
    expect(await database.db.prisma.backfillRun.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await jobsOf(shop.id, JOB_TYPES.backfillShop)).toHaveLength(1);

    // Not after it finished either: an install backfills once.
    await driveBackfill(runs[0]!.id);
    expect(await onShopInstalled(services, domain)).toBe("BACKFILL_ALREADY_QUEUED");
    expect(await database.db.prisma.backfillRun.count({ where: { shopId: shop.id } })).toBe(1);
  });

  it("requestBackfill refuses while a run is queued or running, and accepts again once it finished", async () => {
    const shop = await installShop();
    shopify.addOrders(shop.domain, 50, (i) => shippedOrder(daysAgo(2), [upsNumber(97_100 + i)]));
    const runId = (await requestBackfill(services, shop.id, 30))!;
    expect(await requestBackfill(services, shop.id, 7)).toBeNull();

    // Hold the download so the run is certainly in progress.
    const hold = shopify.holdBulkDownload(100);
    const finished = driveBackfill(runId);
    await hold.reached;
    expect((await backfillRun(runId)).state).toBe("downloading");
    expect(await requestBackfill(services, shop.id, 7)).toBeNull();
    hold.release();
    expect((await finished).state).toBe("completed");
    expect(await database.db.prisma.backfillRun.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await jobsOf(shop.id, JOB_TYPES.backfillShop)).toHaveLength(1);

    const next = await requestBackfill(services, shop.id, 7);
    expect(next).toEqual(expect.any(String));
    expect(next).not.toBe(runId);
    expect((await backfillRun(next!)).sinceDate.getTime()).toBe(clock.now().getTime() - 7 * DAY_MS);
  });

  it("reads an order placed inside the window for a shop west of UTC", async () => {
    // 02:00 UTC is still the previous evening in Los Angeles.
    clock.set(new Date(`${clock.now().toISOString().slice(0, 10)}T02:00:00.000Z`));
    const shop = await installShop({ ianaTimezone: "America/Los_Angeles" });
    const insideWindow = upsNumber(97_001);
    // 29 days and 22 hours ago: well inside "the last 30 days".
    shopify.addOrder(shop.domain, shippedOrder(new Date(clock.now().getTime() - 30 * DAY_MS + 2 * 60 * 60_000), [insideWindow]));
    shopify.addOrder(shop.domain, shippedOrder(daysAgo(3), [upsNumber(97_002)]));
    const run = await driveBackfill((await requestBackfill(services, shop.id, 30))!);
    expect(run.state).toBe("completed");
    const numbers = (await database.db.prisma.shipment.findMany({ where: { shopId: shop.id } })).map((s) => s.trackingNumber);
    expect(numbers.sort()).toEqual([insideWindow, upsNumber(97_002)].sort());
  });
});

describe(`npm run backfill (scripts/backfill.ts) on ${testDialect()}`, () => {
  function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      SHOPIFY_ADMIN_API_ORIGIN: shopify.url,
      SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY!,
      SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET!,
      SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL!,
      ENCRYPTION_KEY: process.env.ENCRYPTION_KEY!,
      LOG_LEVEL: "warn",
    };
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/backfill.ts", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("backfills a shop with a progress bar and a summary; a failed run exits non-zero", async () => {
    const good = await installShop();
    for (let i = 0; i < 11; i++) shopify.addOrder(good.domain, shippedOrder(daysAgo(1 + i), [upsNumber(98_000 + i)]));
    shopify.addOrder(good.domain, shippedOrder(daysAgo(4), [upsNumber(98_100), upsNumber(98_101)]));
    shopify.addOrders(good.domain, 3, () => ({ createdAt: daysAgo(5) }));
    shopify.addOrder(good.domain, shippedOrder(daysAgo(45), [upsNumber(98_200)]));
    const bad = await installShop();
    shopify.addOrders(bad.domain, 4, (i) => shippedOrder(daysAgo(2), [upsNumber(98_300 + i)]));
    shopify.failNextBulkOperation(bad.domain, "INTERNAL_SERVER_ERROR");

    const startedAt = Date.now();
    const [ok, failed] = await Promise.all([runCli([good.domain, "--days", "30"]), runCli([bad.domain, "--days", "30"])]);
    const endedAt = Date.now();

    expect(ok.code, ok.stderr).toBe(0);
    const lines = ok.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(new RegExp(`^Backfill of ${good.domain.replaceAll(".", "\\.")} completed: 12 orders, 13 tracking numbers from 30 lines \\(.+\\) in [\\d.]+s$`));
    expect(lines.some((line) => line.startsWith(`[${"#".repeat(30)}] 100%  12 orders, 13 tracking numbers`))).toBe(true);
    const run = await database.db.prisma.backfillRun.findFirstOrThrow({ where: { shopId: good.id } });
    expect(run).toMatchObject({ state: "completed", linesProcessed: 30, ordersProcessed: 12, trackingNumbersFound: 13 });
    expect(run.sinceDate.getTime()).toBeGreaterThanOrEqual(startedAt - 30 * DAY_MS);
    expect(run.sinceDate.getTime()).toBeLessThanOrEqual(endedAt - 30 * DAY_MS);
    expect(await database.db.prisma.shipment.count({ where: { shopId: good.id } })).toBe(13);

    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr.trimEnd().split("\n").at(-1)).toBe(`Backfill of ${bad.domain} failed: Shopify bulk operation failed (INTERNAL_SERVER_ERROR)`);
    expect(await database.db.prisma.backfillRun.findFirstOrThrow({ where: { shopId: bad.id } })).toMatchObject({ state: "failed" });
    expect(await database.db.prisma.shipment.count({ where: { shopId: bad.id } })).toBe(0);
  }, 60_000);

  it("refuses an unknown shop and a bad --days with exit code 2, queueing nothing", async () => {
    const [unknown, badDays] = await Promise.all([
      runCli(["nobody-installed-this.myshopify.com"]),
      runCli(["whatever.myshopify.com", "--days", "soon"]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown shop nobody-installed-this.myshopify.com");
    expect(badDays.code).toBe(2);
    expect(badDays.stderr).toContain("--days must be a whole number");
    expect(await countJobs(database.db)).toBe(0);
  }, 60_000);
});
