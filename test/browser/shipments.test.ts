import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { pollStaleShipments } from "~/services/poll-shipments.server";
import { registerPendingShipments } from "~/services/register-shipments.server";
import { expectNoSeriousAxeViolations, startBrowserHarness, type AdminSession, type BrowserHarness } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber, type ShopFixture } from "../support/factories";
import { createTestServices, storeOfflineSession } from "../support/services";

/**
 * The shipments index and a shipment's page in real Chromium inside the admin stand-in: the
 * merchant filters, searches, opens a shipment and sees its carrier events, all from what the
 * pipeline stored for their shop alone.
 */

const SHOP = "shipments-shop.myshopify.com";
const OTHER_SHOP = "other-shipments-shop.myshopify.com";
const API_KEY = "tm-shipments-browser-key";
const USPS = "9400111206206406260787";

let database: TestDatabase;
let trackingMore: TrackingMoreSimulator;
let services: ServiceContext;
let harness: BrowserHarness;
let shop: ShopFixture;
let admin: AdminSession | undefined;

const [inTransit, delivered, waiting] = [upsNumber(701), upsNumber(702), upsNumber(703)];
const othersNumber = upsNumber(704);

beforeAll(async () => {
  database = await createTestDatabase();
  trackingMore = await startTrackingMoreSimulator({ rateLimits: { v4Create: Infinity, v4Other: Infinity } });
  trackingMore.addAccount({ apiKey: API_KEY, webhookSecret: "whsec-browser-0123456789" });
  services = createTestServices(database.db, { trackingMoreBaseUrl: trackingMore.url });

  shop = await createShopWithTrackingMore(services, { domain: SHOP, apiKey: API_KEY });
  await storeOfflineSession(database.db, SHOP, "shpat_shipments_token");
  await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [inTransit, delivered], orderName: "#5001" }));
  await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [USPS], company: "USPS", orderName: "#5002" }));
  await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [waiting], orderName: "#5003" }));
  await registerPendingShipments(services, shop.id);
  // Two carrier scans: info received, then in transit, each an event on the shipment's page.
  await trackingMore.advance(API_KEY, inTransit, "next");
  await trackingMore.advance(API_KEY, inTransit, "next");
  await trackingMore.advance(API_KEY, delivered, { status: "delivered" });
  await database.db.prisma.shipment.updateMany({ where: { shopId: shop.id }, data: { lastCheckedAt: new Date(Date.now() - 24 * 60 * 60_000) } });
  await pollStaleShipments(services, shop.id);
  // The carrier gave a date and no time (stored as midnight UTC): the page must not say "00:00".
  await database.db.prisma.shipment.updateMany({
    where: { shopId: shop.id, trackingNumber: inTransit },
    data: { estimatedDeliveryAt: new Date("2026-11-27T00:00:00.000Z"), estimatedDeliveryEndAt: null },
  });
  // A delivery window with times: shown with them, as the carrier gave them.
  await database.db.prisma.shipment.updateMany({
    where: { shopId: shop.id, trackingNumber: USPS },
    data: { estimatedDeliveryAt: new Date("2026-11-28T09:00:00.000Z"), estimatedDeliveryEndAt: new Date("2026-11-28T12:00:00.000Z") },
  });

  // Another shop on the same installation: never visible here.
  const other = await createShopWithTrackingMore(services, { domain: OTHER_SHOP, apiKey: API_KEY });
  await ingestFulfillment(services, OTHER_SHOP, fulfillmentSnapshot({ numbers: [othersNumber], orderName: "#9999" }));
  expect(other.id).not.toBe(shop.id);

  harness = await startBrowserHarness({ env: { DATABASE_URL: database.url, TRACKINGMORE_API_BASE_URL: trackingMore.url } });
}, 120_000);

afterEach(async () => {
  await admin?.close();
  admin = undefined;
});

afterAll(async () => {
  await harness?.close();
  await trackingMore?.close();
  await database?.dispose();
});

async function visibleTrackingNumbers(session: AdminSession): Promise<string[]> {
  const text = await session.app.locator("table").innerText();
  return [inTransit, delivered, waiting, USPS, othersNumber].filter((number) => text.includes(number)).sort();
}

