import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { InvalidCursorError, listShipments, shipmentDetail, type ShipmentIndexQuery } from "~/services/shipment-index.server";
import { ensureShop } from "~/services/shops.server";
import { TestClock } from "../support/clock";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";
import { fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices } from "../support/services";

/**
 * The shipments index: every filter, search, sort and keyset pagination, against the real
 * database of the run (SQLite or PostgreSQL), with shipments created by the real ingest.
 */

const USPS = "9400111206206406260787";
const DHL = "3318810025";
const DAY = 24 * 60 * 60_000;

let database: TestDatabase;
let services: ServiceContext;
const clock = new TestClock("2026-11-01T10:00:00.000Z");

interface Shop {
  id: string;
  domain: string;
}
let shopA: Shop;
let shopB: Shop;
/** Tracking number → shipment id, shop A. */
const idOf = new Map<string, string>();

async function createShop(domain: string): Promise<Shop> {
  const shop = await ensureShop(services, domain);
  return { id: shop.id, domain: shop.domain };
}

async function ingest(shop: Shop, numbers: string[], options: { order?: string; email?: string; company?: string | null } = {}): Promise<void> {
  const snapshot = fulfillmentSnapshot({ numbers, company: options.company === undefined ? null : options.company });
  if (options.order) snapshot.orderName = options.order;
  if (options.email) snapshot.customer = { ...snapshot.customer!, email: options.email };
  const outcome = await ingestFulfillment(services, shop.domain, snapshot);
  expect(outcome.result).toBe("APPLIED");
}

async function setShipment(number: string, data: Record<string, unknown>): Promise<void> {
  await database.db.prisma.shipment.update({ where: { id: idOf.get(number)! }, data });
}

async function numbers(shop: Shop, query: ShipmentIndexQuery = {}): Promise<string[]> {
  const page = await listShipments(services, shop.id, query);
  return page.rows.map((row) => row.trackingNumber);
}

/** Every row of a listing, following cursors; `between` runs after each page. */
async function allPages(shop: Shop, query: ShipmentIndexQuery, between?: (page: number) => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await listShipments(services, shop.id, { ...query, cursor });
    expect(result.rows.length).toBeLessThanOrEqual(50);
    seen.push(...result.rows.map((row) => row.trackingNumber));
    if (!result.nextCursor) return seen;
    expect(result.rows.length).toBe(50);
    cursor = result.nextCursor;
    await between?.(page);
  }
  throw new Error("did not finish");
}

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db, { clock });
  shopA = await createShop("index-a.myshopify.com");
  shopB = await createShop("index-b.myshopify.com");

  // Shop A: twelve UPS numbers a day apart (oldest first), a USPS and a DHL number, each on its own order.
  for (let i = 0; i < 12; i++) {
    await ingest(shopA, [upsNumber(i)], { order: `#10${String(i).padStart(2, "0")}`, email: `buyer${i}@example.com`, company: "UPS" });
    clock.advance(DAY);
  }
  await ingest(shopA, [USPS], { order: "#2001", email: "Grace.Hopper@example.org", company: "USPS" });
  clock.advance(DAY);
  await ingest(shopA, [DHL], { order: "#2002", email: "grace.hopper@example.org", company: "DHL Express" });
  clock.advance(DAY);
  const rows = await database.db.prisma.shipment.findMany({ where: { shopId: shopA.id } });
  for (const row of rows) idOf.set(row.trackingNumber, row.id);

  // Shop B has a number of its own and one that shop A also tracks, with B's customer.
  await ingest(shopB, [upsNumber(500), upsNumber(0)], { order: "#1000", email: "buyer0@example.com", company: "UPS" });

  // Now is 2026-11-15 10:00. Shop defaults: stuck after 7 days, pending too long after 5.
  const now = clock.now().getTime();
  await setShipment(upsNumber(0), { status: "delivered", lastEventAt: new Date(now - 9 * DAY) });
  await setShipment(upsNumber(1), { status: "exception", substatus: "customs_hold", lastEventAt: new Date(now - 2 * DAY) });
  await setShipment(upsNumber(2), { status: "undelivered", lastEventAt: new Date(now - 1 * DAY) });
  await setShipment(upsNumber(3), { status: "transit", lastEventAt: new Date(now - 8 * DAY) }); // stuck
  await setShipment(upsNumber(4), { status: "transit", lastEventAt: new Date(now - 1.5 * DAY) }); // moving
  await setShipment(upsNumber(5), { status: "transit", lastEventAt: null }); // added 10 days ago, never heard of: stuck
  await setShipment(upsNumber(6), { status: "notfound", lastEventAt: null }); // 9 days: pending too long
  await setShipment(upsNumber(7), { registrationState: "failed", registrationError: "invalid number" });
  await setShipment(upsNumber(8), { status: "pickup", lastEventAt: new Date(now - 3 * DAY), provider: "ups" });
  await setShipment(upsNumber(9), { status: "delivered", lastEventAt: new Date(now - 4 * DAY) });
  // 10, 11: pending, 4 and 3 days old: not too long yet. USPS, DHL: pending, 2 and 1 days.
  await setShipment(upsNumber(10), { status: "pending" });
  await setShipment(USPS, { provider: "tracktry" });
});

