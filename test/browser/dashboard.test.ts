import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TrackingEventInput, TrackingObservation } from "~/domain/tracking-observation";
import { applyTrackingObservation } from "~/services/apply-tracking-update.server";
import type { ServiceContext } from "~/services/context.server";
import { ingestFulfillment } from "~/services/ingest-fulfillment.server";
import { expectNoSeriousAxeViolations, startBrowserHarness, type AdminSession, type BrowserHarness } from "../support/browser";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { createShopWithTrackingMore, fulfillmentSnapshot, upsNumber } from "../support/factories";
import { createTestServices, storeOfflineSession } from "../support/services";
import { startTrackingMoreSimulator, type TrackingMoreSimulator } from "../../simulators/trackingmore";

/**
 * The home dashboard in real Chromium inside the admin stand-in: attention counts per reason
 * linking to the filtered index, a carrier's delivery performance, and the first-run checklist,
 * from shipments the real ingest stored and real observations moved on.
 */

const SHOP = "dashboard-shop.myshopify.com";
const DAY = 24 * 60 * 60_000;

let database: TestDatabase;
let services: ServiceContext;
let harness: BrowserHarness;
let trackingMore: TrackingMoreSimulator;
let admin: AdminSession | undefined;

function event(at: Date, status: TrackingEventInput["status"], description: string): TrackingEventInput {
  return { occurredAt: at, zoneKnown: true, status, substatus: null, description, location: "Louisville, KY", city: "Louisville", state: "KY", countryCode: "US", postalCode: null, rawStatus: null };
}

function observation(trackingNumber: string, status: TrackingObservation["status"], events: TrackingEventInput[]): TrackingObservation {
  return { provider: "trackingmore", trackingNumber, carrierCode: null, providerTrackingId: null, status, substatus: null, rawStatus: null, asOf: null, events };
}

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db);
  // TrackingMore v2: the API version that reports the quota left (GET /v2/trackings/getuserinfo).
  trackingMore = await startTrackingMoreSimulator();
  trackingMore.addAccount({ apiKey: "tm-dashboard-key-abcdefgh", credits: 4321 });
  const shop = await createShopWithTrackingMore(services, { domain: SHOP, apiKey: "tm-dashboard-key-abcdefgh", apiVersion: "v2" });
  await storeOfflineSession(database.db, SHOP, "shpat_dashboard_token");
  const numbers = [701, 702, 703, 704].map((i) => upsNumber(i));
  for (const number of numbers) expect((await ingestFulfillment(services, SHOP, fulfillmentSnapshot({ numbers: [number], company: null }))).result).toBe("APPLIED");
  // Times relative to the test clock's now: the dashboard looks at the last 90 days.
  const now = services.clock.now().getTime();
  const ago = (days: number) => new Date(now - days * DAY);
  // Two UPS deliveries, 2 and 4 days in transit; one exception; one failed attempt.
  await applyTrackingObservation(services, shop.id, observation(numbers[0]!, "delivered", [event(ago(10), "transit", "Picked up"), event(ago(8), "delivered", "Delivered")]));
  await applyTrackingObservation(services, shop.id, observation(numbers[1]!, "delivered", [event(ago(9), "transit", "Picked up"), event(ago(5), "delivered", "Delivered")]));
  await applyTrackingObservation(services, shop.id, observation(numbers[2]!, "exception", [event(ago(1), "exception", "Damaged")]));
  await applyTrackingObservation(services, shop.id, observation(numbers[3]!, "undelivered", [event(ago(1), "undelivered", "No one home")]));
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

describe("Dashboard in the admin", () => {
  it("shows attention counts per reason, delivery performance per carrier and the checklist", async () => {
    admin = await harness.openAdmin({ shop: SHOP });
    await admin.waitForAppPage("/app");
    const attention = admin.app.getByRole("list", { name: "Needs attention" });
    await attention.waitFor();
    const countOf = async (reason: string) => (await attention.locator(`li[data-reason="${reason}"]`).innerText()).trim().split(/\s+/)[0];
    expect(await countOf("exception")).toBe("1");
    expect(await countOf("failed_attempt")).toBe("1");
    expect(await countOf("stuck")).toBe("0");
    expect(await attention.getByRole("link", { name: "Exceptions" }).getAttribute("href")).toBe("/app/shipments?attention=1&status=exception");

    await admin.app.getByRole("img", { name: "Median and 90th-percentile transit days per carrier" }).waitFor();
    const upsRow = admin.app.getByRole("row").filter({ hasText: "UPS" });
    expect((await upsRow.first().innerText()).split(/\t|\n/).map((cell) => cell.trim()).filter(Boolean)).toEqual(["UPS", "2", "2.0", "4.0", "–"]);

    await admin.app.getByRole("heading", { name: "Get started" }).waitFor();
    expect(await admin.app.getByRole("link", { name: "Open the theme editor" }).getAttribute("href")).toBe(`https://${SHOP}/admin/themes/current/editor?context=apps`);
    expect(await admin.app.getByRole("link", { name: "Open Notifications" }).getAttribute("href")).toBe("/app/notifications");
    // The quota left arrives after the page, from the provider, through the fetcher.
    const quota = admin.app.getByRole("list", { name: "Quota left at your providers" });
    await expect.poll(() => quota.locator('li[data-provider="trackingmore"]').innerText().catch(() => "")).toBe("TrackingMore: 4,321 trackings left this month");
    expect(trackingMore.calls.filter((call) => call.path === "/v2/trackings/getuserinfo")).toHaveLength(1);
    expect(admin.requests.find((request) => request.path.startsWith("/app/provider-quota"))?.status).toBe(200);

    // The status counts are still there.
    await admin.app.getByRole("heading", { name: "Shipments by status" }).waitFor();
    expect(admin.browserErrors).toEqual([]);
    await expectNoSeriousAxeViolations(await admin.appFrame(), "the dashboard");
    await admin.screenshot("dashboard");

    // Hidden once dismissed (a provider is connected), and stays hidden.
    await admin.app.getByRole("button", { name: "Hide checklist" }).click();
    await expect.poll(() => admin!.app.getByRole("heading", { name: "Get started" }).count()).toBe(0);
    const shop = await database.db.prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.checklistDismissedAt).not.toBeNull();
    expect(admin.browserErrors).toEqual([]);
  });
});