describe("Shipments in the admin", () => {
  it("lists only this shop's shipments, filters by status, searches by number, and opens a shipment's events", async () => {
    admin = await harness.openAdmin({ shop: SHOP, path: "/app/shipments" });
    await admin.waitForAppPage("/app/shipments");
    const app = admin.app;
    await app.getByText(inTransit).waitFor({ timeout: 10_000 });
    expect(await visibleTrackingNumbers(admin)).toEqual([inTransit, delivered, waiting, USPS].sort());
    await expectNoSeriousAxeViolations(await admin.appFrame(), "the shipments index");
    await admin.screenshot("shipments-index");

    // Filtering by status is a URL the merchant can bookmark; the page follows it.
    const filtered = await harness.openAdmin({ shop: SHOP, path: "/app/shipments?status=delivered" });
    try {
      await filtered.waitForAppPage("/app/shipments");
      await filtered.app.getByText(delivered).waitFor({ timeout: 10_000 });
      expect(await visibleTrackingNumbers(filtered)).toEqual([delivered]);
    } finally {
      await filtered.close();
    }

    // Search as the merchant types (the search field opens from the filter bar).
    await app.getByRole("button", { name: /search and filter/i }).click();
    await app.getByPlaceholder("Search by order, tracking number or customer e-mail").fill(USPS);
    await expect.poll(() => visibleTrackingNumbers(admin!), { timeout: 10_000 }).toEqual([USPS]);
    // Another shop's number finds nothing.
    await app.getByPlaceholder("Search by order, tracking number or customer e-mail").fill(othersNumber);
    await app.getByText("No shipments found").waitFor({ timeout: 10_000 });

    await app.getByPlaceholder("Search by order, tracking number or customer e-mail").fill(inTransit);
    await expect.poll(() => visibleTrackingNumbers(admin!), { timeout: 10_000 }).toEqual([inTransit]);
    await app.getByRole("link", { name: /#5001/ }).first().click();
    await app.getByText("Carrier events").waitFor({ timeout: 10_000 });
    const events = await database.db.prisma.trackingEvent.findMany({ where: { shipment: { shopId: shop.id, trackingNumber: inTransit } } });
    expect(events.length).toBeGreaterThan(0);
    await app.getByText(events[0]!.description!).first().waitFor({ timeout: 10_000 });
    const estimate = app.getByText("Estimated delivery", { exact: true }).locator("xpath=following-sibling::dd[1]");
    expect(await estimate.innerText()).toBe("Nov 27, 2026");
    await expectNoSeriousAxeViolations(await admin.appFrame(), "a shipment's page");
    await admin.screenshot("shipment-detail");
    expect(admin.browserErrors).toEqual([]);
  });

  it("shows an estimate's delivery window with its times, as the carrier gave them", async () => {
    const usps = await database.db.prisma.shipment.findFirstOrThrow({ where: { shopId: shop.id, trackingNumber: USPS } });
    admin = await harness.openAdmin({ shop: SHOP, path: `/app/shipments/${usps.id}` });
    await admin.waitForAppPage(`/app/shipments/${usps.id}`);
    const estimate = admin.app.getByText("Estimated delivery", { exact: true }).locator("xpath=following-sibling::dd[1]");
    expect(await estimate.innerText()).toBe("Nov 28, 2026, 9:00 AM – 12:00 PM");
  });

  it("reaches the main actions from the keyboard: Tab to the search and filter button, Enter opens the search, Tab into the table", async () => {
    admin = await harness.openAdmin({ shop: SHOP, path: "/app/shipments" });
    const frame = await admin.waitForAppPage("/app/shipments");
    await admin.app.getByText(inTransit).waitFor({ timeout: 10_000 });
    const focusedName = () => frame.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      return element ? (element.getAttribute("aria-label") ?? element.getAttribute("placeholder") ?? element.innerText ?? "").trim() : "";
    });
    await frame.locator("body").focus();
    let reached = false;
    for (let presses = 0; presses < 15 && !reached; presses++) {
      await admin.page.keyboard.press("Tab");
      reached = /search and filter/i.test(await focusedName());
    }
    expect(reached).toBe(true);
    await admin.page.keyboard.press("Enter");
    const search = admin.app.getByPlaceholder("Search by order, tracking number or customer e-mail");
    await search.waitFor({ timeout: 10_000 });
    await expect.poll(() => focusedName()).toBe("Search by order, tracking number or customer e-mail");
    await admin.page.keyboard.type(USPS);
    await expect.poll(() => visibleTrackingNumbers(admin!), { timeout: 10_000 }).toEqual([USPS]);
    // On through the filters to the row's link, which Enter follows.
    let onRowLink = false;
    for (let presses = 0; presses < 30 && !onRowLink; presses++) {
      await admin.page.keyboard.press("Tab");
      onRowLink = await frame.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.getAttribute("href")?.startsWith("/app/shipments/") ?? false);
    }
    expect(onRowLink).toBe(true);
    await admin.page.keyboard.press("Enter");
    await admin.app.getByRole("heading", { name: "Carrier events" }).waitFor({ timeout: 10_000 });
    expect(await admin.app.getByRole("heading", { level: 1 }).innerText()).toContain(USPS);
    expect(admin.browserErrors).toEqual([]);
  });
});