afterAll(async () => {
  await database.dispose();
});

describe(`shipments index on ${testDialect()}`, () => {
  it("lists the shop's shipments newest first, with order name and carrier", async () => {
    const page = await listShipments(services, shopA.id, {});
    expect(page.rows.map((row) => row.trackingNumber)).toEqual([DHL, USPS, ...Array.from({ length: 12 }, (_, i) => upsNumber(11 - i))]);
    expect(page.nextCursor).toBeNull();
    const dhl = page.rows[0]!;
    expect(dhl).toMatchObject({ orderName: "#2002", carrierCode: "dhl", status: "pending", provider: "trackingmore" });
    expect(page.rows.find((row) => row.trackingNumber === upsNumber(1))).toMatchObject({ carrierName: "UPS", attention: ["exception"] });
  });

  it("filters by status, carrier, provider and creation date", async () => {
    expect(await numbers(shopA, { status: "transit" })).toEqual([upsNumber(5), upsNumber(4), upsNumber(3)]);
    expect(await numbers(shopA, { status: "delivered" })).toEqual([upsNumber(9), upsNumber(0)]);
    expect(await numbers(shopA, { carrier: "usps" })).toEqual([USPS]);
    expect(await numbers(shopA, { carrier: "dhl" })).toEqual([DHL]);
    expect(await numbers(shopA, { provider: "ups" })).toEqual([upsNumber(8)]);
    expect(await numbers(shopA, { provider: "tracktry" })).toEqual([USPS]);
    // Created on 2026-11-03 .. 2026-11-05 (inclusive): numbers 2, 3 and 4.
    expect(await numbers(shopA, { from: "2026-11-03", to: "2026-11-05" })).toEqual([upsNumber(4), upsNumber(3), upsNumber(2)]);
    expect(await numbers(shopA, { from: "2026-11-14" })).toEqual([DHL]);
    expect(await numbers(shopA, { status: "transit", carrier: "ups", to: "2026-11-04" })).toEqual([upsNumber(3)]);
  });

  it("needs attention: exceptions, failed attempts, stuck in transit, pending too long, failed registration", async () => {
    const page = await listShipments(services, shopA.id, { attention: "1" });
    expect(Object.fromEntries(page.rows.map((row) => [row.trackingNumber, row.attention]))).toEqual({
      [upsNumber(7)]: ["pending_too_long", "registration_failed"],
      [upsNumber(6)]: ["pending_too_long"],
      [upsNumber(5)]: ["stuck"],
      [upsNumber(3)]: ["stuck"],
      [upsNumber(2)]: ["failed_attempt"],
      [upsNumber(1)]: ["exception"],
    });
    expect(page.rows.map((row) => row.trackingNumber)).toEqual([upsNumber(7), upsNumber(6), upsNumber(5), upsNumber(3), upsNumber(2), upsNumber(1)]);
  });

  it("follows the shop's own thresholds", async () => {
    await database.db.prisma.shop.update({ where: { id: shopA.id }, data: { stuckAfterDays: 8, pendingTooLongDays: 2 } });
    try {
      // Number 3, heard from exactly 8 days ago, is not stuck yet; 10 and 11 (pending 4 and 3 days) now are too long.
      expect(await numbers(shopA, { attention: "true" })).toEqual([upsNumber(11), upsNumber(10), upsNumber(7), upsNumber(6), upsNumber(5), upsNumber(2), upsNumber(1)]);
    } finally {
      await database.db.prisma.shop.update({ where: { id: shopA.id }, data: { stuckAfterDays: 7, pendingTooLongDays: 5 } });
    }
  });

  it("searches tracking numbers, order names and e-mails, exact or by prefix", async () => {
    expect(await numbers(shopA, { q: upsNumber(3) })).toEqual([upsNumber(3)]);
    expect(await numbers(shopA, { q: ` ${upsNumber(3).toLowerCase()} ` })).toEqual([upsNumber(3)]);
    expect(await numbers(shopA, { q: "94001112" })).toEqual([USPS]);
    expect(await numbers(shopA, { q: "#1004" })).toEqual([upsNumber(4)]);
    expect(await numbers(shopA, { q: "1004" })).toEqual([upsNumber(4)]);
    expect(await numbers(shopA, { q: "#100" })).toEqual(Array.from({ length: 10 }, (_, i) => upsNumber(9 - i)));
    expect(await numbers(shopA, { q: "#200" })).toEqual([DHL, USPS]);
    expect(await numbers(shopA, { q: "buyer7@example.com" })).toEqual([upsNumber(7)]);
    expect(await numbers(shopA, { q: "Buyer1" })).toEqual([upsNumber(11), upsNumber(10), upsNumber(1)]);
    // E-mails are compared in lower case, as Shopify stores them.
    expect(await numbers(shopA, { q: "grace.hopper@" })).toEqual([DHL]);
    // Search combines with filters; wildcard characters are literal.
    expect(await numbers(shopA, { q: "#100", status: "transit" })).toEqual([upsNumber(5), upsNumber(4), upsNumber(3)]);
    expect(await numbers(shopA, { q: "%" })).toEqual([]);
    expect(await numbers(shopA, { q: "_" })).toEqual([]);
    expect(await numbers(shopA, { q: "nobody@example.com" })).toEqual([]);
  });

  it("finds the same rows when a broad search walks the sort order instead of sorting its matches", async () => {
    const queries: ShipmentIndexQuery[] = [
      { q: "#100" },
      { q: "1ZAB12CD" },
      { q: "1ZAB12CD", sort: "oldest", status: "transit" },
      { q: "buyer1", sort: "last_update" },
      { q: "buyer", sort: "status" },
      { q: "grace", attention: "1" },
    ];
    for (const query of queries) {
      const sorted = (await listShipments(services, shopA.id, query)).rows.map((row) => row.trackingNumber);
      const walked = (await listShipments(services, shopA.id, query, { searchSetLimit: 1 })).rows.map((row) => row.trackingNumber);
      expect(walked).toEqual(sorted);
    }
    // And pages the same way.
    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listShipments(services, shopA.id, { q: "1ZAB12CD", cursor }, { searchSetLimit: 1 });
      pages.push(...page.rows.map((row) => row.trackingNumber));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual(Array.from({ length: 12 }, (_, i) => upsNumber(11 - i)));
  });

  it("sorts oldest first, by last carrier update (never heard of last), and by status", async () => {
    expect(await numbers(shopA, { sort: "oldest" })).toEqual([...Array.from({ length: 12 }, (_, i) => upsNumber(i)), USPS, DHL]);
    const byUpdate = await numbers(shopA, { sort: "last_update" });
    expect(byUpdate.slice(0, 7)).toEqual([upsNumber(2), upsNumber(4), upsNumber(1), upsNumber(8), upsNumber(9), upsNumber(3), upsNumber(0)]);
    expect(new Set(byUpdate.slice(7))).toEqual(new Set([upsNumber(5), upsNumber(6), upsNumber(7), upsNumber(10), upsNumber(11), USPS, DHL]));
    expect(await numbers(shopA, { sort: "status" })).toEqual([
      upsNumber(9), upsNumber(0), // delivered
      upsNumber(1), // exception
      upsNumber(6), // notfound
      DHL, USPS, upsNumber(11), upsNumber(10), upsNumber(7), // pending
      upsNumber(8), // pickup
      upsNumber(5), upsNumber(4), upsNumber(3), // transit
      upsNumber(2), // undelivered
    ]);
  });

  it("rejects a cursor it did not issue, or one of another sort order", async () => {
    await expect(listShipments(services, shopA.id, { cursor: "not-a-cursor" })).rejects.toBeInstanceOf(InvalidCursorError);
    const forged = Buffer.from(JSON.stringify({ s: "newest", i: "x", c: "yesterday", l: null, t: "pending" })).toString("base64url");
    await expect(listShipments(services, shopA.id, { cursor: forged })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("never shows another shop's shipments", async () => {
    expect(new Set(await numbers(shopB, {}))).toEqual(new Set([upsNumber(500), upsNumber(0)]));
    expect(await numbers(shopB, { q: "buyer7" })).toEqual([]);
    expect(await numbers(shopB, { q: upsNumber(3) })).toEqual([]);
    expect(await numbers(shopB, { q: "#2001" })).toEqual([]);
    expect(await numbers(shopB, { status: "exception" })).toEqual([]);
    // The number both shops track is found in each shop's own copy, with its own order.
    const inB = await listShipments(services, shopB.id, { q: upsNumber(0) });
    expect(inB.rows.map((row) => [row.trackingNumber, row.status, row.orderName])).toEqual([[upsNumber(0), "pending", "#1000"]]);
    expect(await shipmentDetail(services, shopB.id, idOf.get(upsNumber(1))!)).toBeNull();
    expect(await shipmentDetail(services, shopA.id, inB.rows[0]!.id)).toBeNull();
  });
});

describe(`shipments index pagination on ${testDialect()}`, () => {
  let shopC: Shop;
  const created: string[] = [];
  let next = 1000;

  /** `count` shipments on one order at the same instant: pages must break ties by id. */
  async function addShipments(count: number, order: string): Promise<string[]> {
    const batch = Array.from({ length: count }, () => upsNumber(next++, "PG00AA"));
    await ingest(shopC, batch, { order, company: "UPS" });
    created.push(...batch);
    return batch;
  }

  beforeAll(async () => {
    shopC = await createShop("index-pages.myshopify.com");
    for (let i = 0; i < 14; i++) {
      await addShipments(10, `#P${i}`);
      clock.advance(60_000);
    }
    // Statuses and carrier updates spread over the rows, with ties.
    const rows = await database.db.prisma.shipment.findMany({ where: { shopId: shopC.id }, orderBy: { trackingNumber: "asc" } });
    const statuses = ["transit", "delivered", "pending", "exception", "transit", "pickup"];
    for (const [index, row] of rows.entries()) {
      await database.db.prisma.shipment.update({
        where: { id: row.id },
        data: { status: statuses[index % statuses.length], lastEventAt: index % 4 === 0 ? null : new Date(Date.UTC(2026, 10, 1 + (index % 9))) },
      });
    }
  });

  it.each(["newest", "oldest", "last_update", "status"] as const)("pages through %s with no gaps or repeats", async (sort) => {
    const seen = await allPages(shopC, { sort });
    expect(seen).toHaveLength(140);
    expect(new Set(seen)).toEqual(new Set(created));
  });

  it("stays exact while shipments are added between pages", async () => {
    const before = [...created];
    const newest = await allPages(shopC, { sort: "newest" }, async (page) => {
      clock.advance(60_000);
      await addShipments(7, `#N${page}`);
    });
    // Newest first: what is added while paging is newer than every page still to come.
    expect(newest).toEqual([...new Set(newest)]);
    expect(new Set(newest)).toEqual(new Set(before));

    const beforeOldest = [...created];
    const added: string[] = [];
    const oldest = await allPages(shopC, { sort: "oldest" }, async (page) => {
      clock.advance(60_000);
      added.push(...(await addShipments(5, `#O${page}`)));
    });
    // Oldest first: every row there was at the start once, and the new ones once each, at the end.
    expect(oldest).toEqual([...new Set(oldest)]);
    expect(oldest.slice(0, beforeOldest.length).sort()).toEqual([...beforeOldest].sort());
    expect(oldest.slice(beforeOldest.length)).toEqual(added);

    // Filtered and searched listings page the same way.
    const pending = await allPages(shopC, { sort: "newest", status: "pending" }, async (page) => {
      await addShipments(3, `#F${page}`);
    });
    expect(pending).toEqual([...new Set(pending)]);
    const searched = await allPages(shopC, { sort: "oldest", q: "1ZPG00AA" });
    expect(new Set(searched)).toEqual(new Set(created));
    expect(searched).toHaveLength(created.length);
  });
});
